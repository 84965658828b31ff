package detectors

import (
	"slices"
	"strings"
)

// Person names: patients, relatives, clinicians. Evidence is combined per word and
// then per run of adjacent name-like words:
//
//   - dictionaries: first and last names (names that are also ordinary words,
//     such as "Hope", "Will", "Brown", count only with other evidence);
//   - shape: capitalized mid-sentence and not an ordinary English or medical word
//     ("Szöllösy", "Okonkwo"); unknown words in lower case are not names;
//   - context before: titles ("Dr.", "Mrs"), labels ("Patient:", "Attending:"),
//     phrases ("seen by", "spoke with", "daughter"); after: credentials ("MD", "RN");
//   - negative context: eponyms ("Parkinson disease", "Foley catheter").
//
// Examples: "Pt seen by Dr. Alvarez", "Jones, Robert", "HERNANDEZ, LUIS",
// "son mark called", "Electronically signed by Michael Chen, PA-C".
func init() {
	register(Spec{Name: "names", Types: []Type{Name},
		Description: "person names from name dictionaries, capitalization, titles, credentials and relation words, with an ordinary/medical word allow-list"},
		detectNames)
}

// Words before a name ("seen by X", "daughter X") and their boost.
var nameCueBefore = map[string]float64{
	"by": 0.25, "with": 0.1, "to": 0.05, "patient": 0.3, "pt": 0.25, "name": 0.4, "named": 0.4, "called": 0.15,
	"son": 0.4, "daughter": 0.4, "wife": 0.4, "husband": 0.4, "mother": 0.35, "father": 0.35, "mom": 0.35,
	"dad": 0.35, "sister": 0.4, "brother": 0.4, "spouse": 0.4, "partner": 0.35, "boyfriend": 0.4,
	"girlfriend": 0.4, "nephew": 0.4, "niece": 0.4, "granddaughter": 0.4, "grandson": 0.4, "grandmother": 0.35,
	"grandfather": 0.35, "aunt": 0.4, "uncle": 0.4, "cousin": 0.4, "friend": 0.3, "caregiver": 0.35,
	"proxy": 0.35, "guardian": 0.35, "neighbor": 0.3, "roommate": 0.3, "fiance": 0.4, "fiancee": 0.4,
	"attending": 0.4, "surgeon": 0.4, "assistant": 0.3, "provider": 0.4, "physician": 0.35, "pcp": 0.4,
	"resident": 0.25, "nurse": 0.35, "rn": 0.2, "np": 0.2, "cc": 0.3, "contact": 0.3, "signed": 0.3,
	"dictated": 0.4, "transcribed": 0.3, "referred": 0.2, "referring": 0.3, "consultant": 0.3, "dear": 0.4,
	"thanks": 0.3, "sincerely": 0.4, "regards": 0.4, "spoke": 0.2, "mr": 0.6, "mrs": 0.6, "ms": 0.6,
	"miss": 0.5, "dr": 0.6, "doctor": 0.45, "prof": 0.5, "professor": 0.4, "mx": 0.6, "sr": 0.3, "sra": 0.5,
	"herr": 0.5, "frau": 0.5, "mme": 0.5, "mlle": 0.5, "madam": 0.3, "sir": 0.3, "is": 0.05, "from": 0.0,
	"and": 0.05, "wrote": 0.2, "said": 0.05, "told": 0.15, "ask": 0.1, "asked": 0.1, "met": 0.2, "per": 0.2,
	"witness": 0.3, "interpreter": 0.3, "visitor": 0.3, "child": 0.3, "baby": 0.3, "infant": 0.3,
	"children": 0.2, "kids": 0.2, "tribute": 0.2, "meet": 0.1, "evaluate": 0.4, "examine": 0.4, "mister": 0.5, "chaplain": 0.3, "therapist": 0.3,
	"stepson": 0.4, "stepdaughter": 0.4, "stepmother": 0.35, "stepfather": 0.35, "sibling": 0.35,
	"grandchild": 0.35, "godmother": 0.35, "godfather": 0.35, "fiancé": 0.4, "fiancée": 0.4,
	"re": 0.4, "accessed": 0.2, "husband's": 0.3, "wife's": 0.3, "hussband": 0.4, "dauther": 0.4, "doughter": 0.4,
}

// Lower-case particles inside surnames ("van Gijn", "de la Cruz", "ten Pas", "da Silva").
var nameParticle = map[string]bool{"van": true, "von": true, "de": true, "der": true, "den": true, "ten": true,
	"ter": true, "da": true, "di": true, "du": true, "del": true, "della": true, "dos": true, "das": true,
	"la": true, "le": true, "bin": true, "ibn": true, "al": true, "el": true, "af": true, "zu": true}

