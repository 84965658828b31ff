package detectors

import (
	"math/bits"
	"slices"
)

// Features of the learned scorer (scorer.go). Every letter or digit token is scored on what the
// rules proposed over it and around it, its shape, its dictionary classes, the line it is on, the
// punctuation beside it, and the identity of it and its neighbours. Identities are 64-bit hashes of
// the lower-cased words (the dictionary's hash), never text, so a model holds no words in clear.
//
// Dense features are small integer ids laid out template by template below; word identities are
// looked up in the model's word table. Changing a template changes featureSchema, and a model
// trained on another layout is refused (ErrModel).

// Rule groups: the candidate types a token's rule features are summarized by.
const (
	gName = iota
	gLocation
	gDate
	gAge
	gPhone // PHONE, FAX
	gSSN
	gWeb   // EMAIL, URL, IP
	gCode  // MRN, HEALTH_PLAN, ACCOUNT, LICENSE
	gThing // VEHICLE, DEVICE, BIOMETRIC
	gID
	numGroups
)

// groupOf maps a type index (typeIdx) to its rule group.
var groupOf = [numTypes]uint8{gName, gLocation, gDate, gAge, gPhone, gPhone, gWeb, gSSN, gCode, gCode, gCode,
	gCode, gThing, gThing, gWeb, gWeb, gThing, gID}

// scoreBucket maps a rule score to 1..5 (0 is "no candidate").
func scoreBucket(s float64) uint64 {
	switch {
	case s >= 0.9:
		return 5
	case s >= 0.7:
		return 4
	case s >= 0.5:
		return 3
	case s >= 0.3:
		return 2
	}
	return 1
}

// srcUser is the source of deny terms and custom detectors (cand.src); builtins are below it.
const srcUser = 15

// Feature templates and their sizes.
const (
	nShape    = 3 * 4 * 6 // kind x case x length bucket
	nShapeCtx = nShape + 2
	nClsBits  = 32
	nRule     = numGroups * 6
	nResolved = numTypes + 1
	nLine     = 16
	nPunct    = 32
	nSuffix   = 2048

	fBias       = 0
	fShape      = fBias + 1
	fShapePrev  = fShape + nShape
	fShapeNext  = fShapePrev + nShapeCtx
	fCls        = fShapeNext + nShapeCtx
	fClsPrev    = fCls + nClsBits
	fClsNext    = fClsPrev + nClsBits
	fRule       = fClsNext + nClsBits
	fRulePrev   = fRule + nRule
	fRuleNext   = fRulePrev + numGroups
	fResolved   = fRuleNext + numGroups
	fLine       = fResolved + nResolved
	fPunctPrev  = fLine + nLine
	fPunctNext  = fPunctPrev + nPunct
	fShapeGroup = fPunctNext + nPunct
	fLineGroup  = fShapeGroup + nShape*(numGroups+1)
	fSuffix     = fLineGroup + 4*(numGroups+1)*6
	fSrc        = fSuffix + nSuffix                // the detector that proposed a candidate over the token x its score bucket
	fNum        = fSrc + (srcUser+1)*6             // a number's value class x the separators around it
	fNumPair    = fNum + nNumClass*4*4             // the value classes of "a/b" x the token's side
	fTypo       = fNumPair + 2*nNumClass*nNumClass // one slip from an ordinary word (typos.go)
	// NumDenseFeatures is the size of the dense feature space.
	NumDenseFeatures = fTypo + 1
)

// featureSchema identifies the layout above; a model records the schema it was trained on.
const featureSchema = uint32(NumDenseFeatures)<<8 | 4

// maxTokenFeatures bounds the dense ids of one token (class bits are at most 32 per word).
const maxTokenFeatures = 29 + 3*nClsBits + 3*numGroups + srcUser + 1

