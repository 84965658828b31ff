package privacy

import (
	"fmt"
	"math"
	"slices"
)

// l-diversity kinds.
const (
	LDistinct  = "distinct"
	LEntropy   = "entropy"
	LRecursive = "recursive"
)

// lDiversity: every class has at least l "well-represented" sensitive values
// (Machanavajjhala et al. 2007), counted by kind: distinct values, the
// exponential of the entropy, or recursive (c,l).
type lDiversity struct {
	kind string
	l, c float64
}

func newLDiversity(cfg Config) (Model, error) {
	if cfg.L < 0 || math.IsNaN(cfg.L) || math.IsInf(cfg.L, 0) || (cfg.L > 0 && cfg.L < 1) {
		return nil, invalid("l=%v must be 0 (off) or at least 1", cfg.L)
	}
	switch cfg.LKind {
	case LDistinct, LEntropy:
	case LRecursive:
		if cfg.L > 0 && !(cfg.C > 0) {
			return nil, invalid("recursive (c,l)-diversity needs c > 0, got %v", cfg.C)
		}
		if cfg.L > 0 && cfg.L != math.Trunc(cfg.L) {
			return nil, invalid("recursive (c,l)-diversity needs an integer l, got %v", cfg.L)
		}
	default:
		return nil, invalid("l_kind %q is not distinct, entropy or recursive", cfg.LKind)
	}
	if cfg.L == 0 {
		return nil, nil
	}
	if cfg.Sensitive == "" {
		return nil, invalid("l-diversity needs a sensitive column")
	}
	return lDiversity{kind: cfg.LKind, l: cfg.L, c: cfg.C}, nil
}

func (m lDiversity) Holds(c Class) bool { return m.measure(c) >= m.l-tolerance }

func (m lDiversity) Check(classes []Class) (float64, error) {
	l := worst(classes, false, m.measure)
	if l < m.l-tolerance {
		return l, fmt.Errorf("a class has %s l %.4g, want at least %g: %w", m.kind, l, m.l, ErrLDiversity)
	}
	return l, nil
}

// measure is a class's l under kind: distinct values, exp(entropy), or for
// recursive (c,l) the largest l whose condition r1 < c*(r_l+...+r_m) holds.
func (m lDiversity) measure(cl Class) float64 {
	switch m.kind {
	case LEntropy:
		h := 0.0
		for _, x := range cl.Hist {
			if x > 0 {
				p := float64(x) / float64(cl.Size)
				h -= p * math.Log(p)
			}
		}
		return math.Exp(h)
	case LRecursive:
		r := make([]int32, 0, len(cl.Hist))
		for _, x := range cl.Hist {
			if x > 0 {
				r = append(r, x)
			}
		}
		slices.Sort(r)
		slices.Reverse(r)
		// tails[i] = r[i] + ... + r[len-1]
		tail := int64(0)
		tails := make([]int64, len(r)+1)
		for i := len(r) - 1; i >= 0; i-- {
			tail += int64(r[i])
			tails[i] = tail
		}
		best := 0
		for l := 1; l <= len(r); l++ {
			// l=1 holds trivially when the class is non-empty.
			if l > 1 && !(float64(r[0]) < m.c*float64(tails[l-1])) {
				break
			}
			best = l
		}
		return float64(best)
	}
	n := 0
	for _, x := range cl.Hist {
		if x > 0 {
			n++
		}
	}
	return float64(n)
}
