package privacy

import "slices"

// What a Stream window does with Mondrian's partition of the pool (the
// carried and new rows) before it decides which classes wait, when
// carry-over is on. Measured on the streaming benchmark
// (benchmarks/results/privacy.md, "Streaming with carry-over"): for distinct
// l=2 at max delay 3, on its first 60,000 rows, the two rules take NCP
// 0.2072 to 0.2035 and suppression 0.66 % to 0.06 % (seed 11: 0.2104 to
// 0.2061, 0.58 % to 0.04 %; what is left is suppressed by the benchmark's
// final flush, which carries nothing). Neither makes when a row is released
// depend on its sensitive value (holding back the spare rows of the scarce
// value did, and was dropped: see the results file).

// poolSetAside is the share of a window's pool that Mondrian may leave out
// of every class under l-diversity when the rows carried are not bounded
// (max_carried 0; its suppression budget there, whatever max_suppression
// is): rows left out wait for the next window, and those
// whose delay expired join a class (joinExpired), so the budget buys
// tighter cuts instead of suppression. 0.1 (max_suppression's default) /
// 0.2 / 0.3 / 0.5 gave NCP 0.2065 / 0.2035 / 0.2040 / 0.2053 (seed 11:
// 0.2094 / 0.2061 / 0.2050 / 0.2053). A pooled release (ReleasePooled) sets
// aside as much under l or t, its rows joining a class: 0 / 0.1 / 0.2 / 0.3
// gave l 0.1782 / 0.1782 / 0.1770 / 0.1770, t 0.3065 / 0.3065 / 0.3019 / 0.3017.
const poolSetAside = 0.2

// diversityOnly reports whether every model besides k is l-diversity, for
// which the set-aside was measured. t-closeness measures a class against
// the release's whole distribution, which rows set aside shift: with a
// larger set-aside (and the hold-back tried with it) its streaming NCP went
// 0.3157 -> 0.3924.
func (p predicate) diversityOnly() bool {
	if len(p.rest) == 0 {
		return false
	}
	for _, m := range p.rest {
		if _, ok := m.(lDiversity); !ok {
			return false
		}
	}
	return true
}

// joinExpired moves the rows of supp whose delay expired (they may not
// wait) into the part they widen least, counted over the part's rows, among
// the parts that still hold every model with them; a row no part can take
// stays in supp (it is suppressed). parts' rows and cells may be replaced.
func (e *engine) joinExpired(parts []part, supp [][]int32, delay []int, maxDelay int) [][]int32 {
	if len(parts) == 0 {
		return supp
	}
	var left []int32
	var hists [][]int32 // per part, built on the first expired row
	for _, rs := range supp {
		for _, r := range rs {
			if delay[r] < maxDelay {
				left = append(left, r)
				continue
			}
			if hists == nil {
				hists = make([][]int32, len(parts))
				for i := range parts {
					p := &parts[i]
					if p.cells == nil {
						p.cells = make([]cell, e.q)
						e.summarize(p.rows, p.cells)
					}
					hists[i] = make([]int32, e.m)
					for _, o := range p.rows {
						hists[i][e.sens[o]]++
					}
				}
			}
			best, at := 0.0, -1
			for i, p := range parts {
				d := float64(len(p.rows)+1)*e.addCost(p.cells, r) - float64(len(p.rows))*e.penSum(p.cells)
				if at >= 0 && d >= best {
					continue
				}
				hists[i][e.sens[r]]++
				ok := e.model.ok(len(p.rows)+1, hists[i])
				hists[i][e.sens[r]]--
				if ok {
					best, at = d, i
				}
			}
			if at < 0 {
				left = append(left, r)
				continue
			}
			p := &parts[at]
			p.rows = append(slices.Clip(p.rows), r) // Mondrian's parts share one array
			hists[at][e.sens[r]]++
			for j := range p.cells {
				p.cells[j] = e.extend(j, p.cells[j], r)
			}
		}
	}
	if len(left) == 0 {
		return nil
	}
	return [][]int32{left}
}
