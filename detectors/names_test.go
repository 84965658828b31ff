package detectors

import (
	"strings"
	"testing"
)

func TestNamesAfterInLawsAndStepRelatives(t *testing.T) {
	e := newEngine(t, DefaultConfig())
	tests := []struct{ text, want string }{
		{"Hx obtained from pt and her son-in-law Miles. Will follow.", "Miles"},
		{"Consent signed by pt and daughter-in-law Grace.", "Grace"},
		{"Lives with her stepson Frank near the clinic.", "Frank"},
	}
	for _, tc := range tests {
		if spans := e.Detect(tc.text); !covered(spans, tc.text, tc.want) {
			t.Errorf("Detect(%q) = %v, want %q covered", tc.text, spans, tc.want)
		}
	}
	// "in-law" without a name after it stays clear.
	if got := e.Detect("Discussed with the in-law family at bedside."); len(got) != 0 {
		t.Errorf("Detect(in-law family) = %v, want no spans", got)
	}
}

func TestInvertedNamesWithWordSurnames(t *testing.T) {
	e := newEngine(t, DefaultConfig())
	tests := []struct{ text, want string }{
		{"Seen at clinic. Price, Damian was seen in our clinic on 2/3.", "Price, Damian"},
		{"Plan reviewed.\nRice, Brady MD", "Rice, Brady"},
	}
	for _, tc := range tests {
		if spans := e.Detect(tc.text); !covered(spans, tc.text, tc.want) {
			t.Errorf("Detect(%q) = %v, want %q covered", tc.text, spans, tc.want)
		}
	}
	// A sentence adverb before a name is not a surname.
	text := "However, John was fine."
	for _, s := range e.Detect(text) {
		if s.Start == 0 {
			t.Errorf("Detect(%q) = %v: took the adverb into the name", text, s)
		}
	}
}

func TestNameParticles(t *testing.T) {
	// The rules' particle handling; the learned scorer may still drop an ordinary word after a
	// name on its own evidence, and is judged on the gold sets (gold_test.go).
	e := newEngine(t, Config{RulesOnly: true})
	tests := []struct{ text, want string }{
		{"Dyan van Gijn\n\n864 Piazzetta", "Dyan van Gijn"},
		{"Maika van de Noort\nEmployment manager", "Maika van de Noort"},
		{"Discussed with Mary de Ridder today.", "Mary de Ridder"},
	}
	for _, tc := range tests {
		if spans := e.Detect(tc.text); !covered(spans, tc.text, tc.want) {
			t.Errorf("Detect(%q) = %v, want %q covered", tc.text, spans, tc.want)
		}
	}
	// A particle before an ordinary word stays outside: "John Smith de novo" is not a longer name.
	text := "Seen by John Smith de novo."
	for _, s := range e.Detect(text) {
		if s.End > len("Seen by John Smith") {
			t.Errorf("Detect(%q) = %v: the particle took an ordinary word", text, s)
		}
	}
}

func TestSurnameAfterTitleAndFirstName(t *testing.T) {
	e := newEngine(t, DefaultConfig())
	text := "Could you please correct it to Dr. Justin Beet?"
	if spans := e.Detect(text); !covered(spans, text, "Justin Beet") {
		t.Errorf("Detect(%q) = %v, want %q covered", text, spans, "Justin Beet")
	}
	// The next column or a label after the first name is not a surname.
	for _, text := range []string{"PCP: Doctor Stevenson   Email: on file", "Referring: Dr. Leonard\tBirth date unknown"} {
		for _, s := range e.Detect(text) {
			if got := []rune(text)[s.Start:s.End]; string(got) != "Stevenson" && string(got) != "Leonard" {
				t.Errorf("Detect(%q) flagged %q", text, string(got))
			}
		}
	}
}

