package detectors

import (
	"strings"
	"testing"
)

func TestForeignStreetWordsInLowerCase(t *testing.T) {
	e := newEngine(t, DefaultConfig())
	tests := []struct{ text, want string }{
		{"It's in 0269 Stensås terrasse 38, near the port.", "0269 Stensås terrasse 38"},
		{"Send to 2224 Trenerys gate 232 today.", "2224 Trenerys gate 232"},
		{"Lives at 6614 Luite tee 87 with her son.", "6614 Luite tee 87"},
		{"Address: 5533 119 Countess Close, Seatoun", "5533 119 Countess Close"},
	}
	for _, tc := range tests {
		if spans := e.Detect(tc.text); !covered(spans, tc.text, tc.want) {
			t.Errorf("Detect(%q) = %v, want %q covered", tc.text, spans, tc.want)
		}
	}
	for _, text := range []string{"Take 2 Tablets by mouth at the gate.", "Close follow-up in 2 weeks."} {
		if got := e.Detect(text); len(got) != 0 {
			t.Errorf("Detect(%q) = %v, want no spans", text, got)
		}
	}
}

func TestFacilityNameEndingTheText(t *testing.T) {
	e := newEngine(t, DefaultConfig())
	for _, tc := range []struct{ text, want string }{
		{"Max Chavez, MD\nSalazar Medical Urgent Care", "Salazar Medical Urgent Care"},
		{"Giovanni Brewer, MD\nHoly Cross Behavioral Health", "Holy Cross Behavioral Health"},
	} {
		if spans := e.Detect(tc.text); !covered(spans, tc.text, tc.want) {
			t.Errorf("Detect(%q) = %v, want %q covered", tc.text, spans, tc.want)
		}
	}
	if got := e.Detect("Referred to Primary Care"); len(got) != 0 {
		t.Errorf("Detect(Primary Care) = %v, want no spans", got)
	}
}

func TestLocationsNumberedRoadsUnitsAndFacilities(t *testing.T) {
	e := newEngine(t, DefaultConfig())
	for _, tc := range []struct{ text, want string }{
		{"Millbrook Family Medicine, 2200 Route 9, Millbrook, NY 12545", "2200 Route 9"},
		{"Department of Pathology, 1500 N. Lakeshore Drive, Chicago", "1500 N. Lakeshore Drive"},
		{"NHS No. 943 476 5919\nFlat 6, 19 Caversham Court, Reading RG4 8BX", "Flat 6"},
		{"Specimen sent to Coastal Dermatopathology Lab, requisition pending.", "Coastal Dermatopathology"},
		{"Funeral home: Kowalski-Brennan Funeral Home, Parma.", "Funeral Home"},
		{"Vehicle towed to Hope. 60 year old M s/p MVC.", "Hope"},
	} {
		if spans := e.Detect(tc.text); !covered(spans, tc.text, tc.want) {
			t.Errorf("Detect(%q) = %v, want %q covered", tc.text, spans, tc.want)
		}
	}
	for _, text := range []string{"INTERNAL MEDICINE CLINIC NOTE\nSeen today.", "OPHTHALMOLOGY - RETINA CLINIC  4/4/2024"} {
		for _, s := range e.Detect(text) {
			if s.Type == Location {
				t.Errorf("Detect(%q) = %v: a department heading read as a place", text, s)
			}
		}
	}
}

// A ward slot stops before a date or a clock time: "the floor 8/17" is not one place.
func TestFacilitySlotStopsAtDateAndTime(t *testing.T) {
	e := newEngine(t, DefaultConfig())
	for _, text := range []string{"SHE WAS TRANSFERRED TO THE FLOOR 8/17. SINCE THEN", "PT WAS SENT TO CCU AT 10PM 7/1 FOR CLOSER MONITORING"} {
		got := found(e, text)
		for _, w := range []string{"FLOOR", "10PM"} {
			if got[w] != "" {
				t.Errorf("%q: %q reported as %s (found %v)", text, w, got[w], got)
			}
		}
	}
}

