package detectors

import "strings"

// Identifiers mixing letters and digits, by check digit or by label:
//
//	VEHICLE  1HGCM82633A004352 (VIN check digit), "plate 7ABC123"
//	LICENSE  AM1234563 (DEA checksum), "DL S530-4412-9981"
//	ACCOUNT  DE89 3704 0044 0532 0130 00 (IBAN mod-97), "acct ACC-00123987"
//	DEVICE   "serial PM7734921X", "UDI (01)00643169007222(17)160128(10)BJ04171"
//	BIOMETRIC "fingerprint template FP-88213-A", "voiceprint ID VX99812"
//	MRN, HEALTH_PLAN, ID  after their labels: "MRN: A0091827", "Member ID XKB884120031"
//	ID       unlabelled codes with 5 or more digits and letters: "RA-2231987"
func init() {
	register(Spec{Name: "ids", Types: []Type{Vehicle, License, Account, Device, MRN, HealthPlan, Biometric, ID},
		Description: "alphanumeric identifiers: VIN check digit, DEA checksum, IBAN mod-97, and labelled codes (MRN, member, license, serial, plate)"},
		detectIDs)
}

func detectIDs(sc *scan) {
	toks := sc.toks
	for i := 0; i < len(toks); {
		j := sc.chunkEnd(i)
		sc.idChunk(i, j)
		i = j
	}
}

