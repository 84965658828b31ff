package detectors

import (
	"slices"
	"strings"
)

// Years of a patient's history ("MI '92", "CABG 84", "s/p AVR in 1993", "CVA 74'"). Safe Harbor
// allows a year alone, and clinicians want them (how long ago the infarct was), so by default
// they stay; the PhysioNet gold marks them (DateYear) for those who remove them too.
// `redact_years: true` reports them as DATE, after the rules and the scorer, whatever either said.
// A weekday alone ("plan for OR on Monday") is no date element either: `weekdays: true` reports it.

// dropLoneWeekdays removes the DATE spans that are one weekday word and nothing else, in place;
// a weekday next to a date ("Wednesday, March 2, 2016") stays with it.
func (sc *scan) dropLoneWeekdays(spans []cand) []cand {
	out := spans[:0]
	for i, c := range spans {
		if c.t == Date && c.e-c.s <= len("wednesday") && !(i+1 < len(spans) && sc.nextTo(c, spans[i+1])) &&
			!(i > 0 && sc.nextTo(spans[i-1], c)) {
			k, ok := slices.BinarySearchFunc(sc.toks, c.s, func(t token, at int) int { return t.s - at })
			if ok && sc.toks[k].e == c.e && sc.cls[k]&wWeekday != 0 {
				continue
			}
		}
		out = append(out, c)
	}
	return out
}

// addLoneWeekdays adds to spans the weekdays the date rules proposed alone that no span covers,
// whatever the scorer said of them: `weekdays: true` asks for every one.
func (sc *scan) addLoneWeekdays(spans []cand) []cand {
	n := len(spans)
	for _, c := range sc.cands {
		if c.t != Date || c.score < sc.e.th[typeIdx(Date)] {
			continue
		}
		k, ok := slices.BinarySearchFunc(sc.toks, c.s, func(t token, at int) int { return t.s - at })
		if !ok || sc.toks[k].e != c.e || sc.cls[k]&wWeekday == 0 {
			continue
		}
		covered := false
		for _, s := range spans[:n] {
			covered = covered || s.s < c.e && c.s < s.e
		}
		if !covered {
			spans = append(spans, c)
		}
	}
	if len(spans) == n {
		return spans
	}
	return mergeCands(spans)
}

// nextTo reports DATE span b after span a with at most a comma and spaces between them.
func (sc *scan) nextTo(a, b cand) bool {
	if b.t != Date || a.t != Date || b.s-a.e > 3 {
		return false
	}
	return strings.Trim(sc.text[a.e:b.s], ", ") == ""
}

// historyEvent are the words after which a bare two-digit number is a year: procedures,
// diagnoses and the words that introduce a date of history.
var historyEvent = map[string]bool{"mi": true, "nstemi": true, "stemi": true, "cabg": true, "cabgx3": true,
	"cabgx2": true, "cva": true, "tia": true, "ptca": true, "pci": true, "stent": true, "stents": true,
	"avr": true, "mvr": true, "redo": true, "ablation": true, "pacer": true, "pacemaker": true, "aicd": true,
	"icd": true, "chole": true, "cholecystectomy": true, "appy": true, "appendectomy": true, "tah": true,
	"turp": true, "repair": true, "dx": true, "diagnosed": true, "hx": true, "cancer": true,
	"nephrectomy": true, "mastectomy": true, "lobectomy": true, "colectomy": true, "fx": true, "surgery": true,
	"thr": true, "tkr": true}

// historyYears appends to spans the years of history its tokens hold outside them.
func (sc *scan) historyYears(spans []cand) []cand {
	toks := sc.toks
	n := len(spans)
	j := 0 // the first span not before token i
	for i, t := range toks {
		if t.kind != tNum {
			continue
		}
		for j < n && spans[j].e <= t.s {
			j++
		}
		if j < n && spans[j].s < t.e {
			continue // already inside a date, phone or code
		}
		if sc.yearAt(i) {
			spans = append(spans, cand{s: t.s, e: t.e, t: Date, score: 0.9})
		}
	}
	if len(spans) == n {
		return spans
	}
	return mergeCands(spans)
}

// yearAt reports number token i a year of history.
func (sc *scan) yearAt(i int) bool {
	t := sc.toks[i]
	if sc.joined(i-1, i) || sc.isPunct(i-1, '.') && sc.glued(i) || sc.joined(i+1, i+1) ||
		sc.isPunct(i+1, '.') && sc.glued(i+1) && i+2 < len(sc.toks) && sc.toks[i+2].kind == tNum && sc.glued(i+2) {
		return false // "7/22", "10-14", "98.6", "1900->0700": part of something else
	}
	p := sc.prevWordIdx(i, 1)
	switch t.e - t.s {
	case 2:
		if sc.isPunct(i-1, '\'') && sc.glued(i) {
			return p >= 0 && sc.toks[p].kind != tNum // "MI '92"
		}
		// After its event, bare or with a trailing apostrophe: "CABG 84", "CVA 74'", "repair in 14'";
		// not "70's", the decade of a vital sign, nor "ambulated 30'", feet.
		if sc.isPunct(i+1, '\'') && sc.glued(i+1) && i+2 < len(sc.toks) && sc.toks[i+2].kind == tWord && sc.glued(i+2) {
			return false
		}
		if p >= 0 && (sc.lw(p) == "in" || sc.lw(p) == "since") {
			p = sc.prevWordIdx(p, 0) // "CVA in 94"
		}
		return p >= 0 && historyEvent[sc.lw(p)] && !sc.unitAfter(i)
	case 4:
		y := atoiDigits(sc.text[t.s:t.e])
		if p >= 0 && (sc.lw(p) == "in" || sc.lw(p) == "since" || sc.lw(p) == "of" && sc.prevWordIdx(p, 0) >= 0 &&
			sc.cls[sc.prevWordIdx(p, 0)]&wMonth != 0) {
			return y >= 1900 && y <= 2039 // "in 1993", "March of 1993": no clock time reads so
		}
		// Nursing notes write clock times as four digits ("1930"): a year needs its event.
		return y >= 1900 && y <= 2039 && p >= 0 && (historyEvent[sc.lw(p)] || sc.lw(p) == "ca")
	}
	return false
}

// joined reports token k a punctuation mark of those that join a number to another (a date, a
// range, a time) without a space between token g-1 and g.
func (sc *scan) joined(k, g int) bool {
	if k < 0 || k >= len(sc.toks) || sc.toks[k].kind != tPunct || !sc.glued(g) {
		return false
	}
	switch sc.text[sc.toks[k].s] {
	case '/', '-', ':', '>', '<', '+', '%':
		return true
	}
	return false
}

// unitAfter reports a unit of time or measure after number token i: "MI 12 hrs ago" is no year.
func (sc *scan) unitAfter(i int) bool {
	if i+1 >= len(sc.toks) || sc.toks[i+1].kind != tWord {
		return false
	}
	switch sc.lw(i + 1) {
	case "h", "hr", "hrs", "hour", "hours", "min", "mins", "minutes", "d", "day", "days", "wk", "wks", "week",
		"weeks", "mo", "mos", "month", "months", "y", "yr", "yrs", "year", "years", "mg", "mm", "cm", "cc", "ml",
		"units", "pct", "percent", "yo":
		return true
	}
	return false
}

func atoiDigits(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}