// shapeOf is the shape id of token k: kind, case and length bucket.
func (sc *scan) shapeOf(k int) int {
	t := sc.toks[k]
	n := t.e - t.s
	kind, cs := 0, 0
	switch t.kind {
	case tNum:
		kind = 1
	case tAlnum:
		kind = 2
	}
	if t.kind != tNum && !sc.caseless {
		switch {
		case t.has(fUpper):
			cs = 2
		case t.has(fCap):
			cs = 1
			if n > 1 && !camelFree(sc.text[t.s:t.e]) {
				cs = 3
			}
		}
	}
	var lb int
	switch {
	case n <= 3:
		lb = n - 1
	case t.kind == tNum:
		lb = min(n-1, 5) // 4, 5, 6+ digits: a year or time, a ZIP, a record number
	case n <= 5:
		lb = 3
	case n <= 8:
		lb = 4
	default:
		lb = 5
	}
	return (kind*4+cs)*6 + lb
}

// camelFree reports an ASCII word with no capital after its first letter ("Smith", not "McCoy").
func camelFree(w string) bool {
	for i := 1; i < len(w); i++ {
		if isUpperAlpha(w[i]) {
			return false
		}
	}
	return true
}

// punctClasses is the class of a punctuation token by its first byte, 1..15.
var punctClasses = func() (t [256]uint8) {
	for c := range t {
		t[c] = 15
	}
	for i, marks := range []string{".", ",", ":", ";", "-", "/", "(", ")", "'", "\"", "#", "@", "+&", "*=><~"} {
		for _, c := range []byte(marks) {
			t[c] = uint8(i + 1)
		}
	}
	return t
}()

// suffixHash buckets the last three bytes of a lower-cased word of four letters or more.
func suffixHash(lw string) int {
	n := len(lw)
	h := uint32(lw[n-1]) | uint32(lw[n-2])<<8 | uint32(lw[n-3])<<16
	h *= 2654435761
	return int(h >> (32 - 11))
}

// modelToks fills sc.mtok with the indexes of the tokens the scorer sees (letters and digits), and
// sc.rule with the rule groups' best candidate score bucket over each of them (4 bits a group).
func (sc *scan) modelToks() {
	toks := sc.toks
	sc.mtok = sc.mtok[:0]
	for k := range toks {
		if toks[k].kind != tPunct {
			sc.mtok = append(sc.mtok, int32(k))
		}
	}
	n := len(toks)
	if cap(sc.rule) < n {
		sc.rule = make([]uint64, n)
	}
	sc.rule = sc.rule[:n]
	clear(sc.rule)
	sc.srcs = slices.Grow(sc.srcs[:0], n)[:n]
	clear(sc.srcs)
	for _, c := range sc.cands {
		ti := typeIdx(c.t)
		if ti < 0 {
			continue
		}
		sh := uint(groupOf[ti]) * 4
		b := scoreBucket(c.score)
		for k := sc.tokenAt(c.s); k < n && toks[k].s < c.e; k++ {
			if (sc.rule[k]>>sh)&15 < b {
				sc.rule[k] = sc.rule[k]&^(15<<sh) | b<<sh
			}
			if ss := uint(c.src) * 4; (sc.srcs[k]>>ss)&15 < b {
				sc.srcs[k] = sc.srcs[k]&^(15<<ss) | b<<ss
			}
		}
	}
}

// bestGroup returns the group with the highest bucket in r (numGroups when none) and that bucket.
func bestGroup(r uint64) (int, int) {
	g, b := numGroups, 0
	for r != 0 {
		at := bits.TrailingZeros64(r) / 4
		if v := int(r>>(uint(at)*4)) & 15; v > b {
			g, b = at, v
		}
		r &^= 15 << (uint(at) * 4)
	}
	return g, b
}

