package redact

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/deidstream/deidstream/detectors"
)

// numberingDetector knows a few names, one of which ("Jones") is a part of
// another ("Mary Jones").
var numberingDetector = fakeDetector{
	"Mary Jones":   detectors.Name,
	"Jones":        detectors.Name,
	"John Smith":   detectors.Name,
	"Alice Walker": detectors.Name,
	"Bob Stone":    detectors.Name,
	"555-201-3344": detectors.Phone,
	"03/04/2019":   detectors.Date,
}

func numberingProcessor(t testing.TB, edit func(*Config)) *Processor {
	t.Helper()
	c := testConfig()
	c.Fields = []FieldPolicy{{Name: "patient_id", Action: ActionHash}, {Name: "note", Action: ActionScan}}
	if edit != nil {
		edit(&c)
	}
	p, err := NewProcessor(c, numberingDetector)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// note processes one record and returns its released note.
func note(t testing.TB, p *Processor, patient, text string) string {
	t.Helper()
	rec := map[string]any{"note": text}
	if patient != "" {
		rec["patient_id"] = patient
	}
	res, err := p.Process(rec)
	if err != nil || res.Reject != "" {
		t.Fatalf("Process: %v, reject %q", err, res.Reject)
	}
	return res.Values[1]
}

func TestNumberingAcrossRecords(t *testing.T) {
	tests := []struct {
		name  string
		scope NumberingScope
		recs  [][2]string // patient, note
		want  []string
	}{
		{"same value, same placeholder in every record of the patient", ScopePatient,
			[][2]string{{"P1", "John Smith and Mary Jones"}, {"P1", "Mary Jones called 555-201-3344"}, {"P1", "John Smith again"}},
			[]string{"[NAME_1] and [NAME_2]", "[NAME_2] called [PHONE_1]", "[NAME_1] again"}},
		{"a part of an earlier record's name takes its number", ScopePatient,
			[][2]string{{"P1", "Seen by Mary Jones"}, {"P1", "Jones agreed"}},
			[]string{"Seen by [NAME_1]", "[NAME_1] agreed"}},
		{"new values continue the patient's count", ScopePatient,
			[][2]string{{"P1", "John Smith, Mary Jones"}, {"P1", "Alice Walker met John Smith"}, {"P1", "Bob Stone"}},
			[]string{"[NAME_1], [NAME_2]", "[NAME_3] met [NAME_1]", "[NAME_4]"}},
		{"patients do not share numbers", ScopePatient,
			[][2]string{{"P1", "John Smith, Mary Jones"}, {"P2", "Mary Jones"}, {"P1", "Mary Jones"}},
			[]string{"[NAME_1], [NAME_2]", "[NAME_1]", "[NAME_2]"}},
		{"records without a patient key are numbered alone", ScopePatient,
			[][2]string{{"", "John Smith, Mary Jones"}, {"", "Mary Jones"}, {"P1", "Alice Walker"}, {"", "Jones, Alice Walker"}},
			[]string{"[NAME_1], [NAME_2]", "[NAME_1]", "[NAME_1]", "[NAME_1], [NAME_2]"}},
		{"scope record numbers every record alone", ScopeRecord,
			[][2]string{{"P1", "John Smith, Mary Jones"}, {"P1", "Mary Jones"}},
			[]string{"[NAME_1], [NAME_2]", "[NAME_1]"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := numberingProcessor(t, func(c *Config) { c.Numbering.Scope = tc.scope })
			if (p.Numbering() == nil) != (tc.scope == ScopeRecord) {
				t.Fatalf("scope %s: Numbering() = %v", tc.scope, p.Numbering())
			}
			for i, r := range tc.recs {
				if got := note(t, p, r[0], r[1]); got != tc.want[i] {
					t.Errorf("record %d: %q, want %q", i, got, tc.want[i])
				}
			}
		})
	}
}

// Within one record the patient's numbers are used too, and the record-level
// name-part rule still holds.
func TestNumberingWithinRecordUsesPatient(t *testing.T) {
	p := numberingProcessor(t, nil)
	note(t, p, "P1", "Alice Walker")
	if got := note(t, p, "P1", "Mary Jones saw Alice Walker; Jones agreed"); got != "[NAME_2] saw [NAME_1]; [NAME_2] agreed" {
		t.Errorf("got %q", got)
	}
	if out, _ := p.RedactText("P1", "Jones and John Smith", ModeRedact); out != "[NAME_2] and [NAME_3]" {
		t.Errorf("RedactText shares the patient's numbering: %q", out)
	}
}

// Records of one patient processed concurrently agree on every value's
// number, and numbers of a type are 1..k without gaps or duplicates.
func TestNumberingConcurrent(t *testing.T) {
	p := numberingProcessor(t, nil)
	names := []string{"Mary Jones", "John Smith", "Alice Walker", "Bob Stone"}
	const patients, perPatient = 8, 50
	type out struct{ patient, name, ph string }
	results := make(chan out, patients*perPatient*2)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(g), 7))
			for range patients * perPatient / 8 {
				pat := fmt.Sprintf("P%d", r.IntN(patients))
				a, b := names[r.IntN(len(names))], names[r.IntN(len(names))]
				if a == b {
					continue
				}
				res, err := p.Process(map[string]any{"patient_id": pat, "note": a + " | " + b})
				if err != nil || res.Reject != "" {
					t.Errorf("Process: %v, reject %q", err, res.Reject)
					return
				}
				phs := strings.Split(res.Values[1], " | ")
				results <- out{pat, a, phs[0]}
				results <- out{pat, b, phs[1]}
			}
		})
	}
	wg.Wait()
	close(results)
	seen := map[[2]string]string{}  // patient, name -> placeholder
	owner := map[[2]string]string{} // patient, placeholder -> name
	for r := range results {
		if ph, ok := seen[[2]string{r.patient, r.name}]; ok && ph != r.ph {
			t.Fatalf("patient %s: one name got %s and %s", r.patient, ph, r.ph)
		}
		seen[[2]string{r.patient, r.name}] = r.ph
		if n, ok := owner[[2]string{r.patient, r.ph}]; ok && n != r.name {
			t.Fatalf("patient %s: %s given to two names", r.patient, r.ph)
		}
		owner[[2]string{r.patient, r.ph}] = r.name
	}
	if len(seen) < patients*3 {
		t.Fatalf("only %d patient-name pairs seen; the test proves little", len(seen))
	}
	for k, ph := range seen {
		if !regexp.MustCompile(`^\[NAME_[1-4]\]$`).MatchString(ph) {
			t.Errorf("patient %s: %s, want NAME_1..4 for 4 names (Jones is never alone here)", k[0], ph)
		}
	}
}

