package detectors

import (
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

func newEngine(t testing.TB, cfg Config) *Engine {
	t.Helper()
	e, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return e
}

// found returns the detected substrings with their types.
func found(e *Engine, text string) map[string]Type {
	out := map[string]Type{}
	runes := []rune(text)
	for _, s := range e.Detect(text) {
		out[string(runes[s.Start:s.End])] = s.Type
	}
	return out
}

// wantFound fails t for every case {text, want} whose want Detect does not report as typ.
func wantFound(t *testing.T, e *Engine, typ Type, cases ...[2]string) {
	t.Helper()
	for _, c := range cases {
		if got := found(e, c[0]); got[c[1]] != typ {
			t.Errorf("%q: %q not %s (found %v)", c[0], c[1], typ, got)
		}
	}
}

// wantNoSpan fails t for every span Detect reports in texts that bad holds of, saying why.
func wantNoSpan(t *testing.T, e *Engine, why string, bad func(Span) bool, texts ...string) {
	t.Helper()
	for _, text := range texts {
		for _, s := range e.Detect(text) {
			if bad(s) {
				t.Errorf("Detect(%q) = %v: %s", text, s, why)
			}
		}
	}
}

// covered reports whether every rune of want (first occurrence in text) lies in some span.
func covered(spans []Span, text, want string) bool {
	bi := strings.Index(text, want)
	if bi < 0 {
		return false
	}
	start := utf8.RuneCountInString(text[:bi])
	end := start + utf8.RuneCountInString(want)
	for p := start; p < end; p++ {
		in := false
		for _, s := range spans {
			if s.Start <= p && p < s.End {
				in = true
				break
			}
		}
		if !in {
			return false
		}
	}
	return true
}

func TestDetectFindsEachType(t *testing.T) {
	e := newEngine(t, DefaultConfig())
	tests := []struct {
		name, text, want string
		typ              Type
	}{
		{"name after title", "Pt seen by Dr. Alvarez today.", "Alvarez", Name},
		{"first last", "Patient: John Whitfield presented with pain.", "John Whitfield", Name},
		{"last, first", "Jones, Robert was admitted.", "Jones, Robert", Name},
		{"upper-case note", "PT SEEN BY DR. PATEL ON 3/14. DENIES FEVER.", "PATEL", Name},
		{"relative", "Her son Will visits daily.", "Will", Name},
		{"credential after", "Attending: Karen Liu, MD", "Karen Liu", Name},
		{"unicode name", "Kriszti\u00e1n Sz\u00f6ll\u00f6sy listed his top songs.", "Kriszti\u00e1n Sz\u00f6ll\u00f6sy", Name},
		{"numeric date", "DOB 3/4/1950.", "3/4/1950", Date},
		{"iso date", "Progress note 2019-08-23", "2019-08-23", Date},
		{"month day", "admitted June 3rd for CHF", "June 3rd", Date},
		{"day month year", "DOB: 12-Jan-1948", "12-Jan-1948", Date},
		{"the nth of month", "updated on the 4th of March.", "the 4th of March", Date},
		{"age over 89", "a 92 year old woman", "92", Age},
		{"age hyphenated", "a 94-year-old female", "94", Age},
		{"mrn", "MRN: 1234567.", "1234567", MRN},
		{"mrn alnum", "MRN: A0091827.", "A0091827", MRN},
		{"phone nanp", "Call (617) 555-0142 with questions.", "(617) 555-0142", Phone},
		{"phone dots", "reach him at 508.555.0178 today", "508.555.0178", Phone},
		{"fax", "Fax records to 508-555-0100.", "508-555-0100", Fax},
		{"email", "Email: dramirez48@gmail.com", "dramirez48@gmail.com", Email},
		{"ssn", "SSN: 123-45-6781", "123-45-6781", SSN},
		{"card", "Card on file 4111 1111 1111 1111.", "4111 1111 1111 1111", Account},
		{"iban", "IBAN DE89 3704 0044 0532 0130 00.", "DE89 3704 0044 0532 0130 00", Account},
		{"account label", "billing acct ACC-00123987.", "ACC-00123987", Account},
		{"member id", "BCBS member ID XKB884120031", "XKB884120031", HealthPlan},
		{"dea", "DEA AM1234563 on file", "AM1234563", License},
		{"vin", "VIN 1HGCM82633A004352, GCS 15", "1HGCM82633A004352", Vehicle},
		{"plate", "plate 7ABC123. GCS 15", "7ABC123", Vehicle},
		{"biometric", "fingerprint template FP-88213-A stored", "FP-88213-A", Biometric},
		{"serial", "Pacemaker serial PM7734921X.", "PM7734921X", Device},
		{"url", "see https://portal.example-health.org/u/4411.", "https://portal.example-health.org/u/4411", URL},
		{"ipv4", "login from 10.24.118.7 today", "10.24.118.7", IP},
		{"ipv6", "from 2001:db8::8a2e:370:7334 today", "2001:db8::8a2e:370:7334", IP},
		{"street", "lives at 14 Elm Street, Dorchester, MA 02124.", "14 Elm Street", Location},
		{"city state", "lives at 14 Elm Street, Dorchester, MA 02124.", "Dorchester", Location},
		{"zip", "lives at 14 Elm Street, Dorchester, MA 02124.", "02124", Location},
		{"lives in", "Lives in Springfield with her daughter.", "Springfield", Location},
		{"facility", "transferred from Mercy General Hospital on April 11.", "Mercy General Hospital", Location},
		{"unit", "221 Maple Ave Apt 3B", "221 Maple Ave Apt 3B", Location},
		{"foreign street", "6750 Koskikatu 25 Apt. 864", "Koskikatu 25", Location},
		{"po box", "Pt lives at P.O. Box 3650\nPittsburgh, PA 15217.", "P.O. Box 3650", Location},
		{"pager", "reach me on pager #4471 tonight", "4471", Phone},
		{"month year", "Encounter date: 01/2017", "01/2017", Date},
		{"age in words", "a ninety-seven y/o woman", "ninety-seven", Age},
		{"caseless note", "pt seen by dr lopez today. son mark called. lives in worcester with wife.", "lopez", Name},
		{"caseless facility", "he was admitted to simmons regional medical center for ams and dehydration.", "simmons regional medical center", Location},
		{"signature", "Thank you.\nMiller, Lucas MD", "Miller, Lucas", Name},
		{"accented capitals", "RE: CÔTÉ, ANDRÉ\nDOB 3/4/1950", "CÔTÉ", Name},
		{"apostrophe name", "Ms. O'Connor-Smith, a 93-year-old woman", "O'Connor-Smith", Name},
		{"grouped record number", "Hospital No. 33-44-55.", "33-44-55", MRN},
		{"upper-case facility", "TRANSFER TO CHILDREN'S UNIVERSITY MEDICAL CENTER WHEN BED AVAILABLE", "UNIVERSITY MEDICAL CENTER", Location},
		{"medicare id", "Medicare #1EG4-TE5-MK73 on file", "1EG4-TE5-MK73", HealthPlan},
		{"intersection", "He lives at the corner of Elm St. and Maple Avenue in town.", "corner of Elm St. and Maple Avenue", Location},
		{"polish street", "drops you off at 9383 ul. Chrzanowska 61", "9383 ul. Chrzanowska 61", Location},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			spans := e.Detect(tc.text)
			if !covered(spans, tc.text, tc.want) {
				t.Fatalf("Detect(%q) = %v: %q not covered", tc.text, spans, tc.want)
			}
		})
	}
}