func TestMonthThatIsAFirstName(t *testing.T) {
	e := newEngine(t, DefaultConfig())
	for _, tc := range []struct{ text, want string }{
		{"Follow up with Jan Jílek in a couple of months.", "Jan Jílek"},
		{"Follow up with June Carter in 2 weeks.", "June Carter"},
	} {
		if got := found(e, tc.text); got[tc.want] != Name {
			t.Errorf("found(%q) = %v, want %q as NAME", tc.text, got, tc.want)
		}
	}
	// After a day number the month stays a date.
	if got := found(e, "Admitted 4 June Carter present."); got["4 June"] != Date {
		t.Errorf("found(4 June Carter) = %v, want \"4 June\" as DATE", got)
	}
}

func TestNamesThatAreWordsWithWeakEvidence(t *testing.T) {
	e := newEngine(t, DefaultConfig())
	tests := []struct{ text, want string }{
		{"This letter confirms that Amy Gardner (DOB 9/14/51) is a pt here.", "Amy Gardner"},
		{"Off work 10 days. Earl Wise was seen in our clinic on 2/2.", "Earl Wise"},
		{"Specimen ID S47-81902 | Pt Name: Dunn, Hope | Facility: Baptist Rehabilitation Center", "Hope"},
		{"PATIENT NAME: SOLIS, MILES   Address: 4 Horseshoe Rd", "MILES"},
	}
	for _, tc := range tests {
		if spans := e.Detect(tc.text); !covered(spans, tc.text, tc.want) {
			t.Errorf("Detect(%q) = %v, want %q covered", tc.text, spans, tc.want)
		}
	}
	for _, text := range []string{
		"Insurance: Harvard Pilgrim, member since 2019.",
		"Policy through Blue Cross Blue Shield of Texas.",
		"JP drain: Jackson-Pratt drain with serous output.",
	} {
		for _, s := range e.Detect(text) {
			if s.Type == Name {
				t.Errorf("Detect(%q) = %v: a payer or eponym read as a name", text, s)
			}
		}
	}
}

func TestNamePropagation(t *testing.T) {
	e := newEngine(t, DefaultConfig())
	text := "Crystal Wise was seen by Dr. Ruiz. Please excuse Crystal Wise from school.\nRE: WISE, CRYSTAL"
	spans := e.Detect(text)
	runes := []rune(text)
	got := 0
	for _, s := range spans {
		if w := string(runes[s.Start:s.End]); s.Type == Name && (w == "Crystal Wise" || w == "WISE, CRYSTAL") {
			got++
		}
	}
	if got != 3 {
		t.Errorf("Detect(%q) = %v: want all 3 mentions of the name", text, spans)
	}
	// A word of a name that is also ordinary is not taken alone at a sentence start.
	text = "Hope Dunn called. Hope to transition to PO abx."
	for _, s := range e.Detect(text) {
		if s.Start == 18 {
			t.Errorf("Detect(%q) = %v: took the ordinary word", text, s)
		}
	}
}

func TestEponymsAndAcronymsAreNotNames(t *testing.T) {
	e := newEngine(t, DefaultConfig())
	for _, text := range []string{
		"Skin intact; Braden 13. Tinetti 16/28 = high fall risk.",
		"Acute inferior STEMI, Killip class I. Hoehn and Yahr stage 2.5.",
		"Ddx: Miller Fisher, Lambert-Eaton, West Nile. Neer and Hawkins-Kennedy negative.",
		"Hughes functional grade 3; modified Fisher 3; Wagner grade 2.",
		"AVA 0.8 cm2, ALP of 412 U/L, UF 2.5 L, per MSW.",
		"Tolerated Passy-Muir valve trials x30 mins. Quinton cath removed; permacath placed. Greenfield filter in place.",
	} {
		for _, s := range e.Detect(text) {
			if s.Type == Name {
				t.Errorf("Detect(%q) = %v: an eponym or acronym read as a name", text, s)
			}
		}
	}
	// The same words as people's names are still names.
	for _, tc := range []struct{ text, want string }{
		{"Seen with his daughter Ellen Fisher today.", "Fisher"},
		{"Consent witnessed by Dr. LEE and Mark Wagner.", "Wagner"},
		{"Line placed by Dr. Quinton today.", "Quinton"},
	} {
		if spans := e.Detect(tc.text); !covered(spans, tc.text, tc.want) {
			t.Errorf("Detect(%q) = %v, want %q covered", tc.text, spans, tc.want)
		}
	}
}

