package synth

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

var canonicalTypes = map[string]bool{"NAME": true, "LOCATION": true, "DATE": true, "AGE": true,
	"PHONE": true, "FAX": true, "EMAIL": true, "SSN": true, "MRN": true, "HEALTH_PLAN": true,
	"ACCOUNT": true, "LICENSE": true, "VEHICLE": true, "DEVICE": true, "URL": true, "IP": true,
	"BIOMETRIC": true, "ID": true}

func TestDeterminism(t *testing.T) {
	tests := []struct {
		name     string
		a, b     Options
		wantSame bool
	}{
		{"same seed", Options{Seed: 42}, Options{Seed: 42}, true},
		{"same seed with poison", Options{Seed: 42, Poison: 0.2}, Options{Seed: 42, Poison: 0.2}, true},
		{"other seed", Options{Seed: 42}, Options{Seed: 43}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ga, gb := NewGenerator(tt.a), NewGenerator(tt.b)
			same := true
			for i := range 300 {
				ra, gla := ga.Next()
				rb, glb := gb.Next()
				if !bytes.Equal(ra, rb) || (gla == nil) != (glb == nil) {
					same = false
					if tt.wantSame {
						t.Fatalf("record %d differs between equal options", i)
					}
				}
			}
			if same != tt.wantSame {
				t.Fatalf("same = %v, want %v", same, tt.wantSame)
			}
		})
	}
}

// TestGoldOffsetsExact checks every span against the value the builder
// planted, in code points, over many notes of every style.
func TestGoldOffsetsExact(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	g := NewGenerator(Options{Seed: 5})
	var b noteBuilder
	for i := range 3000 {
		p := g.newPatient()
		b.reset(r)
		if own := writeNote(&b, r, &p); own < minOwn || len(b.spans) < minSpans {
			t.Fatalf("note %d: %d identifiers, %d of the patient; want >= %d and >= %d", i, len(b.spans), own, minSpans, minOwn)
		}
		if !utf8.Valid(b.buf) {
			t.Fatalf("note %d is not valid UTF-8", i)
		}
		runes := []rune(string(b.buf))
		if len(b.spans) != len(b.vals) {
			t.Fatalf("note %d: %d spans but %d values", i, len(b.spans), len(b.vals))
		}
		if b.runes != len(runes) {
			t.Fatalf("note %d: builder counted %d runes, text has %d", i, b.runes, len(runes))
		}
		prevEnd := 0
		for j, s := range b.spans {
			if s.Start < prevEnd || s.End <= s.Start || s.End > len(runes) {
				t.Fatalf("note %d span %d %+v out of order or bounds (prev end %d, len %d)", i, j, s, prevEnd, len(runes))
			}
			if got := string(runes[s.Start:s.End]); got != b.vals[j] {
				t.Fatalf("note %d span %d %s: text %q, planted %q", i, j, s.Type, got, b.vals[j])
			}
			if !canonicalTypes[s.Type] {
				t.Fatalf("note %d: non-canonical type %q", i, s.Type)
			}
			prevEnd = s.End
		}
	}
}

func TestRecordFields(t *testing.T) {
	g := NewGenerator(Options{Seed: 9})
	ssnRE := regexp.MustCompile(`^(\d{3})-(\d{2})-(\d{4})$`)
	dateRE := regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
	icdRE := regexp.MustCompile(`^[A-Z]\d{2}(\.[0-9A-Z]{1,4})?$`)
	over89 := 0
	ids := map[string]bool{}
	const n = 2000
	for i := range n {
		rec, gold := g.Next()
		if gold == nil {
			t.Fatalf("record %d: nil gold without poison", i)
		}
		var m map[string]any
		if err := json.Unmarshal(rec, &m); err != nil {
			t.Fatalf("record %d is not JSON: %v", i, err)
		}
		for _, k := range []string{"patient_id", "name", "birth_date", "address", "city", "state", "zip",
			"phone", "email", "ssn", "mrn", "insurance_id", "admission_date", "discharge_date", "sex", "race",
			"diagnosis_code", "note"} {
			if _, ok := m[k].(string); !ok {
				t.Fatalf("record %d: %s is %T, want string", i, k, m[k])
			}
		}
		age, ok := m["age"].(float64)
		if !ok || age != float64(int(age)) {
			t.Fatalf("record %d: age %v is not an integer", i, m["age"])
		}
		if len(m) != 19 {
			t.Fatalf("record %d has %d keys, want 19", i, len(m))
		}
		if m["note"] != gold.Text || m["patient_id"] != gold.ID {
			t.Fatalf("record %d: note or id differ from gold", i)
		}
		if ids[gold.ID] {
			t.Fatalf("record %d: duplicate patient_id", i)
		}
		ids[gold.ID] = true
		for _, k := range []string{"birth_date", "admission_date", "discharge_date"} {
			if !dateRE.MatchString(m[k].(string)) {
				t.Fatalf("record %d: %s not YYYY-MM-DD", i, k)
			}
		}
		birth, _ := time.Parse(time.DateOnly, m["birth_date"].(string))
		admit, _ := time.Parse(time.DateOnly, m["admission_date"].(string))
		disch, _ := time.Parse(time.DateOnly, m["discharge_date"].(string))
		if !disch.After(admit) {
			t.Fatalf("record %d: discharge not after admission", i)
		}
		if got := ageAt(birth, admit); got != int(age) {
			t.Fatalf("record %d: age %v but birth/admission give %d", i, age, got)
		}
		if age > 89 {
			over89++
		}
		sm := ssnRE.FindStringSubmatch(m["ssn"].(string))
		if sm == nil || sm[1] == "000" || sm[1] == "666" || sm[1][0] == '9' || sm[2] == "00" || sm[3] == "0000" {
			t.Fatalf("record %d: invalid SSN shape", i)
		}
		if z := m["zip"].(string); len(z) != 5 || strings.Trim(z, "0123456789") != "" {
			t.Fatalf("record %d: zip not 5 digits", i)
		}
		if !icdRE.MatchString(m["diagnosis_code"].(string)) {
			t.Fatalf("record %d: diagnosis_code %q not ICD-10 shaped", i, m["diagnosis_code"])
		}
		if !strings.Contains(m["email"].(string), "@") {
			t.Fatalf("record %d: email without @", i)
		}
	}
	if over89 < n/50 || over89 > n/8 {
		t.Errorf("%d of %d patients over 89, want roughly 6%%", over89, n)
	}
}

