package detectors

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"
)

// numTypes is len(AllTypes); per-type tables are arrays indexed by typeIdx.
const numTypes = 18

// cand is a candidate detection in byte offsets, before thresholds and merging.
type cand struct {
	s, e  int
	t     Type
	score float64
	sure  bool  // the scorer keeps it as it is: a deny term, a custom detector, a country or state
	src   uint8 // the detector that proposed it: index in builtins, srcUser for deny terms and custom detectors
}

// scan is the per-call working state of Detect. Pooled; never shared between goroutines.
type scan struct {
	text      string
	ltext     string // text with ASCII letters lower-cased (same byte offsets); aliases lbuf
	lbuf      []byte
	upperLine []bool // per token: its line is written in capitals
	toks      []token
	ascii     bool     // every byte of text is ASCII: byte offsets are code-point offsets
	cls       []uint32 // dictionary classes per token (0 for non-words)
	hash      []uint64 // per token: hash of its lower-cased text (the tokenizer's, classify's for wide words), 0 if not computed
	pch       []byte   // per token: its byte if it is a one-byte punctuation token, else 0 (isPunct)
	allow     []bool   // token is a single-word allow term
	cands     []cand
	merged    []cand // resolve's output, reused so that Detect allocates only its result
	todo      []lookupTodo
	kept      []cand // resolve's candidates above threshold
	caseless  bool   // the text has no capitals to speak of (foldCaseless)
	e         *Engine
	// The learned scorer's working state (scorer.go, features.go), per scored token.
	mtok  []int32   // token indexes of the letter-or-digit tokens
	rule  []uint64  // per token: rule groups' best score buckets
	srcs  []uint64  // per token: each detector's best score bucket
	res   []int8    // per scored token: type index of the rule span over it after thresholds, -1 none
	z     []float32 // per scored token: the model's logit
	wrow  []int32   // per scored token: its word row in the model, -1 none
	fbuf  []int32   // feature ids of one token
	ws    []wordSum // per scored token: its word's sums (wordSums)
	sums  []wordSum // a direct-mapped cache of wordSums, wordSumSlots long; nil until the first use
	veto  []bool    // per token: the rules know it is not PHI (an eponym, a kept region); nil without a scorer
	out   []cand    // learned's output
	props []cand    // learned's proposals: every candidate, merged

	// cache is a small direct-mapped cache of dictionary lookups: frequent words
	// ("the", "patient") are answered from L1/L2 instead of the 12 MB table. Key and
	// classes side by side: a lookup touches one cache line.
	cache [1 << 12]cacheEntry
}

type cacheEntry struct {
	h   uint64 // hashLower of the word, 0 = empty
	cls uint32
}

// cacheSlot is the cache entry of hash h: mixed, as bit 0 of h is always set.
func cacheSlot(h uint64) uint64 { return (h ^ h>>17) & (uint64(len(scan{}.cache)) - 1) }

// Engine detects PHI in text. It is immutable after New and safe for concurrent
// use by any number of goroutines; the embedded dictionaries are loaded once per
// process and shared by every Engine.
//
// Detect works in one pass of a tokenizer (runs of letters/digits and single
// punctuation runes, byte offsets, shape flags) and one dictionary lookup per
// word; each registered detector (names, locations, dates, numbers, ids, web)
// then walks the tokens and proposes scored candidates; deny terms and custom
// detectors add theirs; resolve drops candidates under their type's threshold
// or on the allow list and merges overlaps (union extent, best-scoring type);
// offsets are converted to code points last. Every step is linear in the text:
// detectors look a bounded number of tokens around each position.
type Engine struct {
	cfg       Config
	dict      *dictionary
	th        [numTypes]float64
	on        [numTypes]bool
	allow     map[string]bool // lower-cased allow terms
	denyFirst map[string][]denyEntry
	custom    []customDetector
	maxBytes  int
	scorer    *scorer // nil with rules_only
	minTh     float64 // the lowest threshold of an enabled type: the scorer's cut
	off       bool    // every type disabled: Detect reports nothing, so it scans nothing
	pool      sync.Pool
}

type denyEntry struct {
	words []string // lower-cased tokens of the term
	t     Type
}

type customDetector struct {
	name      string
	t         Type
	re        *regexp.Regexp
	validator func(string) bool
	context   map[string]bool
	window    int
	score     float64
}