// Credentials after a name ("Karen Liu, MD").
var nameCueAfter = map[string]bool{"md": true, "m": true, "do": true, "rn": true, "np": true, "pa": true,
	"phd": true, "dds": true, "dmd": true, "pharmd": true, "lpn": true, "cnp": true, "crna": true, "lcsw": true,
	"msw": true, "rrt": true, "crt": true, "facp": true, "facs": true, "mph": true, "dpm": true, "od": true, "psyd": true, "aprn": true,
	"fnp": true, "cna": true, "facog": true, "cgc": true, "fase": true, "facc": true, "mbbs": true, "mrcp": true,
	"frcp": true, "micgp": true, "fasn": true}

// Eponyms of scales, signs, diseases and devices that name lists also hold, as words; "-" and "and" may join
// them. A one-word entry is an eponym only before a number or a word of eponymAfter ("Braden 13",
// "Killip class I") unless it is never a person's name in practice (eponymAlways).
var eponymPhrases = func() map[string][][]string {
	m := map[string][][]string{}
	for _, p := range []string{"lambert eaton", "cheyne stokes", "hawkins kennedy", "child pugh", "hunt hess",
		"dix hallpike", "miller fisher", "west nile", "agent orange", "guillain barre", "jackson pratt",
		"mallory weiss", "swan ganz", "charcot marie tooth", "creutzfeldt jakob", "hoehn and yahr", "barlow and ortolani",
		"neer and hawkins", "neer and hawkins kennedy", "wolff parkinson white", "brown sequard", "stevens johnson", "henoch schonlein",
		"osgood schlatter", "arnold chiari", "dandy walker", "roux en y", "bell s palsy", "whipple procedure",
		"braden", "morse", "tinetti", "killip", "breslow", "fitzpatrick", "wagner", "hughes", "fisher", "simpson",
		"clark", "gleason", "wells", "bishop", "caprini", "charlson", "karnofsky", "ranson", "centor", "apgar",
		"apgars", "mallampati", "hoehn", "paris", "amsler", "babinski", "barlow", "ortolani", "neer", "hasson",
		"chagas", "lhermitte", "romberg", "myerson", "kussmaul", "chvostek", "trousseau", "brudzinski", "kernig",
		"homans", "lachman", "phalen", "mcmurray", "spurling", "korotkoff", "virchow", "epley", "dermabond",
		"vicryl", "monocryl", "prolene", "passy muir", "passey muir", "passe muir", "cheyne stoke", "quinton",
		"greenfield", "permacath", "hickman", "groshong", "broviac"} {
		w := strings.FieldsFunc(p, func(r rune) bool { return r == ' ' })
		m[w[0]] = append(m[w[0]], w)
	}
	return m
}()

var eponymAlways = map[string]bool{"tinetti": true, "killip": true, "breslow": true, "babinski": true,
	"ortolani": true, "hasson": true, "chagas": true, "lhermitte": true, "romberg": true, "kussmaul": true,
	"chvostek": true, "brudzinski": true, "kernig": true, "mallampati": true, "korotkoff": true, "amsler": true,
	"apgar": true, "apgars": true, "caprini": true, "charlson": true, "karnofsky": true, "dermabond": true,
	"permacath": true, "broviac": true, "groshong": true,
	"vicryl": true, "monocryl": true, "prolene": true, "braden": true, "myerson": true, "hoehn": true}

var eponymAfter = map[string]bool{"class": true, "grade": true, "stage": true, "level": true, "score": true,
	"scale": true, "depth": true, "grid": true, "biplane": true, "type": true, "functional": true, "sign": true,
	"test": true, "negative": true, "positive": true, "absent": true, "present": true, "fall": true,
	"criteria": true, "classification": true, "maneuver": true, "and": true, "valve": true, "cath": true,
	"catheter": true, "filter": true, "line": true, "trial": true, "trials": true, "port": true}

// eponymAt returns the last token of an eponym starting at token i, or -1. Asked of every word:
// its first test is inlined, the rest is eponymFrom.
func (sc *scan) eponymAt(i int) int {
	if sc.cls[i]&wEponym == 0 {
		return -1 // not the first word of an eponym phrase
	}
	return sc.eponymFrom(i)
}

func (sc *scan) eponymFrom(i int) int {
	if sc.toks[i].kind != tWord || !(sc.toks[i].has(fCap) || sc.toks[i].has(fUpper)) {
		return -1
	}
	if sc.cls[i]&wEponym == 0 {
		return -1 // not the first word of an eponym phrase
	}
	if sc.titleBefore(i) {
		return -1 // "Dr. Wagner and Dr. Lee": after a title, a person
	}
	phrases, ok := eponymPhrases[sc.lw(i)]
	if !ok {
		return -1
	}
	best := -1
	for _, p := range phrases {
		k := i
		for j := 1; j < len(p) && k >= 0; j++ {
			n := k + 1
			if sc.isPunct(n, '-') || sc.isPunct(n, '\'') {
				n++
			}
			if n >= len(sc.toks) || sc.toks[n].kind != tWord || sc.lw(n) != p[j] {
				k = -1
				break
			}
			k = n
		}
		if k > best {
			best = k
		}
	}
	if best == i && !eponymAlways[sc.lw(i)] {
		// One word that is also a surname: an eponym only before a score or its noun, or after "modified".
		n := i + 1
		if n < len(sc.toks) && !sc.toks[n].has(fNewline) && (sc.toks[n].kind == tNum ||
			sc.toks[n].kind == tWord && (eponymAfter[sc.lw(n)] || isRoman(sc.lw(n)))) || sc.isWord(i-1, "modified") {
			return i
		}
		return -1
	}
	return best
}