func TestPoisonMix(t *testing.T) {
	tests := []struct {
		frac float64
		n    int
	}{{0, 2000}, {0.01, 4000}, {0.1, 4000}, {1, 200}}
	for _, tt := range tests {
		g := NewGenerator(Options{Seed: 3, Poison: tt.frac})
		n := tt.n
		bad := 0
		checkedBig := false
		for i := range n {
			rec, gold := g.Next()
			if gold != nil {
				continue
			}
			bad++
			if len(rec) > OversizedBytes-1 {
				// Decoding a MiB is slow under -race: check one.
				if !checkedBig && !json.Valid(rec) {
					t.Fatalf("oversized poison %d is not valid JSON", i)
				}
				checkedBig = true
				continue
			}
			var v map[string]any
			err := json.Unmarshal(rec, &v)
			if err != nil && json.Valid(rec) && rec[0] == '[' {
				continue // an array where an object belongs
			}
			switch {
			case !utf8.Valid(rec):
			case err != nil:
			default:
				_, ageNum := v["age"].(float64)
				_, nameStr := v["name"].(string)
				if ageNum && nameStr {
					t.Fatalf("poison record %d is a valid record: not poison", i)
				}
			}
		}
		st := g.Stats()
		if st.Poison != bad || st.Records != n {
			t.Fatalf("stats %+v, counted %d poison of %d", st, bad, n)
		}
		want := tt.frac * float64(n)
		if tol := 4*sqrt(float64(n)*tt.frac*(1-tt.frac)) + 1; float64(bad) < want-tol || float64(bad) > want+tol {
			t.Errorf("poison %v: %d bad records of %d, want about %.0f", tt.frac, bad, n, want)
		}
		if tt.frac == 1 {
			for k, c := range st.PoisonByKind {
				if c == 0 {
					t.Errorf("no poison of kind %s", PoisonKinds[k])
				}
			}
		}
	}
}

func sqrt(x float64) float64 {
	z := x/2 + 1
	for range 30 {
		z = (z + x/z) / 2
	}
	return z
}

// TestVariety guards the generator's generality: all types appear, notes
// come in many shapes, and the hard cases (upper case, word-names, ages
// over 89) are present.
func TestVariety(t *testing.T) {
	g := NewGenerator(Options{Seed: 11})
	types := map[string]int{}
	skeletons := map[string]int{}
	upper, lower, wordNames, oldAges := 0, 0, 0, 0
	words := map[string]bool{}
	for _, w := range append(append(wordFemale, wordMale...), wordSurnames...) {
		words[strings.ToLower(w)] = true
	}
	const n = 3000
	for range n {
		_, gold := g.Next()
		runes := []rune(gold.Text)
		// The skeleton is the note with identifiers replaced by their type.
		var sk strings.Builder
		prev := 0
		for _, s := range gold.Spans {
			types[s.Type]++
			sk.WriteString(string(runes[prev:s.Start]))
			sk.WriteString("<" + s.Type + ">")
			prev = s.End
			v := strings.ToLower(string(runes[s.Start:s.End]))
			if s.Type == "NAME" && words[v] {
				wordNames++
			}
			if s.Type == "AGE" {
				oldAges++
			}
		}
		sk.WriteString(string(runes[prev:]))
		skeletons[sk.String()]++
		if gold.Text == strings.ToUpper(gold.Text) {
			upper++
		}
		if gold.Text == strings.ToLower(gold.Text) {
			lower++
		}
	}
	for ty := range canonicalTypes {
		if types[ty] == 0 {
			t.Errorf("type %s never planted in %d notes", ty, n)
		}
	}
	if len(skeletons) < n*99/100 {
		t.Errorf("only %d distinct skeletons in %d notes", len(skeletons), n)
	}
	if upper < n/20 || lower < n/100 || wordNames < n/20 || oldAges < n/100 {
		t.Errorf("upper-case notes %d, lower-case %d, word-names %d, ages over 89 %d: too few", upper, lower, wordNames, oldAges)
	}
}