// Option configures an Engine beyond its Config.
type Option func(*options)

type options struct {
	maxBytes int
	model    *Model
}

// WithMaxTextBytes caps the text Detect scans; longer text is scanned up to the
// cap (rounded down to a rune boundary) and the rest is reported as one ID span
// with score 1, so it is never released unexamined. Default 0 = no cap.
func WithMaxTextBytes(n int) Option { return func(o *options) { o.maxBytes = n } }

// WithModel makes the engine score with m instead of the embedded model (training and evaluation
// of models, detectors/train). Ignored with rules_only.
func WithModel(m *Model) Option { return func(o *options) { o.model = m } }

// New validates cfg and builds an Engine. The first call loads the embedded
// dictionaries (about 0.1-0.3 s); later calls share them.
func New(cfg Config, opts ...Option) (*Engine, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("creating detection engine: %w", err)
	}
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	d, err := loadDictionary()
	if err != nil {
		return nil, fmt.Errorf("creating detection engine: %w", err)
	}
	e := &Engine{cfg: cfg, dict: d, maxBytes: o.maxBytes}
	for i, t := range AllTypes {
		e.th[i] = cfg.threshold(t)
		e.on[i] = true
	}
	for _, t := range cfg.Disabled {
		e.on[typeIdx(t)] = false
	}
	e.minTh = 1
	e.off = true
	for i := range AllTypes {
		if e.on[i] {
			e.minTh = min(e.minTh, e.th[i])
			e.off = false
		}
	}
	if !cfg.RulesOnly {
		if o.model != nil {
			if len(o.model.Dense) != NumDenseFeatures || len(o.model.TypeDense) != NumDenseFeatures*numHead {
				return nil, fmt.Errorf("creating detection engine: %w: weights for another feature layout", ErrModel)
			}
			e.scorer = o.model.compile()
		} else if e.scorer, err = defaultScorer(); err != nil {
			return nil, fmt.Errorf("creating detection engine: %w", err)
		}
	}
	if len(cfg.Allow) > 0 {
		e.allow = make(map[string]bool, len(cfg.Allow))
		for _, a := range cfg.Allow {
			e.allow[strings.ToLower(strings.TrimSpace(a))] = true
		}
	}
	if len(cfg.Deny) > 0 {
		e.denyFirst = make(map[string][]denyEntry)
		for _, dt := range cfg.Deny {
			words := termWords(dt.Term)
			if len(words) == 0 {
				continue // punctuation only: nothing to anchor on
			}
			t := dt.Type
			if t == "" {
				t = ID
			}
			e.denyFirst[words[0]] = append(e.denyFirst[words[0]], denyEntry{words: words, t: t})
		}
	}
	for _, c := range cfg.Custom {
		cd := customDetector{name: c.Name, t: c.Type, re: regexp.MustCompile(c.Pattern), score: c.Score,
			window: c.ContextWindow}
		if cd.t == "" {
			cd.t = ID
		}
		if cd.score == 0 {
			cd.score = 0.9
		}
		if cd.window == 0 {
			cd.window = 4
		}
		switch strings.ToLower(c.Validator) {
		case "luhn":
			cd.validator = luhnDigits
		case "mod97":
			cd.validator = ibanValid
		}
		if len(c.Context) > 0 {
			cd.context = make(map[string]bool, len(c.Context))
			for _, w := range c.Context {
				cd.context[strings.ToLower(w)] = true
			}
		}
		e.custom = append(e.custom, cd)
	}
	e.pool.New = func() any { return &scan{e: e} }
	return e, nil
}

// termWords lower-cases the tokens of a term, punctuation included.
func termWords(term string) []string {
	var out []string
	for _, t := range tokenize(nil, term) {
		out = append(out, strings.ToLower(term[t.s:t.e]))
	}
	return out
}

