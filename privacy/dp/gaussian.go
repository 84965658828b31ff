package dp

import (
	"fmt"
	"math/big"
	"math/bits"
)

// DiscreteGaussian samples the discrete Gaussian distribution with rational
// variance parameter sigma^2: P[X = x] proportional to exp(-x^2/(2 sigma^2))
// for every integer x (CKS 2020, Algorithm 3: discrete Laplace proposals of
// scale t = floor(sigma)+1, accepted with probability
// exp(-(|Y| - sigma^2/t)^2 / (2 sigma^2))). It is immutable and safe for
// concurrent use.
type DiscreteGaussian struct {
	a, b      *big.Int // sigma^2 = a/b
	t         *big.Int
	lap       *DiscreteLaplace
	a64, b64  uint64
	t64       uint64
	fast      bool
	forceSlow bool // tests: run the math/big path
}

// NewDiscreteGaussian returns a sampler with variance parameter sigma2 > 0.
func NewDiscreteGaussian(sigma2 *big.Rat) (*DiscreteGaussian, error) {
	if sigma2 == nil || sigma2.Sign() <= 0 {
		return nil, fmt.Errorf("preparing discrete Gaussian: sigma^2 must be positive: %w", ErrInvalidParameter)
	}
	g := &DiscreteGaussian{a: new(big.Int).Set(sigma2.Num()), b: new(big.Int).Set(sigma2.Denom())}
	// floor(sigma) = floor(sqrt(floor(sigma^2))).
	g.t = new(big.Int).Quo(g.a, g.b)
	g.t.Sqrt(g.t).Add(g.t, bigOne)
	lap, err := NewDiscreteLaplace(new(big.Rat).SetInt(g.t))
	if err != nil {
		return nil, err
	}
	g.lap = lap
	if g.a.IsUint64() && g.b.IsUint64() && g.t.IsUint64() {
		g.a64, g.b64, g.t64, g.fast = g.a.Uint64(), g.b.Uint64(), g.t.Uint64(), true
	}
	return g, nil
}

// Sigma2 returns sigma^2.
func (g *DiscreteGaussian) Sigma2() *big.Rat { return new(big.Rat).SetFrac(g.a, g.b) }

// Sample returns one draw; ErrOverflow if it does not fit in an int64.
func (g *DiscreteGaussian) Sample(src Source) (int64, error) {
	x, err := g.draw(&rng{src: src})
	if err != nil {
		return 0, err
	}
	return x.int64()
}

// SampleBig returns one draw of any size.
func (g *DiscreteGaussian) SampleBig(src Source) (*big.Int, error) {
	x, err := g.draw(&rng{src: src})
	if err != nil {
		return nil, err
	}
	return x.bigInt(), nil
}

func (g *DiscreteGaussian) draw(r *rng) (draw, error) {
	for {
		y, err := g.lap.draw(r)
		if err != nil {
			return draw{}, err
		}
		var c bool
		if n, d, ok := g.gamma64(y); ok && !g.forceSlow {
			c, err = bernoulliExp64(r, n, d)
		} else {
			n, d := g.gammaBig(y)
			c, err = bernoulliExpBig(r, n, d)
		}
		if err != nil {
			return draw{}, err
		}
		if c {
			return y, nil
		}
	}
}

// gamma64 is (|y| b t - a)^2 / (2 a b t^2), the rejection exponent
// (|y| - sigma^2/t)^2 / (2 sigma^2) over a common denominator; ok is false
// when any product overflows.
func (g *DiscreteGaussian) gamma64(y draw) (num, den uint64, ok bool) {
	if !g.fast || y.big != nil {
		return 0, 0, false
	}
	mul := func(x, z uint64) uint64 {
		hi, lo := bits.Mul64(x, z)
		if hi != 0 {
			ok = false
		}
		return lo
	}
	ok = true
	ybt := mul(y.mag, mul(g.b64, g.t64))
	diff := ybt - g.a64
	if ybt < g.a64 {
		diff = g.a64 - ybt
	}
	num = mul(diff, diff)
	den = mul(2, mul(mul(g.a64, g.b64), mul(g.t64, g.t64)))
	return num, den, ok
}

func (g *DiscreteGaussian) gammaBig(y draw) (num, den *big.Int) {
	mag := y.bigInt()
	mag.Abs(mag)
	num = mag.Mul(mag, g.b)
	num.Mul(num, g.t)
	num.Sub(num, g.a)
	num.Mul(num, num)
	den = new(big.Int).Mul(g.a, g.b)
	den.Mul(den, g.t)
	den.Mul(den, g.t)
	den.Lsh(den, 1)
	return num, den
}
