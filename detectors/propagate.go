package detectors

// Names found once are names everywhere in the same text: a note that says "Crystal Wise was
// seen" with enough evidence once often writes "Wise, Crystal" or "WISE" elsewhere with none
// ("Please excuse Crystal Wise from school"). After the other detectors, the words of every
// name reported with confidence are looked for again, in capitals or title case, and each
// run of them is reported (NAME).
//
//	"Earl Wise was seen by Dr. Ruiz on 2/2. Please excuse Earl Wise from school."
//	                                                    ^^^^^^^^^ found through the first mention
//
// A word that is also ordinary ("Hope", "Will", "May") is taken alone only mid-sentence in
// title case; at the start of a sentence or in a line of capitals it needs a neighbour from the
// same set ("Hope Dunn", "DUNN, HOPE").
func init() {
	registerLast(Spec{Name: "name_propagation", Types: []Type{Name},
		Description: "other mentions, in the same text, of the words of names found with confidence"},
		propagateNames)
}

// maxPropagated bounds the words carried from confident names (a fixed array, no allocation).
const maxPropagated = 24

// propagatedScore is above the default threshold: the word was a name once in this text.
// propagateFrom is the score a name needs to be looked for again.
const (
	propagatedScore = 0.6
	propagateFrom   = 0.7
)

// overlapsOther reports a candidate of another type over c: a street or city read as a
// name as well ("Falcon Way", "Seattle") is not looked for again.
func (sc *scan) overlapsOther(c cand) bool {
	for _, o := range sc.cands {
		if o.t != Name && o.s < c.e && c.s < o.e {
			return true
		}
	}
	return false
}

func propagateNames(sc *scan) {
	min := max(sc.e.th[typeIdx(Name)], propagateFrom)
	var set [maxPropagated]string
	n, tried := 0, 0
	for _, c := range sc.cands {
		if c.t != Name || c.score < min {
			continue
		}
		// overlapsOther walks every candidate: trying a bounded number keeps the pass linear.
		if tried++; tried > 2*maxPropagated || n == maxPropagated {
			break
		}
		if sc.overlapsOther(c) {
			continue
		}
		for k := sc.tokenAt(c.s); k < len(sc.toks) && sc.toks[k].s < c.e && n < maxPropagated; k++ {
			if sc.propagatable(k) && !inSet(set[:n], sc.lw(k)) {
				set[n] = sc.lw(k)
				n++
			}
		}
	}
	if n == 0 {
		return
	}
	toks := sc.toks
	in := func(k int) bool {
		return k >= 0 && k < len(toks) && toks[k].kind == tWord && (toks[k].has(fCap) || toks[k].has(fUpper)) &&
			!sc.allowed(k) && inSet(set[:n], sc.lw(k))
	}
	for i := 0; i < len(toks); i++ {
		if !in(i) {
			continue
		}
		// The run of set words from i: "Crystal Wise", "WISE, CRYSTAL", "Mary-Kate".
		j := i
		for {
			k := j + 1
			if sc.isPunct(k, ',') || sc.isPunct(k, '-') && sc.glued(k) {
				k++
			}
			if !in(k) || toks[k].has(fNewline) {
				break
			}
			j = k
		}
		if j == i && !sc.propagatesAlone(i) {
			continue
		}
		sc.add(toks[i].s, toks[j].e, Name, propagatedScore)
		i = j
	}
}

// propagatable reports whether token k of a confident name may be looked for elsewhere: a word
// of two letters or more that is not a title, credential, particle or clinical word.
func (sc *scan) propagatable(k int) bool {
	t := sc.toks[k]
	return t.kind == tWord && t.e-t.s >= 2 && !sc.isCredential(k) && !nameParticle[sc.lw(k)] && !nameSuffix[sc.lw(k)] &&
		sc.cls[k]&(wStop|wTitle|wMedical|wMonth|wWeekday|wState|wCountry|wLabel|wNameCue) == 0
}

// propagatesAlone reports whether a single set word at token i is a name without a neighbour:
// not an ordinary word, or one in title case mid-sentence ("asked Hope to call").
func (sc *scan) propagatesAlone(i int) bool {
	if sc.cls[i]&wCommon == 0 {
		return true
	}
	t := sc.toks[i]
	return t.has(fCap) && !t.has(fUpper) && !sc.lineUpper(i) && !sc.sentenceStart(i)
}

func inSet(set []string, w string) bool {
	for _, s := range set {
		if s == w {
			return true
		}
	}
	return false
}
