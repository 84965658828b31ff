package privacy

import (
	"bufio"
	"errors"
	"fmt"
	"math"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Verify checks a released table against cfg's models without sharing the
// anonymization algorithm's code: it reads the hierarchies itself, groups
// released rows by their quasi-identifier tuple, numbers the sensitive values
// and counts them per class and in the input, and computes NCP from the text
// cells alone. It also checks that every released cell covers its input value
// and that the other columns are unchanged.
//
// What it shares is each Model's Check: a pure formula over a class's size and
// counts (k, l, EMD), with no state and nothing of how classes were formed,
// which is where an algorithm goes wrong (cuts, merged labels, carried rows).
// A wrong formula would be shared, so models_test.go checks every builtin
// model's figures against a second, separately written formula.
//
// The Metrics are returned even when a model is violated; the error then
// joins one wrapped sentinel per violated model (ErrKAnonymity,
// ErrLDiversity, ErrTCloseness, ErrSuppression, ErrNotGeneralized).
func Verify(input, output Table, cfg Config) (Metrics, error) {
	cfg = cfg.withDefaults()
	if err := cfg.Validate(); err != nil {
		return Metrics{}, fmt.Errorf("verifying: %w", err)
	}
	if len(input.Rows) != len(output.Rows) || strings.Join(input.Columns, "\x00") != strings.Join(output.Columns, "\x00") {
		return Metrics{}, fmt.Errorf("verifying: output has %d rows and %d columns, input %d and %d: %w",
			len(output.Rows), len(output.Columns), len(input.Rows), len(input.Columns), ErrNotGeneralized)
	}
	n := len(input.Rows)
	idx := map[string]int{}
	for i, c := range input.Columns {
		idx[c] = i
	}
	type qiCheck struct {
		name    string
		col     int
		kind    string
		covers  map[string]map[string]bool // label -> input values below it
		domain  int
		lo, hi  float64
		numeric bool
	}
	qis := make([]qiCheck, len(cfg.QuasiIdentifiers))
	isQI := map[int]bool{}
	for j, q := range cfg.QuasiIdentifiers {
		c, ok := idx[q.Name]
		if !ok {
			return Metrics{}, fmt.Errorf("verifying: quasi-identifier %s: %w", q.Name, ErrMissingColumn)
		}
		isQI[c] = true
		qc := qiCheck{name: q.Name, col: c, kind: q.Kind, numeric: q.Kind != KindCategorical}
		if qc.numeric {
			qc.lo, qc.hi = math.Inf(1), math.Inf(-1)
			for r, row := range input.Rows {
				v, ok := verifyNumber(row[c], q.Kind)
				if !ok {
					return Metrics{}, fmt.Errorf("verifying: input row %d column %s is not a %s: %w", r+1, q.Name, q.Kind, ErrBadValue)
				}
				qc.lo, qc.hi = math.Min(qc.lo, v), math.Max(qc.hi, v)
			}
		} else {
			under, err := verifyHierarchy(q.Hierarchy, cfg.Separator)
			if err != nil {
				return Metrics{}, fmt.Errorf("verifying: column %s: %w", q.Name, err)
			}
			dom := map[string]bool{}
			for _, row := range input.Rows {
				dom[row[c]] = true
			}
			for v := range dom {
				if under[v] == nil {
					under[v] = map[string]bool{}
				}
				under[v][v] = true
			}
			under["*"] = dom
			qc.covers, qc.domain = under, len(dom)
		}
		qis[j] = qc
	}
	var errs []error
	suppressed := 0
	penalty := 0.0
	sensCol := -1
	if cfg.Sensitive != "" {
		c, ok := idx[cfg.Sensitive]
		if !ok {
			return Metrics{}, fmt.Errorf("verifying: sensitive column %s: %w", cfg.Sensitive, ErrMissingColumn)
		}
		sensCol = c
	}
	tally := newClassTally(sensitiveCodes(input, output, sensCol, cfg.SensitiveKind == KindNumeric))
	badCells := 0
	for r := range n {
		in, out := input.Rows[r], output.Rows[r]
		if len(out) != len(input.Columns) {
			return Metrics{}, fmt.Errorf("verifying: output row %d has %d cells: %w", r+1, len(out), ErrNotGeneralized)
		}
		for c := range out {
			if !isQI[c] && out[c] != in[c] {
				badCells++
			}
		}
		allStar := true
		key := make([]string, len(qis))
		for j, q := range qis {
			cellText := out[q.col]
			key[j] = cellText
			if cellText != "*" {
				allStar = false
			}
			p, ok := verifyCell(q.numeric, q.kind, q.covers, q.domain, q.lo, q.hi, in[q.col], cellText)
			if !ok {
				badCells++
			}
			penalty += p
		}
		if allStar {
			suppressed++
			continue
		}
		tally.add(key, out, sensCol)
	}
	if badCells > 0 {
		errs = append(errs, fmt.Errorf("%d released cells do not cover their input values or changed a non-quasi-identifier column: %w", badCells, ErrNotGeneralized))
	}
	classes := tally.classes()
	m := Metrics{Classes: len(classes), Suppressed: suppressed}
	if n > 0 && len(qis) > 0 {
		m.NCP = penalty / float64(n*len(qis))
	}
	for _, c := range classes {
		m.Discernibility += float64(c.Size) * float64(c.Size)
	}
	failed, err := judge(cfg, classes, &m)
	if err != nil {
		return Metrics{}, fmt.Errorf("verifying: %w", err)
	}
	errs = append(errs, failed...)
	m.Discernibility += float64(suppressed) * float64(n)
	if len(classes) > 0 {
		m.AvgClassSize = float64(n-suppressed) / float64(len(classes))
	}
	const eps = 1e-9
	if limit := int(math.Floor(cfg.MaxSuppression*float64(n) + eps)); suppressed > limit {
		errs = append(errs, fmt.Errorf("%d rows suppressed, limit %d: %w", suppressed, limit, ErrSuppression))
	}
	if len(errs) > 0 {
		return m, fmt.Errorf("verifying released table: %w", errors.Join(errs...))
	}
	return m, nil
}

// classTally counts released rows into equivalence classes by their
// quasi-identifier labels, in first-seen order, each with its sensitive
// histogram by code: what Verify and VerifyRelease build alike.
type classTally struct {
	code   map[string]int32
	global []float64
	groups map[string]*Class
	keys   []string
}

func newClassTally(code map[string]int32, global []float64) *classTally {
	return &classTally{code: code, global: global, groups: map[string]*Class{}}
}

// add counts row, of labels its quasi-identifier cells, into its class; sens
// is the sensitive column (-1: none).
func (ct *classTally) add(labels []string, row []string, sens int) {
	key := strings.Join(labels, "\x00")
	g := ct.groups[key]
	if g == nil {
		g = &Class{Hist: make([]int32, len(ct.code)), Global: ct.global}
		ct.groups[key] = g
		ct.keys = append(ct.keys, key)
	}
	g.Size++
	if sens >= 0 {
		g.Hist[ct.code[row[sens]]]++
	}
}

func (ct *classTally) classes() []Class {
	out := make([]Class, len(ct.keys))
	for i, k := range ct.keys {
		out[i] = *ct.groups[k]
	}
	return out
}

// judge measures a release's classes into m (its K, L, T and named models'
// figures) and returns the failure of every configured model some class
// does not hold; err is a configuration error.
func judge(cfg Config, classes []Class, m *Metrics) (failed []error, err error) {
	newFigures(cfg).measure(classes, m)
	models, err := cfg.models()
	if err != nil || len(classes) == 0 { // nothing released, nothing to hold
		return nil, err
	}
	for _, model := range models {
		if _, err := model.Check(classes); err != nil {
			failed = append(failed, err)
		}
	}
	return failed, nil
}

// sensitiveCodes numbers the sensitive values of input and output (in
// ascending order when numeric, else in text order; output values absent
// from the input last) and returns the input's distribution by code.
func sensitiveCodes(input, output Table, col int, numeric bool) (map[string]int32, []float64) {
	if col < 0 {
		return nil, nil
	}
	count := map[string]int{}
	for _, r := range input.Rows {
		count[r[col]]++
	}
	values := make([]string, 0, len(count))
	for v := range count {
		values = append(values, v)
	}
	if numeric {
		num := func(s string) float64 { x, _ := strconv.ParseFloat(strings.TrimSpace(s), 64); return x }
		sort.Slice(values, func(a, b int) bool { return num(values[a]) < num(values[b]) })
	} else {
		sort.Strings(values)
	}
	code := make(map[string]int32, len(values))
	global := make([]float64, len(values))
	for i, v := range values {
		code[v] = int32(i)
		global[i] = float64(count[v]) / float64(len(input.Rows))
	}
	for _, r := range output.Rows {
		if col < len(r) {
			if _, ok := code[r[col]]; !ok {
				code[r[col]] = int32(len(code))
				global = append(global, 0)
			}
		}
	}
	return code, global
}

// verifyRange reads a released numeric range as the anonymizer or ARX writes it: "30-39", "[30,
// 39]", "30..39", "[-5 - 10)", an optional bracket before and after, spaces around the separator. By
// hand, not a regular expression: that was 2 % of the full worker's CPU.
func verifyRange(s string) (a, b float64, ok bool) {
	i := 0
	if i < len(s) && s[i] == '[' {
		i++
	}
	a, i, ok = rangeNumber(s, skipRangeSpace(s, i))
	if !ok {
		return 0, 0, false
	}
	switch i = skipRangeSpace(s, i); {
	case strings.HasPrefix(s[i:], ".."):
		i += 2
	case i < len(s) && (s[i] == '-' || s[i] == ','):
		i++
	default:
		return 0, 0, false
	}
	b, i, ok = rangeNumber(s, skipRangeSpace(s, i))
	if !ok {
		return 0, 0, false
	}
	if i = skipRangeSpace(s, i); i < len(s) && (s[i] == ']' || s[i] == ')') {
		i++
	}
	return a, b, i == len(s)
}

// skipRangeSpace skips the ASCII spaces a range may hold from s[i].
func skipRangeSpace(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r' || s[i] == '\f') {
		i++
	}
	return i
}

