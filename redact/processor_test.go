package redact

import (
	"encoding/json"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/deidstream/deidstream/detectors"
)

var noteDetector = fakeDetector{
	"John Smith":       detectors.Name,
	"Smith":            detectors.Name,
	"Mary Jones":       detectors.Name,
	"03/04/2019":       detectors.Date,
	"March 9, 2019":    detectors.Date,
	"555-201-3344":     detectors.Phone,
	"123-45-6789":      detectors.SSN,
	"jsmith@mail.com":  detectors.Email,
	"12 Oak Street":    detectors.Location,
	"Zoë Ærøskøbing":   detectors.Name,
	"MRN 00123456":     detectors.MRN,
	"192.168.10.20":    detectors.IP,
	"4111111111111111": detectors.Account,
}

func newTestProcessor(t testing.TB, edit func(*Config)) *Processor {
	t.Helper()
	c := testConfig()
	if edit != nil {
		edit(&c)
	}
	p, err := NewProcessor(c, noteDetector)
	if err != nil {
		t.Fatalf("NewProcessor: %v", err)
	}
	return p
}

// checkSpans verifies that the spans returned by RedactText cover exactly the
// replacements in out: in bounds, sorted, and equal to want when given.
func checkSpans(t *testing.T, out string, spans []detectors.Span, want []string) {
	t.Helper()
	if !utf8.ValidString(out) {
		t.Fatalf("output is not valid UTF-8: %q", out)
	}
	n := utf8.RuneCountInString(out)
	prev := 0
	var got []string
	for _, s := range spans {
		if s.Start < prev || s.End < s.Start || s.End > n {
			t.Fatalf("span %+v out of order or bounds (len %d)", s, n)
		}
		prev = s.End
		got = append(got, runeSlice(out, s.Start, s.End))
	}
	if want != nil {
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("span texts (-want +got):\n%s", d)
		}
	}
}

func TestRedactTextModes(t *testing.T) {
	p := newTestProcessor(t, nil)
	text := "John Smith (SSN 123-45-6789) seen 03/04/2019; Smith called 555-201-3344. John Smith agreed."
	tests := []struct {
		mode  Mode
		want  string   // exact output, or "" to use match
		match string   // regexp the output must match
		spans []string // text of each output span
	}{
		{mode: ModeDetect, want: text,
			spans: []string{"John Smith", "123-45-6789", "03/04/2019", "Smith", "555-201-3344", "John Smith"}},
		{mode: ModeRedact,
			want:  "[NAME_1] (SSN [SSN_1]) seen [DATE_1]; [NAME_1] called [PHONE_1]. [NAME_1] agreed.",
			spans: []string{"[NAME_1]", "[SSN_1]", "[DATE_1]", "[NAME_1]", "[PHONE_1]", "[NAME_1]"}},
		{mode: ModeReject, // RedactText cannot reject: it redacts
			want: "[NAME_1] (SSN [SSN_1]) seen [DATE_1]; [NAME_1] called [PHONE_1]. [NAME_1] agreed."},
		{mode: ModeHash,
			match: `^\[NAME:[0-9a-f]{16}\] \(SSN \[SSN:[0-9a-f]{16}\]\) seen \[DATE:[0-9a-f]{16}\]; ` +
				`\[NAME:[0-9a-f]{16}\] called \[PHONE:[0-9a-f]{16}\]\. \[NAME:[0-9a-f]{16}\] agreed\.$`},
		{mode: ModeSurrogate,
			match: `^[A-Z][a-z]+ [A-Z][a-zA-Z]+ \(SSN \d{3}-\d{2}-\d{4}\) seen \d{2}/\d{2}/\d{4}; ` +
				`[A-Z][a-zA-Z]+ called [2-9]\d\d-[2-9]\d\d-\d{4}\. [A-Z][a-z]+ [A-Z][a-zA-Z]+ agreed\.$`},
	}
	for _, tc := range tests {
		t.Run(string(tc.mode), func(t *testing.T) {
			out, spans := p.RedactText("p1", text, tc.mode)
			if tc.want != "" && out != tc.want {
				t.Errorf("got  %q\nwant %q", out, tc.want)
			}
			if tc.match != "" && !regexp.MustCompile(tc.match).MatchString(out) {
				t.Errorf("%q does not match %s", out, tc.match)
			}
			if len(spans) != 6 {
				t.Fatalf("%d spans, want 6", len(spans))
			}
			checkSpans(t, out, spans, tc.spans)
			if tc.mode != ModeDetect {
				for _, phi := range []string{"John", "Smith", "123-45-6789", "03/04/2019", "555-201-3344"} {
					if strings.Contains(out, phi) {
						t.Errorf("output still contains %q: %q", phi, out)
					}
				}
			}
		})
	}
}