func isRoman(w string) bool {
	switch w {
	case "i", "ii", "iii", "iv", "v":
		return true
	}
	return false
}

// Generational suffixes join a name: "Kevin Veitonen II".
var nameSuffix = map[string]bool{"jr": true, "sr": true, "ii": true, "iii": true, "iv": true}

// Words after a capitalized word that make it an eponym or a thing, not a person.
var nameNegAfter = map[string]bool{"disease": true, "syndrome": true, "sign": true, "test": true, "score": true,
	"scale": true, "criteria": true, "catheter": true, "procedure": true, "maneuver": true, "reflex": true,
	"lymphoma": true, "tumor": true, "palsy": true, "classification": true, "method": true, "operation": true,
	"fracture": true, "law": true, "s": false, "stain": true, "tube": true, "bag": true, "solution": true,
	"county": true, "street": true, "st": true, "avenue": true, "ave": true, "road": true, "rd": true,
	"hospital": true, "clinic": true, "center": true, "centre": true, "university": true, "college": true,
	"school": true, "inc": true, "llc": true, "corp": true, "company": true, "institute": true,
	"phenomenon": true, "breathing": true, "respiration": true, "triad": true, "ulcer": true, "node": true,
	"nodes": true, "cell": true, "cells": true, "body": true, "bodies": true, "effect": true, "position": true,
	"lesion": true, "lesions": true, "murmur": true, "rhythm": true, "block": true, "fistula": true,
	"hernia": true, "maneuvre": true, "duct": true, "layer": true, "nerve": true, "canal": true, "gland": true,
	"glands": true, "technique": true, "repair": true, "shunt": true, "splint": true, "view": true,
	"ligament": true, "organ": true, "pouch": true, "space": true, "spots": true, "stage": true, "staging": true,
	"equation": true, "formula": true, "index": true, "rule": true, "rules": true, "type": true, "anomaly": true,
	"contracture": true, "deformity": true, "toe": true, "knot": true, "thyroiditis": true, "encephalopathy": true,
	"esophagus": true, "ataxia": true, "dystrophy": true, "chorea": true, "sarcoma": true, "neuroma": true,
	"neuropathy": true, "phenomena": true, "aneurysm": true, "insufficiency": true, "dementia": true,
	"drain": true, "pattern": true, "point": true, "forceps": true, "needle": true, "mask": true, "pump": true,
	"stocking": true, "stockings": true, "coma": true, "boot": true, "brace": true, "collar": true, "wave": true, "waves": true}

