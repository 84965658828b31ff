package privacy

import (
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Table is a header and rows of text cells.
type Table struct {
	Columns []string
	Rows    [][]string
}

// Result is an anonymized table.
type Result struct {
	// Rows are in input order; quasi-identifier cells are generalized,
	// suppressed rows hold "*" in every quasi-identifier, other cells are unchanged.
	Rows       [][]string
	Suppressed []bool
	Metrics    Metrics
}

// Option configures an Anonymizer.
type Option func(*options)

type options struct {
	parallelism int
	suppressCut bool
	sampleCap   int
	plain       bool
	strictOnly  bool
	exact       int
	suppressAll bool
	hierarchies map[string]*Hierarchy
}

// WithPlainMondrian switches to textbook Mondrian, kept as the baseline the
// improvements are measured against: cut the widest normalized dimension at
// its median, split a categorical node only when every child stands alone,
// never suppress.
func WithPlainMondrian() Option { return func(o *options) { o.plain, o.suppressCut = true, false } }

// WithoutRelaxedCuts disables the final relaxed cuts of partitions that no
// value-aligned cut can split (for measuring their effect).
func WithoutRelaxedCuts() Option { return func(o *options) { o.strictOnly = true } }

// WithExactCuts sets how many candidate cuts per partition, ranked by their
// gain on the cut dimension alone, are scored on all dimensions (default 4).
func WithExactCuts(n int) Option { return func(o *options) { o.exact = n } }

// WithSuppressUnsatisfiable makes Anonymize suppress every row, instead of
// returning ErrUnsatisfiable, when the table as a whole cannot meet the models
// (a window smaller than k, or with too few sensitive values). Streams use it
// so that a small final window is withheld and counted, never released. The
// result then exceeds max_suppression, which Verify reports.
func WithSuppressUnsatisfiable() Option { return func(o *options) { o.suppressAll = true } }

// WithHierarchy supplies an in-memory hierarchy for a categorical column,
// taking precedence over the file named in the Config.
func WithHierarchy(column string, h *Hierarchy) Option {
	return func(o *options) {
		if o.hierarchies == nil {
			o.hierarchies = map[string]*Hierarchy{}
		}
		o.hierarchies[column] = h
	}
}

// WithParallelism bounds the goroutines one Anonymize call uses (default GOMAXPROCS).
func WithParallelism(n int) Option {
	return func(o *options) {
		if n > 0 {
			o.parallelism = n
		}
	}
}

// WithOutlierSuppression enables (default) or disables cuts that suppress the
// rows of a side too small to stand alone, within the suppression limit.
func WithOutlierSuppression(on bool) Option { return func(o *options) { o.suppressCut = on } }

// WithSampleSize sets how many rows of a large partition are read to score a
// candidate cut (default 4096; 0 scores on every row).
func WithSampleSize(n int) Option {
	return func(o *options) {
		if n >= 0 {
			o.sampleCap = n
		}
	}
}

// Anonymizer applies a Config to tables. It is safe for concurrent use: the
// hierarchies are read once and never modified.
type Anonymizer struct {
	cfg   Config
	hier  []*Hierarchy // per QI; nil for numeric, date and flat categorical
	opts  options
	model predicate
	figs  figures
}

// NewAnonymizer validates cfg and loads its hierarchy files.
func NewAnonymizer(cfg Config, opts ...Option) (*Anonymizer, error) {
	cfg = cfg.withDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("creating anonymizer: %w", err)
	}
	a := &Anonymizer{cfg: cfg, hier: make([]*Hierarchy, len(cfg.QuasiIdentifiers)),
		opts: options{parallelism: runtime.GOMAXPROCS(0), suppressCut: true, sampleCap: 4096}}
	for _, o := range opts {
		o(&a.opts)
	}
	for i, q := range cfg.QuasiIdentifiers {
		if q.Kind != KindCategorical {
			continue
		}
		if h := a.opts.hierarchies[q.Name]; h != nil {
			a.hier[i] = h
			continue
		}
		if q.Hierarchy == "" {
			continue
		}
		h, err := LoadHierarchy(q.Hierarchy, cfg.Separator)
		if err != nil {
			return nil, fmt.Errorf("creating anonymizer: column %s: %w", q.Name, err)
		}
		a.hier[i] = h
	}
	models, err := cfg.models()
	if err != nil {
		return nil, fmt.Errorf("creating anonymizer: %w", err)
	}
	a.model, a.figs = newPredicate(models), newFigures(cfg)
	return a, nil
}

