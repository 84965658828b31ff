package dp

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/big"
	"math/bits"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// The uint64 fast paths and the math/big paths consume randomness the same
// way, so the same seed must give the same samples on both.
func TestFastAndBigPathsAgree(t *testing.T) {
	const n = 3000
	for _, s := range []string{"1", "5/2", "10", "1000", "1/3", "7/1000"} {
		t.Run("laplace "+s, func(t *testing.T) {
			fast, _ := NewDiscreteLaplace(mustRat(t, s))
			slow, _ := NewDiscreteLaplace(mustRat(t, s))
			slow.forceSlow = true
			if !fast.fast {
				t.Fatal("parameters should take the uint64 path")
			}
			if diff := cmp.Diff(drawN(t, n, fast.Sample, 9), drawN(t, n, slow.Sample, 9)); diff != "" {
				t.Errorf("fast and big paths differ (-fast +big):\n%s", diff)
			}
		})
		t.Run("gaussian "+s, func(t *testing.T) {
			fast, _ := NewDiscreteGaussian(mustRat(t, s))
			slow, _ := NewDiscreteGaussian(mustRat(t, s))
			slow.forceSlow, slow.lap.forceSlow = true, true
			if diff := cmp.Diff(drawN(t, n, fast.Sample, 10), drawN(t, n, slow.Sample, 10)); diff != "" {
				t.Errorf("fast and big paths differ (-fast +big):\n%s", diff)
			}
		})
	}
}

func TestSeededSourceIsDeterministic(t *testing.T) {
	lap, _ := NewDiscreteLaplace(big.NewRat(3, 1))
	a, b, c := drawN(t, 100, lap.Sample, 42), drawN(t, 100, lap.Sample, 42), drawN(t, 100, lap.Sample, 43)
	if diff := cmp.Diff(a, b); diff != "" {
		t.Errorf("same seed, different samples:\n%s", diff)
	}
	if cmp.Equal(a, c) {
		t.Error("different seeds gave identical samples")
	}
}

func TestCryptoSourceSamples(t *testing.T) {
	g, _ := NewDiscreteGaussian(big.NewRat(4, 1))
	src := CryptoSource()
	seen := map[int64]bool{}
	for range 1000 {
		v, err := g.Sample(src)
		if err != nil {
			t.Fatal(err)
		}
		seen[v] = true
	}
	if len(seen) < 5 {
		t.Errorf("1000 draws of sigma 2 took only %d values", len(seen))
	}
}

func TestReaderSourceErrors(t *testing.T) {
	src := NewSource(bytes.NewReader(make([]byte, 100))) // shorter than one buffer
	_, err := src.Uint64()
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("short reader: got %v, want io.ErrUnexpectedEOF", err)
	}
	lap, _ := NewDiscreteLaplace(big.NewRat(1, 1))
	if _, err := lap.Sample(src); err == nil {
		t.Error("sampling from a failed source succeeded")
	}
}

func TestReaderSourceWipesUsedWords(t *testing.T) {
	r := bytes.NewReader(bytes.Repeat([]byte{0xAB}, 4096))
	src := NewSource(r).(*readerSource)
	if _, err := src.Uint64(); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(src.buf[:8], make([]byte, 8)) {
		t.Errorf("used word still in buffer: %x", src.buf[:8])
	}
}

// TestUniform checks each path of uniform64 (coin, power of two, 32-bit
// and 64-bit Lemire) by chi-square over 8 equal buckets of [0, n).
func TestUniform(t *testing.T) {
	r := &rng{src: SeededSource(11)}
	for _, n := range []uint64{2, 7, 8, 1000, 1<<32 - 1, 1 << 32, 1<<33 + 5, 1<<64 - 59} {
		buckets := min(n, 8)
		counts := make([]float64, buckets)
		const draws = 40000
		for range draws {
			v, err := uniform64(r, n)
			if err != nil {
				t.Fatal(err)
			}
			if v >= n {
				t.Fatalf("uniform64(%d) = %d", n, v)
			}
			hi, lo := bits.Mul64(v, buckets)
			b, _ := bits.Div64(hi, lo, n)
			counts[b]++
		}
		// Buckets of [0, n) hold floor or ceil of n/buckets values.
		var stat float64
		for b := range buckets {
			size := (b+1)*n/buckets - b*n/buckets
			if n >= 1<<60 { // avoid overflow: buckets are equal to 1e-17
				size = n / buckets
			}
			want := draws * float64(size) / float64(n)
			d := counts[b] - want
			stat += d * d / want
		}
		if stat > 29 { // chi-square, at most 7 degrees of freedom, significance 1e-4
			t.Errorf("uniform64(%d): bucket counts %v, chi-square %.1f", n, counts, stat)
		}
	}
	// Above 64 bits: values stay below n and reach its top half.
	n2 := new(big.Int).Lsh(big.NewInt(3), 70) // 3 * 2^70
	half := new(big.Int).Rsh(n2, 1)
	top := 0
	for range 2000 {
		v, err := uniformBig(r, n2)
		if err != nil {
			t.Fatal(err)
		}
		if v.Sign() < 0 || v.Cmp(n2) >= 0 {
			t.Fatalf("uniformBig(3*2^70) = %v out of range", v)
		}
		if v.Cmp(half) >= 0 {
			top++
		}
	}
	if top < 900 || top > 1100 {
		t.Errorf("uniformBig: %d of 2000 in the top half", top)
	}
}

