package detectors

import "strings"

// Dates written with words, and ages over 89 (numeric dates are in numbers.go):
//
//	DATE  March 4th, 2020; Mar 4; 4 March 2019; 04-Mar-2019; the 4th of March; Sept 9;
//	      January (a capitalized full month name); Tuesday; Christmas
//	AGE   92 year old, 94-year-old, 101 yo, 91 y/o, aged 95, age: 90
//
// A year alone ("in 1999") is not PHI under Safe Harbor and is not reported.
func init() {
	register(Spec{Name: "dates", Types: []Type{Date, Age},
		Description: "dates with month and weekday names in every common order, holidays, and ages over 89 with their units"},
		detectDates)
}

// Holidays name a date of the year.
var holidays = map[string]bool{"christmas": true, "thanksgiving": true, "easter": true, "halloween": true,
	"xmas": true, "hanukkah": true, "ramadan": true, "diwali": true}

func detectDates(sc *scan) {
	toks := sc.toks
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		switch t.kind {
		case tNum:
			if e, ok := sc.age(i); ok {
				sc.add(t.s, e, Age, 0.9)
			}
			continue
		case tAlnum:
			if sc.ordinalDate(i) {
				sc.add(t.s, t.e, Date, 0.6)
				continue
			}
			// "94yo", "92F", "101y"
			if w := sc.lw(i); len(w) >= 3 && isDigit(w[0]) && isDigit(w[1]) {
				k := 2
				if isDigit(w[2]) {
					k = 3
				}
				n := atoiTok(sc, i) // stops at the letters
				switch w[k:] {
				case "yo", "y", "yr", "yrs", "yof", "yom", "f", "m", "yowf", "yowm":
					if n >= 90 && n <= 125 {
						sc.add(t.s, t.e, Age, 0.9)
					}
				}
			}
			continue
		case tWord:
			// An age in words starts with "ninety", "hundred" or "one hundred": 6, 7 or 3 letters.
			if n := t.e - t.s; n == 3 || n == 6 || n == 7 {
				if e, ok := sc.ageWords(i); ok {
					sc.add(t.s, e, Age, 0.85)
					continue
				}
			}
		default:
			continue
		}
		cls := sc.cls[i]
		if cls&(wMonth|wWeekday) == 0 {
			if cls&wHoliday != 0 && t.has(fCap) {
				sc.add(t.s, t.e, Date, 0.6)
			}
			continue
		}
		w := sc.lw(i)
		if cls&wWeekday != 0 && cls&wMonth == 0 {
			// Full weekday names only, capitalized or in a capitals line; "sat", "sun", "wed" are words.
			if len(w) >= 6 || (len(w) <= 4 && sc.isPunct(i+1, '.') && t.has(fCap) && w != "sun" && w != "sat" && w != "wed") {
				score := 0.55
				if t.has(fCap) {
					score = 0.7
				}
				s, e := t.s, t.e
				// "Monday, June 3" is reported with the month that follows; "Tuesday the 12th" with its day.
				if k := i + 2; sc.isWord(i+1, "the") && k < len(toks) && toks[k].kind == tAlnum && sc.isDay(k) {
					e, score = toks[k].e, 0.85
				}
				sc.add(s, e, Date, score)
			}
			continue
		}
		sc.monthDate(i, w)
	}
}