// idChunk examines the whitespace-free chunk of tokens [i,j).
func (sc *scan) idChunk(i, j int) {
	toks := sc.toks
	// Skip leading punctuation: "(01)..." keeps the paren, "#A123" does not.
	for i < j && toks[i].kind == tPunct && !sc.isPunct(i, '(') {
		i++
	}
	for j > i && toks[j-1].kind == tPunct && !sc.isPunct(j-1, ')') {
		j--
	}
	if j-1 > i && sc.isPunct(j-1, ')') && !strings.Contains(sc.text[toks[i].s:toks[j-1].s], "(") {
		j-- // "MA-123456)": the paren closes the sentence's parenthesis, not the code
	}
	if i >= j {
		return
	}
	digits, letters, alnum := 0, 0, 0
	for k := i; k < j; k++ {
		t := toks[k]
		switch t.kind {
		case tNum:
			digits += t.e - t.s
		case tAlnum:
			alnum++
			for p := t.s; p < t.e; p++ {
				if isDigit(sc.text[p]) {
					digits++
				} else {
					letters++
				}
			}
		case tWord:
			letters += t.e - t.s
		case tPunct:
			if c := sc.text[t.s]; c == '@' || c == ':' {
				return // e-mail, URL, time: other detectors
			}
		}
	}
	if letters == 0 && toks[i].kind != tPunct {
		return // pure digit runs are the numbers detector's
	}
	if digits > 0 && sc.measurementChunk(i, j) && (!sc.labelBefore(i) || sc.idHeading(i)) {
		return // "90-100/40's", "30-40cc/hr", "7.5--10mcg/kg": vital signs and drips
	}
	if digits == 0 && letters <= 4 && j-i == 1 && j < len(toks) && toks[j].kind == tNum && !toks[j].has(fNewline) &&
		toks[j].e-toks[j].s <= 4 {
		if ctx, ok := sc.keyContext(i); ok && ctx == Vehicle {
			sc.add(toks[i].s, toks[j].e, Vehicle, 0.9) // a plate in two parts, in any case: "plate HZB 125", "plate cbl 098"
			return
		}
	}
	if digits == 0 {
		// Only a capital-letter code right after a label can be an identifier without digits, and
		// not in a note without capitals, where every word looks like one.
		p := sc.prevWordIdx(i, 2)
		if _, glued := sc.gluedLabel(i, j); sc.caseless || !toks[i].has(fUpper) || letters < 2 ||
			(p < 0 || sc.cls[p]&wLabel == 0 && !sc.isWord(p, "id") && !sc.misspeltLabelAt(p)) && !glued {
			return
		}
	}
	for k := i; k < j; k++ {
		if toks[k].kind == tWord && sc.cls[k]&wMonth != 0 && k > i && toks[k-1].kind == tPunct {
			return // "24-May-2015": a date (dates.go)
		}
	}
	s, e := toks[i].s, toks[j-1].e
	w := sc.text[s:e]
	ctx, hasCtx := sc.keyContext(i)
	if c, glued := sc.gluedLabel(i, j); !hasCtx && glued {
		ctx, hasCtx = c, true
	}
	if digits == 0 {
		// Capitals only: a labelled code ("BIO-BVBWSJXTJA", "enrollment BIO-AYEUJFWBBL").
		if !hasCtx || ctx == Location || ctx == IP || ctx == Phone || ctx == Fax {
			return
		}
		unknown := false // a part no dictionary knows, of five letters or more: "BVBWSJXTJA", not "TRACH/PEG"
		for k := i; k < j; k++ {
			if toks[k].kind == tWord && sc.cls[k]&wCommon != 0 && (j-i == 1 || toks[k].e-toks[k].s >= 6) {
				return // an ordinary word in capitals ("CONTINUE"), not a code; a short prefix ("BIO-") may be one
			}
			unknown = unknown || toks[k].kind == tWord && sc.cls[k] == 0 && toks[k].e-toks[k].s >= 5
		}
		if !unknown {
			return
		}
		if letters >= 6 && (j-i >= 3 || letters >= 8) {
			sc.add(s, e, ctx, 0.85)
		}
		return
	}
	// A short all-caps prefix word before the code ("HPN 6620019", "SN 45-88213-A") keeps its label.
	if !hasCtx {
		if p := sc.prevWordIdx(i, 0); p >= 0 && sc.toks[p].kind == tWord && sc.toks[p].has(fUpper) && sc.toks[p].e-sc.toks[p].s <= 4 {
			if c, ok := sc.keyContext(p); ok && c != Phone && c != Fax && c != ID {
				ctx, hasCtx, s = c, true, sc.toks[p].s
			} else if c, ok := ctxWords[sc.lw(p)]; ok && c != ID {
				ctx, hasCtx = c, true
			}
		}
	}
	switch {
	case j-i == 1 && len(w) == 17 && vinValid(w):
		sc.add(s, e, Vehicle, 0.95)
		return
	case j-i == 1 && len(w) == 9 && deaValid(w):
		score := 0.75
		if hasCtx && ctx == License {
			score = 0.95
		}
		sc.add(s, e, License, score)
		return
	case j-i == 1 && toks[i].kind == tAlnum && len(w) >= 4 && isAlpha(w[0]) && isAlpha(w[1]) && isDigit(w[2]) && isDigit(w[3]):
		// IBAN, possibly written in groups of four: "DE89 3704 0044 0532 0130 00".
		end := j
		for end < len(toks) && end-j < 8 && toks[end].has(fSpace) && !toks[end].has(fNewline) &&
			(toks[end].kind == tNum || toks[end].kind == tAlnum) && toks[end].e-toks[end].s <= 4 {
			end++
		}
		for k := end; k > j-1; k-- {
			if ibanValid(sc.text[s:toks[k-1].e]) {
				sc.add(s, toks[k-1].e, Account, 0.95)
				return
			}
		}
	}
	if hasCtx && (ctx == Phone || ctx == Fax) {
		hasCtx = false // phones are the numbers detector's; "at L4-L5" is not a phone
	}
	if bare := strings.Trim(w, "()"); icdCode(bare) || vertebra(bare) {
		if !hasCtx || ctx == ID {
			return // diagnosis codes and spine levels are clinical content
		}
	}
	// One digit is enough in a long code in capitals after a label: "serial SN-MCCRF5ABMT".
	if hasCtx && ctx != Location && ctx != IP && (digits >= 2 && digits+letters >= 4 || digits == 1 && letters >= 7 && longMixedToken(sc, i, j)) {
		t := ctx
		if t == Phone || t == Fax || t == SSN {
			t = ID
		}
		sc.add(s, e, t, 0.9)
		return
	}
	if digits >= 2 && letters >= 3 && longMixedToken(sc, i, j) {
		sc.add(s, e, ID, 0.6) // "VQMTXQ7A9W", "5NL0WL6TSJ"
		return
	}
	if toks[i].kind != tWord && toks[i].kind != tPunct && alnum == 1 && j-i == 1 && digits <= 3 {
		return // "3rd", "A1c", "SpO2", "x4": not identifiers
	}
	if digits >= 5 && letters >= 1 || digits >= 2 && letters >= 3 && longMixedToken(sc, i, j) {
		sc.add(s, e, ID, 0.6)
	} else if digits >= 4 && letters >= 2 && j-i >= 3 {
		sc.add(s, e, ID, 0.5)
	}
}

