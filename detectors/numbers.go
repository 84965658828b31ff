package detectors

import "strings"

// Numeric identifiers written as digit groups with separators, classified by
// group shape, check digits and the label before them:
//
//	SSN      123-45-6781, 123 45 6781 (SSA area/group/serial rules), 123456781 after "SSN"
//	PHONE    (617) 555-0142, 617-555-0142, 508.555.0178, +1 617 555 0142, +44 7700 900123, 555-0142 x12
//	FAX      any phone shape after "fax"
//	ACCOUNT  4111 1111 1111 1111 (Luhn-valid 13-19 digits)
//	DATE     3/4/1950, 04-12-2021, 2019-08-23, 3/14 (month/day checked), 2000-04-16 11:34:35
//	LOCATION 02124, 02169-1234 after a state or "zip"
//	labelled any run of digits after a label: "MRN: 00482913" (MRN), "Acct # 88301274" (ACCOUNT), ...
//	ID       a bare run of 7 or more digits with no label
func init() {
	register(Spec{Name: "numbers", Types: []Type{SSN, Phone, Fax, Account, Date, Location, MRN, HealthPlan, License, ID},
		Description: "digit groups: SSN (SSA rules), phone/fax (NANP and international), payment cards (Luhn), numeric dates, ZIP codes, labelled record numbers"},
		detectNumbers)
}

// numSeq is a run of digit groups joined by separators.
type numSeq struct {
	g    []int // token indexes of the digit groups
	lead byte  // '+' or '(' before the first group, else 0
	s    int   // byte start (including lead)
}

// decimalPart reports whether number token k is the integer (1) or fractional (2) part of a decimal
// written with one point ("7.38", "0.35"), or neither (0): a chain of more dotted groups is a phone,
// a date or an address ("508.555.0178", "23.08.19", "10.24.118.7").
func (sc *scan) decimalPart(k int) int {
	dotted := func(a int) bool { // "a.b": a point glued between number tokens a and a+2
		return a >= 0 && a+2 < len(sc.toks) && sc.toks[a].kind == tNum && sc.isPunct(a+1, '.') && sc.glued(a+1) &&
			sc.toks[a+2].kind == tNum && sc.glued(a+2)
	}
	switch {
	case dotted(k) && !dotted(k-2) && !dotted(k+2):
		return 1
	case dotted(k-2) && !dotted(k-4) && !dotted(k):
		return 2
	}
	return 0
}

// measured reports that the groups of a sequence include a decimal, or that a percent sign or a
// unit follows its last group: vital signs, ventilator settings and lab values ("5.5/2.5/450",
// "10/5/50%", "7.38-33-169"), never a date, phone or identifier.
func (sc *scan) measured(g []int) bool {
	for _, k := range g {
		if sc.decimalPart(k) != 0 {
			return true
		}
	}
	last := g[len(g)-1]
	return sc.isPunct(last+1, '%') || last+1 < len(sc.toks) && sc.toks[last+1].kind == tWord && sc.glued(last+1) && sc.isPunct(g[0]-1, '/')
}

func detectNumbers(sc *scan) {
	toks := sc.toks
	var g [12]int
	for i := 0; i < len(toks); i++ {
		if toks[i].kind == tAlnum {
			sc.gluedDate(i)
		}
		if toks[i].kind != tNum {
			continue
		}
		// A number glued to letters before it ("A0091827", "x459") belongs to the ids detector.
		if i > 0 && sc.glued(i) && toks[i-1].kind != tPunct {
			continue
		}
		seq := numSeq{g: g[:0], s: toks[i].s}
		if i > 0 && sc.glued(i) && (sc.isPunct(i-1, '+') || sc.isPunct(i-1, '(')) {
			seq.lead = sc.text[toks[i-1].s]
			seq.s = toks[i-1].s
		}
		if sc.decimalPart(i) == 2 {
			continue // the fraction of "7.38": the decimal is a measurement, not a group
		}
		seq.g = append(seq.g, i)
		j := i
		for len(seq.g) < cap(g) {
			nx, ok := sc.nextGroup(j)
			if !ok {
				break
			}
			seq.g = append(seq.g, nx)
			j = nx
		}
		used := sc.classifyNum(&seq)
		if used <= 0 {
			used = 1
		}
		i = seq.g[used-1]
	}
}