// monthDate handles a month word at token i.
func (sc *scan) monthDate(i int, w string) {
	toks := sc.toks
	t := toks[i]
	s, e := t.s, t.e
	score := 0.0
	j := i // last token of the date
	if sc.isPunct(j+1, '.') && sc.glued(j+1) && len(w) <= 4 {
		j++ // "Sept."
		e = toks[j].e
	}
	// Month then day: "March 4", "March 4th", "Mar 4, 2019", "March 4th, 2020".
	if k := sc.nextWordIdx(j, 0); k >= 0 && !toks[k].has(fNewline) && sc.isDay(k) {
		score = 0.9
		j, e = k, toks[k].e
		if y := sc.yearAfter(j); y > 0 {
			j, e = y, toks[y].e
		}
	} else if k >= 0 && !toks[k].has(fNewline) && toks[k].kind == tNum && toks[k].e-toks[k].s == 4 && sc.isYear(k) {
		// Month and year: "March 2019" (the month is a date element).
		score = 0.8
		j, e = k, toks[k].e
	} else if y := sc.nextWordIdx(k, 0); k >= 0 && sc.isWord(k, "of") && y >= 0 && !toks[y].has(fNewline) &&
		toks[y].kind == tNum && toks[y].e-toks[y].s == 4 && sc.isYear(y) {
		score = 0.8 // "MARCH OF 1993"
		j, e = y, toks[y].e
	}
	// Day before the month: "4 March", "4th of March", "the 4th of March", "04-Mar-2019".
	if p := sc.prevWordIdx(i, 1); p >= 0 && !toks[i].has(fNewline) {
		pp := p
		if sc.isWord(p, "of") {
			pp = sc.prevWordIdx(p, 0)
		}
		if pp >= 0 && sc.isDay(pp) && (pp == p || sc.isWord(p, "of")) && (toks[pp+1].kind != tPunct || sc.isPunct(pp+1, '-') || sc.isPunct(pp+1, '/') || sc.isPunct(pp+1, ' ')) {
			s = toks[pp].s
			if q := pp - 1; q >= 0 && sc.isWord(q, "the") {
				s = toks[q].s
			}
			if score == 0 {
				score = 0.9
				if y := sc.yearAfter(j); y > 0 {
					j, e = y, toks[y].e
				} else if y := j + 2; sc.isPunct(j+1, ',') && y+1 < len(toks) && toks[y].kind == tNum && toks[y].e-toks[y].s == 2 &&
					!toks[y].has(fNewline) && toks[y+1].kind == tNum && toks[y+1].e-toks[y+1].s == 4 && !toks[y+1].has(fNewline) {
					j, e = y, toks[y].e // "21 Apr, 21 0700": two digits after day and month, then the clock ("3 Apr, 12 lead" is none)
				}
			}
		}
	}
	if score == 0 {
		// A month name alone: full names only, capitalized or after "in", "since" and the like
		// ("in sept.", "SINCE JUNE"); "May" and "March" are also words.
		switch {
		case len(w) < 3 || t.e-t.s <= 3 && w != "may" || !t.has(fCap) && !monthPrep[sc.lw(max(sc.prevWordIdx(i, 0), 0))]:
			return
		case w == "may" || w == "march" || w == "august":
			if sc.dateContextBefore(i) || sc.isWord(sc.prevWordIdx(i, 0), "in") {
				score = 0.55
			} else {
				return
			}
		default:
			score = 0.6
		}
	}
	sc.add(s, e, Date, score)
}

// ordinalDate reports an ordinal day alone at token i after "the", ending its clause: "drawn on the
// 11th.", "it's the 11th." (not "the 3rd unit", "on the 2nd day").
func (sc *scan) ordinalDate(i int) bool {
	w := sc.lw(i)
	if len(w) < 3 || !isDigit(w[0]) || !isDigit(w[len(w)-3]) {
		return false // cheap test first: it runs on every alphanumeric token
	}
	p := sc.prevWordIdx(i, 0)
	if p < 0 || !sc.isWord(p, "the") || !sc.isDay(i) {
		return false
	}
	n := i + 1
	return n >= len(sc.toks) || sc.toks[n].has(fNewline) ||
		sc.isPunct(n, '.') || sc.isPunct(n, ',') || sc.isPunct(n, ';') || sc.isPunct(n, ')') || sc.isQuote(n)
}

// monthPrep are the words before a month alone that make it one whatever its case: "in sept.", "SINCE JUNE".
var monthPrep = map[string]bool{"in": true, "since": true, "until": true, "during": true, "early": true,
	"late": true, "mid": true, "last": true, "next": true, "this": true, "throughout": true}

// isDay reports a day of the month: 1-31, optionally with st/nd/rd/th.
func (sc *scan) isDay(k int) bool {
	t := sc.toks[k]
	w := sc.word(k)
	if sc.clockAfter(k) {
		return false // "April 10:16 PM": a clock time; "Jan. 26th: TSH 3.6" is a day before a colon
	}
	switch t.kind {
	case tNum:
		if len(w) > 2 {
			return false
		}
	case tAlnum:
		if len(w) < 3 || len(w) > 4 {
			return false
		}
		suf := strings.ToLower(w[len(w)-2:])
		if suf != "st" && suf != "nd" && suf != "rd" && suf != "th" {
			return false
		}
		w = w[:len(w)-2]
		if !isDigit(w[0]) || !isDigit(w[len(w)-1]) {
			return false
		}
	default:
		return false
	}
	n := 0
	for i := 0; i < len(w); i++ {
		n = n*10 + int(w[i]-'0')
	}
	return n >= 1 && n <= 31
}

// clockAfter reports that the number at token k is the hour of a clock time: a colon and
// minutes glued after it ("10:16"), not a colon ending a label or a clause ("March 8th, 2015: TSH").
func (sc *scan) clockAfter(k int) bool {
	return sc.isPunct(k+1, ':') && sc.glued(k+1) && k+2 < len(sc.toks) && sc.toks[k+2].kind == tNum && sc.glued(k+2)
}

func (sc *scan) isYear(k int) bool {
	n := atoiTok(sc, k)
	return n >= 1900 && n <= 2099 // "the 2nd of March 1801" is more likely a clock time
}