// gluedLabel reports the chunk [i,j) a label glued to its code and the label's type: "SN-VZYP2EKPUV",
// "MRN-00482913", "SN-DWTUHYTEHR".
func (sc *scan) gluedLabel(i, j int) (Type, bool) {
	toks := sc.toks
	if j-i < 3 || toks[i].kind != tWord || !toks[i].has(fUpper) || !sc.isPunct(i+1, '-') {
		return "", false
	}
	c, ok := ctxWords[sc.lw(i)]
	return c, ok && c != ID && c != Phone && c != Fax && c != Location
}

// labelBefore reports an identifier label before token i ("policy no. AZ-7731-092-884").
func (sc *scan) labelBefore(i int) bool {
	t, ok := sc.keyContext(i)
	return ok && t != Phone && t != Fax && t != MRN // "at 30-40cc/hr", "unit 2" are no labels of a code

}

// vitalAbbrev are abbreviations of vital signs, haemodynamics, ventilator settings and outputs that
// nursing notes write before a reading, glued or with a dash: "HR60-70's", "RR-11-13", "MAP57-63".
var vitalAbbrev = map[string]bool{"hr": true, "rr": true, "bp": true, "sbp": true, "dbp": true, "nbp": true,
	"abp": true, "map": true, "cvp": true, "pcwp": true, "pap": true, "pad": true, "pas": true, "ci": true,
	"co": true, "svr": true, "svo": true, "tv": true, "vt": true, "ac": true, "ps": true, "peep": true,
	"fio": true, "tmax": true, "temp": true, "sat": true, "sats": true, "spo": true, "uo": true, "uop": true,
	"o": true, "ad": true, "as": true, "baedp": true, "paedp": true, "aug": true, "sys": true, "dia": true,
	"cpap": true, "simv": true, "rate": true, "gcs": true, "ie": true, "max": true, "pao": true, "paco": true,
	"pco": true, "po": true, "sao": true, "etco": true, "q": true}

// vitalDigits reports a lower-case token that is a vital-sign abbreviation and up to four digits: "map57".
func vitalDigits(w string) bool {
	d := len(w)
	for d > 0 && isDigit(w[d-1]) {
		d--
	}
	return d > 0 && len(w)-d >= 1 && len(w)-d <= 4 && vitalAbbrev[w[:d]]
}

// idHeading reports the chunk at token i the first words after "ID" opening a line: the
// infectious-disease heading of a nursing note ("\nID: T(MAX)98.7(PO)"), whose measurements are no
// identifier.
func (sc *scan) idHeading(i int) bool {
	p := sc.prevWordIdx(i, 2)
	return p >= 0 && sc.isWord(p, "id") && (p == 0 || sc.toks[p].has(fNewline))
}

