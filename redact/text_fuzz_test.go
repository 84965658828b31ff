package redact

import (
	"encoding/json"
	"regexp"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/deidstream/deidstream/detectors"
)

// spanDetector returns whatever spans it holds, valid or not, to prove the
// transform survives a faulty detector.
type spanDetector []detectors.Span

func (s spanDetector) Detect(string) []detectors.Span { return s }

var fuzzModes = []Mode{ModeDetect, ModeRedact, ModeSurrogate, ModeHash, ModeReject, ""}

func checkRedactOutput(t *testing.T, in, out string, spans []detectors.Span, mode Mode) {
	t.Helper()
	if !utf8.ValidString(out) {
		t.Fatalf("output not valid UTF-8: %q", out)
	}
	n, prev := utf8.RuneCountInString(out), 0
	for _, s := range spans {
		if s.Start < prev || s.End < s.Start || s.End > n {
			t.Fatalf("span %+v out of order or bounds (output length %d)", s, n)
		}
		prev = s.End
	}
	if mode == ModeDetect && out != strings.ToValidUTF8(in, "\uFFFD") {
		t.Fatalf("detect mode changed the text: %q -> %q", in, out)
	}
}

func FuzzRedactText(f *testing.F) {
	f.Add("John Smith seen 03/04/2019", 0, 10, 16, 26, uint8(2))
	f.Add("患者 Zoë 🙂 555-201-3344", 3, 6, 9, 21, uint8(1))
	f.Add("\xff\xfe bad bytes", -3, 2, 1, 400, uint8(3))
	f.Add("", 0, 0, 0, 1, uint8(0))
	f.Fuzz(func(t *testing.T, text string, a, b, c, d int, m uint8) {
		types := detectors.AllTypes
		det := spanDetector{
			{Start: a, End: b, Type: types[uint(a)%uint(len(types))], Score: 1},
			{Start: c, End: d, Type: types[uint(c)%uint(len(types))], Score: 1},
		}
		p, err := NewProcessor(testConfig(), det)
		if err != nil {
			t.Fatal(err)
		}
		mode := fuzzModes[int(m)%len(fuzzModes)]
		out, spans := p.RedactText("patient", text, mode)
		checkRedactOutput(t, text, out, spans, mode)
	})
}

var (
	engineOnce sync.Once
	engine     *detectors.Engine
	engineErr  error
)

func realEngine(t testing.TB) *detectors.Engine {
	engineOnce.Do(func() { engine, engineErr = detectors.New(detectors.DefaultConfig()) })
	if engineErr != nil {
		t.Fatalf("building the detection engine: %v", engineErr)
	}
	return engine
}

// FuzzRedactTextEngine runs the real detection engine under every mode.
func FuzzRedactTextEngine(f *testing.F) {
	for _, s := range []string{
		"Pt John Smith (MRN 00123456), DOB 03/04/1950, seen by Dr. Mary Jones on March 9th.",
		"Call 555-201-3344 or jsmith@mail.com; lives at 12 Oak Street, Boston MA 02134.",
		"SSN 123-45-6789, card 4111 1111 1111 1111, IP 192.168.10.20, 94 year old male.",
		"患者 Zoë Ærøskøbing 🙂 vu le 03/04/2019",
	} {
		f.Add(s, uint8(2))
	}
	f.Fuzz(func(t *testing.T, text string, m uint8) {
		p, err := NewProcessor(testConfig(), realEngine(t))
		if err != nil {
			t.Fatal(err)
		}
		mode := fuzzModes[int(m)%len(fuzzModes)]
		out, spans := p.RedactText("patient", text, mode)
		checkRedactOutput(t, text, out, spans, mode)
	})
}

// FuzzSurrogate drives every type's surrogate with arbitrary values: no
// panic, valid UTF-8 out for valid UTF-8 in, and the same output twice.
func FuzzSurrogate(f *testing.F) {
	for _, s := range []string{"John Smith", "O'Neil-Smith, Mary", "555-201-3344", "a@b", "http://x/y?z=1",
		"fe80::1", "12 Oak St, Boston MA 02134", "4111 1111 1111 1111", "3rd of March", "", "١٢٣", "ǅemal"} {
		f.Add(s, uint8(0))
	}
	p, err := NewProcessor(testConfig(), fakeDetector{})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, value string, ti uint8) {
		typ := detectors.AllTypes[int(ti)%len(detectors.AllTypes)]
		out := p.sur.surrogate("patient", typ, value, 42)
		if utf8.ValidString(value) && !utf8.ValidString(out) {
			t.Fatalf("surrogate(%s, %q) = %q: not valid UTF-8", typ, value, out)
		}
		if again := p.sur.surrogate("patient", typ, value, 42); again != out {
			t.Fatalf("surrogate(%s, %q) not deterministic: %q then %q", typ, value, out, again)
		}
	})
}

// FuzzProcess feeds arbitrary JSON records through the brief's policy: no
// panic, values aligned with the columns and valid UTF-8, and a reject reason
// that is one of the documented codes with a configured field name.
func FuzzProcess(f *testing.F) {
	for _, s := range []string{
		`{"patient_id":"P1","note":"John Smith 03/04/2019","birth_date":"1950-07-04","zip":"02134","age":93}`,
		`{"note":42}`, `{"zip":[1]}`, `{"admit_date":"the 4th of March"}`, `{"age":"1e400"}`, `{}`,
	} {
		f.Add(s)
	}
	p, err := NewProcessor(func() Config { c := testConfig(); policyConfig(&c); return c }(), noteDetector)
	if err != nil {
		f.Fatal(err)
	}
	reason := regexp.MustCompile(`^(field_not_string|field_not_scalar|field_bad_date|field_bad_zip|field_bad_age|` +
		`phi_rejected_type|field_rejected|field_invalid|field_phi):[a-z_A-Z]+$|^unexpected_field$`)
	f.Fuzz(func(t *testing.T, raw string) {
		dec := json.NewDecoder(strings.NewReader(raw))
		dec.UseNumber()
		var rec map[string]any
		if dec.Decode(&rec) != nil {
			return
		}
		res, err := p.Process(rec)
		if err != nil {
			t.Fatalf("Process: %v", err)
		}
		if res.Reject != "" {
			if !reason.MatchString(res.Reject) {
				t.Fatalf("reject reason %q is not a documented code", res.Reject)
			}
			return
		}
		if len(res.Values) != len(p.Columns()) {
			t.Fatalf("%d values for %d columns", len(res.Values), len(p.Columns()))
		}
		for i, v := range res.Values {
			if !utf8.ValidString(v) {
				t.Fatalf("column %s: invalid UTF-8", p.Columns()[i])
			}
		}
	})
}