// nameWordScore scores token i alone as part of a name, or returns -1 when it can never be one.
func (sc *scan) nameWordScore(i int, upperLine bool) float64 {
	t := sc.toks[i]
	if t.kind != tWord || sc.allowed(i) {
		return -1
	}
	cls := sc.cls[i]
	n := t.e - t.s
	if cls&(wStop|wMonth|wWeekday|wTitle|wMedical) != 0 {
		return -1
	}
	if cls&wNameCue != 0 && nameCueBefore[sc.ltext[t.s:t.e]] >= 0.3 {
		return -1 // relations and roles: "Daughter", "Attending"
	}
	if cls&wLabel != 0 {
		if t.has(fUpper) && !upperLine {
			return -1 // "IBAN", "MRN", "DEA": a label in capitals
		}
		nx := sc.nextWordIdx(i, 2)
		for hops := 0; nx >= 0 && hops < 2 && ctxFiller[sc.lw(nx)] && sc.toks[nx].kind == tWord; hops++ {
			nx = sc.nextWordIdx(nx, 2) // "IBAN is GB59...", "license number: 123"
		}
		if nx >= 0 && (sc.toks[nx].kind != tWord || sc.cls[nx]&wLabel != 0) {
			return -1 // a label before its value: "DEA AM1234563", "IBAN DE89..."
		}
	}
	name := cls&(wFirst|wLast) != 0
	common := cls&wCommon != 0
	if !t.has(fASCII) && !name && !common && (t.has(fCap) || t.has(fUpper)) && n >= 3 {
		// Capitalized words with diacritics that no dictionary knows ("CÔTÉ", "Nguyễn", "JOSÉ")
		// are names far more often than acronyms or English words.
		if upperLine {
			return 0.5
		}
		return 0.55
	}
	capital := t.has(fCap)
	upper := t.has(fUpper)
	if n == 1 {
		return -1 // initials join a name run but are not one
	}
	if n >= 3 && !t.has(fUpper) && isUpperAlpha(sc.text[t.s]) && isUpperAlpha(sc.text[t.s+1]) {
		return -1 // "HFrEF", "HbA": an abbreviation with lower-case letters, not a name
	}
	if camelAbbrev(sc.text[t.s:t.e]) {
		return -1 // "SpO", "NaCl", "pH": internal capitals outside name prefixes
	}
	if sc.isPunct(i+1, '-') && sc.glued(i+1) && i+2 < len(sc.toks) && sc.glued(i+2) && sc.toks[i+2].kind != tWord {
		return -1 // a code: "ZEBRA-9", "COVID-19"
	}
	if i >= 2 && sc.isPunct(i-1, '-') && sc.glued(i) && sc.lw(i-2) == "in" {
		return -1 // "son-in-law"
	}
	switch {
	case upperLine && upper:
		// Capitals carry no signal: rely on the dictionaries.
		switch {
		case cls&(wState|wCountry) != 0:
			return 0.05
		case name && !common:
			return 0.55
		case name:
			return 0.15
		case !common && cls&wState == 0 && n >= 3:
			return 0.2
		}
		return 0.05
	case upper && !upperLine && n >= 2:
		// Capitals in a mixed-case line: a surname written in capitals ("PATEL"), else an acronym.
		// Three letters or fewer are acronyms far more often ("AVA", "ALP", "MSW"): "LEE" needs other evidence.
		switch {
		case cls&(wState|wCountry) != 0:
			return 0.05
		case name && !common && n <= 3:
			return 0.3
		case name && !common:
			return 0.6
		case name:
			return 0.2
		}
		return 0.1
	case capital:
		switch {
		case cls&(wCountry|wState) != 0 && cls&wFirst == 0:
			return 0.2 // "travel to Nigeria", "from Maine"
		case cls&(wCountry|wState) != 0:
			return 0.3 // "Virginia", "Georgia": first names with other evidence only
		case name && !common:
			return 0.7
		case name:
			return 0.3
		case cls&(wState|wCountry) != 0:
			return 0.2
		case !common:
			if sc.sentenceStart(i) {
				return 0.35
			}
			return 0.55
		}
		return 0.05
	default: // lower case
		switch {
		case name && !common:
			return 0.2
		case name:
			return 0.05
		}
		return -1
	}
}

