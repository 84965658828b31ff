package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/deidstream/deidstream/internal/app"
	"github.com/deidstream/deidstream/internal/testenv"
)

// keptOnPurpose are the columns whose policy releases a value as it is, on
// purpose, and the released values their policy admits (before or after the
// privacy models generalize them). A gold value inside such a value is a
// coincidence ("Black" the surname in "Black or African American", "90" in
// the ICD-10 code "K85.90"), not a leak; any other value there is one. The
// vocabularies (state, sex, race) are the policy's own, read from its config.
var keptOnPurpose = map[string]*regexp.Regexp{
	"diagnosis_code": regexp.MustCompile(`^[A-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?$`),        // keep, code_system: icd10
	"birth_date":     regexp.MustCompile(`^(<=)?[0-9]{4}$`),                               // date_year
	"admission_date": regexp.MustCompile(`^[0-9]{4}$`),                                    // date_year
	"discharge_date": regexp.MustCompile(`^[0-9]{4}$`),                                    // date_year
	"zip":            regexp.MustCompile(`^([0-9]{3}|\*)$`),                               // zip3
	"age":            regexp.MustCompile(`^([0-9]{1,2}|90\+)(-([0-9]{1,2}|90\+))?$|^\*$`), // age, under 90 or the 90+ category
}

// admitted reports whether released is a value col's policy releases on purpose.
func admitted(vocab map[string]map[string]bool, col, released string) bool {
	if re, ok := keptOnPurpose[col]; ok {
		return re.MatchString(released)
	}
	if vs, ok := vocab[col]; ok {
		return vs[released] || released == "*"
	}
	return false
}

// detectorMisses are the free-text misses of the PHI detector measured on this
// test's 10,000 records (seed 11): gold values, by type, that survive in the
// released note (333 before issue 10's detector work, 20 before the record's
// own identifiers were searched for in it, 7 before "Children's Hospice" was
// read as a facility, 6 before a relation's or a flowsheet signature's given
// name that is also a word was ("husband Art", "RA  May"), 2 before a town
// that is a word, capitalised after a move, was ("towed to Hope"), 0 now;
// "PHARMACY IN MOBILE", in capitals, is the learned scorer's alone and may
// come back with a retrained model). They are a ceiling for
// the note column only, to be lowered to 0 as the detector closes them; a
// survivor in any other column, or of a type not listed, fails at once.
var detectorMisses = map[string]int{}

// structuredIdentifiers are the record fields that hold an identifier; their
// values are gold too (typed "field:<name>"), whatever the note says.
var structuredIdentifiers = []string{"name", "address", "city", "phone", "email", "ssn", "mrn", "insurance_id",
	"birth_date", "admission_date", "discharge_date", "zip", "patient_id"}

// goldValue is one planted identifier of one record.
type goldValue struct {
	typ, value string
}

