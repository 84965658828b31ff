package privacy

import (
	"math"
	"slices"
)

// model is the algorithm's view of the configured privacy models: the
// predicate every equivalence class (and every side of every cut) must meet.
type model struct {
	k       int
	l       float64
	lkind   string
	c       float64
	t       float64
	global  []float64 // sensitive distribution of the whole input
	ordered bool      // ordered EMD (numeric sensitive) instead of equal distance
}

// tolerance absorbs floating-point error in the l and t comparisons.
const tolerance = 1e-9

func (m *model) ok(size int, hist []int32) bool {
	if size < m.k || size == 0 {
		return false
	}
	if m.l > 0 && lAchieved(m.lkind, m.c, m.l, hist, size) < m.l-tolerance {
		return false
	}
	if m.t > 0 && emd(hist, size, m.global, m.ordered) > m.t+tolerance {
		return false
	}
	return true
}

// lAchieved is a class's l under kind: distinct values, exp(entropy), or for
// recursive (c,l) the largest l whose condition r1 < c*(r_l+...+r_m) holds
// (want is used only to bound the search).
func lAchieved(kind string, c, want float64, hist []int32, size int) float64 {
	switch kind {
	case LEntropy:
		h := 0.0
		for _, x := range hist {
			if x > 0 {
				p := float64(x) / float64(size)
				h -= p * math.Log(p)
			}
		}
		return math.Exp(h)
	case LRecursive:
		r := make([]int32, 0, len(hist))
		for _, x := range hist {
			if x > 0 {
				r = append(r, x)
			}
		}
		slices.Sort(r)
		slices.Reverse(r)
		// tail[i] = r[i] + ... + r[len-1]
		best := 0
		tail := int64(0)
		tails := make([]int64, len(r)+1)
		for i := len(r) - 1; i >= 0; i-- {
			tail += int64(r[i])
			tails[i] = tail
		}
		for l := 1; l <= len(r); l++ {
			// l=1 holds trivially when the class is non-empty.
			if l == 1 || float64(r[0]) < c*float64(tails[l-1]) {
				best = l
			} else {
				break
			}
		}
		return float64(best)
	default:
		n := 0
		for _, x := range hist {
			if x > 0 {
				n++
			}
		}
		return float64(n)
	}
}

// emd is the Earth Mover's Distance between a class's sensitive histogram and
// the global distribution: equal ground distance (half the L1 distance) for
// categorical values, ordered distance over the value order for numeric ones.
func emd(hist []int32, size int, global []float64, ordered bool) float64 {
	if size == 0 {
		return 0
	}
	inv := 1 / float64(size)
	if !ordered {
		d := 0.0
		for i, g := range global {
			d += math.Abs(float64(hist[i])*inv - g)
		}
		return d / 2
	}
	if len(global) < 2 {
		return 0
	}
	d, cum := 0.0, 0.0
	for i := 0; i < len(global)-1; i++ {
		cum += float64(hist[i])*inv - global[i]
		d += math.Abs(cum)
	}
	return d / float64(len(global)-1)
}
