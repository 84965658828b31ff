package privacy

import (
	"fmt"
	"math"
)

// tCloseness: every class's sensitive distribution is within Earth Mover's
// Distance t of the input's (Li et al. 2007): equal ground distance (half
// the L1 distance) for categorical values, ordered distance over the value
// order for numeric ones.
type tCloseness struct {
	t       float64
	ordered bool
}

func newTCloseness(cfg Config) (Model, error) {
	if cfg.T < 0 || cfg.T > 1 || math.IsNaN(cfg.T) {
		return nil, invalid("t=%v must be in [0,1] (0 = off)", cfg.T)
	}
	switch cfg.SensitiveKind {
	case KindCategorical, KindNumeric:
	default:
		return nil, invalid("sensitive_kind %q is not categorical or numeric", cfg.SensitiveKind)
	}
	if cfg.T == 0 {
		return nil, nil
	}
	if cfg.Sensitive == "" {
		return nil, invalid("t-closeness needs a sensitive column")
	}
	return tCloseness{t: cfg.T, ordered: cfg.SensitiveKind == KindNumeric}, nil
}

func (m tCloseness) Holds(c Class) bool { return m.emd(c) <= m.t+tolerance }

func (m tCloseness) Check(classes []Class) (float64, error) {
	d := worst(classes, true, m.emd)
	if d > m.t+tolerance {
		return d, fmt.Errorf("a class is at EMD %.4f from the input distribution, want at most %g: %w", d, m.t, ErrTCloseness)
	}
	return d, nil
}

// emd is the Earth Mover's Distance between c's sensitive distribution and
// the input's.
func (m tCloseness) emd(c Class) float64 {
	if c.Size == 0 {
		return 0
	}
	inv := 1 / float64(c.Size)
	if !m.ordered {
		d := 0.0
		for i, g := range c.Global {
			d += math.Abs(float64(c.Hist[i])*inv - g)
		}
		return d / 2
	}
	if len(c.Global) < 2 {
		return 0
	}
	d, cum := 0.0, 0.0
	for i := 0; i < len(c.Global)-1; i++ {
		cum += float64(c.Hist[i])*inv - c.Global[i]
		d += math.Abs(cum)
	}
	return d / float64(len(c.Global)-1)
}