// A hospital's initials after a place preposition are a place, in any case; the outside hospital
// and words are not.
func TestHospitalInitialsInSlot(t *testing.T) {
	e := newEngine(t, Config{RulesOnly: true})
	for _, text := range []string{"PT SENT TO ED AT GH. PT WAS", "that she had at gh. SHe presents", "MAY BE W/U BY GBMC FOR"} {
		if len(e.Detect(text)) == 0 {
			t.Errorf("%q: hospital initials not reported", text)
		}
	}
	for _, text := range []string{"transferred from OSH with", "WENT TO THE BATH AND HOME"} {
		if got := e.Detect(text); len(got) != 0 {
			t.Errorf("%q: reported %v, want nothing", text, got)
		}
	}
}

// A number alone is no place; a unit's number after its designator and a ZIP code are.
func TestBareNumbersAreNoPlaces(t *testing.T) {
	e := newEngine(t, DefaultConfig())
	for _, text := range []string{"has DDD pacemaker set @ 60- R radial A-line", "endo: glucose in or 209 recieved 10 units", "WBC up to 10K (from 6K)."} {
		for _, s := range e.Detect(text) {
			if s.Type == Location {
				t.Errorf("Detect(%q) = %v: a number read as a place", text, s)
			}
		}
	}
	text := "Lives at 44 Maple Hill Rd, Apt 2, Lowell, MA 01852."
	for _, want := range []string{"2", "01852"} {
		if !covered(e.Detect(text), text, want) {
			t.Errorf("Detect(%q): %q not covered", text, want)
		}
	}
}

// An ordinal written apart from its number is no house number, and "ST" after a heart rhythm is sinus
// tachycardia, no saint; a street named after the suffix still is a street.
func TestOrdinalsAndRhythmsAreNoPlaces(t *testing.T) {
	e := newEngine(t, Config{RulesOnly: true})
	for _, text := range []string{"TRANSFUSE WITH 3 RD UNIT OF PRBCS", "GIVEN 2 ND DOSE OF LASIX", "CV: NSR to ST HR 87-103 no ectopy."} {
		for _, s := range e.Detect(text) {
			if s.Type == Location {
				t.Errorf("Detect(%q) = %v: read as a place", text, s)
			}
		}
	}
	text := "Lives at 21 St Marks Place, Apt 4"
	if !covered(e.Detect(text), text, "21") {
		t.Errorf("Detect(%q): the house number not covered", text)
	}
}

// A facility named by a possessive in capitals is a place; a possessive of an ordinary word is not.
func TestFacilityAfterPossessive(t *testing.T) {
	e := newEngine(t, Config{RulesOnly: true})
	for _, text := range []string{"PRIOR EXAM FROM 3/4 AT CHILDREN'S HOSPICE.\nFINDINGS: NONE.", "SHE WENT TO ST. MARY'S HOSPITAL BY AMBULANCE."} {
		want := "HOSPI"
		if !covered(e.Detect(text), text, want) {
			t.Errorf("Detect(%q): the facility not reported", text)
		}
	}
	text := "PLAN: REVIEW PATIENT'S HOSPITAL COURSE WITH TEAM TODAY."
	if got := e.Detect(text); len(got) != 0 {
		t.Errorf("Detect(%q) = %v, want nothing", text, got)
	}
}

// The employer after a work cue is a place (as the PhysioNet gold marks it): an acronym or a
// capitalised name; an ordinary word after the cue is none.
func TestEmployerAfterWorkCue(t *testing.T) {
	e := newEngine(t, Config{RulesOnly: true})
	wantFound(t, e, Location,
		[2]string{"SOCIAL: MARRIED. HUSBAND CEO OF IBM. SMOKER.", "IBM"},
		[2]string{"Social: wife works at Verizon, lives with pt.", "Verizon"},
		[2]string{"retired from Acme Tool Works in 1990", "Acme Tool Works"})
	// At the employer's score: "at BAR" is a weak place slot too.
	wantNoSpan(t, e, "an ordinary word read as an employer", func(s Span) bool { return s.Type == Location && s.Score >= 0.9 },
		"son works at home", "he worked for the city", "works at night as a guard", "SOCIAL: WORKS AT BAR, SMOKES")
}

