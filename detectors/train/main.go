// Command train fits the detection engine's learned scorer (detectors/scorer.go) on gold notes and
// writes the model the engine embeds, or estimates how a model generalizes by cross-validation.
//
//	go run ./detectors/train -out detectors/data/model.bin.gz   # what go generate ./detectors runs
//	go run ./detectors/train -cv 5                              # out-of-fold scores, nothing written
//
// Training data, all inside the repository: the real nursing notes of detectors/testdata
// (physionet_dev.jsonl, GPL-3), the hand-written notes (clinical_gold, holdout_gold), the
// template sentences of presidio_synth_v2.jsonl (MIT) and notes of the synthetic generator
// (package synth, fixed seeds). Evaluation only, never trained on: generated notes of seeds 1
// and 7 (those benchmarks/phi uses).
// The features are the engine's own (Engine.Features, with the rules only), so what is learned
// is exactly what Detect scores. Training is deterministic: same data and flags, same bytes.
//
// Cross-validation splits the training documents into folds by group (a PhysioNet note by its
// patient, any other note on its own), trains on all folds but one and scores that one with the
// engine, so the figures printed are those of notes of patients the model never saw: the
// estimate for held-out notes of the same kind.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/deidstream/deidstream/detectors"
	"github.com/deidstream/deidstream/synth"
)

func main() {
	out := flag.String("out", "", "write the model trained on all training data to this file (default: none)")
	cvPred := flag.String("cvpred", "", "with -cv: write the out-of-fold predictions as JSONL (eval_phi.py's PRED format) to this file")
	cv := flag.Int("cv", 0, "cross-validate with this many folds and print out-of-fold scores (default: 0, no)")
	dir := flag.String("data", "detectors/testdata", "folder of the gold JSONL files")
	gen := flag.Int("gen", 3000, "synthetic notes to train on (generator seeds 101 and up)")
	epochs := flag.Int("epochs", 12, "passes over the training tokens")
	posWeight := flag.Float64("pos", 2, "weight of a PHI token against a non-PHI one (above 1 favours recall)")
	l2 := flag.Float64("l2", 1e-4, "L2 penalty per update (the sweep that chose it: benchmarks/results/phi.md)")
	minCount := flag.Int("mincount", 2, "occurrences a word needs in training to get weights")
	aug := flag.Int("aug", 2, "surrogate copies of each real note to train on as well (augment.go)")
	bias := flag.Float64("bias", 0, "added to the trained bias (positive: more recall)")
	outside := flag.Float64("outside", 0, "logit margin a token needs where no rule proposed anything")
	dump := flag.String("dump", "", "write every training token's features and label as JSONL to this file (experiments)")
	flag.Parse()
	hp := hyper{outside: *outside, epochs: *epochs, pos: *posWeight, l2: *l2, minCount: *minCount, bias: *bias}

	ex, err := detectors.New(detectors.Config{RulesOnly: true})
	check(err)
	var train, evalOnly []doc
	for _, s := range []struct{ file, source string }{
		{"physionet_dev.jsonl", "physionet"}, {"clinical_gold.jsonl", "clinical"}, {"holdout_gold.jsonl", "holdout"},
		{"presidio_synth_v2.jsonl", "presidio"},
	} {
		ds, err := readGold(filepath.Join(*dir, s.file), s.source)
		check(err)
		train = append(train, ds...)
	}
	if *aug > 0 {
		sur, err := loadSurrogates(filepath.Join(filepath.Dir(*dir), "data"))
		check(err)
		r := rand.New(rand.NewPCG(11, 13))
		n := len(train)
		for i := 0; i < n; i++ {
			if train[i].source == "physionet" {
				for k := 0; k < *aug; k++ {
					train = append(train, sur.augment(train[i], r, k))
				}
			}
		}
	}
	train = append(train, generated("generated", 101, *gen)...)
	evalOnly = append(generated("gen1", 1, 2000), generated("gen7", 7, 2000)...)
	for i := range train {
		train[i].featurize(ex)
	}

	if *dump != "" {
		var b bytes.Buffer
		for _, d := range train {
			for i, t := range d.toks {
				line, _ := json.Marshal(map[string]any{"g": d.group, "s": d.source, "c": d.copy, "y": d.label[i],
					"d": t.Dense, "w": t.Words})
				b.Write(append(line, '\n'))
			}
		}
		check(os.WriteFile(*dump, b.Bytes(), 0o644))
	}
	if *cv > 0 {
		crossValidate(train, evalOnly, *cv, hp, *cvPred)
	}
	if *out != "" {
		m := fit(train, hp)
		var b bytes.Buffer
		check(m.Encode(&b))
		check(os.WriteFile(*out, b.Bytes(), 0o644))
		fmt.Fprintf(os.Stderr, "train: wrote %s (%d bytes, %d words)\n", *out, b.Len(), len(m.Words))
		report("trained model on the evaluation-only sets", evalOnly, m)
	}
}

