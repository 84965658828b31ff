package redact

import (
	"encoding/hex"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/deidstream/deidstream/detectors"
)

// recordState is what the scanned fields of one record share: placeholder
// numbers, the patient key and date offset, detection counts. One per record;
// not safe for concurrent use.
type recordState struct {
	patient string
	shift   int            // the patient's date offset; 0 until first needed
	numbers map[string]int // type + "\x00" + normalized value -> placeholder number
	next    map[detectors.Type]int
	counts  map[detectors.Type]int
	reject  detectors.Type // first type whose mode is reject, "" if none
	names   []numberedName // full names numbered so far, for partOfName
}

func (p *Processor) newState(patient string) *recordState {
	return &recordState{patient: patient}
}

// shiftDays computes the patient's offset once per record, and only when a
// surrogate or a shifted field needs it.
func (st *recordState) shiftDays(g *surrogator) int {
	if st.shift == 0 {
		st.shift = g.shiftDays(st.patient)
	}
	return st.shift
}

// placeholder returns "[TYPE_n]", n counting distinct values of the type in the record.
// A name whose words all belong to a name seen before in the record takes
// that name's number: "Dr. Mary Jones" ... "Dr. Jones" are both [NAME_2].
func (st *recordState) placeholder(t detectors.Type, value string) string {
	norm := normValue(t, value)
	key := string(t) + "\x00" + norm
	n, ok := st.numbers[key]
	if !ok {
		if st.numbers == nil {
			st.numbers = map[string]int{}
			st.next = map[detectors.Type]int{}
		}
		if t == detectors.Name {
			n = st.partOfName(strings.Fields(norm))
		}
		if n == 0 {
			st.next[t]++
			n = st.next[t]
			if t == detectors.Name {
				st.names = append(st.names, numberedName{strings.Fields(norm), n})
			}
		}
		st.numbers[key] = n
	}
	return "[" + string(t) + "_" + strconv.Itoa(n) + "]"
}

// numberedName is a full name seen in the record, as lower-case words.
type numberedName struct {
	words []string
	n     int
}

// partOfName returns the number of the first earlier name containing every
// word of words, or 0.
func (st *recordState) partOfName(words []string) int {
	if len(words) == 0 {
		return 0
	}
	for _, nn := range st.names {
		all := true
		for _, w := range words {
			if !slices.Contains(nn.words, w) {
				all = false
				break
			}
		}
		if all {
			return nn.n
		}
	}
	return 0
}

// nameWords returns the lower-case words of a name without titles and
// punctuation: "Dr. Mary Jones, MD" -> [mary jones].
func nameWords(value string) []string {
	words := strings.FieldsFunc(strings.ToLower(value), func(r rune) bool {
		return !unicode.IsLetter(r) && r != '\'' && r != '’' && r != '-'
	})
	out := words[:0]
	for _, w := range words {
		if !nameTitles[w] {
			out = append(out, w)
		}
	}
	return out
}

// hashToken is "[TYPE:16 hex]": HMAC-SHA256 of the type and normalized value,
// not of the patient, so the same value links across records and patients.
func (p *Processor) hashToken(t detectors.Type, value string) string {
	var buf [sha256Size]byte
	sum := p.hashKey.sum(buf[:0], string(t), normValue(t, value))
	return "[" + string(t) + ":" + hex.EncodeToString(sum[:8]) + "]"
}

const sha256Size = 32