// tokenFeatures appends the dense feature ids of scored token m (an index into sc.mtok) to buf.
// resolved is the type index of the rule span over the token after thresholds (-1 for none).
func (sc *scan) tokenFeatures(m int, resolved int, buf []int32) []int32 {
	toks, mt := sc.toks, sc.mtok
	k := int(mt[m])
	prev, next := -1, -1
	if m > 0 {
		prev = int(mt[m-1])
	}
	if m+1 < len(mt) {
		next = int(mt[m+1])
	}
	shape := sc.shapeOf(k)
	buf = sc.wordFeatures(k, shape, buf)
	if prev >= 0 {
		buf = appendBits(buf, fClsPrev, sc.cls[prev])
	}
	if prev >= 0 && !toks[k].has(fBlankLine) {
		buf = append(buf, int32(fShapePrev+sc.shapeOf(prev)))
	} else {
		buf = append(buf, fShapePrev+nShape)
	}
	if next >= 0 {
		buf = appendBits(buf, fClsNext, sc.cls[next])
	}
	if next >= 0 && !toks[next].has(fBlankLine) {
		buf = append(buf, int32(fShapeNext+sc.shapeOf(next)))
	} else {
		buf = append(buf, fShapeNext+nShape)
	}
	return sc.contextFeatures(m, resolved, shape, buf)
}

// The features of tokenFeatures fall in parts: those of the word alone (wordFeatures), the shape
// and classes of the words beside it, and the rest (contextFeatures). The first two depend only on
// a word's lower-case text and shape, so the scorer sums their weights once per distinct word
// (scorer.go, wordSums): the same weights, summed in another order.

// wordFeatures appends the features of token k's own word: shape, dictionary classes, suffix.
func (sc *scan) wordFeatures(k, shape int, buf []int32) []int32 {
	t := sc.toks[k]
	buf = append(buf, int32(fShape+shape))
	buf = appendBits(buf, fCls, sc.cls[k])
	if t.kind == tWord && t.e-t.s >= 4 && t.has(fASCII) {
		buf = append(buf, int32(fSuffix+suffixHash(sc.ltext[t.s:t.e])))
	}
	if sc.typo(k) {
		buf = append(buf, fTypo)
	}
	return buf
}

// contextFeatures appends the features of scored token m that depend on more than its word and its
// neighbours' words: rules, resolved type, line, punctuation, numbers.
func (sc *scan) contextFeatures(m, resolved, shape int, buf []int32) []int32 {
	toks, mt := sc.toks, sc.mtok
	k := int(mt[m])
	t := toks[k]
	prev, next := -1, -1
	if m > 0 {
		prev = int(mt[m-1])
	}
	if m+1 < len(mt) {
		next = int(mt[m+1])
	}
	buf = append(buf, fBias)
	r := sc.rule[k]
	for x := r; x != 0; {
		at := bits.TrailingZeros64(x) / 4
		buf = append(buf, int32(fRule+at*6+int(x>>(uint(at)*4))&15))
		x &^= 15 << (uint(at) * 4)
	}
	if prev >= 0 {
		buf = appendStrong(buf, fRulePrev, sc.rule[prev])
	}
	if next >= 0 {
		buf = appendStrong(buf, fRuleNext, sc.rule[next])
	}
	buf = append(buf, int32(fResolved+resolved+1))
	line := sc.lineClass(k)
	pp, pn := sc.punctFeatures(k)
	buf = append(buf, int32(fLine+line), pp, pn)
	g, b := bestGroup(r)
	buf = append(buf, int32(fShapeGroup+shape*(numGroups+1)+g),
		int32(fLineGroup+((line&3)*(numGroups+1)+g)*6+b))
	for x := sc.srcs[k]; x != 0; {
		at := bits.TrailingZeros64(x) / 4
		buf = append(buf, int32(fSrc+at*6+int(x>>(uint(at)*4))&15))
		x &^= 15 << (uint(at) * 4)
	}
	if t.kind == tNum {
		c := sc.numClass(k)
		buf = append(buf, int32(fNum+(c*4+sc.sepClass(k-1, k))*4+sc.sepClass(k+1, k)))
		if sc.sepClass(k+1, k) == 1 && k+2 < len(toks) && toks[k+2].kind == tNum && sc.glued(k+2) {
			buf = append(buf, int32(fNumPair+c*nNumClass+sc.numClass(k+2)))
		}
		if sc.sepClass(k-1, k) == 1 && k >= 2 && toks[k-2].kind == tNum && sc.glued(k-1) {
			buf = append(buf, int32(fNumPair+nNumClass*nNumClass+sc.numClass(k-2)*nNumClass+c))
		}
	}
	return buf
}