func TestNumberingCommitAbort(t *testing.T) {
	p := numberingProcessor(t, nil)
	nb := p.Numbering()
	note(t, p, "P1", "John Smith")
	note(t, p, "P2", "Mary Jones")
	if ch := nb.Changed(); len(ch) != 2 {
		t.Fatalf("%d tables changed, want 2", len(ch))
	}
	nb.Commit()
	if ch := nb.Changed(); len(ch) != 0 {
		t.Fatalf("%d tables changed after Commit, want 0", len(ch))
	}
	// A known value changes nothing; a new one changes its patient only.
	note(t, p, "P1", "John Smith")
	note(t, p, "P2", "Alice Walker")
	note(t, p, "P3", "Bob Stone")
	if ch := nb.Changed(); len(ch) != 2 {
		t.Fatalf("%d tables changed, want 2 (P2, P3)", len(ch))
	}
	nb.Abort()
	if nb.Patients() != 2 {
		t.Errorf("after Abort %d patients held, want 2: P3 was made in the aborted window", nb.Patients())
	}
	// The aborted numbers are gone: Bob Stone is now P2's second name.
	if got := note(t, p, "P2", "Bob Stone, Mary Jones"); got != "[NAME_2], [NAME_1]" {
		t.Errorf("after Abort: %q", got)
	}
}

// Windows overlap: the next window's records are numbered between a
// window's Changed and its Commit. The Commit keeps what Changed listed; what
// the next window changed stays pending (listed by the next Changed, reverted
// by an Abort) and its tables stay pinned.
func TestNumberingOverlappingWindows(t *testing.T) {
	p := numberingProcessor(t, func(c *Config) { c.Numbering.MaxPatients = 1 })
	nb := p.Numbering()
	note(t, p, "P1", "John Smith") // window 1
	if ch := nb.Changed(); len(ch) != 1 {
		t.Fatalf("window 1: %d tables changed, want 1", len(ch))
	}
	note(t, p, "P1", "Mary Jones") // window 2, before window 1 commits
	note(t, p, "P2", "Bob Stone")
	nb.Commit() // window 1
	if nb.Patients() != 2 || nb.Evictions() != 0 {
		t.Fatalf("after window 1 committed: %d patients, %d evictions; want window 2's 2 pinned, 0", nb.Patients(), nb.Evictions())
	}
	if ch := nb.Changed(); len(ch) != 2 {
		t.Fatalf("window 2: %d tables changed, want 2 (P1, P2)", len(ch))
	}
	nb.Abort() // window 2
	// Window 1's number stays, window 2's is free again.
	if got := note(t, p, "P1", "Alice Walker, John Smith"); got != "[NAME_2], [NAME_1]" {
		t.Errorf("after window 2 aborted: %q, want [NAME_2], [NAME_1]", got)
	}
	if nb.Patients() != 1 {
		t.Errorf("%d patients held, want 1: P2 was made in the aborted window", nb.Patients())
	}
}

