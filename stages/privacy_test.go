package stages

import (
	"fmt"
	"strings"
	"testing"

	"github.com/deidstream/deidstream/privacy"
)

func TestPrivacyTopCodedAndUnplaceableAges(t *testing.T) {
	cfg := privacy.DefaultConfig()
	cfg.QuasiIdentifiers = []privacy.QuasiIdentifier{{Name: "age", Kind: privacy.KindNumeric}, {Name: "sex"}}
	cfg.K = 3
	cfg.MaxSuppression = 0.5
	anon, err := privacy.NewAnonymizer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	p := Privacy{cfg: cfg, anon: anon}
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
	if out.Achieved.K < 3 {
		t.Errorf("achieved k %d < 3", out.Achieved.K)
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