// lineClass is token k's line class: an upper-case line, a caseless note, a sentence start, a new line.
func (sc *scan) lineClass(k int) int {
	return b2i(sc.upperLine[k]) | b2i(sc.caseless)<<1 | b2i(sc.sentenceStart(k))<<2 | b2i(sc.toks[k].has(fNewline))<<3
}

// punctFeatures are the feature ids of the punctuation before and after token k (or of none).
func (sc *scan) punctFeatures(k int) (prev, next int32) {
	toks := sc.toks
	prev, next = fPunctPrev, fPunctNext
	if p := k - 1; p >= 0 && toks[p].kind == tPunct {
		prev = int32(fPunctPrev + int(punctClasses[sc.text[toks[p].s]])*2 + b2i(!toks[k].has(fSpace)))
	}
	if nx := k + 1; nx < len(toks) && toks[nx].kind == tPunct {
		next = int32(fPunctNext + int(punctClasses[sc.text[toks[nx].s]])*2 + b2i(!toks[nx].has(fSpace)))
	}
	return prev, next
}

// contextSum adds to z the weights of contextFeatures(m, resolved, shape), in their order (so the
// sum is the same to the last bit), given the token's line class and punctuation features.
func (sc *scan) contextSum(z float32, m, resolved, shape, line int, pp, pn int32) float32 {
	toks, mt, d := sc.toks, sc.mtok, sc.e.scorer.dense
	k := int(mt[m])
	z += d[fBias]
	r := sc.rule[k]
	for x := r; x != 0; {
		at := bits.TrailingZeros64(x) / 4
		z += d[fRule+at*6+int(x>>(uint(at)*4))&15]
		x &^= 15 << (uint(at) * 4)
	}
	if m > 0 {
		z = addStrong(z, d[fRulePrev:], sc.rule[mt[m-1]])
	}
	if m+1 < len(mt) {
		z = addStrong(z, d[fRuleNext:], sc.rule[mt[m+1]])
	}
	z += d[fResolved+resolved+1]
	z += d[fLine+line]
	z += d[pp]
	z += d[pn]
	g, b := bestGroup(r)
	z += d[fShapeGroup+shape*(numGroups+1)+g]
	z += d[fLineGroup+((line&3)*(numGroups+1)+g)*6+b]
	for x := sc.srcs[k]; x != 0; {
		at := bits.TrailingZeros64(x) / 4
		z += d[fSrc+at*6+int(x>>(uint(at)*4))&15]
		x &^= 15 << (uint(at) * 4)
	}
	if toks[k].kind == tNum {
		c := sc.numClass(k)
		before, after := sc.sepClass(k-1, k), sc.sepClass(k+1, k)
		z += d[fNum+(c*4+before)*4+after]
		if after == 1 && k+2 < len(toks) && toks[k+2].kind == tNum && sc.glued(k+2) {
			z += d[fNumPair+c*nNumClass+sc.numClass(k+2)]
		}
		if before == 1 && k >= 2 && toks[k-2].kind == tNum && sc.glued(k-1) {
			z += d[fNumPair+nNumClass*nNumClass+sc.numClass(k-2)*nNumClass+c]
		}
	}
	return z
}

