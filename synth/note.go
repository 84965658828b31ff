package synth

import (
	"math/rand/v2"
	"strings"
	"unicode/utf8"
)

// noteBuilder assembles a note and its gold spans together: every identifier
// is appended through phi, which records its code-point offsets as it goes,
// so offsets are exact by construction.
//
// Literal (non-PHI) text passes through the note's surface transforms:
// clinical abbreviations, occasional misspellings and upper case. Identifiers
// are only upper-cased, never misspelled.
type noteBuilder struct {
	buf   []byte
	runes int
	spans []GoldSpan
	vals  []string // the text of each span as planted, for tests
	r     *rand.Rand

	upper    bool    // ALL-CAPS note (dictated and legacy systems)
	lower    bool    // all lower case (hurried typing), names included
	crlf     bool    // Windows line ends, as pasted from older systems
	terse    bool    // abbreviate: patient -> pt, history -> hx
	typoRate float64 // chance that a literal piece gets one misspelled word
}

func (b *noteBuilder) reset(r *rand.Rand) {
	b.buf = b.buf[:0]
	b.runes = 0
	b.spans = b.spans[:0]
	b.vals = b.vals[:0]
	b.r = r
	b.upper, b.lower, b.crlf, b.terse, b.typoRate = false, false, false, false, 0
}

// lit appends non-PHI text.
func (b *noteBuilder) lit(s string) {
	if s == "" {
		return
	}
	if b.terse {
		s = abbreviate(s)
	}
	if b.typoRate > 0 && b.r.Float64() < b.typoRate {
		s = misspell(b.r, s)
	}
	b.put(s)
}

// phi appends an identifier of type typ and records its span.
func (b *noteBuilder) phi(s, typ string) {
	start := b.runes
	s = b.put(s)
	b.spans = append(b.spans, GoldSpan{Start: start, End: b.runes, Type: typ})
	b.vals = append(b.vals, s)
}

// put appends s (case-folded in an upper- or lower-case note) and returns
// what it wrote.
func (b *noteBuilder) put(s string) string {
	switch {
	case b.upper:
		s = strings.ToUpper(s)
	case b.lower:
		s = strings.ToLower(s)
	}
	if b.crlf && strings.IndexByte(s, '\n') >= 0 {
		s = strings.ReplaceAll(s, "\n", "\r\n")
	}
	b.buf = append(b.buf, s...)
	b.runes += utf8.RuneCountInString(s)
	return s
}

// abbreviations are the phrases clinicians shorten, applied at word
// boundaries only ("patient" but not "outpatient").
var abbreviations = [][2]string{
	{"The patient", "Pt"}, {"the patient", "pt"}, {"Patient", "Pt"}, {"patient", "pt"},
	{"history of", "hx of"}, {"History", "Hx"}, {"history", "hx"},
	{"complains of", "c/o"}, {"complaining of", "c/o"}, {"status post", "s/p"},
	{"follow up", "f/u"}, {"follow-up", "f/u"}, {"years old", "yo"}, {"year-old", "yo"}, {"year old", "yo"},
	{"without", "w/o"}, {"with", "w/"}, {"shortness of breath", "SOB"}, {"diagnosis", "dx"},
	{"treatment", "tx"}, {"prescription", "rx"}, {"symptoms", "sx"}, {"secondary to", "2/2"},
	{"twice daily", "BID"}, {"three times daily", "TID"}, {"as needed", "PRN"},
	{"by mouth", "PO"}, {"blood pressure", "BP"}, {"heart rate", "HR"}, {"emergency department", "ED"},
	{"weeks", "wks"}, {"hours", "hrs"}, {"minutes", "min"}, {"negative", "neg"}, {"positive", "pos"},
	{"within normal limits", "WNL"}, {"discharge", "d/c"}, {"Discharge", "D/c"},
}

// abbrevByFirst indexes abbreviations by their first byte.
var abbrevByFirst = func() (idx [256][][2]string) {
	for _, a := range abbreviations {
		idx[a[0][0]] = append(idx[a[0][0]], a)
	}
	return idx
}()

// abbreviate rewrites the phrases of abbreviations found at word boundaries.
func abbreviate(s string) string {
	var out []byte // nil until the first replacement
	last := 0
	for i := 0; i < len(s); i++ {
		cands := abbrevByFirst[s[i]]
		if cands == nil || (i > 0 && isWordByte(s[i-1])) {
			continue
		}
		for _, a := range cands {
			end := i + len(a[0])
			if strings.HasPrefix(s[i:], a[0]) && (end == len(s) || !isWordByte(s[end])) {
				out = append(out, s[last:i]...)
				out = append(out, a[1]...)
				last = end
				i = end - 1
				break
			}
		}
	}
	if out == nil {
		return s
	}
	return string(append(out, s[last:]...))
}

// misspell changes one word of five or more lower-case letters by a typical
// typing slip: transposition, dropped letter or doubled letter.
func misspell(r *rand.Rand, s string) string {
	// Collect candidate word starts.
	var cand [16][2]int
	n := 0
	for i := 0; i < len(s) && n < len(cand); {
		if s[i] < 'a' || s[i] > 'z' {
			i++
			continue
		}
		j := i
		for j < len(s) && s[j] >= 'a' && s[j] <= 'z' {
			j++
		}
		if j-i >= 5 && (i == 0 || !isWordByte(s[i-1])) && (j == len(s) || !isWordByte(s[j])) {
			cand[n] = [2]int{i, j}
			n++
		}
		i = j
	}
	if n == 0 {
		return s
	}
	w := cand[r.IntN(n)]
	word := []byte(s[w[0]:w[1]])
	k := 1 + r.IntN(len(word)-2) // never the first letter
	switch r.IntN(3) {
	case 0:
		word[k], word[k+1] = word[k+1], word[k]
	case 1:
		word = append(word[:k], word[k+1:]...)
	default:
		word = append(word[:k+1], word[k:]...)
	}
	return s[:w[0]] + string(word) + s[w[1]:]
}