// Config returns the effective configuration (defaults filled in).
func (a *Anonymizer) Config() Config { return a.cfg }

// Anonymize generalizes t's quasi-identifiers so that every equivalence class
// meets the configured models, suppressing at most max_suppression of the rows.
func (a *Anonymizer) Anonymize(t Table) (*Result, error) {
	e, err := a.encode(t)
	if err != nil {
		return nil, fmt.Errorf("anonymizing %d rows: %w", len(t.Rows), err)
	}
	if e.n == 0 {
		return &Result{Rows: [][]string{}, Suppressed: []bool{}}, nil
	}
	order := make([]int32, e.n)
	for i := range order {
		order[i] = int32(i)
	}
	parts, supp, err := e.partitionRows(order, a.opts)
	if err == nil && a.cfg.LocalSearch == LocalSearchOn {
		parts = e.improve(parts, order, a.opts, improveRunRows)
	}
	if errors.Is(err, ErrUnsatisfiable) && a.opts.suppressAll {
		parts, supp, err = nil, [][]int32{order}, nil // every row (refused before any cut)
	}
	if err != nil {
		return nil, fmt.Errorf("anonymizing %d rows: %w", e.n, err)
	}
	return e.release(t, parts, supp), nil
}

// engine is one Anonymize call's encoded table.
type engine struct {
	n, q    int
	qiCol   []int
	kind    []string
	code    [][]int32   // per QI: numeric rank or hierarchy leaf id, per row
	vals    [][]float64 // per numeric QI: sorted distinct values
	span    []float64   // per numeric QI: max-min
	hier    []*Hierarchy
	pen     [][]float64 // per categorical QI: penalty per node
	sens    []int32
	m       int
	model   predicate
	figs    figures
	maxSupp int
}

func (a *Anonymizer) encode(t Table) (*engine, error) {
	cfg := a.cfg
	col := make(map[string]int, len(t.Columns))
	for i, c := range t.Columns {
		col[c] = i
	}
	e := &engine{n: len(t.Rows), q: len(cfg.QuasiIdentifiers), model: a.model, figs: a.figs}
	for r, row := range t.Rows {
		if len(row) != len(t.Columns) {
			return nil, fmt.Errorf("reading row %d: %d cells for %d columns: %w", r+1, len(row), len(t.Columns), ErrBadValue)
		}
	}
	e.qiCol = make([]int, e.q)
	e.kind = make([]string, e.q)
	e.code = make([][]int32, e.q)
	e.vals = make([][]float64, e.q)
	e.span = make([]float64, e.q)
	e.hier = make([]*Hierarchy, e.q)
	e.pen = make([][]float64, e.q)
	for j, qi := range cfg.QuasiIdentifiers {
		c, ok := col[qi.Name]
		if !ok {
			return nil, fmt.Errorf("finding quasi-identifier %s: %w", qi.Name, ErrMissingColumn)
		}
		e.qiCol[j], e.kind[j] = c, qi.Kind
		var err error
		if qi.Kind == KindCategorical {
			err = e.encodeCategorical(t, j, a.hier[j], qi)
		} else {
			err = e.encodeNumeric(t, j, qi)
		}
		if err != nil {
			return nil, err
		}
	}
	e.sens = make([]int32, e.n)
	e.m = 1
	if cfg.Sensitive != "" {
		c, ok := col[cfg.Sensitive]
		if !ok {
			return nil, fmt.Errorf("finding sensitive column %s: %w", cfg.Sensitive, ErrMissingColumn)
		}
		if err := e.encodeSensitive(t, c, cfg); err != nil {
			return nil, err
		}
	}
	counts := make([]float64, e.m)
	for _, s := range e.sens {
		counts[s]++
	}
	for i := range counts {
		counts[i] /= float64(max(e.n, 1))
	}
	e.model.global = counts
	e.maxSupp = int(math.Floor(cfg.MaxSuppression*float64(e.n) + tolerance))
	return e, nil
}

