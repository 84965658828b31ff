package privacy

import (
	"fmt"
	"slices"
	"sync"
)

// Multidimensional Mondrian (LeFevre et al. 2006) with changes that the
// figures in benchmarks/results/privacy.md justify, each measured on Adult:
//   - the cut is chosen by NCP gain after every side is tightened to its own
//     ranges and lowest common hierarchy ancestors, among median and other
//     quantile cuts of numeric QIs and child splits of categorical nodes
//     (children that cannot stand alone are pooled; the largest children are
//     also tried one-versus-rest), not the widest dimension's median. The
//     candidates are ranked by their gain on the cut dimension and the best
//     exactCuts are scored on every dimension (on a sample when large);
//   - relaxed cuts (rows ordered by one QI and cut at a position, ties on
//     both sides) compete in small partitions and finish partitions that no
//     value-aligned cut can split;
//   - a side that fails the models may be suppressed instead of pooled,
//     within a suppression budget shared out deterministically down the tree.
//   - under distinct l-diversity alone, a cut also pays for the classes it
//     makes impossible below it (capacity): one whose sides are starved of
//     the rarer sensitive values is worth less than its NCP gain says.
// The k, l-diversity and t-closeness predicates are checked on every side of
// every cut, so each final partition satisfies all models by construction.

// cell is a partition's extent on one QI: a rank range, or (lo) a hierarchy node.
type cell struct{ lo, hi int32 }

// numeric split points tried, as quantiles of the partition.
var quantiles = [...]float64{0.5, 0.35, 0.65, 0.2, 0.8, 0.1, 0.9, 0.43, 0.57, 0.27, 0.73}

// oneVsRest is how many of a node's largest children are tried alone
// against the rest of the node.
const oneVsRest = 3

// Scratch buffers reused across partitions: the input table is large and
// full of pointers, so every avoided garbage collection saves a scan of it.
var (
	rowPool   = sync.Pool{New: func() any { return new([]int32) }}
	childPool = sync.Pool{New: func() any { return new([]uint16) }}
	candPool  = sync.Pool{New: func() any { s := make([]candidate, 0, 64); return &s }}
)

func getRows(n int) *[]int32 {
	b := rowPool.Get().(*[]int32)
	if cap(*b) < n {
		*b = make([]int32, n)
	}
	*b = (*b)[:n]
	return b
}

func getChild(n int) *[]uint16 {
	b := childPool.Get().(*[]uint16)
	if cap(*b) < n {
		*b = make([]uint16, n)
	}
	*b = (*b)[:n]
	return b
}

// relaxedAlways is the partition size up to which relaxed cuts compete with
// value-aligned ones; larger partitions try them only when nothing else cuts.
var relaxedAlways = 300

// parallelMin is the smallest partition handed to another goroutine.
const parallelMin = 16384

type partitioner struct {
	e    *engine
	opts options
	sem  chan struct{}
	wg   sync.WaitGroup
	mu   sync.Mutex
	out  []part
	supp [][]int32
}

// part is a final partition and, when known, its extent.
type part struct {
	rows  []int32
	cells []cell
}

// partitionRows returns the final partitions of rows and the suppressed
// rows. rows is taken, not copied: it is left in Mondrian's order, each
// partition a run of it, neighbours in the tree next to each other.
func (e *engine) partitionRows(rows []int32, opts options) ([]part, [][]int32, error) {
	return e.partitionBudget(rows, opts, e.maxSupp)
}

// partitionBudget is partitionRows suppressing at most budget rows.
func (e *engine) partitionBudget(rows []int32, opts options, budget int) ([]part, [][]int32, error) {
	hist := make([]int32, e.m)
	for _, r := range rows {
		hist[e.sens[r]]++
	}
	if !e.model.ok(len(rows), hist) {
		return nil, nil, fmt.Errorf("checking the whole table (%d rows): %w", len(rows), ErrUnsatisfiable)
	}
	p := &partitioner{e: e, opts: opts, sem: make(chan struct{}, max(opts.parallelism-1, 0))}
	p.split(rows, budget, nil)
	p.wg.Wait()
	return p.out, p.supp, nil
}

