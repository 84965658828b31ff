package privacy

import (
	"errors"
	"math"
	"slices"
	"strings"
	"testing"
)

// TestWindowStreamRulesAndRestore: unplaceable rows are suppressed in their
// own window, top-coded ages keep their "+" after waiting, the carry state
// comes back through Restore (as it would from the state topic) and every
// row ends in exactly one release, each of which VerifyRelease accepts.
func TestWindowStreamRulesAndRestore(t *testing.T) {
	cfg := DefaultConfig()
	cfg.QuasiIdentifiers = []QuasiIdentifier{{Name: "age", Kind: KindNumeric}, {Name: "sex"}}
	cfg.K = 3
	cfg.Carry = StreamConfig{MaxDelay: 2}
	cols := []string{"age", "sex", "note"}
	ws, err := NewWindowStream(cfg)
	if err != nil {
		t.Fatal(err)
	}
	id := uint64(0)
	row := func(age, sex string) StreamRow {
		id++
		return StreamRow{ID: id, Row: []string{age, sex, "n"}}
	}
	seen := map[uint64]int{}
	account := func(res StreamWindow) {
		for _, r := range slices.Concat(res.Released, res.Suppressed) {
			seen[r.ID]++
		}
		rel := Table{Columns: cols}
		for _, r := range res.Released {
			rel.Rows = append(rel.Rows, r.Row)
		}
		if _, err := VerifyRelease(rel, cfg); err != nil {
			t.Errorf("release does not verify: %v", err)
		}
	}
	// Window 1: two top-coded rows alone (no class of 3), one unplaceable.
	first := []StreamRow{row("90+", "F"), row("90+", "F"), row("", "M")}
	res, err := ws.Window(cols, first)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Suppressed) != 1 || res.Suppressed[0].ID != 3 || res.Suppressed[0].Delay != 0 || res.CarriedOut != 2 {
		t.Fatalf("window 1: suppressed %v, carried out %d; want row 3 suppressed, 2 carried", res.Suppressed, res.CarriedOut)
	}
	ws.Abort() // consumed again: the same outcome, nothing carried twice
	if res, err = ws.Window(cols, first); err != nil || res.CarriedOut != 2 {
		t.Fatalf("window 1 again: %v, carried out %d", err, res.CarriedOut)
	}
	ws.Commit()
	account(res)
	state := ws.Carried()
	for _, r := range state {
		if r.Row[0] != "90+" {
			t.Errorf("carried row keeps age %q, want the top-coded 90+ as given", r.Row[0])
		}
	}
	// A restart: a new stream restores the state; one more top-coded row makes a class of 3.
	ws2, err := NewWindowStream(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ws2.Restore(cols, state)
	if res, err = ws2.Window(cols, []StreamRow{row("90+", "F")}); err != nil {
		t.Fatal(err)
	}
	ws2.Commit()
	account(res)
	if len(res.Released) != 3 || res.CarriedIn != 2 || res.CarriedOut != 0 {
		t.Fatalf("after restore: released %d, carried in %d, out %d; want 3, 2, 0", len(res.Released), res.CarriedIn, res.CarriedOut)
	}
	for _, r := range res.Released {
		if !strings.HasSuffix(r.Row[0], "+") {
			t.Errorf("released age %q lost its '+'", r.Row[0])
		}
	}
	// State kept under other columns no longer fits: suppressed by the next window, counted.
	ws3, _ := NewWindowStream(cfg)
	ws3.Restore([]string{"age", "sex", "other"}, state)
	if res, err = ws3.Window(cols, nil); err != nil || len(res.Suppressed) != 2 || res.CarriedIn != 2 || res.Suppressed[0].Delay != state[0].Delay+1 {
		t.Fatalf("state under other columns: %v, suppressed %v; want both suppressed, one window older", err, res.Suppressed)
	}
	for i := uint64(1); i <= 4; i++ {
		if seen[i] != 1 {
			t.Errorf("row %d in %d releases, want 1", i, seen[i])
		}
	}
}