func (e *engine) encodeCategorical(t Table, j int, h *Hierarchy, qi QuasiIdentifier) error {
	c := e.qiCol[j]
	if h == nil {
		vals := make([]string, 0, 64)
		seen := map[string]bool{}
		for _, row := range t.Rows {
			if v := row[c]; !seen[v] {
				seen[v] = true
				vals = append(vals, v)
			}
		}
		slices.Sort(vals)
		h = FlatHierarchy(vals)
	}
	codes := make([]int32, e.n)
	present := map[int32]bool{}
	var last string
	lastID := int32(-1)
	for r, row := range t.Rows {
		v := row[c]
		if lastID < 0 || v != last {
			id, ok := h.Leaf(v)
			if !ok {
				src := qi.Hierarchy
				if src == "" {
					src = "(flat)"
				}
				return fmt.Errorf("encoding row %d column %s: hierarchy %s: %w", r+1, qi.Name, filepath.Base(src), ErrValueNotInHierarchy)
			}
			last, lastID = v, id
			present[id] = true
		}
		codes[r] = lastID
	}
	domain := len(present)
	pen := make([]float64, len(h.labels))
	for id := range pen {
		switch {
		case id == 0:
			pen[id] = 1
		case domain > 1:
			pen[id] = min(1, float64(h.leaves[id]-1)/float64(domain-1))
		}
	}
	e.code[j], e.hier[j], e.pen[j] = codes, h, pen
	return nil
}

func (e *engine) encodeNumeric(t Table, j int, qi QuasiIdentifier) error {
	c := e.qiCol[j]
	raw := make([]float64, e.n)
	for r, row := range t.Rows {
		v, err := parseNumber(row[c], qi.Kind)
		if err != nil {
			return fmt.Errorf("encoding row %d column %s: %w", r+1, qi.Name, err)
		}
		raw[r] = v
	}
	vals := slices.Clone(raw)
	slices.Sort(vals)
	vals = slices.Compact(vals)
	codes := make([]int32, e.n)
	for r, v := range raw {
		i, _ := slices.BinarySearch(vals, v)
		codes[r] = int32(i)
	}
	e.code[j], e.vals[j] = codes, vals
	if len(vals) > 0 {
		e.span[j] = vals[len(vals)-1] - vals[0]
	}
	return nil
}

func parseNumber(s, kind string) (float64, error) {
	s = strings.TrimSpace(s)
	if kind == KindDate {
		d, err := time.Parse(DateLayout, s)
		if err != nil {
			return 0, fmt.Errorf("parsing date (want %s): %w", DateLayout, ErrBadValue)
		}
		return float64(d.Unix() / 86400), nil
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("parsing number: %w", ErrBadValue)
	}
	return v, nil
}

func (e *engine) encodeSensitive(t Table, c int, cfg Config) error {
	ids := map[string]int32{}
	var order []string
	for _, row := range t.Rows {
		if _, ok := ids[row[c]]; !ok {
			ids[row[c]] = int32(len(order))
			order = append(order, row[c])
		}
	}
	if cfg.SensitiveKind == KindNumeric {
		num := make(map[string]float64, len(order))
		for _, s := range order {
			v, err := parseNumber(s, KindNumeric)
			if err != nil {
				return fmt.Errorf("encoding sensitive column %s: %w", cfg.Sensitive, err)
			}
			num[s] = v
		}
		slices.SortFunc(order, func(a, b string) int { return cmpFloat(num[a], num[b]) })
		for i, s := range order {
			ids[s] = int32(i)
		}
	}
	for r, row := range t.Rows {
		e.sens[r] = ids[row[c]]
	}
	e.m = max(len(order), 1)
	return nil
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
