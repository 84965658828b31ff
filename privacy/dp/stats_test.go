package dp

import (
	"math"
	"math/big"
	"testing"
)

// pmf is an exact distribution over the integers for goodness-of-fit tests.
type pmf func(x int64) float64

func laplacePMF(scale float64) pmf {
	q := math.Exp(-1 / scale)
	return func(x int64) float64 { return (1 - q) / (1 + q) * math.Pow(q, math.Abs(float64(x))) }
}

func gaussianPMF(sigma2 float64) pmf {
	lim := int64(40*math.Sqrt(sigma2)) + 10
	var z float64
	for x := -lim; x <= lim; x++ {
		z += math.Exp(-float64(x*x) / (2 * sigma2))
	}
	return func(x int64) float64 { return math.Exp(-float64(x*x)/(2*sigma2)) / z }
}

// chiSquare tests samples against p: one bin per value of [-m, m], where m
// is the largest |x| expected at least 5 times, plus one bin per tail. It
// returns the statistic and the critical value at significance 1e-4
// (Wilson-Hilferty approximation of the chi-square quantile).
func chiSquare(samples []int64, p pmf) (stat, crit float64) {
	n := float64(len(samples))
	m := int64(0)
	for n*p(m+1) >= 5 {
		m++
	}
	obs := make([]float64, 2*m+3) // [0]: x < -m, [2m+2]: x > m
	for _, x := range samples {
		switch {
		case x < -m:
			obs[0]++
		case x > m:
			obs[2*m+2]++
		default:
			obs[x+m+1]++
		}
	}
	var inner float64
	exp := make([]float64, len(obs))
	for x := -m; x <= m; x++ {
		exp[x+m+1] = n * p(x)
		inner += p(x)
	}
	exp[0] = n * (1 - inner) / 2 // both pmfs are symmetric
	exp[2*m+2] = exp[0]
	for i := range obs {
		if exp[i] > 0 {
			d := obs[i] - exp[i]
			stat += d * d / exp[i]
		} else if obs[i] > 0 {
			stat = math.Inf(1)
		}
	}
	k := float64(len(obs) - 1)
	const z = 3.719 // standard normal quantile at 1 - 1e-4
	crit = k * math.Pow(1-2/(9*k)+z*math.Sqrt(2/(9*k)), 3)
	return stat, crit
}

func drawN(t *testing.T, n int, sample func(Source) (int64, error), seed uint64) []int64 {
	t.Helper()
	src := SeededSource(seed)
	out := make([]int64, n)
	for i := range out {
		v, err := sample(src)
		if err != nil {
			t.Fatal(err)
		}
		out[i] = v
	}
	return out
}