// candidate is one cut of a partition. Rows are grouped lazily, by one of:
// a numeric threshold on QI j (rank <= thr goes to group 0); a child index
// per row and remap from child to group (-1: the pool group); or an explicit
// assign. suppress is the group whose rows are suppressed, or -1.
type candidate struct {
	j        int
	thr      int32
	child    []uint16
	remap    []int
	pool     int
	assign   []uint16
	sizes    []int
	suppress int
	proxy    float64 // gain on the cut dimension alone, to rank candidates
	gain     float64
	cells    []cell // per group extents, when scored on every row
}

func (c *candidate) group(e *engine, i int, r int32) int {
	switch {
	case c.assign != nil:
		return int(c.assign[i])
	case c.child != nil:
		if g := c.remap[c.child[i]]; g >= 0 {
			return g
		}
		return c.pool
	case e.code[c.j][r] > c.thr:
		return 1
	}
	return 0
}

// exactCuts is how many candidates, best by their one-dimension gain, are
// scored on every dimension.
const exactCuts = 4

// split cuts rows recursively. cells is their extent when the parent already
// computed it, else nil.
func (p *partitioner) split(rows []int32, budget int, cells []cell) {
	e := p.e
	if len(rows) < 2*e.model.k || len(rows) < 2 {
		p.emit(rows, cells)
		return
	}
	if cells == nil {
		cells = make([]cell, e.q)
		e.summarize(rows, cells)
	}
	parentCost := float64(len(rows)) * e.penSum(cells)
	if parentCost == 0 {
		p.emit(rows, cells)
		return
	}
	if p.opts.plain {
		p.splitPlain(rows, cells)
		return
	}
	var sc splitScratch
	candPtr := candPool.Get().(*[]candidate)
	cands := (*candPtr)[:0]
	var childBuf []uint16 // one child index per row for each categorical QI
	var childPtr *[]uint16
	release := func() {
		if childPtr != nil {
			childPool.Put(childPtr)
			childPtr = nil
		}
		if candPtr != nil {
			clear(cands) // drop references to row-sized buffers
			*candPtr = cands[:0]
			candPool.Put(candPtr)
			candPtr = nil
		}
	}
	defer release()
	for j := 0; j < e.q; j++ {
		if e.penalty(j, cells[j]) == 0 {
			continue
		}
		if e.kind[j] == KindCategorical {
			if childBuf == nil {
				childPtr = getChild(e.q * len(rows))
				childBuf = *childPtr
			}
			child := childBuf[j*len(rows) : (j+1)*len(rows)]
			cands = e.categoricalCuts(cands, rows, j, cells[j].lo, budget, p.opts.suppressCut, child, &sc)
		} else {
			cands = e.numericCuts(cands, rows, j, cells[j], &sc)
		}
	}
	if len(rows) <= relaxedAlways && !p.opts.strictOnly {
		for j := 0; j < e.q; j++ {
			if e.penalty(j, cells[j]) > 0 {
				cands = e.relaxedCuts(cands, rows, j, &sc)
			}
		}
	}
	best := p.pick(rows, cands, parentCost, cells)
	if best == nil && !p.opts.strictOnly && len(rows) > relaxedAlways {
		cands = cands[:0]
		for j := 0; j < e.q; j++ {
			if e.penalty(j, cells[j]) > 0 {
				cands = e.relaxedCuts(cands, rows, j, &sc)
			}
		}
		best = p.pick(rows, cands, parentCost, cells)
	}
	if best == nil {
		p.emit(rows, cells)
		return
	}
	chosen := *best // cands returns to the pool once the rows are reordered
	p.apply(rows, chosen, budget, release)
}

