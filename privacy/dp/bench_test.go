package dp

import (
	"math"
	"math/big"
	"strconv"
	"testing"
)

// Baselines: the naive floating-point samplers Mironov (2012) warns about,
// fed by the same Source so only the sampling method differs.

func floatUniform(src Source) float64 {
	v, _ := src.Uint64()
	return (float64(v>>11) + 0.5) / (1 << 53) // in (0, 1)
}

// naiveLaplace rounds a continuous Laplace(b) draw by inverse CDF.
func naiveLaplace(src Source, b float64) int64 {
	u := floatUniform(src) - 0.5
	return int64(math.Round(-b * math.Copysign(math.Log(1-2*math.Abs(u)), u)))
}

// naiveGaussian rounds a Box-Muller normal draw.
func naiveGaussian(src Source, sigma float64) int64 {
	u1, u2 := floatUniform(src), floatUniform(src)
	return int64(math.Round(sigma * math.Sqrt(-2*math.Log(u1)) * math.Cos(2*math.Pi*u2)))
}

var sink int64

func BenchmarkDiscreteLaplace(b *testing.B) {
	for _, scale := range []int64{1, 10, 1000} {
		name := "scale=" + strconv.FormatInt(scale, 10)
		b.Run(name+"/exact", func(b *testing.B) {
			d, _ := NewDiscreteLaplace(big.NewRat(scale, 1))
			src := SeededSource(1)
			for b.Loop() {
				v, err := d.Sample(src)
				if err != nil {
					b.Fatal(err)
				}
				sink += v
			}
		})
		b.Run(name+"/exact-crypto", func(b *testing.B) {
			d, _ := NewDiscreteLaplace(big.NewRat(scale, 1))
			src := CryptoSource()
			for b.Loop() {
				v, _ := d.Sample(src)
				sink += v
			}
		})
		b.Run(name+"/naive-float", func(b *testing.B) {
			src := SeededSource(1)
			for b.Loop() {
				sink += naiveLaplace(src, float64(scale))
			}
		})
	}
}

func BenchmarkDiscreteGaussian(b *testing.B) {
	for _, sigma := range []int64{1, 10, 1000} {
		name := "sigma=" + strconv.FormatInt(sigma, 10)
		b.Run(name+"/exact", func(b *testing.B) {
			g, _ := NewDiscreteGaussian(big.NewRat(sigma*sigma, 1))
			src := SeededSource(1)
			for b.Loop() {
				v, err := g.Sample(src)
				if err != nil {
					b.Fatal(err)
				}
				sink += v
			}
		})
		b.Run(name+"/exact-crypto", func(b *testing.B) {
			g, _ := NewDiscreteGaussian(big.NewRat(sigma*sigma, 1))
			src := CryptoSource()
			for b.Loop() {
				v, _ := g.Sample(src)
				sink += v
			}
		})
		b.Run(name+"/naive-float", func(b *testing.B) {
			src := SeededSource(1)
			for b.Loop() {
				sink += naiveGaussian(src, float64(sigma))
			}
		})
	}
}

// BenchmarkDiscreteLaplaceBigPath is the math/big fallback at scale 10, for
// the cost of parameters that overflow uint64.
func BenchmarkDiscreteLaplaceBigPath(b *testing.B) {
	d, _ := NewDiscreteLaplace(big.NewRat(10, 1))
	d.forceSlow = true
	src := SeededSource(1)
	for b.Loop() {
		v, _ := d.Sample(src)
		sink += v
	}
}

// BenchmarkRelease is one window of 10,000 rows: count, two histograms and
// a clipped sum with mean, under zCDP.
func BenchmarkRelease(b *testing.B) {
	cols, rows := window()
	for len(rows) < 10000 {
		rows = append(rows, rows[:1000]...)
	}
	cfg := releaseConfig()
	cfg.Budget = 1e12
	acct := NewAccountant(cfg)
	src := CryptoSource()
	for b.Loop() {
		if _, err := Release(cfg, acct, cols, rows, src); err != nil {
			b.Fatal(err)
		}
	}
}
