package detectors

import "strings"

// Cities and towns by gazetteer, and the postal codes written next to them (LOCATION):
//
//	quarter    Cité Ben Hjel; Cite El Farik (a French or North African town quarter)
//	city       Akureyri; Trondheim; Los Angeles; Chiclana de la Frontera; FORT-DE-FRANCE
//	postcode   ARENDAL 4844; 75001 Paris; Wrocław 53-320; Iceland 80296 (after a country, in an address)
//
// The gazetteer (data/cities.txt.gz, GeoNames places of 5,000 people or more) finds places that
// have no cue word before them, which context rules cannot. A name that is an ordinary English
// word ("Mobile", "Normal", "Lead") is not in the gazetteer at all; a name that is also a person's
// name ("Jackson") or on the common-word list ("Norco", a drug; "Utrecht") is reported only with a
// place sign: a postal code or a state after it, a line of its own in an address block, or a street
// and a comma before it. State and country names are regions.go's.
func init() {
	register(Spec{Name: "cities", Types: []Type{Location},
		Description: "cities and towns of the GeoNames gazetteer (5,000+ people) and postal codes next to them or after a country"},
		detectCities)
}

// Classes that make a gazetteer word too ambiguous to report on its own. Ordinary words with
// inflected forms were left out of the gazetteer when it was built; wCommon alone is no bar, as
// the common list holds many proper nouns ("Utrecht", "Calgary").
const cityAmbiguous = wStop | wMedical | wMonth | wWeekday | wTitle | wLabel | wState | wCountry |
	wUnit | wStreet | wHoliday | wFacility | wTail | wNameCue

func detectCities(sc *scan) {
	toks := sc.toks
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		if t.kind != tWord || !(t.has(fCap) || t.has(fUpper)) {
			continue
		}
		cls := sc.cls[i]
		if n := t.e - t.s; (n == 4 || n == 5) && (sc.lw(i) == "cite" || sc.lw(i) == "cité") {
			if e, ok := sc.quarterAfter(i); ok {
				sc.add(t.s, e, Location, 0.7)
			}
			continue
		}
		if cls&(wCity|wCityHead|wCountry) == 0 {
			continue
		}
		if cls&wCountry != 0 {
			if k, ok := sc.postcodeAfterCountry(i); ok {
				sc.add(toks[k].s, toks[k].e, Location, 0.6)
				i = k
			}
			continue
		}
		last, ok := sc.cityMatch(i)
		if !ok {
			continue
		}
		s, e := t.s, toks[last].e
		pe, post := sc.postcodeAfter(last)
		if post {
			e = pe
		}
		if ps, ok := sc.postcodeBefore(i); ok {
			s, post = ps, true
		}
		if sc.personOf(i) {
			// "Neil Meitz of Towson": where a person is from, whatever else the word may be; sure,
			// as the learned scorer sees too few of these to weigh them.
			sc.addSure(s, e, Location, 0.97)
			i = last
			continue
		}
		if !post && cls&(wFirst|wLast|wCommon) != 0 && last == i && !sc.stateAfter(last) && !sc.lineIsPlace(i) && !sc.afterStreetComma(i) {
			// "Jackson", "Florence": a person as often as a place; "Norco": a drug as often as a town
			// (the common list holds drug and place names alike). A place sign must come with them.
			continue
		}
		sc.add(s, e, Location, 0.6)
		i = last
	}
}