// Detect returns the PHI spans of text: sorted by Start, non-overlapping, in
// Unicode code-point offsets, each at or above its type's threshold. Invalid
// UTF-8 bytes count as one code point each (as utf8.DecodeRuneInString does).
// Safe for concurrent use. Time is linear in len(text).
func (e *Engine) Detect(text string) []Span {
	if e.off {
		return nil
	}
	scanText := text
	if e.maxBytes > 0 && len(text) > e.maxBytes {
		cut := e.maxBytes
		for cut > 0 && !utf8.RuneStart(text[cut]) {
			cut--
		}
		scanText = text[:cut]
	}
	sc := e.pool.Get().(*scan)
	sc.reset(scanText)
	sc.run()
	spans := sc.resolve()
	if e.scorer != nil {
		spans = sc.learned(spans)
	}
	if e.cfg.RedactYears && e.on[typeIdx(Date)] {
		spans = sc.historyYears(spans)
	}
	spans = sc.dropLoneInitials(spans)
	spans = sc.dropBareNumberPlaces(spans)
	spans = sc.placesAsNames(spans)
	if e.cfg.Weekdays {
		spans = sc.addLoneWeekdays(spans)
	} else {
		spans = sc.dropLoneWeekdays(spans)
	}
	if len(scanText) < len(text) {
		spans = append(spans, cand{s: len(scanText), e: len(text), t: ID, score: 1})
	}
	out := toSpans(text, spans, sc.ascii && len(scanText) == len(text))
	sc.text, sc.ltext = "", ""
	e.pool.Put(sc)
	return out
}

func (sc *scan) reset(text string) {
	sc.text = text
	sc.lbuf, sc.ltext = lowerInto(sc.lbuf, text)
	sc.toks, sc.hash, sc.ascii = tokenizeText(sc.toks[:0], sc.hash[:0], text)
	sc.cands = sc.cands[:0]
	sc.classify()
	if sc.e.scorer != nil {
		sc.veto = slices.Grow(sc.veto[:0], len(sc.toks))[:len(sc.toks)]
		clear(sc.veto)
	}
	sc.allow = sc.allow[:0]
	if sc.e.allow != nil {
		sc.allow = slices.Grow(sc.allow, len(sc.toks))[:len(sc.toks)]
		for i, t := range sc.toks {
			sc.allow[i] = sc.e.allow[sc.lower(t.s, t.e)]
		}
	}
}

// classify fills the per-token tables in one pass over the tokens: the dictionary
// classes of words, and which lines are written in capitals (markUpperLines), counting
// on the way what foldCaseless decides on. A caseless note, rare, is folded and its
// lines marked again.
func (sc *scan) classify() {
	// Locals, not fields: stores into the slices below could otherwise alias sc and
	// make the compiler reload every field on every token.
	toks, text := sc.toks, sc.text
	n := len(toks)
	cls := slices.Grow(sc.cls[:0], n)[:n]
	sc.cls = cls
	hash := sc.hash // the tokenizer's
	sc.upperLine = slices.Grow(sc.upperLine[:0], n)[:n]
	pch := slices.Grow(sc.pch[:0], n)[:n]
	sc.pch = pch
	cache := &sc.cache
	// Words the cache does not answer, looked up after the pass: the loop makes no
	// calls (its state stays in registers) and the table's cache misses overlap.
	todo := slices.Grow(sc.todo[:0], n)
	words, capped := 0, 0                 // words of two letters or more in the text, capitalized ones
	line, lineWords, lineUpper := 0, 0, 0 // the current line's first token, its words, those in capitals
	for i := range toks {
		t := &toks[i]
		if i > 0 && t.has(fNewline) {
			sc.markLine(line, i, lineWords, lineUpper)
			line, lineWords, lineUpper = i, 0, 0
		}
		cls[i] = 0
		pch[i] = 0
		if t.kind != tWord {
			if t.kind == tPunct && t.e-t.s == 1 {
				pch[i] = text[t.s]
			}
			continue
		}
		if t.e-t.s > 1 {
			words++
			lineWords++
			if t.has(fCap) {
				capped++
			}
			if t.has(fUpper) {
				lineUpper++
			}
		}
		h := hash[i] // 0: a word with wide runes, hashed with Unicode lower-casing below
		if h != 0 {
			if c := &cache[cacheSlot(h)]; c.h == h {
				cls[i] = c.cls
				continue
			}
		}
		k := len(todo)
		todo = todo[:k+1]
		todo[k] = lookupTodo{i: i, h: h}
	}
	sc.markLine(line, n, lineWords, lineUpper)
	d := sc.e.dict
	for _, w := range todo {
		h := w.h
		if h == 0 {
			h = hashLower(sc.text[toks[w.i].s:toks[w.i].e])
			hash[w.i] = h
		}
		c := &cache[cacheSlot(h)]
		if c.h != h {
			c.h, c.cls = h, d.lookupHash(h)
		}
		cls[w.i] = c.cls
	}
	sc.todo = todo
	if cap(todo) > maxPooledTodo {
		sc.todo = nil // sized for a long text: not kept in the pool
	}
	sc.caseless = sc.foldCaseless(words, capped)
	if sc.caseless {
		sc.markUpperLines()
	}
}