// measurementChunk reports a chunk of tokens [i,j) that is a clinical measurement: groups of at
// most four digits, joined by '-', '/', '.', '~' or written with a unit, whose letters are units or
// short abbreviations ("90-100/40's", "30-40cc/hr", "7.5--10mcg/kg", "co/ci---5.6/2.62", "100-200CC/HR"),
// with two number groups at least or a number and its unit.
func (sc *scan) measurementChunk(i, j int) bool {
	for k := i; k < j; k++ {
		if sc.isPunct(k, '%') && k > i && (sc.toks[k-1].kind == tNum || sc.toks[k-1].kind == tAlnum && isDigit(sc.text[sc.toks[k-1].e-1])) {
			return true // "550*8-50%-7.5P", "AC12/550/55%": a percentage is in no identifier
		}
	}
	groups, units := 0, 0
	for k := i; k < j; k++ {
		t := sc.toks[k]
		w := sc.text[t.s:t.e]
		switch t.kind {
		case tNum:
			if len(w) > 4 {
				return false
			}
			groups++
		case tAlnum:
			d := 0
			for d < len(w) && isDigit(w[d]) {
				d++
			}
			if isTimesDigits(w) {
				groups, units = groups+1, units+1 // ventilator settings or a size: "600x12", "700X10x5"
				continue
			}
			if d == 0 && vitalDigits(sc.ltext[t.s:t.e]) {
				groups++ // a reading glued to its abbreviation: "MAP57", "HR60", "tv800"
				continue
			}
			if d == 0 || d > 4 || len(w)-d > 5 {
				return false
			}
			for _, c := range []byte(w[d:]) {
				if !isAlpha(c) {
					return false // "4A2": a code, not a number and its unit
				}
			}
			groups++
			units++
		case tWord:
			if vitalAbbrev[sc.ltext[t.s:t.e]] {
				units++ // a reading and its label: "RR-11-13", "BAEDP-56-66", "svr-6/2.8/698", "TMAX-99"
				continue
			}
			if len(w) > 4 && sc.cls[k]&(wCommon|wMedical) == 0 {
				return false
			}
			if sc.isPunct(k+1, '-') && k+2 < j && sc.toks[k+2].kind == tNum && !sc.isPunct(k-1, '\'') {
				return false // a prefix and its number: "IR-24-1187", "HFS-017-0342"
			}
		case tPunct:
			switch sc.text[t.s] {
			case '-', '/', '.', '\'', '%', '(', ')', '~', '<', '>', '+', ',', ':', '=', '*':
			default:
				return false
			}
		}
	}
	return groups >= 2 || units > 0
}

// isTimesDigits reports ventilator settings written as digit groups of at most three joined by 'x':
// "600x12", "700X10x1", "14X700X100", "x25x500x40"; "4508x769" is a phone number and its extension.
func isTimesDigits(w string) bool {
	groups, run := 0, 0
	for i := 0; i < len(w); i++ {
		switch c := w[i]; {
		case isDigit(c):
			if run++; run > 3 {
				return false
			}
		case (c == 'x' || c == 'X') && (run > 0 || i == 0):
			if run > 0 {
				groups++
			}
			run = 0
		default:
			return false
		}
	}
	return groups >= 1 && run > 0
}

// icdCode reports an ICD-10 code shape: a letter, two digits, optionally '.' and up to 4 characters ("K92.2", "S72.001A").
func icdCode(w string) bool {
	if len(w) < 3 || !isAlpha(w[0]) || !isDigit(w[1]) || !(isDigit(w[2]) || w[2] == 'A' || w[2] == 'B') {
		return false
	}
	if len(w) == 3 {
		return true
	}
	if w[3] != '.' || len(w) > 8 {
		return false
	}
	for i := 4; i < len(w); i++ {
		if !isDigit(w[i]) && !isAlpha(w[i]) {
			return false
		}
	}
	return true
}

// vertebra reports spine levels: "L4", "C5-C6", "T12-L1", "L5-S1".
func vertebra(w string) bool {
	for part := range strings.SplitSeq(w, "-") {
		if len(part) < 2 || len(part) > 3 || strings.IndexByte("CTLSctls", part[0]) < 0 {
			return false
		}
		for i := 1; i < len(part); i++ {
			if !isDigit(part[i]) {
				return false
			}
		}
	}
	return true
}

// longMixedToken reports a token in [i,j) of 8 or more letters and digits mixed,
// in capitals: a generated code ("5NL0WL6TSJ"), not a lab name ("HbA1c", "SpO2").
func longMixedToken(sc *scan, i, j int) bool {
	for k := i; k < j; k++ {
		t := sc.toks[k]
		if t.kind == tAlnum && t.e-t.s >= 8 && strings.ToUpper(sc.text[t.s:t.e]) == sc.text[t.s:t.e] {
			return true
		}
	}
	return false
}