type hyper struct {
	epochs, minCount       int
	pos, l2, bias, outside float64
}

// doc is one gold note: its text, gold spans in code points, and (once featurized) its tokens.
type doc struct {
	source, group, id, text string
	copy                    bool // a surrogate copy (augment.go): trained on, never scored
	spans                   []goldSpan
	toks                    []detectors.TokenFeatures
	label                   []int8 // per token: 1 PHI, 0 not, -1 neutral (not learned from)
	head                    []int8 // per PHI token: index in HeadTypes
}

type goldSpan struct {
	Start, End int
	Type       string
}

// neutral gold types: allowed under Safe Harbor or not PHI (eval_phi.py's list).
var neutral = map[string]bool{"DateYear": true, "ORGANIZATION": true, "TITLE": true, "PREFIX": true, "NRP": true}

// keptByPolicy reports a gold token this project keeps on purpose, so not learned either way:
// ages (reported over 89 only, by the rules), bare years, which Safe Harbor allows, and weekdays
// alone, all of which presidio's annotation counts.
func keptByPolicy(goldType, tok string) bool {
	switch goldType {
	case "AGE":
		return true
	case "DATE_TIME":
		return len(tok) == 4 && (strings.HasPrefix(tok, "19") || strings.HasPrefix(tok, "20")) || isWeekday(tok)
	}
	return false
}

// isWeekday reports a weekday name: alone, it dates nothing, and only presidio labels it.
func isWeekday(tok string) bool {
	switch strings.ToLower(tok) {
	case "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday":
		return true
	}
	return false
}

// headOf maps a gold type to the type head's class.
func headOf(t string) detectors.Type {
	switch t {
	case "NAME", "HCPName", "PTName", "RelativeProxyName", "PTNameInitial", "PERSON":
		return detectors.Name
	case "LOCATION", "Location", "GPE", "STREET_ADDRESS", "ZIP_CODE":
		return detectors.Location
	case "DATE", "Date", "DATE_TIME":
		return detectors.Date
	case "AGE", "Age":
		return detectors.Age
	case "PHONE", "FAX", "Phone", "PHONE_NUMBER":
		return detectors.Phone
	}
	return detectors.ID
}

func readGold(path, source string) ([]doc, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("reading gold set: %w", err)
	}
	defer f.Close()
	var out []doc
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<26)
	for sc.Scan() {
		var g struct {
			ID    string
			Text  string
			Spans []goldSpan
		}
		if err := json.Unmarshal(sc.Bytes(), &g); err != nil {
			return nil, fmt.Errorf("reading %s: %w", path, err)
		}
		group := g.ID
		if source == "physionet" {
			group, _, _ = strings.Cut(g.ID, "-") // the patient
		}
		out = append(out, doc{source: source, group: source + ":" + group, id: g.ID, text: g.Text, spans: g.Spans})
	}
	return out, sc.Err()
}

