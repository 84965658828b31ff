package redact

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/deidstream/deidstream/detectors"
)

// surrogator makes realistic replacements of the same shape. Every choice is
// drawn from HMAC(secret, patient, type, value), so the same value of the same
// patient always gets the same surrogate and nothing can be inverted without
// the secret. Immutable; safe for concurrent use.
type surrogator struct {
	k               *keyed
	shiftKey        *keyed
	male, female    []string        // given names by apparent gender
	given           []string        // both, for a given name of unknown gender
	gender          map[string]int8 // lower-case given name -> genderMale or genderFemale
	last            []string
	streets, cities []string
	maxShift        int
}

const (
	genderMale   int8 = 1
	genderFemale int8 = 2
)

func newSurrogator(k, shiftKey *keyed, o options, maxShift int) *surrogator {
	g := &surrogator{k: k, shiftKey: shiftKey, male: o.male, female: o.female, last: o.last,
		streets: o.streets, cities: o.cities, maxShift: maxShift, gender: map[string]int8{}}
	g.given = append(append([]string{}, o.male...), o.female...)
	for _, n := range o.male {
		g.gender[strings.ToLower(n)] = genderMale
	}
	for _, n := range o.female {
		if g.gender[strings.ToLower(n)] == genderMale {
			delete(g.gender, strings.ToLower(n)) // in both lists: unknown
			continue
		}
		g.gender[strings.ToLower(n)] = genderFemale
	}
	return g
}

// givenFor returns the list a given name's surrogate is drawn from.
func (g *surrogator) givenFor(low string) []string {
	switch g.gender[low] {
	case genderMale:
		return g.male
	case genderFemale:
		return g.female
	}
	return g.given
}

// shiftDays is the patient's date offset: non-zero, within ±maxShift days.
func (g *surrogator) shiftDays(patient string) int {
	s := newStream(g.shiftKey, patient)
	d := 1 + s.intn(g.maxShift)
	if s.intn(2) == 0 {
		d = -d
	}
	return d
}

// surrogate returns the replacement of value, a detected span of type t.
func (g *surrogator) surrogate(patient string, t detectors.Type, value string, shift int) string {
	switch t {
	case detectors.Name:
		return g.name(patient, value)
	case detectors.Date:
		if f, ok := parseDate(strings.TrimSpace(value)); ok {
			return keepSpace(value, f.shifted(shift))
		}
		// A form we cannot read ("Xmas '19"): its numbers change, its words
		// stay, so the text still reads as a date without revealing it. With
		// no numbers ("Christmas Day") nothing realistic is safe: "[DATE]".
		if len(digitsOf(value)) == 0 {
			return "[DATE]"
		}
		return putDigits(value, digitsOf(g.shape(newStream(g.k, patient, "DATE", normValue(t, value)),
			string(digitsOf(value)), "")))
	case detectors.Age:
		return ageSurrogate(value)
	case detectors.Phone, detectors.Fax:
		return g.phone(patient, t, value)
	case detectors.SSN:
		return g.ssn(patient, value)
	case detectors.Email:
		return g.email(patient, value)
	case detectors.URL:
		return g.url(patient, value)
	case detectors.IP:
		return g.ip(patient, value)
	case detectors.Location:
		return g.location(patient, value)
	case detectors.Account:
		return g.account(patient, value)
	case detectors.Vehicle:
		return g.shape(newStream(g.k, patient, string(t), normValue(t, value)), value, "IOQ")
	}
	return g.shape(newStream(g.k, patient, string(t), normValue(t, value)), value, "")
}

// keepSpace puts the leading and trailing white space of orig around s.
func keepSpace(orig, s string) string {
	trimmed := strings.TrimLeftFunc(orig, unicode.IsSpace)
	lead := orig[:len(orig)-len(trimmed)]
	trail := trimmed[len(strings.TrimRightFunc(trimmed, unicode.IsSpace)):]
	return lead + s + trail
}

