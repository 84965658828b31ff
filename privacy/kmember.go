package privacy

import (
	"math"
	"slices"
)

// k-member clustering (Byun et al., "Efficient k-Anonymization Using
// Clustering Techniques", 2007), written here from the paper's description:
// Stream uses it to give the rows whose delay expired their closest company
// in the pool of waiting and new rows, which Mondrian, whose cuts must split
// the whole pool, does not do.
//
// Two changes to the paper, measured on the streaming benchmark
// (benchmarks/results/privacy.md): a companion is chosen by its cost to the
// cluster minus a bonus for how hard it would be to place later (its
// isolation, and how long it waited), so the rows of dense regions stay in
// the pool to form tight classes; and candidates are searched bucket by
// bucket in a bucket index on the categorical QIs, skipping buckets whose
// lower bound cannot beat the best found, so a window costs O(pool) per
// cluster only in the worst case.

// Bonus weights, in summed-penalty units (a QI fully generalized costs 1).
// Tuned on the streaming benchmark's first 30,000 rows (k=5, delay 3): the
// isolation weight at 0.1 / 0.3 / 0.45 / 0.6 / 1.0 gave NCP 0.1024 / 0.0987 /
// 0.0978 / 0.0987 / 0.1135 (0.1066 without), a delay weight of 0.02 a
// further 0.0978 -> 0.0969.
const (
	isoWeight   = 0.45
	delayWeight = 0.02
)

// kMemberFits tells whether Stream clusters e's rows that must go now with
// k-member clustering: when every model reads a class's size alone (k). For
// distinct l=2 Mondrian over the pool is better on the streaming benchmark:
// k-member with a last member of a new sensitive value gave NCP 0.2465
// (0.2947 taking it first) against 0.2085.
func (e *engine) kMemberFits() bool { return !e.model.readsSensitive() }

// extendCode returns cell c of QI j widened to hold code v.
func (e *engine) extendCode(j int, c cell, v int32) cell {
	if e.kind[j] == KindCategorical {
		h := e.hier[j]
		if v != c.lo && h.ancestor(v, h.depth[c.lo]) != c.lo {
			n := h.lca(c.lo, v)
			return cell{n, n}
		}
		return c
	}
	return cell{min(c.lo, v), max(c.hi, v)}
}

// extend returns cell c of QI j widened to hold row r.
func (e *engine) extend(j int, c cell, r int32) cell { return e.extendCode(j, c, e.code[j][r]) }

// addCost is the summed penalty of cells widened to hold r.
func (e *engine) addCost(cells []cell, r int32) float64 {
	s := 0.0
	for j, c := range cells {
		s += e.penalty(j, e.extend(j, c, r))
	}
	return s
}

// costTable holds, per QI and code, the penalty of a cell widened to hold
// that code: the cost of adding a row is then one lookup per QI.
type costTable [][]float64

func (e *engine) newCostTable() costTable {
	t := make(costTable, e.q)
	for j := range t {
		if e.kind[j] == KindCategorical {
			t[j] = make([]float64, len(e.hier[j].labels))
		} else {
			t[j] = make([]float64, len(e.vals[j]))
		}
	}
	return t
}

// fill sets t to the costs of widening cells.
func (e *engine) fill(t costTable, cells []cell) {
	for j, c := range cells {
		for v := range t[j] {
			t[j][v] = e.penalty(j, e.extendCode(j, c, int32(v)))
		}
	}
}

// cost is the summed penalty of the cells t was filled for, widened to hold
// r, whose codes are x.codes(r).
func (t costTable) cost(codes []int32) float64 {
	s := 0.0
	for j, v := range codes {
		s += t[j][v]
	}
	return s
}

// point sets cells to row r's own values.
func (e *engine) point(cells []cell, r int32) {
	for j := range cells {
		cells[j] = cell{e.code[j][r], e.code[j][r]}
	}
}

// bucketIndex holds the free rows bucketed by their values of some
// categorical QIs (the key). Widening cells to hold any row of a bucket
// costs at least the penalty of the key QIs widened to the bucket's values:
// a lower bound that lets a search skip most buckets.
type bucketIndex struct {
	e      *engine
	rc     []int32 // codes row by row (e.code is QI by QI): one cache line per row
	keyQIs []int
	key    [][]int32 // per bucket: its code per key QI
	rows   [][]int32 // per bucket: its free rows
	of     []int32   // per row: its bucket
	at     []int32   // per row: its index in rows[of[r]], -1 once taken
	bonus  []float64 // per bucket: the largest bonus of any of its rows
	order  []int     // scratch: buckets by lower bound
	lb     []float64 // scratch: lower bound per bucket
}

// maxBuckets bounds the key: more buckets bound tighter but cost more to sort.
func maxBuckets(n int) int { return max(8, int(math.Sqrt(float64(n)))*2) }

