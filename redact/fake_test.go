package redact

import (
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/deidstream/deidstream/detectors"
)

// fakeDetector reports every occurrence of its terms, like the engine would:
// code-point offsets, sorted, not overlapping (longer terms first).
type fakeDetector map[string]detectors.Type

func (f fakeDetector) Detect(text string) []detectors.Span {
	terms := make([]string, 0, len(f))
	for t := range f {
		terms = append(terms, t)
	}
	sort.Slice(terms, func(i, j int) bool { return len(terms[i]) > len(terms[j]) })
	var spans []detectors.Span
	taken := make([]bool, len(text))
	for _, term := range terms {
		for from := 0; ; {
			i := strings.Index(text[from:], term)
			if i < 0 {
				break
			}
			i += from
			from = i + len(term)
			free := true
			for k := i; k < i+len(term); k++ {
				free = free && !taken[k]
			}
			if !free {
				continue
			}
			for k := i; k < i+len(term); k++ {
				taken[k] = true
			}
			start := utf8.RuneCountInString(text[:i])
			spans = append(spans, detectors.Span{Start: start, End: start + utf8.RuneCountInString(term),
				Type: f[term], Score: 0.9})
		}
	}
	sort.Slice(spans, func(i, j int) bool { return spans[i].Start < spans[j].Start })
	return spans
}

const testSecret = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

func testConfig() Config {
	c := DefaultConfig()
	c.Secret = testSecret
	return c
}

// runeSlice returns text[start:end) in code points.
func runeSlice(text string, start, end int) string {
	r := []rune(text)
	return string(r[start:end])
}
