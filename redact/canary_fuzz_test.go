package redact

import (
	"strings"
	"testing"
)

// FuzzCanaryFind: Find never panics, and a canary hashed from its own words
// is found in any text it is written into, whatever surrounds it.
func FuzzCanaryFind(f *testing.F) {
	for _, s := range [][2]string{
		{"Zeb Quixby", "Visitor: zeb  QUIXBY."},
		{"MRN 99887766", "chart mrn-99887766 reviewed"},
		{"ß straße", "STRASSE ß Straße"},
		{"a", ""},
		{"x y z w", "\xff\xfe x-y_z w"},
	} {
		f.Add(s[0], s[1])
	}
	cfg := DefaultConfig()
	cfg.Secret = strings.Repeat("ab", 32)
	h, err := NewCanaryHasher(cfg)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, canary, text string) {
		h.Find(text, map[string]bool{})
		sum, err := h.Hash(canary)
		if err != nil {
			return // no word, or too many
		}
		// The canary between separators, as words of its own.
		if n := h.Find(text+" "+strings.Join(CanaryWords(canary), " ")+" "+text, map[string]bool{sum: true}); n < 1 {
			t.Fatalf("canary %q not found once written into %q", canary, text)
		}
	})
}
