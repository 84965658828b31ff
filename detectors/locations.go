package detectors

import (
	"slices"
	"strings"
)

// Places smaller than a state (LOCATION):
//
//	street    14 Elm Street; 221 Maple Ave Apt 3B; 88 Harborview Rd; Koskikatu 25; Piazza Rezzonico 35;
//	          Washington St; PSC 3294, Box 9168
//	unit      Apt. 117; Suite 464
//	city      Quincy, MA; lives in Worcester; moved to New Bedford; born in Fall River
//	facility  Mercy General Hospital; Beth Israel Deaconess Medical Center; Sunrise Manor; Cape Ann Family Practice
//	county    Essex County
//	ZIP       MA 02124 (numbers.go)
//
// An address that continues over lines ("...Apt. 864\nArtilleros\n, CO") is followed while
// the words stay capitalized. State and country names are regions.go's.
func init() {
	register(Spec{Name: "locations", Types: []Type{Location},
		Description: "street addresses (USPS suffixes and unit designators, foreign street words), cities by context, facilities, counties"},
		detectLocations)
}

// Words that start a street name in many languages ("Rue de la Paix", "Via Roma 3").
var streetLead = map[string]bool{"rue": true, "via": true, "viale": true, "piazza": true, "avenida": true,
	"avenue": true, "calle": true, "rua": true, "corso": true, "plaza": true, "boulevard": true, "chemin": true,
	"route": true, "carrer": true, "paseo": true, "ulica": true, "strada": true, "praça": true, "largo": true,
	"camino": true, "travessa": true, "allée": true, "place": true, "cours": true, "quai": true, "ul": true,
	"rúa": true, "av": true, "avda": true, "trg": true, "ulitsa": true, "prospekt": true, "odos": true}

// Word endings of street names in other languages ("Friedhofstrasse", "Koskikatu", "Asselsestraat").
var streetEndings = []string{"straat", "strasse", "straße", "gatan", "gata", "vej", "vegen", "veien", "katu",
	"tie", "weg", "laan", "gasse", "platz", "allee", "plein", "kade", "gade", "väg", "vägen", "utca", "stra",
	"steig", "ring", "damm", "markt", "street", "road", "avenue", "lane", "drive"}

// Roads known by a number: "2200 Route 9", "410 Highway 61".
var numberedRoad = map[string]bool{"route": true, "rte": true, "highway": true, "hwy": true}

// Directions before a street name.
var directions = map[string]bool{"n": true, "s": true, "e": true, "w": true, "ne": true, "nw": true, "se": true,
	"sw": true, "north": true, "south": true, "east": true, "west": true}

// Street words written in lower case in other languages ("Piroska u. 97", "Erzsébet tér 19").
var streetLower = map[string]bool{"u": true, "utca": true, "tér": true, "út": true, "str": true, "ul": true,
	"ulica": true, "kapu": true, "körút": true, "sor": true, "köz": true, "gatan": true, "vej": true, "gade": true,
	"útja": true, "rkp": true, "rakpart": true, "gate": true, "gata": true, "vei": true, "veien": true, "vegen": true,
	"terrasse": true, "tee": true, "allé": true, "plads": true, "torv": true, "vägen": true, "väg": true,
	"straße": true, "strasse": true, "gasse": true, "weg": true, "straat": true, "laan": true, "katu": true, "tie": true}

// Words before "Home" that make it a facility: "Sunny Meadows Care Home", "Kowalski-Brennan Funeral Home".
var homeKinds = map[string]bool{"nursing": true, "care": true, "funeral": true, "rest": true, "group": true,
	"foster": true, "convalescent": true, "retirement": true}

// Words of clinical departments and note headings: a facility word after only these names a
// service, not a place ("INTERNAL MEDICINE CLINIC", "OPHTHALMOLOGY - RETINA CLINIC").
var departmentWords = map[string]bool{"internal": true, "medicine": true, "infectious": true, "diseases": true,
	"disease": true, "primary": true, "care": true, "retina": true, "ophthalmology": true, "surgery": true,
	"surgical": true, "cardiology": true, "oncology": true, "pediatric": true, "pediatrics": true, "urgent": true,
	"emergency": true, "dental": true, "eye": true, "mental": true, "behavioral": true, "sleep": true, "pain": true,
	"wound": true, "diabetes": true, "endocrine": true, "endocrinology": true, "neurology": true,
	"orthopedic": true, "orthopedics": true, "dermatology": true, "gastroenterology": true, "pulmonary": true,
	"renal": true, "kidney": true, "liver": true, "heart": true, "vascular": true, "street": true,
	"occupational": true, "travel": true, "transplant": true, "infusion": true, "dialysis": true,
	"fertility": true, "obstetrics": true, "gynecology": true, "psychiatry": true, "rheumatology": true,
	"allergy": true, "immunology": true, "hematology": true, "geriatric": true, "geriatrics": true,
	"palliative": true, "anticoagulation": true, "coumadin": true, "lipid": true, "memory": true, "stroke": true,
	"breast": true, "spine": true, "hand": true, "foot": true, "sports": true, "womens": true, "women": true,
	"outpatient": true, "inpatient": true, "ambulatory": true, "clinic": true, "center": true, "note": true}

// department reports a facility word at token i after words that only name a service.
func (sc *scan) department(s, i int) bool {
	for k := sc.tokenAt(s); k < i; k++ {
		if sc.toks[k].kind == tWord && !departmentWords[sc.lw(k)] {
			return false
		}
	}
	return true
}

// Words ending a facility name.
var facilityWords = map[string]bool{"hospital": true, "clinic": true, "center": true, "centre": true,
	"rehab": true, "rehabilitation": true, "manor": true, "practice": true, "institute": true, "infirmary": true,
	"hospice": true, "healthcare": true, "home": true, "village": true, "lodge": true,
	"residence": true, "gardens": true, "terrace": true, "sanatorium": true, "medical": false, "health": false,
	"shelter": true, "associates": true, "group": false, "campus": true, "facility": true, "ymca": true,
	"school": true, "elementary": true, "academy": true, "university": true, "college": true,
	"pediatrics": true, "cardiology": true, "oncology": true, "orthopedics": true, "dermatology": true,
	"neurology": true, "imaging": true, "radiology": true, "dialysis": true, "psychiatry": true,
	"hospitals": true, "clinics": true, "partners": true, "lab": true, "laboratory": true, "laboratories": true, "medicine": true, "urology": true, "obstetrics": true,
	"gastroenterology": true, "pulmonology": true, "nephrology": true, "rheumatology": true}