// addStrong adds w[group] to z for every group with a candidate of score 0.5 or more in r, as
// appendStrong lists them.
func addStrong(z float32, w []float32, r uint64) float32 {
	for r != 0 {
		at := bits.TrailingZeros64(r) / 4
		if (r>>(uint(at)*4))&15 >= 3 {
			z += w[at]
		}
		r &^= 15 << (uint(at) * 4)
	}
	return z
}

// nNumClass is the number of value classes of numClass.
const nNumClass = 10

// numClass is the value class of number token k: what it could be in a date or a measurement.
func (sc *scan) numClass(k int) int {
	t := sc.toks[k]
	n := t.e - t.s
	v := atoiTok(sc, k)
	switch {
	case n > 4:
		return 9
	case n == 4 && v >= 1900 && v <= 2099:
		return 8 // a year
	case n == 4 && v%100 < 60 && v/100 < 24:
		return 7 // a clock time: "0700", "2130"
	case n == 4:
		return 6
	case n == 3:
		return 5
	case v == 0:
		return 0
	case v <= 12:
		return 1 // a month or day
	case v <= 31:
		return 2 // a day
	case v <= 59:
		return 3
	}
	return 4 // 60-99: a two-digit year
}

// sepClass classifies token p beside number token k: 0 none or space, 1 a glued '/', 2 a glued '-',
// 3 a glued '.' or other punctuation.
func (sc *scan) sepClass(p, k int) int {
	if p < 0 || p >= len(sc.toks) || sc.toks[p].kind != tPunct {
		return 0
	}
	if p > k && !sc.glued(p) || p < k && !sc.glued(k) {
		return 0
	}
	switch sc.text[sc.toks[p].s] {
	case '/':
		return 1
	case '-':
		return 2
	}
	return 3
}

// appendBits appends base+bit for every set bit of c.
func appendBits(buf []int32, base int32, c uint32) []int32 {
	for c != 0 {
		buf = append(buf, base+int32(bits.TrailingZeros32(c)))
		c &= c - 1
	}
	return buf
}

// appendStrong appends base+group for every group with a candidate of score 0.5 or more in r.
func appendStrong(buf []int32, base int32, r uint64) []int32 {
	for r != 0 {
		at := bits.TrailingZeros64(r) / 4
		if (r>>(uint(at)*4))&15 >= 3 {
			buf = append(buf, base+int32(at))
		}
		r &^= 15 << (uint(at) * 4)
	}
	return buf
}

// TokenFeatures is one letter-or-digit token as the learned scorer sees it: what detectors/train
// learns from.
type TokenFeatures struct {
	Start, End int     // byte offsets of the token in the text
	Dense      []int32 // dense feature ids (features.go)
	// Words are the hashes (WordHash) of the token, the words before and after it, and two before
	// and two after, in the order of WordWeights.Roles; 0 where there is none.
	Words [NumWordRoles]uint64
}

// Features returns the scorer's view of every letter-or-digit token of text: the features Detect
// scores, whatever model the engine has (or none, with rules_only).
func (e *Engine) Features(text string) []TokenFeatures {
	sc := e.pool.Get().(*scan)
	defer func() {
		sc.text, sc.ltext = "", ""
		e.pool.Put(sc)
	}()
	sc.reset(text)
	sc.run()
	sc.modelToks()
	sc.resolvedTypes(sc.resolve())
	mt := sc.mtok
	hash := make([]uint64, len(mt))
	for m, k := range mt {
		hash[m] = sc.tokHash(int(k))
	}
	at := func(m int) uint64 {
		if m < 0 || m >= len(mt) {
			return 0
		}
		return hash[m]
	}
	out := make([]TokenFeatures, len(mt))
	for m, k := range mt {
		t := sc.toks[k]
		out[m] = TokenFeatures{Start: t.s, End: t.e, Dense: sc.tokenFeatures(m, int(sc.res[m]), nil),
			Words: [NumWordRoles]uint64{hash[m], at(m - 1), at(m + 1), at(m - 2), at(m + 2)}}
	}
	return out
}