// The type of what is found is what a placeholder or surrogate says: an address or facility whose
// words are also surnames is a place, a date on the line after an address is not part of it, and
// a YYYYMMDD number is a date. A person's name a place rule also proposed stays a name.
func TestPlacesAndDatesTypedAsSuch(t *testing.T) {
	e := newEngine(t, DefaultConfig())
	for _, tc := range []struct {
		text, span string
		want       Type
	}{
		{"Gender: female   Address: 194 N Diamond Ln, Dallas, TX 75291\nChief Complaint:", "194 N Diamond Ln, Dallas, TX 75291", Location},
		{"Home health agency Oak Park Manor accepted; start of care Friday.", "Oak Park Manor", Location},
		{"Advised ED eval at Harborview Manor. Pharmacy called.", "Harborview Manor", Location},
		{"Patient address:\n19722 21st Avenue, Fresno\n07.21.2016\nDear Dr. Smith,", "19722 21st Avenue, Fresno", Location},
		{"Patient address:\n19722 21st Avenue, Fresno\n07.21.2016\nDear Dr. Smith,", "07.21.2016", Date},
		{"St. Luke's Clinic\n448 Hickory Road, Oakland\n24th August 2023\n\nTo whom it may concern,", "24th August 2023", Date},
		{"Shriners Home\n11746 Foster Rd, Independence\n20250303\n\nTo whom it may concern,", "20250303", Date},
		{"Admit Date: 20200422\nDischarge: 20200619", "20200422", Date},
		{"Read by Gavin Alvarez, MD. Images viewed at workstation.", "Gavin Alvarez", Name},
		{"Prescriptions to Publix Pharmacy in Houston.\nSign up for the portal.", "Houston", Location},
		{"Pt asked about d/c to Cedar Ridge Regional Cardiology Associates.\nTurned q2h.", "Cedar Ridge Regional Cardiology Associates", Location},
		{"Spoke with Jackson in clinic about the plan.", "Jackson", Name},
		{"Sincerely,\nHoward Woods, MD\nLicense T3203661", "Howard Woods", Name},
		{"FALL PRECAUTIONS IN PLACE.\n1423 PAGED DR LIU RE: AST 25.", "1423 PAGED DR LIU", Name},
		{"Lives at 6 Victoria Pkwy Apt 16\nBuffalo, NY 14220 with her son.", "6 Victoria Pkwy Apt 16\nBuffalo, NY 14220", Location},
	} {
		var got []Span
		for _, s := range e.Detect(tc.text) {
			if tc.text[s.Start:s.End] == tc.span || strings.HasPrefix(tc.text[s.Start:s.End], tc.span) && strings.Trim(tc.text[s.Start+len(tc.span):s.End], ". ") == "" {
				got = append(got, s)
			}
		}
		if len(got) != 1 || got[0].Type != tc.want {
			t.Errorf("Detect(%q): want %q found alone as %s, got %v", tc.text, tc.span, tc.want, e.Detect(tc.text))
		}
	}
	// Postal codes are not read as dates, whatever their shape.
	sc := &scan{e: e}
	for text, want := range map[string]bool{"02-677 Warszawa": false, "1000-001 Lisboa": false, "12345": false,
		"07.21.2016": true, "2017-06-11": true, "25-JAN-24": true, "24th August": true, "8 Aug 2015": true, "20250303": true, "20251303": false} {
		sc.reset(text)
		if got := sc.dateStartsAt(0); got != want {
			t.Errorf("dateStartsAt(%q) = %v, want %v", text, got, want)
		}
	}
}
