package detectors

import (
	"encoding/binary"
	"slices"
	"strings"
	"unicode/utf8"
	"unsafe"
)

// Token-level helpers shared by the detectors. All take token indexes into sc.toks.

// word returns the text of token i.
func (sc *scan) word(i int) string { t := sc.toks[i]; return sc.text[t.s:t.e] }

// isWord reports whether token i's text equals w, ignoring case. Most calls end at its first
// tests, before isWordText compares.
func (sc *scan) isWord(i int, w string) bool {
	// i < 0 too; w has fewer runes than an ASCII token: a rune is one byte or more, the token's one.
	if uint(i) >= uint(len(sc.toks)) || sc.toks[i].flags&fASCII != 0 && len(w) < sc.toks[i].e-sc.toks[i].s {
		return false
	}
	return sc.isWordText(i, w)
}

// isWordText is isWord of token i after its quick tests.
func (sc *scan) isWordText(i int, w string) bool {
	t := sc.toks[i]
	if t.has(fASCII) && isASCII(w) {
		// ASCII words of different lengths never fold to each other; of the same length, the
		// lower-case copy says.
		return t.e-t.s == len(w) && lowerEqual(sc.ltext[t.s:t.e], w)
	}
	return strings.EqualFold(sc.text[t.s:t.e], w)
}