func TestChecksums(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	for range 500 {
		v := vin(r)
		sum := 0
		for i := range 17 {
			sum += vinValue(v[i]) * vinWeights[i]
		}
		want := byte('0' + sum%11)
		if sum%11 == 10 {
			want = 'X'
		}
		if len(v) != 17 || v[8] != want || strings.ContainsAny(v, "IOQ") {
			t.Fatalf("VIN %s: bad check digit or letters", v)
		}
		d := dea(r, 'S')
		dd := func(i int) int { return int(d[i] - '0') }
		if (dd(2)+dd(4)+dd(6)+2*(dd(3)+dd(5)+dd(7)))%10 != dd(8) || d[1] != 'S' {
			t.Fatalf("DEA %s: bad check digit", d)
		}
		if !luhnValid("80840" + npi(r)) {
			t.Fatal("NPI fails Luhn with the 80840 prefix")
		}
		if kind, acct := account(r); kind == "card" && !luhnValid(strings.ReplaceAll(acct, " ", "")) {
			t.Fatalf("card number fails Luhn")
		}
	}
}

func luhnValid(s string) bool {
	return luhnDigit([]byte(s[:len(s)-1])) == s[len(s)-1]
}

func TestFormatDate(t *testing.T) {
	d := time.Date(2019, 3, 4, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		style int
		want  string
	}{
		{0, "3/4/2019"}, {1, "03/04/2019"}, {2, "03-04-19"}, {3, "2019-03-04"}, {4, "March 4th"},
		{5, "March 4, 2019"}, {6, "4 Mar 2019"}, {7, "04-Mar-2019"}, {8, "the 4th of March"},
		{9, "Mar. 4"}, {10, "3/4"}, {11, "March 2019"}, {12, "March 4th, 2019"}, {13, "4-MAR-19"},
		{14, "03.04.2019"}, {15, "Mar 4"}, {16, "4th March 2019"}, {17, "20190304"}, {18, "3/4/19"},
		{19, "Monday, March 4, 2019"}, {20, "03/2019"}, {21, "Mar. 4th"},
	}
	for _, tt := range tests {
		if got := formatDate(d, tt.style); got != tt.want {
			t.Errorf("style %d: %q, want %q", tt.style, got, tt.want)
		}
	}
}

func TestNumberWords(t *testing.T) {
	for n, want := range map[int]string{0: "zero", 13: "thirteen", 40: "forty", 91: "ninety-one", 100: "one hundred", 104: "one hundred four"} {
		if got := numberWords(n); got != want {
			t.Errorf("numberWords(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestMisspell(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	tests := []struct {
		in       string
		mayAlter bool
	}{
		{"pt c/o dizziness", true}, {"BP 120/80", false}, {"", false}, {"Dr. ", false}, {"héllo wörld", false},
	}
	for _, tt := range tests {
		out := misspell(r, tt.in)
		if !tt.mayAlter && out != tt.in {
			t.Errorf("misspell(%q) = %q, want unchanged", tt.in, out)
		}
		if tt.mayAlter && (out == tt.in || abs(len(out)-len(tt.in)) > 1 || out[:4] != tt.in[:4]) {
			t.Errorf("misspell(%q) = %q, want one slip in the long word", tt.in, out)
		}
	}
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

func TestAbbreviate(t *testing.T) {
	tests := []struct{ in, want string }{
		{"The patient complains of shortness of breath", "Pt c/o SOB"},
		{"outpatient with history", "outpatient w/ hx"},
		{"withdrawal", "withdrawal"},
		{"follow up in 2 weeks.", "f/u in 2 wks."},
		{"", ""},
	}
	for _, tt := range tests {
		if got := abbreviate(tt.in); got != tt.want {
			t.Errorf("abbreviate(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestPatientIDs(t *testing.T) {
	g := NewGenerator(Options{Seed: 0xbeef})
	tests := []struct {
		n    int
		want string
	}{{1, "Pbeef-0000001"}, {9999999, "Pbeef-9999999"}, {12345678, "Pbeef-12345678"}}
	for _, tt := range tests {
		g.n = tt.n
		if got := g.newPatient().id; got != tt.want {
			t.Errorf("record %d: id %q, want %q", tt.n, got, tt.want)
		}
	}
}
