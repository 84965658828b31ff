package privacy

import (
	"errors"
	"math"
	"math/rand/v2"
	"sort"
	"testing"
)

// The verifier shares the models' formulas with the anonymizer, so each
// builtin figure is checked here against a second formula, written apart
// from the models over value counts (these were the verifier's own).

func oracleL(kind string, c float64, counts map[int]int, size int) float64 {
	switch kind {
	case LEntropy:
		h := 0.0
		for _, x := range counts {
			p := float64(x) / float64(size)
			h -= p * math.Log(p)
		}
		return math.Exp(h)
	case LRecursive:
		var r []int
		for _, x := range counts {
			r = append(r, x)
		}
		sort.Sort(sort.Reverse(sort.IntSlice(r)))
		l := 0
		for cand := 1; cand <= len(r); cand++ {
			tail := 0
			for _, x := range r[cand-1:] {
				tail += x
			}
			if cand > 1 && !(float64(r[0]) < c*float64(tail)) {
				break
			}
			l = cand
		}
		return float64(l)
	}
	return float64(len(counts))
}

func oracleEMD(ordered bool, counts map[int]int, size int, global []float64) float64 {
	if ordered {
		cum, sum := 0.0, 0.0
		for i := 0; i+1 < len(global); i++ {
			cum += float64(counts[i])/float64(size) - global[i]
			sum += math.Abs(cum)
		}
		if len(global) > 1 {
			return sum / float64(len(global)-1)
		}
		return 0
	}
	t := 0.0
	for v, p := range global {
		t += math.Abs(float64(counts[v])/float64(size) - p)
	}
	return t / 2
}

func TestModelFiguresMatchOracle(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 2000 {
		m := 1 + rng.IntN(6)
		hist := make([]int32, m)
		counts := map[int]int{}
		size := 0
		for v := range hist {
			if rng.IntN(3) > 0 {
				hist[v] = int32(rng.IntN(20))
			}
			if hist[v] > 0 {
				counts[v] = int(hist[v])
				size += int(hist[v])
			}
		}
		if size == 0 {
			continue
		}
		global := make([]float64, m)
		for v := range global {
			global[v] = 1 / float64(m)
		}
		c := Class{Size: size, Hist: hist, Global: global}
		cc := 0.5 + 4*rng.Float64()
		for _, kind := range []string{LDistinct, LEntropy, LRecursive} {
			got, want := lDiversity{kind: kind, c: cc}.measure(c), oracleL(kind, cc, counts, size)
			if math.Abs(got-want) > 1e-9 {
				t.Fatalf("case %d: %s l of %v (c=%v) = %v, oracle %v", i, kind, hist, cc, got, want)
			}
		}
		for _, ordered := range []bool{false, true} {
			got, want := tCloseness{ordered: ordered}.emd(c), oracleEMD(ordered, counts, size, global)
			if math.Abs(got-want) > 1e-9 {
				t.Fatalf("case %d: EMD (ordered %v) of %v = %v, oracle %v", i, ordered, hist, got, want)
			}
		}
	}
}

func TestModelChecks(t *testing.T) {
	global := []float64{0.5, 0.25, 0.25}
	classes := []Class{
		{Size: 4, Hist: []int32{2, 1, 1}, Global: global},
		{Size: 3, Hist: []int32{3, 0, 0}, Global: global},
	}
	tests := []struct {
		model Model
		want  float64
		err   error
	}{
		{kAnonymity{3}, 3, nil},
		{kAnonymity{4}, 3, ErrKAnonymity},
		{lDiversity{kind: LDistinct, l: 1}, 1, nil},
		{lDiversity{kind: LDistinct, l: 2}, 1, ErrLDiversity},
		// (0.5 + 0.25 + 0.25) / 2 for the second class.
		{tCloseness{t: 0.5}, 0.5, nil},
		{tCloseness{t: 0.4}, 0.5, ErrTCloseness},
		// Ordered: cumulative differences 0.5, 0.25 over 2 steps.
		{tCloseness{t: 0.3, ordered: true}, 0.375, ErrTCloseness},
	}
	for _, tc := range tests {
		got, err := tc.model.Check(classes)
		if math.Abs(got-tc.want) > 1e-12 || !errors.Is(err, tc.err) || (tc.err == nil) != (err == nil) {
			t.Errorf("%#v: figure %v err %v, want %v err %v", tc.model, got, err, tc.want, tc.err)
		}
		for _, c := range classes {
			if _, err := tc.model.Check([]Class{c}); tc.model.Holds(c) != (err == nil) {
				t.Errorf("%#v: Holds(%v) disagrees with Check: %v", tc.model, c.Hist, err)
			}
		}
	}
}