func detectNames(sc *scan) {
	toks := sc.toks
	for i := 0; i < len(toks); i++ {
		if toks[i].kind != tWord {
			continue
		}
		if k := sc.eponymAt(i); k >= 0 {
			sc.vetoTokens(toks[i].s, toks[k].e)
			i = k // "Hoehn and Yahr", "Lambert-Eaton", "Braden 13": a scale, sign or disease
			continue
		}
		if toks[i].flags&(fCap|fUpper) == 0 && sc.cls[i]&(wFirst|wLast) == 0 {
			continue // fast path: a lower-case word that no name list holds is never a name
		}
		upperLine := toks[i].has(fUpper) && sc.lineUpper(i)
		first := sc.nameWordScore(i, upperLine)
		if first < 0 && !sc.allowed(i) && sc.cls[i]&(wFirst|wLast) != 0 && toks[i].has(fCap) && sc.cls[i]&wTitle == 0 {
			// "son Will", "Dr. May": a name that is also a function word, after a strong cue.
			if p := sc.prevWordIdx(i, 1); p >= 0 && (nameCueBefore[sc.lw(p)] >= 0.4 || sc.titleAt(p)) ||
				sc.isPunct(i+1, ',') && sc.credentialAfter(i) {
				first = 0.3 // or a signature: "Will, RN"
			}
		}
		if first < 0 || (first < 0.15 && !sc.titleBefore(i)) {
			continue
		}
		// Grow a run: name words, initials ("R."), and "Last, First" commas.
		best := first
		var wbuf [6]float64
		words := append(wbuf[:0], first)
		j := i
		e := toks[i].e
		for {
			k := j + 1
			if k < len(toks) && sc.isPunct(k, '.') && toks[j].e-toks[j].s == 1 {
				k++ // the period of an initial
			}
			if k < len(toks) && (sc.isPunct(k, '-') || sc.isPunct(k, '\'')) && sc.glued(k) && k+1 < len(toks) && sc.glued(k+1) {
				k++ // hyphenated or O'Neill: the next word joins
			} else if k < len(toks) && sc.isPunct(k, ',') && len(words) == 1 && k+1 < len(toks) && !toks[k+1].has(fNewline) {
				// "Jones, Robert": only when both sides are name-like.
				nx := k + 1
				s := sc.nameWordScore(nx, upperLine)
				// Both name-like, or one strong and the pair ends the clause ("Walton, Hope,", "COX, ISABELLA\n").
				ends := nx+1 >= len(toks) || toks[nx+1].has(fNewline) || sc.isPunct(nx+1, ',') || sc.isPunct(nx+1, '(') ||
					sc.isPunct(nx+1, '|') || sc.isPunct(nx+1, ';') || sc.columnGapAfter(nx) ||
					sc.isInitialTok(nx+1) || sc.credentialAfter(nx) // "JONES, MARY A", "Miller, Lucas MD", "Dunn, Hope | Facility"
				if (s >= 0.5 && first >= 0.5 || max(s, first) >= 0.5 && min(s, first) >= 0.15 && ends) && !sc.isCredential(nx) {
					k = nx
				} else {
					break
				}
			}
			if q := k + 2; sc.isQuote(k) && q+1 < len(toks) && sc.isQuote(q) && toks[k+1].kind == tWord &&
				toks[k+1].has(fCap) && toks[q+1].kind == tWord && toks[q+1].has(fCap) && !toks[q+1].has(fNewline) {
				// A nickname in quotes between the given name and the surname: William "Will" Dubois.
				words = append(words, 0.3)
				j, e = q, toks[q].e
				if len(words) >= 5 {
					break
				}
				continue
			}
			if k >= len(toks) || toks[k].has(fNewline) || toks[k].kind != tWord {
				break
			}
			// Surname particles in lower case join the name when a capitalized word follows on the
			// same line: "Dyan van Gijn", "Maika van de Noort", "Willemine ten Pas".
			if p := k; !toks[p].has(fCap) && !upperLine && nameParticle[sc.lw(p)] {
				q := p + 1
				if q < len(toks) && toks[q].kind == tWord && nameParticle[sc.lw(q)] && !toks[q].has(fCap) {
					q++
				}
				if q < len(toks) && toks[q].kind == tWord && toks[q].has(fCap) && !toks[q].has(fNewline) &&
					sc.cls[q]&(wStop|wTitle|wMonth|wWeekday|wMedical|wLabel) == 0 && sc.nameWordScore(q, upperLine) >= 0.15 {
					words = append(words, 0.15)
					j, e = q, toks[q].e
					words = append(words, sc.nameWordScore(q, upperLine))
					best = max(best, words[len(words)-1])
					if len(words) >= 5 {
						break
					}
					continue
				}
			}
			s := sc.nameWordScore(k, upperLine)
			if s < 0.15 && sc.cls[k]&(wFirst|wLast) != 0 && sc.cls[k]&wTitle == 0 && sc.credentialAfter(k) {
				s = 0.3 // "Vivian West, RN", "Frances May, MD"
			}
			if s < 0.15 && len(words) == 1 && j == i && sc.cls[i]&wFirst != 0 && sc.titleBefore(i) && !upperLine &&
				toks[k].has(fCap) && !toks[k].has(fUpper) && toks[k].e-toks[k].s >= 3 && !sc.isCredential(k) &&
				sc.text[toks[i].e:toks[k].s] == " " && !sc.isPunct(k+1, ':') && // not the next column or a label
				sc.cls[k]&(wStop|wMedical|wLabel|wMonth|wWeekday|wFacility|wTail|wUnit|wStreet|wState|wCountry|wHoliday) == 0 {
				s = 0.15 // "Dr. Justin Beet": a title and a first name, then the surname even if it is a word
			}
			if (upperLine && i == j && sc.commonAfterSurname(i, k)) || sc.subjectVerb(k) {
				break // "DR IMBORNONE MET WITH", "NP DJURIC MADE AWARE", "SON WILLIAM WENT": the sentence goes on
			}
			isInitial := toks[k].e-toks[k].s == 1 && toks[k].has(fUpper)
			if isInitial {
				s = 0.15
			}
			if s < 0.15 {
				break
			}
			if sc.isCredential(k) {
				break
			}
			if nameSuffix[sc.lw(k)] && toks[k].has(fCap) {
				s = 0.15
			}
			words = append(words, s)
			best = max(best, s)
			j = k
			e = toks[k].e
			if len(words) >= 5 {
				break
			}
		}
		// A lower-case word before a capitalized name is not part of it ("my kid Lukas").
		start := i
		if !toks[i].has(fCap) && !upperLine {
			for k := i + 1; k <= j; k++ {
				if toks[k].kind == tWord && toks[k].has(fCap) {
					start = k
					break
				}
			}
			if start != i {
				words = words[1:]
				best = 0
				for _, w := range words {
					best = max(best, w)
				}
				first = words[0]
			}
		}
		// A weak word before a strong one is not part of the name ("NEIIGHBOR JUSTIN").
		for start < j && len(words) > 1 && words[0] < 0.3 && words[1] >= 0.5 && sc.cls[start]&(wFirst|wLast) == 0 {
			start = sc.nextWordIdx(start, 2)
			words = words[1:]
			if start < 0 {
				break
			}
		}
		if start < 0 {
			i = j
			continue
		}
		// Combine: the best word, plus a bonus for several name-like words, plus context.
		score := best
		strong := 0
		for _, w := range words {
			if w >= 0.5 {
				strong++
			}
		}
		if len(words) >= 2 && strong >= 1 {
			score += 0.15
		}
		if len(words) >= 2 && strong >= 2 {
			score += 0.1
		}

		score += sc.nameContextBefore(start) + sc.nameContextAfter(start, j)
		if sc.firstLastPair(start, j) {
			score += 0.2 // "confirms that Amy Gardner": a first and a surname in title case, both also words
		}
		if sc.credentialAfter(j) {
			score += 0.4
		}
		for k := start + 1; k <= j; k++ {
			if toks[k].kind == tWord && nameNegAfter[sc.lw(k)] {
				score -= 0.5 // "Glasgow Coma Scale": the eponym's noun is inside the run
				break
			}
		}
		// The word right after the run, in the same sentence ("Babinski sign", "Parkinson's disease").
		if nx := j + 1; nx < len(toks) && (toks[nx].kind == tWord || sc.isPunct(nx, '\'')) && !toks[nx].has(fNewline) {
			if sc.isPunct(nx, '\'') {
				nx++
			}
			if nx >= len(toks) {
				nx = j
			}
			w := sc.lw(nx)
			if nameNegAfter[w] && !(w == "s" && sc.isPunct(j+1, '\'')) {
				score -= 0.5
			}
			if w == "s" && sc.isPunct(j+1, '\'') {
				// "Parkinson's disease", "Hashimoto's".
				if nn := sc.nextWordIdx(nx, 0); nn >= 0 && nameNegAfter[sc.lw(nn)] {
					score -= 0.5
				}
			}
		}
		score = min(score, 0.97) // a name is never certain
		if score >= 0.12 {       // under the threshold: a proposal for the learned scorer
			// The title stays outside the span ("Dr. [Kim]"): it is not an identifier.
			// A leading initial joins it: "B. Higgins", "J Smith".
			s := toks[start].s
			if p := start - 1; p >= 1 && sc.isPunct(p, '\'') && sc.glued(start) && sc.glued(p) && toks[p-1].e-toks[p-1].s == 1 && toks[p-1].has(fCap) {
				s = toks[p-1].s // "O'Connor", "D'Angelo"
			} else if p >= 0 && sc.isPunct(p, '.') && p >= 1 && sc.isInitialTok(p-1) {
				s = toks[p-1].s
			} else if p >= 0 && sc.isInitialTok(p) && toks[start].has(fSpace) {
				s = toks[p].s
			}
			if k := sc.invertedSurname(start, j); k >= 0 {
				s = toks[k].s
			} else if k := start - 1; k >= 0 && len(words) > 0 && words[0] >= 0.5 && sc.monthFirstName(k, start) {
				s = toks[k].s // "Jan Jílek", "June Carter": a month that is a first name, before a surname
			}
			sc.add(s, e, Name, score)
		}
		i = j
	}
}

