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
		{"son dave 617555-0142 called", "617555-0142", Phone}, // ten digits split once, mistyped
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

// TestClinicalRatiosAreNoDates: ventilator settings, pain scores, fractions and murmur grades
// written "a/b" are no dates, blood gases and settings joined by '-' no phones, for the rules and the scorer alike; dates beside such words stay.
func TestClinicalRatiosAreNoDates(t *testing.T) {
	for _, cfg := range []Config{DefaultConfig(), {RulesOnly: true}} {
		e := newEngine(t, cfg)
		for _, text := range []string{
			"pt. extubated from 5/5 PSV/CPAP onto 40% cool aerosol mask.",
			"Pt c/o CP 4/10. had 8/10 pain scale. chest pressure 6/10.",
			"Treated w/ NaHCO3 and 1/2 amp epi. D5 1/2 at 75/hr. +3/6 SEM. co/ci 4-6/2-4.",
			"abg on 10/5 bipap 65%. decreased to 8/5 on cpap. Cpap 7.5, Fio2 50% with flowby 6/3.",
			"tol ok at this time. abg 7.44 - 33 - 127 - 23 - 99%. On AC mode of 30-50-400-5.0 now.",
			"cxs at bases up 1/3-1/2. packing for 1 1/2-2h. suctioning q 1/2-1 hrs. vvi pacer ~3/4 of time.",
			"RESP: Pt remained on 5/5, 40% till 4PM.",
			"AC 500/60/12/5, 7.41/40/218. PS 10/5/.30 then. CO/CI 5/3 FICK. c/o 3/10 l back pain. severe 10/10 angina. area 3-4/10 now.",
		} {
			if got := e.Detect(text); len(got) != 0 {
				t.Errorf("rules only %v: Detect(%q) = %v, want no spans", cfg.RulesOnly, text, got)
			}
		}
		for _, tc := range []struct{ text, want string }{
			{"RESP: MECH VENT VIA TRACH (PLACED 8/14). AC 100%", "8/14"},
			{"Abx for LLL infiltrate on CXR 9/18. ABG 7.39/43/137/27.", "9/18"},
			{"Pain started 3/10, worse since.", "3/10"},
			{"Seen 3/10 for back pain.", "3/10"},
			{"Vent settings reviewed with RT, call 617-555-0143.", "617-555-0143"},
			{"vent team pager 617-555-0143", "617-555-0143"},
			{"insulin lispro 4 units SC TID AC on 05-02-25 2/2 wheezing.", "05-02-25"},
		} {
			if spans := e.Detect(tc.text); !covered(spans, tc.text, tc.want) {
				t.Errorf("rules only %v: Detect(%q) = %v, want %q covered", cfg.RulesOnly, tc.text, spans, tc.want)
			}
		}
	}
}