// generated returns n notes of the synthetic generator with the given seed.
func generated(source string, seed uint64, n int) []doc {
	g := synth.NewGenerator(synth.Options{Seed: seed})
	out := make([]doc, 0, n)
	for len(out) < n {
		_, gold := g.Next()
		if gold == nil {
			continue
		}
		d := doc{source: source, group: gold.ID, id: gold.ID, text: gold.Text}
		for _, s := range gold.Spans {
			d.spans = append(d.spans, goldSpan{s.Start, s.End, s.Type})
		}
		out = append(out, d)
	}
	return out
}

// featurize extracts the tokens' features and labels them from the gold spans.
func (d *doc) featurize(e *detectors.Engine) {
	d.toks = e.Features(d.text)
	cp := codePoints(d.text)
	d.label = make([]int8, len(d.toks))
	d.head = make([]int8, len(d.toks))
	heads := detectors.HeadTypes()
	for i, t := range d.toks {
		s, en := cp[t.Start], cp[t.End]
		scored, neut := "", false
		for _, g := range d.spans {
			if g.Start < en && s < g.End {
				if neutral[g.Type] || keptByPolicy(g.Type, d.text[t.Start:t.End]) {
					neut = true
				} else if scored == "" {
					scored = g.Type
				}
			}
		}
		switch {
		case scored != "":
			d.label[i] = 1
			d.head[i] = int8(slices.Index(heads, headOf(scored)))
		case neut:
			d.label[i] = -1
		}
	}
}

// codePoints maps each byte offset of s (and len(s)) to its code-point offset.
func codePoints(s string) []int {
	cp := make([]int, len(s)+1)
	n := 0
	for i := 0; i < len(s); {
		_, size := utf8.DecodeRuneInString(s[i:])
		for k := 0; k < size; k++ {
			cp[i+k] = n
		}
		i += size
		n++
	}
	cp[len(s)] = n
	return cp
}