func TestDetectLeavesOrdinaryTextAlone(t *testing.T) {
	e := newEngine(t, DefaultConfig())
	for _, text := range []string{
		"Patient was seen for routine follow-up. No acute issues. Blood pressure well controlled on lisinopril.",
		"BP 142/88 HR 76 T 98.6 SpO2 97% RA. Metoprolol 25 mg PO BID. Take 1/2 tab daily.",
		"67 yo M with hx of CAD, HTN, DM2 presents with chest pain x 2 days. A1c 8.1.",
		"Former smoker, quit in 1999. Parkinson disease stable. Foley catheter removed.",
		"Pain 7/10, strength 4/5, recheck INR in AM. Glasgow Coma Scale 15. Independent in ADLs.",
		"Dx: cellulitis (L03.115). Degenerative changes at L4-L5. HFrEF stable. SpO2 97%.",
		"Vehicle: 2014 sedan. Recheck labs in AM. Cheyne-Stokes breathing. Jackson-Pratt drain in place.",
		"",
	} {
		if got := e.Detect(text); len(got) != 0 {
			t.Errorf("Detect(%q) = %v, want no spans", text, got)
		}
	}
}

func TestDetectSpansSortedDisjointInBounds(t *testing.T) {
	e := newEngine(t, DefaultConfig())
	text := "Dr. Ana Ruíz 🙂 saw Mr. José Núñez (MRN 4412890) on 3/4/2020 at 14 Elm St, Quincy, MA 02169; call 617-555-0142."
	spans := e.Detect(text)
	if len(spans) < 5 {
		t.Fatalf("got %d spans, want at least 5: %v", len(spans), spans)
	}
	checkSpans(t, text, spans)
	if got := found(e, text)["José Núñez"]; got != Name && !covered(spans, text, "José Núñez") {
		t.Errorf("José Núñez not found as a name: %v", spans)
	}
}