func TestRedactNumbering(t *testing.T) {
	p, err := NewProcessor(testConfig(), fakeDetector{
		"Dr. Mary Jones": detectors.Name, "Mary Jones MD": detectors.Name, "Dr. Jones": detectors.Name,
		"John Smith": detectors.Name, "Anna Smith": detectors.Name, "SMITH": detectors.Name,
		"3/4/2019": detectors.Date, "March 4, 2019": detectors.Date, "March 5, 2019": detectors.Date,
	})
	if err != nil {
		t.Fatal(err)
	}
	text := "Dr. Mary Jones saw John Smith on 3/4/2019. Anna Smith called Dr. Jones on March 4, 2019; " +
		"SMITH seen March 5, 2019. Signed Mary Jones MD"
	want := "[NAME_1] saw [NAME_2] on [DATE_1]. [NAME_3] called [NAME_1] on [DATE_1]; " +
		"[NAME_2] seen [DATE_2]. Signed [NAME_1]"
	if out, _ := p.RedactText("p", text, ModeRedact); out != want {
		t.Errorf("got  %q\nwant %q", out, want)
	}
}

func TestRedactTextConfiguredModes(t *testing.T) {
	p := newTestProcessor(t, func(c *Config) {
		c.DefaultMode = ModeDetect
		c.Modes = map[detectors.Type]Mode{detectors.SSN: ModeRedact, detectors.Phone: ModeHash}
	})
	out, _ := p.RedactText("p1", "Smith: 123-45-6789, 555-201-3344", "")
	if !regexp.MustCompile(`^Smith: \[SSN_1\], \[PHONE:[0-9a-f]{16}\]$`).MatchString(out) {
		t.Errorf("per-type modes not applied: %q", out)
	}
}

func TestSurrogateConsistency(t *testing.T) {
	p := newTestProcessor(t, nil)
	text := "John Smith called; Smith again; 123-45-6789 and 123-45-6789."
	a1, _ := p.RedactText("patient-A", text, ModeSurrogate)
	a2, _ := p.RedactText("patient-A", text, ModeSurrogate)
	b, _ := p.RedactText("patient-B", text, ModeSurrogate)
	if a1 != a2 {
		t.Errorf("same patient, same text, different surrogates:\n%q\n%q", a1, a2)
	}
	if a1 == b {
		t.Errorf("different patients got the same surrogates: %q", a1)
	}
	// "Smith" alone takes the surname of "John Smith".
	words := strings.Fields(a1)
	surname := words[1]
	if !strings.Contains(a1, "; "+surname+" again") {
		t.Errorf("surname %q of the full name not reused for the lone surname: %q", surname, a1)
	}
	// Another secret gives other surrogates.
	c := testConfig()
	c.Secret = strings.Repeat("x", 40)
	q, err := NewProcessor(c, noteDetector)
	if err != nil {
		t.Fatal(err)
	}
	if other, _ := q.RedactText("patient-A", text, ModeSurrogate); other == a1 {
		t.Errorf("a different secret produced the same surrogates: %q", other)
	}
}