// Facility words that name a place even after ordinary words in capitals
// ("RIVERSIDE REGIONAL REHABILITATION CENTER"), unlike departments ("CONSULT CARDIOLOGY").
var strongFacility = map[string]bool{"hospital": true, "center": true, "centre": true, "clinic": true,
	"institute": true, "infirmary": true, "hospice": true, "manor": true, "rehab": true, "sanatorium": true}

// namingPossessive reports "X'S" right before facility word i, X a word of place names or no ordinary
// word: "CHILDREN'S HOSPICE", "ST. MARY'S HOSPITAL" (not "PATIENT'S HOSPITAL COURSE").
func (sc *scan) namingPossessive(i int) bool {
	x := i - 3
	if x < 0 || !sc.isWord(i-1, "s") || !sc.isPunct(i-2, '\'') || !sc.glued(i-1) || !sc.glued(i-2) || sc.toks[x].kind != tWord {
		return false
	}
	c := sc.cls[x]
	return placeConnector[sc.lw(x)] && c&wStop == 0 || c&wCommon == 0 || c&(wFirst|wLast) != 0
}

// wordsIn counts word tokens in the byte range [s,e).
func (sc *scan) wordsIn(s, e int) int {
	n := 0
	for k := sc.tokenAt(s); k < len(sc.toks) && sc.toks[k].s < e; k++ {
		if sc.toks[k].kind == tWord && sc.toks[k].e-sc.toks[k].s > 1 {
			n++
		}
	}
	return n
}

// Facility words that end a name only after a proper noun ("Cedar Ridge Urgent Care", "Holy Cross
// Behavioral Health"), never alone ("Primary Care", "Home Health").
var facilityTail = map[string]bool{"care": true, "health": true, "services": true, "surgery": true,
	"associates": true, "specialists": true, "group": true, "system": true}

// Connector words allowed inside a place name.
var placeConnector = map[string]bool{"of": true, "the": true, "de": true, "du": true, "la": true, "le": true,
	"del": true, "der": true, "di": true, "van": true, "von": true, "des": true, "da": true, "do": true,
	"dos": true, "das": true, "y": true, "and": true, "s": true, "am": true, "an": true, "im": true, "los": true,
	"las": true, "el": true, "st": true, "saint": true, "mount": true, "mt": true, "fort": true, "ft": true,
	"port": true, "new": true, "north": true, "south": true, "east": true, "west": true, "upper": true,
	"lower": true, "lake": true, "san": true, "santa": true, "general": true, "memorial": true,
	"regional": true, "community": true, "medical": true, "health": true, "family": true, "care": true,
	"nursing": true, "county": true, "city": true, "valley": true, "children": true, "women": true,
	"behavioral": true, "specialty": true, "skilled": true, "urgent": true, "rehabilitation": true,
	"surgical": true, "heart": true, "cancer": true, "eye": true, "dental": true, "mental": true,
	"diagnostic": true, "cardiology": true, "university": true, "veterans": true, "affairs": true,
	"hospital": true, "center": true, "centre": true, "dei": true, "della": true, "delle": true, "na": true,
	"nad": true, "pod": true, "zum": true, "zur": true, "ter": true, "ten": true, "les": true, "aux": true,
	"au": true}

// Cue words before a city ("lives in X") and their score.
var placeCue = map[string]float64{"lives": 0.75, "living": 0.75, "resides": 0.8, "residing": 0.8,
	"moved": 0.7, "born": 0.7, "relocated": 0.75, "located": 0.6, "visiting": 0.5, "traveled": 0.55,
	"travelled": 0.55, "travelling": 0.55, "traveling": 0.55, "transferred": 0.65, "from": 0.5, "in": 0.5,
	"near": 0.55, "to": 0.35, "at": 0.5, "grew": 0.7, "raised": 0.7, "town": 0.7, "city": 0.7, "village": 0.7,
	"hometown": 0.8, "outside": 0.55, "downtown": 0.6, "staying": 0.6, "stays": 0.6, "address": 0.8,
	"flew": 0.7, "drove": 0.6, "trip": 0.6, "vacation": 0.6, "vacationing": 0.6, "originally": 0.7,
	"visited": 0.6, "returned": 0.5, "emigrated": 0.7, "immigrated": 0.7}