// TestEponymSurnamesAfterATitle: a surname that also names a scale ("Wagner grade", "Hoehn and
// Yahr") is a person after a title, for the rules alone and by default.
func TestEponymSurnamesAfterATitle(t *testing.T) {
	for _, cfg := range []Config{DefaultConfig(), {RulesOnly: true}} {
		e := newEngine(t, cfg)
		for _, tc := range []struct{ text, want string }{
			{"Seen by Dr. Wagner and Dr. Lee. Trauma activation at 4:43 PM.", "Wagner"},
			{"Seen by Dr. Simpson and Dr. Okafor today.", "Simpson"},
		} {
			if spans := e.Detect(tc.text); !covered(spans, tc.text, tc.want) {
				t.Errorf("rules only %v: Detect(%q) = %v, want %q covered", cfg.RulesOnly, tc.text, spans, tc.want)
			}
		}
		if got := e.Detect("Hoehn and Yahr stage 3. Wagner grade 2 ulcer."); len(got) != 0 {
			t.Errorf("rules only %v: Detect(eponyms) = %v, want no spans", cfg.RulesOnly, got)
		}
	}
}

// The subject of a patient's age, a name that is also a word after a relation ("husband Art") or
// before a credential, and a given name signing a line of vitals; not a word after a sentence's end.
func TestNamesOfAgeSubjectsRelationsAndWordSignatures(t *testing.T) {
	e := newEngine(t, DefaultConfig())
	for _, tc := range []struct{ text, want string }{
		{"labs: hgb 13.5, cl 102, plt 283. jesus is a 24 y/o man w/ osteoarthritis", "jesus"},
		{"Pt ambulated in hall with walker x7 laps, tolerated well.\nWill, RN", "Will"},
		{"HE HAS HIS THERAPIST T. O'BRIEN'S NUMBER.", "O'BRIEN"},
		{"Collateral from husband Art at 555-201-3344. Strong cough.", "Art"},
		{"VITALS: TEMP 99.4, PULSE 78, RESPIRATIONS 16  AMY\n0130  BP 104/89 HR 52  JANE SMITH\n", "AMY"},
		{"2101  BP 167/60 HR 69 RR 17 T 97.8 SpO2 99% RA  May\n", "May"},
		{"06:35  Vitals: temp 99.9°F, pulse 92, BP 172/70, respirations 24  Art\n", "Art"},
		{"Your fathr Art was given a copy of these instructions.", "Art"},
		{"Urine clear. Family: Son, Ed, was updated by MD today.", "Ed"},
	} {
		if spans := e.Detect(tc.text); !covered(spans, tc.text, tc.want) {
			t.Errorf("Detect(%q) = %v, want %q covered", tc.text, spans, tc.want)
		}
	}
	for _, text := range []string{"Pt is a 67 yo male. He was admitted on the ward. This is a 45 yo man.", "Will recheck labs, RN aware.",
		"Eating poorly with wife. Insulin gtt titrated.", "Spoke with husband. Aware of plan.",
		"Son, ED, was called."} {
		if got := e.Detect(text); len(got) != 0 {
			t.Errorf("Detect(%q) = %v, want no spans", text, got)
		}
	}
}

