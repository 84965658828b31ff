package detectors

import "testing"

func TestSerialsWithGluedLabelsAndFewDigits(t *testing.T) {
	e := newEngine(t, DefaultConfig())
	tests := []struct{ text, want string }{
		{"Pacemaker serial SN-MCCRF5ABMT implanted.", "SN-MCCRF5ABMT"},
		{"Device interrogation: SN-VZYP2EKPUV, battery OK.", "SN-VZYP2EKPUV"},
		{"Device interrogation: SN-DWTUHYTEHR, battery OK, paced 12%.", "SN-DWTUHYTEHR"}, // no digit at all
	}
	for _, tc := range tests {
		if got := found(e, tc.text); got[tc.want] != Device {
			t.Errorf("found(%q) = %v, want %q as DEVICE", tc.text, got, tc.want)
		}
	}
	// One digit in a short word is not a code: "COVID-19", "SpO2".
	for _, text := range []string{"COVID-19 negative, SpO2 97% on RA.", "Serial exams: A1c stable."} {
		if got := e.Detect(text); len(got) != 0 {
			t.Errorf("Detect(%q) = %v, want no spans", text, got)
		}
	}
}

// Labels charted in a hurry still label: a misspelt plate, a biometric's own words, a plate in
// lower case; and ages in words after "died at".
func TestHurriedLabelsAndAgesInWords(t *testing.T) {
	e := newEngine(t, DefaultConfig())
	for _, tc := range []struct {
		text, want string
		typ        Type
	}{
		{"Vehicle towed; plaate 9NCL897, owner notified.", "9NCL897", Vehicle},
		{"vehicle palte 7XKZ221 noted.", "7XKZ221", Vehicle},
		{"son will drive; vehicle plae FBG 144. Insurance BCBS.", "FBG 144", Vehicle},
		{"pt's sister will drive; vehicle plate cbl 098. pt enrolled", "cbl 098", Vehicle},
		{"Kiosk enrollment: facial geometry hash BIO-KBYKEHEEN0. Bank acct on file.", "BIO-KBYKEHEEN0", Biometric},
		{"Kiosk: fingerprint template BIO-DHVMT1KJYM. Driver license copied.", "BIO-DHVMT1KJYM", Biometric},
		{"FHx: Mother died at ninety-four of stroke.", "ninety-four", Age},
		{"Family History: Father alive at ninety-five, has dementia.", "ninety-five", Age},
		{"Acct #55120\tD.O.B. 2/5\nCC: leg swelling", "2/5", Date},
	} {
		if got := found(e, tc.text); got[tc.want] != tc.typ {
			t.Errorf("found(%q) = %v, want %q as %s", tc.text, got, tc.want, tc.typ)
		}
	}
	// One edit from a label is a label only for a word no dictionary knows: "pate" of the menu is
	// not, "at ninety" after no verb of life or death is no age.
	for _, text := range []string{"Served pate 12 times.", "Temp at ninety degrees in the room."} {
		if got := e.Detect(text); len(got) != 0 {
			t.Errorf("Detect(%q) = %v, want no spans", text, got)
		}
	}
	if !oneEdit("plaate", "plate") || !oneEdit("palte", "plate") || !oneEdit("plae", "plate") || oneEdit("plate", "plate") || oneEdit("pl", "plate") {
		t.Error("oneEdit: wrong on insertion, transposition, deletion, equality or distance 3")
	}
}

// Readings as nursing notes chart them, glued to their labels, in ranges, or as ventilator settings
// joined by 'x', are no identifiers nor phone numbers, for the rules and the scorer alike.
func TestReadingsAreNoIdentifiers(t *testing.T) {
	for _, cfg := range []Config{DefaultConfig(), {RulesOnly: true}} {
		e := newEngine(t, cfg)
		for _, text := range []string{
			"HYPOTENSIVE WITH MAP57-63. HR60-70's. RR-11-13. BP130-140/50's.",
			"ID: TMAX-99, WBC 12.1. ID=FEBRILE W T MAX-100.4 PO.",
			"PLACED ON VENT: A/C 14X700X100%. remains on ac x25x500x40% and A/C 12x650, 100%.",
			"abg this morning was: 91(pao2)/43/7.47/32/6. PH falling to 7.26-7.28/PCO2 24/PO2.",
			"Foley draining 5-7cc/q1-3hr. SVR is in the 900-1300. Pt voiding 575-1000 cc.",
			"VALUES FOR IABP-\nAS- 86-105\nAD-91-118\nBAEDP-56-66\nMAP-75-100",
			"HR 63-69. BP 114-17-49/52-67. most recent abg on these settings: 80/48/7.45.34.7. he continued",
			"PT APNEIC WITH WEANING ATTEMT DUE TO PH 7.60.PT PLACED ON SIMV 4.",
		} {
			for _, s := range e.Detect(text) {
				if s.Type == ID || s.Type == Phone || s.Type == MRN || s.Type == Account || s.Type == IP || s.Type == URL {
					t.Errorf("rules only %v: Detect(%q) has %v: a reading taken for an identifier", cfg.RulesOnly, text, s)
				}
			}
		}
	}
}
