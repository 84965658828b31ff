package privacy

// k-member clustering (Byun et al., "Efficient k-Anonymization Using
// Clustering Techniques", 2007), written here from the paper's description:
// Stream uses it to give the rows whose delay expired their closest company
// in the pool of waiting and new rows, which Mondrian, whose cuts must split
// the whole pool, does not do.

// kMemberFits tells whether Stream clusters e's rows that must go now with
// k-member clustering: for k alone. It could enforce distinct l too (adding
// a row never lowers the distinct count), but on the streaming benchmark
// Mondrian over the pool is better there (NCP 0.208 against 0.251).
func (e *engine) kMemberFits() bool {
	return e.model.t == 0 && e.model.l == 0
}

// extend returns cell c of QI j widened to hold row r.
func (e *engine) extend(j int, c cell, r int32) cell {
	v := e.code[j][r]
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

// addCost is the summed penalty of cells widened to hold r.
func (e *engine) addCost(cells []cell, r int32) float64 {
	s := 0.0
	for j, c := range cells {
		s += e.penalty(j, e.extend(j, c, r))
	}
	return s
}

// kMember clusters rows into parts of at least k rows, each meeting the
// model (distinct l). Rows in first (those that may wait no longer) seed
// clusters before the others, the one furthest from the last seed first, so
// the most isolated get the closest company; among equally close companions
// the one that waited longest (largest delay[r]) is taken. With firstOnly
// clustering stops once every row of first is in a cluster, and the rows
// left out are returned (they may wait); otherwise every row is clustered
// and rest is empty. parts is nil when no cluster can be formed.
func (e *engine) kMember(rows, first []int32, delay []int, firstOnly bool) (parts []part, rest []int32) {
	k := e.model.k
	l := 0
	if e.model.l > 0 {
		l = int(e.model.l + 0.999999)
	}
	// free lists the unclustered rows; pos[r] is r's index in it, -1 once taken.
	free := append([]int32(nil), rows...)
	pos := make([]int32, e.n)
	for i := range pos {
		pos[i] = -1
	}
	for i, r := range free {
		pos[r] = int32(i)
	}
	take := func(r int32) {
		i := pos[r]
		lastRow := free[len(free)-1]
		free[i], pos[lastRow] = lastRow, i
		free, pos[r] = free[:len(free)-1], -1
	}
	sensLeft := make([]int, e.m) // free rows per sensitive value
	nDistinct := 0
	for _, r := range rows {
		if sensLeft[e.sens[r]] == 0 {
			nDistinct++
		}
		sensLeft[e.sens[r]]++
	}
	takeSens := func(r int32) {
		take(r)
		if sensLeft[e.sens[r]]--; sensLeft[e.sens[r]] == 0 {
			nDistinct--
		}
	}
	if len(rows) < k || (l > 0 && nDistinct < l) {
		return nil, rows
	}
	isFirst := make([]bool, e.n)
	firstLeft := 0
	for _, r := range first {
		if !isFirst[r] {
			isFirst[r] = true
			firstLeft++
		}
	}
	cells := make([]cell, e.q)
	// furthest returns the row of from furthest from row last (from[0] if last < 0).
	furthest := func(from []int32, last int32) int32 {
		if last < 0 {
			return from[0]
		}
		for j := range cells {
			cells[j] = cell{e.code[j][last], e.code[j][last]}
		}
		best, seed := -1.0, int32(-1)
		for _, r := range from {
			if d := e.addCost(cells, r); d > best {
				best, seed = d, r
			}
		}
		return seed
	}
	var firstFree []int32
	var last int32 = -1
	for len(free) >= k && (l == 0 || nDistinct >= l) && (!firstOnly || firstLeft > 0) {
		var seed int32
		if firstLeft > 0 {
			firstFree = firstFree[:0]
			for _, r := range first {
				if pos[r] >= 0 && isFirst[r] {
					firstFree = append(firstFree, r)
				}
			}
			seed = furthest(firstFree, last)
		} else {
			seed = furthest(free, last)
		}
		last = seed
		takeSens(seed)
		if isFirst[seed] {
			firstLeft--
		}
		members := []int32{seed}
		for j := range cells {
			cells[j] = cell{e.code[j][seed], e.code[j][seed]}
		}
		sensSeen := map[int32]bool{e.sens[seed]: true}
		for len(members) < k || len(sensSeen) < l {
			needNew := l > 0 && k-len(members) <= l-len(sensSeen)
			best, pick := 0.0, int32(-1)
			for _, r := range free {
				if needNew && sensSeen[e.sens[r]] {
					continue
				}
				if c := e.addCost(cells, r); pick < 0 || c < best || (c == best && delay[r] > delay[pick]) {
					best, pick = c, r
				}
			}
			if pick < 0 {
				break
			}
			takeSens(pick)
			if isFirst[pick] {
				firstLeft--
			}
			members = append(members, pick)
			sensSeen[e.sens[pick]] = true
			for j := range cells {
				cells[j] = e.extend(j, cells[j], pick)
			}
		}
		if len(members) < k || len(sensSeen) < l {
			// Could not complete: give its rows back to the leftovers.
			for _, r := range members {
				pos[r] = int32(len(free))
				free = append(free, r)
				if isFirst[r] {
					firstLeft++
				}
			}
			break
		}
		parts = append(parts, part{rows: members, cells: append([]cell(nil), cells...)})
	}
	if len(parts) == 0 {
		return nil, rows
	}
	// Leftovers join the cluster they widen least; with firstOnly only
	// those of first, the others are returned.
	for _, r := range free {
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
	return parts, rest
}