func detectLocations(sc *scan) {
	toks := sc.toks
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		switch t.kind {
		case tNum, tAlnum:
			if e, ok := sc.streetFromNumber(i); ok {
				e = sc.extendAddress(e)
				sc.add(t.s, e, Location, 0.9)
			}
			continue
		case tWord:
		default:
			continue
		}
		w := sc.lw(i)
		cls := sc.cls[i]
		// Unit designator: "Apt. 117", "Suite 464", "Box 9168".
		if cls&wUnit != 0 && (t.has(fCap) || t.has(fUpper)) && w != "fl" && w != "floor" && w != "rm" && w != "room" && w != "lot" && w != "unit" && w != "dept" {
			k := i + 1
			if sc.isPunct(k, '.') || sc.isPunct(k, '#') {
				k++
			}
			if k < len(toks) && (toks[k].kind == tNum || toks[k].kind == tAlnum) && !toks[k].has(fNewline) {
				sc.add(t.s, sc.extendAddress(toks[k].e), Location, 0.75)
				i = k
				continue
			}
		}
		if t.has(fCap) || t.has(fUpper) {
			// Street word then number: "Koskikatu 25", "Friedhofstrasse 33", "Piazza Rezzonico 35".
			if nx := i + 1; cls&wLead != 0 || (nx < len(toks) && (toks[nx].kind == tNum || sc.cls[nx]&wStreet != 0)) {
				if e, ok := sc.streetFromWord(i, w); ok {
					sc.add(t.s, sc.extendAddress(e), Location, 0.85)
					continue
				}
			}
			// Facility or county ending a run of capitalized words.
			if cls&wTail != 0 && !sc.isWord(i+1, "center") && !sc.isWord(i+1, "centre") && (i+1 >= len(toks) || !(toks[i+1].kind == tWord && toks[i+1].has(fCap) && sc.cls[i+1]&wFacility != 0)) {
				if s, ok := sc.capRunBefore(i); ok && sc.properNounIn(s, t.s) {
					sc.add(s, t.e, Location, 0.7)
				}
				continue
			}
			if cls&wFacility != 0 {
				if s, ok := sc.capRunBefore(i); ok && (!t.has(fUpper) || sc.properNounIn(s, t.s) ||
					strongFacility[w] && (sc.wordsIn(s, t.s) >= 2 || sc.namingPossessive(i))) &&
					!sc.department(s, i) {
					score := 0.8
					if w == "home" && !homeKinds[sc.lw(max(sc.prevWordIdx(i, 0), 0))] {
						score = 0.3 // "Home" alone ends many phrases
					}
					sc.add(s, t.e, Location, score)
				}
				continue
			}
		}
		// Intersections: "the corner of Elm St. and 5th Avenue".
		if w == "corner" && sc.isWord(i+1, "of") {
			if e, ok := sc.intersection(i + 2); ok {
				st := t.s
				if p := sc.prevWordIdx(i, 0); p >= 0 && sc.lw(p) == "the" {
					st = toks[p].s
				}
				sc.add(st, e, Location, 0.8)
				continue
			}
		}
		// Post office boxes: "P.O. Box 3650", "PO Box 12", "POB 6228".
		if w == "p" && sc.isPunct(i+1, '.') && sc.isWord(i+2, "o") || w == "po" || w == "pob" {
			k := i + 1
			for k < len(toks) && k <= i+4 && (toks[k].kind == tPunct || sc.isWord(k, "o") || sc.isWord(k, "box")) {
				k++
			}
			if k < len(toks) && toks[k].kind == tNum && (sc.isWord(k-1, "box") || w == "pob") {
				sc.add(t.s, sc.extendAddress(toks[k].e), Location, 0.9)
				i = k
				continue
			}
		}
		// Military addresses: "PSC 1437, Box 3833", "Unit 4719 Box 7394", "APO AA 66791".
		// Ships of US military mail: "USNS Møller\nFPO AA 85844", "USCGC Khadzhiyev".
		if t.has(fUpper) && (w == "usns" || w == "usnv" || w == "uscgc" || w == "uss") {
			if k := i + 1; k < len(toks) && toks[k].kind == tWord && (toks[k].has(fCap) || toks[k].has(fUpper)) && !toks[k].has(fNewline) {
				if n := sc.nextWordIdx(k, 1); n >= 0 && (sc.isWord(n, "fpo") || sc.isWord(n, "apo") || sc.isWord(n, "dpo")) {
					sc.add(t.s, toks[k].e, Location, 0.85)
					i = k
					continue
				}
			}
		}
		if t.has(fUpper) && (w == "psc" || w == "cmr" || w == "apo" || w == "fpo" || w == "dpo") || (w == "unit" && t.has(fCap) && sc.isWord(i+2, "box")) {
			if k := i + 1; k < len(toks) && (toks[k].kind == tNum || (toks[k].kind == tWord && toks[k].has(fUpper) && toks[k].e-toks[k].s == 2)) {
				sc.add(t.s, sc.extendAddress(toks[k].e), Location, 0.85)
				i = k
				continue
			}
		}
		// City, State: "Quincy, MA" / "Dorchester, Massachusetts".
		if cls&wState != 0 && sc.isPunct(i-1, ',') && (t.has(fUpper) && t.e-t.s == 2 || t.has(fCap) && t.e-t.s > 2) &&
			!(i+1 < len(toks) && toks[i+1].kind == tAlnum) && !(w == "id" && sc.keyValueAfter(i)) {
			if s, ok := sc.cityBefore(i - 1); ok {
				sc.add(s, toks[i-2].e, Location, 0.85)
			}
			continue
		}
		// Cue words: "lives in X", "moved to X".
		if cls&wPlaceCue != 0 {
			sc.placeAfterCue(i, w, placeCueTable.get(sc, i))
		}
	}
}

