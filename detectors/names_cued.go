package detectors

// Names where nursing notes put them, in any case, proposed for the learned scorer (NAME, low
// scores): after a relation or role ("son bill", "Family: Son, Ed", "HOUSE STAFF mary souza",
// "NP CAROL", "per DOUGLASS"), and an initial before a surname ("d. renna", "W. MAROTTA",
// "q. lander rrt"). The rules of names.go need capitals or a title to report such words; in a
// note without capitals, or a line of them, the cue is all there is.
func init() {
	register(Spec{Name: "cued_names", Types: []Type{Name},
		Description: "words after relation and role cues, and surnames after an initial, in any case, proposed for the learned scorer"},
		detectCuedNames)
}

// Role words of staff before a name, beside the relations and titles of nameCueBefore.
var staffCue = map[string]bool{"staff": true, "np": true, "rn": true, "md": true, "dr": true, "drs": true,
	"nurse": true, "per": true, "docter": true, "pa": true, "resident": true, "fellow": true, "intern": true,
	"nsg": true, "dtr": true, "sis": true, "bro": true, "hcp": true}

func detectCuedNames(sc *scan) {
	toks := sc.toks
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		if t.kind != tWord {
			continue
		}
		c := sc.cls[i]
		if n := t.e - t.s; n == 1 || c&wNameCue != 0 || n >= 4 && sc.text[t.e-1]|0x20 == 's' { // the cheap tests first
			sc.vetoCueWords(i)
		}
		cue := sc.titleAt(i) || c&wSlotCue != 0 && staffCueTable.get(sc, i) || c&wNameCue != 0 && nameCueTable.get(sc, i) >= 0.35
		if !cue && c == 0 && i+1 < len(toks) && sc.relationName(i, i+1) {
			sc.add(toks[i+1].s, toks[i+1].e, Name, 0.97) // a relation misspelt: "fathr Art", "hsuband Will"
			continue
		}
		if cue {
			k := i + 1
			for k < len(toks) && (sc.isPunct(k, ',') || sc.isPunct(k, ':') || sc.isPunct(k, '.') || sc.isPunct(k, '-')) && !toks[k].has(fNewline) {
				k++
			}
			if sc.titleInitial(i, k) {
				sc.add(toks[k].s, toks[k].e, Name, 0.97) // "mr I remained", "MS S. CARE"
				continue
			}
			if sc.relationName(i, k) {
				e, _ := sc.nameWordsFrom(k, 3)
				sc.add(toks[k].s, max(e, toks[k].e), Name, 0.97) // "husband Art", "Family: Son, Ed"
			} else if e, ok := sc.nameWordsFrom(k, 3); ok {
				sc.add(toks[k].s, e, Name, 0.35)
			} else if c&wNameCue != 0 && k < len(toks) && toks[k].kind == tWord && toks[k].has(fCap) &&
				sc.cls[k]&wFirst != 0 && sc.cls[k]&(wStop|wMonth|wWeekday) == 0 && !toks[k].has(fNewline) {
				sc.add(toks[k].s, toks[k].e, Name, 0.35) // a given name that is also a word: "son Will"
			}
			continue
		}
		// A signature closing a line of vital signs, after a gap: "... spo2 96% ra  Will".
		// A given name is one for sure ("AMY", "Will"), and so is a month there, no date without
		// its day ("May"), or a word capitalised in a line of mixed case ("Art"); a word in
		// capitals or lower case that is on no list of given names is the scorer's to judge.
		if (i+1 == len(toks) || toks[i+1].has(fNewline)) && sc.lineSignature(i) { // its first test, without a call
			score := 0.35
			if c&(wFirst|wMonth) != 0 || sc.titleCased(i) {
				score = 0.97
			}
			sc.add(t.s, t.e, Name, score)
		}
		// The subject of a patient's age or admission, opening a sentence: "jesus is a 24 y/o man",
		// "RYDER IS A 24 YEARS OLD MAN", "Art was admitted on".
		if sc.patientSubject(i) && sc.sentenceStart(i) {
			if e, ok := sc.nameWordsFrom(i, 1); ok {
				sc.add(t.s, e, Name, 0.35)
			}
		}
		if c&wFirst != 0 && sc.visitorName(i) {
			sc.add(t.s, t.e, Name, 0.9)
		}
		// An initial and a surname: "d. renna", "W. MAROTTA", "j. o'brien".
		if t.e-t.s == 1 && sc.isPunct(i+1, '.') && sc.glued(i+1) && i+2 < len(toks) && toks[i+2].has(fSpace) &&
			!toks[i+2].has(fNewline) {
			if e, ok := sc.nameWordsFrom(i+2, 2); ok {
				sc.add(t.s, e, Name, 0.3)
			}
		}
	}
}