// TestDemoNoGoldValueSurvives runs the demo pipeline on `worker gen --gold`
// output, decrypts every published research batch and searches each released
// row for every gold value of its own record: the spans planted in the note
// and the structured identifiers, of any length, case-folded, as whole words.
// Three extra records carry a name, an SSN and an email in kept columns; they
// must be quarantined. scripts/test.sh runs it at 10,000 records without -race.
func TestDemoNoGoldValueSurvives(t *testing.T) {
	n := 10000
	if raceEnabled || testing.Short() {
		n = 1000
	}
	cfg, conn, ctx := kfakeDemo(t, 10*time.Minute)
	dir := t.TempDir() // synthetic records only
	goldPath := filepath.Join(dir, "gold.jsonl")
	var out, errs bytes.Buffer
	if code := dispatch(ctx, stdio{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errs},
		[]string{"gen", "--count", fmt.Sprint(n), "--seed", "11", "--gold", goldPath}); code != 0 {
		t.Fatalf("worker gen exit %d: %s", code, errs.String())
	}
	records := bytes.Split(bytes.TrimSuffix(out.Bytes(), []byte("\n")), []byte("\n"))
	if len(records) != n {
		t.Fatalf("gen wrote %d records, want %d", len(records), n)
	}
	golds, plain := readGold(t, goldPath, records)

	// PHI written into kept columns: each must go to quarantine.
	var base map[string]any
	if err := json.Unmarshal(records[0], &base); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []struct{ field, value, typ string }{
		{"state", "Rosalind Okafor", "NAME"},
		{"diagnosis_code", "512-44-9031", "SSN"},
		{"race", "rosalind.okafor@example.org", "EMAIL"},
	} {
		rec := map[string]any{}
		for k, v := range base {
			rec[k] = v
		}
		rec[bad.field] = bad.value
		b, _ := json.Marshal(rec)
		records = append(records, b)
		golds = append(golds, append(golds[0][:len(golds[0]):len(golds[0])], goldValue{bad.typ, bad.value}))
		plain = append(plain, plain[0])
	}

	// One partition, so a row's offset is its record's index.
	produceInOrder(ctx, t, conn, cfg.Topics.Input[0], records)

	keys, researchKey, err := demoKeys()
	if err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewRegistry()
	w, err := app.NewWorker(ctx, cfg, keys, reg, newLogger(&syncBuffer{}, "info"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := runUntilSettled(ctx, w, reg, len(records)); err != nil {
		t.Fatal(err)
	}
	o, err := readOutputs(ctx, cfg, conn, researchKey, keys.Signer.Verifier())
	if err != nil {
		t.Fatal(err)
	}
	if len(o.rows) < n*9/10 {
		t.Fatalf("%d of %d records published: too few for the search to mean anything", len(o.rows), n)
	}
	for _, field := range []string{"state", "diagnosis_code", "race"} {
		if o.quarantined["field_invalid:"+field] != 1 {
			t.Errorf("quarantine reasons %v: want field_invalid:%s once (PHI written into a kept column)", o.quarantined, field)
		}
	}

	vocab := map[string]map[string]bool{}
	for _, f := range cfg.Redaction.Fields {
		if len(f.Values) > 0 {
			vocab[f.Name] = map[string]bool{}
			for _, v := range f.Values {
				vocab[f.Name][v] = true
			}
		}
	}
	survivors := map[string]int{}     // gold type -> values found in the note
	elsewhere := map[string]int{}     // gold type and column -> values found in another column
	examples := map[string][]string{} // synthetic values, shown outside CI only
	checked := 0
	for _, row := range o.rows {
		i := int(row.Offset)
		if i < 0 || i >= len(golds) {
			t.Fatalf("row from offset %d: no such record", i)
		}
		note := plain[i]
		for _, g := range golds[i] {
			checked++
			v := strings.ToLower(g.value)
			for c, col := range o.columns {
				released := strings.ToLower(row.Values[c])
				found := countWord(released, v)
				if found == 0 {
					continue
				}
				if admitted(vocab, col, row.Values[c]) {
					continue
				}
				if col == "note" {
					found -= countWord(note, v) // the same word where it was no identifier ("Hope to wean")
				}
				if found > 0 {
					key := g.typ
					if col == "note" {
						survivors[key]++
					} else {
						key += " in " + col
						elsewhere[key]++
					}
					if len(examples[key]) < 3 {
						examples[key] = append(examples[key], fmt.Sprintf("%q in %q", g.value, row.Values[c]))
					}
					break
				}
			}
		}
	}
	t.Logf("%d gold values of %d published records searched", checked, len(o.rows))
	if len(elsewhere) > 0 {
		t.Errorf("gold values released by the field policy, not by a detector miss: %s", countList(elsewhere))
	}
	total := 0
	for typ, c := range survivors {
		total += c
		if c > detectorMisses[typ] {
			t.Errorf("%d %s gold values survive in the note, more than the %d known detector misses", c, typ, detectorMisses[typ])
		}
	}
	t.Logf("%d of %d gold values survive in the released notes (known detector misses), by type: %s", total, checked, countList(survivors))
	if total > 0 || len(elsewhere) > 0 {
		if !testenv.InCI() {
			for typ, ex := range examples {
				t.Logf("  %s, e.g. (synthetic) %s", typ, strings.Join(ex, "; "))
			}
		}
	}
}

// readGold returns each record's gold values (the note spans of the gold file
// and the structured identifiers of the record) and its note, lower-cased, with
// every gold span blanked out: what remains of a gold value's words there is
// text where the word is no identifier ("Hope to wean").
func readGold(t *testing.T, path string, records [][]byte) ([][]goldValue, []string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	byID := map[string][]goldValue{}
	outside := map[string]string{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		var g struct {
			ID    string `json:"id"`
			Text  string `json:"text"`
			Spans []struct {
				Start, End int
				Type       string
			} `json:"spans"`
		}
		if err := json.Unmarshal(sc.Bytes(), &g); err != nil {
			t.Fatalf("reading gold: %v", err)
		}
		text := []rune(g.Text)
		blank := []rune(strings.ToLower(g.Text))
		for _, s := range g.Spans {
			byID[g.ID] = append(byID[g.ID], goldValue{s.Type, string(text[s.Start:s.End])})
			for k := s.Start; k < s.End && k < len(blank); k++ {
				blank[k] = ' '
			}
		}
		outside[g.ID] = string(blank)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	out, notes := make([][]goldValue, len(records)), make([]string, len(records))
	for i, r := range records {
		var m map[string]any
		if err := json.Unmarshal(r, &m); err != nil {
			t.Fatalf("record %d is not JSON (gen --poison is 0): %v", i, err)
		}
		id, _ := m["patient_id"].(string)
		out[i], notes[i] = byID[id], outside[id]
		for _, k := range structuredIdentifiers {
			if v, ok := m[k].(string); ok && strings.TrimSpace(v) != "" {
				out[i] = append(out[i], goldValue{"field:" + k, v})
			}
		}
	}
	if len(byID) == 0 {
		t.Fatal("the gold file has no spans")
	}
	return out, notes
}

// countWord counts occurrences of w in s that are whole words: no letter or
// digit touches either end.
func countWord(s, w string) int {
	if w == "" {
		return 0
	}
	n := 0
	for i := 0; ; {
		j := strings.Index(s[i:], w)
		if j < 0 {
			return n
		}
		start, end := i+j, i+j+len(w)
		before, _ := utf8.DecodeLastRuneInString(s[:start])
		after, _ := utf8.DecodeRuneInString(s[end:])
		if !isWordRune(before) && !isWordRune(after) {
			n++
		}
		i = start + 1
	}
}

// isWordRune: utf8.RuneError stands for the string's ends, which are no word.
func isWordRune(r rune) bool {
	return r != utf8.RuneError && (unicode.IsLetter(r) || unicode.IsDigit(r))
}
