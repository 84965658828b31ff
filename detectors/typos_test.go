package detectors

import "testing"

func TestTypoOfCommon(t *testing.T) {
	e, err := New(DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	d := e.dict
	for _, w := range []string{"morpphine", "socaial", "remians", "priamry", "hopsice", "percautions"} {
		if !d.typoOfCommon(w) {
			t.Errorf("%q: not seen as one slip from an ordinary word", w)
		}
	}
	// Ordinary words themselves, names one slip from a name only, words two slips away, short words.
	for _, w := range []string{"imbornone", "santangelo", "xqzvwk", "ptnt"} {
		if d.typoOfCommon(w) {
			t.Errorf("%q: seen as a typo", w)
		}
	}
}
