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
	shared  *Numbering // the patient's numbering across records; nil: this record alone
	pid     patientID  // the patient's id in shared, once computed
	hasPID  bool
	shift   int                 // the patient's date offset; 0 until first needed
	numbers map[valueKey]string // a value's identity -> its placeholder
	next    map[detectors.Type]int
	counts  map[detectors.Type]int
	reject  detectors.Type // first type whose mode is reject, "" if none
	names   []numberedName // full names numbered so far, for partOfName
}

func (p *Processor) newState(patient string) *recordState {
	st := &recordState{patient: patient}
	if strings.TrimSpace(patient) != "" {
		st.shared = p.numbers
	}
	return st
}

// shiftDays computes the patient's offset once per record, and only when a
// surrogate or a shifted field needs it.
func (st *recordState) shiftDays(g *surrogator) int {
	if st.shift == 0 {
		st.shift = g.shiftDays(st.patient)
	}
	return st.shift
}

// placeholder returns "[TYPE_n]", n counting distinct values of the type in
// the record, or of the patient when the record has a patient key and
// numbering is per patient (then the patient's Numbering decides n). A name
// whose words all belong to a name seen before takes that name's number:
// "Dr. Mary Jones" ... "Dr. Jones" are both [NAME_2].
func (st *recordState) placeholder(t detectors.Type, value string) string {
	norm := normValue(t, value)
	key := valueKey{t, norm}
	if ph, ok := st.numbers[key]; ok {
		return ph
	}
	if st.numbers == nil {
		st.numbers = make(map[valueKey]string, 16)
		st.next = make(map[detectors.Type]int, 8)
	}
	var n int
	if st.shared != nil {
		if !st.hasPID {
			st.pid, st.hasPID = st.shared.patientID(st.patient), true
		}
		n = st.shared.number(st.pid, st.patient, t, norm)
	} else {
		n = st.recordNumber(t, norm)
	}
	ph := "[" + string(t) + "_" + strconv.Itoa(n) + "]"
	st.numbers[key] = ph
	return ph
}

// recordNumber numbers a value within the record alone: a name made of words of an
// earlier name takes its number, anything else the next number of its type.
func (st *recordState) recordNumber(t detectors.Type, norm string) int {
	n := 0
	var words []string
	if t == detectors.Name {
		words = strings.Fields(norm)
		n = st.partOfName(words)
	}
	if n == 0 {
		st.next[t]++
		n = st.next[t]
		if t == detectors.Name {
			st.names = append(st.names, numberedName{words, n})
		}
	}
	return n
}

// valueKey identifies a value within a record: its type and normalized form.
type valueKey struct {
	t    detectors.Type
	norm string
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
	return strings.Fields(normWords(value, isNameRune, true))
}

func isNameRune(r rune) bool { return unicode.IsLetter(r) || r == '\'' || r == '’' || r == '-' }

func isPlaceRune(r rune) bool { return !unicode.IsSpace(r) && r != ',' }

// normWords lower-cases value and joins its words (runs of runes for which
// inWord holds) with single spaces, leaving out name titles when asked. One
// allocation: this runs for every redacted span.
func normWords(value string, inWord func(rune) bool, dropTitles bool) string {
	buf := make([]byte, 0, len(value))
	wordStart := -1
	end := func() {
		if wordStart >= 0 && dropTitles && nameTitles[string(buf[wordStart:])] {
			buf = buf[:max(0, wordStart-1)] // the title and the space before it
		}
		wordStart = -1
	}
	for _, r := range value {
		if !inWord(r) {
			end()
			continue
		}
		if wordStart < 0 {
			if len(buf) > 0 {
				buf = append(buf, ' ')
			}
			wordStart = len(buf)
		}
		buf = utf8.AppendRune(buf, unicode.ToLower(r))
	}
	end()
	return string(buf)
}

// normAlnum keeps only the letters and digits of value, lower-cased.
func normAlnum(value string) string {
	buf := make([]byte, 0, len(value))
	for _, r := range value {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			buf = utf8.AppendRune(buf, unicode.ToLower(r))
		}
	}
	return string(buf)
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
	var norm string
	switch t {
	case detectors.Name:
		norm = normWords(value, isNameRune, true)
	case detectors.Location, detectors.Email, detectors.URL, detectors.Biometric:
		norm = normWords(value, isPlaceRune, false)
	case detectors.Date:
		if f, ok := parseDate(strings.TrimSpace(value)); ok {
			b := make([]byte, 0, 16)
			b = strconv.AppendInt(b, int64(f.year), 10)
			b = append(b, '-')
			b = strconv.AppendInt(b, int64(f.month), 10)
			b = append(b, '-')
			b = strconv.AppendInt(b, int64(f.day), 10)
			b = append(b, '/', "ny"[b2i(f.hasYear)], "nd"[b2i(f.hasDay)])
			return string(b)
		}
		norm = normAlnum(value)
	default:
		norm = normAlnum(value)
	}
	if norm == "" {
		return strings.ToLower(value)
	}
	return norm
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
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
			if text[bi] < utf8.RuneSelf { // ASCII: most clinical text
				bi++
			} else {
				_, n := utf8.DecodeRuneInString(text[bi:])
				bi += n
			}
			cp++
		}
		return bi
	}
	lastByte, lastCP := 0, 0
	for _, s := range spans {
		startByte := advance(s.Start)
		b.WriteString(text[lastByte:startByte])
		outCP += s.Start - lastCP // cleanSpans guarantees s.Start <= rune count
		endByte := advance(s.End)
		value := text[startByte:endByte]
		if st.counts == nil {
			st.counts = map[detectors.Type]int{}
		}
		st.counts[s.Type]++
		var rep string
		switch modeFor(s.Type) {
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
		lastByte, lastCP = endByte, s.End
	}
	b.WriteString(text[lastByte:])
	return b.String(), out
}