func TestSamplerParameters(t *testing.T) {
	for _, r := range []*big.Rat{nil, big.NewRat(0, 1), big.NewRat(-1, 2)} {
		if _, err := NewDiscreteLaplace(r); !errors.Is(err, ErrInvalidParameter) {
			t.Errorf("NewDiscreteLaplace(%v): got %v, want ErrInvalidParameter", r, err)
		}
		if _, err := NewDiscreteGaussian(r); !errors.Is(err, ErrInvalidParameter) {
			t.Errorf("NewDiscreteGaussian(%v): got %v, want ErrInvalidParameter", r, err)
		}
	}
	src := SeededSource(1)
	if _, err := Bernoulli(src, big.NewRat(3, 2)); !errors.Is(err, ErrInvalidParameter) {
		t.Errorf("Bernoulli(3/2): got %v", err)
	}
	if _, err := BernoulliExp(src, big.NewRat(-1, 2)); !errors.Is(err, ErrInvalidParameter) {
		t.Errorf("BernoulliExp(-1/2): got %v", err)
	}
	if _, err := Geometric(src, big.NewRat(0, 1)); !errors.Is(err, ErrInvalidParameter) {
		t.Errorf("Geometric(0): got %v", err)
	}
}

func TestSampleBigMatchesSample(t *testing.T) {
	lap, _ := NewDiscreteLaplace(big.NewRat(7, 2))
	a, b := SeededSource(12), SeededSource(12)
	for range 200 {
		x, err1 := lap.Sample(a)
		y, err2 := lap.SampleBig(b)
		if err1 != nil || err2 != nil {
			t.Fatal(err1, err2)
		}
		if !y.IsInt64() || y.Int64() != x {
			t.Fatalf("Sample %d, SampleBig %v", x, y)
		}
	}
}

func TestParseRational(t *testing.T) {
	tests := []struct {
		in   string
		want string // RatString, "" for an error
	}{
		{"3", "3"}, {"2.5", "5/2"}, {"5/2", "5/2"}, {"0.1", "1/10"}, {"010/4", "5/2"}, {"1000", "1000"},
		{"0", "0"}, {"", ""}, {"-1", ""}, {"1e3", ""}, {"0x10", ""}, {".5", ""}, {"2.", ""}, {"1/0", ""},
		{"1/2/3", ""}, {"1.5/2", ""}, {" 1", ""}, {"+1", ""}, {"1_000", ""},
	}
	for _, tc := range tests {
		r, err := ParseRational(tc.in)
		switch {
		case tc.want == "" && err == nil:
			t.Errorf("ParseRational(%q) = %v, want an error", tc.in, r)
		case tc.want == "" && !errors.Is(err, ErrInvalidParameter):
			t.Errorf("ParseRational(%q) error %v does not wrap ErrInvalidParameter", tc.in, err)
		case tc.want != "" && err != nil:
			t.Errorf("ParseRational(%q): %v", tc.in, err)
		case tc.want != "" && r.RatString() != tc.want:
			t.Errorf("ParseRational(%q) = %s, want %s", tc.in, r.RatString(), tc.want)
		}
	}
}

func FuzzParseRational(f *testing.F) {
	for _, s := range []string{"1", "2.5", "5/2", "0.001", "1/0", "1e9", "99999999999999999999999/7"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseRational(s)
		if err != nil {
			if !errors.Is(err, ErrInvalidParameter) {
				t.Fatalf("error %v does not wrap ErrInvalidParameter", err)
			}
			return
		}
		if r.Sign() < 0 {
			t.Fatalf("ParseRational(%q) = %v, negative", s, r)
		}
		// Fractions round-trip through their canonical form.
		back, err := ParseRational(r.RatString())
		if err != nil || back.Cmp(r) != 0 {
			t.Fatalf("round trip of %q via %q: %v, %v", s, r.RatString(), back, err)
		}
	})
}

// FuzzSamplerPaths draws from arbitrary rational parameters: no error, and
// the uint64 and math/big paths agree sample for sample.
func FuzzSamplerPaths(f *testing.F) {
	f.Add(uint64(5), uint64(2), uint64(1))
	f.Add(uint64(1), uint64(1000), uint64(2))
	f.Add(uint64(1<<63), uint64(3), uint64(3))
	f.Add(uint64(1<<64-1), uint64(1<<64-1), uint64(4))
	f.Fuzz(func(t *testing.T, num, den, seed uint64) {
		if num == 0 || den == 0 {
			return
		}
		p := new(big.Rat).SetFrac(new(big.Int).SetUint64(num), new(big.Int).SetUint64(den))
		lapFast, err1 := NewDiscreteLaplace(p)
		lapSlow, err2 := NewDiscreteLaplace(p)
		gFast, err3 := NewDiscreteGaussian(p)
		gSlow, err4 := NewDiscreteGaussian(p)
		if err := errors.Join(err1, err2, err3, err4); err != nil {
			t.Fatal(err)
		}
		lapSlow.forceSlow = true
		gSlow.forceSlow, gSlow.lap.forceSlow = true, true
		for _, pair := range [][2]Sampler{{lapFast, lapSlow}, {gFast, gSlow}} {
			a, b := SeededSource(seed), SeededSource(seed)
			for range 5 {
				x, err := pair[0].SampleBig(a)
				if err != nil {
					t.Fatal(err)
				}
				y, err := pair[1].SampleBig(b)
				if err != nil {
					t.Fatal(err)
				}
				if x.Cmp(y) != 0 {
					t.Fatalf("parameter %v: fast path %v, big path %v", p, x, y)
				}
			}
		}
	})
}

func ExampleDiscreteGaussian() {
	sigma, _ := ParseRational("5/2")
	g, _ := NewDiscreteGaussian(new(big.Rat).Mul(sigma, sigma))
	src := SeededSource(1) // CryptoSource() for real noise
	v, err := g.Sample(src)
	fmt.Println(err == nil && v > -100 && v < 100)
	// Output: true
}
