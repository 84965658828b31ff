package main

import (
	"bufio"

	"compress/gzip"
	"fmt"
	"github.com/deidstream/deidstream/detectors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"unicode"
)

// Surrogate augmentation: copies of a gold note whose identifiers are replaced by others of the
// same kind and shape (a name by another name in the same case, a date by another date in the
// same format, a phone by other digits), so that the model learns what surrounds an identifier
// rather than the few names and dates of the training patients. A copy keeps its source's
// group, so cross-validation never trains on a copy of a note it scores.

// surrogates holds the word lists replacements are drawn from.
type surrogates struct {
	first, last []string
}

// loadSurrogates reads the engine's embedded name lists from the repository.
func loadSurrogates(dataDir string) (*surrogates, error) {
	var s surrogates
	for _, f := range []struct {
		name string
		dst  *[]string
	}{{"first.txt.gz", &s.first}, {"last.txt.gz", &s.last}} {
		words, err := readGzipLines(filepath.Join(dataDir, f.name))
		if err != nil {
			return nil, err
		}
		*f.dst = words
	}
	return &s, nil
}

func readGzipLines(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("reading name list: %w", err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("reading name list %s: %w", path, err)
	}
	var out []string
	sc := bufio.NewScanner(zr)
	for sc.Scan() {
		if w := strings.TrimSpace(sc.Text()); len(w) >= 3 && isLetters(w) {
			out = append(out, w)
		}
	}
	return out, sc.Err()
}

func isLetters(w string) bool {
	for _, r := range w {
		if !unicode.IsLetter(r) {
			return false
		}
	}
	return true
}

// augment returns a copy of d with every gold span of a replaceable type replaced.
func (s *surrogates) augment(d doc, r *rand.Rand, n int) doc {
	runes := []rune(d.text)
	var b []rune
	var spans []goldSpan
	pos := 0
	for _, g := range sortedSpans(d.spans) {
		if g.Start < pos || g.End > len(runes) {
			continue // overlapping or out of range: left as is, dropped from the copy's gold
		}
		b = append(b, runes[pos:g.Start]...)
		rep := s.replace(string(runes[g.Start:g.End]), g.Type, r)
		start := len(b)
		b = append(b, []rune(rep)...)
		spans = append(spans, goldSpan{Start: start, End: len(b), Type: g.Type})
		pos = g.End
	}
	b = append(b, runes[pos:]...)
	return doc{source: d.source, group: d.group, id: fmt.Sprintf("%s#%d", d.id, n), text: string(b), spans: spans, copy: true}
}

func sortedSpans(in []goldSpan) []goldSpan {
	out := append([]goldSpan(nil), in...)
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j].Start < out[j-1].Start; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// replace returns a surrogate for the identifier text of the gold type typ.
func (s *surrogates) replace(text, typ string, r *rand.Rand) string {
	switch headOf(typ) {
	case detectors.Name:
		return mapWords(text, func(w string) string {
			if len([]rune(w)) == 1 {
				return string(rune('A' + r.IntN(26))) // an initial
			}
			list := s.last
			if r.IntN(2) == 0 {
				list = s.first
			}
			return sameCase(w, list[r.IntN(len(list))])
		})
	case detectors.Date, detectors.Phone, detectors.ID:
		return redigit(text, r)
	}
	return text // places: the same few hospitals and wards recur, their names are worth learning
}

// mapWords applies f to every run of letters in text.
func mapWords(text string, f func(string) string) string {
	var b strings.Builder
	rs := []rune(text)
	for i := 0; i < len(rs); {
		if !unicode.IsLetter(rs[i]) {
			b.WriteRune(rs[i])
			i++
			continue
		}
		j := i
		for j < len(rs) && unicode.IsLetter(rs[j]) {
			j++
		}
		b.WriteString(f(string(rs[i:j])))
		i = j
	}
	return b.String()
}

// sameCase writes w (lower case) in the case of model: all capitals, all lower case or title case.
func sameCase(model, w string) string {
	switch {
	case strings.ToUpper(model) == model:
		return strings.ToUpper(w)
	case strings.ToLower(model) == model:
		return w
	}
	rs := []rune(w)
	rs[0] = unicode.ToUpper(rs[0])
	return string(rs)
}

// redigit replaces the digits of text by others of the same count, keeping a month of one or two
// digits a month and a day a day, so that "8/14" stays a date.
func redigit(text string, r *rand.Rand) string {
	rs := []rune(text)
	group := 0
	for i := 0; i < len(rs); {
		if !unicode.IsDigit(rs[i]) {
			if !unicode.IsSpace(rs[i]) {
				group++
			}
			i++
			continue
		}
		j := i
		for j < len(rs) && unicode.IsDigit(rs[j]) {
			j++
		}
		var v string
		switch n := j - i; {
		case n <= 2 && group == 0:
			v = fmt.Sprint(1 + r.IntN(12))
		case n <= 2:
			v = fmt.Sprint(1 + r.IntN(28))
		case n == 4 && (rs[i] == '1' || rs[i] == '2'):
			v = fmt.Sprint(1980 + r.IntN(30))
		default:
			d := make([]rune, n)
			for k := range d {
				d[k] = rune('0' + r.IntN(10))
			}
			v = string(d)
		}
		if n := j - i; n == 2 && len(v) == 1 && rs[i] == '0' {
			v = "0" + v // "08/14" keeps its leading zero
		}
		rs = append(rs[:i], append([]rune(v), rs[j:]...)...)
		i += len([]rune(v))
	}
	return string(rs)
}