// personOf reports town token i capitalised after "of" and a person's name, capitals the writer
// chose (titleCased): "daughter Grace of Reisterstown", "Neil Meitz of Towson". The name is a given
// name, a surname that is no ordinary word, or a word of no list after one of them; "Hx of Boston"
// and "Pouch of Douglas" do not pass ("Knights of Columbus" does: "Knights" is a surname).
func (sc *scan) personOf(i int) bool {
	p := sc.prevWordIdx(i, 0)
	if !sc.titleCased(i) || !sc.isWord(p, "of") {
		return false
	}
	name := func(q int) bool {
		if q < 0 || !sc.titleCased(q) || sc.toks[q].e-sc.toks[q].s < 2 {
			return false
		}
		c := sc.cls[q]
		return (c&wFirst != 0 || c&wLast != 0 && c&wCommon == 0) && c&(wMedical|wTitle|wLabel|wStop|wMonth|wFacility|wEponym) == 0
	}
	q := sc.prevWordIdx(p, 0)
	return name(q) || q >= 0 && sc.cls[q] == 0 && sc.titleCased(q) && name(sc.prevWordIdx(q, 0))
}

// cityMatch returns the last token of the longest gazetteer name starting at token i (up to four
// words joined by spaces, hyphens or apostrophes), or false when the words there are not a city
// that may be reported without context.
func (sc *scan) cityMatch(i int) (int, bool) {
	toks := sc.toks
	cls := sc.cls[i]
	if cls&wCityHead != 0 {
		if best, plain := sc.cityPhrase(i); best >= 0 && (!plain || sc.titleCaseMidSentence(i, best)) {
			return best, true
		}
	}
	if cls&wCity == 0 || cls&cityAmbiguous != 0 || toks[i].e-toks[i].s < 4 {
		return 0, false // one to three letters alone: "ED", "ICU", "LA" are abbreviations
	}
	if cityNotAlone[sc.lw(i)] {
		return 0, false
	}
	if cls&wCommon != 0 && sc.sentenceStart(i) && !sc.lineIsPlace(i) {
		return 0, false // "Triangle", "Midway" opening a sentence: more likely the word
	}
	return i, true
}

// Gazetteer towns that are also function words or report headings ("Comparison: None.").
var cityNotAlone = map[string]bool{"none": true, "nothing": true, "other": true, "unknown": true, "normal": true,
	"negative": true, "positive": true, "stable": true, "same": true, "both": true, "either": true, "neither": true}

// cityPhrase returns the last token of the longest gazetteer name of two to four words starting
// at token i, joined by spaces, hyphens or apostrophes ("Los Angeles", "Fort-de-France"), or -1;
// plain reports a name made only of ordinary words ("Long Beach").
func (sc *scan) cityPhrase(i int) (best int, plain bool) {
	toks := sc.toks
	if sc.cls[i]&wCityHead == 0 {
		return -1, false
	}
	// The hash of the space-joined lower-case words, built word by word (FNV-1a is byte-sequential,
	// so this equals hashLower of the joined name) without allocating.
	h := fnvAdd(fnvOffset, sc.lowerTok(i))
	best, k := -1, i
	for words := 1; words < 4; words++ {
		n := k + 1
		if n < len(toks) && toks[n].kind == tPunct && !toks[n].has(fSpace) && (sc.isPunct(n, '-') || sc.isPunct(n, '\'')) {
			n++ // "Fort-de-France", "Val-d'Or"
		}
		if n >= len(toks) || toks[n].kind != tWord || toks[n].has(fNewline) || !toks[n].has(fSpace) && toks[n-1].kind != tPunct {
			break
		}
		if sc.cls[n]&wCityTail == 0 || !(toks[n].has(fCap) || toks[n].has(fUpper) || placeConnector[sc.lw(n)]) {
			break
		}
		h = fnvAdd(fnvAdd(h, " "), sc.lowerTok(n))
		if c := sc.e.dict.lookupHash(h | 1); c&(wCity|wCityPlain) != 0 {
			best, plain = n, c&wCity == 0
		}
		k = n
	}
	return best, plain
}

// lowerTok returns token k in lower case as hashLower lowers it: the per-scan ASCII copy for
// ASCII words, strings.ToLower (which allocates) for the others.
func (sc *scan) lowerTok(k int) string {
	if sc.toks[k].has(fASCII) {
		return sc.lw(k)
	}
	return strings.ToLower(sc.word(k))
}