// vetoCueWords keeps word i from the scorer's names when it is a relation, the cue of a name and
// never one ("Sons Smokey, Morris and Roger", "Niece, Patricia"), or a letter of a clinical
// shorthand of two letters ("S/P AMI", "c/o", "o/n").
func (sc *scan) vetoCueWords(i int) {
	t := sc.toks[i]
	n := t.e - t.s
	switch {
	case n == 1 && sc.isPunct(i+1, '/') && sc.glued(i+1) && i+2 < len(sc.toks) && sc.glued(i+2) &&
		sc.toks[i+2].kind == tWord && sc.toks[i+2].e-sc.toks[i+2].s == 1 && !sc.isPunct(i+3, '/'):
		sc.vetoTokens(t.s, sc.toks[i+2].e)
	case sc.cls[i]&wNameCue != 0 && relations[sc.lw(i)]:
		sc.vetoTokens(t.s, t.e)
	case n >= 4 && relationPlural(sc.lw(i)):
		sc.vetoTokens(t.s, t.e) // "Sons", "DAUGHTERS"
	}
}

// relationPlural reports w the plural of a relation. A switch: asked of many words ending in "s",
// it is cheaper than a map.
func relationPlural(w string) bool {
	switch w {
	case "sons", "daughters", "wives", "husbands", "mothers", "fathers", "moms", "dads", "sisters", "brothers",
		"spouses", "partners", "boyfriends", "girlfriends", "nephews", "nieces", "granddaughters", "grandsons",
		"grandmothers", "grandfathers", "aunts", "uncles", "cousins", "fiances", "fiancees", "friends", "caregivers",
		"proxies", "proxys", "guardians", "dtrs", "parents", "children", "grandchildren":
		return true
	}
	return false
}

// titleInitial reports token k a patient's initial after title i: one capital letter after "Mr",
// "Mrs", "Ms" or "Miss", before a point, or before a word in lower case after Mr or Mrs ("mr I
// remained", "MS S. CARE").
func (sc *scan) titleInitial(i, k int) bool {
	switch sc.lw(i) {
	case "mr", "mrs", "ms", "miss":
	default:
		return false
	}
	if k+1 >= len(sc.toks) || sc.toks[k].kind != tWord || sc.toks[k].e-sc.toks[k].s != 1 || sc.toks[k].has(fNewline) {
		return false
	}
	if c := sc.text[sc.toks[k].s]; c < 'A' || c > 'Z' {
		return false
	}
	if sc.isPunct(k+1, '.') && sc.glued(k+1) {
		return true
	}
	// Before a word in lower case, after Mr or Mrs only: "MS A and O" is mental status.
	next := sc.toks[k+1]
	return sc.lw(i) != "ms" && next.kind == tWord && next.has(fSpace) && !next.has(fNewline) &&
		sc.text[next.s] >= 'a' && sc.text[next.s] <= 'z'
}

// relationName reports word k right after relation i (or after its comma or colon) a name for sure:
// capitalised by the writer (titleCased), and no word that is never one ("husband Art", "Family: Son,
// Ed"; "art" is on no list of given names).
func (sc *scan) relationName(i, k int) bool {
	if k >= len(sc.toks) || k > i+2 || k == i+2 && !sc.isPunct(i+1, ',') && !sc.isPunct(i+1, ':') {
		return false
	}
	t := sc.toks[k]
	never := wStop | wTitle | wMedical | wMonth | wWeekday | wLabel | wUnit | wStreet | wCredential
	if k == i+2 && sc.isPunct(i+1, ',') && sc.isPunct(k+1, ',') {
		never &^= wMedical // between commas, title-cased: "Son, Ed, was updated" (the department is "ED")
	}
	if t.kind != tWord || t.e-t.s < 2 || !sc.titleCased(k) || t.has(fNewline) || sc.cls[k]&never != 0 {
		return false
	}
	w := sc.lw(i) // the word's own tests first: they are cheaper than a relation's slips
	return relations[w] || relationSlip(w)
}

