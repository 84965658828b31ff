package detectors

import (
	"slices"
	"unicode"
	"unicode/utf8"
)

// tokKind is the coarse class of a token.
type tokKind uint8

const (
	tWord  tokKind = iota // letters only: "Smith", "pt"
	tNum                  // digits only: "1950"
	tAlnum                // letters and digits: "A1234", "3rd"
	tPunct                // one non-space, non-alphanumeric rune: "-", "@", "("
)

// Token shape flags.
const (
	fCap       uint8 = 1 << iota // first rune upper-case
	fUpper                       // every letter upper-case (and at least one letter)
	fSpace                       // whitespace precedes the token
	fNewline                     // a line break precedes the token (since the previous token)
	fASCII                       // every byte < 0x80
	fBlankLine                   // an empty line precedes the token

	lfSeen = fBlankLine << 1 // the tokenizer's own: a '\n' since the last token (never in a token)
	// fWroteCap marks a word capitalised (not in capitals) in a caseless note, which folding
	// flags as capitals like every other word: capitals its writer chose (foldCaseless).
	fWroteCap = lfSeen << 1 // the last bit of the flags byte: a new flag needs a wider type
)

// token is one tokenizer output: a run of letters/digits (the same unit eval_phi.py
// scores) or a single punctuation rune. Offsets are bytes into the text.
type token struct {
	s, e  int
	kind  tokKind
	flags uint8
	// Four fields at most: the compiler keeps such a struct in registers, and the
	// detectors copy tokens everywhere.
}

func (t token) has(f uint8) bool { return t.flags&f != 0 }

// Character classes, one bit each, so that a run of letters and digits is scanned
// by OR-ing the bits of its characters and deciding its kind and case once at its end.
const (
	cLower   uint8 = 1 << iota // a lower-case letter, or a letter or mark without case
	cUpper                     // an upper- or title-case letter
	cDigit                     // a decimal digit
	cSpace                     // whitespace other than a line break, control characters
	cNewline                   // a line break
	cPunct                     // anything else, and invalid UTF-8
	cWide                      // set by tokenize on runes of two bytes or more

	cAlnum = cLower | cUpper | cDigit
)

// asciiClass classifies bytes with one table lookup on the hot path; bytes >= 0x80
// (parts of wide runes) are cWide, so the fast path needs no separate test for them.
var asciiClass = func() (t [256]uint8) {
	for c := range t {
		switch {
		case c >= utf8.RuneSelf:
			t[c] = cWide
		case c == '\n' || c == '\r' || c == '\v' || c == '\f':
			t[c] = cNewline
		case c == ' ' || c == '\t':
			t[c] = cSpace
		case c >= 'a' && c <= 'z':
			t[c] = cLower
		case c >= 'A' && c <= 'Z':
			t[c] = cUpper
		case c >= '0' && c <= '9':
			t[c] = cDigit
		case c < 32 || c == 127:
			t[c] = cSpace
		default:
			t[c] = cPunct
		}
	}
	return t
}()

// tokenize appends the tokens of text to dst in one pass. Letters and digits
// follow unicode (so "Szöllösy" is one word); "_" is punctuation, as in eval_phi.py.
func tokenize(dst []token, text string) []token {
	dst, _, _ = tokenizeText(dst, nil, text)
	return dst
}

