package detectors

import (
	"math"
	"math/bits"
	"slices"
)

// The learned scorer decides which tokens are PHI after the rules have run. The rules propose
// candidates with scores; the scorer reads them as features (features.go), with the token's
// shape, classes, line and neighbours, and a logistic model trained on gold notes (Model,
// detectors/train) gives each token a probability of being PHI. Candidates the rules are sure of
// and that no model should overrule (a validated SSN, card, VIN, e-mail, URL with a scheme, an
// IP address, a full numeric date; every deny term and custom detector) are kept as they are;
// the rest of the output is the runs of tokens the model scores at or above their type's
// threshold, typed by the best rule candidate over them or, where no rule proposed one, by the
// model's type head. `rules_only: true` turns the scorer off: the rules' thresholds then decide.
//
// Cost: one pass over the tokens, about 25 weights of a table that fits the L1 cache and the
// word rows of the token and its neighbours.

// headTypes are the types the model's type head chooses from.
var headTypes = [...]Type{Name, Location, Date, Age, Phone, ID}

const numHead = len(headTypes)

// NumWordRoles is the number of word identities a token's score reads: the token itself, the
// words before and after it, and the words two before and two after.
const NumWordRoles = 5

// scorer is a Model laid out for scoring.
type scorer struct {
	outside float32   // Model.Outside
	dense   []float32 // NumDenseFeatures
	tdense  []float32 // NumDenseFeatures x numHead
	keys    []uint64  // open addressing: word hash, 0 = empty
	rows    []int32   // row of keys[i]
	mask    uint64
	roles   [][NumWordRoles]float32
	types   [][numHead]float32
}

// row returns the word row of hash h, or -1.
func (s *scorer) row(h uint64) int32 {
	for i := (h ^ h>>29) & s.mask; ; i = (i + 1) & s.mask {
		switch s.keys[i] {
		case h:
			return s.rows[i]
		case 0:
			return -1
		}
	}
}

// hardCand reports a candidate the scorer never overrules: a validated or unambiguous shape,
// or one added as sure (a deny term, a custom detector, a country or state).
func hardCand(c cand) bool {
	if c.sure {
		return true
	}
	switch c.t {
	case Email, SSN, Account, Vehicle, IP:
		return c.score >= 0.9
	case URL, Date:
		return c.score >= 0.95
	case Name:
		return c.score >= 0.965 // a name with a title or credential: "Mary Hulse, R.N.", "Dr. Chen"
	case Age:
		return c.score >= 0.85 // over 89 with its unit or cue: "92 yo", "aged 95", "ninety-one year old"
	}
	return false
}

// tokHash is the dictionary hash of token k, lower-cased.
func (sc *scan) tokHash(k int) uint64 {
	if h := sc.hash[k]; h != 0 {
		return h // a word: classify hashed it
	}
	t := sc.toks[k]
	if t.has(fASCII) {
		return hashBytes(sc.ltext[t.s:t.e])
	}
	return hashLower(sc.text[t.s:t.e])
}

// wordSum is what one word, by its lower-case text and shape, gives the scores: the weights of its
// own word features (wordFeatures), of its classes and shape as the word before or after another,
// and its word row.
type wordSum struct {
	key                uint64 // tokHash mixed with the shape (wordSumKey); 0 = empty
	self               float32
	prevCls, prevShape float32
	nextCls, nextShape float32
	row, shape         int32
}

// wordSumSlots is the size of the cache of wordSums, 640 KB a pooled scan: the vocabulary of many
// notes, as the cache outlives a note in the pool (a miss costs about 150 instructions, a hit 20;
// on the real notes 1<<12 slots miss 23% of tokens, 1<<14 12%).
const wordSumSlots = 1 << 14

// wordSumKey is the cache key of a word of hash h and shape shape (never 0).
func wordSumKey(h uint64, shape int) uint64 { return (h ^ uint64(shape+1)*0x9e3779b97f4a7c15) | 1 }

// wordSums sets ws[m] to the wordSum of scored token m, from the cache or computed into it.
func (sc *scan) wordSums(ws []wordSum) {
	if sc.sums == nil {
		sc.sums = make([]wordSum, wordSumSlots)
	}
	sums, hash := sc.sums, sc.hash
	for m, k32 := range sc.mtok {
		k := int(k32)
		h := hash[k]
		if h == 0 {
			h = sc.tokHash(k)
		}
		shape := sc.shapeOf(k)
		key := wordSumKey(h, shape)
		w := &sums[(key^key>>31)&(wordSumSlots-1)]
		if w.key != key {
			sc.fillWordSum(w, k, key, h, shape)
		}
		ws[m] = *w
	}
}