// shape replaces each digit by a digit and each letter by an ASCII letter of
// the same case, keeping separators; a run's first digit stays non-zero when
// it was. Letters in avoid are never produced (VINs exclude I, O, Q).
func (g *surrogator) shape(s *stream, value, avoid string) string {
	var b strings.Builder
	b.Grow(len(value))
	prevDigit := false
	for _, r := range value {
		switch {
		case r >= '0' && r <= '9':
			d := s.intn(10)
			if !prevDigit && r != '0' {
				d = 1 + s.intn(9)
			}
			b.WriteByte(byte('0' + d))
			prevDigit = true
			continue
		case unicode.IsLetter(r):
			c := pickLetter(s, avoid)
			if unicode.IsLower(r) {
				c = c + 'a' - 'A'
			}
			b.WriteByte(c)
		default:
			b.WriteRune(r)
		}
		prevDigit = false
	}
	return b.String()
}

func pickLetter(s *stream, avoid string) byte {
	for {
		c := byte('A' + s.intn(26))
		if !strings.ContainsRune(avoid, rune(c)) {
			return c
		}
	}
}

// nameTitles are kept as written inside a NAME span.
var nameTitles = map[string]bool{"dr": true, "mr": true, "mrs": true, "ms": true, "miss": true,
	"md": true, "do": true, "rn": true, "np": true, "pa": true, "jr": true, "sr": true, "ii": true,
	"iii": true, "iv": true, "phd": true, "prof": true}

// nameParticles, written in lower case inside a name, are kept: "Ludwig van
// Beethoven" keeps its "van"; alone they identify no one.
var nameParticles = map[string]bool{"van": true, "von": true, "der": true, "den": true, "de": true,
	"del": true, "della": true, "da": true, "di": true, "du": true, "la": true, "le": true, "st": true,
	"bin": true, "ibn": true, "al": true, "el": true, "ben": true, "y": true}

// name replaces each word of a person's name on its own, keyed by the word, so
// "John Smith" and a later "Mr. Smith" keep the same surname. The last word
// (or the first, in "Smith, John") draws from surnames, the others from given
// names; initials stay initials; titles are kept.
func (g *surrogator) name(patient, value string) string {
	type word struct{ start, end int }
	var words []word
	for i := 0; i < len(value); {
		r, n := utf8.DecodeRuneInString(value[i:])
		if !unicode.IsLetter(r) {
			i += n
			continue
		}
		j := i + n
		for j < len(value) {
			r2, n2 := utf8.DecodeRuneInString(value[j:])
			if unicode.IsLetter(r2) || ((r2 == '\'' || r2 == '’') && j+n2 < len(value)) {
				j += n2
				continue
			}
			break
		}
		if w := value[i:j]; !nameTitles[strings.ToLower(w)] && !nameParticles[w] {
			words = append(words, word{i, j})
		}
		i = j
	}
	if len(words) == 0 {
		return g.shape(newStream(g.k, patient, "NAME", strings.ToLower(value)), value, "")
	}
	surname := len(words) - 1
	if len(words) > 1 && strings.HasPrefix(strings.TrimSpace(value[words[0].end:words[1].start]), ",") {
		surname = 0
	}
	var b strings.Builder
	prev := 0
	for i, w := range words {
		b.WriteString(value[prev:w.start])
		orig := value[w.start:w.end]
		low := strings.ToLower(orig)
		var out string
		switch {
		case utf8.RuneCountInString(orig) == 1:
			s := newStream(g.k, patient, "NAME/initial", low)
			out = matchCase(string(rune('a'+s.intn(26))), orig)
		case i == surname:
			out = pickName(newStream(g.k, patient, "NAME/last", low), g.last, low)
		default:
			out = pickName(newStream(g.k, patient, "NAME/first", low), g.givenFor(low), low)
		}
		if sh := caseShape(orig); sh != shapeTitle {
			out = matchCase(out, orig)
		}
		b.WriteString(out)
		prev = w.end
	}
	b.WriteString(value[prev:])
	return b.String()
}

// pickName chooses from list, never the original word itself.
func pickName(s *stream, list []string, low string) string {
	i := s.intn(len(list))
	if strings.ToLower(list[i]) == low && len(list) > 1 {
		i = (i + 1) % len(list)
	}
	return list[i]
}

