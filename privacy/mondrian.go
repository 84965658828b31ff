package privacy

import (
	"fmt"
	"slices"
	"sync"
)

// Multidimensional Mondrian (LeFevre et al. 2006) with three changes that the
// figures in benchmarks/results/privacy.md justify:
//   - the cut is the candidate (any QI, several split points) with the largest
//     NCP gain after each side is tightened to its own ranges and lowest common
//     hierarchy ancestors, not the widest dimension's median;
//   - categorical cuts split a node into its children and pool only the
//     children that cannot stand alone, so a class may hold a subset of a node;
//   - a side that fails the models may be suppressed instead of pooled, within
//     a suppression budget shared out deterministically down the tree.
// The l-diversity and t-closeness predicates are checked on every side of
// every cut, so each final partition satisfies all models by construction.

// cell is a partition's extent on one QI: a rank range, or (lo) a hierarchy node.
type cell struct{ lo, hi int32 }

// numeric split points tried, as quantiles of the partition.
var quantiles = [...]float64{0.5, 0.35, 0.65, 0.2, 0.8, 0.1, 0.9, 0.43, 0.57, 0.27, 0.73}

// oneVsRest is how many of a node's largest children are tried alone
// against the rest of the node.
const oneVsRest = 3

// parallelMin is the smallest partition handed to another goroutine.
const parallelMin = 16384

type partitioner struct {
	e    *engine
	opts options
	sem  chan struct{}
	wg   sync.WaitGroup
	mu   sync.Mutex
	out  [][]int32
	supp [][]int32
}

// partition returns the final partitions and the suppressed rows.
func (e *engine) partition(opts options) ([][]int32, [][]int32, error) {
	rows := make([]int32, e.n)
	for i := range rows {
		rows[i] = int32(i)
	}
	hist := make([]int32, e.m)
	for _, s := range e.sens {
		hist[s]++
	}
	if !e.model.ok(e.n, hist) {
		return nil, nil, fmt.Errorf("checking the whole table (%d rows): %w", e.n, ErrUnsatisfiable)
	}
	p := &partitioner{e: e, opts: opts, sem: make(chan struct{}, max(opts.parallelism-1, 0))}
	p.split(rows, e.maxSupp)
	p.wg.Wait()
	return p.out, p.supp, nil
}

// candidate is one cut of a partition: a group per row, and the group (if
// any) whose rows are suppressed.
type candidate struct {
	assign   []uint16
	sizes    []int
	suppress int // group index suppressed, or -1
	gain     float64
}

func (p *partitioner) split(rows []int32, budget int) {
	e := p.e
	if len(rows) < 2*e.model.k || len(rows) < 2 {
		p.emit(rows)
		return
	}
	cells := make([]cell, e.q)
	e.summarize(rows, cells)
	parentCost := float64(len(rows)) * e.penSum(cells)
	if parentCost == 0 {
		p.emit(rows)
		return
	}
	if p.opts.plain {
		p.splitPlain(rows, cells)
		return
	}
	var best candidate
	best.gain = -1
	scratch := make([]uint16, len(rows))
	try := func(c candidate) {
		if c.sizes == nil {
			return
		}
		c.gain = parentCost - e.cutCost(rows, c, p.opts.sampleCap)
		if c.gain > best.gain+tolerance {
			if best.assign == nil {
				best.assign = make([]uint16, len(rows))
			}
			copy(best.assign, c.assign)
			best.sizes, best.suppress, best.gain = c.sizes, c.suppress, c.gain
		}
	}
	for j := 0; j < e.q; j++ {
		if e.kind[j] == KindCategorical {
			for _, c := range e.categoricalCuts(rows, j, cells[j].lo, scratch, budget, p.opts.suppressCut) {
				try(c)
			}
			continue
		}
		if cells[j].lo == cells[j].hi {
			continue
		}
		for _, thr := range e.thresholds(rows, j, cells[j]) {
			try(e.numericCut(rows, j, thr, scratch))
		}
	}
	if best.sizes == nil && !p.opts.strictOnly {
		for j := 0; j < e.q; j++ {
			if e.penalty(j, cells[j]) > 0 {
				for _, c := range e.relaxedCuts(rows, j, scratch) {
					try(c)
				}
			}
		}
	}
	if best.sizes == nil || best.gain < 0 {
		p.emit(rows)
		return
	}
	p.apply(rows, best, budget)
}

// apply reorders rows by group (stably), records suppressed rows and recurses
// on each group with its share of the remaining suppression budget.
func (p *partitioner) apply(rows []int32, best candidate, budget int) {
	offs := make([]int, len(best.sizes)+1)
	for g, s := range best.sizes {
		offs[g+1] = offs[g] + s
	}
	tmp := make([]int32, len(rows))
	pos := slices.Clone(offs[:len(best.sizes)])
	for i, r := range rows {
		g := best.assign[i]
		tmp[pos[g]] = r
		pos[g]++
	}
	copy(rows, tmp)
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
					p.split(child, childBudget)
				}()
				continue
			default:
			}
		}
		p.split(child, childBudget)
	}
}

