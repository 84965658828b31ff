package detectors

import (
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
)

// token is one tokenizer output: a run of letters/digits (the same unit eval_phi.py
// scores) or a single punctuation rune. Offsets are bytes into the text.
type token struct {
	s, e  int
	kind  tokKind
	flags uint8
}

func (t token) has(f uint8) bool { return t.flags&f != 0 }

// asciiClass classifies bytes < 0x80 with one table lookup on the hot path.
var asciiClass [128]uint8

const (
	acSpace uint8 = iota + 1
	acNewline
	acLower
	acUpper
	acDigit
	acPunct
)

func init() {
	for c := 0; c < 128; c++ {
		switch {
		case c == '\n' || c == '\r' || c == '\v' || c == '\f':
			asciiClass[c] = acNewline
		case c == ' ' || c == '\t':
			asciiClass[c] = acSpace
		case c >= 'a' && c <= 'z':
			asciiClass[c] = acLower
		case c >= 'A' && c <= 'Z':
			asciiClass[c] = acUpper
		case c >= '0' && c <= '9':
			asciiClass[c] = acDigit
		case c < 32 || c == 127:
			asciiClass[c] = acSpace
		default:
			asciiClass[c] = acPunct
		}
	}
}

// tokenize appends the tokens of text to dst in one pass. Letters and digits
// follow unicode (so "Szöllösy" is one word); "_" is punctuation, as in eval_phi.py.
func tokenize(dst []token, text string) []token {
	var pending uint8 // flags for the next token (space / newline seen)
	newlines := 0
	i := 0
	for i < len(text) {
		c := text[i]
		var cls uint8
		size := 1
		var r rune
		if c < utf8.RuneSelf {
			cls = asciiClass[c]
		} else {
			r, size = utf8.DecodeRuneInString(text[i:])
			cls = runeClass(r)
		}
		switch cls {
		case acSpace:
			pending |= fSpace
			i += size
			continue
		case acNewline:
			pending |= fSpace | fNewline
			if c == '\n' {
				newlines++
				if newlines >= 2 {
					pending |= fBlankLine
				}
			}
			i += size
			continue
		case acPunct:
			f := pending
			if c < utf8.RuneSelf {
				f |= fASCII
			}
			dst = append(dst, token{s: i, e: i + size, kind: tPunct, flags: f})
			pending, newlines = 0, 0
			i += size
			continue
		}
		// A run of letters and digits.
		start := i
		hasL, hasD, ascii := false, false, true
		allUpper, anyLetter := true, false
		first := true
		capFirst := false
		for i < len(text) {
			c = text[i]
			if c < utf8.RuneSelf {
				cls = asciiClass[c]
				size = 1
			} else {
				r, size = utf8.DecodeRuneInString(text[i:])
				cls = runeClass(r)
				ascii = false
			}
			switch cls {
			case acLower:
				hasL, anyLetter, allUpper = true, true, false
			case acUpper:
				hasL, anyLetter = true, true
				if first {
					capFirst = true
				}
			case acDigit:
				hasD = true
			default:
				goto done
			}
			first = false
			i += size
		}
	done:
		k := tWord
		switch {
		case hasD && hasL:
			k = tAlnum
		case hasD:
			k = tNum
		}
		f := pending
		if capFirst {
			f |= fCap
		}
		if anyLetter && allUpper {
			f |= fUpper
		}
		if ascii {
			f |= fASCII
		}
		dst = append(dst, token{s: start, e: i, kind: k, flags: f})
		pending, newlines = 0, 0
	}
	return dst
}

// runeClass classifies a non-ASCII rune. Marks (combining accents) join words.
func runeClass(r rune) uint8 {
	switch {
	case r == utf8.RuneError:
		return acPunct
	case r == 0x2028 || r == 0x2029 || r == 0x85:
		return acNewline
	case unicode.IsSpace(r):
		return acSpace
	case unicode.IsUpper(r) || unicode.IsTitle(r):
		return acUpper
	case unicode.IsLetter(r) || unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Mc, r):
		return acLower
	case unicode.IsDigit(r):
		return acDigit
	case unicode.IsControl(r):
		return acSpace
	default:
		return acPunct
	}
}