// pick scores the exactCuts candidates with the largest one-dimension gain
// on every dimension and returns the best, or nil.
func (p *partitioner) pick(rows []int32, cands []candidate, parentCost float64, parentCells []cell) *candidate {
	if len(cands) == 0 {
		return nil
	}
	slices.SortStableFunc(cands, func(a, b candidate) int { return cmpFloat(b.proxy, a.proxy) })
	n := p.opts.exact
	if n <= 0 {
		n = exactCuts
	}
	var best *candidate
	for i := range cands[:min(len(cands), n)] {
		c := &cands[i]
		c.gain = parentCost - p.e.cutCost(rows, c, p.opts.sampleCap, parentCells)
		if c.gain >= 0 && (best == nil || c.gain > best.gain+tolerance) {
			best = c
		}
	}
	return best
}

// apply reorders rows by group (stably), records suppressed rows and recurses
// on each group with its share of the remaining suppression budget.
// done is called once the rows are reordered and best's buffers are free.
func (p *partitioner) apply(rows []int32, best candidate, budget int, done func()) {
	offs := make([]int, len(best.sizes)+1)
	for g, s := range best.sizes {
		offs[g+1] = offs[g] + s
	}
	tmpPtr := getRows(len(rows))
	tmp := *tmpPtr
	pos := slices.Clone(offs[:len(best.sizes)])
	for i, r := range rows {
		g := best.group(p.e, i, r)
		tmp[pos[g]] = r
		pos[g]++
	}
	copy(rows, tmp)
	rowPool.Put(tmpPtr)
	if done != nil {
		done()
	}
	childCells := func(g int) []cell {
		if best.cells == nil {
			return nil
		}
		return best.cells[g*p.e.q : (g+1)*p.e.q]
	}
	remaining, kept := budget, len(rows)
	if best.suppress >= 0 {
		s := best.sizes[best.suppress]
		remaining -= s
		kept -= s
		p.mu.Lock()
		p.supp = append(p.supp, rows[offs[best.suppress]:offs[best.suppress+1]])
		p.mu.Unlock()
	}
	for g := range best.sizes {
		if g == best.suppress {
			continue
		}
		child := rows[offs[g]:offs[g+1]]
		childBudget := 0
		if kept > 0 {
			childBudget = int(int64(remaining) * int64(len(child)) / int64(kept))
		}
		if len(child) >= parallelMin {
			select {
			case p.sem <- struct{}{}:
				p.wg.Add(1)
				go func() {
					defer func() { <-p.sem; p.wg.Done() }()
					p.split(child, childBudget, childCells(g))
				}()
				continue
			default:
			}
		}
		p.split(child, childBudget, childCells(g))
	}
}

func (p *partitioner) emit(rows []int32, cells []cell) {
	p.mu.Lock()
	p.out = append(p.out, part{rows, cells})
	p.mu.Unlock()
}

// summarize computes each QI's extent over rows.
func (e *engine) summarize(rows []int32, out []cell) {
	for j := 0; j < e.q; j++ {
		code := e.code[j]
		if e.kind[j] == KindCategorical {
			h := e.hier[j]
			node := code[rows[0]]
			for _, r := range rows[1:] {
				if leaf := code[r]; leaf != node && h.ancestor(leaf, h.depth[node]) != node {
					node = h.lca(node, leaf)
				}
			}
			out[j] = cell{node, node}
			continue
		}
		lo, hi := code[rows[0]], code[rows[0]]
		for _, r := range rows[1:] {
			v := code[r]
			lo, hi = min(lo, v), max(hi, v)
		}
		out[j] = cell{lo, hi}
	}
}

func (e *engine) penalty(j int, c cell) float64 {
	if e.kind[j] == KindCategorical {
		return e.pen[j][c.lo]
	}
	if e.span[j] == 0 {
		return 0
	}
	v := e.vals[j]
	return (v[c.hi] - v[c.lo]) / e.span[j]
}

func (e *engine) penSum(cells []cell) float64 {
	s := 0.0
	for j, c := range cells {
		s += e.penalty(j, c)
	}
	return s
}