func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c >= 0x80
}

// tmpl is a parsed fragment: literal text and slots. Slots are written
// {name} in the source and resolved once at package init.
type tmpl []tpart

type tpart struct {
	lit  string
	slot slotFn
}

type slotFn func(n *noteGen)

// parse turns "Pt {age} {sexw} c/o {sym}." into a tmpl. An unknown slot
// panics: templates are package constants, and tests build all of them.
func parse(src string) tmpl {
	var t tmpl
	for src != "" {
		i := strings.IndexByte(src, '{')
		if i < 0 {
			t = append(t, tpart{lit: src})
			break
		}
		if i > 0 {
			t = append(t, tpart{lit: src[:i]})
		}
		j := strings.IndexByte(src[i:], '}')
		if j < 0 {
			panic("synth: unclosed slot in template " + src)
		}
		name := src[i+1 : i+j]
		fn, ok := slots[name]
		if !ok {
			panic("synth: unknown slot {" + name + "} in template " + src)
		}
		t = append(t, tpart{slot: fn})
		src = src[i+j+1:]
	}
	return t
}

func parseAll(src ...string) []tmpl {
	out := make([]tmpl, len(src))
	for i, s := range src {
		out[i] = parse(s)
	}
	return out
}

// person is someone other than the patient that a note mentions.
type person struct {
	first, last string
	female      bool
	relation    string // for relatives: "daughter"
}

// noteGen carries the state of one note: the patient, the people and places
// it mentions (kept stable so a note refers to the same doctor twice), and
// the builder.
type noteGen struct {
	b          *noteBuilder
	r          *rand.Rand
	p          *patient
	clinicians [3]person
	relatives  [2]person
	facilities [2]string
	dateStyle  int // most dates in a note share a style, as a real author's would
	own        int // identifiers of the patient written so far
}

func (n *noteGen) expand(t tmpl) {
	for _, part := range t {
		if part.slot != nil {
			part.slot(n)
		} else {
			n.b.lit(part.lit)
		}
	}
}

func (n *noteGen) pick(pool []tmpl) { n.expand(pool[n.r.IntN(len(pool))]) }

// some expands between lo and hi templates of pool, mostly distinct,
// separated by sep.
func (n *noteGen) some(pool []tmpl, lo, hi int, sep string) {
	k := lo
	if hi > lo {
		k += n.r.IntN(hi - lo + 1)
	}
	k = min(k, len(pool))
	var used [64]bool
	for i := 0; i < k; i++ {
		j := n.r.IntN(len(pool))
		for tries := 0; used[j%64] && tries < 8; tries++ {
			j = n.r.IntN(len(pool))
		}
		used[j%64] = true
		if i > 0 {
			n.b.lit(sep)
		}
		n.expand(pool[j])
	}
}

func (n *noteGen) chance(pct int) bool { return n.r.IntN(100) < pct }

func (n *noteGen) word(words ...string) { n.b.lit(words[n.r.IntN(len(words))]) }

var relations = []struct {
	name   string
	female int // 1 female, 0 male, 2 either
}{
	{"wife", 1}, {"husband", 0}, {"daughter", 1}, {"son", 0}, {"sister", 1}, {"brother", 0},
	{"mother", 1}, {"father", 0}, {"granddaughter", 1}, {"grandson", 0}, {"niece", 1}, {"nephew", 0},
	{"partner", 2}, {"friend", 2}, {"neighbor", 2}, {"caregiver", 2}, {"daughter-in-law", 1}, {"son-in-law", 0},
}

func newPerson(r *rand.Rand, age int) person {
	f := r.IntN(2) == 0
	return person{first: firstName(r, f, age), last: lastName(r), female: f}
}

// writeNote writes one clinical note about p into b and returns how many of
// its identifiers are the patient's own.
func writeNote(b *noteBuilder, r *rand.Rand, p *patient) int {
	n := noteGen{b: b, r: r, p: p, dateStyle: r.IntN(numDateFormats)}
	for i := range n.clinicians {
		n.clinicians[i] = newPerson(r, 50)
	}
	for i := range n.relatives {
		rel := relations[r.IntN(len(relations))]
		q := newPerson(r, 50)
		if rel.female < 2 {
			q.female = rel.female == 1
			q.first = firstName(r, q.female, 50)
		}
		if r.IntN(2) == 0 {
			q.last = p.last
		}
		q.relation = rel.name
		n.relatives[i] = q
	}
	n.facilities[0] = facility(r)
	n.facilities[1] = facility(r)
	switch x := r.IntN(100); {
	case x < 12:
		b.upper = true
	case x < 15:
		b.lower = true
		b.terse = true
	case x < 45:
		b.terse = true
	}
	if r.IntN(3) == 0 {
		b.typoRate = 0.08
	}
	b.crlf = r.IntN(30) == 0
	styles[r.IntN(len(styles))](&n)
	// Short notes, or notes that never identify their patient, get the
	// identifier footer EHRs print on each page.
	for try := 0; try < 4 && (len(b.spans) < minSpans || n.own < minOwn); try++ {
		b.lit("\n")
		lo := max(minSpans-len(b.spans), minOwn-n.own, 1)
		n.idBlock(lo, max(lo, minSpans))
	}
	return n.own
}

const (
	minSpans = 5 // the fewest identifiers a note carries
	minOwn   = 2 // the fewest of them that are the patient's own
)