func TestSurrogateShapes(t *testing.T) {
	p := newTestProcessor(t, nil)
	tests := []struct {
		typ   detectors.Type
		in    string
		match string
	}{
		{detectors.Name, "John Smith", `^[A-Z][a-z]+ [A-Z][a-zA-Z]+$`},
		{detectors.Name, "SMITH, JOHN", `^[A-Z]+, [A-Z]+$`},
		{detectors.Name, "Ludwig van der Berg", `^[A-Z][a-z]+ van der [A-Z][a-zA-Z]+$`},
		{detectors.Name, "Dr. J. Smith", `^Dr\. [A-Z]\. [A-Z][a-zA-Z]+$`},
		{detectors.Phone, "(555) 201-3344", `^\([2-9]\d\d\) [2-9]\d\d-\d{4}$`},
		{detectors.Phone, "+1 555 201 3344", `^\+1 [2-9]\d\d [2-9]\d\d \d{4}$`},
		{detectors.Fax, "555.201.3344", `^[2-9]\d\d\.[2-9]\d\d\.\d{4}$`},
		{detectors.SSN, "123-45-6789", `^\d{3}-\d{2}-\d{4}$`},
		{detectors.Email, "jsmith@mail.com", `^[a-z]+\.[a-z]+@example\.(com|org|net)$`},
		{detectors.URL, "https://www.smithfamily.org/p/12", `^https://www\.example\.(com|org|net)/[a-z]/\d\d$`},
		{detectors.IP, "192.168.10.20", `^(192\.0\.2|198\.51\.100|203\.0\.113)\.\d+$`},
		{detectors.IP, "fe80::1ff:fe23:4567:890a", `^2001:db8::[0-9a-f]+:[0-9a-f]+:[0-9a-f]+$`},
		{detectors.Location, "12 Oak Street, Apt 4", `^\d\d [A-Z][a-z]+ Street, Apt \d$`},
		{detectors.Location, "12 Oak Street, Boston MA 02134", `^\d\d [A-Z][a-z]+ Street, [A-Z][a-z]+( [A-Z][a-z]+)? MA \d{5}$`},
		{detectors.Location, "Boston", `^[A-Z][a-z]+( [A-Z][a-z]+)?$`},
		{detectors.Location, "Mercy General Hospital", `^[A-Z][a-z]+( [A-Z][a-z]+)? General Hospital$`},
		{detectors.Location, "02134", `^\d{5}$`},
		{detectors.MRN, "AB-00123456", `^[A-Z]{2}-\d{8}$`},
		{detectors.Vehicle, "1HGCM82633A004352", `^\d[A-HJ-NPR-Z]{4}\d{5}[A-HJ-NPR-Z]\d{6}$`},
		{detectors.Age, "92", `^90$`},
		{detectors.Age, "92-year-old", `^90-year-old$`},
		{detectors.Date, "March 4th", `^[A-Z][a-z]+ \d{1,2}(st|nd|rd|th)$`},
		{detectors.Date, "Christmas Day", `^\[DATE\]$`},
		{detectors.Date, "spring of 19", `^spring of \d\d$`}, // unreadable form: only its numbers change
	}
	for _, tc := range tests {
		got := p.sur.surrogate("p1", tc.typ, tc.in, 17)
		if !regexp.MustCompile(tc.match).MatchString(got) {
			t.Errorf("surrogate(%s, %q) = %q, want to match %s", tc.typ, tc.in, got, tc.match)
		}
		if got == tc.in {
			t.Errorf("surrogate(%s, %q) returned the input", tc.typ, tc.in)
		}
	}
}

func TestSurrogateSSNAndCardRules(t *testing.T) {
	p := newTestProcessor(t, nil)
	for _, v := range []string{"123-45-6789", "987654321", "078-05-1120"} {
		for _, patient := range []string{"a", "b", "c", "d", "e", "f"} {
			d := digitsOf(p.sur.surrogate(patient, detectors.SSN, v, 0))
			area, group, serial := string(d[:3]), string(d[3:5]), string(d[5:])
			if area == "000" || area == "666" || area >= "900" || group == "00" || serial == "0000" {
				t.Errorf("SSN surrogate %s breaks the SSA rules", d)
			}
		}
	}
	card := p.sur.surrogate("p1", detectors.Account, "4111 1111 1111 1111", 0)
	if d := digitsOf(card); len(d) != 16 || !luhnValid(d) || card == "4111 1111 1111 1111" {
		t.Errorf("card surrogate %q is not a different Luhn-valid 16-digit number", card)
	}
}

