package detectors

import (
	"strings"
	"testing"
)

func TestCitiesAndPostcodes(t *testing.T) {
	e := newEngine(t, DefaultConfig())
	tests := []struct {
		name, text, want string
	}{
		{"city alone on an address line", "Suite 179\nAkureyri\nIceland", "Akureyri"},
		{"city in capitals after quoting marks", "> Apt. 342\n> TRONDHEIM\n> Norway", "TRONDHEIM"},
		{"city mid-sentence without cue", "The patient returned from Utrecht by train.", "Utrecht"},
		{"multi-word city", "Her sister works in a bakery; Los Angeles is far.", "Los Angeles"},
		{"hyphenated city", "Shipped to 45 Kopfstrasse 3\nFORT-DE-FRANCE", "FORT-DE-FRANCE"},
		{"postcode after a cued town", "Looking to support them in Bjert 6091 this year.", "Bjert 6091"},
		{"postcode after a city", "Send it to ARENDAL 4844 please.", "ARENDAL 4844"},
		{"postcode before a city", "Office: 75001 Paris, France", "75001 Paris"},
		{"two-part postcode", "Apt. 360\nWrocław 53-320", "Wrocław 53-320"},
		{"postcode after a country", "Suite 179\nAkureyri\nIceland 80296", "80296"},
		{"postcode after a country with a qualifier", "ΧΑΝ∆ΡΙΑ\nCyprus (Greek) 51034", "51034"},
		{"town quarter", "He lives at 63 Rue de Kairouan, Cité El Farik", "Cité El Farik"},
		{"house numbers then a lead word", "She lives at 846 31 Rue Al Imam Al Bakri, Tunis", "846 31 Rue Al Imam Al Bakri"},
		{"lead word in lower case", "his address: 48334 36 rue de pologne, Tunis", "48334 36 rue de pologne"},
		{"ship mail", "Send to USNS Møller\nFPO AA 85844", "USNS Møller"},
		{"gazetteer town after a weak cue", "Car towed to Little Rock. Labs pending.", "Little Rock"},
		{"common-list city after a street and a comma", "Lives at 88 Harborview Rd, Gloucester.", "Gloucester"},
		{"city of ordinary words in title case", "The Long Beach office called back.", "Long Beach"},
		{"city in a caseless note", "seen at clinic.\n19171 e arbor curv, des moines\njuly 31st", "des moines"},
		{"facility named after a city, in capitals", "SHE IS A PATIENT AT HONOLULU HOSPITAL. SHE IS STABLE.", "HONOLULU"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if spans := e.Detect(tc.text); !covered(spans, tc.text, tc.want) {
				t.Errorf("Detect(%q) = %v, want %q covered", tc.text, spans, tc.want)
			}
		})
	}
}

func TestCitiesLeaveWordsAndSafeHarborUnitsAlone(t *testing.T) {
	cfg := DefaultConfig()
	cfg.SafeHarborPlacesOnly = true
	e := newEngine(t, cfg)
	for _, text := range []string{
		"COMPARISON: None.\nFINDINGS: no acute process.",       // a town named None
		"Triangle of Koch reviewed with the team.",             // a town name opening a sentence
		"TRIAGE RN ADVISED HIM TO CALL 911 FOR FEVER.",         // a cue, an ordinary word, a number
		"PT REPORTS NONADHERENCE TO VANCOMYCIN 1250 MG Q12H.",  // a drug and a dose in capitals
		"We moved here from Norway 2019 and stayed.",           // a year after a country (the country is regions.go's)
		"Please cite the guideline; Cite Table 2 in the note.", // the verb
		"Give 2 via PO route daily.",                           // "via" after a number is not a street
		"PT ATE GREEN BAY LEAVES AND FELT COLD SPRING AIR.",    // ordinary words in capitals
		"Takes Norco 5/325 mg q6h prn pain. Continue Norco.",   // a drug that is also a town
		"Clinical history: fall, Murphy's sign positive.",      // an eponym after a comma
	} {
		if got := e.Detect(text); len(got) != 0 {
			t.Errorf("Detect(%q) = %v, want no spans", text, got)
		}
	}
}

func TestGazetteerLoaded(t *testing.T) {
	d, err := loadDictionary()
	if err != nil {
		t.Fatalf("loading dictionary: %v", err)
	}
	// add drops words silently once the table is three quarters full: the embedded lists must fit.
	if limit := len(d.keys) * 3 / 4; d.n >= limit {
		t.Fatalf("dictionary holds %d words, at the %d limit of dictSlots: raise dictSlots", d.n, limit)
	}
	t.Logf("dictionary: %d words in %d slots", d.n, len(d.keys))
	tests := []struct {
		word string
		want uint32
	}{
		{"trondheim", wCity},
		{"wrocław", wCity},
		{"gdansk", wCity}, // the accent-free spelling of "gdańsk"
		{"los angeles", wCity},
		{"los", wCityHead},
	}
	for _, tc := range tests {
		if got := d.lookup(tc.word); got&tc.want == 0 {
			t.Errorf("lookup(%q) = %b, want class %b", tc.word, got, tc.want)
		}
	}
	// Ordinary words with inflected forms are not in the gazetteer ("Mobile, AL", "Normal, IL").
	for _, w := range []string{"mobile", "normal", "reading"} {
		if d.lookup(w)&wCity != 0 {
			t.Errorf("lookup(%q) has the city class; ordinary words must be filtered when building", w)
		}
	}
}

// A town after "of" and a person's name is a place for sure, whatever else the word is
// ("Towson" is also a surname), in a note of mixed case or of lower case, where the writer's
// capitals say more; a town after a disease or an unnamed relation is left to the other rules.
func TestTownAfterPersonOf(t *testing.T) {
	cfg := DefaultConfig()
	cfg.RulesOnly = true
	e := newEngine(t, cfg)
	// A note of lower case (under one word in 20 capitalised): its case is folded.
	lower := strings.Repeat("son called and was updated by nsg on status. pt resting, vss, no changes overnight. "+
		"lasix gtt continues at 6 mg/hr and urine output is adequate. ", 4)
	for _, text := range []string{
		"Nephew, Neil Meitz of Towson visited today.",
		lower + "Nephew, Neil Meitz of Towson visited today.",
		"daughter Grace of Reisterstown called twice.",
	} {
		town := "Towson"
		if !strings.Contains(text, town) {
			town = "Reisterstown"
		}
		if got := found(e, text); got[town] != Location {
			t.Errorf("%q: %s not LOCATION (found %v)", text, town, got)
		}
	}
	for _, text := range []string{"Pt has hx of Towson syndrome.", "neil meitz of towson visited today, vss.",
		"Fluid in the Pouch of Towson noted."} {
		if got := found(e, text); got["Towson"] == Location || got["towson"] == Location {
			t.Errorf("%q: town after no capitalised name reported (found %v)", text, got)
		}
	}
}

// "U" and a state's name is a university; a dose's unit before a state's code or a drug is not.
func TestStateUniversity(t *testing.T) {
	e := newEngine(t, Config{RulesOnly: true})
	if got := found(e, "insulin drip per U Maryland scale."); got["U Maryland"] != Location {
		t.Errorf("U Maryland: found %v", got)
	}
	for _, text := range []string{"given 10 U Oregon grape", "5 U NPH and 4 U OR"} {
		if got := found(e, text); got["U Oregon"] != "" || got["U OR"] != "" {
			t.Errorf("%q: a unit read as a university: %v", text, got)
		}
	}
}
