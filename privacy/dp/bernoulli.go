package dp

import (
	"fmt"
	"math/big"
	"math/bits"
)

var bigOne = big.NewInt(1)

// Bernoulli returns true with probability p, a rational in [0, 1]: a uniform
// integer below the denominator is compared with the numerator.
func Bernoulli(src Source, p *big.Rat) (bool, error) {
	if p.Sign() < 0 || p.Cmp(big.NewRat(1, 1)) > 0 {
		return false, fmt.Errorf("sampling Bernoulli(p): p outside [0, 1]: %w", ErrInvalidParameter)
	}
	return bernoulliBig(&rng{src: src}, p.Num(), p.Denom())
}

// BernoulliExp returns true with probability exp(-gamma) for a rational
// gamma >= 0 (CKS 2020, Algorithm 1).
func BernoulliExp(src Source, gamma *big.Rat) (bool, error) {
	if gamma.Sign() < 0 {
		return false, fmt.Errorf("sampling Bernoulli(exp(-gamma)): negative gamma: %w", ErrInvalidParameter)
	}
	n, d := gamma.Num(), gamma.Denom()
	if n.IsUint64() && d.IsUint64() {
		return bernoulliExp64(&rng{src: src}, n.Uint64(), d.Uint64())
	}
	return bernoulliExpBig(&rng{src: src}, n, d)
}

func bernoulli64(r *rng, num, den uint64) (bool, error) {
	u, err := uniform64(r, den)
	return u < num, err
}

func bernoulliBig(r *rng, num, den *big.Int) (bool, error) {
	u, err := uniformBig(r, den)
	if err != nil {
		return false, err
	}
	return u.Cmp(num) < 0, nil
}

// bernoulliExp64 is Bernoulli(exp(-n/d)). For gamma > 1 it multiplies
// floor(gamma) draws of Bernoulli(exp(-1)) by one of Bernoulli(exp(-frac)),
// stopping at the first failure.
func bernoulliExp64(r *rng, n, d uint64) (bool, error) {
	if n <= d {
		return bernoulliExpUnit64(r, n, d)
	}
	q, rem := n/d, n%d
	for i := uint64(0); i < q; i++ {
		ok, err := bernoulliExpUnit64(r, 1, 1)
		if err != nil || !ok {
			return false, err
		}
	}
	return bernoulliExpUnit64(r, rem, d)
}

// bernoulliExpUnit64 is Bernoulli(exp(-n/d)) for n/d in [0, 1]: draw
// A_k ~ Bernoulli(gamma/k) for k = 1, 2, ... until one fails; the first
// failing k is odd with probability exactly exp(-gamma).
func bernoulliExpUnit64(r *rng, n, d uint64) (bool, error) {
	k := uint64(1)
	for {
		hi, dk := bits.Mul64(d, k)
		var a bool
		var err error
		if hi == 0 {
			a, err = bernoulli64(r, n, dk)
		} else {
			den := new(big.Int).Mul(new(big.Int).SetUint64(d), new(big.Int).SetUint64(k))
			a, err = bernoulliBig(r, new(big.Int).SetUint64(n), den)
		}
		if err != nil {
			return false, err
		}
		if !a {
			return k%2 == 1, nil
		}
		k++
	}
}

func bernoulliExpBig(r *rng, n, d *big.Int) (bool, error) {
	if n.Cmp(d) <= 0 {
		return bernoulliExpUnitBig(r, n, d)
	}
	q, rem := new(big.Int).QuoRem(n, d, new(big.Int))
	for i := new(big.Int); i.Cmp(q) < 0; i.Add(i, bigOne) {
		ok, err := bernoulliExpUnitBig(r, bigOne, bigOne)
		if err != nil || !ok {
			return false, err
		}
	}
	return bernoulliExpUnitBig(r, rem, d)
}

func bernoulliExpUnitBig(r *rng, n, d *big.Int) (bool, error) {
	k := int64(1)
	dk := new(big.Int)
	for {
		dk.Mul(d, big.NewInt(k))
		a, err := bernoulliBig(r, n, dk)
		if err != nil {
			return false, err
		}
		if !a {
			return k%2 == 1, nil
		}
		k++
	}
}
