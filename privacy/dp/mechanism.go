package dp

import (
	"fmt"
	"math"
	"math/big"
)

// noise is a calibrated additive noise distribution over the integers.
type noise interface {
	Sample(Source) (int64, error)
}

// calibrate returns the noise that makes a query of integer sensitivity
// sens cost exactly cost: discrete Laplace of scale sens/epsilon (pure,
// epsilon-DP) or discrete Gaussian with sigma^2 = sens^2/(2 rho) (zcdp,
// rho-zCDP).
func calibrate(accounting string, sens int64, cost *big.Rat) (noise, error) {
	if sens <= 0 || cost.Sign() <= 0 {
		return nil, fmt.Errorf("calibrating noise: sensitivity and cost must be positive: %w", ErrInvalidParameter)
	}
	s := new(big.Rat).SetInt64(sens)
	if accounting == Pure {
		return NewDiscreteLaplace(s.Quo(s, cost))
	}
	s.Mul(s, s)
	return NewDiscreteGaussian(s.Quo(s, new(big.Rat).Mul(cost, big.NewRat(2, 1))))
}

// threshold returns the smallest noisy count a histogram key must reach to
// be published, such that a key held by one record (true count 1) passes
// with probability at most delta: P[N >= tau-1] <= delta. For discrete
// Laplace of scale b, P[N >= k] = q^k/(1+q) with q = exp(-1/b). For the
// discrete Gaussian the tail is summed from its mass function when sigma^2
// is at most 1e8, else bounded by exp(-k^2/(2 sigma^2)) because it is
// subgaussian with parameter sigma^2 (CKS 2020). Floating point here only
// sizes a public threshold; it never touches a noise draw. One is added
// against rounding.
func threshold(n noise, delta float64) int64 {
	var k float64
	switch d := n.(type) {
	case *DiscreteLaplace:
		b, _ := d.Scale().Float64()
		lq := -1 / b
		k = math.Ceil(math.Log(delta*(1+math.Exp(lq))) / lq)
	case *DiscreteGaussian:
		s2, _ := d.Sigma2().Float64()
		k = math.Ceil(math.Sqrt(2 * s2 * math.Log(1/delta)))
		if s2 <= 1e8 {
			k = float64(gaussianTailIndex(s2, delta, int64(k)))
		}
	}
	return int64(max(k, 0)) + 2
}

// gaussianTailIndex returns the smallest k in [0, bound] with
// P[N >= k] <= delta for N discrete Gaussian with variance parameter s2,
// summing the mass function out to 40 sigma (beyond which it is below
// e^-800 of the peak). bound is known to satisfy the inequality.
func gaussianTailIndex(s2, delta float64, bound int64) int64 {
	lim := int64(40*math.Sqrt(s2)) + 2
	w := func(x int64) float64 { return math.Exp(-float64(x) * float64(x) / (2 * s2)) }
	var z float64 // half the normaliser, excluding 0
	for x := lim; x >= 1; x-- {
		z += w(x)
	}
	norm := 1 + 2*z
	// tail(k) = sum_{x >= k} w(x) / norm, grown downward from lim.
	var tail float64
	for x := lim; x > bound; x-- {
		tail += w(x)
	}
	k := bound + 1
	for x := bound; x >= 0; x-- {
		tail += w(x)
		if tail/norm > delta {
			break
		}
		k = x
	}
	return min(k, bound)
}
