package detectors

import (
	"strings"
	"sync"
	"testing"
	"unicode/utf8"
)

var (
	fuzzOnce   sync.Once
	fuzzEngine *Engine
)

func engineForFuzz(t testing.TB) *Engine {
	fuzzOnce.Do(func() {
		e, err := New(Config{
			Deny:   []DenyTerm{{Term: "zebra 9", Type: Location}},
			Allow:  []string{"smith"},
			Custom: []CustomDetector{{Name: "c", Pattern: `[A-Z]{2}\d{3,}`, Validator: "mod97", Context: []string{"ref"}}},
		})
		if err != nil {
			t.Fatal(err)
		}
		fuzzEngine = e
	})
	return fuzzEngine
}

var fuzzSeeds = []string{
	"", " ", "\n\n", "Pt seen by Dr. Alvarez. DOB 3/4/1950. MRN: 1234567.",
	"Name: Delores Ramírez-Ochoa\nDOB: 12-Jan-1948\nSSN: 123-45-6781\nAddress: 221 Maple Ave Apt 3B, Quincy, MA 02169",
	"Card 4111 1111 1111 1111 IBAN DE89 3704 0044 0532 0130 00 VIN 1HGCM82633A004352 DEA AM1234563",
	"ip 2001:db8::1 10.0.0.1 https://x.org/a?b=c jane@x.org (617) 555-0142 x12 +46 (0)8 928 571 38",
	"6750 Koskikatu 25 Apt. 864\nArtilleros\n, CO\n Uruguay 64677", "the 4th of March, March 4th, 2020, 04-Mar-2019",
	"\xff\xfe\x00binary\x80\x81", "漢字 ひらがな 한국어 العربية עברית ไทย 🙂🙂", "e\u0301\u0301\u0301 Zoë O'Neill-Smith",
	"a 92 year old, 101 yo, aged 95", strings.Repeat("1-", 100), "Dr. Dr. Dr. Mr.", "zebra 9 ZEBRA 9",
	"> 846 31 Rue Al Imam Al Bakri\n> Cité El-Farik\n> FORT-DE-FRANCE 53-320\nCyprus (Greek) 51034",
	"USNS Møller\nFPO AA 85844; towed to Los Angeles", strings.Repeat("Los ", 50) + strings.Repeat("Cite ", 50),
}

// FuzzTokenize: tokens are in order, in bounds, non-empty and cover every non-space rune.
func FuzzTokenize(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		toks := tokenize(nil, s)
		prev := 0
		for i, tk := range toks {
			if tk.s < prev || tk.e <= tk.s || tk.e > len(s) {
				t.Fatalf("token %d [%d,%d) out of order or bounds (len %d)", i, tk.s, tk.e, len(s))
			}
			if tk.kind != tPunct && !utf8.ValidString(s[tk.s:tk.e]) {
				t.Fatalf("word token %d is not valid UTF-8", i)
			}
			prev = tk.e
		}
	})
}

// FuzzDetect: no panic; spans sorted, disjoint, in bounds, with known types and
// scores in [0,1]; deterministic.
func FuzzDetect(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e := engineForFuzz(t)
		spans := e.Detect(s)
		checkSpans(t, s, spans)
		again := e.Detect(s)
		if len(again) != len(spans) {
			t.Fatalf("Detect not deterministic: %d vs %d spans", len(spans), len(again))
		}
	})
}

// FuzzValidators: check-digit functions never panic and accept only what they document.
func FuzzValidators(f *testing.F) {
	for _, s := range []string{"4111111111111111", "DE89370400440532013000", "1HGCM82633A004352", "AM1234563", "1234567893", "", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if luhnDigits(s) && strings.Trim(s, "0123456789 -.") != "" {
			t.Fatalf("luhn accepted non-digits")
		}
		if vinValid(s) && len(s) != 17 {
			t.Fatalf("vin accepted length %d", len(s))
		}
		if deaValid(s) && len(s) != 9 {
			t.Fatalf("dea accepted length %d", len(s))
		}
		if npiValid(s) && len(s) != 10 {
			t.Fatalf("npi accepted length %d", len(s))
		}
		_ = ibanValid(s)
	})
}