// normValue is the value's identity for numbering, surrogates and hashes:
// case and spacing do not matter, and for numbers only letters and digits
// count, so "555-0101" and "(555) 0101" are one value.
func normValue(t detectors.Type, value string) string {
	switch t {
	case detectors.Name:
		if w := nameWords(value); len(w) > 0 {
			return strings.Join(w, " ")
		}
		return strings.ToLower(value)
	case detectors.Location, detectors.Email, detectors.URL, detectors.Biometric:
		return strings.Join(strings.FieldsFunc(strings.ToLower(value), func(r rune) bool {
			return unicode.IsSpace(r) || r == ','
		}), " ")
	case detectors.Date:
		if f, ok := parseDate(strings.TrimSpace(value)); ok {
			return strconv.Itoa(f.year) + "-" + strconv.Itoa(f.month) + "-" + strconv.Itoa(f.day) +
				"/" + strconv.FormatBool(f.hasYear) + strconv.FormatBool(f.hasDay)
		}
	}
	var b strings.Builder
	for _, r := range strings.ToLower(value) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	if b.Len() == 0 {
		return strings.ToLower(value)
	}
	return b.String()
}

// cleanSpans returns the spans that are in bounds [0, n], non-empty, sorted
// and not overlapping (a later overlapping span is dropped), so a faulty
// detector can never make the transform read out of bounds.
func cleanSpans(spans []detectors.Span, n int) []detectors.Span {
	ok := true
	prev := 0
	for _, s := range spans {
		if s.Start < prev || s.End <= s.Start || s.End > n {
			ok = false
			break
		}
		prev = s.End
	}
	if ok {
		return spans
	}
	out := make([]detectors.Span, 0, len(spans))
	for _, s := range spans {
		if s.Start >= 0 && s.End > s.Start && s.End <= n {
			out = append(out, s)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Start < out[j].Start })
	k, end := 0, 0
	for _, s := range out {
		if s.Start >= end {
			out[k] = s
			k++
			end = s.End
		}
	}
	return out[:k]
}

// transform applies modeFor to each span of text and returns the new text and
// the spans in the new text's code-point offsets. A reject mode records the
// type in st and replaces the span like redact, so the value never leaks.
func (p *Processor) transform(st *recordState, text string, spans []detectors.Span,
	modeFor func(detectors.Type) Mode) (string, []detectors.Span) {
	if len(spans) == 0 {
		return text, nil
	}
	spans = cleanSpans(spans, utf8.RuneCountInString(text))
	var b strings.Builder
	b.Grow(len(text) + 16*len(spans))
	out := make([]detectors.Span, 0, len(spans))
	cp, bi := 0, 0                // code-point and byte position in text
	outCP := 0                    // code points written to b
	advance := func(to int) int { // byte offset of code point `to`, from (cp, bi)
		for cp < to && bi < len(text) {
			_, n := utf8.DecodeRuneInString(text[bi:])
			bi += n
			cp++
		}
		return bi
	}
	lastByte := 0
	for _, s := range spans {
		startByte := advance(s.Start)
		if startByte > lastByte {
			seg := text[lastByte:startByte]
			b.WriteString(seg)
			outCP += utf8.RuneCountInString(seg)
		}
		endByte := advance(s.End)
		value := text[startByte:endByte]
		if st.counts == nil {
			st.counts = map[detectors.Type]int{}
		}
		st.counts[s.Type]++
		var rep string
		switch m := modeFor(s.Type); m {
		case ModeDetect:
			rep = value
		case ModeSurrogate:
			rep = p.sur.surrogate(st.patient, s.Type, value, st.shiftDays(p.sur))
		case ModeHash:
			rep = p.hashToken(s.Type, value)
		case ModeReject:
			if st.reject == "" {
				st.reject = s.Type
			}
			rep = st.placeholder(s.Type, value)
		default:
			rep = st.placeholder(s.Type, value)
		}
		if !utf8.ValidString(rep) { // surrogates are built from valid pieces; keep the promise anyway
			rep = strings.ToValidUTF8(rep, "\uFFFD")
		}
		n := utf8.RuneCountInString(rep)
		out = append(out, detectors.Span{Start: outCP, End: outCP + n, Type: s.Type, Score: s.Score})
		b.WriteString(rep)
		outCP += n
		lastByte = endByte
	}
	b.WriteString(text[lastByte:])
	return b.String(), out
}
