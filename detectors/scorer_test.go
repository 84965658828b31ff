package detectors

import (
	"slices"
	"testing"
)

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

// A word beside a name the model found needs less evidence than one alone (growMargin), and only a
// word that could be part of the name joins it: not a connector, a number or a lower-case word in a
// line written in mixed case.
func TestScorerGrowsNamesOverWordsBeside(t *testing.T) {
	name := slices.Index(HeadTypes(), Name)
	withBias := func(bias float32) *Engine {
		m := NewModel()
		m.Dense[0] = bias
		m.Words[WordHash("Zorbit")] = WordWeights{Roles: [NumWordRoles]float32{8}}
		w := m.Words[WordHash("Zorbit")]
		w.Types[name] = 8
		m.Words[WordHash("Zorbit")] = w
		e, err := New(DefaultConfig(), WithModel(m))
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	cut := float32(logit(withBias(0).minTh))
	near, far := withBias(cut-growMargin/2), withBias(cut-growMargin-1)
	for _, c := range []struct {
		e          *Engine
		text, want string
	}{
		{near, "Later Zorbit Quaxley came in.", "Zorbit Quaxley"},
		{near, "Later Q. Zorbit came in.", "Q. Zorbit"},
		{near, "Later Zorbit quaxley came in.", "Zorbit"},
		{near, "Later Zorbit and Quaxley came in.", "Zorbit"},
		{near, "Later Zorbit 5 came in.", "Zorbit"},
		{far, "Later Zorbit Quaxley came in.", "Zorbit"},
	} {
		got := found(c.e, c.text)
		if got[c.want] == "" || len(got) != 1 {
			t.Errorf("found(%q) = %v, want only %q", c.text, got, c.want)
		}
	}
}