// newBucketIndex buckets rows by the categorical QIs whose smallest
// generalization costs most (they prune most), as many as keep the bucket
// count under maxBuckets.
func newBucketIndex(e *engine, rows []int32) *bucketIndex {
	type qiCost struct {
		j    int
		cost float64
	}
	var cand []qiCost
	for j := range e.q {
		if e.kind[j] != KindCategorical {
			continue
		}
		// The cheapest widening of a leaf is to its parent.
		h, c := e.hier[j], math.Inf(1)
		for _, r := range rows {
			if p := h.parent[e.code[j][r]]; p >= 0 {
				c = min(c, e.pen[j][p])
			}
		}
		if c > 0 && !math.IsInf(c, 1) {
			cand = append(cand, qiCost{j, c})
		}
	}
	slices.SortStableFunc(cand, func(a, b qiCost) int { return -cmpFloat(a.cost, b.cost) })
	x := &bucketIndex{e: e, of: make([]int32, e.n), at: make([]int32, e.n), rc: make([]int32, e.n*e.q)}
	for j, code := range e.code {
		for _, r := range rows {
			x.rc[int(r)*e.q+j] = code[r]
		}
	}
	limit := maxBuckets(len(rows))
	ids := map[string]int32{}
	buf := make([]byte, 0, 64)
	keyOf := func(keys []int, r int32) string {
		buf = buf[:0]
		for _, j := range keys {
			v := e.code[j][r]
			buf = append(buf, byte(v), byte(v>>8), byte(v>>16), byte(v>>24))
		}
		return string(buf)
	}
	for _, c := range cand {
		keys := append(slices.Clone(x.keyQIs), c.j)
		clear(ids)
		for _, r := range rows {
			if key := keyOf(keys, r); ids[key] == 0 {
				ids[key] = int32(len(ids)) + 1
				if len(ids) > limit {
					break
				}
			}
		}
		if len(ids) > limit {
			break
		}
		x.keyQIs = keys
	}
	clear(ids)
	for i := range x.at {
		x.at[i] = -1
	}
	for _, r := range rows {
		k := keyOf(x.keyQIs, r)
		b, ok := ids[k]
		if !ok {
			b = int32(len(x.rows))
			ids[k] = b
			key := make([]int32, len(x.keyQIs))
			for i, j := range x.keyQIs {
				key[i] = e.code[j][r]
			}
			x.key = append(x.key, key)
			x.rows = append(x.rows, nil)
		}
		x.of[r], x.at[r] = b, int32(len(x.rows[b]))
		x.rows[b] = append(x.rows[b], r)
	}
	x.bonus = make([]float64, len(x.rows))
	x.lb = make([]float64, len(x.rows))
	return x
}

func (x *bucketIndex) codes(r int32) []int32 {
	return x.rc[int(r)*x.e.q : (int(r)+1)*x.e.q]
}

func (x *bucketIndex) free(r int32) bool { return x.at[r] >= 0 }

// take removes r from the free rows.
func (x *bucketIndex) take(r int32) {
	b := x.of[r]
	rs := x.rows[b]
	i, last := x.at[r], rs[len(rs)-1]
	rs[i], x.at[last] = last, i
	x.rows[b], x.at[r] = rs[:len(rs)-1], -1
}

// sortBuckets orders the buckets by the lower bound of widening cells to
// hold one of their rows, less their largest bonus.
func (x *bucketIndex) sortBuckets(t costTable) {
	x.order = x.order[:0]
	for b, key := range x.key {
		s := 0.0
		for i, j := range x.keyQIs {
			s += t[j][key[i]]
		}
		x.lb[b] = s - x.bonus[b]
		x.order = append(x.order, b)
	}
	slices.SortFunc(x.order, func(a, b int) int { return cmpFloat(x.lb[a], x.lb[b]) })
}

// nearest returns the free row that widens the cells t was filled for
// least, less its bonus; among equals the one that waited longest. -1 when
// no row is free.
func (x *bucketIndex) nearest(t costTable, bonus []float64, delay []int) int32 {
	x.sortBuckets(t)
	best, pick := 0.0, int32(-1)
	for _, b := range x.order {
		if pick >= 0 && x.lb[b] > best {
			break
		}
		for _, r := range x.rows[b] {
			if c := t.cost(x.codes(r)) - bonus[r]; pick < 0 || c < best || (c == best && delay[r] > delay[pick]) {
				best, pick = c, r
			}
		}
	}
	return pick
}