// commonAfterSurname reports token k, after a one-word name w that no list holds as a given name,
// an ordinary word that is no given name either: in capitals, "IMBORNONE MET" is a surname and the
// verb after it far more often than a surname of two words.
func (sc *scan) commonAfterSurname(w, k int) bool {
	return sc.cls[w]&wFirst == 0 && sc.cls[k]&wCommon != 0 && sc.cls[k]&wFirst == 0
}

// dropLoneInitials removes, in place, the NAME spans that are one letter with no name beside them
// and no title before ("bed w hoyer", "to L ICA", "S/P AMI"); "Mr. I remained" keeps its initial.
func (sc *scan) dropLoneInitials(spans []cand) []cand {
	out := spans[:0]
	for i, c := range spans {
		if c.t == Name && c.e-c.s == 1 && !(i > 0 && spans[i-1].t == Name && c.s-spans[i-1].e <= 3) &&
			!(i+1 < len(spans) && spans[i+1].t == Name && spans[i+1].s-c.e <= 3) {
			k, ok := slices.BinarySearchFunc(sc.toks, c.s, func(t token, at int) int { return t.s - at })
			if ok && !sc.titleBefore(k) {
				continue
			}
		}
		out = append(out, c)
	}
	return out
}

// isInitialTok reports a single capital letter word token that is not a sentence-initial "I" or "A".
func (sc *scan) isInitialTok(k int) bool {
	t := sc.toks[k]
	if t.kind != tWord || t.e-t.s != 1 || !t.has(fUpper) {
		return false
	}
	if sc.isPunct(k-1, '\'') && sc.glued(k) {
		return false // "PT'S"
	}
	c := sc.text[t.s]
	return c != 'I' && c != 'A' || sc.isPunct(k+1, '.')
}

// titleBefore reports a person title right before token i ("Dr.", "Mrs").
func (sc *scan) titleBefore(i int) bool {
	p := sc.prevWordIdx(i, 1)
	return p >= 0 && sc.titleAt(p) && sc.toks[p].kind == tWord
}

