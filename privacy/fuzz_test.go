package privacy

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

// FuzzReadCSV: the reader never panics, and what it reads writes back to a
// table that reads the same.
func FuzzReadCSV(f *testing.F) {
	f.Add("a;b\n1;2\n", ";")
	f.Add("\ufeffage,sex\n\"3,4\",F\n", ",")
	f.Add("x\n\"unterminated\n", ";")
	f.Fuzz(func(t *testing.T, in, sep string) {
		tab, err := ReadCSV(strings.NewReader(in), sep)
		if err != nil {
			if !errors.Is(err, ErrCSV) {
				t.Fatalf("error without ErrCSV: %v", err)
			}
			return
		}
		var buf bytes.Buffer
		if err := WriteCSV(&buf, tab, sep); err != nil {
			return // e.g. a header cell the writer cannot express
		}
		back, err := ReadCSV(&buf, sep)
		if err != nil {
			t.Fatalf("re-reading written table: %v", err)
		}
		if len(back.Rows) != len(tab.Rows) {
			t.Fatalf("round trip: %d rows, want %d", len(back.Rows), len(tab.Rows))
		}
	})
}

// FuzzAnonymize builds a small table from the input bytes and checks the
// release with the independent verifier.
func FuzzAnonymize(f *testing.F) {
	f.Add([]byte("\x10\x20\x30\x41\x52\x63\x74\x85\x96\xa7\xb8\xc9\xda\xeb\xfc\x0d"), uint8(2), uint8(0))
	f.Add([]byte("aaaaaaaaaaaaaaaabbbbbbbbbbbbbbbbcccccccc"), uint8(3), uint8(1))
	f.Add([]byte("\x00\xff\x00\xff\x01\xfe\x02\xfd\x03\xfc"), uint8(1), uint8(2))
	dx := []string{"flu", "asthma", "copd", "angina", "arrhythmia"}
	f.Fuzz(func(t *testing.T, data []byte, k, model uint8) {
		if len(data) > 600 {
			data = data[:600]
		}
		tab := Table{Columns: []string{"age", "dx", "site", "outcome"}}
		for i := 0; i+1 < len(data); i += 2 {
			a, b := data[i], data[i+1]
			tab.Rows = append(tab.Rows, []string{
				strings.Repeat("1", 1) + string(rune('0'+a%10)) + string(rune('0'+(a/10)%10)),
				dx[b%5], string(rune('A' + (b/5)%4)), string(rune('x' + (a^b)%3)),
			})
		}
		cfg := DefaultConfig()
		cfg.QuasiIdentifiers = []QuasiIdentifier{{Name: "age", Kind: KindNumeric},
			{Name: "dx", Hierarchy: "testdata/clinic_hierarchy_diagnosis.csv"}, {Name: "site"}}
		cfg.Sensitive = "outcome"
		cfg.K = int(k%6) + 1
		switch model % 4 {
		case 1:
			cfg.L = 2
		case 2:
			cfg.T = 0.3
		case 3:
			cfg.L, cfg.LKind = 1.4, LEntropy
		}
		a, err := NewAnonymizer(cfg)
		if err != nil {
			t.Fatal(err)
		}
		res, err := a.Anonymize(tab)
		if errors.Is(err, ErrUnsatisfiable) {
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Verify(tab, Table{Columns: tab.Columns, Rows: res.Rows}, cfg); err != nil {
			t.Fatalf("release fails verification: %v", err)
		}
	})
}
