package privacy

import (
	"cmp"
	"slices"
	"sync"
)

// Local search over a finished partition. Mondrian's cuts split a partition
// in two along one QI, and under l-diversity a cut is often refused because
// a side would lack a rare sensitive value: the classes it ends with are
// coarser than the rows need. Two moves lower the summed penalty (every row
// pays its class's penalty) while every class still holds every model:
//   - repair runs Mondrian again over the union of a class and one of its
//     nearest classes, and keeps the result when it costs less: the union
//     has the rare values of both, so cuts refused before may now be made;
//   - moveRows moves single rows to the class they widen least, when that
//     narrows the class they leave by more.
// Measured on the streaming benchmark (benchmarks/results/privacy.md,
// "Local search after the pooled partition").

// Tuned on the streaming benchmark's first 30,000 rows (pooled at delay 3;
// without local search distinct l=2 NCP 0.1821, t=0.2 0.3095, 5.6 ms per
// window). Passes x nearest classes tried: 1x4 0.1640 / 0.2698, 2x4 0.1590 /
// 0.2498, 3x1 0.1596 / 0.2490, 3x2 0.1580 / 0.2459, 3x4 0.1568 / 0.2407
// (30.7 ms per window), 3x8 0.1557 / 0.2407 (40.7 ms), 5x4 0.1554 / 0.2304
// (75 ms).
const (
	improvePasses = 3
	repairTries   = 4
)

// improveRunRows bounds the rows one local search works on: its time grows
// with the square of the classes it holds, so a larger pool is searched in
// runs of classes that are neighbours in Mondrian's tree. A pool of 4,000
// rows (delay 3, 1,000-row windows) is one run.
const improveRunRows = 4000

// improve runs the local search over parts, in runs of about runRows rows
// of classes that are neighbours in Mondrian's tree: consecutive in order,
// the rows as Mondrian left them (partitionRows reorders them in place). Parts
// whose rows are not in order (k-member's) come first.
func (e *engine) improve(parts []part, order []int32, opts options, runRows int) []part {
	if len(parts) < 2 {
		return parts
	}
	pos := make([]int32, e.n)
	for i := range pos {
		pos[i] = -1
	}
	for i, r := range order {
		pos[r] = int32(i)
	}
	n := 0
	for _, p := range parts {
		n += len(p.rows)
	}
	slices.SortStableFunc(parts, func(a, b part) int { return cmp.Compare(pos[a.rows[0]], pos[b.rows[0]]) })
	runs := (n + runRows - 1) / runRows
	size := (n + runs - 1) / runs
	var groups [][]part
	start, inRun := 0, 0
	for i, p := range parts {
		inRun += len(p.rows)
		if inRun >= size || i == len(parts)-1 {
			groups = append(groups, slices.Clone(parts[start:i+1]))
			start, inRun = i+1, 0
		}
	}
	// Runs share no part: up to opts.parallelism of them at once.
	var wg sync.WaitGroup
	sem := make(chan struct{}, max(opts.parallelism, 1))
	for i := range groups {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			groups[i] = e.improveRun(groups[i], opts)
		}()
	}
	wg.Wait()
	return slices.Concat(groups...)
}

// improveRun runs improvePasses of repair, each followed by a pass of
// moveRows, over parts.
func (e *engine) improveRun(parts []part, opts options) []part {
	if len(parts) < 2 {
		return parts
	}
	for i := range parts {
		p := &parts[i]
		// Own copies: Mondrian's parts share one row array and moves grow them.
		p.rows = slices.Clone(p.rows)
		cells := make([]cell, e.q)
		e.summarize(p.rows, cells)
		p.cells = cells
	}
	for range improvePasses {
		parts = e.repair(parts, opts)
		e.moveRows(parts)
	}
	return parts
}

// cost is the summed penalty of parts, each row paying its part's.
func (e *engine) cost(parts ...part) float64 {
	s := 0.0
	for _, p := range parts {
		s += float64(len(p.rows)) * e.penSum(p.cells)
	}
	return s
}