func (p *partitioner) emit(rows []int32) {
	p.mu.Lock()
	p.out = append(p.out, rows)
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
func (e *engine) cutCost(rows []int32, c candidate, sampleCap int) float64 {
	G := len(c.sizes)
	cells := make([]cell, G*e.q)
	seen := make([]bool, G)
	step := 1
	if sampleCap > 0 && len(rows) > sampleCap {
		step = len(rows) / sampleCap
	}
	for i := 0; i < len(rows); i += step {
		g := int(c.assign[i])
		if g == c.suppress {
			continue
		}
		r := rows[i]
		gc := cells[g*e.q : (g+1)*e.q]
		if !seen[g] {
			seen[g] = true
			for j := range gc {
				v := e.code[j][r]
				gc[j] = cell{v, v}
			}
			continue
		}
		for j := range gc {
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
	return cost
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

// categoricalCuts splits categorical QI j's node into its children. Children
// that fail the models alone are pooled; if the pool still fails it is merged
// into the smallest passing child (one candidate) or, when the budget allows,
// suppressed (another candidate).
func (e *engine) categoricalCuts(rows []int32, j int, node int32, assign []uint16, budget int, suppress bool) []candidate {
	h := e.hier[j]
	d := h.depth[node] + 1
	code := e.code[j]
	if h.ancestor(code[rows[0]], d) < 0 {
		return nil // node is a leaf
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
		return nil
	}
	// final group of each child group; -1 = pool
	final := make([]int, len(sizes))
	var passing []int
	poolSize := 0
	pool := make([]int32, e.m)
	for g, s := range sizes {
		if e.model.ok(s, hist[g*e.m:(g+1)*e.m]) {
			final[g] = len(passing)
			passing = append(passing, g)
			continue
		}
		final[g] = -1
		poolSize += s
		for i := 0; i < e.m; i++ {
			pool[i] += hist[g*e.m+i]
		}
	}
	var out []candidate
	build := func(groups int, poolGroup, suppressed int, remap []int) candidate {
		a := make([]uint16, len(rows))
		sz := make([]int, groups)
		for i := range rows {
			f := remap[assign[i]]
			if f < 0 {
				f = poolGroup
			}
			a[i] = uint16(f)
			sz[f]++
		}
		return candidate{assign: a, sizes: sz, suppress: suppressed}
	}
	// One-versus-rest cuts for the largest passing children: a coarser cut
	// that leaves the rest free to be cut on another dimension first.
	if len(sizes) > 2 {
		order := slices.Clone(passing)
		slices.SortStableFunc(order, func(a, b int) int { return sizes[b] - sizes[a] })
		total := 0
		all := make([]int32, e.m)
		for g, s := range sizes {
			total += s
			for i := 0; i < e.m; i++ {
				all[i] += hist[g*e.m+i]
			}
		}
		rest := make([]int32, e.m)
		for _, g := range order[:min(len(order), oneVsRest)] {
			for i := 0; i < e.m; i++ {
				rest[i] = all[i] - hist[g*e.m+i]
			}
			if !e.model.ok(total-sizes[g], rest) {
				continue
			}
			remap := make([]int, len(sizes))
			for x := range remap {
				remap[x] = -1
			}
			remap[g] = 0
			out = append(out, build(2, 1, -1, remap))
		}
	}
	if poolSize == 0 {
		if len(passing) >= 2 {
			out = append(out, build(len(passing), -1, -1, final))
		}
		return out
	}
	if suppress && poolSize <= budget && len(passing) >= 1 {
		out = append(out, build(len(passing)+1, len(passing), len(passing), final))
	}
	if e.model.ok(poolSize, pool) {
		if len(passing) >= 1 {
			out = append(out, build(len(passing)+1, len(passing), -1, final))
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
	// Renumber the children still standing alone.
	n := 0
	for g := range remap {
		if remap[g] >= 0 {
			remap[g] = n
			n++
		}
	}
	if n >= 1 {
		out = append(out, build(n+1, n, -1, remap))
	}
	return out
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
				p.apply(rows, c, 0)
				return
			}
			continue
		}
		// The median value goes left, unless that empties the right side.
		ts := e.thresholds(rows, j, cells[j])
		for _, thr := range ts[:min(2, len(ts))] {
			if c := e.numericCut(rows, j, thr, scratch); c.sizes != nil {
				p.apply(rows, c, 0)
				return
			}
		}
	}
	p.emit(rows)
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

// relaxedCuts split a partition no value-aligned cut can split: rows are
// ordered by QI j (numeric rank, or depth-first hierarchy position so that
// siblings stay together) and cut at a position, so rows sharing a value may
// land on both sides (relaxed Mondrian). Tried only where the strict cuts
// failed, which keeps every class distinct in most cases and the cost low.
func (e *engine) relaxedCuts(rows []int32, j int, assign []uint16) []candidate {
	s := len(rows)
	if s < 2*e.model.k {
		return nil
	}
	key := func(r int32) int32 {
		if e.kind[j] == KindCategorical {
			return e.hier[j].order[e.code[j][r]]
		}
		return e.code[j][r]
	}
	idx := make([]int32, s)
	for i := range idx {
		idx[i] = int32(i)
	}
	slices.SortStableFunc(idx, func(a, b int32) int { return int(key(rows[a]) - key(rows[b])) })
	var out []candidate
	tried := map[int]bool{}
	for _, p := range []int{s / 2, e.model.k, s - e.model.k} {
		if p < 1 || p >= s || tried[p] {
			continue
		}
		tried[p] = true
		a := make([]uint16, s)
		hist := make([]int32, 2*e.m)
		for pos, i := range idx {
			g := 0
			if pos >= p {
				g = 1
			}
			a[i] = uint16(g)
			hist[g*e.m+int(e.sens[rows[i]])]++
		}
		if e.model.ok(p, hist[:e.m]) && e.model.ok(s-p, hist[e.m:]) {
			out = append(out, candidate{assign: a, sizes: []int{p, s - p}, suppress: -1})
		}
	}
	return out
}