// fit trains a model on docs.
func fit(docs []doc, hp hyper) *detectors.Model {
	// Word weights: one parameter per (role, word) seen at least minCount times as that role.
	count := make([]map[uint64]int, detectors.NumWordRoles)
	for r := range count {
		count[r] = map[uint64]int{}
	}
	for _, d := range docs {
		for i, t := range d.toks {
			if d.label[i] < 0 {
				continue
			}
			for r, h := range t.Words {
				if h != 0 {
					count[r][h]++
				}
			}
		}
	}
	D := detectors.NumDenseFeatures
	index := make([]map[uint64]int32, detectors.NumWordRoles)
	next := int32(D)
	for r := range index {
		index[r] = map[uint64]int32{}
		keys := make([]uint64, 0, len(count[r]))
		for h, c := range count[r] {
			if c >= hp.minCount {
				keys = append(keys, h)
			}
		}
		slices.Sort(keys) // deterministic parameter order
		for _, h := range keys {
			index[r][h] = next
			next++
		}
	}
	type example struct {
		feats []int32 // dense ids and word parameters
		self  int32   // the token's own word parameter, -1 none
		y     float64
		head  int8
	}
	var exs []example
	for _, d := range docs {
		for i, t := range d.toks {
			if d.label[i] < 0 {
				continue
			}
			f := slices.Clone(t.Dense)
			self := int32(-1)
			for r, h := range t.Words {
				if p, ok := index[r][h]; ok {
					f = append(f, p)
					if r == 0 {
						self = p
					}
				}
			}
			exs = append(exs, example{feats: f, self: self, y: float64(d.label[i]), head: d.head[i]})
		}
	}
	n := int(next)
	w, g2 := make([]float64, n), make([]float64, n)
	H := len(detectors.HeadTypes())
	tw, tg2 := make([]float64, n*H), make([]float64, n*H)
	const lr, tlr = 0.2, 0.2
	rng := rand.New(rand.NewPCG(1, 2))
	order := make([]int, len(exs))
	for i := range order {
		order[i] = i
	}
	probs := make([]float64, H)
	for ep := 0; ep < hp.epochs; ep++ {
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		for _, oi := range order {
			x := &exs[oi]
			z := 0.0
			for _, f := range x.feats {
				z += w[f]
			}
			p := 1 / (1 + math.Exp(-z))
			grad := p - x.y
			if x.y > 0 {
				grad *= hp.pos
			}
			for _, f := range x.feats {
				gf := grad + hp.l2*w[f]
				g2[f] += gf * gf
				w[f] -= lr * gf / math.Sqrt(g2[f]+1e-8)
			}
			if x.y <= 0 {
				continue
			}
			// The type head: softmax over the head types, on PHI tokens, dense features and the
			// token's own word.
			tf := x.feats[:0:0]
			for _, f := range x.feats {
				if f < int32(D) || f == x.self {
					tf = append(tf, f)
				}
			}
			mx := math.Inf(-1)
			for h := 0; h < H; h++ {
				s := 0.0
				for _, f := range tf {
					s += tw[int(f)*H+h]
				}
				probs[h] = s
				mx = max(mx, s)
			}
			sum := 0.0
			for h := range probs {
				probs[h] = math.Exp(probs[h] - mx)
				sum += probs[h]
			}
			for h := 0; h < H; h++ {
				gh := probs[h] / sum
				if h == int(x.head) {
					gh--
				}
				for _, f := range tf {
					k := int(f)*H + h
					gk := gh + hp.l2*tw[k]
					tg2[k] += gk * gk
					tw[k] -= tlr * gk / math.Sqrt(tg2[k]+1e-8)
				}
			}
		}
	}
	m := detectors.NewModel()
	for f := 0; f < D; f++ {
		m.Dense[f] = float32(w[f])
		for h := 0; h < H; h++ {
			m.TypeDense[f*H+h] = float32(tw[f*H+h])
		}
	}
	m.Dense[0] += float32(hp.bias)
	m.Outside = float32(hp.outside)
	for r := range index {
		for h, p := range index[r] {
			ww := m.Words[h]
			ww.Roles[r] = float32(w[p])
			if r == 0 {
				for k := 0; k < H; k++ {
					ww.Types[k] = float32(tw[int(p)*H+k])
				}
			}
			m.Words[h] = ww
		}
	}
	return m
}

// crossValidate prints out-of-fold scores of the model against the rules alone, per source.
func crossValidate(docs, evalOnly []doc, k int, hp hyper, predFile string) {
	var pred bytes.Buffer
	groups := map[string]int{}
	var names []string
	for _, d := range docs {
		if _, ok := groups[d.group]; !ok {
			groups[d.group] = 0
			names = append(names, d.group)
		}
	}
	rng := rand.New(rand.NewPCG(7, 7))
	rng.Shuffle(len(names), func(i, j int) { names[i], names[j] = names[j], names[i] })
	for i, g := range names {
		groups[g] = i % k
	}
	offsets := []float32{0, 0.5, 1, 1.5, 2, 2.5, 3}
	sweep := make([]scores, len(offsets))
	for i := range sweep {
		sweep[i] = scores{}
	}
	model, rules := scores{}, scores{}
	rulesEngine, err := detectors.New(detectors.Config{RulesOnly: true})
	check(err)
	for f := 0; f < k; f++ {
		var tr, te []doc
		for _, d := range docs {
			if groups[d.group] == f {
				te = append(te, d)
			} else {
				tr = append(tr, d)
			}
		}
		m := fit(tr, hp)
		e, err := detectors.New(detectors.Config{}, detectors.WithModel(m))
		check(err)
		for _, d := range te {
			if d.copy {
				continue
			}
			spans := append([]detectors.Span{}, e.Detect(d.text)...)
			model.add(d, spans)
			rules.add(d, rulesEngine.Detect(d.text))
			line, _ := json.Marshal(struct {
				ID    string           `json:"id"`
				Spans []detectors.Span `json:"spans"`
			}{d.id, spans})
			pred.Write(append(line, '\n'))
		}
		for i, off := range offsets {
			m.Dense[0] += off
			e, err := detectors.New(detectors.Config{}, detectors.WithModel(m))
			check(err)
			m.Dense[0] -= off
			for _, d := range te {
				if !d.copy {
					sweep[i].add(d, e.Detect(d.text))
				}
			}
		}
	}
	for i, off := range offsets {
		fmt.Printf("bias %+.1f:", off)
		for _, src := range []string{"physionet", "presidio", "holdout", "generated"} {
			c := sweep[i][src]
			fmt.Printf("  %s %.4f/%.4f", src, ratio(c[0], c[0]+c[1]), ratio(c[0], c[0]+c[2]))
		}
		fmt.Println()
	}
	if predFile != "" {
		check(os.WriteFile(predFile, pred.Bytes(), 0o644))
	}
	fmt.Printf("cross-validation, %d folds by patient or note (out-of-fold: notes the model did not see)\n", k)
	model.print(os.Stdout, "model", rules)
	fmt.Println()
	m := fit(docs, hp)
	report("model trained on every training note, on the evaluation-only sets", evalOnly, m)
}