// cutCost is the summed cell penalty after the cut, each group tightened to
// its own extent; suppressed rows cost 1 per QI. Large partitions are scored
// on an evenly spaced sample of at most sampleCap rows.
// Dimensions on which the parent has no penalty are skipped: groups inherit it.
func (e *engine) cutCost(rows []int32, c *candidate, sampleCap int, parent []cell) float64 {
	G := len(c.sizes)
	cells := make([]cell, G*e.q)
	seen := make([]bool, G)
	active := make([]int, 0, e.q)
	for j := range parent {
		if e.penalty(j, parent[j]) > 0 {
			active = append(active, j)
		}
	}
	step := 1
	if sampleCap > 0 && len(rows) > sampleCap {
		step = len(rows) / sampleCap
	}
	l := e.model.distinctL()
	var hist []int32 // per group, then all groups: sampled sensitive counts
	if l > 1 {
		hist = make([]int32, (G+1)*e.m)
	}
	for i := 0; i < len(rows); i += step {
		r := rows[i]
		g := c.group(e, i, r)
		if g == c.suppress {
			continue
		}
		if hist != nil {
			hist[g*e.m+int(e.sens[r])]++
			hist[G*e.m+int(e.sens[r])]++
		}
		gc := cells[g*e.q : (g+1)*e.q]
		if !seen[g] {
			seen[g] = true
			copy(gc, parent)
			for _, j := range active {
				v := e.code[j][r]
				gc[j] = cell{v, v}
			}
			continue
		}
		for _, j := range active {
			v := e.code[j][r]
			if e.kind[j] == KindCategorical {
				h := e.hier[j]
				if node := gc[j].lo; v != node && h.ancestor(v, h.depth[node]) != node {
					node = h.lca(node, v)
					gc[j] = cell{node, node}
				}
				continue
			}
			gc[j].lo, gc[j].hi = min(gc[j].lo, v), max(gc[j].hi, v)
		}
	}
	cost := 0.0
	if hist != nil {
		// A class lost costs k rows at the parent's penalty, weighted.
		lost := capacity(hist[G*e.m:], l, e.model.k)
		for g := range G {
			if g != c.suppress {
				lost -= capacity(hist[g*e.m:(g+1)*e.m], l, e.model.k)
			}
		}
		cost += capacityWeight * max(0, lost) * float64(step*e.model.k) * e.penSum(parent)
	}
	for g, size := range c.sizes {
		if g == c.suppress {
			cost += float64(size * e.q)
			continue
		}
		if !seen[g] {
			// Not sampled: assume the worst, the whole domain.
			cost += float64(size * e.q)
			continue
		}
		cost += float64(size) * e.penSum(cells[g*e.q:(g+1)*e.q])
	}
	if step == 1 {
		c.cells = cells
	}
	return cost
}

// Lookahead for distinct l-diversity, measured on Adult (k=5, distinct l=2;
// benchmarks/results/privacy.md): weight 0.25 / 0.5 / 1 with classes of k
// gave NCP 0.2704 / 0.2666 / 0.3046 on 1,000-row windows (0.2765 without);
// with classes of 1.5k / 2k / 3k at weight 0.5, 0.2687 / 0.2686 / 0.2722.
const (
	capacityWeight = 0.5
	capacityClass  = 2 // a final class holds about this many times k rows
)

// capacity is how many classes of capacityClass*k rows, each holding l
// distinct sensitive values, rows with the sensitive counts hist could at
// most be split into (fractional: a cut that keeps every side's share costs
// nothing). With the counts in decreasing order c1 >= c2 >= ..., a class
// holds at most one row of each value it takes, so for every j < l the rows
// outside the j largest values fill at most (their count)/(l-j) classes.
func capacity(hist []int32, l, k int) float64 {
	var top [8]int32 // the l-1 largest counts (l is small; larger l are capped below)
	t := min(l-1, len(top))
	n := int32(0)
	for _, v := range hist {
		n += v
		for i := 0; i < t; i++ {
			if v > top[i] {
				copy(top[i+1:t], top[i:t-1])
				top[i] = v
				break
			}
		}
	}
	best := float64(n) / float64(capacityClass*k)
	rest := n
	for j := 0; j <= t; j++ {
		best = min(best, float64(rest)/float64(l-j))
		if j < t {
			rest -= top[j]
		}
	}
	return best
}