func TestRedactTextUTF8(t *testing.T) {
	p := newTestProcessor(t, nil)
	text := "患者 Zoë Ærøskøbing 🙂 vu le 03/04/2019 — appeler 555-201-3344 ✓"
	for _, m := range []Mode{ModeDetect, ModeRedact, ModeSurrogate, ModeHash} {
		out, spans := p.RedactText("p", text, m)
		if len(spans) != 3 {
			t.Fatalf("%s: %d spans, want 3", m, len(spans))
		}
		checkSpans(t, out, spans, nil)
		if !strings.HasPrefix(out, "患者 ") || !strings.HasSuffix(out, " ✓") || !strings.Contains(out, " 🙂 vu le ") {
			t.Errorf("%s: text around the spans changed: %q", m, out)
		}
		if m == ModeDetect && out != text {
			t.Errorf("detect changed the text: %q", out)
		}
		if m == ModeRedact && out != "患者 [NAME_1] 🙂 vu le [DATE_1] — appeler [PHONE_1] ✓" {
			t.Errorf("redact: %q", out)
		}
	}
	// Invalid UTF-8 in, valid UTF-8 out.
	out, _ := p.RedactText("another patient", "ok \xff\xfe Smith", ModeRedact)
	if !utf8.ValidString(out) || !strings.HasSuffix(out, "[NAME_1]") {
		t.Errorf("invalid input: %q", out)
	}
}

func TestCleanSpans(t *testing.T) {
	bad := []detectors.Span{{Start: 5, End: 9}, {Start: -1, End: 2}, {Start: 0, End: 3}, {Start: 2, End: 6},
		{Start: 8, End: 100}, {Start: 4, End: 4}, {Start: 9, End: 10}}
	got := cleanSpans(bad, 10)
	want := []detectors.Span{{Start: 0, End: 3}, {Start: 5, End: 9}, {Start: 9, End: 10}}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("cleanSpans (-want +got):\n%s", d)
	}
}

// policyConfig is the policy of the design brief, with shifted dates (not Safe Harbor).
func policyConfig(c *Config) {
	c.Method = MethodDateShifting
	c.Fields = []FieldPolicy{
		{Name: "patient_id", Action: ActionHash},
		{Name: "note", Action: ActionScan},
		{Name: "history", Action: ActionScan},
		{Name: "birth_date", Action: ActionDateYear},
		{Name: "admit_date", Action: ActionDateShift},
		{Name: "zip", Action: ActionZip3},
		{Name: "age", Action: ActionAge},
		{Name: "sex", Action: ActionKeep, Values: []string{"F", "M", "X"}},
		{Name: "ssn", Action: ActionDrop},
	}
}