func TestNumberingEviction(t *testing.T) {
	p := numberingProcessor(t, func(c *Config) { c.Numbering.MaxPatients = 2 })
	nb := p.Numbering()
	// Three patients in one window: all pinned until the window ends.
	for _, pat := range []string{"A", "B", "C"} {
		if got := note(t, p, pat, "John Smith, Mary Jones"); got != "[NAME_1], [NAME_2]" {
			t.Fatalf("%s: %q", pat, got)
		}
	}
	if nb.Patients() != 3 || nb.Evictions() != 0 {
		t.Fatalf("within a window: %d patients, %d evictions; want 3 pinned, 0", nb.Patients(), nb.Evictions())
	}
	nb.Commit()
	if nb.Patients() != 2 || nb.Evictions() != 1 {
		t.Fatalf("after Commit: %d patients, %d evictions; want 2, 1", nb.Patients(), nb.Evictions())
	}
	// B and C are held; A, the least recently used, restarts its numbering.
	if got := note(t, p, "C", "Alice Walker"); got != "[NAME_3]" {
		t.Errorf("held patient C: %q, want [NAME_3]", got)
	}
	nb.Commit()
	if got := note(t, p, "A", "Alice Walker"); got != "[NAME_1]" {
		t.Errorf("evicted patient A: %q, want [NAME_1] (numbering restarts)", got)
	}
	nb.Commit()
	if nb.Evictions() != 2 || nb.Patients() != 2 {
		t.Errorf("%d evictions, %d patients; want 2 (B, the least recently used), 2", nb.Evictions(), nb.Patients())
	}
	if got := note(t, p, "C", "Mary Jones"); got != "[NAME_2]" {
		t.Errorf("C, used recently, must be kept: %q", got)
	}
}

func TestNumberingMaxValues(t *testing.T) {
	p := numberingProcessor(t, func(c *Config) { c.Numbering.MaxValues = 2 })
	if got := note(t, p, "P", "John Smith, Mary Jones, Alice Walker"); got != "[NAME_1], [NAME_2], [NAME_3]" {
		t.Fatalf("%q", got)
	}
	// The third name was numbered but not remembered: it gets a new number,
	// never one already used.
	if got := note(t, p, "P", "Alice Walker, John Smith"); got != "[NAME_4], [NAME_1]" {
		t.Errorf("%q", got)
	}
	if p.Numbering().Unrecorded() != 2 {
		t.Errorf("Unrecorded() = %d, want 2", p.Numbering().Unrecorded())
	}
}

// planted are the values the state must never contain, in any form.
var planted = []string{"Mary Jones", "John Smith", "Alice Walker", "Bob Stone", "555-201-3344", "03/04/2019", "PATIENT-0042"}