// streetFromNumber matches "14 Elm Street", "221 Maple Ave", "88 Harborview Rd", "175 Iroon Polytechniou Avenue",
// "6750 Koskikatu 25", returning the end of the street part.
func (sc *scan) streetFromNumber(i int) (int, bool) {
	toks := sc.toks
	t := toks[i]
	if t.e-t.s > 6 || (i > 0 && sc.glued(i) && toks[i-1].kind != tPunct) {
		return 0, false
	}
	if t.kind == tAlnum && !isDigit(sc.text[t.s]) {
		return 0, false
	}
	if (sc.isPunct(i-1, ':') || sc.isPunct(i-1, '.')) && sc.glued(i) {
		return 0, false // a clock time or decimal: "3:30 AM"
	}
	words := 0
	for k := i + 1; k < len(toks) && words < 6; k++ {
		u := toks[k]
		if u.has(fNewline) {
			return 0, false
		}
		switch u.kind {
		case tPunct:
			if sc.isPunct(k, '.') && (words > 0 || directionsTable.get(sc, k-1)) {
				continue // "123 Oak St.", "1500 N. Lakeshore Drive"
			}
			if sc.isPunct(k, '\'') || sc.isPunct(k, '-') {
				continue
			}
			return 0, false
		case tNum, tAlnum:
			if words == 0 {
				if u.kind == tNum && u.e-u.s <= 4 && sc.glued(k) == false {
					continue // "9448 175 Iroon ..." (a second number)
				}
				if u.kind == tAlnum && isOrdinal(sc.word(k)) {
					words++
					continue
				}
				return 0, false
			}
			if u.kind == tNum && words >= 1 && sc.foreignStreet(k-1) {
				return u.e, true // "Koskikatu 25"
			}
			if u.kind == tAlnum && isOrdinal(sc.word(k)) {
				words++
				continue
			}
			return 0, false
		}
		w := sc.lw(k)
		cls := sc.cls[k]
		capital := u.has(fCap) || u.has(fUpper)
		if words == 0 && k == i+1 && ordinalSuffixOf(sc.text[t.s:t.e]) == w && !sc.streetNameAt(k+1) {
			return 0, false // "3 RD UNIT OF PRBCS", "2 ND DOSE": an ordinal written apart ("21 St Marks Place" is a street)
		}
		if words == 0 && capital && numberedRoadTable.get(sc, k) && k+1 < len(toks) && toks[k+1].kind == tNum && !toks[k+1].has(fNewline) {
			return toks[k+1].e, true // "2200 Route 9"
		}
		if words == 0 && cls&wLead != 0 && (capital && streetLead[w] || houseLead[w]) && w != "via" && w != "av" && w != "place" && w != "route" {
			if e, ok := sc.streetAfterLead(k); ok {
				return e, true // "846 31 Rue Al Imam Al Bakri", "36 rue de Pologne", "10963 Rua Vinte e Cinco de Setembro"
			}
		}
		if words > 0 && cls&wUnit != 0 && capital && w != "floor" && w != "fl" && w != "room" && w != "rm" {
			return toks[k-1].e, true // "9554 62 Rue Gafsa Apt. 981": the unit follows the street
		}
		if words > 0 && (cls&wStreet != 0 && cls&wStop == 0 || streetLower[w]) {
			if (w == "dr" || w == "st") && k+1 < len(toks) {
				// "0155 Paged Dr Sandoval": a title before a name, not Drive/Street.
				n := k + 1
				if sc.isPunct(n, '.') {
					n++
				}
				if n < len(toks) && toks[n].kind == tWord && toks[n].has(fCap) && !toks[n].has(fNewline) && sc.cls[n]&(wFirst|wLast) != 0 && sc.cls[n]&wUnit == 0 && !sc.lineUpper(n) {
					return 0, false
				}
			}
			e := u.e
			if sc.isPunct(k+1, '.') && sc.glued(k+1) {
				e = toks[k+1].e
			}
			// "123 Oak Dr." but not "at 3 Dr Smith": a street suffix that is a title needs a capital after it not to follow.
			return e, true
		}
		if !capital && !(cls&wConnector != 0 && placeConnector[w]) && !streetLower[w] && !(t.e-t.s >= 3 && (cls&(wStreet|wStreetName) != 0 || directionsTable.get(sc, k))) || w == "am" || w == "pm" {
			return 0, false // lower case only in the street words of a house number: "11793 s park drs"
		}
		if cls&(wStop|wMedical|wLabel) != 0 && !(cls&wConnector != 0 && placeConnector[w]) && cls&(wStreet|wStreetName) == 0 {
			return 0, false // "8 WEEKS WITH PCP DR.": a sentence, not a street
		}
		if words == 0 && capital && directionsTable.get(sc, k) {
			continue // "612 S Pecan Brg", "10921 North Cardinal Road"
		}

		if capital && cls&wCommon != 0 && cls&(wStreetName|wFirst|wLast) == 0 && !streetLead[w] && words == 0 && cls&wStreet == 0 {
			// "3 Tablets", "2 Weeks": an ordinary word after a number is not a street.
			if k+1 >= len(toks) || sc.cls[k+1]&wStreet == 0 {
				return 0, false
			}
		}
		words++
	}
	return 0, false
}

// streetNameAt reports token k a capitalized word that may name a street: a street name, a given
// name or surname, or no ordinary word ("Marks" of "St Marks Place").
func (sc *scan) streetNameAt(k int) bool {
	if k >= len(sc.toks) || sc.toks[k].kind != tWord || !sc.toks[k].has(fCap|fUpper) || sc.toks[k].has(fNewline) {
		return false
	}
	c := sc.cls[k]
	return c&(wStreetName|wFirst|wLast) != 0 || c&(wCommon|wUnit|wStop|wMedical) == 0
}

// ordinalSuffixOf returns the English ordinal suffix of the number n ("st" for 1 and 21, "th" for 11),
// or "" when n is not all digits.
func ordinalSuffixOf(n string) string {
	if n == "" {
		return ""
	}
	for i := 0; i < len(n); i++ {
		if !isDigit(n[i]) {
			return ""
		}
	}
	last := n[len(n)-1]
	if len(n) >= 2 && n[len(n)-2] == '1' {
		return "th"
	}
	switch last {
	case '1':
		return "st"
	case '2':
		return "nd"
	case '3':
		return "rd"
	}
	return "th"
}

// Street lead words that follow a house number even in lower case ("36 rue de Pologne").
var houseLead = map[string]bool{"rue": true, "rua": true, "avenida": true, "calle": true, "ul": true, "ulica": true,
	"strada": true, "viale": true, "piazza": true, "chemin": true, "carrer": true, "avenue": true}

// streetAfterLead returns the end of the street name after the lead word at token k: up to five
// capitalized words or connectors on the same line ("Rue Ibn El-Jazzar", "rue des lieutemants Thomazo").
func (sc *scan) streetAfterLead(k int) (int, bool) {
	toks := sc.toks
	e, words := 0, 0
	for n := k + 1; n < len(toks) && words < 6 && !toks[n].has(fNewline); n++ {
		u := toks[n]
		if u.kind == tPunct {
			if (sc.isPunct(n, '-') || sc.isPunct(n, '\'')) && !u.has(fSpace) {
				continue
			}
			break
		}
		lw := sc.lw(n)
		if u.kind == tNum && words > 0 && u.e-u.s <= 4 {
			e = u.e // a number after the name: "Rua Cyro Schmutzer Franco 1213"
			break
		}
		if u.kind != tWord || sc.cls[n]&(wStop|wMonth|wWeekday|wMedical) != 0 && !placeConnector[lw] {
			break
		}
		capital := u.has(fCap) || u.has(fUpper)
		if !capital && !placeConnector[lw] && !(sc.isWord(k, "rue") || sc.isWord(k, "rua")) {
			break
		}
		if sc.cls[n]&wUnit != 0 && capital {
			break // "Rue Gafsa Apt. 981": the unit follows
		}
		words++
		e = u.e
	}
	return e, words > 0
}

func isOrdinal(w string) bool {
	if len(w) < 3 {
		return false
	}
	suf := strings.ToLower(w[len(w)-2:])
	return (suf == "st" || suf == "nd" || suf == "rd" || suf == "th") && isDigit(w[0]) && isDigit(w[len(w)-3])
}

