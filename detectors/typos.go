package detectors

// Nursing notes are typed fast: "remians", "socaial", "PRIAMRY", "Morpphine". A misspelt ordinary word
// is unknown to every list, capitalized in a line of capitals, and so looks like a rare surname or
// place to the rules. The scorer gets one feature for it (fTypo): the word is one slip from an
// ordinary word. Surnames one slip from a word exist too ("Wiliams"); the model weighs the two
// against the context, a veto would not.

// typoMinLen is the shortest word tested: shorter words are one slip from too many others.
const typoMinLen = 5

// typoOfCommon reports the lower-case ASCII letters w one slip from an ordinary word that is no
// name: a letter too many or two neighbours swapped. Each candidate is hashed as hashLower would
// hash it, without building it: 2n candidates of n bytes. Dropped and changed letters ("intubted",
// "attendence") are left out: testing them costs 26 times more (Detect +8 % instructions) and
// scored worse out of fold (benchmarks/results/phi.md).
func (d *dictionary) typoOfCommon(w string) bool {
	n := len(w)
	if n < typoMinLen || n > 24 {
		return false
	}
	var pre [25]uint64 // pre[i]: the hash state after w[:i]
	pre[0] = fnvOffset
	for i := 0; i < n; i++ {
		pre[i+1] = (pre[i] ^ uint64(w[i])) * fnvPrime
	}
	rest := func(h uint64, from int) uint64 {
		for i := from; i < n; i++ {
			h = (h ^ uint64(w[i])) * fnvPrime
		}
		return h | 1
	}
	common := func(h uint64) bool {
		return d.lookupHash(h)&(wCommon|wFirst|wLast) == wCommon
	}
	for i := 0; i < n; i++ {
		if common(rest(pre[i], i+1)) { // w[i] added: "morpphine"
			return true
		}
		if i+1 < n && w[i] != w[i+1] &&
			common(rest((((pre[i]^uint64(w[i+1]))*fnvPrime)^uint64(w[i]))*fnvPrime, i+2)) { // swapped: "remians"
			return true
		}
	}
	return false
}

// typo reports token k a word of ASCII letters that no list holds, one slip from an ordinary word.
func (sc *scan) typo(k int) bool {
	t := sc.toks[k]
	if t.kind != tWord || sc.cls[k] != 0 || t.e-t.s < typoMinLen || !t.has(fASCII) {
		return false
	}
	w := sc.ltext[t.s:t.e]
	for i := 0; i < len(w); i++ {
		if w[i] < 'a' || w[i] > 'z' {
			return false
		}
	}
	return sc.e.dict.typoOfCommon(w)
}