// titleAt reports token k a person title: not one before a colon or slash, a heading ("MS: Pleasant",
// "MS/SOCIAL-": mental status).
func (sc *scan) titleAt(k int) bool {
	return sc.cls[k]&wTitle != 0 && !sc.isPunct(k+1, ':') && !sc.isPunct(k+1, '/')
}

func (sc *scan) isCredential(k int) bool {
	if k < 0 || k >= len(sc.toks) {
		return false
	}
	w := sc.word(k)
	lw := sc.lw(k)
	if lw == "m" || lw == "d" {
		// "M.D." / "D.O." (any case) only when the letters follow with periods.
		return sc.isPunct(k+1, '.') && (sc.isWord(k+2, "D") || sc.isWord(k+2, "O")) && (sc.toks[k].has(fCap) || sc.isPunct(k-1, ','))
	}
	if sc.cls[k]&wCredential == 0 {
		return false // not in nameCueAfter
	}
	if nameCueAfter[lw] && !sc.toks[k].has(fCap) && sc.isPunct(k-1, ',') && lw != "do" && lw != "pa" {
		return true // "rowe, james, md": a lower-case note
	}
	return nameCueAfter[lw] && (sc.toks[k].has(fUpper) || len(w) <= 2) && sc.toks[k].has(fCap)
}

// credentialAfter reports ", MD" / "MD" / "M.D." / "PA-C" after token j.
func (sc *scan) credentialAfter(j int) bool {
	k := j + 1
	if sc.isPunct(k, ',') {
		k++
	}
	return k < len(sc.toks) && !sc.toks[k].has(fNewline) && sc.isCredential(k)
}

// Lower-case words after a sentence-initial capitalized word that make it a subject:
// "Alvir spent a year", "Shovda is very reliable".
var nameVerbAfter = map[string]bool{"is": true, "was": true, "has": true, "had": true, "will": true,
	"would": true, "can": true, "could": true, "said": true, "says": true, "told": true, "shouted": true,
	"asked": true, "went": true, "spent": true, "lives": true, "lived": true, "works": true, "worked": true,
	"wrote": true, "and": true, "reports": true, "reported": true, "states": true, "stated": true,
	"denies": true, "denied": true, "complains": true, "presents": true, "presented": true, "returned": true,
	"arrived": true, "began": true, "called": true, "died": true, "passed": true, "agreed": true, "declined": true}

// monthFirstName reports a capitalized month name at token k that is also a first name, written
// right before the name word at start ("Jan Jílek"), with no day number before it ("4 June Carter"
// is a date and a name).
func (sc *scan) monthFirstName(k, start int) bool {
	t := sc.toks[k]
	if t.kind != tWord || sc.cls[k]&wMonth == 0 || sc.cls[k]&wFirst == 0 || !t.has(fCap) || t.has(fUpper) ||
		sc.text[t.e:sc.toks[start].s] != " " {
		return false
	}
	p := sc.prevWordIdx(k, 1)
	return p < 0 || sc.toks[p].kind == tWord
}

// invertedSurname returns the surname of a "Last, First" name whose surname is an ordinary word
// that the run could not start with ("Rice, Brady MD", "Price, Damian was seen"), or -1: a
// capitalized word opening the line or sentence, a comma, the first name at start, and after the
// first name at j a credential or a verb.
func (sc *scan) invertedSurname(start, j int) int {
	k := start - 2
	if k < 0 || !sc.isPunct(start-1, ',') || sc.toks[k].kind != tWord || !(sc.toks[k].has(fCap) || sc.toks[k].has(fUpper)) ||
		sc.toks[k].e-sc.toks[k].s < 2 || !sc.sentenceStart(k) || sc.toks[start].has(fNewline) {
		return -1
	}
	if sc.cls[k]&(wStop|wTitle|wLabel|wMonth|wWeekday|wMedical|wState|wCountry|wFacility) != 0 || sc.cls[start]&wFirst == 0 ||
		sc.cls[k]&(wFirst|wLast) == 0 && sc.cls[k]&wCommon != 0 {
		return -1
	}
	n := j + 1
	verb := n < len(sc.toks) && sc.toks[n].kind == tWord && !sc.toks[n].has(fNewline) && !sc.toks[n].has(fCap) && nameVerbAfter[sc.lw(n)]
	if !verb && !sc.credentialAfter(j) {
		return -1
	}
	return k
}

// nameContextAfter scores the word after a run from token start to j: a verb after a name
// opening the sentence ("Earl Wise was seen").
func (sc *scan) nameContextAfter(start, j int) float64 {
	n := j + 1
	if n >= len(sc.toks) || sc.toks[n].has(fNewline) {
		return 0
	}
	if sc.toks[n].kind == tWord && !sc.toks[n].has(fCap) && nameVerbAfter[sc.lw(n)] && sc.sentenceStart(start) {
		return 0.2
	}
	return 0
}

