package detectors

// Numeric dates as notes mistype them (the regular shapes are in numbers.go):
//
//	DATE  11/21.93 (two separators); 10/03/10/04 (two month/day dates run together);
//	      labs on10/14/82 (a preposition glued to the date); returned to OR on 7-8 for coiling
//
// Each keeps the checks of a regular date (a month and a day in range, no reading or unit
// around it): vital signs and ventilator settings are written with the same characters.

// oddDate returns how many leading groups of a number sequence g (digit lengths L) form a
// mistyped date, and its score; 0 if they do not.
func (sc *scan) oddDate(g, L []int) (int, float64) {
	n := len(g)
	if n < 3 || L[0] > 2 || L[1] > 2 || sc.sepBefore(g[0], g[1]) != "/" || sc.joined(g[0]-1, g[0]) ||
		sc.readingBefore(g[0]) {
		return 0, 0
	}
	m, d := atoiTok(sc, g[0]), atoiTok(sc, g[1])
	if !monthDay(m, d) {
		return 0, 0
	}
	last := g[n-1]
	if sc.isPunct(last+1, '%') || last+1 < len(sc.toks) && sc.toks[last+1].kind != tPunct && sc.glued(last+1) {
		return 0, 0 // "10/5/50%", "12/10.5cm"
	}
	switch s2 := sc.sepBefore(g[1], g[2]); {
	case n == 3 && s2 == "." && L[1] == 2 && L[2] == 2 && (sc.sentenceWordBefore(g[0]) < 0 || sc.dateContextBefore(g[0])):
		// "11/21.93" opening its clause or after a date cue: a day always has two digits before a
		// point ("7/3.45" is a reading), and a label before it makes it one ("Glucose 10/12.50").
		return 3, 0.9
	case n == 4 && s2 == "/" && sc.sepBefore(g[2], g[3]) == "/" && L[0] == 2 && L[1] == 2 && L[2] == 2 && L[3] == 2:
		// "10/03/10/04": two digits each, as scores and readings are not ("Motor 3/3/5/5"), and
		// the second date after the first, as treatments follow each other.
		if m2, d2 := atoiTok(sc, g[2]), atoiTok(sc, g[3]); monthDay(m2, d2) && m2*32+d2 > m*32+d {
			return 4, 0.9
		}
	}
	return 0, 0
}

func monthDay(m, d int) bool { return m >= 1 && m <= 12 && d >= 1 && d <= 31 }

// datePrep are the words a date follows that notes glue to it ("labs on10/14/82").
var datePrep = map[string]bool{"on": true, "since": true, "from": true, "until": true, "till": true, "dated": true}

// gluedDate adds the date of alphanumeric token i when it is a preposition glued to the month of
// a three-group numeric date: "on10/14/82" (from its first digit).
func (sc *scan) gluedDate(i int) {
	w := sc.lw(i)
	p := 0
	for p < len(w) && !isDigit(w[p]) {
		p++
	}
	if p == len(w) || len(w)-p > 2 || !datePrep[w[:p]] || i+4 >= len(sc.toks) {
		return
	}
	for q := p; q < len(w); q++ {
		if !isDigit(w[q]) {
			return
		}
	}
	sep := sc.text[sc.toks[i+1].s]
	if sc.toks[i+1].kind != tPunct || (sep != '/' && sep != '-') || !sc.isPunct(i+3, sep) {
		return
	}
	for k := i + 1; k <= i+4; k++ {
		if !sc.glued(k) || (k == i+2 || k == i+4) && sc.toks[k].kind != tNum {
			return
		}
	}
	if sc.isPunct(i+5, '%') || (sc.isPunct(i+5, '/') || sc.isPunct(i+5, '-') || sc.isPunct(i+5, '.')) && sc.glued(i+5) &&
		i+6 < len(sc.toks) && sc.toks[i+6].kind == tNum && sc.glued(i+6) {
		return // a percent, or more groups: a reading, not a date
	}
	lb, lc := sc.toks[i+2].e-sc.toks[i+2].s, sc.toks[i+4].e-sc.toks[i+4].s
	if score := dateValues(atoiDigits(w[p:]), atoiTok(sc, i+2), atoiTok(sc, i+4), len(w)-p, lb, lc); score > 0 {
		sc.add(sc.toks[i].s+p, sc.toks[i+4].e, Date, score)
	}
}

// dashedDayAfterOn reports "m-d" at number tokens a and b a date: after "on" and before a
// word that starts what was done then ("returned to OR on 7-8 for coiling"). A dash is mostly a
// range, followed by its unit, a comma or "and" ("on 2-3 L", "on 1-10,", "weaned on 4-6 and"), so
// nothing else makes it one.
func (sc *scan) dashedDayAfterOn(a, b int) bool {
	if !sc.isWord(sc.prevWordIdx(a, 0), "on") || !monthDay(atoiTok(sc, a), atoiTok(sc, b)) || b+1 >= len(sc.toks) ||
		sc.toks[b+1].kind != tWord {
		return false
	}
	switch sc.lw(b + 1) {
	case "for", "at", "when", "after", "before":
		return true
	}
	return false
}