// repair gives every part, in turn, the best of Mondrian's partitions of its
// union with each of its repairTries nearest parts (by what merging them
// would cost), suppressing nothing, when that costs less than the two parts;
// a part takes part in one repair per call.
func (e *engine) repair(parts []part, opts options) []part {
	type near struct {
		d float64
		b int
	}
	used := make([]bool, len(parts))
	var out []part
	u := make([]cell, e.q)
	nearest := make([]near, 0, repairTries+1)
	pc := make([]float64, len(parts)) // each part's cost
	for i, p := range parts {
		pc[i] = e.cost(p)
	}
	for a, pa := range parts {
		if used[a] {
			continue
		}
		ca := pc[a]
		nearest = nearest[:0]
		for b, pb := range parts {
			if b == a || used[b] {
				continue
			}
			for j := range u {
				u[j] = e.union(j, pa.cells[j], pb.cells[j])
			}
			d := float64(len(pa.rows)+len(pb.rows))*e.penSum(u) - ca - pc[b]
			if len(nearest) == repairTries && d >= nearest[repairTries-1].d {
				continue
			}
			// Insert in order, keeping the repairTries nearest.
			i := len(nearest)
			for i > 0 && nearest[i-1].d > d {
				i--
			}
			nearest = slices.Insert(nearest, i, near{d, b})
			if len(nearest) > repairTries {
				nearest = nearest[:repairTries]
			}
		}
		var best []part
		gain, at := 1e-9, -1
		for _, n := range nearest {
			pb := parts[n.b]
			mp, ms, err := e.partitionBudget(slices.Concat(pa.rows, pb.rows), opts, 0)
			if err != nil || len(ms) > 0 {
				continue
			}
			for i := range mp {
				mp[i].cells = make([]cell, e.q)
				e.summarize(mp[i].rows, mp[i].cells)
			}
			if g := ca + pc[n.b] - e.cost(mp...); g > gain {
				gain, at, best = g, n.b, mp
			}
		}
		if at >= 0 {
			used[a], used[at] = true, true
			for _, p := range best {
				p.rows = slices.Clone(p.rows) // Mondrian's parts share one array
				out = append(out, p)
			}
		}
	}
	for i, p := range parts {
		if !used[i] {
			out = append(out, p)
		}
	}
	return out
}

// union is the cell of QI j that holds both a and b.
func (e *engine) union(j int, a, b cell) cell {
	if e.kind[j] == KindCategorical {
		if a.lo == b.lo {
			return a
		}
		n := e.hier[j].lca(a.lo, b.lo)
		return cell{n, n}
	}
	return cell{min(a.lo, b.lo), max(a.hi, b.hi)}
}

// moveRows moves, in one pass over the rows, each row to the part it
// widens least when that costs less than leaving its part saves and both
// parts still hold every model. Parts' rows and cells are updated in place.
func (e *engine) moveRows(parts []part) {
	type state struct {
		pen  float64   // penSum of cells
		pens []float64 // each cell's penalty
		hist []int32
	}
	st := make([]state, len(parts))
	for i, p := range parts {
		h := make([]int32, e.m)
		for _, r := range p.rows {
			h[e.sens[r]]++
		}
		st[i] = state{hist: h, pens: make([]float64, e.q)}
		st[i].pen = e.cellPens(p.cells, st[i].pens)
	}
	without := make([]cell, e.q)
	pensWithout := make([]float64, e.q)
	var rest []int32
	for a := range parts {
		pa, sa := &parts[a], &st[a]
		for i := 0; i < len(pa.rows); i++ {
			r := pa.rows[i]
			n := len(pa.rows)
			s := e.sens[r]
			sa.hist[s]--
			ok := e.model.ok(n-1, sa.hist)
			sa.hist[s]++
			if !ok {
				continue
			}
			rest = append(append(rest[:0], pa.rows[:i]...), pa.rows[i+1:]...)
			e.summarize(rest, without)
			penWithout := e.cellPens(without, pensWithout)
			// Joining a part costs at least its own penalty (a wider cell
			// never costs less): only parts tighter than the saving are tried.
			best, at := float64(n)*sa.pen-float64(n-1)*penWithout-1e-9, -1
			for b := range parts {
				sb := &st[b]
				if b == a || sb.pen >= best {
					continue
				}
				nb := len(parts[b].rows)
				c := e.joinCost(parts[b].cells, sb.pens, nb, r, best)
				if c >= best {
					continue
				}
				sb.hist[s]++
				ok := e.model.ok(nb+1, sb.hist)
				sb.hist[s]--
				if ok {
					best, at = c, b
				}
			}
			if at < 0 {
				continue
			}
			pb, sb := &parts[at], &st[at]
			pa.rows = slices.Delete(pa.rows, i, i+1)
			copy(pa.cells, without)
			copy(sa.pens, pensWithout)
			sa.pen = penWithout
			sa.hist[s]--
			pb.rows = append(pb.rows, r)
			for j := range pb.cells {
				pb.cells[j] = e.extend(j, pb.cells[j], r)
			}
			sb.pen = e.cellPens(pb.cells, sb.pens)
			sb.hist[s]++
			i--
		}
	}
}

// joinCost is what adding row r to a part of n rows, with the given cells
// and their penalties, adds to the summed penalty; once that reaches limit
// it returns early with a value >= limit (each QI adds at least its cell's
// penalty, so the sum only grows).
func (e *engine) joinCost(cells []cell, pens []float64, n int, r int32, limit float64) float64 {
	s := 0.0
	for j, c := range cells {
		if x := e.extend(j, c, r); x != c {
			s += float64(n+1)*e.penalty(j, x) - float64(n)*pens[j]
		} else {
			s += pens[j]
		}
		if s >= limit {
			return s
		}
	}
	return s
}

// cellPens sets pens to each cell's penalty and returns their sum.
func (e *engine) cellPens(cells []cell, pens []float64) float64 {
	s := 0.0
	for j, c := range cells {
		pens[j] = e.penalty(j, c)
		s += pens[j]
	}
	return s
}