// A letter alone is no name unless a title or a name is beside it.
func TestLoneLettersAreNoNames(t *testing.T) {
	e := newEngine(t, DefaultConfig())
	for _, text := range []string{"returned to bed w hoyer. p.t. reconsulted", "awaiting repair of pseudoaneurysm to L ICA. Neuro: intact"} {
		for _, s := range e.Detect(text) {
			if s.Type == Name {
				t.Errorf("Detect(%q) = %v: a lone letter read as a name", text, s)
			}
		}
	}
	if text := "pmicu nursing progress\nmr I remained on same doses"; !covered(e.Detect(text), text, "I") {
		t.Errorf("Detect(%q): the initial after a title is lost", text)
	}
}

// In capitals, an ordinary word after a one-word surname is the sentence going on, not a second
// surname; a given name and a surname that is also a word stay one name.
func TestCommonWordEndsSurnameInCapitals(t *testing.T) {
	e := newEngine(t, Config{RulesOnly: true})
	for _, tc := range []struct{ text, name, after string }{
		{"PT/FAMILY COPING: DR IMBORNONE MET WITH PT AND FAMILY", "IMBORNONE", "IMBORNONE MET"},
		{"BP 88/40. NP DJURIC MADE AWARE, PT BOLUSED.", "DJURIC", "DJURIC MADE"},
	} {
		spans := e.Detect(tc.text)
		if !covered(spans, tc.text, tc.name) {
			t.Errorf("Detect(%q) = %v, want %q covered", tc.text, spans, tc.name)
		}
		end := strings.Index(tc.text, tc.after) + len(tc.after)
		for _, s := range spans {
			if s.Type == Name && s.End >= end {
				t.Errorf("Detect(%q) = %v: the name took the word after it", tc.text, s)
			}
		}
	}
	text := "SEEN BY DR JOHN BROWN TODAY"
	if spans := e.Detect(text); !covered(spans, text, "JOHN BROWN") {
		t.Errorf("Detect(%q) = %v, want %q covered", text, spans, "JOHN BROWN")
	}
}

// "MS:" opening a line is the mental-status heading: the word after it is no name; "Ms. Jones" is.
func TestMentalStatusHeadingIsNoTitle(t *testing.T) {
	e := newEngine(t, Config{RulesOnly: true})
	for _, text := range []string{"WBC 9.2    MS: Pleasant elderly female who follows", "MS/SOCIAL- FAMILY ATTORNEY IN TO DISCUSS"} {
		for _, s := range e.Detect(text) {
			if s.Type == Name {
				t.Errorf("Detect(%q) = %v: a heading read as a title", text, s)
			}
		}
	}
	text := "Seen with Ms. Jones today."
	if spans := e.Detect(text); !covered(spans, text, "Jones") {
		t.Errorf("Detect(%q) = %v, want %q covered", text, spans, "Jones")
	}
}

func TestRelationSlip(t *testing.T) {
	for w, want := range map[string]bool{"fathr": true, "hsuband": true, "daugher": true, "father": false, "sist": false,
		"fatherr": false, "mtoher": true, "son": false, "artery": false} {
		if got := relationSlip(w); got != want {
			t.Errorf("relationSlip(%q) = %v, want %v", w, got, want)
		}
	}
}

// A capital letter after Mr, Mrs or Ms is the patient's initial when a point or a word in lower
// case follows it; "MS A&O" (mental status) is not. An "o" written apart from the surname after
// a cue joins it ("Dr. o rourke").
func TestTitleInitialsAndApartParticle(t *testing.T) {
	e := newEngine(t, Config{RulesOnly: true})
	wantFound(t, e, Name,
		[2]string{"pmicu nursing progress\nmr I remained on same doses", "I"},
		[2]string{"NOT INVOLVED WITH MRS K. CARE TODAY", "K"},
		[2]string{"Mrs. T is resting comfortably", "T"})
	wantNoSpan(t, e, "a letter read as an initial", func(s Span) bool { return s.Type == Name && s.End-s.Start == 1 },
		"MS A&O x3, MAE", "MS A and O x3, follows commands", "Mr Jones said I was fine")
	sc := &scan{e: e}
	for _, c := range []struct {
		text string
		at   int // the token after the cue
		want string
	}{
		{"Dr. o rourke in room", 2, "o rourke"},
		{"Dr. o and", 2, ""},
	} {
		sc.reset(c.text)
		got := ""
		if end, ok := sc.nameWordsFrom(c.at, 3); ok {
			got = c.text[sc.toks[c.at].s:end]
		}
		if got != c.want {
			t.Errorf("nameWordsFrom(%q) = %q, want %q", c.text, got, c.want)
		}
	}
}