// maxPooledTodo bounds the lookup list a scan keeps for the next text (16 bytes each).
const maxPooledTodo = 1 << 14

// lookupTodo is a word classify looks up after its pass: token index and hash (0 if not yet hashed).
type lookupTodo struct {
	i int
	h uint64
}

// markLine sets upperLine for the tokens [s,e) of one line: at least three words of two
// letters or more, three quarters of them in capitals.
func (sc *scan) markLine(s, e, words, upper int) {
	u := words >= 3 && upper*4 >= words*3
	for j := s; j < e; j++ {
		sc.upperLine[j] = u
	}
}

// lower returns strings.ToLower(sc.text[s:e]), without allocating when that text is
// ASCII (the per-scan lower-case copy has it).
func (sc *scan) lower(s, e int) string {
	if l := sc.ltext[s:e]; isASCII(l) {
		return l
	}
	return strings.ToLower(sc.text[s:e])
}

// lowerTrimmed returns strings.ToLower(strings.TrimSpace(sc.text[s:e])), the form of
// allow terms, without allocating when that text is ASCII.
func (sc *scan) lowerTrimmed(s, e int) string {
	if l := sc.ltext[s:e]; isASCII(l) {
		return strings.TrimSpace(l)
	}
	return strings.ToLower(strings.TrimSpace(sc.text[s:e]))
}

// vetoTokens marks the tokens in the byte range [s,e) as known not to be PHI: the learned scorer
// will not report them (rules that know a phrase is an eponym or a kept region say so).
func (sc *scan) vetoTokens(s, e int) {
	if sc.veto == nil {
		return
	}
	for k := sc.tokenAt(s); k < len(sc.toks) && sc.toks[k].s < e; k++ {
		sc.veto[k] = true
	}
}

// allowed reports whether token i is a single-word allow term.
func (sc *scan) allowed(i int) bool { return len(sc.allow) > 0 && sc.allow[i] }

func (sc *scan) add(s, e int, t Type, score float64) {
	if s >= e {
		return
	}
	sc.cands = append(sc.cands, cand{s: s, e: e, t: t, score: min(score, 1)})
}

// addSure adds a candidate the learned scorer keeps as it is (above its threshold): one whose
// reporting is a policy, not a guess.
func (sc *scan) addSure(s, e int, t Type, score float64) {
	if s < e {
		sc.cands = append(sc.cands, cand{s: s, e: e, t: t, score: min(score, 1), sure: true})
	}
}

// run applies every built-in detector, then deny terms and custom detectors.
func (sc *scan) run() {
	for i, d := range builtins {
		n := len(sc.cands)
		d.run(sc)
		for k := n; k < len(sc.cands); k++ {
			sc.cands[k].src = uint8(i)
		}
	}
	if sc.e.denyFirst != nil {
		sc.runDeny()
	}
	for i := range sc.e.custom {
		sc.runCustom(&sc.e.custom[i])
	}
}

func (sc *scan) runDeny() {
	for i, t := range sc.toks {
		entries := sc.e.denyFirst[sc.ltext[t.s:t.e]]
	next:
		for _, de := range entries {
			if i+len(de.words) > len(sc.toks) {
				continue
			}
			// Whole words only: the term may not continue a word on either side.
			for k, w := range de.words {
				tk := sc.toks[i+k]
				if !strings.EqualFold(sc.text[tk.s:tk.e], w) {
					continue next
				}
				if k > 0 && tk.kind != tPunct && sc.toks[i+k-1].kind != tPunct && !tk.has(fSpace) {
					continue next
				}
			}
			sc.cands = append(sc.cands, cand{s: t.s, e: sc.toks[i+len(de.words)-1].e, t: de.t, score: 1, sure: true, src: srcUser})
		}
	}
}

