package detectors

import "testing"

// The scorer's own restraint, whatever its weights: a person's title is not PHI, a piece of a
// longer number is no date, and a name with a title or credential stays found.
func TestScorerTitlesPiecesAndHardNames(t *testing.T) {
	e := newEngine(t, DefaultConfig())
	text := "Dr. Ana Lopez saw the patient with Dr. Bo Chen. Dr. Lopez will follow up. LOINC 2345-7 sent."
	got := found(e, text)
	for _, w := range []string{"Dr", "7", "2345-7"} {
		if got[w] != "" {
			t.Errorf("found %q as %s in %q; want it left (found %v)", w, got[w], text, got)
		}
	}
	for _, w := range []string{"Ana Lopez", "Bo Chen", "Lopez"} {
		if got[w] != Name {
			t.Errorf("found(%q)[%q] = %q, want NAME (found %v)", text, w, got[w], got)
		}
	}
	// A model that says no to everything still leaves the hard candidates.
	m := NewModel()
	m.Dense[0] = -30
	mute, err := New(DefaultConfig(), WithModel(m))
	if err != nil {
		t.Fatal(err)
	}
	if got := found(mute, "orders reviewed. Mary Hulse, R.N.\nSSN 536-22-8171"); got["Mary Hulse"] != Name || got["536-22-8171"] != SSN {
		t.Errorf("with a model that rejects everything: %v, want the credentialed name and the SSN kept", got)
	}
}