// thresholds returns candidate split ranks for numeric QI j: a row goes left
// when its rank is <= the threshold.
func (e *engine) thresholds(rows []int32, j int, c cell) []int32 {
	code := e.code[j]
	width := int(c.hi-c.lo) + 1
	counts := make([]int32, 0)
	var sorted []int32
	if width <= 2*len(rows)+64 {
		counts = make([]int32, width)
		for _, r := range rows {
			counts[code[r]-c.lo]++
		}
	} else {
		sorted = make([]int32, len(rows))
		for i, r := range rows {
			sorted[i] = code[r]
		}
		slices.Sort(sorted)
	}
	// valueAt returns the rank of the i-th smallest row.
	valueAt := func(i int) int32 {
		if sorted != nil {
			return sorted[i]
		}
		acc := 0
		for k, n := range counts {
			acc += int(n)
			if acc > i {
				return c.lo + int32(k)
			}
		}
		return c.hi
	}
	var out []int32
	add := func(t int32) {
		if t >= c.lo && t < c.hi && !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	for _, q := range quantiles {
		v := valueAt(int(q * float64(len(rows))))
		add(v - 1) // median value goes right
		add(v)     // median value goes left
	}
	return out
}

// numericCut splits on rank <= thr, or returns a zero candidate when a side
// fails the models.
func (e *engine) numericCut(rows []int32, j int, thr int32, assign []uint16) candidate {
	code := e.code[j]
	hist := make([]int32, 2*e.m)
	sizes := []int{0, 0}
	for i, r := range rows {
		g := 0
		if code[r] > thr {
			g = 1
		}
		assign[i] = uint16(g)
		sizes[g]++
		hist[g*e.m+int(e.sens[r])]++
	}
	if !e.model.ok(sizes[0], hist[:e.m]) || !e.model.ok(sizes[1], hist[e.m:]) {
		return candidate{}
	}
	return candidate{assign: assign, sizes: sizes, suppress: -1}
}

// splitPlain is textbook Mondrian: dimensions by decreasing normalized
// width, the first allowable cut wins.
func (p *partitioner) splitPlain(rows []int32, cells []cell) {
	e := p.e
	dims := make([]int, e.q)
	for j := range dims {
		dims[j] = j
	}
	slices.SortStableFunc(dims, func(a, b int) int { return cmpFloat(e.penalty(b, cells[b]), e.penalty(a, cells[a])) })
	scratch := make([]uint16, len(rows))
	for _, j := range dims {
		if e.penalty(j, cells[j]) == 0 {
			continue
		}
		if e.kind[j] == KindCategorical {
			if c, ok := e.strictCategoricalCut(rows, j, cells[j].lo, scratch); ok {
				p.apply(rows, c, 0, nil)
				return
			}
			continue
		}
		// The median value goes left, unless that empties the right side.
		ts := e.thresholds(rows, j, cells[j])
		for _, thr := range ts[:min(2, len(ts))] {
			if c := e.numericCut(rows, j, thr, scratch); c.sizes != nil {
				p.apply(rows, c, 0, nil)
				return
			}
		}
	}
	p.emit(rows, cells)
}

// strictCategoricalCut splits a node into its children only if every child
// meets the models.
func (e *engine) strictCategoricalCut(rows []int32, j int, node int32, assign []uint16) (candidate, bool) {
	h := e.hier[j]
	d := h.depth[node] + 1
	code := e.code[j]
	if h.ancestor(code[rows[0]], d) < 0 {
		return candidate{}, false
	}
	index := map[int32]int{}
	var sizes []int
	var hist []int32
	for i, r := range rows {
		ch := h.ancestor(code[r], d)
		g, ok := index[ch]
		if !ok {
			g = len(sizes)
			index[ch] = g
			sizes = append(sizes, 0)
			hist = append(hist, make([]int32, e.m)...)
		}
		assign[i] = uint16(g)
		sizes[g]++
		hist[g*e.m+int(e.sens[r])]++
	}
	if len(sizes) < 2 || len(sizes) > 1<<15 {
		return candidate{}, false
	}
	for g, s := range sizes {
		if !e.model.ok(s, hist[g*e.m:(g+1)*e.m]) {
			return candidate{}, false
		}
	}
	return candidate{assign: assign, sizes: sizes, suppress: -1}, true
}

// numericCuts proposes thresholds at several quantiles of numeric QI j, each
// with the tied value on either side, keeping those whose both sides meet the
// models. Counts come from a histogram over the partition's distinct values.
func (e *engine) numericCuts(out []candidate, rows []int32, j int, c cell, sc *splitScratch) []candidate {
	first := len(out)
	code := e.code[j]
	s := len(rows)
	m := e.m
	sens := e.model.readsSensitive()
	width := int(c.hi-c.lo) + 1
	// Per-value sensitive histograms, unless they would dwarf the partition
	// (many distinct values times many sensitive values): then each
	// threshold's histograms come from a pass over the rows.
	sensHist := sens && min(width, 2*s+64)*m <= 8*s+65536
	// Distinct present ranks with their counts (and sensitive histograms).
	var pr []int32
	var cnt []int32
	var sh []int32
	if width <= 2*s+64 {
		counts := make([]int32, width)
		var hist []int32
		if sensHist {
			hist = make([]int32, width*m)
		}
		for _, r := range rows {
			v := code[r] - c.lo
			counts[v]++
			if sensHist {
				hist[int(v)*m+int(e.sens[r])]++
			}
		}
		for v, n := range counts {
			if n > 0 {
				pr = append(pr, c.lo+int32(v))
				cnt = append(cnt, n)
				if sensHist {
					sh = append(sh, hist[v*m:(v+1)*m]...)
				}
			}
		}
	} else {
		idx := slices.Clone(rows)
		slices.SortFunc(idx, func(a, b int32) int { return int(code[a] - code[b]) })
		for _, r := range idx {
			if n := len(pr); n == 0 || pr[n-1] != code[r] {
				pr = append(pr, code[r])
				cnt = append(cnt, 0)
				if sensHist {
					sh = append(sh, make([]int32, m)...)
				}
			}
			cnt[len(cnt)-1]++
			if sensHist {
				sh[(len(cnt)-1)*m+int(e.sens[r])]++
			}
		}
	}
	cum := make([]int, len(pr)+1)
	for i, n := range cnt {
		cum[i+1] = cum[i] + int(n)
	}
	lr := sc.hists(2 * m)
	left, right := lr[:m], lr[m:]
	parentPen := e.penalty(j, c)
	add := func(pi int) { // cut after present value pi
		if pi < 0 || pi >= len(pr)-1 {
			return
		}
		for _, o := range out[first:] {
			if o.thr == pr[pi] {
				return
			}
		}
		nl, nr := cum[pi+1], s-cum[pi+1]
		if nl < e.model.k || nr < e.model.k {
			return
		}
		if sens && !sensHist {
			clear(left)
			clear(right)
			for _, r := range rows {
				if code[r] <= pr[pi] {
					left[e.sens[r]]++
				} else {
					right[e.sens[r]]++
				}
			}
		} else if sens {
			clear(left)
			for v := 0; v <= pi; v++ {
				for x := 0; x < m; x++ {
					left[x] += sh[v*m+x]
				}
			}
			for x := 0; x < m; x++ {
				right[x] = -left[x]
			}
			for v := range pr {
				for x := 0; x < m; x++ {
					right[x] += sh[v*m+x]
				}
			}
		}
		if !e.model.ok(nl, left) || !e.model.ok(nr, right) {
			return
		}
		proxy := float64(s)*parentPen - float64(nl)*e.penalty(j, cell{pr[0], pr[pi]}) -
			float64(nr)*e.penalty(j, cell{pr[pi+1], pr[len(pr)-1]})
		out = append(out, candidate{j: j, thr: pr[pi], sizes: []int{nl, nr}, suppress: -1, proxy: proxy})
	}
	if !sens {
		// Only sizes matter: left/right histograms are not consulted by ok
		// beyond k, but must have length m.
		clear(left)
		clear(right)
	}
	for _, q := range quantiles {
		target := int(q * float64(s))
		pi, _ := slices.BinarySearch(cum[1:], target+1) // first value whose cumulative count exceeds target
		add(pi)                                         // the value at the quantile goes left
		add(pi - 1)                                     // ... or right
	}
	return out
}

// categoricalCuts splits categorical QI j's node into its children. Children
// that fail the models alone are pooled; if the pool still fails it is merged
// into the smallest passing children (one candidate) or, when the budget
// allows, suppressed (another candidate). One-versus-rest cuts of the
// largest children are proposed too.
func (e *engine) categoricalCuts(out []candidate, rows []int32, j int, node int32, budget int, suppress bool, child []uint16, sc *splitScratch) []candidate {
	h := e.hier[j]
	d := h.depth[node] + 1
	code := e.code[j]
	if h.ancestor(code[rows[0]], d) < 0 {
		return out // node is a leaf
	}
	var kids []int32
	var sizes []int
	var hist []int32
	// A node-indexed table is fastest, but a map keeps big hierarchies (ZIP
	// codes) from costing a hierarchy-sized allocation per small partition.
	dense := len(h.labels) <= 4*len(rows)+256
	var slot []int32
	var index map[int32]int
	if dense {
		slot = make([]int32, len(h.labels))
	} else {
		index = map[int32]int{}
	}
	for i, r := range rows {
		ch := h.ancestor(code[r], d)
		var g int
		if dense {
			g = int(slot[ch]) - 1
		} else if x, ok := index[ch]; ok {
			g = x
		} else {
			g = -1
		}
		if g < 0 {
			g = len(sizes)
			if g >= 1<<16-1 {
				return out
			}
			if dense {
				slot[ch] = int32(g + 1)
			} else {
				index[ch] = g
			}
			kids = append(kids, ch)
			sizes = append(sizes, 0)
			hist = append(hist, make([]int32, e.m)...)
		}
		child[i] = uint16(g)
		sizes[g]++
		hist[g*e.m+int(e.sens[r])]++
	}
	if len(sizes) < 2 {
		return out
	}
	s := len(rows)
	pen := e.pen[j]
	// make builds a candidate from a child->group remap (-1 = pool group
	// numbered groups-1) and scores the cut dimension alone.
	mk := func(remap []int, groups int, suppressed int) candidate {
		sz := make([]int, groups)
		members := make([]int, groups)
		last := make([]int, groups)
		for g, f := range remap {
			if f < 0 {
				f = groups - 1
			}
			sz[f] += sizes[g]
			members[f]++
			last[f] = g
		}
		proxy := float64(s) * pen[node]
		for f := range sz {
			if members[f] == 1 {
				proxy -= float64(sz[f]) * pen[kids[last[f]]]
			} else {
				proxy -= float64(sz[f]) * pen[node]
			}
		}
		return candidate{j: j, child: child, remap: remap, pool: groups - 1, sizes: sz, suppress: suppressed, proxy: proxy}
	}
	final := make([]int, len(sizes))
	var passing []int
	poolSize := 0
	counts := sc.hists(3 * e.m)
	pool := counts[:e.m]
	for g, n := range sizes {
		if e.model.ok(n, hist[g*e.m:(g+1)*e.m]) {
			final[g] = len(passing)
			passing = append(passing, g)
			continue
		}
		final[g] = -1
		poolSize += n
		for i := 0; i < e.m; i++ {
			pool[i] += hist[g*e.m+i]
		}
	}
	if len(sizes) > 2 {
		order := slices.Clone(passing)
		slices.SortStableFunc(order, func(a, b int) int { return sizes[b] - sizes[a] })
		all := counts[e.m : 2*e.m]
		for i := range hist {
			all[i%e.m] += hist[i]
		}
		rest := counts[2*e.m:]
		for _, g := range order[:min(len(order), oneVsRest)] {
			for i := 0; i < e.m; i++ {
				rest[i] = all[i] - hist[g*e.m+i]
			}
			if !e.model.ok(s-sizes[g], rest) {
				continue
			}
			remap := make([]int, len(sizes))
			for x := range remap {
				remap[x] = -1
			}
			remap[g] = 0
			out = append(out, mk(remap, 2, -1))
		}
	}
	if poolSize == 0 {
		if len(passing) >= 2 {
			out = append(out, mk(final, len(passing), -1))
		}
		return out
	}
	if suppress && poolSize <= budget && len(passing) >= 1 {
		out = append(out, mk(final, len(passing)+1, len(passing)))
	}
	if e.model.ok(poolSize, pool) {
		if len(passing) >= 1 {
			out = append(out, mk(final, len(passing)+1, -1))
		}
		return out
	}
	// Merge the pool into passing children, smallest first, until it passes.
	order := slices.Clone(passing)
	slices.SortStableFunc(order, func(a, b int) int { return sizes[a] - sizes[b] })
	remap := slices.Clone(final)
	for _, g := range order {
		poolSize += sizes[g]
		for i := 0; i < e.m; i++ {
			pool[i] += hist[g*e.m+i]
		}
		remap[g] = -1
		if e.model.ok(poolSize, pool) {
			break
		}
	}
	if !e.model.ok(poolSize, pool) {
		return out
	}
	n := 0
	for g := range remap {
		if remap[g] >= 0 {
			remap[g] = n
			n++
		}
	}
	if n >= 1 {
		out = append(out, mk(remap, n+1, -1))
	}
	return out
}

// splitScratch is reused by the cuts of one partition across its QIs.
type splitScratch struct {
	packed []uint64
	idx    []int32
	hist   []int32
}

// hists returns n zeroed counts, valid until the next call. Sensitive
// histograms reach the models through an interface, so they escape to the
// heap: one buffer per partition, not several per QI.
func (sc *splitScratch) hists(n int) []int32 {
	if cap(sc.hist) < n {
		sc.hist = make([]int32, n)
	}
	h := sc.hist[:n]
	clear(h)
	return h
}

// relaxedCuts split a partition no value-aligned cut can split: rows are
// ordered by QI j (numeric rank, or depth-first hierarchy position so that
// siblings stay together) and cut at a position, so rows sharing a value may
// land on both sides (relaxed Mondrian). Tried only where the strict cuts
// failed, which keeps the cost low.
func (e *engine) relaxedCuts(out []candidate, rows []int32, j int, sc *splitScratch) []candidate {
	s := len(rows)
	if s < 2*e.model.k {
		return out
	}
	cat := e.kind[j] == KindCategorical
	// Sort (key, position) pairs packed in one uint64 each: no closures.
	if cap(sc.packed) < s {
		sc.packed, sc.idx = make([]uint64, s), make([]int32, s)
	}
	packed, idx := sc.packed[:s], sc.idx[:s]
	for i, r := range rows {
		k := e.code[j][r]
		if cat {
			k = e.hier[j].order[k]
		}
		packed[i] = uint64(uint32(k))<<32 | uint64(i)
	}
	slices.Sort(packed)
	for i, x := range packed {
		idx[i] = int32(uint32(x))
	}
	extent := func(from, to int) float64 { // penalty on j of sorted rows [from, to)
		a, b := e.code[j][rows[idx[from]]], e.code[j][rows[idx[to-1]]]
		if cat {
			n := e.hier[j].lca(a, b)
			return e.pen[j][n]
		}
		return e.penalty(j, cell{a, b})
	}
	var tried []int
	hist := sc.hists(2 * e.m)
	for _, p := range []int{s / 2, e.model.k, s - e.model.k} {
		if p < 1 || p >= s || slices.Contains(tried, p) {
			continue
		}
		tried = append(tried, p)
		clear(hist)
		for pos, i := range idx {
			g := 0
			if pos >= p {
				g = 1
			}
			hist[g*e.m+int(e.sens[rows[i]])]++
		}
		if e.model.ok(p, hist[:e.m]) && e.model.ok(s-p, hist[e.m:]) {
			a := make([]uint16, s)
			for pos, i := range idx {
				if pos >= p {
					a[i] = 1
				}
			}
			proxy := float64(s)*extent(0, s) - float64(p)*extent(0, p) - float64(s-p)*extent(p, s)
			out = append(out, candidate{assign: a, sizes: []int{p, s - p}, suppress: -1, proxy: proxy})
		}
	}
	return out
}