func TestNumberingStateRoundTripHasNoPHI(t *testing.T) {
	p := numberingProcessor(t, nil)
	pat := "PATIENT-0042"
	note(t, p, pat, "John Smith and Mary Jones, 555-201-3344, 03/04/2019")
	note(t, p, "", "Bob Stone") // no patient: no state
	recs := p.Numbering().Changed()
	if len(recs) != 1 {
		t.Fatalf("%d tables, want 1", len(recs))
	}
	var all []byte
	for _, r := range recs {
		all = append(append(all, r.Key...), r.Value...)
	}
	for _, v := range planted {
		for _, form := range []string{v, strings.ToLower(v), normValue(detectors.Name, v), normAlnum(v)} {
			if bytes.Contains(all, []byte(form)) {
				t.Errorf("the encoded state contains a planted value (%d bytes)", len(form))
			}
		}
	}
	for _, w := range []string{"mary", "jones", "john", "smith"} {
		if bytes.Contains(all, []byte(w)) {
			t.Errorf("the encoded state contains a name word")
		}
	}

	// A new processor with the same secret restores the state and continues
	// exactly: known values, the name-part rule, the count.
	q := numberingProcessor(t, nil)
	for _, r := range recs {
		if err := q.Numbering().Restore(r.Key, r.Value); err != nil {
			t.Fatal(err)
		}
	}
	if got := note(t, q, pat, "Alice Walker, Jones, John Smith, 555-201-3344, 03/04/2019"); got != "[NAME_3], [NAME_2], [NAME_1], [PHONE_1], [DATE_1]" {
		t.Errorf("after restore: %q", got)
	}
	// Encoding the restored table again gives the same bytes plus what was added.
	again := q.Numbering().Changed()
	if len(again) != 1 || !bytes.Equal(again[0].Key, recs[0].Key) || len(again[0].Value) <= len(recs[0].Value) {
		t.Fatalf("re-encoded table: %d records", len(again))
	}
	q.Numbering().Abort()
	if again = q.Numbering().Changed(); len(again) != 0 {
		t.Fatal("Abort left changes")
	}
	// A restored table is committed state: aborting a later window keeps it.
	if got := note(t, q, pat, "Bob Stone"); got != "[NAME_3]" {
		t.Errorf("after abort: %q, want [NAME_3]", got)
	}
	// Another secret cannot read the patient's table: its key does not match.
	other := numberingProcessor(t, func(c *Config) { c.Secret = strings.Repeat("77", 32) })
	for _, r := range recs {
		if err := other.Numbering().Restore(r.Key, r.Value); err != nil {
			t.Fatal(err)
		}
	}
	if got := note(t, other, pat, "Bob Stone"); got != "[NAME_1]" {
		t.Errorf("another secret: %q, want a fresh [NAME_1]", got)
	}
}

func TestNumberingRestoreErrors(t *testing.T) {
	p := numberingProcessor(t, nil)
	note(t, p, "P", "John Smith, Mary Jones and Jones, 555-201-3344")
	rec := p.Numbering().Changed()[0]
	nb := numberingProcessor(t, nil).Numbering()
	cases := map[string][2][]byte{
		"short key":     {rec.Key[:8], rec.Value},
		"empty value":   {rec.Key, nil},
		"version":       {rec.Key, append([]byte{9}, rec.Value[1:]...)},
		"truncated":     {rec.Key, rec.Value[:len(rec.Value)-3]},
		"trailing byte": {rec.Key, append(bytes.Clone(rec.Value), 0)},
		"huge count":    {rec.Key, []byte{tableVersion, 0xff, 0xff, 0xff, 0xff, 0x0f}},
	}
	for name, c := range cases {
		if err := nb.Restore(c[0], c[1]); !errors.Is(err, ErrBadTable) {
			t.Errorf("%s: %v, want ErrBadTable", name, err)
		}
	}
	if nb.Patients() != 0 {
		t.Errorf("%d tables restored from malformed records", nb.Patients())
	}
	if err := nb.Restore(rec.Key, rec.Value); err != nil {
		t.Errorf("the well-formed record: %v", err)
	}
}

func FuzzNumberingDecode(f *testing.F) {
	p := numberingProcessor(f, nil)
	note(f, p, "P", "John Smith, Mary Jones and Jones, 555-201-3344")
	for _, r := range p.Numbering().Changed() {
		f.Add(r.Value)
	}
	f.Add([]byte{tableVersion, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		nb := NewNumbering([]byte(testSecret), 4, 8)
		if err := nb.Restore(make([]byte, idBytes), b); err != nil {
			if !errors.Is(err, ErrBadTable) {
				t.Fatalf("error not ErrBadTable: %v", err)
			}
			return
		}
		// What decodes encodes again to a table that decodes the same.
		nb.mu.Lock()
		tb := nb.tables[patientID{}]
		enc := nb.encode(tb)
		nb.mu.Unlock()
		if err := nb.Restore(make([]byte, idBytes), enc); err != nil {
			t.Fatalf("re-encoded table does not decode: %v", err)
		}
		nb.mu.Lock()
		enc2 := nb.encode(nb.tables[patientID{}])
		nb.mu.Unlock()
		if !bytes.Equal(enc, enc2) {
			t.Fatal("encode(decode(encode(x))) differs from encode(x)")
		}
		// And numbering goes on without panicking.
		nb.number(nb.patientID("P"), "P", detectors.Name, "mary jones")
	})
}
