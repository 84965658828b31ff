package privacy

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

func TestWindowTopCodedAndUnplaceableAges(t *testing.T) {
	cfg := DefaultConfig()
	cfg.QuasiIdentifiers = []QuasiIdentifier{{Name: "age", Kind: KindNumeric}, {Name: "sex"}}
	cfg.K = 3
	cfg.MaxSuppression = 0.5
	p, err := NewWindowAnonymizer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	var rows [][]string
	for i := range 30 {
		age := fmt.Sprint(60 + i)
		if i >= 25 {
			age = "90+"
		}
		rows = append(rows, []string{age, []string{"F", "M"}[i%2], "note"})
	}
	rows = append(rows, []string{"", "F", "no age"}, []string{"unknown", "M", "bad age"})
	out, err := p.Anonymize([]string{"age", "sex", "note"}, rows)
	if err != nil {
		t.Fatal(err)
	}
	if !out.Suppressed[30] || !out.Suppressed[31] {
		t.Error("rows without a numeric age were not suppressed")
	}
	if out.Summary.AchievedK < 3 {
		t.Errorf("achieved k %d < 3", out.Summary.AchievedK)
	}
	for i := 25; i < 30; i++ {
		if out.Suppressed[i] {
			continue
		}
		if v := out.Rows[i][0]; !strings.HasSuffix(v, "+") {
			t.Errorf("row %d: top-coded age generalized to %q, want the '+' kept", i, v)
		}
	}
	// Classes stay whole: rows sharing a class share one label, '+' or not.
	classes := map[string]int{}
	for i := range 30 {
		if !out.Suppressed[i] {
			classes[out.Rows[i][0]+"|"+out.Rows[i][1]]++
		}
	}
	t.Logf("classes: %v", classes)
	for c, n := range classes {
		if n < 3 {
			t.Errorf("released class %q has %d rows, want >= 3 (labels: %v)", c, n, classes)
		}
	}
}

// A window smaller than k is withheld whole, without an error that would stop the worker.
func TestWindowSmallerThanK(t *testing.T) {
	cfg := DefaultConfig()
	cfg.QuasiIdentifiers = []QuasiIdentifier{{Name: "age", Kind: KindNumeric}, {Name: "sex"}}
	cfg.K = 5
	p, err := NewWindowAnonymizer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	out, err := p.Anonymize([]string{"age", "sex"}, [][]string{{"30", "F"}, {"31", "M"}, {"90+", "F"}})
	if err != nil {
		t.Fatalf("a window of 3 rows at k=5 failed: %v", err)
	}
	for i, s := range out.Suppressed {
		if !s {
			t.Errorf("row %d released from a window smaller than k", i)
		}
	}
}

// Cells that no class can hold (bad date, value outside the hierarchy) suppress their row only.
func TestWindowUnplaceableCellsSuppressTheirRow(t *testing.T) {
	dir := t.TempDir()
	hier := dir + "/h.csv"
	if err := os.WriteFile(hier, []byte("A;AB;*\nB;AB;*\nC;CD;*\nD;CD;*\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := DefaultConfig()
	cfg.QuasiIdentifiers = []QuasiIdentifier{{Name: "d", Kind: KindDate}, {Name: "g", Hierarchy: hier}}
	cfg.K = 2
	cfg.MaxSuppression = 0.5
	p, err := NewWindowAnonymizer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	rows := [][]string{{"2020-01-01", "A"}, {"2020-01-02", "B"}, {"2020-01-03", "C"}, {"2020-01-04", "D"},
		{"not a date", "A"}, {"2020-01-05", "Z"}}
	out, err := p.Anonymize([]string{"d", "g"}, rows)
	if err != nil {
		t.Fatal(err)
	}
	if !out.Suppressed[4] || !out.Suppressed[5] {
		t.Errorf("unplaceable rows released: %v", out.Suppressed)
	}
	if out.Summary.AchievedK < 2 {
		t.Errorf("achieved k %d", out.Summary.AchievedK)
	}
}