// nextGroup returns the digit group that continues a sequence after group token j:
// joined by whitespace (one space), '-', '.', '/', or ')' as in "(617) 555".
func (sc *scan) nextGroup(j int) (int, bool) {
	toks := sc.toks
	k := j + 1
	if k >= len(toks) {
		return 0, false
	}
	if sc.decimalPart(j) == 2 && !(toks[k].kind == tPunct && !toks[k].has(fSpace) && (sc.isPunct(k, '/') || sc.isPunct(k, '-'))) {
		return 0, false // "WBC 16.0 8/22": after a decimal only a glued '/' or '-' goes on ("5.5/2.5", "7.38-33")
	}
	if toks[k].kind == tNum {
		// Whitespace only; a line break ends the sequence.
		if toks[k].has(fNewline) || toks[k].s-toks[j].e > 2 {
			return 0, false
		}
		return k, true
	}
	if toks[k].kind != tPunct || toks[k].has(fNewline) {
		return 0, false
	}
	c := sc.text[toks[k].s]
	switch c {
	case '-', '.', '/':
		if toks[k].has(fSpace) && c != '-' {
			return 0, false
		}
		n := k + 1
		if n < len(toks) && toks[n].kind == tNum && toks[n].s-toks[k].e <= 1 && !toks[n].has(fNewline) {
			// "3.5" is a decimal, not a group, unless more groups follow ("508.555.0178").
			return n, true
		}
	case '(':
		// "+46 (0)8 928": a parenthesized trunk prefix inside the number.
		n := k + 1
		if n+1 < len(toks) && toks[n].kind == tNum && !toks[n].has(fSpace) && toks[n].e-toks[n].s <= 2 && sc.isPunct(n+1, ')') {
			return n, true
		}
	case ')':
		n := k + 1
		if n < len(toks) && toks[n].kind == tNum && toks[n].s-toks[k].e <= 1 {
			return n, true
		}
		if n+1 < len(toks) && sc.isPunct(n, '-') && toks[n+1].kind == tNum {
			return n + 1, true
		}
	}
	return 0, false
}

// sepBefore returns the separator text between group token b and the previous group token a.
func (sc *scan) sepBefore(a, b int) string {
	return strings.TrimSpace(sc.text[sc.toks[a].e:sc.toks[b].s])
}