// A given name before a verb of visiting, calling or reporting, opening a sentence or a label's
// value, is a visitor's name in any case; an abbreviation in capitals or a name inside a clause is
// left to the other rules.
func TestVisitorNames(t *testing.T) {
	e := newEngine(t, Config{RulesOnly: true})
	wantFound(t, e, Name,
		[2]string{"only child. Emily reports that pt has a wheelchair.", "Emily"},
		[2]string{"social: bob visited during the evening", "bob"},
		[2]string{"son and karen called twice", "karen"})
	wantNoSpan(t, e, "read as a visitor", func(s Span) bool { return s.Type == Name },
		"aware. HO called back", "pt states pain is 4", "the bill called for")
}

// A relation is the cue of a name and never one, and the letters of a two-letter clinical
// shorthand ("S/P", "o/n") are no initials, whatever the scorer reads into them.
func TestCueWordsAreNoNames(t *testing.T) {
	sc := &scan{e: newEngine(t, DefaultConfig())}
	for _, c := range []struct {
		text  string
		veto  []string
		clear []string
	}{
		{"MICU ADDENDUM\nSons Smokey, Morris and Roger in to visit.", []string{"Sons"}, []string{"Smokey", "Morris"}},
		{"FAMILY IN INCLUDING WIFE, DAUGHTER, SUPPORTIVE", []string{"WIFE", "DAUGHTER"}, []string{"FAMILY"}},
		{"S/P AMI with IABP; son updated o/n.", []string{"S", "P", "o", "n"}, []string{"AMI", "IABP"}},
	} {
		sc.reset(c.text)
		sc.veto = make([]bool, len(sc.toks))
		for i := range sc.toks {
			if sc.toks[i].kind == tWord {
				sc.vetoCueWords(i)
			}
		}
		vetoed := map[string]bool{}
		for i, v := range sc.veto {
			if v {
				vetoed[sc.word(i)] = true
			}
		}
		for _, w := range c.veto {
			if !vetoed[w] {
				t.Errorf("%q: %q not vetoed (vetoed %v)", c.text, w, vetoed)
			}
		}
		for _, w := range c.clear {
			if vetoed[w] {
				t.Errorf("%q: %q vetoed", c.text, w)
			}
		}
	}
	e := newEngine(t, DefaultConfig())
	text := "MICU ADDENDUM\nSons Smokey, Morris and Roger in to visit."
	if spans := e.Detect(text); covered(spans, text, "Sons") || !covered(spans, text, "Smokey") {
		t.Errorf("Detect(%q) = %v: want Smokey, not Sons", text, spans)
	}
}

// A verb its subject takes ends a name, though the lists of surnames hold it: "WENT", "CAME" and
// "STATES" are surnames too.
func TestSubjectVerbEndsName(t *testing.T) {
	e := newEngine(t, Config{RulesOnly: true})
	wantFound(t, e, Name,
		[2]string{"SOCIAL: FAMILY IN TO VISIT. SON WILLIAM WENT BACK TO CALIFORNIA.", "WILLIAM"},
		[2]string{"Plan discussed with son William went home after visit.", "William"},
		[2]string{"Seen by Dr. Gerald Came and Dr. Ruiz.", "Gerald Came"}) // capitalised in a sentence: the surname
	wantFound(t, e, Name, [2]string{"wife Mary came in and states she will stay", "Mary"})
}
