package dp

import (
	"fmt"
	"math/big"
)

// Mechanism names, as `worker dp sample --mechanism` takes them.
const (
	MechanismDiscreteLaplace  = "discrete-laplace"
	MechanismDiscreteGaussian = "discrete-gaussian"
)

// Sampler is an exact integer noise distribution.
type Sampler interface {
	Sample(Source) (int64, error)
	SampleBig(Source) (*big.Int, error)
}

// NewSampler returns the named mechanism's sampler: param is the scale of
// the discrete Laplace, or sigma (not sigma^2) of the discrete Gaussian,
// squared exactly.
func NewSampler(mechanism string, param *big.Rat) (Sampler, error) {
	if param == nil {
		return nil, fmt.Errorf("preparing %s sampler: missing parameter: %w", mechanism, ErrInvalidParameter)
	}
	switch mechanism {
	case MechanismDiscreteLaplace:
		return NewDiscreteLaplace(param)
	case MechanismDiscreteGaussian:
		return NewDiscreteGaussian(new(big.Rat).Mul(param, param))
	}
	return nil, fmt.Errorf("preparing sampler: unknown mechanism %q (want %s or %s): %w",
		mechanism, MechanismDiscreteLaplace, MechanismDiscreteGaussian, ErrInvalidParameter)
}