// fnvAdd continues an FNV-1a hash over the bytes of s.
func fnvAdd(h uint64, s string) uint64 {
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= fnvPrime
	}
	return h
}

// titleCaseMidSentence reports the words of tokens [i,j] written in title case (not capitals, not a
// caseless note) inside a sentence: "moved to Long Beach", where capitals mark a proper noun.
func (sc *scan) titleCaseMidSentence(i, j int) bool {
	if sc.sentenceStart(i) {
		return false
	}
	for k := i; k <= j; k++ {
		t := sc.toks[k]
		if t.kind == tWord && !placeConnector[sc.lw(k)] && (!t.has(fCap) || t.has(fUpper)) {
			return false
		}
	}
	return true
}

// afterStreetComma reports a word right after "<street>, " or "<unit number>, ": "88 Harborview Rd, Gloucester".
func (sc *scan) afterStreetComma(i int) bool {
	if !sc.isPunct(i-1, ',') || i < 2 {
		return false
	}
	if sc.isPunct(i+1, '\'') {
		return false // "fall, Murphy's sign": a possessive eponym
	}
	p := sc.toks[i-2]
	capital := func(k int) bool { return sc.toks[k].has(fCap) || sc.toks[k].has(fUpper) }
	return p.kind == tNum || p.kind == tAlnum || p.kind == tWord && capital(i-2) && sc.cls[i-2]&(wStreet|wUnit) != 0 ||
		sc.isPunct(i-2, '.') && i >= 3 && capital(i-3) && sc.cls[i-3]&wStreet != 0 // "Main St., Gloucester"
}

// lineIsPlace reports a city alone on an address line: "\nAkureyri\n", "\nGdańsk, 84968", "> TRONDHEIM".
func (sc *scan) lineIsPlace(i int) bool {
	j := i
	for j > 0 && !sc.toks[j].has(fNewline) && sc.toks[j-1].kind == tPunct {
		j-- // quoting marks before the line: "> ", "??? "
	}
	if j > 0 && !sc.toks[j].has(fNewline) {
		return false
	}
	n := i + 1
	return n >= len(sc.toks) || sc.toks[n].has(fNewline) || sc.isPunct(n, ',') || sc.toks[n].kind == tNum
}

// distinctive reports a word in tokens [i,j] that is neither an ordinary word nor a connector:
// "Los Angeles" is a place, "Long Beach" or "Grand Rapids" in a sentence may not be.
func (sc *scan) distinctive(i, j int) bool {
	for k := i; k <= j; k++ {
		if sc.toks[k].kind == tWord && sc.cls[k]&(wCommon|wStop|wConnector|wMedical) == 0 && !placeConnector[sc.lw(k)] {
			return true
		}
	}
	return false
}

// postcodeAfter returns the end of a postal code right after token j on the same line: "ARENDAL 4844",
// "Wrocław 53-320", "ÖVERTURINGEN 840 24", "Bjert 6091".
func (sc *scan) postcodeAfter(j int) (int, bool) {
	toks := sc.toks
	k := j + 1
	if sc.isPunct(k, ',') {
		k++
	}
	if k >= len(toks) || toks[k].kind != tNum || toks[k].has(fNewline) || !toks[k].has(fSpace) {
		return 0, false
	}
	n := toks[k].e - toks[k].s
	if n < 3 || n > 6 {
		return 0, false
	}
	e := toks[k].e
	// A second group: "53-320", "840 24", "3610-114".
	if m := k + 1; sc.isPunct(m, '-') && !toks[m].has(fSpace) && m+1 < len(toks) && toks[m+1].kind == tNum && !toks[m+1].has(fSpace) && toks[m+1].e-toks[m+1].s <= 4 {
		e = toks[m+1].e
	} else if m < len(toks) && toks[m].kind == tNum && !toks[m].has(fNewline) && toks[m].e-toks[m].s == 2 && n == 3 {
		e = toks[m].e
	}
	if sc.isPunct(k+1, ':') || sc.isPunct(k+1, '.') && k+2 < len(toks) && toks[k+2].kind == tNum {
		return 0, false // "Paris 10:30", "Rome 3.5": a time or a measure
	}
	return e, true
}