// tokenizeText is tokenize that also returns, per token, the dictionary hash (hashBytes)
// of a run of ASCII letters and digits lower-cased, 0 for other tokens, as it reads their
// bytes anyway (in hash's memory; entries of tokens already in dst are not kept); and
// reports whether every byte of text is ASCII, so that Detect can skip converting byte
// offsets to code points.
func tokenizeText(dst []token, hash []uint64, text string) (_ []token, _ []uint64, ascii bool) {
	// Flags for the next token (space / newline seen), with lfSeen once a '\n' is: a second
	// one makes a blank line. One variable, not two: the fast loop keeps its state in registers.
	var pending uint8
	wide := false
	i := 0
	// hash is kept at its full length, at least cap(dst), so that a token's store is one
	// indexed write; it is cut to len(dst) at the end.
	hash = slices.Grow(hash[:0], cap(dst))
	hash = hash[:cap(hash)]
	for i < len(text) {
		// Fast path: ASCII text while dst has room. It makes no calls (tokens are stored
		// by index, not append), so the compiler keeps its state in registers; a wide
		// rune or a full dst falls through to the general step below.
	fast:
		for i < len(text) && len(dst) < cap(dst) {
			c := text[i]
			cls := asciiClass[c]
			if cls&cAlnum == 0 {
				switch cls {
				case cWide:
					break fast
				case cSpace:
					pending |= fSpace
				case cNewline:
					pending |= fSpace | fNewline
					if c == '\n' {
						pending |= pending&lfSeen>>1 | lfSeen // a second one: fBlankLine
					}
				default: // cPunct
					n := len(dst)
					dst = dst[:n+1]
					dst[n] = token{s: i, e: i + 1, kind: tPunct, flags: pending&^lfSeen | fASCII}
					hash[n] = 0
					pending = 0
				}
				i++
				continue
			}
			// FNV-1a of the run lower-cased: an ASCII letter or digit is lower case with bit 0x20 set.
			start, first, acc := i, cls, cls
			h := (fnvOffset ^ uint64(c|0x20)) * fnvPrime
			for i++; i < len(text); i++ {
				c = text[i]
				if cls = asciiClass[c]; cls&cAlnum == 0 {
					break
				}
				acc |= cls
				h = (h ^ uint64(c|0x20)) * fnvPrime
			}
			if i < len(text) && cls == cWide {
				i = start // a wide rune in the run or right after it: the general step
				break
			}
			n := len(dst)
			dst = dst[:n+1]
			dst[n] = runToken(start, i, first, acc, pending)
			hash[n] = h | 1
			pending = 0
		}
		if i >= len(text) {
			break
		}
		if len(dst) == cap(dst) {
			dst = slices.Grow(dst, len(text)/8+16)
			hash = slices.Grow(hash[:len(dst)], cap(dst)-len(dst))
			hash = hash[:cap(hash)]
			continue
		}
		// General step: one character, or one run of letters and digits, any runes.
		c := text[i]
		cls, size := uint8(0), 1
		if c < utf8.RuneSelf {
			cls = asciiClass[c]
		} else {
			wide = true
			var r rune
			r, size = utf8.DecodeRuneInString(text[i:])
			cls = runeClass(r)
		}
		if cls&cAlnum == 0 {
			switch cls {
			case cSpace:
				pending |= fSpace
			case cNewline:
				pending |= fSpace | fNewline
				if c == '\n' {
					pending |= pending&lfSeen>>1 | lfSeen
				}
			default:
				dst = append(dst, token{s: i, e: i + size, kind: tPunct, flags: pending &^ lfSeen}) // dst has room
				hash[len(dst)-1] = 0
				pending = 0
			}
			i += size
			continue
		}
		start, first := i, cls
		if size > 1 {
			cls |= cWide
		}
		acc := cls
		for i += size; i < len(text); {
			if c = text[i]; c < utf8.RuneSelf {
				cls = asciiClass[c]
				if cls&cAlnum == 0 {
					break
				}
				acc |= cls
				i++
				continue
			}
			// A run that a wide rune ends is not flagged ASCII either ("Smith’s"): the
			// detectors were tuned with this flag.
			acc |= cWide
			wide = true
			r, n := utf8.DecodeRuneInString(text[i:])
			if cls = runeClass(r); cls&cAlnum == 0 {
				break
			}
			acc |= cls
			i += n
		}
		dst = append(dst, runToken(start, i, first, acc, pending))
		hash[len(dst)-1] = 0 // a run with wide runes: hashed where needed (classify, tokHash)
		pending = 0
	}
	return dst, hash[:len(dst)], !wide
}

// runToken is the token of the run of letters and digits text[s:e], from the class
// of its first character and the classes of all of them OR-ed.
func runToken(s, e int, first, acc, pending uint8) token {
	k := tWord
	switch {
	case acc&cDigit != 0 && acc&(cLower|cUpper) != 0:
		k = tAlnum
	case acc&cDigit != 0:
		k = tNum
	}
	f := pending &^ lfSeen
	if first&cUpper != 0 {
		f |= fCap
	}
	if acc&cUpper != 0 && acc&cLower == 0 {
		f |= fUpper // every letter upper-case, and at least one letter
	}
	if acc&cWide == 0 {
		f |= fASCII
	}
	return token{s: s, e: e, kind: k, flags: f}
}

// runeClass classifies a non-ASCII rune. Marks (combining accents) join words.
func runeClass(r rune) uint8 {
	switch {
	case r == utf8.RuneError:
		return cPunct
	case r == 0x2028 || r == 0x2029 || r == 0x85:
		return cNewline
	case unicode.IsSpace(r):
		return cSpace
	case unicode.IsUpper(r) || unicode.IsTitle(r):
		return cUpper
	case unicode.IsLetter(r) || unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Mc, r):
		return cLower
	case unicode.IsDigit(r):
		return cDigit
	case unicode.IsControl(r):
		return cSpace
	default:
		return cPunct
	}
}