func report(title string, docs []doc, m *detectors.Model) {
	e, err := detectors.New(detectors.Config{}, detectors.WithModel(m))
	check(err)
	rulesEngine, err := detectors.New(detectors.Config{RulesOnly: true})
	check(err)
	model, rules := scores{}, scores{}
	for _, d := range docs {
		model.add(d, e.Detect(d.text))
		rules.add(d, rulesEngine.Detect(d.text))
	}
	fmt.Println(title)
	model.print(os.Stdout, "model", rules)
}

// scores counts eval_phi.py's token outcomes per source.
type scores map[string]*[3]int // tp, fn, fp

// add scores one document's predictions with eval_phi.py's rule: tokens are runs of letters and
// digits; a gold token is found when a predicted span overlaps it; a predicted token that overlaps
// no gold span is a false positive; neutral gold types count neither way.
func (s scores) add(d doc, pred []detectors.Span) {
	c := s[d.source]
	if c == nil {
		c = &[3]int{}
		s[d.source] = c
	}
	runes := []rune(d.text)
	for i := 0; i < len(runes); {
		if !isTok(runes[i]) {
			i++
			continue
		}
		j := i
		for j < len(runes) && isTok(runes[j]) {
			j++
		}
		scored, neut := false, false
		for _, g := range d.spans {
			if g.Start < j && i < g.End {
				if neutral[g.Type] {
					neut = true
				} else {
					scored = true
				}
			}
		}
		hit := false
		for _, p := range pred {
			if p.Start < j && i < p.End {
				hit = true
				break
			}
		}
		switch {
		case scored && hit:
			c[0]++
		case scored:
			c[1]++
		case hit && !neut:
			c[2]++
		}
		i = j
	}
}

func isTok(r rune) bool { return r != '_' && (unicode.IsLetter(r) || unicode.IsDigit(r)) }

func (s scores) print(w io.Writer, name string, base scores) {
	srcs := make([]string, 0, len(s))
	for k := range s {
		srcs = append(srcs, k)
	}
	slices.Sort(srcs)
	for _, src := range srcs {
		c, b := s[src], base[src]
		fmt.Fprintf(w, "  %-10s %s recall %.4f precision %.4f (tp %d fn %d fp %d) | rules only recall %.4f precision %.4f (fp %d)\n",
			src, name, ratio(c[0], c[0]+c[1]), ratio(c[0], c[0]+c[2]), c[0], c[1], c[2],
			ratio(b[0], b[0]+b[1]), ratio(b[0], b[0]+b[2]), b[2])
	}
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

func check(err error) {
	if err != nil {
		fmt.Fprintf(os.Stderr, "train: %v\n", err)
		os.Exit(1)
	}
}