func checkSpans(t testing.TB, text string, spans []Span) {
	t.Helper()
	n := utf8.RuneCountInString(text)
	for i, s := range spans {
		if s.Start < 0 || s.End > n || s.Start >= s.End {
			t.Fatalf("span %d %+v out of bounds (text has %d runes)", i, s, n)
		}
		if i > 0 && s.Start < spans[i-1].End {
			t.Fatalf("span %d %+v overlaps or precedes %+v", i, s, spans[i-1])
		}
		if s.Score < 0 || s.Score > 1 {
			t.Fatalf("span %d score %v outside [0,1]", i, s.Score)
		}
		if typeIdx(s.Type) < 0 {
			t.Fatalf("span %d has unknown type %q", i, s.Type)
		}
	}
}

func TestConfigControls(t *testing.T) {
	text := "Pt seen by Dr. Alvarez. MRN: 1234567. Ward code ZEBRA-9. Ref QQ-12345-ZZ."
	tests := []struct {
		name string
		cfg  Config
		want map[string]Type
	}{
		{"defaults", DefaultConfig(), map[string]Type{"Alvarez": Name, "1234567": MRN, "QQ-12345-ZZ": ID}},
		{"disabled", Config{Disabled: []Type{MRN, ID}}, map[string]Type{"Alvarez": Name}},
		{"threshold", Config{Thresholds: map[Type]float64{Name: 1}}, map[string]Type{"1234567": MRN, "QQ-12345-ZZ": ID}},
		{"allow", Config{Allow: []string{"alvarez"}}, map[string]Type{"1234567": MRN, "QQ-12345-ZZ": ID}},
		{"deny", Config{Deny: []DenyTerm{{Term: "zebra-9", Type: Location}}},
			map[string]Type{"Alvarez": Name, "1234567": MRN, "ZEBRA-9": Location, "QQ-12345-ZZ": ID}},
		{"custom", Config{Custom: []CustomDetector{{Name: "ref", Type: License, Pattern: `QQ-\d{5}-ZZ`, Context: []string{"ref"}, Score: 0.95}}},
			map[string]Type{"Alvarez": Name, "1234567": MRN, "QQ-12345-ZZ": License}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := found(newEngine(t, tc.cfg), text)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("spans (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCustomValidatorAndContext(t *testing.T) {
	cfg := Config{Disabled: []Type{ID}, Custom: []CustomDetector{
		{Name: "card", Type: Account, Pattern: `\b\d{16}\b`, Validator: "luhn", Score: 0.9},
		{Name: "badge", Type: License, Pattern: `\bB\d{4}\b`, Context: []string{"badge"}, ContextWindow: 2, Score: 0.8},
	}}
	e := newEngine(t, cfg)
	got := found(e, "pay 4111111111111112 or 4111111111111111; badge B1234 and B5678")
	want := map[string]Type{"4111111111111111": Account, "B1234": License}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("spans (-want +got):\n%s", diff)
	}
}

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		want error
	}{
		{"default ok", DefaultConfig(), nil},
		{"zero ok", Config{}, nil},
		{"bad type threshold", Config{Thresholds: map[Type]float64{"NAMES": 0.5}}, ErrUnknownType},
		{"threshold range", Config{Thresholds: map[Type]float64{Name: 1.5}}, ErrBadThreshold},
		{"disabled type", Config{Disabled: []Type{"PET"}}, ErrUnknownType},
		{"empty allow", Config{Allow: []string{" "}}, ErrBadTerm},
		{"empty deny", Config{Deny: []DenyTerm{{Type: Name}}}, ErrBadTerm},
		{"deny type", Config{Deny: []DenyTerm{{Term: "x", Type: "Y"}}}, ErrUnknownType},
		{"custom no name", Config{Custom: []CustomDetector{{Pattern: "x"}}}, ErrBadCustom},
		{"custom bad re", Config{Custom: []CustomDetector{{Name: "a", Pattern: "(x"}}}, ErrBadPattern},
		{"custom empty re", Config{Custom: []CustomDetector{{Name: "a"}}}, ErrBadPattern},
		{"custom validator", Config{Custom: []CustomDetector{{Name: "a", Pattern: "x", Validator: "crc"}}}, ErrUnknownValidator},
		{"custom score", Config{Custom: []CustomDetector{{Name: "a", Pattern: "x", Score: 2}}}, ErrBadCustom},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.cfg.Validate()
			if !errors.Is(err, tc.want) {
				t.Fatalf("Validate() = %v, want %v", err, tc.want)
			}
			if _, nerr := New(tc.cfg); !errors.Is(nerr, tc.want) {
				t.Fatalf("New() = %v, want %v", nerr, tc.want)
			}
		})
	}
}