// foreignStreet reports a street word in another language at token k ("Koskikatu", "Asselsestraat").
func (sc *scan) foreignStreet(k int) bool {
	if k < 0 || sc.toks[k].kind != tWord || !(sc.toks[k].has(fCap) || sc.toks[k].has(fUpper)) {
		return false
	}
	w := sc.lw(k)
	for _, end := range streetEndings {
		if len(w) > len(end)+2 && strings.HasSuffix(w, end) {
			return true
		}
	}
	// "Piazza Rezzonico 35": a lead word two tokens back.
	if p := sc.prevWordIdx(k, 0); p >= 0 && streetLead[sc.lw(p)] {
		return true
	}
	return sc.cls[k]&wCommon == 0 && sc.cls[k]&(wFirst|wLast) == 0 && sc.cls[k]&wStreet == 0
}

// streetFromWord matches a street written name-first: "Koskikatu 25", "Via Roma 3", "Washington St".
func (sc *scan) streetFromWord(i int, w string) (int, bool) {
	toks := sc.toks
	if streetLeadTable.get(sc, i) {
		// Lead word, up to 4 name words, then the house number.
		k, words := i+1, 0
		for k < len(toks) && words < 5 && !toks[k].has(fNewline) {
			u := toks[k]
			lw := sc.lw(k)
			if u.kind == tWord && (u.has(fCap) || u.has(fUpper) || placeConnector[lw]) {
				words++
				k++
				continue
			}
			if u.kind == tNum && words > 0 {
				return u.e, true
			}
			break
		}
		return 0, false // a lead word without a house number is too often an ordinary word ("via")
	}
	// Foreign street word followed by a house number.
	if k := i + 1; k < len(toks) && toks[k].kind == tNum && !toks[k].has(fNewline) && toks[k].e-toks[k].s <= 4 {
		for _, end := range streetEndings[:len(streetEndings)-5] {
			if len(w) > len(end)+2 && strings.HasSuffix(w, end) {
				return toks[k].e, true
			}
		}
	}
	// Named street without a number: "Washington St", "Elm Street" (capitalized suffix, no name after).
	if k := i + 1; k < len(toks) && toks[k].kind == tWord && toks[k].has(fCap) && sc.cls[k]&wStreet != 0 && sc.cls[k]&wStop == 0 && !toks[k].has(fNewline) {
		sw := sc.lw(k)
		if sw == "dr" || sw == "st" || sw == "ct" || sw == "park" || sw == "center" || sw == "way" || sw == "square" {
			// Ambiguous suffixes ("St. Anne", "Dr. Kim") need a full stop or line end after, not a name.
			if n := sc.nextWordIdx(k, 1); n >= 0 && sc.toks[n].has(fCap) && !sc.toks[n].has(fNewline) {
				return 0, false
			}
			if sw != "st" && sw != "dr" {
				return 0, false
			}
		}
		if sc.cls[i]&wCommon != 0 && sc.cls[i]&(wStreetName|wFirst|wLast) == 0 {
			return 0, false
		}
		e := toks[k].e
		if sc.isPunct(k+1, '.') && sc.glued(k+1) {
			e = toks[k+1].e
		}
		return e, true
	}
	return 0, false
}

// capRunBefore returns the start of the capitalized run ending just before token i
// (a facility or county name), or false when there is none.
func (sc *scan) capRunBefore(i int) (int, bool) {
	toks := sc.toks
	start := -1
	words, plain := 0, 0
	for k := i - 1; k >= 0 && words < 7; k-- {
		u := toks[k+1]
		if u.has(fNewline) {
			break
		}
		t := toks[k]
		if t.kind == tPunct {
			if sc.isPunct(k, '\'') || sc.isPunct(k, '.') || sc.isPunct(k, '-') || sc.isPunct(k, '&') {
				continue
			}
			break
		}
		if t.kind != tWord {
			break
		}
		lw := sc.lw(k)
		if !(t.has(fCap) || t.has(fUpper)) && !placeConnector[lw] {
			break
		}
		if lw == "of" || lw == "the" || lw == "and" {
			break // "Dr. Fitzgerald of Lakeside Family Medicine": the name ends at "of"
		}
		if sc.cls[k]&(wStop) != 0 && !placeConnector[lw] {
			break
		}
		if sc.cls[k]&wTitle != 0 && lw != "st" && lw != "saint" {
			break
		}
		if t.has(fUpper) && sc.cls[k]&wCommon != 0 && sc.cls[k]&(wFirst|wLast|wConnector|wFacility) == 0 && sc.lineUpper(k) {
			// In a capitals line, ordinary words may be the name ("GOOD SAMARITAN") or the sentence
			// ("HOME HEALTH AGENCY"): keep at most two.
			if plain++; plain > 2 || sc.cls[k]&wLabel != 0 {
				break
			}
		}
		start = t.s
		words++
	}
	if start < 0 {
		return 0, false
	}
	// Leading connectors belong to the sentence: "to [the] Lexington General Hospital".
	for k := sc.tokenAt(start); k < i; k++ {
		if sc.toks[k].kind == tWord && !(sc.toks[k].has(fCap) || sc.toks[k].has(fUpper)) || sc.isWord(k, "the") || sc.isWord(k, "of") || sc.isWord(k, "and") {
			start = -1
			continue
		}
		if sc.toks[k].kind == tWord {
			start = sc.toks[k].s
			break
		}
	}
	return start, start >= 0
}

// properNounIn reports a word in [s,e) that is not an ordinary word (a name or an unknown word),
// or at least two capitalized words ("Wichita Cardiology").
func (sc *scan) properNounIn(s, e int) bool {
	words := 0
	for k := sc.tokenAt(s); k < len(sc.toks) && sc.toks[k].s < e; k++ {
		if sc.toks[k].kind != tWord {
			continue
		}
		words++
		if (sc.cls[k]&wCommon == 0 || sc.cls[k]&(wFirst|wLast|wCity) != 0) && sc.cls[k]&(wConnector|wMedical) == 0 {
			return true
		}
	}
	return words >= 2 && !sc.lineUpper(sc.tokenAt(s)) // in capitals, "GOALS OF CARE" is two words too
}