// ageSurrogate writes 90 for an age over 89: Safe Harbor's aggregate, and a
// number still reads as an age ("a 90-year-old man").
func ageSurrogate(value string) string {
	var b strings.Builder
	done := false
	for i := 0; i < len(value); {
		if value[i] >= '0' && value[i] <= '9' {
			j := i
			for j < len(value) && value[j] >= '0' && value[j] <= '9' {
				j++
			}
			if !done {
				b.WriteString("90")
				done = true
			}
			i = j
			continue
		}
		b.WriteByte(value[i])
		i++
	}
	if !done {
		return "90"
	}
	return b.String()
}

// digitsOf returns the digits of value, in order.
func digitsOf(value string) []byte {
	var d []byte
	for i := 0; i < len(value); i++ {
		if value[i] >= '0' && value[i] <= '9' {
			d = append(d, value[i])
		}
	}
	return d
}

// putDigits writes digits into value's digit positions, keeping everything else.
func putDigits(value string, digits []byte) string {
	b := []byte(value)
	k := 0
	for i := range b {
		if b[i] >= '0' && b[i] <= '9' && k < len(digits) {
			b[i] = digits[k]
			k++
		}
	}
	return string(b)
}

func randDigits(s *stream, dst []byte, lo byte) {
	for i := range dst {
		dst[i] = byte('0' + int(lo) + s.intn(10-int(lo)))
		lo = 0
	}
}

// phone keeps a leading country code 1 and writes a North American number
// whose area code and exchange start with 2-9; other lengths keep their shape.
func (g *surrogator) phone(patient string, t detectors.Type, value string) string {
	s := newStream(g.k, patient, string(t), normValue(t, value))
	d := digitsOf(value)
	off := 0
	if len(d) == 11 && d[0] == '1' {
		off = 1
	}
	if len(d)-off != 10 {
		return g.shape(s, value, "")
	}
	n := append([]byte(nil), d...)
	randDigits(s, n[off:off+3], 2)
	randDigits(s, n[off+3:off+6], 2)
	randDigits(s, n[off+6:], 0)
	return putDigits(value, n)
}

// ssn writes a number that follows the SSA rules: area 001-899 but not 666,
// group 01-99, serial 0001-9999.
func (g *surrogator) ssn(patient, value string) string {
	s := newStream(g.k, patient, "SSN", normValue(detectors.SSN, value))
	if len(digitsOf(value)) != 9 {
		return g.shape(s, value, "")
	}
	area := 1 + s.intn(899)
	if area == 666 {
		area = 667
	}
	num := pad(area, 3) + pad(1+s.intn(99), 2) + pad(1+s.intn(9999), 4)
	return putDigits(value, []byte(num))
}

var exampleDomains = []string{"example.com", "example.org", "example.net"}

// email writes given.surname@ one of the reserved example domains (RFC 2606).
func (g *surrogator) email(patient, value string) string {
	s := newStream(g.k, patient, "EMAIL", normValue(detectors.Email, value))
	if !strings.Contains(value, "@") {
		return g.shape(s, value, "")
	}
	local := strings.ToLower(g.given[s.intn(len(g.given))] + "." + g.last[s.intn(len(g.last))])
	return keepSpace(value, local+"@"+exampleDomains[s.intn(len(exampleDomains))])
}

// url keeps the scheme and "www.", moves the host to a reserved example
// domain and reshapes the path, which may carry identifiers.
func (g *surrogator) url(patient, value string) string {
	s := newStream(g.k, patient, "URL", normValue(detectors.URL, value))
	rest := value
	var b strings.Builder
	if i := strings.Index(rest, "://"); i >= 0 && i < 10 {
		b.WriteString(rest[:i+3])
		rest = rest[i+3:]
	}
	if strings.HasPrefix(strings.ToLower(rest), "www.") {
		b.WriteString(rest[:4])
		rest = rest[4:]
	}
	host, path := rest, ""
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		host, path = rest[:i], rest[i:]
	}
	if host != "" {
		b.WriteString(exampleDomains[s.intn(len(exampleDomains))])
	}
	b.WriteString(g.shape(s, path, ""))
	return b.String()
}

