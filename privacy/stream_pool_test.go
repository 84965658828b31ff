package privacy

import (
	"slices"
	"testing"
)

// diversityEngine encodes the first n Adult rows for k=5, distinct l=2.
func diversityEngine(t *testing.T, n int) (*engine, options) {
	t.Helper()
	tab, qis := loadAdult(t)
	tab.Rows = tab.Rows[:n]
	cfg := DefaultConfig()
	cfg.QuasiIdentifiers, cfg.Sensitive, cfg.K, cfg.L = qis, "salary-class", 5, 2
	a, err := NewAnonymizer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	e, err := a.encode(tab)
	if err != nil {
		t.Fatal(err)
	}
	if !e.model.diversityOnly() {
		t.Fatal("k=5, l=2: diversityOnly is false")
	}
	return e, a.opts
}

// checkParts fails unless every part holds the models and its cells are its
// rows' extent.
func checkParts(t *testing.T, e *engine, parts []part) {
	t.Helper()
	cells := make([]cell, e.q)
	for i, p := range parts {
		h := make([]int32, e.m)
		for _, r := range p.rows {
			h[e.sens[r]]++
		}
		if !e.model.ok(len(p.rows), h) {
			t.Errorf("part %d (%d rows, sensitive counts %v) does not hold k=5, l=2", i, len(p.rows), h)
		}
		e.summarize(p.rows, cells)
		if p.cells != nil && !slices.Equal(cells, p.cells) {
			t.Errorf("part %d: cells %v, its rows' extent is %v", i, p.cells, cells)
		}
	}
}

// Rows Mondrian left out whose delay expired join a class that still holds
// the models; the others stay out (they wait). Mondrian's parts share one
// row array: a join must not overwrite a neighbour's rows.
func TestJoinExpired(t *testing.T) {
	e, opts := diversityEngine(t, 600)
	rows := make([]int32, 500)
	for i := range rows {
		rows[i] = int32(i)
	}
	parts, supp, err := e.partitionRows(rows, opts)
	if err != nil {
		t.Fatal(err)
	}
	var out []int32
	delay := make([]int, e.n)
	for r := int32(500); r < 600; r++ {
		out = append(out, r)
		if r%2 == 0 {
			delay[r] = 2
		}
	}
	supp = append(supp, out)
	before := map[int32]bool{}
	for _, p := range parts {
		for _, r := range p.rows {
			before[r] = true
		}
	}
	left := e.joinExpired(parts, supp, delay, 2)
	seen := map[int32]int{}
	for _, p := range parts {
		for _, r := range p.rows {
			seen[r]++
		}
	}
	for _, rs := range left {
		for _, r := range rs {
			seen[r]++
			if delay[r] < 2 && before[r] {
				t.Errorf("row %d was in a part and is left out", r)
			}
		}
	}
	joined := 0
	for r := range int32(600) {
		if seen[r] != 1 {
			t.Fatalf("row %d is in %d places, want 1", r, seen[r])
		}
	}
	for _, rs := range left {
		for _, r := range rs {
			if delay[r] >= 2 {
				t.Errorf("expired row %d left out (a part that holds with it exists for every row here)", r)
			}
		}
	}
	for r := int32(500); r < 600; r += 2 {
		if !before[r] {
			joined++
		}
	}
	if joined != 50 {
		t.Fatalf("%d expired rows joined, want 50", joined)
	}
	checkParts(t, e, parts)
	if got := e.joinExpired(nil, left, delay, 2); len(got) != len(left) {
		t.Errorf("no parts: supp changed")
	}
}

// holdScarce takes out the rows of the scarce value a part does not need,
// the most recent first, never an expired one, never below k or l, and at
// most limit rows.
func TestHoldScarce(t *testing.T) {
	e, _ := diversityEngine(t, 400)
	cnt := make([]int, e.m)
	for _, s := range e.sens {
		cnt[s]++
	}
	rare := int32(0)
	if cnt[1] < cnt[0] {
		rare = 1
	}
	var rs, cs []int32
	for r := range int32(e.n) {
		if e.sens[r] == rare {
			rs = append(rs, r)
		} else {
			cs = append(cs, r)
		}
	}
	delay := make([]int, e.n)
	build := func() []part {
		return []part{
			// 4 common, 3 scarce (delays 1, 0, 0): two may go, the two of delay 0.
			{rows: []int32{cs[0], cs[1], cs[2], cs[3], rs[0], rs[1], rs[2]}},
			// 5 rows with 2 scarce: holding one would break k.
			{rows: []int32{cs[4], cs[5], cs[6], rs[3], rs[4]}},
			// 4 common, 2 scarce, both expired: they must go.
			{rows: []int32{cs[7], cs[8], cs[9], cs[10], rs[5], rs[6]}},
			// 8 common, 1 scarce: needed for l.
			{rows: []int32{cs[11], cs[12], cs[13], cs[14], cs[15], cs[16], cs[17], cs[18], rs[7]}},
		}
	}
	delay[rs[0]], delay[rs[5]], delay[rs[6]] = 1, 2, 2
	parts, held := e.holdScarce(build(), delay, 2, 100)
	slices.Sort(held)
	want := []int32{rs[1], rs[2]}
	slices.Sort(want)
	if !slices.Equal(held, want) {
		t.Fatalf("held %v, want %v (the scarce rows of delay 0 the first part can spare)", held, want)
	}
	if len(parts[0].rows) != 5 || slices.Contains(parts[0].rows, rs[1]) || slices.Contains(parts[0].rows, rs[2]) {
		t.Errorf("first part is %v after holding", parts[0].rows)
	}
	for i, n := range []int{5, 5, 6, 9} {
		if len(parts[i].rows) != n {
			t.Errorf("part %d has %d rows, want %d", i, len(parts[i].rows), n)
		}
	}
	checkParts(t, e, parts)
	if _, held := e.holdScarce(build(), delay, 2, 1); len(held) != 1 {
		t.Errorf("limit 1: held %d rows", len(held))
	}
}