// fillWordSum computes the wordSum of token k into w.
func (sc *scan) fillWordSum(w *wordSum, k int, key, h uint64, shape int) {
	s := sc.e.scorer
	*w = wordSum{key: key, row: s.row(h), shape: int32(shape),
		prevShape: s.dense[fShapePrev+shape], nextShape: s.dense[fShapeNext+shape]}
	// wordFeatures' weights, summed in its order.
	d := s.dense
	t := sc.toks[k]
	w.self += d[fShape+shape]
	for c := sc.cls[k]; c != 0; c &= c - 1 {
		b := bits.TrailingZeros32(c)
		w.self += d[fCls+b]
		w.prevCls += d[fClsPrev+b]
		w.nextCls += d[fClsNext+b]
	}
	if t.kind == tWord && t.e-t.s >= 4 && t.has(fASCII) {
		w.self += d[fSuffix+suffixHash(sc.ltext[t.s:t.e])]
	}
	if sc.typo(k) {
		w.self += d[fTypo]
	}
}

// learned computes the scorer's spans from the candidates and merges them with the hard ones;
// merged is resolve's output (the rules' thresholded spans), read as a feature.
func (sc *scan) learned(merged []cand) []cand {
	s := sc.e.scorer
	sc.modelToks()
	sc.resolvedTypes(merged)
	sc.logits()
	mt, n := sc.mtok, len(sc.mtok)
	// Hard candidates, as resolve would merge them.
	out := sc.out[:0]
	for _, c := range sc.kept {
		if hardCand(c) {
			out = append(out, c)
		}
	}
	// Proposals: every candidate, merged as resolve merges them (union extent, type of the best
	// score) whatever its score: where the rules see PHI, however faintly. A proposal of a
	// disabled type is not reported, nor re-typed.
	// A deny term or custom detector below its threshold proposes nothing: its owner said no.
	props := sc.props[:0]
	for _, c := range sc.cands {
		if ti := typeIdx(c.t); ti >= 0 && !(c.sure && c.score < sc.e.th[ti]) {
			props = append(props, c)
		}
	}
	props = mergeCands(props)
	sc.props = props
	cut := float32(logit(sc.e.minTh))
	p := 0 // the first proposal not before token m
	z := sc.z
	for m := 0; m < n; m++ {
		for m < n && z[m] < cut { // positive's first test, in a loop of its own: most tokens end here
			m++
		}
		if m == n {
			break
		}
		if !sc.positive(m, cut) {
			continue
		}
		t := sc.toks[mt[m]]
		for p < len(props) && props[p].e <= t.s {
			p++
		}
		if p < len(props) && props[p].s < t.e {
			// Inside a proposal: from its first positive token to its last, with the proposal's
			// own edges (punctuation such as "(617") where those tokens are its first or last.
			pr := props[p]
			j := m
			for x := m + 1; x < n && sc.toks[mt[x]].s < pr.e; x++ {
				if sc.positive(x, cut) || pr.t != Name && pr.t != Location {
					j = x // a date, number or code is kept or dropped whole
				}
			}
			st, en := t.s, sc.toks[mt[j]].e
			if m == 0 || sc.toks[mt[m-1]].e <= pr.s || pr.t != Name && pr.t != Location {
				st = min(st, pr.s)
			}
			if j+1 >= n || sc.toks[mt[j+1]].s >= pr.e {
				en = max(en, pr.e)
			}
			if pr.t == Name || pr.t == Location {
				a, b := sc.grow(m, j, cut-growMargin)
				st, en, j = min(st, sc.toks[mt[a]].s), max(en, sc.toks[mt[b]].e), b
			}
			out = sc.emit(out, st, en, pr.t, m, j)
			m = j
			continue
		}
		// Outside every proposal: a run of tokens on one line above the cut and the margin, typed
		// by the type head.
		oc := cut + s.outside
		if !sc.positive(m, oc) {
			continue
		}
		j, top := m, m
		for j+1 < n && sc.positive(j+1, oc) && !sc.toks[mt[j+1]].has(fNewline) &&
			!(p < len(props) && props[p].s < sc.toks[mt[j+1]].e) {
			if j++; sc.z[j] > sc.z[top] {
				top = j
			}
		}
		// Any other type needs a number or a month, or a proposal right after it (its label or
		// qualifier: "MRN 4412890", "last March"): a run that mixes letters and digits and no rule
		// proposed is a code the rules chose not to report ("ZEBRA-9", "B5678"), and a word alone
		// no date ("ZEBRA"); "sept", "11th", "33445" the model may find.
		beforeProp := j+1 < n && p < len(props) && props[p].s < sc.toks[mt[j+1]].e
		if ht := sc.headType(top); ht == Name || ht == Location || beforeProp || sc.numberRun(m, j) && !sc.partialNumber(m, j) {
			st := t.s
			if ht == Name || ht == Location {
				var a int
				a, j = sc.grow(m, j, oc-growMargin)
				st = sc.toks[mt[a]].s
			}
			out = sc.emit(out, st, sc.toks[mt[j]].e, ht, m, j)
		}
		m = j
	}
	sc.out = out
	return mergeCands(out)
}

