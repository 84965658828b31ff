package detectors

import (
	"bufio"
	"encoding/json"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// benchTexts loads the hand-made clinical notes (and the presidio dev set when present).
func benchTexts(b *testing.B) ([]string, int) {
	var texts []string
	size := 0
	for _, path := range []string{"testdata/clinical_gold.jsonl", "/work/shared/data/phi/presidio_synth_v2.jsonl"} {
		f, err := os.Open(path)
		if err != nil {
			continue
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 1<<20), 1<<24)
		for sc.Scan() {
			var r struct{ Text string }
			if json.Unmarshal(sc.Bytes(), &r) == nil {
				texts = append(texts, r.Text)
				size += len(r.Text)
			}
		}
		f.Close()
	}
	if size == 0 {
		b.Skip("no corpus")
	}
	return texts, size
}

// BenchmarkDetect reports throughput (MB/s) of the whole engine on one goroutine.
func BenchmarkDetect(b *testing.B) {
	texts, size := benchTexts(b)
	e := newEngine(b, DefaultConfig())
	b.SetBytes(int64(size))
	b.ReportAllocs()
	for b.Loop() {
		for _, t := range texts {
			e.Detect(t)
		}
	}
}

// BenchmarkTokenize is the floor: one pass of the tokenizer and dictionary lookups.
func BenchmarkTokenize(b *testing.B) {
	texts, size := benchTexts(b)
	e := newEngine(b, DefaultConfig())
	sc := &scan{e: e}
	b.SetBytes(int64(size))
	for b.Loop() {
		for _, t := range texts {
			sc.reset(t)
		}
	}
}

// The fast paths of the engine must give what their plain versions give: the checks below
// compare them on chosen and random inputs (invalid UTF-8 included).

// equivalenceInputs are words and texts that exercise ASCII, accents, case changes that
// change the byte length ("İ", "ẞ"), and invalid bytes.
var equivalenceInputs = []string{"", "a", "Smith", "SMITH", "Szöllösy", "JOSÉ", "İstanbul", "ẞtraße",
	"Ǆemal", "ΣΊΣΥΦΟΣ", "naïve\xffX", "\xc3", "abc\xe2\x82", "\uFFFDx", "Nguyễn Văn", "Ⅻ", "0155 Paged Dr",
	"Pt seen 3/4/1950 by Dr. Ödön at 12 Rue d'Été, São Paulo\n\nMRN: A0091827 ☎ 617-555-0142"}

func randomTexts(n int) []string {
	rng := rand.New(rand.NewPCG(1, 2))
	pieces := []string{"a", "Z", "é", "É", "ß", "İ", "1", " ", "\n", ".", "-", "\xff", "\xe2\x82", "ǅ", "☎", "\u2028", "\t"}
	out := make([]string, n)
	for i := range out {
		var b strings.Builder
		for range rng.IntN(40) {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		out[i] = b.String()
	}
	return out
}

func TestHashLowerEqualsToLower(t *testing.T) {
	for _, w := range append(equivalenceInputs, randomTexts(5000)...) {
		if got, want := hashLower(w), hashBytes(strings.ToLower(w)); got != want {
			t.Fatalf("hashLower(%q) = %x, want hashBytes(ToLower) = %x", w, got, want)
		}
	}
}

func TestTypeIdxEqualsAllTypesOrder(t *testing.T) {
	for i, typ := range AllTypes {
		if got := typeIdx(typ); got != i {
			t.Errorf("typeIdx(%s) = %d, want %d", typ, got, i)
		}
	}
	if got := typeIdx("NOT_A_TYPE"); got != -1 {
		t.Errorf("typeIdx(unknown) = %d, want -1", got)
	}
}

// toSpansPlain is toSpans decoding one rune at a time.
func toSpansPlain(text string, cs []cand) []Span {
	var out []Span
	pos, runes := 0, 0
	advance := func(to int) int {
		for pos < to {
			_, n := utf8.DecodeRuneInString(text[pos:])
			pos += n
			runes++
		}
		return runes
	}
	for _, c := range cs {
		out = append(out, Span{Start: advance(c.s), End: advance(c.e), Type: c.t, Score: round2(c.score)})
	}
	return out
}

func TestToSpansEqualsRuneByRune(t *testing.T) {
	for _, text := range append(equivalenceInputs, randomTexts(2000)...) {
		// Candidates at every token boundary pair, as the detectors produce them.
		var cs []cand
		for _, tk := range tokenize(nil, text) {
			cs = append(cs, cand{s: tk.s, e: tk.e, t: ID, score: 0.5})
		}
		if got, want := toSpans(text, cs), toSpansPlain(text, cs); !slices.Equal(got, want) {
			t.Fatalf("toSpans(%q) = %v, want %v", text, got, want)
		}
	}
}
