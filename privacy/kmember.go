package privacy

// k-member clustering (Byun et al., "Efficient k-Anonymization Using
// Clustering Techniques", 2007), written here from the paper's description:
// on the few thousand rows of a stream window it finds tighter classes than
// Mondrian, whose cuts must split the whole table. Stream uses it for k
// alone. It can enforce distinct l-diversity too (adding a row never lowers
// distinct l), but on the streaming benchmark Mondrian with carry-over is
// better there (NCP 0.214 against 0.222), so l and t keep Mondrian.

// kMemberFits tells whether k-member clustering can enforce e's model.
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
// model (distinct l). Rows in first (e.g. those that may wait no longer)
// seed clusters before the others, so they get the tightest company. It
// returns nil when the rows as a whole cannot meet the model.
func (e *engine) kMember(rows []int32, first []int32) []part {
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
		return nil
	}
	var parts []part
	cells := make([]cell, e.q)
	nextFirst := 0
	var last int32 = -1
	for len(free) >= k && (l == 0 || nDistinct >= l) {
		// Seed: a row that must go now, else the free row furthest from the last seed.
		seed := int32(-1)
		for nextFirst < len(first) && seed < 0 {
			if pos[first[nextFirst]] >= 0 {
				seed = first[nextFirst]
			}
			nextFirst++
		}
		if seed < 0 {
			best := -1.0
			for _, r := range free {
				if last < 0 {
					seed = r
					break
				}
				for j := range cells {
					cells[j] = cell{e.code[j][last], e.code[j][last]}
				}
				if d := e.addCost(cells, r); d > best {
					best, seed = d, r
				}
			}
		}
		last = seed
		takeSens(seed)
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
				if c := e.addCost(cells, r); pick < 0 || c < best {
					best, pick = c, r
				}
			}
			if pick < 0 {
				break
			}
			takeSens(pick)
			members = append(members, pick)
			sensSeen[e.sens[pick]] = true
			for j := range cells {
				cells[j] = e.extend(j, cells[j], pick)
			}
		}
		parts = append(parts, part{rows: members, cells: append([]cell(nil), cells...)})
		if len(members) < k || len(sensSeen) < l {
			// Could not complete: give its rows back to the leftovers.
			parts = parts[:len(parts)-1]
			for _, r := range members {
				pos[r] = int32(len(free))
				free = append(free, r)
			}
			break
		}
	}
	// Leftovers join the cluster they widen least.
	for _, r := range free {
		best, at := 0.0, -1
		for i, p := range parts {
			d := float64(len(p.rows)+1)*e.addCost(p.cells, r) - float64(len(p.rows))*e.penSum(p.cells)
			if at < 0 || d < best {
				best, at = d, i
			}
		}
		if at < 0 {
			return nil
		}
		p := &parts[at]
		p.rows = append(p.rows, r)
		for j := range p.cells {
			p.cells[j] = e.extend(j, p.cells[j], r)
		}
	}
	return parts
}