// classifyNum reports detections for the longest leading groups of seq that
// match a shape, and returns how many groups it consumed.
func (sc *scan) classifyNum(seq *numSeq) int {
	g := seq.g
	n := len(g)
	lens := func(k int) (out [12]int) {
		for x := 0; x < k; x++ {
			out[x] = sc.toks[g[x]].e - sc.toks[g[x]].s
		}
		return
	}
	L := lens(n)
	ctx, hasCtx := sc.keyContext(g[0])
	if seq.lead != 0 {
		ctx, hasCtx = sc.keyContext(g[0] - 1)
	}
	end := func(k int) int { return sc.toks[g[k-1]].e }
	if k, score := sc.oddDate(g, L[:n]); k > 0 {
		sc.add(seq.s, end(k), Date, score)
		return k
	}
	if n >= 2 && sc.measured(g[:min(n, 3)]) {
		return n // a measurement: no group of it starts anything else
	}
	if n >= 3 && !hasCtx && sc.sepBefore(g[0], g[1]) == "-" && sc.sepBefore(g[1], g[2]) == "-" &&
		sc.dateScore(g[0], g[1], g[2], L[0], L[1], L[2]) == 0 && sc.readingBefore(g[0]) {
		sc.vetoTokens(seq.s, end(n))
		return n // "abg 7.44 - 33 - 127 - 23", "AC-20-50-400-5": a blood gas or ventilator settings, no phone
	}

	// Dotted quads: IPv4 when every part is at most 255.
	if n == 4 && sc.sepBefore(g[0], g[1]) == "." && sc.sepBefore(g[1], g[2]) == "." && sc.sepBefore(g[2], g[3]) == "." &&
		!sc.inReadingChain(seq.s) {
		if L[0] <= 3 && L[1] <= 3 && L[2] <= 3 && L[3] <= 3 && atoiTok(sc, g[0]) <= 255 && atoiTok(sc, g[1]) <= 255 &&
			atoiTok(sc, g[2]) <= 255 && atoiTok(sc, g[3]) <= 255 {
			sc.add(seq.s, end(4), IP, 0.9)
			return 4
		}
	}
	// Numeric dates: three groups with one separator, or month/day.
	if n >= 3 {
		s1, s2 := sc.sepBefore(g[0], g[1]), sc.sepBefore(g[1], g[2])
		if s1 == s2 && (s1 == "/" || s1 == "-" || s1 == ".") {
			if score := sc.dateScore(g[0], g[1], g[2], L[0], L[1], L[2]); score > 0 {
				e := sc.toks[g[2]].e
				if L[0] == 4 {
					e = sc.extendTime(g[2]) // ISO timestamps carry the time with the date
				}
				sc.add(seq.s+b2i(seq.lead == '('), e, Date, score)
				return 3
			}
		}
	}
	// SSN: 3-2-4 with '-' or single spaces.
	if n >= 3 && L[0] == 3 && L[1] == 2 && L[2] == 4 && seq.lead == 0 {
		s1, s2 := sc.sepBefore(g[0], g[1]), sc.sepBefore(g[1], g[2])
		if s1 == s2 && (s1 == "-" || s1 == "") {
			valid := ssnValid(sc.word(g[0]), sc.word(g[1]), sc.word(g[2]))
			score := 0.6
			switch {
			case valid && (s1 == "-" || (hasCtx && ctx == SSN)):
				score = 0.95
			case hasCtx && ctx == SSN:
				score = 0.85
			case valid:
				score = 0.7
			}
			if hasCtx && ctx != SSN {
				sc.add(seq.s, end(3), ctx, 0.9)
			} else {
				sc.add(seq.s, end(3), SSN, score)
			}
			return 3
		}
	}
	// Payment cards: 13-19 digits as one group or groups of 4 (Amex 4-6-5), Luhn-valid.
	for k := min(n, 5); k >= 1; k-- {
		digits := 0
		for x := 0; x < k; x++ {
			digits += L[x]
		}
		if digits < 13 || digits > 19 || seq.lead != 0 {
			continue
		}
		shapeOK := k == 1 || (k == 3 && L[0] == 4 && L[1] == 6 && L[2] == 5)
		if k >= 4 {
			shapeOK = true
			for x := 0; x < k-1; x++ {
				shapeOK = shapeOK && L[x] == 4
			}
		}
		if !shapeOK {
			continue
		}
		txt := sc.text[sc.toks[g[0]].s:end(k)]
		switch {
		case luhnDigits(txt):
			if hasCtx && ctx != Account && ctx != ID && ctx != Phone {
				sc.add(seq.s, end(k), ctx, 0.9)
			} else {
				sc.add(seq.s, end(k), Account, 0.95)
			}
			return k
		case hasCtx:
			sc.add(seq.s, end(k), ctx, 0.85)
			return k
		case k == 1:
			sc.add(seq.s, end(k), ID, 0.8)
			return k
		}
	}
	// Phones.
	if k, score := sc.phoneShape(seq, L[:n]); k > 0 {
		t := Phone
		if hasCtx {
			switch ctx {
			case Fax:
				t = Fax
			case Phone:
				score = max(score, 0.95)
			case MRN, Account, HealthPlan, License, ID, SSN, Device, Vehicle:
				t, score = ctx, 0.9
			}
		}
		e := end(k)
		// An extension: "x459", "ext. 12".
		nx := g[k-1] + 1
		if nx < len(sc.toks) && sc.toks[nx].kind == tAlnum && (sc.word(nx)[0] == 'x' || sc.word(nx)[0] == 'X') {
			e = sc.toks[nx].e
		} else if nx+1 < len(sc.toks) && (sc.isWord(nx, "x") || sc.isWord(nx, "ext")) {
			m := nx + 1
			if sc.isPunct(m, '.') {
				m++
			}
			if m < len(sc.toks) && sc.toks[m].kind == tNum {
				e = sc.toks[m].e
			}
		}
		if score >= 0.5 {
			sc.add(seq.s, e, t, score)
			return k
		}
	}
	// After a phone label, national forms the shapes above do not know: "mobile: 99 577450", "Phone:\n0393 1144137".
	if hasCtx && (ctx == Phone || ctx == Fax) {
		if k := sc.labelledPhone(g, L[:n]); k > 0 {
			sc.add(seq.s, end(k), ctx, 0.85)
			return k
		}
	}
	if n == 2 && sc.sepBefore(g[0], g[1]) == "-" && L[0] <= 2 && L[1] <= 2 && sc.dashedDayAfterOn(g[0], g[1]) {
		sc.add(seq.s, end(2), Date, 0.85)
		return 2
	}
	// Month/day ("3/14") and month/year are dates only with some support.
	if n >= 2 && sc.sepBefore(g[0], g[1]) == "/" && L[0] <= 2 && L[1] <= 2 {
		m, d := atoiTok(sc, g[0]), atoiTok(sc, g[1])
		if sc.clinicalRatio(g[0], g[1], m, d) {
			sc.vetoTokens(seq.s, end(2)) // no date, whatever the scorer reads into it
			return 2
		}
		if monthDay(m, d) {
			score := 0.55
			switch {
			case sc.looksLikeRatio(g[1]) || sc.scoreBefore(g[0], d):
				score = 0.3 // "1/2 tab", "strength 4/5": most likely not a date, the scorer decides
			case sc.dateContextBefore(g[0]):
				score = 0.85
			}
			sc.add(seq.s, end(2), Date, score)
			return 2
		}
		// Month and two-digit year in a history: "MI 8/87", "stent 12/82".
		if y := atoiTok(sc, g[1]); m >= 1 && m <= 12 && L[1] == 2 && y > 31 && (n == 2 || sc.sepBefore(g[1], g[2]) != "/") {
			sc.add(seq.s, end(2), Date, 0.4)
			return 2
		}
	}
	// Month and year: "01/2017", "12-1941" (the month is a date element).
	// "(09/2023)" too: a phone's area code in parentheses has three digits, a month at most two.
	if n >= 2 && L[0] <= 2 && L[1] == 4 && (seq.lead == 0 || seq.lead == '(') {
		if sp := sc.sepBefore(g[0], g[1]); sp == "/" || sp == "-" {
			if m, y := atoiTok(sc, g[0]), atoiTok(sc, g[1]); m >= 1 && m <= 12 && y >= 1900 && y <= 2099 {
				sc.add(sc.toks[g[0]].s, end(2), Date, 0.8)
				return 2
			}
		}
	}
	// A single group.
	d := L[0]
	w := sc.word(g[0])
	switch {
	case hasCtx && ctx == Location && d >= 3 && d <= 9:
		// After "ZIP"/"postal code": any national form, "3520", "394 13", "53-320".
		k := 1
		if n > 1 && (sc.sepBefore(g[0], g[1]) == "-" || sc.sepBefore(g[0], g[1]) == "") && L[0]+L[1] <= 10 {
			k = 2
		}
		sc.add(seq.s, end(k), Location, 0.9)
		return k
	case d == 5 && sc.afterState(g[0]):
		sc.add(seq.s, sc.zipEnd(g), Location, 0.85)
		return sc.zipUsed(g)
	case hasCtx && labelledDigits(sc, g, L[:n]) >= 4 && ctx != Location && ctx != IP &&
		!(d == 4 && n == 1 && atoiTok(sc, g[0]) >= 1900 && atoiTok(sc, g[0]) <= 2099 && ctx != MRN && ctx != Account && ctx != ID):
		// A labelled value may have several groups: "330-22-19", "33-44-55"; "Vehicle: 2014" is a model year.
		k := 1
		for k < n && sc.sepBefore(g[k-1], g[k]) == "-" {
			k++
		}
		if ctx == Phone || ctx == Fax {
			// A pager or extension number is a short phone number; after weak labels
			// ("at 1614", "call 2100") a short run is a clock time.
			if p := sc.prevWordIdx(g[0], 2); p >= 0 && ctxWords[sc.lw(p)] == ctx && !ctxNearOnly[sc.lw(p)] && sc.lw(p) != "at" && d <= 6 {
				sc.add(seq.s, end(1), ctx, 0.8)
				return 1
			}
			return k
		}
		sc.add(seq.s, sc.idEnd(g[k-1]), ctx, 0.9)
		return k
	case hasCtx && ctx == SSN && d == 9:
		sc.add(seq.s, end(1), SSN, 0.9)
	case d == 10 && npiValid(w):
		sc.add(seq.s, end(1), ID, 0.7)
	case d == 8 && compactDate(w):
		// YYYYMMDD of 1900-2099: "Admit Date: 20200422", "20160102 0402 BP 152/76". Eight random
		// digits read as one in about 1 case of 1,400, and a labelled number is handled above.
		score := 0.65
		if sc.dateContextBefore(g[0]) {
			score = 0.9
		}
		sc.add(seq.s, end(1), Date, score)
	case d >= 7:
		sc.add(seq.s, end(1), ID, 0.65)
	case d == 6 && sc.toks[g[0]].has(fNewline) && (g[0]+1 >= len(sc.toks) || sc.toks[g[0]+1].has(fNewline)):
		sc.add(seq.s, end(1), ID, 0.6) // a record number alone on its line (header blocks)
	case d == 5 && sc.isPunct(g[0]+1, '-') && g[0]+2 < len(sc.toks) && sc.toks[g[0]+2].kind == tNum && sc.toks[g[0]+2].e-sc.toks[g[0]+2].s == 4:
		sc.add(seq.s, sc.toks[g[0]+2].e, Location, 0.6) // ZIP+4
	}
	return 1
}

