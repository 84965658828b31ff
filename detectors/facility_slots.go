package detectors

import "strings"

// Hospitals, wards and towns as nursing notes write them: an abbreviation or a word after a
// transfer, in any case, where no capital or facility word marks a place (LOCATION, low scores:
// proposals the learned scorer confirms or drops):
//
//	transferred to GH; sent to gh for further eval; TRANSFER TO QUARTERMAIN 2; admitted to Sinai
//	hospital; discharge to Baltimore Rehab; had a bed @ St A.; transfer to St. Mary's; lives nearby
//	in rockport
func init() {
	register(Spec{Name: "facility_slots", Types: []Type{Location},
		Description: "the place after a transfer or residence verb in clinical shorthand (\"sent to GH\", \"transfer to St. Mary's\"), proposed for the learned scorer"},
		detectFacilitySlots)
}

// Verbs and nouns of moving a patient, or of living somewhere, before the preposition of a place.
var transferCue = map[string]bool{"transfer": true, "transferred": true, "transfered": true, "transfering": true,
	"transferring": true, "trans": true, "tx": true, "sent": true, "send": true, "admitted": true, "admit": true,
	"adm": true, "brought": true, "came": true, "come": true, "went": true, "go": true, "going": true,
	"arrived": true, "arrival": true, "referred": true, "return": true, "returned": true, "returning": true,
	"discharge": true, "discharged": true, "dc": true, "medflight": true, "medflighted": true, "flown": true,
	"enroute": true, "taken": true, "accepted": true, "followed": true, "bed": true, "screened": true,
	"lives": true, "living": true, "resides": true, "moved": true, "from": true, "rehab": true, "seen": true,
	"towed": true, "trip": true, "flew": true, "drove": true, "traveled": true, "travelled": true, "vacation": true,
	"relocated": true, "home": true}

// slotPrep reports a preposition of a place after such a cue. A switch: asked of every function
// word, it is cheaper than a map.
func slotPrep(w string) bool {
	switch w {
	case "to", "at", "from", "into", "in", "by":
		return true
	}
	return false
}

func detectFacilitySlots(sc *scan) {
	toks := sc.toks
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		if t.kind == tWord && sc.cls[i]&wStop != 0 && employerPrep(sc.lw(i)) {
			if k, e, ok := sc.employerAfter(i); ok {
				sc.addSure(toks[k].s, e, Location, 0.9) // the scorer sees too few employers to weigh them
				continue
			}
		}
		var k int // the first token of the slot
		switch {
		case t.kind == tWord && sc.cls[i]&wStop != 0 && slotPrep(sc.lw(i)):
			k = i + 1
		case sc.isPunct(i, '@') || sc.isPunct(i, '>') && sc.isPunct(i-1, '-'):
			k = i + 1
		default:
			if t.kind == tWord && (sc.lw(i) == "st" || sc.lw(i) == "saint") {
				sc.saintPlace(i, 0.45)
			} else if t.e-t.s == 1 && sc.text[t.s] == 'U' { // the cheap test first: it runs on every token
				if e, ok := sc.stateUniversity(i); ok {
					sc.add(t.s, e, Location, 0.9)
				}
			}
			continue
		}
		cued := false
		for p, n := sc.prevWordIdx(i, 1), 0; p >= 0 && n < 2; p, n = sc.prevWordIdx(p, 1), n+1 {
			if sc.cls[p]&wSlotCue != 0 && transferCue[sc.lw(p)] {
				cued = true
				break
			}
		}
		if sc.isWord(k, "the") {
			k++
		}
		if k >= len(toks) || toks[k].has(fNewline) || toks[k].kind == tPunct || toks[k].kind == tNum {
			continue
		}
		if sc.lw(k) == "st" || sc.lw(k) == "saint" {
			sc.saintPlace(k, 0.5)
			continue
		}
		cls := sc.cls[k]
		if cls&(wStop|wMonth|wWeekday|wTitle) != 0 {
			continue
		}
		if hospitalAbbrev(sc.lw(k)) {
			sc.add(toks[k].s, toks[k].e, Location, 0.6) // "sent to ED at GH", "W/U BY GBMC", "had at gh"
		}
		n := toks[k].e - toks[k].s
		short := toks[k].kind == tWord && n >= 2 && n <= 5 && (toks[k].has(fUpper) || cls == 0)
		if toks[k].kind == tAlnum && clockTime(sc.lw(k)) {
			continue // "sent to CCU at 10PM"
		}
		if !cued && !(short && cls&wCommon == 0) && !(toks[k].kind == tAlnum && cls == 0) {
			continue // a bare preposition proposes only what no dictionary knows: "at GH", "to quartermain7"
		}
		e, words := toks[k].e, 1
		for j := k + 1; j < len(toks) && words < 3; j++ {
			u := toks[j]
			if u.has(fNewline) || u.kind == tPunct || sc.cls[j]&(wStop|wMonth|wWeekday|wTitle) != 0 {
				break
			}
			if u.kind == tNum && (u.e-u.s > 2 || sc.glued(j+1) && sc.toks[j+1].kind == tPunct) {
				break // "at GH 1900": a time, not a ward number; "to the floor 8/17": a date
			}
			e, words = u.e, words+1
		}
		score := 0.2
		if short || cls == 0 {
			score = 0.3
		}
		if cued && words == 1 && sc.titleCased(k) && cls&(wFacility|wTail|wMedical|wUnit|wLabel|wStreet) == 0 {
			score = 0.97 // a one-word place capitalised after a move, even an ordinary word: "towed to Hope"
		}
		sc.add(toks[k].s, e, Location, score)
	}
}

