package redact

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/deidstream/deidstream/detectors"
)

// Known identifiers: a record often carries the patient's identifiers in structured fields (name,
// city, phone) next to a note that repeats them in forms no detector can tell from ordinary words:
// "may go home to Mobile", "MOLINA, Art was seen", "Hope" the surname. A field whose policy says
// `identifies: TYPE` lends its value to the record's scanned fields: every whole-word occurrence,
// case-folded, is redacted as TYPE whatever the detector said. A NAME value also lends each of its
// words ("Art", "Molina"); other values only match whole ("Salt Lake City", not "salt").

// knownField is a field whose value identifies the patient.
type knownField struct {
	name string
	typ  detectors.Type
}

// needle is one value to find in the record's text, ASCII-lower-cased.
type needle struct {
	text string
	typ  detectors.Type
}

// minNeedle is the shortest value searched for: a one-letter initial would match everywhere.
const minNeedle = 2

// knownNeedles returns the values of the record's identifying fields to search its text for.
func (p *Processor) knownNeedles(rec map[string]any) []needle {
	var out []needle
	add := func(v string, t detectors.Type) {
		if utf8.RuneCountInString(v) < minNeedle {
			return
		}
		v = asciiLower(v)
		for _, n := range out {
			if n.text == v {
				return
			}
		}
		out = append(out, needle{text: v, typ: t})
	}
	for _, f := range p.known {
		v, ok := scalarString(rec[f.name])
		if v = strings.TrimSpace(v); !ok || v == "" {
			continue
		}
		add(v, f.typ)
		if f.typ == detectors.Name {
			for _, w := range strings.FieldsFunc(v, func(r rune) bool { return !unicode.IsLetter(r) && r != '\'' }) {
				add(strings.Trim(w, "'"), f.typ)
			}
		}
	}
	return out
}

// findKnown returns the spans (code-point offsets, sorted) of the whole-word occurrences of the needles in text.
func findKnown(text string, needles []needle) []detectors.Span {
	if len(needles) == 0 {
		return nil
	}
	lower := asciiLower(text)
	type hit struct {
		s, e int // bytes
		t    detectors.Type
	}
	var hits []hit
	for _, n := range needles {
		for from := 0; from < len(lower); {
			i := strings.Index(lower[from:], n.text)
			if i < 0 {
				break
			}
			s, e := from+i, from+i+len(n.text)
			if wordEdge(text, s, true) && wordEdge(text, e, false) {
				hits = append(hits, hit{s, e, n.typ})
			}
			from = s + 1
		}
	}
	if len(hits) == 0 {
		return nil
	}
	slices.SortFunc(hits, func(a, b hit) int { return a.s - b.s })
	// Byte offsets to code points, in one pass over the sorted starts and ends.
	spans := make([]detectors.Span, len(hits))
	cp, at := 0, 0
	toCP := func(b int) int {
		for at < b {
			_, n := utf8.DecodeRuneInString(text[at:])
			at += n
			cp++
		}
		return cp
	}
	for i, h := range hits {
		spans[i].Start, spans[i].Type, spans[i].Score = toCP(h.s), h.t, 1
	}
	// Ends are not sorted: count each from its own start.
	for i, h := range hits {
		spans[i].End = spans[i].Start + utf8.RuneCountInString(text[h.s:h.e])
	}
	return spans
}

// wordEdge reports whether byte offset i of text is a word boundary on the side given: the rune
// before it (start) or at it (end) is not a letter or digit.
func wordEdge(text string, i int, start bool) bool {
	var r rune
	if start {
		if i == 0 {
			return true
		}
		r, _ = utf8.DecodeLastRuneInString(text[:i])
	} else {
		if i >= len(text) {
			return true
		}
		r, _ = utf8.DecodeRuneInString(text[i:])
	}
	return !unicode.IsLetter(r) && !unicode.IsDigit(r)
}

// withKnown merges the known spans into the detector's (both sorted by start): overlapping spans
// become one with the union extent and the detector's type, so a detected "Molina" and a known
// "Art Molina" are one placeholder.
func withKnown(detected, known []detectors.Span) []detectors.Span {
	if len(known) == 0 {
		return detected
	}
	all := make([]detectors.Span, 0, len(detected)+len(known))
	all = append(append(all, detected...), known...)
	slices.SortStableFunc(all, func(a, b detectors.Span) int { return a.Start - b.Start })
	out := all[:0]
	for _, s := range all {
		if n := len(out); n > 0 && s.Start < out[n-1].End {
			out[n-1].End = max(out[n-1].End, s.End)
			continue
		}
		out = append(out, s)
	}
	return out
}

// asciiLower lower-cases ASCII letters only, so byte offsets stay those of s.
func asciiLower(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; 'A' <= c && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if 'A' <= b[j] && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}