func decode(t testing.TB, s string) map[string]any {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestProcessPolicy(t *testing.T) {
	p := newTestProcessor(t, policyConfig)
	wantCols := []string{"patient_id", "note", "history", "birth_date", "admit_date", "zip", "age", "sex"}
	if d := cmp.Diff(wantCols, p.Columns()); d != "" {
		t.Fatalf("Columns (-want +got):\n%s", d)
	}
	rec := decode(t, `{"patient_id":"P-1","note":"John Smith seen 03/04/2019 by Mary Jones.",
		"history":"Prior visit of John Smith on March 9, 2019; Mary Jones aware.",
		"birth_date":"1950-07-04","admit_date":"2019-03-04","zip":"02134-1234","age":93,"sex":"F",
		"ssn":"123-45-6789","extra":"dropped"}`)
	res, err := p.Process(rec)
	if err != nil || res.Reject != "" {
		t.Fatalf("Process: %v, reject %q", err, res.Reject)
	}
	v := res.Values
	if !regexp.MustCompile(`^[0-9a-f]{32}$`).MatchString(v[0]) {
		t.Errorf("patient_id hash %q", v[0])
	}
	// Numbering is shared by the scanned fields of the record.
	if v[1] != "[NAME_1] seen [DATE_1] by [NAME_2]." {
		t.Errorf("note %q", v[1])
	}
	if v[2] != "Prior visit of [NAME_1] on [DATE_2]; [NAME_2] aware." {
		t.Errorf("history %q", v[2])
	}
	if v[3] != "1950" || v[5] != "021" || v[6] != "90+" || v[7] != "F" {
		t.Errorf("structured values %q", v[3:])
	}
	shift := p.sur.shiftDays("P-1")
	want := time.Date(2019, 3, 4, 0, 0, 0, 0, time.UTC).AddDate(0, 0, shift).Format("2006-01-02")
	if v[4] != want || shift == 0 {
		t.Errorf("admit_date %q, want %q (shift %d)", v[4], want, shift)
	}
	wantCounts := map[detectors.Type]int{detectors.Name: 4, detectors.Date: 2}
	if d := cmp.Diff(wantCounts, res.Counts); d != "" {
		t.Errorf("Counts (-want +got):\n%s", d)
	}
	// The hash of the patient id is stable across records and differs between patients.
	res2, _ := p.Process(decode(t, `{"patient_id":"P-1"}`))
	res3, _ := p.Process(decode(t, `{"patient_id":"P-2"}`))
	if res2.Values[0] != v[0] || res3.Values[0] == v[0] {
		t.Errorf("patient hashes %q %q %q", v[0], res2.Values[0], res3.Values[0])
	}
	if res2.Values[1] != "" || res2.Values[5] != "" {
		t.Errorf("absent fields must be empty: %q", res2.Values)
	}
}

// TestProcessDateShiftAcrossFields checks that the date offset is one per
// patient: intervals between dates of a patient survive, in fields and text.
func TestProcessDateShiftAcrossFields(t *testing.T) {
	p := newTestProcessor(t, func(c *Config) {
		policyConfig(c)
		c.Fields = append(c.Fields, FieldPolicy{Name: "discharge_date", Action: ActionDateShift})
		c.DefaultMode = ModeSurrogate
	})
	for _, pid := range []string{"P-1", "P-2", "P-3"} {
		res, err := p.Process(decode(t, `{"patient_id":"`+pid+`","admit_date":"2019-03-04",
			"discharge_date":"2019-03-19","note":"seen 03/04/2019"}`))
		if err != nil || res.Reject != "" {
			t.Fatal(err, res.Reject)
		}
		cols := p.Columns()
		get := func(name string) string {
			for i, c := range cols {
				if c == name {
					return res.Values[i]
				}
			}
			return ""
		}
		a, _ := time.Parse("2006-01-02", get("admit_date"))
		d, _ := time.Parse("2006-01-02", get("discharge_date"))
		if d.Sub(a) != 15*24*time.Hour || get("admit_date") == "2019-03-04" {
			t.Errorf("%s: admit %s discharge %s: interval not 15 days or not shifted", pid,
				get("admit_date"), get("discharge_date"))
		}
		if want := "seen " + a.Format("01/02/2006"); get("note") != want {
			t.Errorf("%s: note %q, want %q (same offset as the fields)", pid, get("note"), want)
		}
	}
}

func TestProcessFieldActions(t *testing.T) {
	p := newTestProcessor(t, func(c *Config) {
		c.Fields = []FieldPolicy{{Name: "zip", Action: ActionZip3}, {Name: "age", Action: ActionAge},
			{Name: "dob", Action: ActionDateYear}, {Name: "k", Action: ActionKeep, Pattern: `true|[0-9.]+`}}
	})
	tests := []struct {
		rec        string
		want       []string
		wantReject string
	}{
		{`{"zip":"02134"}`, []string{"021", "", "", ""}, ""},
		{`{"zip":2134}`, []string{"021", "", "", ""}, ""}, // a number lost its leading zero
		{`{"zip":"10001-0001"}`, []string{"100", "", "", ""}, ""},
		{`{"zip":"03601"}`, []string{"000", "", "", ""}, ""},
		{`{"zip":"1A345"}`, nil, "field_bad_zip:zip"},
		{`{"zip":123456}`, nil, "field_bad_zip:zip"},
		{`{"age":"89"}`, []string{"", "89", "", ""}, ""},
		{`{"age":89.9}`, []string{"", "89", "", ""}, ""},
		{`{"age":90}`, []string{"", "90+", "", ""}, ""},
		{`{"age":104}`, []string{"", "90+", "", ""}, ""},
		{`{"age":"90+"}`, []string{"", "90+", "", ""}, ""},
		{`{"age":-1}`, nil, "field_bad_age:age"},
		{`{"age":"old"}`, nil, "field_bad_age:age"},
		{`{"dob":"07/04/1950"}`, []string{"", "", "1950", ""}, ""},
		{`{"dob":"July 4th, 1950"}`, []string{"", "", "1950", ""}, ""},
		{`{"dob":"July 4th"}`, nil, "field_bad_date:dob"},
		{`{"dob":"unknown"}`, nil, "field_bad_date:dob"},
		{`{"k":true}`, []string{"", "", "", "true"}, ""},
		{`{"k":12.50}`, []string{"", "", "", "12.50"}, ""},
		{`{"k":null}`, []string{"", "", "", ""}, ""},
		{`{"dob":"","zip":" ","age":""}`, []string{"", "", "", ""}, ""}, // empty is absent, not malformed
		{`{"k":{"a":1}}`, nil, "field_not_scalar:k"},
		{`{"k":[1,2]}`, nil, "field_not_scalar:k"},
	}
	for _, tc := range tests {
		res, err := p.Process(decode(t, tc.rec))
		if err != nil {
			t.Fatalf("%s: %v", tc.rec, err)
		}
		if res.Reject != tc.wantReject || (tc.wantReject == "" && !cmp.Equal(res.Values, tc.want)) {
			t.Errorf("%s: values %q reject %q; want %q reject %q", tc.rec, res.Values, res.Reject, tc.want, tc.wantReject)
		}
		if tc.wantReject != "" && res.Values != nil {
			t.Errorf("%s: rejected record still has values", tc.rec)
		}
	}
}

func TestRestrictedZip3(t *testing.T) {
	restricted := strings.Fields("036 059 063 102 203 556 692 790 821 823 830 831 878 879 884 890 893")
	if len(restricted) != 17 || len(restrictedZip3) != 17 {
		t.Fatalf("want the 17 HHS prefixes, table has %d", len(restrictedZip3))
	}
	for _, z := range restricted {
		if got, _ := zip3(z+"12", false); got != "000" {
			t.Errorf("zip3(%s12) = %q, want 000", z, got)
		}
	}
	for _, z := range []string{"03712", "10012", "55512", "89112", "02134"} {
		if got, _ := zip3(z, false); got != z[:3] {
			t.Errorf("zip3(%s) = %q, want %s", z, got, z[:3])
		}
	}
}

func TestProcessRejects(t *testing.T) {
	tests := []struct {
		name string
		edit func(*Config)
		rec  string
		want string
	}{
		{"type in reject mode", func(c *Config) {
			c.Modes = map[detectors.Type]Mode{detectors.SSN: ModeReject}
		}, `{"note":"John Smith 123-45-6789"}`, "phi_rejected_type:SSN"},
		{"type in reject mode absent", func(c *Config) {
			c.Modes = map[detectors.Type]Mode{detectors.SSN: ModeReject}
		}, `{"note":"John Smith"}`, ""},
		{"scanned number", nil, `{"note":42}`, "field_not_string:note"},
		{"scanned object", nil, `{"note":{"text":"John Smith"}}`, "field_not_string:note"},
		{"reject field present", func(c *Config) {
			c.Fields = append(c.Fields, FieldPolicy{Name: "ssn", Action: ActionReject})
		}, `{"note":"x","ssn":"123-45-6789"}`, "field_rejected:ssn"},
		{"reject field empty", func(c *Config) {
			c.Fields = append(c.Fields, FieldPolicy{Name: "ssn", Action: ActionReject})
		}, `{"note":"x","ssn":""}`, ""},
		{"unexpected field", func(c *Config) { c.DefaultAction = ActionReject },
			`{"note":"x","Jane Doe":"1"}`, "unexpected_field"},
		{"only expected fields", func(c *Config) { c.DefaultAction = ActionReject }, `{"note":"x"}`, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := newTestProcessor(t, func(c *Config) {
				c.Fields = []FieldPolicy{{Name: "note", Action: ActionScan}}
				if tc.edit != nil {
					tc.edit(c)
				}
			})
			res, err := p.Process(decode(t, tc.rec))
			if err != nil || res.Reject != tc.want {
				t.Fatalf("Process = %q, %v; want reject %q", res.Reject, err, tc.want)
			}
			for _, phi := range []string{"John", "123-45-6789", "Jane"} {
				if strings.Contains(res.Reject, phi) {
					t.Errorf("reject reason %q carries content", res.Reject)
				}
			}
		})
	}
}