func TestDetectConcurrent(t *testing.T) {
	e := newEngine(t, DefaultConfig())
	text := "Pt seen by Dr. Alvarez. DOB 3/4/1950. MRN: 1234567. Lives in Springfield. Call 617-555-0142."
	want := e.Detect(text)
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				if got := e.Detect(text); !cmp.Equal(got, want) {
					t.Errorf("concurrent Detect differs: %v vs %v", got, want)
					return
				}
			}
		}()
	}
	wg.Wait()
}

func TestDetectLargeInputIsLinear(t *testing.T) {
	if testing.Short() {
		t.Skip("large input")
	}
	e := newEngine(t, DefaultConfig())
	unit := "Pt seen by Dr. Alvarez on 3/4/2020, MRN 1234567, lives at 14 Elm St, Quincy, MA 02169. " +
		"Nothing else of note; BP 120/80. 555 123 4567 x12 ---...///((( 1.2.3.4.5.6.7.8.9 ééé 漢字 "
	// Linear, not fast: 10 MB as one text against the same bytes as ten 1 MB texts, timed one after
	// the other. Quadratic would be 10x; linear measures about 2x (ten times the memory: a cold
	// cache and bigger slices to grow). A round within 6x ends it, at most three, so a loaded
	// machine, other tests running beside it or the race detector does not fail it.
	small := strings.Repeat(unit, (1<<20)/len(unit)+1)
	text := strings.Repeat(small, 10)
	var spans []Span
	var whole, parts time.Duration
	for round := 0; round < 3; round++ {
		start := time.Now()
		spans = e.Detect(text)
		whole = time.Since(start)
		start = time.Now()
		for range 10 {
			e.Detect(small)
		}
		if parts = time.Since(start); whole < 6*parts {
			break
		}
	}
	if whole >= 6*parts {
		t.Fatalf("10 MB as one text took %v, as ten texts %v: not linear", whole, parts)
	}
	checkSpans(t, text, spans)
	one := parts / 10
	// Pathological shapes: one huge token, endless digits and separators.
	for _, s := range []string{strings.Repeat("a", 1<<20), strings.Repeat("1-", 1<<19), strings.Repeat("A1 ", 1<<18),
		strings.Repeat(". ", 1<<19), strings.Repeat("Dr. ", 1<<18)} {
		start := time.Now()
		checkSpans(t, s, e.Detect(s))
		if el := time.Since(start); el > 30*one+time.Second {
			t.Fatalf("pathological input of %d bytes took %v (1 MB of text: %v)", len(s), el, one)
		}
	}
}

