package synth

import (
	"encoding/json"
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzGenerator: for any seed and poison fraction, good records are valid
// JSON whose note equals the gold text and every gold span lies in bounds,
// in order, on a non-blank value.
func FuzzGenerator(f *testing.F) {
	f.Add(uint64(0), 0.0)
	f.Add(uint64(1), 0.01)
	f.Add(uint64(1<<63), 0.5)
	f.Fuzz(func(t *testing.T, seed uint64, poison float64) {
		if poison > 0.05 {
			poison = 0.05 // oversized poison is slow; the mix is tested elsewhere
		}
		g := NewGenerator(Options{Seed: seed, Poison: poison})
		for range 20 {
			rec, gold := g.Next()
			if gold == nil {
				continue
			}
			var m struct {
				Note string `json:"note"`
			}
			if err := json.Unmarshal(rec, &m); err != nil {
				t.Fatalf("record is not JSON: %v", err)
			}
			if m.Note != gold.Text {
				t.Fatal("note differs from gold text")
			}
			runes := []rune(gold.Text)
			prev := 0
			for _, s := range gold.Spans {
				if s.Start < prev || s.End <= s.Start || s.End > len(runes) {
					t.Fatalf("span %+v out of order or bounds", s)
				}
				if strings.TrimSpace(string(runes[s.Start:s.End])) == "" {
					t.Fatalf("span %+v covers only blanks", s)
				}
				prev = s.End
			}
		}
	})
}

// FuzzTextTransforms: abbreviation and misspelling never break UTF-8 and
// change a misspelled text by at most one byte of length.
func FuzzTextTransforms(f *testing.F) {
	for _, s := range []string{"", "The patient complains of pain", "withwith with", "héllo wörld patient", "\xff\xfe", "a"} {
		f.Add(s, uint64(1))
	}
	f.Fuzz(func(t *testing.T, s string, seed uint64) {
		r := rand.New(rand.NewPCG(seed, seed))
		a := abbreviate(s)
		m := misspell(r, s)
		if utf8.ValidString(s) && (!utf8.ValidString(a) || !utf8.ValidString(m)) {
			t.Fatalf("transform broke UTF-8: %q -> %q / %q", s, a, m)
		}
		if d := len(m) - len(s); d < -1 || d > 1 {
			t.Fatalf("misspell changed length by %d", d)
		}
	})
}

// FuzzJSONString: appendJSONString output decodes back to its input.
func FuzzJSONString(f *testing.F) {
	for _, s := range []string{"", "plain", "quote \" and \\ back", "ctl \x00\x01\n\t\r\x1f", "ünï 😀"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			return // generated text is always valid UTF-8
		}
		var got string
		if err := json.Unmarshal(appendJSONString(nil, s), &got); err != nil {
			t.Fatalf("invalid JSON for %q: %v", s, err)
		}
		if got != s {
			t.Fatalf("round trip %q -> %q", s, got)
		}
	})
}
