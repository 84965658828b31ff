package dp

import (
	"fmt"
	"math"
	"math/big"
	"math/bits"
)

// draw is one integer sample: small unless it overflowed uint64 on the way.
type draw struct {
	mag uint64
	big *big.Int // non-nil: the magnitude, when it did not fit mag
	neg bool
}

func (d draw) isZero() bool { return d.big == nil && d.mag == 0 }

func (d draw) int64() (int64, error) {
	if d.big != nil || d.mag > math.MaxInt64 {
		return 0, fmt.Errorf("converting noise sample: %w", ErrOverflow)
	}
	if d.neg {
		return -int64(d.mag), nil
	}
	return int64(d.mag), nil
}

func (d draw) bigInt() *big.Int {
	v := d.big
	if v == nil {
		v = new(big.Int).SetUint64(d.mag)
	} else {
		v = new(big.Int).Set(v)
	}
	if d.neg {
		v.Neg(v)
	}
	return v
}

// DiscreteLaplace samples the discrete Laplace distribution with rational
// scale b: P[X = x] = (1-e^(-1/b))/(1+e^(-1/b)) * e^(-|x|/b) for every integer
// x (CKS 2020, Algorithm 2). It is immutable and safe for concurrent use.
type DiscreteLaplace struct {
	s, t      *big.Int // scale = t/s
	s64, t64  uint64
	fast      bool
	forceSlow bool // tests: run the math/big path
}

// NewDiscreteLaplace returns a sampler of scale b > 0.
func NewDiscreteLaplace(scale *big.Rat) (*DiscreteLaplace, error) {
	if scale == nil || scale.Sign() <= 0 {
		return nil, fmt.Errorf("preparing discrete Laplace: scale must be positive: %w", ErrInvalidParameter)
	}
	d := &DiscreteLaplace{s: new(big.Int).Set(scale.Denom()), t: new(big.Int).Set(scale.Num())}
	if d.s.IsUint64() && d.t.IsUint64() {
		d.s64, d.t64, d.fast = d.s.Uint64(), d.t.Uint64(), true
	}
	return d, nil
}

// Scale returns the scale b.
func (d *DiscreteLaplace) Scale() *big.Rat { return new(big.Rat).SetFrac(d.t, d.s) }

// Sample returns one draw; ErrOverflow if it does not fit in an int64 (at
// scales below 2^40 the chance is under exp(-2^23)).
func (d *DiscreteLaplace) Sample(src Source) (int64, error) {
	x, err := d.draw(&rng{src: src})
	if err != nil {
		return 0, err
	}
	return x.int64()
}

// SampleBig returns one draw of any size.
func (d *DiscreteLaplace) SampleBig(src Source) (*big.Int, error) {
	x, err := d.draw(&rng{src: src})
	if err != nil {
		return nil, err
	}
	return x.bigInt(), nil
}

func (d *DiscreteLaplace) draw(r *rng) (draw, error) {
	for {
		var y draw
		var err error
		if d.fast && !d.forceSlow {
			y.mag, y.big, err = geometric64(r, d.s64, d.t64)
		} else {
			y.big, err = geometricBig(r, d.s, d.t)
		}
		if err != nil {
			return draw{}, err
		}
		if y.big != nil && y.big.IsUint64() {
			y.mag, y.big = y.big.Uint64(), nil
		}
		b, err := uniform64(r, 2)
		if err != nil {
			return draw{}, err
		}
		if b == 1 && y.isZero() {
			continue // +0 and -0 would count zero twice
		}
		y.neg = b == 1
		return y, nil
	}
}

// Geometric returns Y >= 0 with P[Y = y] = (1-e^(-gamma)) e^(-gamma*y) for a
// rational gamma > 0; it is the magnitude step of the discrete Laplace sampler.
func Geometric(src Source, gamma *big.Rat) (*big.Int, error) {
	if gamma == nil || gamma.Sign() <= 0 {
		return nil, fmt.Errorf("sampling geometric: gamma must be positive: %w", ErrInvalidParameter)
	}
	// gamma = s/t: X ~ Geometric(exp(-1/t)) and Y = floor(X/s).
	return geometricBig(&rng{src: src}, gamma.Num(), gamma.Denom())
}

// geometric64 returns floor(X/s) for X with P[X = x] proportional to
// exp(-x/t): X = U + t*V with U in [0, t) accepted with probability
// exp(-U/t) and V counting successes of Bernoulli(exp(-1)). A result that
// would overflow continues in math/big and comes back in the second value.
func geometric64(r *rng, s, t uint64) (uint64, *big.Int, error) {
	u, v, err := geometricParts64(r, t)
	if err != nil {
		return 0, nil, err
	}
	hi, tv := bits.Mul64(t, v)
	x, carry := bits.Add64(tv, u, 0)
	if hi != 0 || carry != 0 {
		x := new(big.Int).Mul(new(big.Int).SetUint64(t), new(big.Int).SetUint64(v))
		x.Add(x, new(big.Int).SetUint64(u))
		return 0, x.Quo(x, new(big.Int).SetUint64(s)), nil
	}
	return x / s, nil, nil
}

func geometricParts64(r *rng, t uint64) (u, v uint64, err error) {
	for {
		if u, err = uniform64(r, t); err != nil {
			return 0, 0, err
		}
		ok, err := bernoulliExp64(r, u, t)
		if err != nil {
			return 0, 0, err
		}
		if ok {
			break
		}
	}
	for {
		ok, err := bernoulliExpUnit64(r, 1, 1)
		if err != nil {
			return 0, 0, err
		}
		if !ok {
			return u, v, nil
		}
		v++
	}
}

func geometricBig(r *rng, s, t *big.Int) (*big.Int, error) {
	var u *big.Int
	for {
		var err error
		if u, err = uniformBig(r, t); err != nil {
			return nil, err
		}
		ok, err := bernoulliExpBig(r, u, t)
		if err != nil {
			return nil, err
		}
		if ok {
			break
		}
	}
	v := new(big.Int)
	for {
		ok, err := bernoulliExpUnitBig(r, bigOne, bigOne)
		if err != nil {
			return nil, err
		}
		if !ok {
			break
		}
		v.Add(v, bigOne)
	}
	x := v.Mul(v, t)
	x.Add(x, u)
	return x.Quo(x, s), nil
}