// Relations whose name may follow them.
var relations = map[string]bool{"son": true, "daughter": true, "wife": true, "husband": true, "mother": true,
	"father": true, "mom": true, "dad": true, "sister": true, "brother": true, "spouse": true, "partner": true,
	"boyfriend": true, "girlfriend": true, "nephew": true, "niece": true, "granddaughter": true, "grandson": true,
	"grandmother": true, "grandfather": true, "aunt": true, "uncle": true, "cousin": true, "fiance": true,
	"fiancee": true, "friend": true, "caregiver": true, "proxy": true, "guardian": true, "dtr": true, "sis": true, "bro": true}

// relationSlip reports w a relation of four letters or more with one letter dropped or two
// neighbours swapped ("fathr", "hsuband", "daugher").
func relationSlip(w string) bool {
	if len(w) < 4 || len(w) > 12 {
		return false
	}
	for r := range relations {
		if len(r) < len(w) || len(r) > len(w)+1 {
			continue
		}
		i := 0 // the first byte where they differ
		for i < len(w) && r[i] == w[i] {
			i++
		}
		if i == len(w) {
			continue // equal, or r is w and one letter more at its end: "sist" is no slip
		}
		if len(r) == len(w)+1 && r[i+1:] == w[i:] ||
			len(r) == len(w) && i+1 < len(w) && r[i] == w[i+1] && r[i+1] == w[i] && r[i+2:] == w[i+2:] {
			return true
		}
	}
	return false
}

// nameWordsFrom returns the end of up to max name words from token k on its line: words of a name
// list or no dictionary at all, of two letters or more, not stop, title, clinical or month words;
// false when token k is not one.
func (sc *scan) nameWordsFrom(k, max int) (int, bool) {
	toks := sc.toks
	e, n := 0, 0
	for ; k < len(toks) && n < max; k++ {
		t := toks[k]
		if n > 0 && (t.has(fNewline) || t.kind == tPunct && !(sc.isPunct(k, '\'') || sc.isPunct(k, '-')) || !t.has(fSpace) && t.kind != tWord && toks[k-1].kind != tPunct) {
			break
		}
		if t.kind == tPunct {
			if n > 0 && sc.glued(k) && k+1 < len(toks) && sc.glued(k+1) && toks[k+1].kind == tWord {
				continue // "o'brien", "forman-lyons"
			}
			break
		}
		if n == 0 && t.e-t.s == 1 && sc.isPunct(k+1, '\'') && sc.glued(k+1) && k+2 < len(toks) && sc.glued(k+2) &&
			toks[k+2].kind == tWord && (sc.lw(k) == "o" || sc.lw(k) == "d") {
			e, n = toks[k+2].e, 1 // "O'BRIEN", "d'angelo"
			k += 2
			continue
		}
		if n == 0 && sc.lw(k) == "o" && k+1 < len(toks) && toks[k+1].kind == tWord && toks[k+1].has(fSpace) &&
			!toks[k+1].has(fNewline) {
			k++ // "dr. o rourke": O' written apart; the surname takes the tests below
			t = toks[k]
		}
		cls := sc.cls[k]
		if t.kind != tWord || t.e-t.s < 2 || cls&(wStop|wTitle|wMedical|wMonth|wWeekday|wLabel|wUnit|wStreet) != 0 ||
			cls&(wFirst|wLast) == 0 && cls != 0 || sc.isCredential(k) {
			break
		}
		if n == 1 && toks[k-1].kind == tWord && sc.commonAfterSurname(k-1, k) {
			break // "per DOUGLASS MADE AWARE"
		}
		if n > 0 && sc.subjectVerb(k) {
			break
		}
		e, n = t.e, n+1
	}
	return e, n > 0
}