func (sc *scan) runCustom(cd *customDetector) {
	for _, m := range cd.re.FindAllStringIndex(sc.text, -1) {
		if m[0] == m[1] {
			continue
		}
		if cd.validator != nil && !cd.validator(sc.text[m[0]:m[1]]) {
			continue
		}
		score := cd.score
		if cd.context != nil && !sc.contextBefore(m[0], cd.window, cd.context) {
			score /= 2
		}
		sc.cands = append(sc.cands, cand{s: m[0], e: m[1], t: cd.t, score: min(score, 1), sure: true})
	}
}

// contextBefore reports whether one of words occurs among the n word tokens before byte offset at.
func (sc *scan) contextBefore(at, n int, words map[string]bool) bool {
	i, _ := slices.BinarySearchFunc(sc.toks, at, func(t token, at int) int { return t.s - at })
	for j, seen := i-1, 0; j >= 0 && seen < n; j-- {
		t := sc.toks[j]
		if t.kind == tPunct {
			continue
		}
		seen++
		if words[sc.ltext[t.s:t.e]] {
			return true
		}
	}
	return false
}

// resolve applies thresholds, disabled types and the allow list, then merges
// overlapping candidates: the union of their extents, the type of the best score.
// The result aliases sc.merged: valid until the scan is reused.
func (sc *scan) resolve() []cand {
	kept := sc.keep()
	slices.SortFunc(kept, candCmp)
	out := sc.merged[:0]
	for _, c := range kept {
		if n := len(out); n > 0 && c.s < out[n-1].e {
			last := &out[n-1]
			if c.e > last.e {
				last.e = c.e
			}
			if c.score > last.score {
				last.score, last.t = c.score, c.t
			}
			continue
		}
		out = append(out, c)
	}
	sc.merged = out
	return out
}

// keep returns the candidates at or above their type's threshold and not on the
// allow list, in their original order (in sc.kept).
func (sc *scan) keep() []cand {
	e := sc.e
	kept := sc.kept[:0]
	for _, c := range sc.cands {
		ti := typeIdx(c.t)
		if ti < 0 || !e.on[ti] || c.score < e.th[ti] {
			continue
		}
		if e.allow != nil && e.allow[sc.lowerTrimmed(c.s, c.e)] {
			continue
		}
		kept = append(kept, c)
	}
	sc.kept = kept
	return kept
}

// candCmp orders candidates by start, the longest first.
func candCmp(a, b cand) int {
	if a.s != b.s {
		return a.s - b.s
	}
	return b.e - a.e
}

// typeIdx is t's index in AllTypes, -1 for an unknown type; a switch rather than a map,
// as resolve asks it for every candidate.
func typeIdx(t Type) int {
	switch t {
	case Name:
		return 0
	case Location:
		return 1
	case Date:
		return 2
	case Age:
		return 3
	case Phone:
		return 4
	case Fax:
		return 5
	case Email:
		return 6
	case SSN:
		return 7
	case MRN:
		return 8
	case HealthPlan:
		return 9
	case Account:
		return 10
	case License:
		return 11
	case Vehicle:
		return 12
	case Device:
		return 13
	case URL:
		return 14
	case IP:
		return 15
	case Biometric:
		return 16
	case ID:
		return 17
	}
	return -1
}

// toSpans converts sorted byte-offset candidates to code-point spans in one pass over
// text; ascii says every byte of text is ASCII, where the offsets are the same.
func toSpans(text string, cs []cand, ascii bool) []Span {
	if len(cs) == 0 {
		return nil
	}
	out := make([]Span, len(cs))
	if ascii {
		for i, c := range cs {
			out[i] = Span{Start: c.s, End: c.e, Type: c.t, Score: round2(c.score)}
		}
		return out
	}
	pos, runes := 0, 0
	advance := func(to int) int {
		for pos < to {
			// Eight ASCII bytes are eight code points: skip them at once.
			if pos+8 <= to && load64(text, pos)&0x8080808080808080 == 0 {
				pos += 8
				runes += 8
				continue
			}
			if text[pos] < utf8.RuneSelf {
				pos++
			} else {
				_, n := utf8.DecodeRuneInString(text[pos:])
				pos += n
			}
			runes++
		}
		return runes
	}
	for i, c := range cs {
		out[i] = Span{Start: advance(c.s), End: advance(c.e), Type: c.t, Score: round2(c.score)}
	}
	return out
}

func round2(f float64) float64 { return float64(int(f*100+0.5)) / 100 }