// nameContextBefore sums cue words among the two words before token i.
func (sc *scan) nameContextBefore(i int) float64 {
	boost := 0.0
	p := sc.prevWordIdx(i, 2)
	if p < 0 {
		return 0
	}
	if sc.isInitialTok(p) && sc.toks[p].kind == tWord {
		// "B. Hill", "E. WISE": an initial before a capitalized word; the cue is further back.
		boost += 0.25
		if p = sc.prevWordIdx(p, 1); p < 0 {
			return boost
		}
	}
	w := sc.lw(p)
	b := 0.0
	if sc.cls[p]&wNameCue != 0 {
		b = nameCueBefore[w]
	}
	if w == "law" && sc.isWord(sc.prevWordIdx(p, 1), "in") {
		b = 0.4 // "son-in-law Miles", "daughter-in-law Ana": relatives, like "son" and "daughter"
	}
	if sc.titleAt(p) && sc.toks[p].has(fCap) {
		b = max(b, 0.6)
	}
	// A label line "Patient: X" / "Attending: X".
	if sc.isPunct(i-1, ':') && b > 0 {
		b += 0.1
	}
	switch w {
	case "insurance", "insurer", "payer", "carrier", "coverage", "plan", "pharmacy":
		b -= 0.5 // "insurance Harvard Pilgrim": an organization
	}
	boost += b
	if b < 0.3 {
		if pp := sc.prevWordIdx(p, 1); pp >= 0 {
			w2 := sc.lw(pp)
			if (w == "by" || w == "with" || w == "to") && (w2 == "seen" || w2 == "signed" || w2 == "spoke" ||
				w2 == "dictated" || w2 == "evaluated" || w2 == "examined" || w2 == "referred" || w2 == "accompanied" ||
				w2 == "discussed" || w2 == "talked" || w2 == "performed" || w2 == "read" || w2 == "written" ||
				w2 == "reviewed" || w2 == "approved" || w2 == "requested") {
				boost += 0.25
			}
			if w == "is" && w2 == "name" {
				boost += 0.4
			}
		}
	}
	return boost
}

// camelAbbrev reports an ASCII word with a capital after a lower-case letter whose
// prefix is not a surname particle: "SpO", "NaCl" are abbreviations; "McDonald",
// "DeAndre", "MacArthur", "LaToya" are names.
func camelAbbrev(w string) bool {
	for i := 1; i < len(w); i++ {
		c, p := w[i], w[i-1]
		if c >= 0x80 || p >= 0x80 {
			return false
		}
		if isUpperAlpha(c) && p >= 'a' && p <= 'z' {
			switch strings.ToLower(w[:i]) {
			case "mc", "mac", "de", "la", "le", "di", "da", "van", "von", "du", "st", "o", "d", "del", "della", "ja", "ke", "ra", "sha", "ta":
				return false
			}
			return true
		}
	}
	return false
}

// firstLastPair reports a run of two or three words from token start to j written in title case,
// separated by single spaces, in a line that is not in capitals, opening with a first name and
// ending with a surname, and not a payer or part of a longer proper name.
func (sc *scan) firstLastPair(start, j int) bool {
	if j == start || j-start > 4 || sc.lineUpper(start) || sc.cls[start]&wFirst == 0 || sc.cls[j]&wLast == 0 {
		return false
	}
	if p := sc.prevWordIdx(start, 1); p >= 0 && ctxWords[sc.lw(p)] == HealthPlan {
		return false // "Insurance: Harvard Pilgrim": a payer
	}
	if n := j + 1; n < len(sc.toks) && sc.toks[n].kind == tWord && sc.toks[n].has(fCap) && !sc.toks[n].has(fNewline) {
		return false // "Blue Cross Blue Shield": a longer proper name, not a person's
	}
	for k := start; k <= j; k++ {
		t := sc.toks[k]
		if t.kind != tWord || !t.has(fCap) || t.has(fUpper) && t.e-t.s > 1 || k > start && sc.text[sc.toks[k-1].e:t.s] != " " {
			return false // title-case words separated by single spaces: not "Jackson-Pratt", "A. B."
		}
	}
	return true
}

// columnGapAfter reports two or more spaces or a tab after token k on the same line: the end
// of a field in a form ("PATIENT NAME: SOLIS, MILES   Address: ...").
func (sc *scan) columnGapAfter(k int) bool {
	if k+1 >= len(sc.toks) || sc.toks[k+1].has(fNewline) {
		return false
	}
	gap := sc.text[sc.toks[k].e:sc.toks[k+1].s]
	return strings.Contains(gap, "  ") || strings.Contains(gap, "\t")
}

// isQuote reports a straight or curly double quote at token k.
func (sc *scan) isQuote(k int) bool {
	if k < 0 || k >= len(sc.toks) || sc.toks[k].kind != tPunct {
		return false
	}
	switch sc.word(k) {
	case "\"", "“", "”":
		return true
	}
	return false
}