func TestMaxTextBytes(t *testing.T) {
	e, err := New(DefaultConfig(), WithMaxTextBytes(10))
	if err != nil {
		t.Fatal(err)
	}
	text := "héllo wörld and Dr. Alvarez"
	spans := e.Detect(text)
	if len(spans) == 0 {
		t.Fatal("no spans")
	}
	last := spans[len(spans)-1]
	if last.End != utf8.RuneCountInString(text) || last.Type != ID {
		t.Fatalf("tail not covered as ID: %v", spans)
	}
	checkSpans(t, text, spans)
}

func TestCountsAndSpecs(t *testing.T) {
	c := CountSpans([]Span{{Type: Name}, {Type: Name}, {Type: Date}})
	c.Add(Counts{Date: 2, MRN: 1})
	if diff := cmp.Diff(Counts{Name: 2, Date: 3, MRN: 1}, c); diff != "" {
		t.Errorf("counts (-want +got):\n%s", diff)
	}
	if c.Total() != 6 {
		t.Errorf("Total = %d, want 6", c.Total())
	}
	specs := Specs()
	seen := map[Type]bool{}
	names := map[string]bool{}
	for _, s := range specs {
		if s.Name == "" || s.Description == "" {
			t.Errorf("spec %+v lacks a name or description", s)
		}
		if names[s.Name] {
			t.Errorf("spec name %q twice", s.Name)
		}
		names[s.Name] = true
		if len(s.Types) < len(AllTypes) {
			for _, ty := range s.Types {
				seen[ty] = true
			}
		}
	}
	for _, ty := range AllTypes {
		if !seen[ty] {
			t.Errorf("no built-in detector reports %s", ty)
		}
	}
}

func TestDetectHoldoutForms(t *testing.T) {
	e := newEngine(t, DefaultConfig())
	for _, tc := range []struct {
		text, want string
		typ        Type
	}{
		{"Her son William \"Will\" Dubois called re: discharge.", "William \"Will\" Dubois", Name},
		{"Last INR 2.4 on Tuesday the 12th, 3.6 on Feb 26th.", "Tuesday the 12th", Date},
		{"She plans a trip home to see her mother in May.", "May", Date},
		{"Her husband Cecil drives her; he turned 90 in January.", "90", Age},
		{"She can be contacted on 07700 900461.", "07700 900461", Phone},
		{"Participant ID: HFS-017-0342   Randomization no.: R-2281", "2281", ID},
	} {
		spans := e.Detect(tc.text)
		if !covered(spans, tc.text, tc.want) {
			t.Errorf("Detect(%q) = %v, want %q covered", tc.text, spans, tc.want)
		}
	}
}

// With every type disabled Detect reports nothing (and scans nothing); one type on reports again.
func TestEveryTypeDisabled(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Disabled = slices.Clone(AllTypes)
	text := "Patient John Smith, SSN 123-45-6789, seen 3/14/2021 at Mercy Hospital."
	if got := newEngine(t, cfg).Detect(text); len(got) != 0 {
		t.Errorf("every type disabled: %v, want nothing", got)
	}
	cfg.Disabled = slices.DeleteFunc(slices.Clone(AllTypes), func(t Type) bool { return t == SSN })
	if got := newEngine(t, cfg).Detect(text); len(got) != 1 || got[0].Type != SSN {
		t.Errorf("only SSN on: %v, want the SSN", got)
	}
}
