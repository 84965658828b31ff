package detectors

import (
	"bufio"
	"encoding/json"
	"maps"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// benchTexts loads the real nursing notes, the hand-made clinical notes and the presidio
// sentences of testdata, or the JSONL files listed in DETECT_BENCH_CORPUS (comma-separated).
func benchTexts(b testing.TB) ([]string, int) {
	var texts []string
	size := 0
	paths := []string{"testdata/physionet_dev.jsonl", "testdata/clinical_gold.jsonl", "testdata/presidio_synth_v2.jsonl"}
	if env := os.Getenv("DETECT_BENCH_CORPUS"); env != "" {
		paths = strings.Split(env, ",")
	}
	for _, path := range paths {
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
		want := toSpansPlain(text, cs)
		if got := toSpans(text, cs, false); !slices.Equal(got, want) {
			t.Fatalf("toSpans(%q) = %v, want %v", text, got, want)
		}
		toks, _, ascii := tokenizeText(nil, nil, text)
		if wantASCII := !strings.ContainsFunc(text, func(r rune) bool { return r >= utf8.RuneSelf }); ascii != wantASCII {
			t.Fatalf("tokenizeText(%q) ascii = %v, want %v", text, ascii, wantASCII)
		}
		if got := toSpans(text, cs, ascii); !slices.Equal(got, want) || !slices.Equal(toks, tokenize(nil, text)) {
			t.Fatalf("toSpans(%q, ascii) = %v, want %v", text, got, want)
		}
	}
}

// tokenizePlain is the tokenizer as it was before its runs were scanned by class bits
// (one rune at a time, a switch per rune): the reference tokenize must equal.
func tokenizePlain(dst []token, text string) []token {
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
		case cSpace:
			pending |= fSpace
			i += size
			continue
		case cNewline:
			pending |= fSpace | fNewline
			if c == '\n' {
				newlines++
				if newlines >= 2 {
					pending |= fBlankLine
				}
			}
			i += size
			continue
		case cPunct:
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
			case cLower:
				hasL, anyLetter, allUpper = true, true, false
			case cUpper:
				hasL, anyLetter = true, true
				if first {
					capFirst = true
				}
			case cDigit:
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

func TestTokenizeEqualsPlain(t *testing.T) {
	for _, text := range append(equivalenceInputs, randomTexts(5000)...) {
		if got, want := tokenize(nil, text), tokenizePlain(nil, text); !slices.Equal(got, want) {
			t.Fatalf("tokenize(%q):\n got %v\nwant %v", text, got, want)
		}
	}
}

func TestLowerIntoEqualsBytewise(t *testing.T) {
	var buf []byte
	all := make([]byte, 256)
	for i := range all {
		all[i] = byte(i)
	}
	for _, text := range append(append(equivalenceInputs, string(all), string(all[3:])), randomTexts(2000)...) {
		var got string
		buf, got = lowerInto(buf, text)
		want := []byte(text)
		for i, c := range want {
			if 'A' <= c && c <= 'Z' {
				want[i] = c + 'a' - 'A'
			}
		}
		if got != string(want) {
			t.Fatalf("lowerInto(%q) = %q, want %q", text, got, want)
		}
	}
}

// TestResetEqualsPlain checks classify's single pass against the steps it fuses: folding a
// caseless note, marking lines in capitals, one dictionary lookup per word.
func TestResetEqualsPlain(t *testing.T) {
	e := newEngine(t, DefaultConfig())
	rng := rand.New(rand.NewPCG(3, 4))
	words := []string{"pt", "seen", "by", "dr", "lopez", "Lopez", "LOPEZ", "MRN", "Boston", "the", "a", "é", "José",
		"JOSÉ", "may", "12", "A1", "\n", "\n\n", ",", ".", "İstanbul", "st"}
	texts := slices.Clone(equivalenceInputs)
	for range 3000 {
		var b strings.Builder
		caseless := rng.IntN(3) == 0
		for range rng.IntN(60) {
			w := words[rng.IntN(len(words))]
			if caseless {
				w = strings.ToLower(w)
			}
			b.WriteString(w)
			b.WriteByte(' ')
		}
		texts = append(texts, b.String())
	}
	sc := &scan{e: e}
	for _, text := range texts {
		sc.reset(text)
		toks := tokenizePlain(nil, text)
		n, capped := 0, 0
		for _, tk := range toks {
			if tk.kind == tWord && tk.e-tk.s > 1 {
				n++
				if tk.has(fCap) {
					capped++
				}
			}
		}
		if n >= 4 && capped == 0 || n >= 20 && capped*20 < n {
			for i := range toks {
				if toks[i].kind == tWord {
					toks[i].flags |= fCap | fUpper
				}
			}
		}
		if !slices.Equal(sc.toks, toks) {
			t.Fatalf("reset(%q) tokens:\n got %v\nwant %v", text, sc.toks, toks)
		}
		plain := &scan{e: e, toks: toks, upperLine: make([]bool, len(toks))}
		plain.markUpperLines()
		if !slices.Equal(sc.upperLine, plain.upperLine) {
			t.Fatalf("reset(%q) upper lines: got %v, want %v", text, sc.upperLine, plain.upperLine)
		}
		for i, tk := range toks {
			var wantHash uint64
			switch {
			case tk.kind != tPunct && tk.has(fASCII):
				wantHash = hashBytes(strings.ToLower(text[tk.s:tk.e]))
			case tk.kind == tWord:
				wantHash = hashLower(text[tk.s:tk.e])
			}
			if sc.hash[i] != wantHash {
				t.Fatalf("reset(%q) token %d %q: hash %x, want %x", text, i, text[tk.s:tk.e], sc.hash[i], wantHash)
			}
			want := uint32(0)
			if tk.kind == tWord {
				want = e.dict.lookup(text[tk.s:tk.e])
			}
			if sc.cls[i] != want {
				t.Fatalf("reset(%q) token %d %q: class %b, want %b", text, i, text[tk.s:tk.e], sc.cls[i], want)
			}
		}
	}
}

func TestIsPunctEqualsTokenText(t *testing.T) {
	e := newEngine(t, DefaultConfig())
	texts := append(slices.Clone(equivalenceInputs), randomTexts(500)...)
	texts = append(texts, "a-b (c) 'd' \"e\" f.g, h:i;j/k #1 @x +&*=><~|% \xff-\u2014")
	sc := &scan{e: e}
	for _, text := range texts {
		sc.reset(text)
		for i := -1; i <= len(sc.toks); i++ {
			for c := 1; c < 256; c++ {
				want := i >= 0 && i < len(sc.toks) && sc.toks[i].kind == tPunct && sc.word(i) == string([]byte{byte(c)})
				if got := sc.isPunct(i, byte(c)); got != want {
					t.Fatalf("isPunct(%d of %q, %q) = %v, want %v", i, text, byte(c), got, want)
				}
			}
		}
	}
}

// TestWordTableEqualsMap: a wordTable answers what its map answers for the lower-case copy of
// every token.
func TestWordTableEqualsMap(t *testing.T) {
	e := newEngine(t, DefaultConfig())
	texts, _ := benchTexts(t)
	texts = append(texts, equivalenceInputs...)
	texts = append(texts, "Son SON son sön Sön DR dr Dr. MRN mrn Member ID NP np rn RN nurse NURSE \u212aX kx İd",
		"lives in Rue 12 Via Roma 3 N. Main St Route 9 HWY 1 NE sw Résides à")
	m := map[string]int{"son": 1, "dr": 2, "mrn": 3, "member": 4, "sön": 5, "kx": 6, "id": 7}
	mt := newWordTable(m)
	tables := []struct {
		name  string
		check func(sc *scan, i int) bool
	}{
		{"map", func(sc *scan, i int) bool {
			v, ok := mt.at(sc, i)
			w, wok := m[sc.lw(i)]
			return v == w && ok == wok
		}},
		{"ctxWords", func(sc *scan, i int) bool {
			v, ok := ctxWordsTable.at(sc, i)
			w, wok := ctxWords[sc.lw(i)]
			return v == w && ok == wok
		}},
		{"nameCueBefore", func(sc *scan, i int) bool { return nameCueTable.get(sc, i) == nameCueBefore[sc.lw(i)] }},
		{"ctxFiller", func(sc *scan, i int) bool { return ctxFillerTable.get(sc, i) == ctxFiller[sc.lw(i)] }},
		{"staffCue", func(sc *scan, i int) bool { return staffCueTable.get(sc, i) == staffCue[sc.lw(i)] }},
		{"placeCue", func(sc *scan, i int) bool { return placeCueTable.get(sc, i) == placeCue[sc.lw(i)] }},
		{"streetLead", func(sc *scan, i int) bool { return streetLeadTable.get(sc, i) == streetLead[sc.lw(i)] }},
		{"numberedRoad", func(sc *scan, i int) bool { return numberedRoadTable.get(sc, i) == numberedRoad[sc.lw(i)] }},
		{"directions", func(sc *scan, i int) bool { return directionsTable.get(sc, i) == directions[sc.lw(i)] }},
	}
	sc := &scan{e: e}
	for _, text := range texts {
		sc.reset(text)
		for i := range sc.toks {
			for _, tb := range tables {
				if !tb.check(sc, i) {
					t.Fatalf("%s: token %q of %q: the table and the map differ", tb.name, sc.word(i), text)
				}
			}
		}
	}
}

func TestIsWordEqualsEqualFold(t *testing.T) {
	// "\u212a" (Kelvin) folds to "k" and "ſ" to "s": equal words of different byte lengths.
	texts := append(slices.Clone(equivalenceInputs), "\u212a ſ Box OF the O D T ofs ſt \u212aX BOX\u212a x", "")
	words := []string{"of", "the", "box", "o", "D", "k", "s", "st", "kx", "\u212a", "ſt", "x", "", "Box", "OF", "bOx"}
	for _, text := range texts {
		sc := &scan{text: text, toks: tokenize(nil, text)}
		sc.lbuf, sc.ltext = lowerInto(nil, text)
		for i := -1; i <= len(sc.toks); i++ {
			for _, w := range words {
				want := i >= 0 && i < len(sc.toks) && strings.EqualFold(sc.word(i), w)
				if got := sc.isWord(i, w); got != want {
					t.Fatalf("isWord(%d %q, %q) = %v, want %v", i, text, w, got, want)
				}
			}
		}
	}
}

// TestKeywordClasses checks the invariant that lets a detector consult a keyword table only
// when the token's class has the table's bit: every word of the table has the bit.
func TestKeywordClasses(t *testing.T) {
	d, err := loadDictionary()
	if err != nil {
		t.Fatal(err)
	}
	tables := []struct {
		class uint32
		words []string
	}{
		{wLabel, slices.Collect(maps.Keys(ctxWords))},
		{wFiller, slices.Collect(maps.Keys(ctxFiller))},
		{wNameCue, slices.Collect(maps.Keys(nameCueBefore))},
		{wCredential, slices.Collect(maps.Keys(nameCueAfter))},
		{wEponym, slices.Collect(maps.Keys(eponymPhrases))},
		{wPlaceCue, slices.Collect(maps.Keys(placeCue))},
		{wConnector, slices.Collect(maps.Keys(placeConnector))},
		{wLead, slices.Collect(maps.Keys(streetLead))},
		{wTail, slices.Collect(maps.Keys(facilityTail))},
		{wHoliday, slices.Collect(maps.Keys(holidays))},
		{wRegion, slices.Collect(maps.Keys(regionPhrases))},
	}
	for _, tb := range tables {
		for _, w := range tb.words {
			if d.lookup(w)&tb.class == 0 {
				t.Errorf("%q lacks class %b of its table", w, tb.class)
			}
		}
	}
	if c := d.lookup("zebra"); c&(wFiller|wCredential|wEponym) != 0 {
		t.Errorf("zebra has keyword classes %b", c)
	}
}

func TestLowerEqualsToLower(t *testing.T) {
	var sc scan
	for _, text := range append(equivalenceInputs, randomTexts(2000)...) {
		sc.text = text
		sc.lbuf, sc.ltext = lowerInto(sc.lbuf, text)
		for s := 0; s <= len(text); s++ {
			for e := s; e <= len(text) && e <= s+12; e++ {
				if got, want := sc.lower(s, e), strings.ToLower(text[s:e]); got != want {
					t.Fatalf("lower(%q) = %q, want %q", text[s:e], got, want)
				}
				if got, want := sc.lowerTrimmed(s, e), strings.ToLower(strings.TrimSpace(text[s:e])); got != want {
					t.Fatalf("lowerTrimmed(%q) = %q, want %q", text[s:e], got, want)
				}
			}
		}
	}
}

// TestScoresEqualFeatures: the logits learned computes from its caches and fast paths are those of
// the features tokenFeatures lists and of the word rows around each token, summed in the order
// below (plainLogits), to the last bit, on every token of the real notes and the hand-made sets.
func TestScoresEqualFeatures(t *testing.T) {
	texts, _ := benchTexts(t)
	texts = append(texts, equivalenceInputs...)
	texts = append(texts, randomTexts(2000)...)
	for _, cfg := range []Config{DefaultConfig(), {RedactYears: true, Thresholds: map[Type]float64{Name: 0.3}}} {
		e := newEngine(t, cfg)
		sc := &scan{e: e}
		checked := 0
		for _, text := range texts {
			sc.reset(text)
			sc.run()
			merged := sc.resolve()
			sc.learned(merged)
			want := plainLogits(sc)
			for m, k := range sc.mtok {
				tk := sc.toks[k]
				if res := plainResolved(merged, tk); sc.res[m] != res {
					t.Fatalf("token %q: resolved type %d, want %d", sc.text[tk.s:tk.e], sc.res[m], res)
				}
				if sc.z[m] != want[m] {
					t.Fatalf("token %q: learned's logit %v, features sum %v", sc.text[tk.s:tk.e], sc.z[m], want[m])
				}
				checked++
			}
		}
		if checked < 100_000 {
			t.Fatalf("only %d tokens checked", checked)
		}
	}
}

// plainResolved is the type index of the first span of merged over token t, or -1.
func plainResolved(merged []cand, t token) int8 {
	for _, c := range merged {
		if c.s < t.e && t.s < c.e {
			return int8(typeIdx(c.t))
		}
	}
	return -1
}

// plainLogits is the logit of every scored token of sc (after learned's resolvedTypes), from the
// feature lists, without caches: the word's own features (wordFeatures), the classes and shape of
// the words before and after it (each pair summed first), the context features, then the word rows
// of the tokens from two before to two after.
func plainLogits(sc *scan) []float32 {
	s := sc.e.scorer
	d := s.dense
	mt := sc.mtok
	n := len(mt)
	z := make([]float32, n)
	side := func(k, base, shapeBase int, blank bool) float32 {
		var c float32
		for _, f := range appendBits(nil, int32(base), sc.cls[k]) {
			c += d[f]
		}
		sh := d[shapeBase+nShape]
		if !blank {
			sh = d[shapeBase+sc.shapeOf(k)]
		}
		return c + sh
	}
	for m, k32 := range mt {
		k := int(k32)
		shape := sc.shapeOf(k)
		var self float32
		for _, f := range sc.wordFeatures(k, shape, nil) {
			self += d[f]
		}
		v := self
		if m > 0 {
			v += side(int(mt[m-1]), fClsPrev, fShapePrev, sc.toks[k].has(fBlankLine))
		} else {
			v += d[fShapePrev+nShape]
		}
		if m+1 < n {
			v += side(int(mt[m+1]), fClsNext, fShapeNext, sc.toks[mt[m+1]].has(fBlankLine))
		} else {
			v += d[fShapeNext+nShape]
		}
		for _, f := range sc.contextFeatures(m, int(sc.res[m]), shape, nil) {
			v += d[f]
		}
		z[m] = v
	}
	for m, k := range mt {
		row := s.row(sc.tokHash(int(k)))
		if row < 0 {
			continue
		}
		w := s.roles[row]
		z[m] += w[0]
		if m > 0 {
			z[m-1] += w[2]
		}
		if m+1 < n {
			z[m+1] += w[1]
		}
		if m > 1 {
			z[m-2] += w[4]
		}
		if m+2 < n {
			z[m+2] += w[3]
		}
	}
	return z
}
