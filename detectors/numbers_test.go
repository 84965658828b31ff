package detectors

import "testing"

func TestPhonesWithInternationalAccessCode(t *testing.T) {
	e := newEngine(t, DefaultConfig())
	tests := []struct {
		text, want string
		typ        Type
	}{
		{"Call 001-518-640-0854 mobile.", "001-518-640-0854", Phone},
		{"Fax: 001-253-366-9781", "001-253-366-9781", Fax},
		{"Call 0044 20 7946 0958 any time.", "0044 20 7946 0958", Phone},
	}
	for _, tc := range tests {
		if got := found(e, tc.text); got[tc.want] != tc.typ {
			t.Errorf("found(%q) = %v, want %q as %s", tc.text, got, tc.want, tc.typ)
		}
	}
	// Dates and doses starting with zeros are not phones.
	for _, text := range []string{"Seen 2019-08-23 for follow-up.", "Dose 0.5 mg then 0.25 mg."} {
		for _, s := range e.Detect(text) {
			if s.Type == Phone {
				t.Errorf("Detect(%q) = %v, want no PHONE", text, s)
			}
		}
	}
}