func TestVerifyRelease(t *testing.T) {
	cfg := DefaultConfig()
	cfg.QuasiIdentifiers = []QuasiIdentifier{{Name: "age", Kind: KindNumeric}}
	cfg.K, cfg.L, cfg.Sensitive = 2, 2, "dx"
	tab := func(rows ...string) Table {
		t := Table{Columns: []string{"age", "dx"}}
		for _, r := range rows {
			a, d, _ := strings.Cut(r, ",")
			t.Rows = append(t.Rows, []string{a, d})
		}
		return t
	}
	if m, err := VerifyRelease(tab("30-39,a", "30-39,b", "*,a"), cfg); err != nil || m.K != 2 || m.L != 2 || m.Classes != 1 || m.Suppressed != 1 {
		t.Errorf("good release: %+v, %v", m, err)
	}
	for _, tc := range []struct {
		rows []string
		want error
	}{
		{[]string{"30-39,a", "30-39,b", "40-49,a"}, ErrKAnonymity},
		{[]string{"30-39,a", "30-39,a"}, ErrLDiversity},
	} {
		if _, err := VerifyRelease(tab(tc.rows...), cfg); !errors.Is(err, tc.want) {
			t.Errorf("%v: %v, want %v", tc.rows, err, tc.want)
		}
	}
	// A row a reader decoded short is an error, not a panic; a sensitive
	// column is needed only by a model that reads it.
	short := tab("30-39,a", "30-39,b")
	short.Rows[1] = short.Rows[1][:1]
	if _, err := VerifyRelease(short, cfg); !errors.Is(err, ErrNotGeneralized) {
		t.Errorf("short row: %v, want %v", err, ErrNotGeneralized)
	}
	noDx := Table{Columns: []string{"age"}, Rows: [][]string{{"30-39"}, {"30-39"}}}
	if _, err := VerifyRelease(noDx, cfg); !errors.Is(err, ErrMissingColumn) {
		t.Errorf("l=2 without the sensitive column: %v, want %v", err, ErrMissingColumn)
	}
	kOnly := cfg
	kOnly.L = 0
	if m, err := VerifyRelease(noDx, kOnly); err != nil || m.K != 2 {
		t.Errorf("k alone without the sensitive column: %+v, %v", m, err)
	}

	// Every kind of model is checked from the release alone. Entropy l=2
	// needs two equally frequent values: 3 a and 1 b is not enough.
	skewed := tab("30-39,a", "30-39,a", "30-39,a", "30-39,b", "40-49,a", "40-49,b")
	ent := cfg
	ent.LKind = LEntropy
	if m, err := VerifyRelease(skewed, ent); !errors.Is(err, ErrLDiversity) || m.L >= 2 {
		t.Errorf("entropy l=2 on a 3:1 class: %+v, %v, want %v", m, err, ErrLDiversity)
	}
	// t-closeness measures against the release's own distribution (4 a, 2 b
	// here): the 30-39 class (3:1) is at EMD
	// 1/12 from it, the 40-49 class (1:1) at 1/6.
	tc := cfg
	tc.L, tc.T = 0, 0.1
	m, err := VerifyRelease(skewed, tc)
	if !errors.Is(err, ErrTCloseness) || math.Abs(m.T-1.0/6) > 1e-9 {
		t.Errorf("t=0.1: %+v, %v, want T 1/6 and %v", m, err, ErrTCloseness)
	}
	tc.T = 0.2
	if m, err := VerifyRelease(skewed, tc); err != nil || math.Abs(m.T-1.0/6) > 1e-9 {
		t.Errorf("t=0.2: %+v, %v", m, err)
	}
	// A model given in code is checked, and its figure named: b is 1/3 of
	// the release, 1/2 of the 40-49 class, a gain of 0.5.
	named := cfg
	named.L, named.Models = 0, []Model{betaLikeness{beta: 0.4}}
	if m, err := VerifyRelease(skewed, named); !errors.Is(err, errBetaLikeness) || math.Abs(m.Models["beta_likeness"]-0.5) > 1e-9 {
		t.Errorf("model in code: %+v, %v, want gain 0.5 and %v", m, err, errBetaLikeness)
	}
}
