package privacy

import (
	"fmt"
	"slices"
	"testing"
)

// Local search keeps every row exactly once, every part within the models
// and its cells its rows' extent, and lowers the summed penalty of
// Mondrian's partition of a 4,000-row pool (what a pooled release at delay 3
// anonymizes) by a clear margin: searched whole, and in runs of 1,000 rows
// (as a larger pool is).
func TestImproveLowersCostKeepingModels(t *testing.T) {
	for _, runRows := range []int{improveRunRows, 1000} {
		t.Run(fmt.Sprintf("runs of %d rows", runRows), func(t *testing.T) {
			e, opts := diversityEngine(t, 4000)
			order := make([]int32, e.n)
			for i := range order {
				order[i] = int32(i)
			}
			parts, _, err := e.partitionRows(order, opts)
			if err != nil {
				t.Fatal(err)
			}
			for i := range parts {
				parts[i].cells = make([]cell, e.q)
				e.summarize(parts[i].rows, parts[i].cells)
			}
			before := e.cost(parts...)
			var want []int32
			for _, p := range parts {
				want = append(want, p.rows...)
			}
			slices.Sort(want)

			parts = e.improve(parts, order, opts, runRows)

			checkParts(t, e, parts)
			var got []int32
			for _, p := range parts {
				got = append(got, p.rows...)
			}
			slices.Sort(got)
			if !slices.Equal(got, want) {
				t.Fatalf("improve changed the rows: %d rows in, %d out", len(want), len(got))
			}
			after := e.cost(parts...)
			t.Logf("summed penalty %.1f -> %.1f", before, after)
			if after > 0.95*before {
				t.Errorf("summed penalty %.1f -> %.1f: want at least 5 %% lower", before, after)
			}
		})
	}
}

// lineEngine is an engine over one numeric QI with values 0..9 (code =
// value), two sensitive values and k=2, distinct l=2.
func lineEngine(ages, sens []int32) *engine {
	vals := make([]float64, 10)
	for i := range vals {
		vals[i] = float64(i)
	}
	return &engine{
		n: len(ages), q: 1, kind: []string{KindNumeric},
		code: [][]int32{ages}, vals: [][]float64{vals}, span: []float64{9},
		sens: sens, m: 2,
		model: newPredicate([]Model{kAnonymity{2}, lDiversity{kind: LDistinct, l: 2}}),
	}
}

// A row that alone widens its class moves to a class whose extent already
// holds it, unless its class would lose the models without it.
func TestMoveRows(t *testing.T) {
	for _, tc := range []struct {
		name   string
		sens   []int32 // of rows 0..4: ages 0, 0, 9 (class a), 8, 9 (class b)
		aAfter []int32
	}{
		{"moves", []int32{0, 1, 0, 0, 1}, []int32{0, 1}},
		{"a would lose l", []int32{0, 0, 1, 0, 1}, []int32{0, 1, 2}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := lineEngine([]int32{0, 0, 9, 8, 9}, tc.sens)
			parts := []part{{rows: []int32{0, 1, 2}}, {rows: []int32{3, 4}}}
			for i := range parts {
				parts[i].cells = make([]cell, 1)
				e.summarize(parts[i].rows, parts[i].cells)
			}
			before := e.cost(parts...)
			e.moveRows(parts)
			checkParts(t, e, parts)
			if !slices.Equal(parts[0].rows, tc.aAfter) {
				t.Errorf("class a holds rows %v, want %v", parts[0].rows, tc.aAfter)
			}
			if after := e.cost(parts...); after > before+1e-9 {
				t.Errorf("summed penalty rose: %.3f -> %.3f", before, after)
			}
		})
	}
}

// local_search: on tightens a whole table's classes (and the release still
// verifies); off keeps a pooled stream release as Mondrian cut it, so auto
// (the default) does better there.
func TestLocalSearchSetting(t *testing.T) {
	tab, qis := loadAdult(t)
	tab.Rows = tab.Rows[:4000]
	cfg := DefaultConfig()
	cfg.QuasiIdentifiers, cfg.Sensitive, cfg.L = qis, "salary-class", 2
	ncp := func(cfg Config) float64 {
		t.Helper()
		a, err := NewAnonymizer(cfg)
		if err != nil {
			t.Fatal(err)
		}
		res, err := a.Anonymize(tab)
		if err != nil {
			t.Fatal(err)
		}
		m, err := Verify(tab, Table{Columns: tab.Columns, Rows: res.Rows}, cfg)
		if err != nil {
			t.Fatalf("local_search %q: release does not verify: %v", cfg.LocalSearch, err)
		}
		return m.NCP
	}
	on := cfg
	on.LocalSearch = LocalSearchOn
	if before, after := ncp(cfg), ncp(on); after > 0.95*before {
		t.Errorf("whole table: NCP %.4f by default, %.4f with local_search on: want at least 5 %% lower", before, after)
	}

	streamNCP := func(search string) float64 {
		t.Helper()
		c := cfg
		c.LocalSearch = search
		sc := StreamConfig{MaxDelay: 3}
		var sum float64
		var n int
		for _, res := range runStream(t, c, sc, tab, 500) {
			sum += res.Metrics.NCP * float64(len(res.Released))
			n += len(res.Released)
		}
		return sum / float64(n)
	}
	if auto, off := streamNCP(LocalSearchAuto), streamNCP(LocalSearchOff); auto > 0.95*off {
		t.Errorf("pooled stream: NCP %.4f with local_search off, %.4f with auto: want auto at least 5 %% lower", off, auto)
	}
}