// ip writes an address from the documentation ranges (RFC 5737, RFC 3849).
func (g *surrogator) ip(patient, value string) string {
	s := newStream(g.k, patient, "IP", normValue(detectors.IP, value))
	if strings.Contains(value, ":") {
		var b strings.Builder
		b.WriteString("2001:db8:")
		for i := 0; i < 3; i++ {
			b.WriteString(":" + strconv.FormatInt(int64(s.intn(1<<16)), 16))
		}
		return keepSpace(value, b.String())
	}
	nets := []string{"192.0.2.", "198.51.100.", "203.0.113."}
	return keepSpace(value, nets[s.intn(len(nets))]+strconv.Itoa(1+s.intn(254)))
}

// location replaces each run of place words by one street name (the first
// run of a value with a house number) or one city (the other runs), keeps
// address words ("Street", "Apt", "Hospital") and state abbreviations, and
// reshapes numbers, so "12 Oak Street, Boston MA 02134" keeps its form.
func (g *surrogator) location(patient, value string) string {
	streetFirst := len(digitsOf(value)) > 0
	var b strings.Builder
	var run []string // a run of place words being collected
	runStart, lastEnd := -1, 0
	flush := func() {
		if runStart < 0 {
			return
		}
		list, label := g.cities, "LOCATION/city"
		if streetFirst {
			list, label, streetFirst = g.streets, "LOCATION/street", false
		}
		unit := strings.Join(run, " ")
		low := strings.ToLower(unit)
		out := pickName(newStream(g.k, patient, label, low), list, low)
		if sh := caseShape(unit); sh != shapeTitle {
			out = matchCase(out, unit)
		}
		b.WriteString(out)
		run, runStart = run[:0], -1
	}
	digits := newStream(g.k, patient, "LOCATION/number", normValue(detectors.Location, value))
	for i := 0; i < len(value); {
		r, n := utf8.DecodeRuneInString(value[i:])
		j := i + n
		switch {
		case unicode.IsLetter(r):
			for j < len(value) {
				r2, n2 := utf8.DecodeRuneInString(value[j:])
				if !unicode.IsLetter(r2) && r2 != '\'' {
					break
				}
				j += n2
			}
			w := value[i:j]
			if locationKeep[strings.ToLower(w)] || usStates[w] {
				flush()
				b.WriteString(value[lastEnd:j])
			} else {
				if runStart < 0 {
					b.WriteString(value[lastEnd:i])
					runStart = i
				}
				run = append(run, w)
			}
			lastEnd = j
		case r == ' ' && runStart >= 0:
			// a space inside a run of place words belongs to the run
		case r >= '0' && r <= '9':
			flush()
			for j < len(value) && value[j] >= '0' && value[j] <= '9' {
				j++
			}
			b.WriteString(value[lastEnd:i])
			b.WriteString(g.shape(digits, value[i:j], ""))
			lastEnd = j
		default:
			flush()
			b.WriteString(value[lastEnd:j])
			lastEnd = j
		}
		i = j
	}
	flush()
	b.WriteString(value[lastEnd:])
	return b.String()
}

// account keeps card numbers Luhn-valid when the original was, so downstream
// validators still recognize a card number; other accounts keep their shape.
func (g *surrogator) account(patient, value string) string {
	s := newStream(g.k, patient, "ACCOUNT", normValue(detectors.Account, value))
	out := g.shape(s, value, "")
	d := digitsOf(value)
	if len(d) < 12 || len(d) > 19 || len(d) != len(normValue(detectors.Account, value)) || !luhnValid(d) {
		return out
	}
	nd := digitsOf(out)
	nd[len(nd)-1] = '0'
	for c := byte('0'); c <= '9'; c++ {
		nd[len(nd)-1] = c
		if luhnValid(nd) {
			break
		}
	}
	return putDigits(out, nd)
}

func luhnValid(d []byte) bool {
	sum := 0
	for i := len(d) - 1; i >= 0; i-- {
		v := int(d[i] - '0')
		if (len(d)-i)%2 == 0 {
			v *= 2
			if v > 9 {
				v -= 9
			}
		}
		sum += v
	}
	return sum%10 == 0
}