// kMember clusters rows into parts of at least k rows. Rows in first (those
// that may wait no longer) seed clusters, the most isolated first, so they
// get the closest company; a companion is the free row that widens the
// cluster least, less its bonus (isolation and delay: see isoWeight). With
// firstOnly clustering stops once every row of first is in a cluster, and
// the rows left out are returned (they may wait); otherwise every row is
// clustered and rest is empty. parts is nil when no cluster can be formed.
func (e *engine) kMember(rows, first []int32, delay []int, firstOnly bool) (parts []part, rest []int32) {
	k := e.model.k
	if len(rows) < k {
		return nil, rows
	}
	x := newBucketIndex(e, rows)
	iso := x.isolation(k)
	bonus := make([]float64, e.n)
	for _, r := range rows {
		bonus[r] = isoWeight*iso[r] + delayWeight*float64(delay[r])
		x.bonus[x.of[r]] = max(x.bonus[x.of[r]], bonus[r])
	}
	isFirst := make([]bool, e.n)
	seeds := make([]int32, 0, len(first))
	for _, r := range first {
		if !isFirst[r] {
			isFirst[r] = true
			seeds = append(seeds, r)
		}
	}
	if !firstOnly {
		for _, r := range rows {
			if !isFirst[r] {
				seeds = append(seeds, r)
			}
		}
	}
	// Most isolated first; the order of rows breaks ties.
	slices.SortStableFunc(seeds, func(a, b int32) int { return -cmpFloat(iso[a], iso[b]) })
	nFree := len(rows)
	cells := make([]cell, e.q)
	tab := e.newCostTable()
	for _, seed := range seeds {
		if nFree < k {
			break
		}
		if !x.free(seed) {
			continue
		}
		x.take(seed)
		members := []int32{seed}
		e.point(cells, seed)
		for len(members) < k {
			e.fill(tab, cells)
			pick := x.nearest(tab, bonus, delay)
			x.take(pick)
			members = append(members, pick)
			for j := range cells {
				cells[j] = e.extend(j, cells[j], pick)
			}
		}
		nFree -= k
		parts = append(parts, part{rows: members, cells: slices.Clone(cells)})
	}
	if len(parts) == 0 {
		return nil, rows
	}
	// Leftovers join the cluster they widen least; with firstOnly only
	// those of first, the others are returned.
	for _, rs := range x.rows {
		for _, r := range rs {
			if firstOnly && !isFirst[r] {
				rest = append(rest, r)
				continue
			}
			best, at := 0.0, -1
			for i, p := range parts {
				d := float64(len(p.rows)+1)*e.addCost(p.cells, r) - float64(len(p.rows))*e.penSum(p.cells)
				if at < 0 || d < best {
					best, at = d, i
				}
			}
			p := &parts[at]
			p.rows = append(p.rows, r)
			for j := range p.cells {
				p.cells[j] = e.extend(j, p.cells[j], r)
			}
		}
	}
	slices.Sort(rest) // the order of rows, whatever the buckets' order
	return parts, rest
}

// isolation returns, per free row, the summed penalty of the smallest class
// of it and its k-1 nearest free rows taken one at a time: the cost of the
// (k-1)th nearest row. A row with k-1 exact duplicates has isolation 0.
func (x *bucketIndex) isolation(k int) []float64 {
	e := x.e
	iso := make([]float64, e.n)
	if k < 2 {
		return iso
	}
	// Bucket-to-bucket lower bounds, and each bucket's others by bound.
	nb := len(x.key)
	lb := make([]float64, nb*nb)
	for a := range nb {
		for b := range nb {
			s := 0.0
			for i, j := range x.keyQIs {
				n := x.key[a][i]
				s += e.penalty(j, e.extendCode(j, cell{n, n}, x.key[b][i]))
			}
			lb[a*nb+b] = s
		}
	}
	order := make([]int, nb)
	near := make([]float64, k-1) // the k-1 smallest costs, ascending
	cells := make([]cell, e.q)
	tab := e.newCostTable()
	for a := range nb {
		for b := range order {
			order[b] = b
		}
		row := lb[a*nb : (a+1)*nb]
		slices.SortStableFunc(order, func(p, q int) int { return cmpFloat(row[p], row[q]) })
		for _, r := range x.rows[a] {
			e.point(cells, r)
			e.fill(tab, cells)
			for i := range near {
				near[i] = math.Inf(1)
			}
			for _, b := range order {
				if row[b] >= near[k-2] {
					break
				}
				for _, o := range x.rows[b] {
					if o == r {
						continue
					}
					d := tab.cost(x.codes(o))
					if d >= near[k-2] {
						continue
					}
					i := k - 2
					for i > 0 && near[i-1] > d {
						near[i] = near[i-1]
						i--
					}
					near[i] = d
				}
			}
			iso[r] = near[k-2]
			if math.IsInf(iso[r], 1) {
				iso[r] = float64(e.q) // fewer than k rows: as isolated as can be
			}
		}
	}
	return iso
}
