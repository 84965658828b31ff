package redact

import (
	"errors"
	"strings"
	"testing"

	"github.com/deidstream/deidstream/detectors"
)

func knownConfig(c *Config) {
	c.Fields = []FieldPolicy{
		{Name: "patient_id", Action: ActionHash},
		{Name: "name", Action: ActionDrop, Identifies: detectors.Name},
		{Name: "city", Action: ActionDrop, Identifies: detectors.Location},
		{Name: "mrn", Action: ActionDrop, Identifies: detectors.MRN},
		{Name: "note", Action: ActionScan},
	}
}

// The record's own identifiers are redacted wherever the note repeats them as whole words, in
// any ASCII case, each word of a name alone too; a longer word that contains one is not.
func TestKnownIdentifiersRedactedInNote(t *testing.T) {
	p, err := NewProcessor(testConfigWith(knownConfig), fakeDetector{"Dr. Lee": detectors.Name})
	if err != nil {
		t.Fatal(err)
	}
	rec := map[string]any{"patient_id": "P1", "name": "Art Molina", "city": "Mobile", "mrn": "M1374177",
		"note": "MOLINA, Art was seen by Dr. Lee. Zoë: may go home to mobile. Artery patent; Mobilize. Ref M1374177."}
	res, err := p.Process(rec)
	if err != nil || res.Reject != "" {
		t.Fatalf("Process: %v %q", err, res.Reject)
	}
	note := res.Values[len(res.Values)-1]
	for _, leaked := range []string{"MOLINA", "Art ", "mobile", "M1374177"} {
		if strings.Contains(note, leaked) {
			t.Errorf("known identifier %q survives: %q", leaked, note)
		}
	}
	for _, kept := range []string{"Artery patent", "Mobilize", "Zoë: may go home to "} {
		if !strings.Contains(note, kept) {
			t.Errorf("%q should be kept (not a whole-word match): %q", kept, note)
		}
	}
	if res.Counts[detectors.Name] != 3 || res.Counts[detectors.Location] != 1 || res.Counts[detectors.MRN] != 1 {
		t.Errorf("counts %v, want NAME 3 (MOLINA, Art, Dr. Lee), LOCATION 1, MRN 1", res.Counts)
	}
}

// A known value that overlaps a detection becomes one span with the detector's type.
func TestKnownMergesWithDetection(t *testing.T) {
	got := withKnown([]detectors.Span{{Start: 4, End: 10, Type: detectors.Name}},
		[]detectors.Span{{Start: 0, End: 10, Type: detectors.Location}, {Start: 8, End: 14, Type: detectors.Name}, {Start: 20, End: 22, Type: detectors.SSN}})
	want := []detectors.Span{{Start: 0, End: 14, Type: detectors.Location}, {Start: 20, End: 22, Type: detectors.SSN}}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i := range want {
		if got[i].Start != want[i].Start || got[i].End != want[i].End || got[i].Type != want[i].Type {
			t.Errorf("span %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}

func TestKnownIdentifierValidation(t *testing.T) {
	for _, f := range []FieldPolicy{
		{Name: "name", Action: ActionKeep, Values: []string{"x"}, Identifies: detectors.Name},
		{Name: "name", Action: ActionScan, Identifies: detectors.Name},
		{Name: "name", Action: ActionDrop, Identifies: "PERSON"},
	} {
		c := testConfig()
		c.Fields = []FieldPolicy{f}
		if err := c.Validate(); !errors.Is(err, ErrBadField) && !errors.Is(err, ErrUnknownType) {
			t.Errorf("%+v: Validate = %v, want an error naming the field", f, err)
		} else if !strings.Contains(err.Error(), "fields[0] name") {
			t.Errorf("%+v: error %q does not name the field", f, err)
		}
	}
}

func testConfigWith(edit func(*Config)) Config {
	c := testConfig()
	edit(&c)
	return c
}