// rangeNumber reads -?digits(.digits)? from s[i] and returns it and the index after it.
func rangeNumber(s string, i int) (float64, int, bool) {
	start := i
	if i < len(s) && s[i] == '-' {
		i++
	}
	digits := func() bool {
		d := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		return i > d
	}
	if !digits() {
		return 0, start, false
	}
	if i+1 < len(s) && s[i] == '.' && s[i+1] >= '0' && s[i+1] <= '9' {
		i++
		digits()
	}
	v, err := strconv.ParseFloat(s[start:i], 64)
	return v, i, err == nil
}

// verifyCell returns a released cell's penalty and whether it covers in.
func verifyCell(numeric bool, kind string, covers map[string]map[string]bool, domain int, lo, hi float64, in, out string) (float64, bool) {
	if out == "*" {
		return 1, true
	}
	if !numeric {
		set, ok := covers[out]
		if !ok {
			return 1, false
		}
		p := 0.0
		if domain > 1 {
			p = math.Min(1, float64(len(set)-1)/float64(domain-1))
		}
		return p, set[in]
	}
	v, ok := verifyNumber(in, kind)
	if !ok {
		return 1, false
	}
	var a, b float64
	if kind == KindDate {
		x, y, found := strings.Cut(out, "..")
		if !found {
			y = x
		}
		var ok1, ok2 bool
		a, ok1 = verifyNumber(x, kind)
		b, ok2 = verifyNumber(y, kind)
		if !ok1 || !ok2 {
			return 1, false
		}
	} else if x, y, ok := verifyRange(strings.TrimSpace(out)); ok {
		a, b = x, y // first: a range is no float, and a failed ParseFloat allocates its error
	} else if x, err := strconv.ParseFloat(strings.TrimSpace(out), 64); err == nil {
		a, b = x, x
	} else {
		return 1, false
	}
	p := 0.0
	if hi > lo {
		p = (b - a) / (hi - lo)
	}
	return p, a <= v && v <= b
}

func verifyNumber(s, kind string) (float64, bool) {
	s = strings.TrimSpace(s)
	if kind == KindDate {
		t, err := time.Parse("2006-01-02", s)
		if err != nil {
			return 0, false
		}
		return float64(t.Unix()) / 86400, true
	}
	v, err := strconv.ParseFloat(s, 64)
	return v, err == nil && !math.IsNaN(v) && !math.IsInf(v, 0)
}

// verifyHierarchy maps every label of an ARX hierarchy to the leaves below it.
func verifyHierarchy(path, sep string) (map[string]map[string]bool, error) {
	under := map[string]map[string]bool{}
	if path == "" {
		return under, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("opening hierarchy %s: %w: %w", path, ErrHierarchy, err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for sc.Scan() {
		line := strings.TrimPrefix(strings.TrimRight(sc.Text(), "\r"), "\ufeff")
		if line == "" {
			continue
		}
		fields := strings.Split(line, sep)
		for _, lab := range fields {
			if under[lab] == nil {
				under[lab] = map[string]bool{}
			}
			under[lab][fields[0]] = true
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading hierarchy %s: %w: %w", path, ErrHierarchy, err)
	}
	return under, nil
}