func mustRat(t *testing.T, s string) *big.Rat {
	t.Helper()
	r, err := ParseRational(s)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestDiscreteLaplaceFits(t *testing.T) {
	const n = 40000
	tests := []struct {
		scale string
		slow  bool
	}{
		{"1", false}, {"5/2", false}, {"10", false}, {"1/3", false}, {"10", true},
		// Numerator and denominator beyond uint64: the math/big path.
		{"100000000000000000001/10000000000000000000", false},
	}
	for _, tc := range tests {
		t.Run(tc.scale, func(t *testing.T) {
			r := mustRat(t, tc.scale)
			d, err := NewDiscreteLaplace(r)
			if err != nil {
				t.Fatal(err)
			}
			d.forceSlow = tc.slow
			b, _ := r.Float64()
			stat, crit := chiSquare(drawN(t, n, d.Sample, 1), laplacePMF(b))
			t.Logf("chi-square %.1f, critical %.1f", stat, crit)
			if stat > crit {
				t.Errorf("scale %s: chi-square %.1f > critical %.1f", tc.scale, stat, crit)
			}
		})
	}
}

func TestDiscreteGaussianFits(t *testing.T) {
	const n = 40000
	tests := []struct {
		sigma2 string
		slow   bool
	}{
		{"1", false}, {"25/4", false}, {"100", false}, {"1/2", false}, {"100", true},
		{"1000000000000000000001/100000000000000000000", false},
	}
	for _, tc := range tests {
		t.Run(tc.sigma2, func(t *testing.T) {
			r := mustRat(t, tc.sigma2)
			g, err := NewDiscreteGaussian(r)
			if err != nil {
				t.Fatal(err)
			}
			g.forceSlow, g.lap.forceSlow = tc.slow, tc.slow
			s2, _ := r.Float64()
			stat, crit := chiSquare(drawN(t, n, g.Sample, 2), gaussianPMF(s2))
			t.Logf("chi-square %.1f, critical %.1f", stat, crit)
			if stat > crit {
				t.Errorf("sigma^2 %s: chi-square %.1f > critical %.1f", tc.sigma2, stat, crit)
			}
		})
	}
}

// TestGoodnessOfFitDetectsWrongScale shows the tests above have teeth: a
// sampler 10% off in scale (or sigma) fails them.
func TestGoodnessOfFitDetectsWrongScale(t *testing.T) {
	const n = 40000
	lap, _ := NewDiscreteLaplace(big.NewRat(11, 1))
	stat, crit := chiSquare(drawN(t, n, lap.Sample, 3), laplacePMF(10))
	t.Logf("Laplace: chi-square %.1f, critical %.1f", stat, crit)
	if stat <= crit {
		t.Errorf("discrete Laplace of scale 11 passed as scale 10: chi-square %.1f <= %.1f", stat, crit)
	}
	gau, _ := NewDiscreteGaussian(big.NewRat(121, 1))
	stat, crit = chiSquare(drawN(t, n, gau.Sample, 4), gaussianPMF(100))
	t.Logf("Gaussian: chi-square %.1f, critical %.1f", stat, crit)
	if stat <= crit {
		t.Errorf("discrete Gaussian of sigma 11 passed as sigma 10: chi-square %.1f <= %.1f", stat, crit)
	}
}

func TestBernoulliExpFrequency(t *testing.T) {
	const n = 100000
	for _, g := range []string{"0", "1/3", "1", "5/2", "7", "18446744073709551617/18446744073709551616"} {
		t.Run(g, func(t *testing.T) {
			gamma := mustRat(t, g)
			src := SeededSource(5)
			hits := 0
			for range n {
				ok, err := BernoulliExp(src, gamma)
				if err != nil {
					t.Fatal(err)
				}
				if ok {
					hits++
				}
			}
			gf, _ := gamma.Float64()
			p := math.Exp(-gf)
			se := math.Sqrt(p * (1 - p) / n)
			if got := float64(hits) / n; math.Abs(got-p) > 5*se+1e-12 {
				t.Errorf("Bernoulli(exp(-%s)) frequency %.5f, want %.5f ± %.5f", g, got, p, 5*se)
			}
		})
	}
}

func TestBernoulliFrequency(t *testing.T) {
	const n = 100000
	for _, ps := range []string{"0", "1", "1/2", "1/3", "999/1000", "1/36893488147419103232"} {
		p := mustRat(t, ps)
		src := SeededSource(6)
		hits := 0
		for range n {
			ok, err := Bernoulli(src, p)
			if err != nil {
				t.Fatal(err)
			}
			if ok {
				hits++
			}
		}
		pf, _ := p.Float64()
		se := math.Sqrt(pf * (1 - pf) / n)
		if got := float64(hits) / n; math.Abs(got-pf) > 5*se+1e-12 {
			t.Errorf("Bernoulli(%s) frequency %.5f, want %.5f ± %.5f", ps, got, pf, 5*se)
		}
	}
}

func TestGeometricMean(t *testing.T) {
	const n = 50000
	for _, g := range []string{"1", "1/10", "3/2"} {
		gamma := mustRat(t, g)
		src := SeededSource(7)
		var sum float64
		for range n {
			y, err := Geometric(src, gamma)
			if err != nil {
				t.Fatal(err)
			}
			f, _ := new(big.Float).SetInt(y).Float64()
			sum += f
		}
		gf, _ := gamma.Float64()
		q := math.Exp(-gf)
		mean, sd := q/(1-q), math.Sqrt(q)/(1-q)
		if got := sum / n; math.Abs(got-mean) > 5*sd/math.Sqrt(n) {
			t.Errorf("geometric(exp(-%s)) mean %.4f, want %.4f", g, got, mean)
		}
	}
}