// subjectVerb reports word k a verb its subject takes, which the lists of surnames also hold, not
// capitalised by the writer: after a name it is the sentence going on ("SON WILLIAM WENT BACK",
// "wife Mary came in"), where "Dr. Gerald Came" is a surname.
func (sc *scan) subjectVerb(k int) bool {
	if sc.titleCased(k) {
		return false
	}
	switch sc.lw(k) {
	case "went", "came", "left", "arrived", "returned", "visited", "called", "phoned", "states", "stated",
		"reports", "reported", "made", "met", "wants", "wanted", "feels", "felt", "asked", "agreed", "spoke":
		return true
	}
	return false
}

// visitorName reports given name i a visitor or caller: before a verb of visiting, calling or
// reporting, opening a sentence or a label's value ("Emily reports that", "social: bob visited");
// not a title, clinical or label word, nor an abbreviation in capitals ("HO called", "PT states").
func (sc *scan) visitorName(i int) bool {
	t := sc.toks[i]
	if t.e-t.s < 3 || i+1 >= len(sc.toks) || sc.cls[i]&(wStop|wTitle|wMedical|wLabel|wMonth|wWeekday|wUnit|wState) != 0 ||
		t.has(fUpper) && !sc.upperLine[i] && !sc.caseless {
		return false
	}
	n := sc.toks[i+1]
	if n.kind != tWord || !n.has(fSpace) || n.has(fNewline) {
		return false
	}
	switch sc.lw(i + 1) {
	case "visited", "visits", "called", "calls", "phoned", "reports", "reported", "states", "stated", "says", "said", "spoke":
	default:
		return false
	}
	return sc.sentenceStart(i) || sc.isPunct(i-1, ':') || sc.isWord(sc.prevWordIdx(i, 0), "and")
}

// patientSubject reports word i followed by what is said of a patient: "is a 24 y/o", "was a
// 67-year-old", "was admitted".
func (sc *scan) patientSubject(i int) bool {
	// A cheap test first, inlined: it runs on every word.
	return i+1 < len(sc.cls) && sc.cls[i+1]&wStop != 0 && sc.patientSubjectIs(i)
}

func (sc *scan) patientSubjectIs(i int) bool {
	v := i + 1
	if sc.lw(v) != "is" && sc.lw(v) != "was" {
		return false
	}
	n := sc.nextWordIdx(v, 0)
	if n < 0 {
		return false
	}
	switch sc.lw(n) {
	case "admitted":
		return true
	case "a", "an":
	default:
		return false
	}
	k := n + 1
	return k < len(sc.toks) && sc.toks[k].kind == tNum && !sc.toks[k].has(fNewline)
}

// lineSignature reports word i the last on its line, two or more spaces after a measurement ("96%
// ra", "respirations 13", "4L NC"), and a name, no dictionary word or a word capitalised in a line
// of mixed case ("Art"), no clinical word: a flowsheet's signature.
func (sc *scan) lineSignature(i int) bool {
	toks := sc.toks
	if i+1 < len(toks) && !toks[i+1].has(fNewline) || i < 2 || toks[i].has(fNewline) || toks[i].e-toks[i].s < 2 {
		return false
	}
	c := sc.cls[i]
	if c&(wWeekday|wTitle|wUnit|wMedical) != 0 || c&wMonth != 0 && !sc.toks[i].has(fCap) ||
		c&(wFirst|wLast) == 0 && c != 0 && !sc.titleCased(i) ||
		c&wStop != 0 && !sc.toks[i].has(fCap) && !sc.toks[i].has(fUpper) {
		return false // a function word ends no line of vitals, but "Will" may sign one
	}
	if !sc.columnGapAfter(i - 1) {
		return false
	}
	// A number within the last two tokens before the gap.
	for k := i - 1; k >= i-2; k-- {
		if toks[k].kind == tNum || toks[k].kind == tAlnum || sc.isPunct(k, '%') {
			return true
		}
		if toks[k].has(fNewline) {
			break
		}
	}
	return false
}