// postcodeBefore returns the start of a postal code of 4 or 5 digits right before the city at
// token i on the same line: "75001 Paris", "3610-114 Quinta".
func (sc *scan) postcodeBefore(i int) (int, bool) {
	toks := sc.toks
	k := i - 1
	if k < 0 || toks[k].kind != tNum || toks[i].has(fNewline) || !toks[i].has(fSpace) {
		return 0, false
	}
	if n := toks[k].e - toks[k].s; n < 4 || n > 5 || sc.isYear(k) && n == 4 {
		return 0, false
	}
	if k > 0 && toks[k].has(fSpace) == false && toks[k-1].kind == tPunct && !sc.isPunct(k-1, '-') {
		return 0, false // "10:30 Paris"
	}
	return toks[k].s, true
}

// stateAfter reports ", ST" or ", State" after token j: "Jackson, MS".
func (sc *scan) stateAfter(j int) bool {
	k := j + 1
	if !sc.isPunct(k, ',') {
		return false
	}
	k++
	return k < len(sc.toks) && sc.toks[k].kind == tWord && sc.cls[k]&wState != 0 && (sc.toks[k].has(fCap) || sc.toks[k].has(fUpper))
}

// postcodeAfterCountry returns a postal code of 4 to 6 digits ending an address line after a
// country: "Iceland 80296", "Cyprus (Greek) 51034".
func (sc *scan) postcodeAfterCountry(i int) (int, bool) {
	toks := sc.toks
	k := i + 1
	for k < len(toks) && toks[k].kind == tWord && sc.cls[k]&wCountry != 0 && !toks[k].has(fNewline) {
		k++ // "South Africa", "Czech Republic"
	}
	if sc.isPunct(k, '(') && k+2 < len(toks) && toks[k+1].kind == tWord && sc.isPunct(k+2, ')') {
		k += 3 // "Cyprus (Greek)"
	}
	if k >= len(toks) || toks[k].kind != tNum || toks[k].has(fNewline) {
		return 0, false
	}
	n := toks[k].e - toks[k].s
	if n < 4 || n > 6 || n == 4 && sc.isYear(k) {
		return 0, false // "Norway 2019": a year
	}
	// The code ends the line or the sentence: "Iceland 80296\n", "Spain 16200, and".
	if m := k + 1; m < len(toks) && !toks[m].has(fNewline) && toks[m].kind != tPunct {
		return 0, false
	}
	if sc.isPunct(k+1, '-') || sc.isPunct(k+1, '.') && k+2 < len(toks) && toks[k+2].kind == tNum && !toks[k+2].has(fSpace) {
		return 0, false // a phone number or a decimal
	}
	return k, true
}

// quarterAfter returns the end of a town quarter named after "Cité" at token i: one to three
// capitalized words or connectors on the same line, one of them not an ordinary word
// ("Cité Ben Hjel", "Cite de l'Interieur"), so that the verb "cite" before a sentence is left alone.
func (sc *scan) quarterAfter(i int) (int, bool) {
	toks := sc.toks
	e, words, last := 0, 0, -1
	for k := i + 1; k < len(toks) && words < 4 && !toks[k].has(fNewline); k++ {
		u := toks[k]
		if u.kind == tPunct && (sc.isPunct(k, '-') || sc.isPunct(k, '\'')) && !u.has(fSpace) {
			continue
		}
		if u.kind != tWord || !(u.has(fCap) || u.has(fUpper) || placeConnector[sc.lw(k)] || sc.lw(k) == "l") {
			break
		}
		words++
		e, last = u.e, k
	}
	if last < 0 || !(toks[last].has(fCap) || toks[last].has(fUpper)) || !sc.distinctive(i+1, last) {
		return 0, false
	}
	return e, true
}