// lowerEqual reports whether l, ASCII in lower case, is the ASCII w of the same length in lower case.
func lowerEqual(l, w string) bool {
	for i := 0; i < len(w); i++ {
		c := w[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if l[i] != c {
			return false
		}
	}
	return true
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// isPunct reports whether token i is the punctuation byte c (never 0), from the byte classify
// kept per token: the rules ask it everywhere, one load answers.
func (sc *scan) isPunct(i int, c byte) bool {
	return uint(i) < uint(len(sc.pch)) && sc.pch[i] == c // i < 0 too
}

// glued reports whether token i directly follows token i-1 (no whitespace between).
func (sc *scan) glued(i int) bool { return i > 0 && i < len(sc.toks) && !sc.toks[i].has(fSpace) }

// prevWordIdx returns the nearest alphanumeric token before i, skipping at most
// maxPunct punctuation tokens, or -1. It does not cross a blank line.
func (sc *scan) prevWordIdx(i, maxPunct int) int {
	toks := sc.toks
	for j := i - 1; j >= 0; j-- {
		if toks[j+1].has(fBlankLine) {
			return -1
		}
		if toks[j].kind != tPunct {
			return j
		}
		if maxPunct--; maxPunct < 0 {
			return -1
		}
	}
	return -1
}

// nextWordIdx returns the nearest alphanumeric token after i, skipping at most maxPunct punctuation tokens, or -1.
func (sc *scan) nextWordIdx(i, maxPunct int) int {
	toks := sc.toks
	for j := i + 1; j < len(toks); j++ {
		if toks[j].has(fBlankLine) {
			return -1
		}
		if toks[j].kind != tPunct {
			return j
		}
		if maxPunct--; maxPunct < 0 {
			return -1
		}
	}
	return -1
}

// sentenceStart reports whether token i starts a sentence or line, where
// capitalization says nothing about proper nouns.
func (sc *scan) sentenceStart(i int) bool {
	if i == 0 || sc.toks[i].has(fNewline) {
		return true
	}
	// After ':' no: "Patient: Smith" is a label, the value is often a name. (A mark of two bytes
	// or more, 0 in pch, is none of sentenceMarks.)
	if sentenceMarks[sc.pch[i-1]] {
		return sc.prevWordIdx(i, 2) < 0 || !sc.isTitleAbbrev(i-1)
	}
	return false
}

// sentenceMarks are the marks after which a sentence may start.
var sentenceMarks = func() (t [256]bool) {
	for _, c := range []byte(".!?\"*->([") {
		t[c] = true
	}
	return t
}()

// isTitleAbbrev reports whether the '.' at token i ends a title ("Dr.") rather than a sentence.
func (sc *scan) isTitleAbbrev(i int) bool {
	return sc.isPunct(i, '.') && i > 0 && sc.toks[i-1].kind == tWord && sc.cls[i-1]&wTitle != 0
}

// lw returns token i lower-cased (ASCII letters only; other runes unchanged),
// without allocating: a slice of the per-call lower-case copy of the text.
func (sc *scan) lw(i int) string { t := sc.toks[i]; return sc.ltext[t.s:t.e] }

// lowerInto lower-cases the ASCII letters of s into buf (reused between calls)
// and returns it as a string without copying. The string aliases buf: it is
// valid only until the next call, which is all Detect needs (scan.ltext is
// cleared before the scan returns to its pool).
func lowerInto(buf []byte, s string) ([]byte, string) {
	buf = slices.Grow(buf[:0], len(s))[:len(s)]
	i := 0
	for ; i+8 <= len(s); i += 8 {
		binary.LittleEndian.PutUint64(buf[i:], lower8(load64(s, i)))
	}
	for ; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf[i] = c
	}
	if len(buf) == 0 {
		return buf, ""
	}
	return buf, unsafe.String(&buf[0], len(buf))
}

// lower8 lower-cases the ASCII capitals among eight bytes at once: per byte, bit 7 of
// ge is set for 'A' and above, of gt for above 'Z' (on the low seven bits, so no carry
// crosses bytes); bytes >= 0x80 are left alone.
func lower8(x uint64) uint64 {
	const hi, lo7 = 0x8080808080808080, 0x7f7f7f7f7f7f7f7f
	h := x & lo7
	ge := h + 0x0101010101010101*(0x80-'A')
	gt := h + 0x0101010101010101*(0x7f-'Z')
	upper := (ge ^ gt) &^ x & hi
	return x | upper>>2
}

// lineUpper reports whether the line holding token i is written in capitals
// (at least three words of two letters or more, three quarters of them upper-case),
// where capitalization carries no name signal. Precomputed per line in reset.
func (sc *scan) lineUpper(i int) bool { return sc.upperLine[i] }

// foldCaseless treats a note written without capitals ("pt seen by dr lopez") like
// one written in capitals: both carry no capitalization signal, and the detectors
// already rely on the dictionaries and context for notes in capitals. words and capped
// count the words of two letters or more and the capitalized ones; it reports whether
// it folded.
func (sc *scan) foldCaseless(words, capped int) bool {
	if !(words >= 4 && capped == 0 || words >= 20 && capped*20 < words) {
		return false
	}
	for i := range sc.toks {
		if t := &sc.toks[i]; t.kind == tWord {
			if t.has(fCap) && !t.has(fUpper) {
				t.flags |= fWroteCap
			}
			t.flags |= fCap | fUpper
		}
	}
	return true
}

// markUpperLines fills sc.upperLine in one pass over the tokens.
func (sc *scan) markUpperLines() {
	start := 0
	for start < len(sc.toks) {
		end := start + 1
		for end < len(sc.toks) && !sc.toks[end].has(fNewline) {
			end++
		}
		words, upper := 0, 0
		for j := start; j < end; j++ {
			if t := sc.toks[j]; t.kind == tWord && t.e-t.s > 1 {
				words++
				if t.has(fUpper) {
					upper++
				}
			}
		}
		sc.markLine(start, end, words, upper)
		start = end
	}
}

// load64 reads s[i:i+8] as a little-endian word (the compiler makes it one load).
func load64(s string, i int) uint64 {
	s = s[i : i+8]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// inReadingChain reports the text at byte s right after a number and a slash: "80/48/7.45.34.7" is a
// chain of blood-gas readings, no IP address.
func (sc *scan) inReadingChain(s int) bool {
	return s > 1 && sc.text[s-1] == '/' && isDigit(sc.text[s-2])
}

// titleCased reports word i capitalised, not in capitals, in a line of mixed case or a note of
// lower case: capitals the writer chose.
func (sc *scan) titleCased(i int) bool {
	t := sc.toks[i]
	if sc.caseless {
		return t.has(fWroteCap)
	}
	return t.has(fCap) && !t.has(fUpper) && !sc.upperLine[i]
}