// labelledDigits counts the digits of the leading groups joined by '-'.
func labelledDigits(sc *scan, g []int, L []int) int {
	n := L[0]
	for k := 1; k < len(g) && sc.sepBefore(g[k-1], g[k]) == "-"; k++ {
		n += L[k]
	}
	return n
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// idEnd extends a labelled value over glued letters and digits ("45-88213-A").
func (sc *scan) idEnd(j int) int {
	e := sc.toks[j].e
	for k := j + 1; k < len(sc.toks) && !sc.toks[k].has(fSpace); k++ {
		t := sc.toks[k]
		if t.kind == tPunct {
			c := sc.text[t.s]
			if (c == '-' || c == '/' || c == '.') && k+1 < len(sc.toks) && sc.toks[k+1].kind != tPunct && !sc.toks[k+1].has(fSpace) {
				continue
			}
			break
		}
		e = t.e
	}
	return e
}

func (sc *scan) zipEnd(g []int) int {
	if len(g) > 1 && sc.sepBefore(g[0], g[1]) == "-" && sc.toks[g[1]].e-sc.toks[g[1]].s == 4 {
		return sc.toks[g[1]].e
	}
	return sc.toks[g[0]].e
}

func (sc *scan) zipUsed(g []int) int {
	if sc.zipEnd(g) != sc.toks[g[0]].e {
		return 2
	}
	return 1
}

// afterState reports whether token i follows a state name or postal code ("Quincy, MA 02169").
func (sc *scan) afterState(i int) bool {
	p := sc.prevWordIdx(i, 1)
	return p >= 0 && sc.cls[p]&wState != 0 && (sc.toks[p].has(fUpper) || sc.toks[p].has(fCap))
}

// phoneShape returns how many groups form a phone number and a score, or 0.
func (sc *scan) phoneShape(seq *numSeq, L []int) (int, float64) {
	n := len(L)
	sum := func(k int) int {
		s := 0
		for x := 0; x < k; x++ {
			s += L[x]
		}
		return s
	}
	// NANP: (617) 555-0142, 617-555-0142, 1-617-555-0142.
	if n >= 3 && L[0] == 3 && L[1] == 3 && L[2] == 4 {
		return 3, 0.9
	}
	if n >= 4 && L[0] == 1 && L[1] == 3 && L[2] == 3 && L[3] == 4 {
		return 4, 0.9
	}
	// An international access code instead of '+': "001-518-640-0854" (00, then country code 1), "0044 20 7946 0958".
	if n >= 3 && L[0] >= 3 && L[0] <= 5 && sc.text[sc.toks[seq.g[0]].s] == '0' && sc.text[sc.toks[seq.g[0]].s+1] == '0' {
		if n >= 4 && L[0] == 3 && L[1] == 3 && L[2] == 3 && L[3] == 4 {
			return 4, 0.9
		}
		for k := min(n, 6); k >= 3; k-- {
			if d := sum(k) - 2; d >= 9 && d <= 15 {
				return k, 0.7
			}
		}
	}
	if seq.lead == '+' {
		// International: +CC then groups, 8 to 15 digits in all.
		for k := min(n, 6); k >= 1; k-- {
			if d := sum(k); d >= 8 && d <= 15 {
				return k, 0.9
			}
		}
	}
	// Other grouped national forms: "0688 872 49 99", "71-33-52-22", "079 0442 1744", "450 0840".
	for k := min(n, 5); k >= 2; k-- {
		d := sum(k)
		if d < 7 || d > 12 {
			continue
		}
		ok := true
		seps := map[string]bool{}
		for x := 0; x < k; x++ {
			if L[x] < 2 || L[x] > 5 {
				ok = false
			}
			if x > 0 {
				seps[sc.sepBefore(seq.g[x-1], seq.g[x])] = true
			}
		}
		if seps["/"] || k < n && sc.sepBefore(seq.g[k-1], seq.g[k]) == "/" {
			ok = false // "BP 114-17-49/52-67": readings joined by a slash
		}
		delete(seps, ")") // "(99) 645-791": the closing paren is not a separator
		if ok && len(seps) == 1 {
			if k == 2 && !(L[0] == 3 && L[1] == 4) {
				return k, 0.45
			}
			if a, b := atoiTok(sc, seq.g[0]), atoiTok(sc, seq.g[1]); k == 2 && seps["-"] && b > a && a%5 == 0 && b%100 == 0 {
				return k, 0.3 // a range of round figures: "SVR 900-1300", "voiding 575-1000"
			}
			return k, 0.7
		}
	}
	// Ten digits split once by a dash, 6-4 or 3-7, where no national form splits them: "(240444-1243)".
	if n == 2 && L[0]+L[1] == 10 && (L[0] == 6 || L[0] == 3) && sc.sepBefore(seq.g[0], seq.g[1]) == "-" {
		return 2, 0.7
	}
	// A trunk prefix, area code and local number: UK "07700 900461", "020 7946 0958" is above.
	if n >= 2 && L[0] >= 4 && L[0] <= 5 && L[1] >= 6 && L[1] <= 7 && L[0]+L[1] <= 11 && sc.text[sc.toks[seq.g[0]].s] == '0' &&
		sc.sepBefore(seq.g[0], seq.g[1]) == "" {
		return 2, 0.6
	}
	if n >= 1 && L[0] == 10 && seq.lead == 0 {
		return 1, 0.5
	}
	if n >= 1 && L[0] >= 10 && L[0] <= 13 && seq.lead == '+' {
		return 1, 0.9
	}
	return 0, 0
}

// labelledPhone returns how many of the groups g form a phone number after a phone label:
// two to four groups of 2 to 8 digits joined by one kind of separator (a space or '-'), 7 to 15
// digits in all; 0 if they do not.
func (sc *scan) labelledPhone(g, L []int) int {
	digits, best := 0, 0
	for k := 0; k < len(g) && k < 4; k++ {
		if L[k] < 2 || L[k] > 8 || k > 1 && sc.sepBefore(g[k-1], g[k]) != sc.sepBefore(g[0], g[1]) {
			break
		}
		if k > 0 {
			if sep := sc.sepBefore(g[k-1], g[k]); sep != "" && sep != "-" {
				break
			}
		}
		if digits += L[k]; digits > 15 {
			break
		}
		if k > 0 && digits >= 7 {
			best = k + 1
		}
	}
	return best
}

// atoiTok parses the leading digits of token i ("92" in "92yo").
func atoiTok(sc *scan, i int) int {
	n := 0
	for _, c := range []byte(sc.word(i)) {
		if c < '0' || c > '9' {
			return n
		}
		n = n*10 + int(c-'0')
		if n > 1e6 {
			return n
		}
	}
	return n
}

// dateScore scores a three-group numeric date (groups a, b, c with digit lengths la, lb, lc), or 0.
func (sc *scan) dateScore(a, b, c, la, lb, lc int) float64 {
	return dateValues(atoiTok(sc, a), atoiTok(sc, b), atoiTok(sc, c), la, lb, lc)
}

// dateValues scores the groups x, y, z of a numeric date with digit lengths la, lb, lc, or 0.
func dateValues(x, y, z, la, lb, lc int) float64 {
	switch {
	case la == 4 && lb <= 2 && lc <= 2: // 2019-08-23
		if x >= 1800 && x <= 2200 && y >= 1 && y <= 12 && z >= 1 && z <= 31 {
			return 0.95
		}
	case la <= 2 && lb <= 2 && (lc == 4 || lc == 2): // 3/4/1950, 23.08.19
		if lc == 4 && (z < 1800 || z > 2200) {
			return 0
		}
		if monthDay(x, y) || monthDay(y, x) {
			return 0.95
		}
	}
	return 0
}

// extendTime extends a date ending at token j over a following clock time "11:34:35" or "14:32".
func (sc *scan) extendTime(j int) int {
	e := sc.toks[j].e
	k := j + 1
	if sc.isWord(k, "T") && sc.glued(k) {
		k++
	} else if k < len(sc.toks) && (!sc.toks[k].has(fSpace) || sc.toks[k].has(fNewline)) {
		return e
	}
	if k+2 < len(sc.toks) && sc.toks[k].kind == tNum && sc.isPunct(k+1, ':') && sc.toks[k+2].kind == tNum &&
		sc.toks[k].e-sc.toks[k].s <= 2 {
		e = sc.toks[k+2].e
		if k+4 < len(sc.toks) && sc.isPunct(k+3, ':') && sc.toks[k+4].kind == tNum {
			e = sc.toks[k+4].e
		}
	}
	return e
}

// looksLikeRatio reports a fraction or ratio rather than a date: "1/2 tab", "2/3 of".
func (sc *scan) looksLikeRatio(j int) bool {
	n := sc.nextWordIdx(j, 0)
	if n < 0 {
		return false
	}
	switch sc.lw(n) {
	case "tab", "tabs", "tablet", "tablets", "cup", "cups", "of", "strength", "ns", "mg", "ml", "inch",
		"mile", "miles", "dose", "teaspoon", "tsp", "pack", "packs", "ppd", "times", "sets", "reps":
		return true
	}
	return false
}

// Words around an "a/b" that make it a clinical setting or measure, not a month and day.
var (
	// Ventilator and blood-gas words: "CPAP 5/5", "on 10/5 BIPAP", "flowby 6/3", "abg acceptable on 5/5".
	ventWords = map[string]bool{"cpap": true, "ps": true, "psv": true, "peep": true, "bipap": true, "ipap": true,
		"epap": true, "vent": true, "vented": true, "ventilator": true, "abg": true, "fio2": true, "flowby": true,
		"ips": true, "simv": true, "imv": true, "prvc": true, "niv": true, "settings": true}
	// A pain score: "CP 4/10", "8/10 pain scale", "chest pressure 6/10".
	painWords = map[string]bool{"pain": true, "cp": true, "discomfort": true, "scale": true, "ha": true,
		"headache": true, "pressure": true, "incisional": true, "rated": true, "rates": true, "rating": true,
		"angina": true, "severe": true, "ache": true, "aching": true}
	// Haemodynamic readings before a pair: "CO/CI 5/3", "fick 4.5/2.1".
	hemoWords = map[string]bool{"co": true, "ci": true, "fick": true, "svr": true, "cvp": true, "pcwp": true}
	// After a fraction: "1/2 amp", "1/2 gallon", "3/4 str", "1/2 bld culture"; a murmur's grade: "3/6 SEM".
	fractionAfter = map[string]bool{"amp": true, "amps": true, "gallon": true, "gal": true, "str": true,
		"bld": true, "blood": true, "bottle": true, "bottles": true, "way": true, "sem": true, "sm": true,
		"hsm": true, "murmur": true, "sys": true, "systolic": true, "up": true, "hour": true, "hours": true,
		"hr": true, "hrs": true, "of": true, "time": true, "tab": true, "tabs": true, "dose": true, "strength": true}
	// Before a fraction: "rales up 1/3", "lt 1/2", "D5 1/2".
	fractionBefore = map[string]bool{"up": true, "lt": true, "rt": true, "d5": true, "amt": true, "cx": true,
		"crackles": true, "rales": true, "for": true, "over": true, "q": true, "cxs": true, "decreased": true,
		"diminished": true}
)

// clinicalRatio reports the "m/d" of number tokens a and b a clinical setting or measure: a
// ventilator or blood-gas word within four words before or two after, a pain score out of ten or a
// fraction or murmur grade by the word right beside it, or ranges on both sides ("co/ci 4-6/2-4").
func (sc *scan) clinicalRatio(a, b, m, d int) bool {
	if a >= 2 && sc.isPunct(a-1, '-') && sc.glued(a) && sc.glued(a-1) && sc.toks[a-2].kind == tNum &&
		b+2 < len(sc.toks) && sc.isPunct(b+1, '-') && sc.glued(b+1) && sc.glued(b+2) && sc.toks[b+2].kind == tNum {
		return true
	}
	pain := d == 10 && m <= 10
	fraction := m < d && d <= 6
	if fraction && a >= 1 && (sc.isPunct(a-1, '~') || sc.toks[a-1].kind == tNum && !sc.glued(a)) ||
		fraction && sc.fractionRange(a, b) {
		return true // "~3/4", "for 1 1/2 hours", "up 1/3-1/2", "q 1/2-1 hrs"
	}
	if a >= 2 && sc.isPunct(a-1, '/') && sc.glued(a) && sc.glued(a-1) && sc.toks[a-2].kind == tNum ||
		sc.isPunct(b+1, '/') && sc.glued(b+1) && sc.isPunct(b+2, '.') {
		return true // the middle of a chain of readings: "AC 500/60/12/5", "PS 10/5/.30"
	}
	if pain && a >= 2 && sc.isPunct(a-1, '-') && sc.glued(a) && sc.toks[a-2].kind == tNum && atoiTok(sc, a-2) < m {
		return true // a pain range: "3-4/10"
	}
	if m == d && m <= 20 && sc.ventLine(a) {
		return true // "Pt remained on 5/5, 40%" in a line about the ventilator, whatever cue is before
	}
	// The words before, in the sentence: a setting word within four, a score's or fraction's right
	// before ("D5 1/2": a word of letters and digits too); a date's cue right before wins ("TRACH
	// (PLACED 8/14)").
	k := a
	cue := sc.dateContextBefore(a)
	if cue {
		k = -1
	}
	for n := 0; n < 4 && k >= 0; n++ {
		if k = sc.sentenceWordBefore(k); k < 0 || sc.toks[k].kind == tNum {
			break
		}
		w := sc.lw(k)
		if ventWords[w] || hemoWords[w] || pain && painWords[w] || n == 0 && fraction && fractionBefore[w] {
			return true
		}
	}
	// The words after, glued by spaces only: "5/5 PSV/CPAP", "8/10 pain scale", "3/10 l back pain".
	k = b
	for n := 0; n < 3; n++ {
		if k++; k >= len(sc.toks) || sc.toks[k].kind != tWord || sc.toks[k].has(fNewline) {
			break
		}
		w := sc.lw(k)
		if n < 2 && ventWords[w] || pain && painWords[w] && (n == 0 || !cue) || n == 0 && fraction && fractionAfter[w] {
			return true
		}
	}
	return false
}

// fractionRange reports a/b at tokens a..b joined by a dash to a number: "1/3-1/2", "1/2-1 hrs".
func (sc *scan) fractionRange(a, b int) bool {
	joined := func(p, n int) bool {
		return sc.isPunct(p, '-') && sc.glued(p) && sc.glued(n) && sc.toks[n].kind == tNum
	}
	return a >= 2 && joined(a-1, a) && sc.toks[a-2].kind == tNum || b+2 < len(sc.toks) && joined(b+1, b+2)
}

// ventLine reports a ventilator word, or the respiratory heading, among the twelve words before token k on its line.
func (sc *scan) ventLine(k int) bool {
	for n := 0; n < 12 && k > 0; n++ {
		if sc.toks[k].has(fNewline) {
			return false
		}
		k--
		if w := sc.lw(k); sc.toks[k].kind == tWord && (ventWords[w] || w == "resp" || w == "respiratory") {
			return true
		}
	}
	return false
}

// readingBefore reports a ventilator or blood-gas word within three words before token k, in its
// sentence, past numbers ("abg 7.44 - 33", "AC mode of 30-50-400-5").
func (sc *scan) readingBefore(k int) bool {
	for n, seen := 0, 0; n < 3 && seen < 8; seen++ { // seen bounds the walk: a text of numbers stays linear
		if k = sc.sentenceWordBefore(k); k < 0 {
			return false
		}
		if sc.toks[k].kind == tNum {
			continue
		}
		if w := sc.lw(k); ventWords[w] || w == "ac" || w == "mode" {
			return true
		}
		n++
	}
	return false
}

// sentenceWordBefore returns the word or number before token k in its sentence and line (across
// commas, slashes, decimal points and the like, not a period, semicolon or line break), or -1.
func (sc *scan) sentenceWordBefore(k int) int {
	for j := k - 1; j >= 0; j-- {
		if sc.toks[j+1].has(fNewline) {
			return -1
		}
		if sc.toks[j].kind != tPunct {
			return j
		}
		c := sc.text[sc.toks[j].s]
		decimal := c == '.' && j > 0 && sc.toks[j-1].kind == tNum && sc.glued(j) && sc.glued(j+1) && sc.toks[j+1].kind == tNum
		if c == '.' && !decimal || c == ';' || c == '!' || c == '?' {
			return -1
		}
	}
	return -1
}

// scoreBefore reports a rating rather than a date: "pain 7/10", "strength 4/5", "GCS 3/5".
func (sc *scan) scoreBefore(i, denom int) bool {
	if p := sc.prevWordIdx(i, 1); p >= 0 {
		switch sc.lw(p) {
		case "pain", "strength", "score", "scored", "grade", "power", "rated", "rates", "scale", "motor",
			"reflexes", "murmur", "gcs", "apgar", "pulses", "effort", "of", "was", "is", "at", "now":
			return true
		}
	}
	if atoiTok(sc, i) == 2 && denom == 2 {
		return true // "2/2": "secondary to"
	}
	return (denom == 10 || denom == 5) && !sc.dateContextBefore(i)
}

// compactDate reports eight digits that read as a date YYYYMMDD of 1900-2099.
func compactDate(w string) bool {
	y, m, d := atoiDigits(w[:4]), atoiDigits(w[4:6]), atoiDigits(w[6:])
	return y >= 1900 && y <= 2099 && monthDay(m, d)
}

// dottedDOB reports token p the "B" of "D.O.B".
func (sc *scan) dottedDOB(p int) bool {
	return p >= 4 && sc.isWord(p, "b") && sc.isPunct(p-1, '.') && sc.isWord(p-2, "o") && sc.isPunct(p-3, '.') && sc.isWord(p-4, "d")
}

// dateContextBefore reports a date label or preposition near token i ("DOB", "on", "since").
func (sc *scan) dateContextBefore(i int) bool {
	p := sc.prevWordIdx(i, 2)
	if p < 0 {
		return false
	}
	if sc.dottedDOB(p) {
		return true
	}
	switch sc.lw(p) {
	case "on", "since", "dob", "date", "dated", "born", "seen", "visit", "admitted", "discharged", "until",
		"from", "by", "before", "after", "of", "d", "dos", "doa", "dod", "appt", "appointment", "return",
		"rtc", "due", "started", "stopped", "drawn", "collected", "died", "expired", "deceased", "surgery",
		"admission", "discharge", "next", "last", "followup", "fu", "f", "u", "scheduled", "tx", "s", "p",
		"placed", "inserted", "performed":
		return true
	}
	return false
}