// growMargin is how much less evidence a word needs beside a name or place the model found than
// alone: the rest of a name found in part ("MURIELE WILLIAM RN", "Gerry Masci"), an initial
// ("j. o'brien").
const growMargin = 2 // logits; chosen out-of-fold (benchmarks/results/phi.md)

// grow extends the name or place on scored tokens m..j over the words beside it at or above cut,
// on the same line, apart by spaces or glued by one mark ("o'brien", "Kessler-Adventist", an
// initial's "D."), and returns its new first and last token.
func (sc *scan) grow(m, j int, cut float32) (int, int) {
	for m > 0 && sc.beside(int(sc.mtok[m-1]), int(sc.mtok[m])) && sc.growable(m-1, cut) {
		m--
	}
	for j+1 < len(sc.mtok) && sc.beside(int(sc.mtok[j]), int(sc.mtok[j+1])) && sc.growable(j+1, cut) {
		j++
	}
	return m, j
}

// growable reports scored token m a word that may join a name or place beside it: positive at cut,
// capitalised unless its line or note is not, no connector ("and", "of"), number (a ward's "5"),
// month or generic facility word (the gold leaves those out of a place: "Sacred Heart", "Union
// Hospital"), and no ordinary word unless it is a name written as one inside a sentence ("Rose", not
// "ROSE", "MICU" or a sentence's first word) or an initial ("D. Phyl").
func (sc *scan) growable(m int, cut float32) bool {
	k := sc.mtok[m]
	t, c := sc.toks[k], sc.cls[k]
	if t.kind != tWord || c&(wStop|wTitle|wLabel|wMedical|wFacility|wTail|wConnector|wMonth|wWeekday) != 0 {
		return false
	}
	plain := !sc.caseless && !sc.upperLine[k]
	initial := t.e-t.s == 1 && t.has(fUpper) && sc.isPunct(int(k)+1, '.') && sc.glued(int(k)+1) // "D. Phyl"
	if plain && !t.has(fCap) || c&wCommon != 0 && !initial && !(c&(wFirst|wLast) != 0 && sc.titleCased(int(k)) && !sc.sentenceStart(int(k))) {
		return false
	}
	return sc.positive(m, cut)
}

// beside reports tokens a < b next to each other in one name: on one line, apart by spaces only, or
// by one glued mark, or by the period of a one-letter initial.
func (sc *scan) beside(a, b int) bool {
	toks := sc.toks
	if toks[b].has(fNewline) {
		return false
	}
	switch b - a {
	case 1:
		return true
	case 2:
		c := sc.text[toks[a+1].s]
		if toks[a+1].has(fNewline) {
			return false
		}
		if c == '.' {
			return toks[a].e-toks[a].s == 1 && !toks[a+1].has(fSpace)
		}
		return (c == '\'' || c == '-') && !toks[a+1].has(fSpace) && !toks[b].has(fSpace)
	}
	return false
}

