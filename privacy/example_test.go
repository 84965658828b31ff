package privacy_test

import (
	"fmt"

	"github.com/deidstream/deidstream/privacy"
)

func ExampleAnonymizer_Anonymize() {
	cfg := privacy.DefaultConfig()
	cfg.K, cfg.L = 2, 2
	cfg.QuasiIdentifiers = []privacy.QuasiIdentifier{
		{Name: "age", Kind: privacy.KindNumeric},
		{Name: "diagnosis", Hierarchy: "testdata/clinic_hierarchy_diagnosis.csv"},
	}
	cfg.Sensitive = "outcome"
	a, err := privacy.NewAnonymizer(cfg)
	if err != nil {
		fmt.Println(err)
		return
	}
	in := privacy.Table{Columns: []string{"age", "diagnosis", "outcome"}, Rows: [][]string{
		{"34", "flu", "recovered"}, {"36", "asthma", "admitted"},
		{"61", "angina", "admitted"}, {"64", "arrhythmia", "recovered"},
	}}
	res, err := a.Anonymize(in)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range res.Rows {
		fmt.Println(r)
	}
	m, err := privacy.Verify(in, privacy.Table{Columns: in.Columns, Rows: res.Rows}, cfg)
	fmt.Printf("k=%d l=%g classes=%d ncp=%.3f err=%v\n", m.K, m.L, m.Classes, m.NCP, err)
	// Output:
	// [34-36 respiratory recovered]
	// [34-36 respiratory admitted]
	// [61-64 cardiac admitted]
	// [61-64 cardiac recovered]
	// k=2 l=2 classes=2 ncp=0.292 err=<nil>
}
