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
// Laplace of scale b, P[N >= k] = q^k/(1+q) with q = exp(-1/b); for the
// discrete Gaussian, P[N >= k] <= exp(-k^2/(2 sigma^2)) because it is
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
	}
	return int64(max(k, 0)) + 2
}