// yearAfter returns the year token after a day at token j ("4, 2019", "4th 2019", "Mar-2019"), or -1.
func (sc *scan) yearAfter(j int) int {
	k := j + 1
	if sc.isPunct(k, ',') || sc.isPunct(k, '-') || sc.isPunct(k, '/') || sc.isPunct(k, '.') {
		k++
	}
	if k < len(sc.toks) && !sc.toks[k].has(fNewline) && sc.toks[k].kind == tNum {
		if sc.clockAfter(k) {
			return -1 // a clock time: "May 9 11:03 PM", "the 2nd of March 18:01"
		}
		if l := sc.toks[k].e - sc.toks[k].s; (l == 4 && sc.isYear(k)) || (l == 2 && (sc.isPunct(k-1, '-') || sc.isPunct(k-1, '/'))) {
			return k
		}
	}
	return -1
}

// age reports an age over 89 at number token i with its unit, returning the span end.
func (sc *scan) age(i int) (int, bool) {
	t := sc.toks[i]
	if t.e-t.s > 3 || (i > 0 && sc.glued(i) && sc.toks[i-1].kind != tPunct) {
		return 0, false
	}
	n := atoiTok(sc, i)
	if n < 90 || n > 125 {
		return 0, false
	}
	// Before: "age 92", "aged 95", "age: 90", "died at 102", "alive at 91".
	if p := sc.prevWordIdx(i, 1); p >= 0 {
		switch sc.lw(p) {
		case "age", "aged", "ages", "turned", "turns", "turning":
			return t.e, true
		case "at":
			if pp := sc.prevWordIdx(p, 0); pp >= 0 {
				switch sc.lw(pp) {
				case "died", "alive", "death", "deceased", "passed", "living", "age":
					return t.e, true
				}
			}
		}
	}
	// After: "92 year old", "94-year-old", "101 yo", "91 y/o", "90 yrs", "92F", "92 M".
	k := i + 1
	if sc.isPunct(k, '-') {
		k++
	}
	if k >= len(sc.toks) || sc.toks[k].has(fNewline) {
		return 0, false
	}
	w := sc.lw(k)
	switch w {
	case "year", "years", "yr", "yrs", "yo", "y", "yoa", "yof", "yom", "yearold":
		return t.e, true
	case "f", "m":
		return t.e, sc.glued(k)
	case "s":
		// Opening a line, before what was done to the patient: "98 s/p left hip fx" (an
		// assessment's first words are the age; a reading would have its label before it, or a
		// dose after: "95 s/p 2u plt").
		return t.e, sc.isPunct(k+1, '/') && sc.glued(k+1) && sc.isWord(k+2, "p") && sc.glued(k+2) &&
			(i == 0 || t.has(fNewline)) && k+3 < len(sc.toks) && sc.toks[k+3].kind == tWord
	}
	return 0, false
}

// Number words for ages written out: "ninety-seven", "one hundred two".
var numberWords = map[string]int{"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
	"eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
	"fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20}

// Words before "at" and an age: "died at ninety-four".
var ageAtCue = map[string]bool{"died": true, "alive": true, "deceased": true, "passed": true, "death": true,
	"diagnosed": true, "married": true, "retired": true}

// ageWords matches an age over 89 written in words at token i, followed by an age unit:
// "ninety-seven y/o", "one hundred two yo", "a hundred and one year old".
func (sc *scan) ageWords(i int) (int, bool) {
	w := sc.lw(i)
	if w != "ninety" && w != "hundred" && !(w == "one" && sc.isWord(i+1, "hundred")) {
		return 0, false
	}
	n, k := 0, i
	for ; k < len(sc.toks) && k < i+8; k++ {
		t := sc.toks[k]
		if t.kind == tPunct {
			if sc.isPunct(k, '-') {
				continue
			}
			break
		}
		lw := sc.lw(k)
		switch {
		case lw == "ninety":
			n += 90
		case lw == "hundred":
			if n == 0 {
				n = 1
			}
			n *= 100
		case lw == "and":
		case numberWords[lw] > 0:
			n += numberWords[lw]
		default:
			goto done
		}
	}
done:
	if n < 90 {
		return 0, false
	}
	if p := sc.prevWordIdx(i, 1); p >= 0 && (sc.lw(p) == "age" || sc.lw(p) == "aged") {
		return sc.toks[k-1].e, true // "age ninety-two"
	}
	if p := sc.prevWordIdx(i, 1); p >= 0 && sc.lw(p) == "at" {
		if q := sc.prevWordIdx(p, 1); q >= 0 && ageAtCue[sc.lw(q)] {
			return sc.toks[k-1].e, true // "died at ninety-four", "alive at ninety-five"
		}
	}
	if k >= len(sc.toks) {
		return 0, false
	}
	switch sc.lw(k) {
	case "year", "years", "yr", "yrs", "yo", "y":
		return sc.toks[k-1].e, true
	}
	return 0, false
}