func TestProcessConcurrent(t *testing.T) {
	p := newTestProcessor(t, func(c *Config) { policyConfig(c); c.DefaultMode = ModeSurrogate })
	rec := decode(t, `{"patient_id":"P-9","note":"John Smith 03/04/2019 555-201-3344 jsmith@mail.com",
		"admit_date":"2019-03-04"}`)
	first, _ := p.Process(rec)
	var wg sync.WaitGroup
	errs := make(chan string, 8)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				res, err := p.Process(rec)
				if err != nil || !cmp.Equal(res.Values, first.Values) {
					errs <- "concurrent Process gave a different result"
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

func TestDateYearAggregatesOldYears(t *testing.T) {
	c := testConfig()
	c.Fields = []FieldPolicy{{Name: "dob", Action: ActionDateYear}}
	clock := func() time.Time { return time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC) }
	p, err := NewProcessor(c, noteDetector, WithClock(clock))
	if err != nil {
		t.Fatal(err)
	}
	for in, want := range map[string]string{"1930-01-01": "<=1936", "1936-12-31": "<=1936",
		"1937-01-01": "1937", "2001-05-05": "2001"} {
		res, _ := p.Process(map[string]any{"dob": in})
		if res.Reject != "" || res.Values[0] != want {
			t.Errorf("dob %s -> %q (reject %q), want %q", in, res.Values, res.Reject, want)
		}
	}
}

func TestSurrogateNameOptions(t *testing.T) {
	p := newTestProcessor(t, nil)
	female := map[string]bool{}
	for _, n := range defaultFemaleNames {
		female[n] = true
	}
	for _, pid := range []string{"a", "b", "c", "d", "e", "f", "g", "h"} {
		out := p.sur.surrogate(pid, detectors.Name, "Anna Smith", 0)
		if first := strings.Fields(out)[0]; !female[first] {
			t.Errorf("patient %s: surrogate of a female given name is %q", pid, out)
		}
	}
	c := testConfig()
	q, err := NewProcessor(c, noteDetector, WithSurrogateNames([]string{"Alex"}, []string{"Doe"}),
		WithSurrogatePlaces([]string{"Elm"}, []string{"Dover"}))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		typ      detectors.Type
		in, want string
	}{
		{detectors.Name, "John Smith", "Alex Doe"},
		{detectors.Location, "12 Oak Street, Boston", "Elm Street, Dover"},
	}
	for _, tc := range tests {
		if got := q.sur.surrogate("p", tc.typ, tc.in, 0); !strings.HasSuffix(got, tc.want) {
			t.Errorf("surrogate(%q) = %q, want it to end with %q", tc.in, got, tc.want)
		}
	}
}