// employerAfter reports the employer after preposition i of a work cue, returning its first token
// and its end: "HUSBAND CEO OF IBM", "works at Acme Tool", "retired from Bethlehem Steel". The name
// is one to three words, no ordinary word among them unless the writer capitalised it, or wrote it
// as an acronym in a line of mixed case ("works at GE"), or it follows a head of ("CEO OF IBM"):
// "works at home", "works for the city", "WORKS AT BAR" name none.
func (sc *scan) employerAfter(i int) (k, e int, ok bool) {
	p := sc.prevWordIdx(i, 0)
	if p < 0 {
		return 0, 0, false
	}
	head := false // an organization's head: what follows names one
	switch prep, cue := sc.lw(i), sc.lw(p); {
	case prep == "of" && (cue == "ceo" || cue == "president" || cue == "owner" || cue == "founder"):
		head = true
	case (prep == "at" || prep == "for" || prep == "by") && (cue == "works" || cue == "worked" || cue == "working" ||
		cue == "employed" || cue == "employee" || cue == "job"):
	case prep == "from" && cue == "retired":
	default:
		return 0, 0, false
	}
	k = i + 1
	if sc.isWord(k, "the") {
		k++
	}
	for j := k; j < len(sc.toks) && j < k+3; j++ {
		t, c := sc.toks[j], sc.cls[j]
		if t.has(fNewline) || t.kind == tPunct || t.kind == tNum || t.e-t.s < 2 || j > k && !t.has(fCap) ||
			c&(wStop|wMedical|wMonth|wWeekday|wTitle|wLabel|wFacility|wUnit) != 0 {
			break
		}
		acronym := t.has(fUpper) && t.e-t.s <= 4 && (head || !sc.upperLine[j] && !sc.caseless)
		if c&wCommon != 0 && !sc.titleCased(j) && !acronym {
			break
		}
		e, ok = t.e, true
	}
	return k, e, ok
}

// employerPrep reports w a preposition before an employer. A switch: asked of every function
// word, it is cheaper than a map.
func employerPrep(w string) bool {
	switch w {
	case "of", "at", "for", "by", "from":
		return true
	}
	return false
}

// stateUniversity reports a state's name after "U" at token i, a university ("per U Maryland
// scale"), returning its end; not a dose's unit, after a number ("10 U Maine").
func (sc *scan) stateUniversity(i int) (int, bool) {
	if sc.toks[i].kind != tWord || i+1 >= len(sc.toks) || i > 0 && sc.toks[i-1].kind == tNum {
		return 0, false
	}
	n := sc.toks[i+1]
	if !n.has(fSpace) || n.has(fNewline) || n.kind != tWord || n.e-n.s < 4 || !n.has(fCap) || sc.cls[i+1]&wState == 0 {
		return 0, false
	}
	return n.e, true
}

// saintPlace proposes a place named for a saint at token k, "St"/"Saint", with score: "St. Mary's",
// "ST. AGNES", "St A.", but not a street after a house number ("12 St Mary St").
func (sc *scan) saintPlace(k int, score float64) {
	toks := sc.toks
	n := k + 1
	if sc.isPunct(n, '.') {
		n++
	}
	if n >= len(toks) || toks[n].kind != tWord || toks[n].has(fNewline) || sc.cls[n]&wStop != 0 ||
		!(toks[n].has(fCap) || toks[n].has(fUpper)) {
		return
	}
	if p := sc.prevWordIdx(k, 0); p >= 0 && toks[p].kind == tNum {
		return
	}
	if sc.isWord(n, "hr") || sc.rhythmBefore(k) {
		return // "NSR to ST HR 87-103": sinus tachycardia
	}
	e := toks[n].e
	if sc.isPunct(n+1, '\'') && sc.isWord(n+2, "s") && sc.glued(n+2) {
		e = toks[n+2].e // "St. Mary's"
	}
	sc.add(toks[k].s, e, Location, score)
}

// rhythmWords name heart rhythms: "ST" after one of them is sinus tachycardia.
var rhythmWords = map[string]bool{"nsr": true, "sr": true, "sb": true, "svt": true, "afib": true, "af": true,
	"rhythm": true, "sinus": true, "brady": true, "tachy": true}

// rhythmBefore reports a rhythm word among the two words before token k.
func (sc *scan) rhythmBefore(k int) bool {
	for p, n := sc.prevWordIdx(k, 1), 0; p >= 0 && n < 2; p, n = sc.prevWordIdx(p, 1), n+1 {
		if rhythmWords[sc.lw(p)] {
			return true
		}
	}
	return false
}

// clockTime reports a lower-case token that is a time of day written as digits and am/pm: "10pm", "630am".
func clockTime(w string) bool {
	n := len(w) - 2
	if n < 1 || n > 4 || (w[n:] != "am" && w[n:] != "pm") {
		return false
	}
	for i := 0; i < n; i++ {
		if w[i] < '0' || w[i] > '9' {
			return false
		}
	}
	return true
}

// hospitalAbbrev reports a lower-case word shaped like a hospital's initials: two to five letters,
// no vowel, ending in "h" (hospital) or "mc" (medical center): "gh", "mgh", "jhh", "gbmc"; not
// "osh", the outside hospital, nor a word ("bath").
func hospitalAbbrev(w string) bool {
	if len(w) < 2 || len(w) > 5 || strings.ContainsAny(w, "aeiouy") {
		return false
	}
	for i := 0; i < len(w); i++ {
		if !isAlpha(w[i]) {
			return false
		}
	}
	return w[len(w)-1] == 'h' || strings.HasSuffix(w, "mc")
}
