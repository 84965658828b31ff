package privacy

import "fmt"

// kAnonymity: every class has at least k rows. It is always on: k below 2
// holds for every non-empty class.
type kAnonymity struct{ k int }

func newKAnonymity(cfg Config) (Model, error) {
	if cfg.K < 0 {
		return nil, invalid("k=%d is negative", cfg.K)
	}
	return kAnonymity{max(cfg.K, 1)}, nil
}

func (m kAnonymity) MinSize() int       { return m.k }
func (m kAnonymity) Holds(c Class) bool { return c.Size >= m.k }

func (m kAnonymity) Check(classes []Class) (float64, error) {
	k := worst(classes, false, func(c Class) float64 { return float64(c.Size) })
	if int(k) < m.k {
		return k, fmt.Errorf("smallest class has %d rows, want at least %d: %w", int(k), m.k, ErrKAnonymity)
	}
	return k, nil
}