// logits sets sc.z to the logit of every scored token and sc.wrow to its word row. What
// tokenFeatures lists is summed in parts: the word's own part and its neighbours' from the
// wordSum cache, the context features here (most tokens are quiet: no rule candidate on or beside
// them, no number, and a fixed few features), then the word rows of the tokens around each one.
// The order of the additions is plainLogits' (bench_test.go): the same logits to the last bit.
func (sc *scan) logits() {
	s := sc.e.scorer
	d := s.dense
	toks, mt, text, rule, res, upper := sc.toks, sc.mtok, sc.text, sc.rule, sc.res, sc.upperLine
	n := len(mt)
	z := slices.Grow(sc.z[:0], n)[:n]
	wrow := slices.Grow(sc.wrow[:0], n)[:n]
	ws := slices.Grow(sc.ws[:0], n)[:n]
	sc.z, sc.wrow, sc.ws = z, wrow, ws
	sc.wordSums(ws)
	noPrev, noNext := d[fShapePrev+nShape], d[fShapeNext+nShape]
	caseless := b2i(sc.caseless) << 1
	// The rule buckets of the tokens before, at and after m: a token is quiet when all are 0.
	var rPrev, rCur, rNext uint64
	if n > 0 {
		rNext = rule[mt[0]]
	}
	for m, k32 := range mt {
		k := int(k32)
		t := toks[k]
		w := &ws[m]
		v := w.self
		if m > 0 && !t.has(fBlankLine) {
			v += ws[m-1].prevCls + ws[m-1].prevShape
		} else if m > 0 {
			v += ws[m-1].prevCls + noPrev
		} else {
			v += noPrev
		}
		next := -1
		if m+1 < n {
			next = int(mt[m+1])
			if !toks[next].has(fBlankLine) {
				v += ws[m+1].nextCls + ws[m+1].nextShape
			} else {
				v += ws[m+1].nextCls + noNext
			}
		} else {
			v += noNext
		}
		wrow[m] = w.row
		// lineClass and punctFeatures, inline: a sentence start is looked into only after a mark
		// that may end a sentence.
		line := b2i(upper[k]) | caseless | b2i(t.has(fNewline))<<3
		pp, pn := int32(fPunctPrev), int32(fPunctNext)
		if k == 0 || t.has(fNewline) {
			line |= 4
		}
		if k > 0 && toks[k-1].kind == tPunct {
			c := text[toks[k-1].s]
			pp = int32(fPunctPrev + int(punctClasses[c])*2 + b2i(!t.has(fSpace)))
			if line&4 == 0 && sentenceMarks[c] && sc.sentenceStart(k) {
				line |= 4
			}
		}
		if next != k+1 && k+1 < len(toks) { // a punctuation token follows
			x := toks[k+1]
			pn = int32(fPunctNext + int(punctClasses[text[x.s]])*2 + b2i(!x.has(fSpace)))
		}
		rPrev, rCur = rCur, rNext
		rNext = 0
		if next >= 0 {
			rNext = rule[next]
		}
		if rPrev|rCur|rNext != 0 || t.kind == tNum {
			z[m] = sc.contextSum(v, m, int(res[m]), int(w.shape), line, pp, pn)
			continue
		}
		v += d[fBias]
		v += d[fResolved+int(res[m])+1]
		v += d[fLine+line]
		v += d[pp]
		v += d[pn]
		v += d[fShapeGroup+int(w.shape)*(numGroups+1)+numGroups] // bestGroup(0) is (numGroups, 0)
		v += d[fLineGroup+((line&3)*(numGroups+1)+numGroups)*6]
		z[m] = v
	}
	for m, row := range wrow {
		if row < 0 {
			continue
		}
		w := &s.roles[row]
		z[m] += w[0]
		if m > 0 {
			z[m-1] += w[2] // this word is the next word of token m-1
		}
		if m+1 < n {
			z[m+1] += w[1]
		}
		if m > 1 {
			z[m-2] += w[4]
		}
		if m+2 < n {
			z[m+2] += w[3]
		}
	}
}

// emit appends the span [st,en) of type t scored by the best of scored tokens m..j, if its type is
// enabled, its score reaches the type's threshold and it is not an allow term.
func (sc *scan) emit(out []cand, st, en int, t Type, m, j int) []cand {
	best := sc.z[m]
	for x := m + 1; x <= j; x++ {
		best = max(best, sc.z[x])
	}
	p := sigmoid(best)
	if ti := typeIdx(t); ti >= 0 && sc.e.on[ti] && p >= sc.e.th[ti] &&
		(sc.e.allow == nil || !sc.e.allow[sc.lowerTrimmed(st, en)]) {
		out = append(out, cand{s: st, e: en, t: t, score: p})
	}
	return out
}

