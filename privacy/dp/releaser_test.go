package dp

import (
	"encoding/json"
	"errors"
	"testing"
)

func TestReleaserCommitAbort(t *testing.T) {
	cfg := releaseConfig()
	cfg.Budget, cfg.PerRelease = 1, 0.4
	acct := NewAccountant(cfg)
	r, err := NewReleaser(cfg, acct, WithSource(SeededSource(1)))
	if err != nil {
		t.Fatal(err)
	}
	cols, rows := window()

	w, err := r.Release(cols, rows)
	if err != nil || w.Refused {
		t.Fatalf("first release: %+v, %v", w, err)
	}
	var st Stats
	if err := json.Unmarshal(w.JSON, &st); err != nil || st.Dataset != "adult" {
		t.Fatalf("stats JSON %s: %v", w.JSON, err)
	}
	if string(w.Ledger) != string(acct.State()) || w.Spent != 0.4 {
		t.Errorf("ledger %s, spent %v", w.Ledger, w.Spent)
	}
	r.Commit()

	if _, err := r.Release(cols, rows); err != nil {
		t.Fatal(err)
	}
	r.Abort() // the second window's transaction failed: its charge is forgotten
	if spent, _ := acct.Spent(); spent != 0.4 {
		t.Fatalf("after abort spent %v, want 0.4", spent)
	}

	if w, err = r.Release(cols, rows); err != nil || w.Refused {
		t.Fatalf("retried release: %+v, %v", w, err)
	}
	r.Commit()
	w, err = r.Release(cols, rows)
	if err != nil || !w.Refused || !errors.Is(w.Err, ErrBudgetExceeded) || w.Stats != nil || w.JSON != nil {
		t.Fatalf("release over budget: %+v, %v; want Refused", w, err)
	}
	if string(w.Ledger) != string(acct.State()) || w.Spent != 0.8 {
		t.Errorf("refusal changed the ledger: %s", w.Ledger)
	}
	r.Abort() // nothing pending: no effect
	if spent, _ := acct.Spent(); spent != 0.8 {
		t.Errorf("abort without a pending charge changed spend to %v", spent)
	}
}

func TestNewReleaserRefuses(t *testing.T) {
	cfg := releaseConfig()
	if _, err := NewReleaser(cfg, nil); !errors.Is(err, ErrState) {
		t.Errorf("nil accountant: %v", err)
	}
	bad := cfg
	bad.Budget = -1
	if _, err := NewReleaser(bad, NewAccountant(bad)); !errors.Is(err, ErrInvalidConfig) {
		t.Errorf("invalid config: %v", err)
	}
}