// tokenAt returns the index of the first token starting at or after byte offset s.
func (sc *scan) tokenAt(s int) int {
	lo, hi := 0, len(sc.toks)
	for lo < hi {
		m := (lo + hi) / 2
		if sc.toks[m].s < s {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

// keyValueAfter reports a code with digits right after token i ("Cigna, ID ZJL619830897").
func (sc *scan) keyValueAfter(i int) bool {
	n := sc.nextWordIdx(i, 2)
	return n >= 0 && sc.toks[n].kind != tWord && !sc.toks[n].has(fNewline)
}

// intersection returns the end of "<street> and <street>" starting at token k,
// each street being capitalized words, numbers and street words.
func (sc *scan) intersection(k int) (int, bool) {
	toks := sc.toks
	e, words, and := 0, 0, false
	for ; k < len(toks) && words < 12; k++ {
		t := toks[k]
		if t.has(fNewline) {
			break
		}
		if t.kind == tPunct {
			if sc.isPunct(k, '.') && k+1 < len(toks) && !toks[k+1].has(fNewline) && (sc.isWord(k+1, "and") || toks[k+1].kind != tWord || toks[k+1].has(fCap)) {
				continue // "Str. and", "u. 15"
			}
			if sc.isPunct(k, '-') || sc.isPunct(k, '\'') {
				continue
			}
			break
		}
		lw := sc.lw(k)
		if lw == "and" || lw == "&" {
			if words == 0 || and {
				break
			}
			and = true
			continue
		}
		if t.kind == tWord && !(t.has(fCap) || t.has(fUpper)) && !placeConnector[lw] && !streetLower[lw] && sc.cls[k]&wStreet == 0 {
			break
		}
		words++
		e = t.e
	}
	return e, and && words >= 2
}

// cityBefore returns the start of the capitalized city name that ends at the comma token c.
func (sc *scan) cityBefore(c int) (int, bool) {
	toks := sc.toks
	start := -1
	for k, words := c-1, 0; k >= 0 && words < 3; k-- {
		t := toks[k]
		if t.kind != tWord || !(t.has(fCap) || t.has(fUpper)) {
			break
		}
		if sc.cls[k]&(wStop|wTitle|wMonth|wWeekday) != 0 && !placeConnector[sc.lw(k)] {
			break
		}
		start = t.s
		words++
		if t.has(fNewline) {
			break
		}
	}
	return start, start >= 0
}

// placeAfterCue reports the capitalized place name after a cue word at token i.
func (sc *scan) placeAfterCue(i int, w string, cue float64) {
	toks := sc.toks
	k := i + 1
	// "lives in", "moved to", "born and raised in": skip the preposition.
	for n := 0; n < 3 && k < len(toks); n++ {
		lw := sc.lw(k)
		if lw == "in" || lw == "to" || lw == "at" || lw == "from" || lw == "near" || lw == "of" || lw == "with" || lw == "and" || lw == "raised" || lw == "up" || lw == "back" || lw == "here" || lw == "there" || lw == "alone" {
			if w != "in" && w != "to" && w != "at" && w != "from" && w != "near" {
				k++
				continue
			}
		}
		break
	}
	if k >= len(toks) || toks[k].kind != tWord || !(toks[k].has(fCap) || toks[k].has(fUpper) && !sc.lineUpper(k)) {
		return
	}
	if sc.isWord(k, "the") || toks[k].has(fUpper) && toks[k].e-toks[k].s <= 4 && !sc.lineUpper(k) {
		return // "in AM", "in ED": abbreviations, not places
	}
	if n := toks[k].e - toks[k].s; n >= 3 && !toks[k].has(fUpper) && isUpperAlpha(sc.text[toks[k].s+1]) {
		return // "ADLs", "HFrEF"
	}
	first, last := k, k
	s, e := toks[k].s, toks[k].e
	words, unknown, names := 0, 0, 0
	for ; k < len(toks) && words < 4; k++ {
		u := toks[k]
		if u.kind != tWord || !(u.has(fCap) || u.has(fUpper)) || (words > 0 && u.has(fNewline)) {
			if words > 0 && u.kind == tPunct && (sc.isPunct(k, '-') || sc.isPunct(k, '\'')) && sc.glued(k) {
				continue
			}
			break
		}
		cls := sc.cls[k]
		if cls&(wStop|wTitle|wMonth|wWeekday|wMedical) != 0 && !placeConnector[sc.lw(k)] {
			break
		}
		if cls&wState != 0 && words > 0 {
			break
		}
		if cls&wCommon == 0 {
			unknown++
		}
		if cls&(wFirst|wLast) != 0 {
			names++
		}
		e, last = u.e, k
		words++
	}
	if words == 0 {
		return
	}
	score := cue
	if best, _ := sc.cityPhrase(first); unknown == 0 && (best == last || last == first && sc.cls[first]&wCity != 0) {
		unknown++ // "towed to Little Rock": ordinary words or names, but a gazetteer town after a place cue
		score += 0.2
	}
	if pe, ok := sc.postcodeAfter(last); ok && sc.cls[first]&(wState|wCountry) == 0 && (unknown > 0 || sc.cls[first]&wCity != 0) &&
		!sc.lineUpper(first) && sc.cls[first]&wMedical == 0 {
		// "in Bjert 6091", "in ARENDAL 4844": a town and its postal code.
		sc.add(s, pe, Location, cue+0.2)
		return
	}
	if unknown == 0 && names == 0 {
		// An ordinary word, capitalized mid-sentence after a place cue: a city that is also
		// an English word ("in Reading") or a gazetteer-only city; not a clinical word ("to Rehab").
		score -= 0.3
		if words == 1 && !sc.sentenceStart(first) && !sc.lineUpper(first) && sc.cls[first]&(wMedical|wFacility) == 0 &&
			(w == "in" || w == "to" || w == "from" || w == "near") && toks[first].has(fCap) {
			score = cue
		}
	}
	if sc.cls[first]&wRegion != 0 && sc.regionPhrase(first) >= last {
		return // "in Texas", "to Puerto Rico": regions.go reports states and countries
	}
	if score >= 0.3 {
		sc.add(s, e, Location, score)
	}
}

// dateStartsAt reports token k, first on its line, the start of a date rather than of a postal
// code: eight digits YYYYMMDD; a number and a '.' or '/' glued to another ("07.21.2016",
// "03/2025"); three groups one separator apart ("2017-06-11", "25-JAN-24"); or a day and a month
// ("24th August 2023", "8 Aug 2015"). Postal codes have none of these shapes ("02-677 Warszawa",
// "1000-001 Lisboa", "H3Z 2Y7").
func (sc *scan) dateStartsAt(k int) bool {
	toks := sc.toks
	t := toks[k]
	if t.kind == tNum && t.e-t.s == 8 {
		return compactDate(sc.text[t.s:t.e])
	}
	day := t.kind == tNum && t.e-t.s <= 2 || t.kind == tAlnum && t.e-t.s <= 4 && ordinalDay(sc.ltext[t.s:t.e])
	if day && k+1 < len(toks) && sc.cls[k+1]&wMonth != 0 && !toks[k+1].has(fNewline) {
		return true // "24th August", "8 Aug"
	}
	if t.kind != tNum || k+2 >= len(toks) || !sc.glued(k+1) || !sc.glued(k+2) || toks[k+1].kind != tPunct {
		return false
	}
	sep := sc.text[toks[k+1].s]
	if (sep == '.' || sep == '/') && t.e-t.s <= 2 && toks[k+2].kind == tNum {
		return true
	}
	return (sep == '-' || sep == '.' || sep == '/') && (toks[k+2].kind == tNum || sc.cls[k+2]&wMonth != 0) &&
		sc.isPunct(k+3, sep) && sc.glued(k+3) && k+4 < len(toks) && toks[k+4].kind == tNum && sc.glued(k+4)
}

// ordinalDay reports a lower-case day written as an ordinal: "1st", "24th".
func ordinalDay(w string) bool {
	n := len(w) - 2
	return n >= 1 && n <= 2 && ordinalSuffixOf(w[:n]) == w[n:]
}

// Markers of a missing value that data exports write into address fields (pandas "nan").
var missingValue = map[string]bool{"nan": true, "null": true, "none": true}

// extendAddress follows an address over commas, line breaks, city, region and postal code
// while the words stay capitalized: "...Apt. 864\nArtilleros\n, CO\n Uruguay 64677".
func (sc *scan) extendAddress(e int) int {
	toks := sc.toks
	// Find the token after e.
	k := 0
	for lo, hi := 0, len(toks); lo < hi; {
		m := (lo + hi) / 2
		if toks[m].s < e {
			lo = m + 1
		} else {
			hi = m
		}
		k = lo
	}
	lines := 0
	linePrefix := false
	for steps := 0; k < len(toks) && steps < 16; k, steps = k+1, steps+1 {
		t := toks[k]
		if t.kind != tPunct {
			linePrefix = false
		}
		if t.has(fBlankLine) && !(t.kind == tNum || sc.cls[k]&wCountry != 0) {
			break // a new paragraph, unless it is the country or postal code of the address
		}
		if t.has(fNewline) {
			if lines++; lines > 3 {
				break
			}
		}
		switch t.kind {
		case tPunct:
			if t.has(fNewline) || linePrefix && !t.has(fSpace) {
				linePrefix = true // "> Apt. 316", "??? Zuoz": quoting marks before the next address line
				continue
			}
			c := sc.text[t.s]
			if c == ',' || c == '-' || c == '#' || c == '(' || c == ')' || (c == '.' && k > 0 && sc.toks[k-1].kind == tWord && sc.toks[k-1].e-sc.toks[k-1].s <= 4) {
				continue
			}
			if c == '.' && k+1 < len(toks) && toks[k+1].has(fNewline) && !toks[k+1].has(fBlankLine) {
				continue // "Piroska u. 97.\nPorto Alegre"
			}
			return e
		case tNum, tAlnum:
			if t.e-t.s > 10 || t.has(fNewline) && sc.dateStartsAt(k) {
				return e // an address line is not followed by the letter's date: "Fresno\n07.21.2016"
			}
			e = t.e
		case tWord:
			lw := sc.lw(k)
			cls := sc.cls[k]
			if missingValue[lw] && (k+1 >= len(toks) || toks[k+1].has(fNewline) || toks[k+1].kind == tNum || toks[k+1].kind == tPunct) {
				e = t.e // "KNIVSTA, nan 18237": a region left empty by the export that wrote the address
				continue
			}
			if !(t.has(fCap) || t.has(fUpper)) && !placeConnector[lw] {
				return e
			}
			if cls&wState != 0 && (t.e-t.s == 2 || k > 0 && sc.isPunct(k-1, ',')) {
				if sc.e.cfg.SafeHarborPlacesOnly {
					return e // a US state: allowed under Safe Harbor (its ZIP is reported on its own)
				}
				e = t.e
				if z := k + 1; z < len(toks) && toks[z].kind == tNum && toks[z].e-toks[z].s == 5 && !toks[z].has(fNewline) {
					e = toks[z].e // the ZIP ends a US address: "Burlington, VT 05475"
					if sc.isPunct(z+1, '-') && sc.glued(z+1) && z+2 < len(toks) && toks[z+2].kind == tNum && sc.glued(z+2) {
						e = toks[z+2].e // ZIP+4
					}
					return e
				}
				if n := sc.nextWordIdx(k, 2); n < 0 || !(toks[n].kind == tNum || sc.cls[n]&wCountry != 0) {
					return e // the state ends the address unless a postal code or country follows
				}
				continue
			}
			if t.has(fUpper) && t.e-t.s <= 3 && k > 0 && (sc.isPunct(k-1, ',') || toks[k].has(fNewline) || k+1 < len(toks) && toks[k+1].kind == tNum && !toks[k+1].has(fNewline)) && !sc.lineUpper(k) {
				e = t.e // a region code: ", ON", ", QC", "APO AA"
				continue
			}
			if cls&(wStop|wMonth|wWeekday|wMedical) != 0 && cls&wState == 0 && cls&wUnit == 0 && !placeConnector[lw] {
				return e
			}
			if lw == "and" || lw == "the" || lw == "of" {
				return e
			}
			if cls&wCommon != 0 && cls&(wState|wUnit|wStreet|wFirst|wLast|wStreetName|wCountry) == 0 && !placeConnector[lw] {
				// "878 Manor Way, Anchorage\n": a city that is also a word, alone after the comma.
				if k > 0 && sc.isPunct(k-1, ',') && t.has(fCap) && (k+1 >= len(toks) || toks[k+1].has(fNewline) || sc.isPunct(k+1, ',')) {
					e = t.e
					continue
				}
				return e // "Call", "Thank": a sentence resumes
			}
			e = t.e
		}
	}
	return e
}

// placesAsNames gives the NAME spans that a place candidate of the rules covers whole the type
// LOCATION when they are shaped as a place: an address or a facility whose words are also surnames
// ("194 N Diamond Ln, Dallas, TX 75291", "Oak Park Manor"), a gazetteer city after "in" ("Pharmacy in
// Houston"), typed NAME because the name detector's score won the merge. What is reported does not
// change, only its type (placeholder, surrogate). A NAME span a deny term or custom detector typed
// keeps its type.
func (sc *scan) placesAsNames(spans []cand) []cand {
	if !sc.e.on[typeIdx(Location)] {
		return spans
	}
	places := sc.props[:0] // learned's scratch, done with
	sure := false
	for _, c := range sc.cands {
		if c.t == Location && c.score >= 0.3 { // the shape below is the evidence; the candidate says where
			places = append(places, c)
		}
		sure = sure || c.sure && c.t == Name
	}
	sc.props = places
	if len(places) == 0 {
		return spans
	}
	slices.SortFunc(places, candCmp)
	p, reach := 0, -1 // reach: the furthest end of the places starting at or before the span
	for i := range spans {
		c := &spans[i]
		for ; p < len(places) && places[p].s <= c.s; p++ {
			reach = max(reach, places[p].e)
		}
		if c.t == Name && reach >= c.e && (sc.placeShaped(c.s, c.e) || sc.cityAfterIn(c.s, c.e)) && !(sure && sc.sureNameOver(c.s, c.e)) {
			c.t = Location
		}
	}
	return spans
}

// placeShaped reports the text [s,e) shaped as one place rather than a person: it starts with a
// house number and holds a street suffix or ends with a number ("17556 Palmer Frks, Dover", "194 N
// Diamond Ln, Dallas, TX 75291"; not "1423 PAGED DR LIU"); or, on one line and in one sentence,
// its last word ends facility names ("Oak Park Manor", "Lakeview Cardiology Associates") or is a
// street suffix that is no one's name or title ("Red Oak Pkwy", not "Sadie Lane"). The place
// detector's candidates alone are no evidence: it proposes the names after "by" and "at" too.
func (sc *scan) placeShaped(s, e int) bool {
	toks := sc.toks
	first, last := sc.spanToks(s, e)
	if first >= len(toks) || last <= first && toks[first].kind != tWord || sc.isPunct(last+1, ':') {
		return false // a label ("Facility:") is not the place it introduces
	}
	street, broken := false, false // street: a suffix that is no title ("Ln", "Frks", not the "DR" of "1423 PAGED DR LIU")
	for k := first + 1; k <= last; k++ {
		street = street || toks[k].kind == tWord && sc.cls[k]&(wStreet|wTitle) == wStreet
		broken = broken || toks[k].has(fNewline) || sc.isPunct(k, '.') && k+1 <= last && toks[k+1].has(fSpace) && toks[k-1].e-toks[k-1].s > 3
	}
	if toks[first].kind == tNum && (street || toks[last].kind == tNum) {
		return true // an address, on one line or several
	}
	if broken {
		return false // two lines or two sentences: "Bayside Manor.\nJessica", "Dr. Lane. Boston Cancer Institute"
	}
	c := sc.cls[last]
	return toks[last].kind == tWord && (c&(wFacility|wTail) != 0 || c&wStreet != 0 && c&(wFirst|wLast|wTitle) == 0)
}

// spanToks returns the first token of [s,e) and its last one that is not punctuation.
func (sc *scan) spanToks(s, e int) (first, last int) {
	first, last = sc.tokenAt(s), sc.tokenAt(e)-1
	for last > first && sc.toks[last].kind == tPunct {
		last--
	}
	return first, last
}

// cityAfterIn reports [s,e) a gazetteer city right after "in" or "near" ("Pharmacy in Houston").
func (sc *scan) cityAfterIn(s, e int) bool {
	first, last := sc.spanToks(s, e)
	if first >= len(sc.toks) || sc.toks[first].kind != tWord {
		return false
	}
	end, ok := sc.cityMatch(first)
	if !ok || end != last {
		return false
	}
	p := sc.prevWordIdx(first, 0)
	return p >= 0 && (sc.isWord(p, "in") || sc.isWord(p, "near"))
}

// sureNameOver reports a sure NAME candidate (a deny term, a custom detector) over [s,e).
func (sc *scan) sureNameOver(s, e int) bool {
	for _, c := range sc.cands {
		if c.sure && c.t == Name && c.s < e && s < c.e {
			return true
		}
	}
	return false
}

// dropBareNumberPlaces removes, in place, the LOCATION spans that are a number of at most four
// digits alone ("GIVEN AT 2300", "glucose in or 209", "set @ 60"): not a unit's number after its
// designator ("Apt 2", "# 4") or a label ("ZIP: 3520", "my zip code is 880"), nor a house number
// after its street ("Pod Floriánem 1677"), nor one beside another place ("VIC 3065").
func (sc *scan) dropBareNumberPlaces(spans []cand) []cand {
	out := spans[:0]
	for i, c := range spans {
		if c.t == Location && c.e-c.s <= 5 && !(i > 0 && spans[i-1].t == Location && c.s-spans[i-1].e <= 3) &&
			!(i+1 < len(spans) && spans[i+1].t == Location && spans[i+1].s-c.e <= 3) {
			k, ok := slices.BinarySearchFunc(sc.toks, c.s, func(t token, at int) int { return t.s - at })
			if ok && sc.toks[k].e == c.e && (sc.toks[k].kind == tNum && c.e-c.s <= 4 || sc.toks[k].kind == tAlnum && isDigit(sc.text[c.s])) {
				if !sc.placeNumberCue(k) {
					continue
				}
			}
		}
		out = append(out, c)
	}
	return out
}

// placeNumberCue reports what may make number token k a place on its own: a unit designator or '#'
// before it, a label ("ZIP:", "code is"), a capitalized word (a street written before its number),
// or a year's shape, which the scorer may have typed as a place.
func (sc *scan) placeNumberCue(k int) bool {
	p := sc.prevWordIdx(k, 1)
	if p < 0 || sc.isPunct(k-1, '#') || sc.cls[p]&(wUnit|wLabel) != 0 || sc.toks[p].has(fCap) || sc.isWord(p, "is") {
		return true
	}
	n := atoiTok(sc, k)
	return sc.toks[k].e-sc.toks[k].s == 4 && n >= 1900 && n <= 2099
}
