package privacy

import "slices"

// What a Stream window does with Mondrian's partition of the pool (the
// carried and new rows) before it decides which classes wait, when
// carry-over is on. Each rule was measured on the streaming benchmark
// (benchmarks/results/privacy.md, "Streaming with carry-over"): for distinct
// l=2 at max delay 3, on its first 60,000 rows, they take NCP 0.2072 to
// 0.1985 and suppression 0.66 % to 0.07 % (seed 11: 0.2104 to 0.2012, 0.58 %
// to 0.03 %; what is left is suppressed by the benchmark's final flush,
// which carries nothing).

// poolSetAside is the share of a window's pool that Mondrian may leave out
// of every class under a diversity model (its suppression budget there,
// whatever max_suppression is): rows left out wait for the next window, and
// those whose delay expired join a class (joinExpired), so the budget buys
// tighter cuts instead of suppression. 0.1 (max_suppression's default) /
// 0.2 / 0.3 / 0.5 gave NCP 0.2003 / 0.1985 / 0.1997 / 0.1982 (seed 11:
// 0.2028 / 0.2012 / 0.2009 / 0.2009).
const poolSetAside = 0.2

// diversityOnly reports whether every model besides k is l-diversity: the
// models for which holding back sensitive rows (holdScarce) and a larger
// set-aside keep the release's figures apart from what waits. t-closeness
// measures a class against the release's whole distribution, which rows held
// back shift: with the two rules its streaming NCP went 0.3157 -> 0.3924.
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

// holdScarce takes out of each part the rows of scarce sensitive values
// (held by fewer rows of the pool than an even share) that may still wait
// and that the part does not need to hold the models, the most recent
// first, at most limit rows in all: they wait for the next window, where a
// row whose delay is about to expire may need one near it. Every class needs
// a row of another value than its majority's, and in Adult >50K (25 % of
// rows) is the scarce one: a class that takes two releases one that a class
// elsewhere lacks. Taking the oldest first instead gave NCP 0.2003 against
// 0.1981. Removing rows never widens a part.
func (e *engine) holdScarce(parts []part, delay []int, maxDelay, limit int) ([]part, []int32) {
	cnt := make([]int, e.m)
	n := 0
	for _, p := range parts {
		for _, r := range p.rows {
			cnt[e.sens[r]]++
			n++
		}
	}
	present := 0
	for _, c := range cnt {
		if c > 0 {
			present++
		}
	}
	scarce := make([]bool, e.m)
	for v, c := range cnt {
		scarce[v] = c > 0 && c*present < n
	}
	var held []int32
	hist := make([]int32, e.m)
	var cand []int32
	for i := range parts {
		if len(held) >= limit {
			break
		}
		p := &parts[i]
		cand = cand[:0]
		for _, r := range p.rows {
			if scarce[e.sens[r]] && delay[r] < maxDelay {
				cand = append(cand, r)
			}
		}
		if len(cand) == 0 {
			continue
		}
		clear(hist)
		for _, r := range p.rows {
			hist[e.sens[r]]++
		}
		slices.SortStableFunc(cand, func(a, b int32) int { return delay[a] - delay[b] })
		size, out := len(p.rows), 0
		for _, r := range cand {
			if len(held) >= limit {
				break
			}
			hist[e.sens[r]]--
			if !e.model.ok(size-1, hist) {
				hist[e.sens[r]]++
				continue
			}
			size--
			held = append(held, r)
			out++
		}
		if out == 0 {
			continue
		}
		gone := held[len(held)-out:]
		keep := make([]int32, 0, size)
		for _, r := range p.rows {
			if !slices.Contains(gone, r) {
				keep = append(keep, r)
			}
		}
		cells := make([]cell, e.q)
		e.summarize(keep, cells)
		p.rows, p.cells = keep, cells
	}
	return parts, held
}