// resolvedTypes fills sc.res: for each scored token, the type index of the span of merged (resolve's
// output) over it, or -1; a token under two spans takes the first.
func (sc *scan) resolvedTypes(merged []cand) {
	toks, mt := sc.toks, sc.mtok
	n := len(mt)
	res := slices.Grow(sc.res[:0], n)[:n]
	sc.res = res
	for m := range res {
		res[m] = -1
	}
	m := 0
	for _, c := range merged {
		// The first scored token ending after c.s, by bisection: spans are few, tokens many.
		lo, hi := m, n
		for lo < hi {
			if h := int(uint(lo+hi) >> 1); toks[mt[h]].e <= c.s {
				lo = h + 1
			} else {
				hi = h
			}
		}
		ti := int8(typeIdx(c.t))
		for m = lo; m < n && toks[mt[m]].s < c.e; m++ {
			if res[m] < 0 {
				res[m] = ti
			}
		}
		if m > lo {
			m-- // the last token may reach into the next span too
		}
	}
}

// positive reports scored token m at or above the cut and not vetoed or on the allow list.
func (sc *scan) positive(m int, cut float32) bool {
	k := int(sc.mtok[m])
	return sc.z[m] >= cut && !sc.veto[k] && !sc.allowed(k) && !(sc.cls[k]&wTitle != 0 && sc.personTitle(k))
}

// personTitle reports title token k ("Dr", "Mrs") before a name, not a street's "Dr" after its
// name: "with Dr. Chen", "... Dr. Kim will", but not "12 Elm Dr.". A title is not PHI.
func (sc *scan) personTitle(k int) bool {
	if sc.sentenceStart(k) {
		return true
	}
	p := sc.prevWordIdx(k, 1)
	return p < 0 || sc.toks[p].kind == tWord && !sc.toks[p].has(fCap)
}

// partialNumber reports scored tokens m..j a piece of a longer number: a number glued to them by
// one mark, outside them ("2345-7" is a code, its "7" no date).
func (sc *scan) partialNumber(m, j int) bool {
	a, b := int(sc.mtok[m]), int(sc.mtok[j])
	digits := func(k int) bool { return sc.toks[k].kind == tNum || sc.toks[k].kind == tAlnum }
	before := a >= 2 && sc.toks[a-1].kind == tPunct && sc.glued(a) && sc.glued(a-1) && digits(a-2)
	after := b+2 < len(sc.toks) && sc.toks[b+1].kind == tPunct && sc.glued(b+1) && sc.glued(b+2) && digits(b+2)
	return before || after
}

// numberRun reports scored tokens m..j a number or a month, not a code: digits or a month or
// weekday name, and no other word beside digits.
func (sc *scan) numberRun(m, j int) bool {
	var word, num, named bool
	for x := m; x <= j; x++ {
		k := sc.mtok[x]
		t := sc.toks[k]
		switch {
		case sc.cls[k]&(wMonth|wWeekday) != 0:
			named = true
		case t.kind == tWord:
			word = true
		case t.kind == tNum:
			num = true
		case t.kind == tAlnum:
			word, num = word || sc.text[t.s] > '9', true
		}
	}
	return (num || named) && !(word && num)
}

// headType is the type head's choice for scored token m.
func (sc *scan) headType(m int) Type {
	s := sc.e.scorer
	var z [numHead]float32
	sc.fbuf = sc.tokenFeatures(m, int(sc.res[m]), sc.fbuf[:0]) // kept for the next call
	for _, f := range sc.fbuf {
		w := s.tdense[int(f)*numHead : int(f)*numHead+numHead]
		for h := range z {
			z[h] += w[h]
		}
	}
	if row := sc.wrow[m]; row >= 0 {
		for h := range z {
			z[h] += s.types[row][h]
		}
	}
	best := 0
	for h := range z {
		if z[h] > z[best] {
			best = h
		}
	}
	return headTypes[best] // emit drops it if its type is disabled
}

// mergeCands sorts cs and merges overlapping candidates (union extent, type of the best score),
// in place.
func mergeCands(cs []cand) []cand {
	slices.SortFunc(cs, candCmp)
	out := cs[:0]
	for _, c := range cs {
		if n := len(out); n > 0 && c.s < out[n-1].e {
			last := &out[n-1]
			if c.e > last.e {
				last.e = c.e
			}
			if c.score > last.score {
				last.score, last.t = c.score, c.t
			}
			continue
		}
		out = append(out, c)
	}
	return out
}

func sigmoid(z float32) float64 { return 1 / (1 + math.Exp(-float64(z))) }

func logit(p float64) float64 {
	p = min(max(p, 1e-6), 1-1e-6)
	return math.Log(p / (1 - p))
}