// TestProcessWithEngine runs the real detection engine on a realistic record:
// the identifiers it finds must not survive in any mode that rewrites text.
func TestProcessWithEngine(t *testing.T) {
	for _, mode := range []Mode{ModeRedact, ModeSurrogate, ModeHash} {
		c := testConfig()
		policyConfig(&c)
		c.DefaultMode = mode
		p, err := NewProcessor(c, realEngine(t))
		if err != nil {
			t.Fatal(err)
		}
		rec := benchRecord()
		res, err := p.Process(rec)
		if err != nil || res.Reject != "" {
			t.Fatalf("%s: %v %q", mode, err, res.Reject)
		}
		note := res.Values[1]
		for _, phi := range []string{"John Smith", "555-201-3344", "anna.smith@mail.com", "00482913", "03/04/1950"} {
			if strings.Contains(note, phi) {
				t.Errorf("%s: %q survived: %s", mode, phi, note)
			}
		}
		if !strings.Contains(note, "community-acquired pneumonia") || !strings.Contains(note, "lisinopril 10 mg daily") {
			t.Errorf("%s: clinical content lost: %s", mode, note)
		}
		if res.Counts[detectors.Name] == 0 || res.Counts[detectors.Date] == 0 {
			t.Errorf("%s: counts %v", mode, res.Counts)
		}
	}
}
