package privacy

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/deidstream/deidstream/deid"
)

// WindowAnonymizer anonymizes one window of a stream and reports what the
// independent verifier measures on the released table, not what the
// algorithm believes it did.
//
// The stream has facts a CSV file does not: Safe Harbor top-codes ages
// ("90+"), read as 90 and written back with its "+" ("85-90+"); and a row
// whose quasi-identifier is missing, not a number or date, or not in its
// hierarchy cannot be placed in any class, so it is suppressed (and counted)
// instead of failing the window. A window too small for the models is
// withheld whole.
type WindowAnonymizer struct {
	cfg  Config
	anon *Anonymizer
	qis  []qiCheck
}

// qiCheck tells whether a cell of one quasi-identifier can be placed.
type qiCheck struct {
	name string
	kind string
	hier *Hierarchy // categorical with a hierarchy file; nil otherwise
}

// NewWindowAnonymizer loads the hierarchies of cfg once, for every window.
func NewWindowAnonymizer(cfg Config) (*WindowAnonymizer, error) {
	anon, err := NewAnonymizer(cfg, WithSuppressUnsatisfiable())
	if err != nil {
		return nil, err
	}
	p := &WindowAnonymizer{cfg: cfg, anon: anon}
	for _, q := range cfg.QuasiIdentifiers {
		c := qiCheck{name: q.Name, kind: q.Kind}
		if (q.Kind == "" || q.Kind == KindCategorical) && q.Hierarchy != "" {
			if c.hier, err = LoadHierarchy(q.Hierarchy, cfg.Separator); err != nil {
				return nil, err
			}
		}
		p.qis = append(p.qis, c)
	}
	return p, nil
}

// place returns the value to anonymize for a cell, whether it was top-coded,
// and false if the cell cannot be placed in any class.
func (c qiCheck) place(v string) (string, bool, bool) {
	switch {
	case c.kind == KindNumeric:
		base, top := strings.CutSuffix(v, "+")
		_, err := strconv.ParseFloat(base, 64)
		return base, top, err == nil
	case c.kind == KindDate:
		_, err := time.Parse(DateLayout, v)
		return v, false, err == nil
	case c.hier != nil:
		_, ok := c.hier.Leaf(v)
		return v, false, ok
	}
	return v, false, true // flat hierarchy: any value is its own leaf
}

// WindowResult is a window after the models: rows in input order, and the
// summary an audit event records: the configured parameters, and what the
// verifier measured on the released rows (zero when nothing is released).
type WindowResult struct {
	Rows       [][]string
	Suppressed []bool
	Summary    deid.PrivacySummary
}

// Anonymize applies the configured models to the window's rows; a row whose
// quasi-identifier no class can hold is suppressed, and the release is
// verified before it is returned.
func (p *WindowAnonymizer) Anonymize(columns []string, rows [][]string) (WindowResult, error) {
	idx, err := p.columnIndex(columns)
	if err != nil {
		return WindowResult{}, err
	}
	out := WindowResult{Rows: make([][]string, len(rows)), Suppressed: make([]bool, len(rows)),
		Summary: summary(p.cfg, nil)}
	var placed []int // indexes of rows given to the anonymizer
	var in [][]string
	topCoded := topCoded{} // column -> bases read from "N+"
	for i, r := range rows {
		row, ok := p.placeRow(r, idx, topCoded)
		if !ok {
			out.Suppressed[i] = true
			continue
		}
		placed = append(placed, i)
		in = append(in, row)
	}
	if len(in) == 0 {
		return out, nil
	}
	table := Table{Columns: columns, Rows: in}
	res, err := p.anon.Anonymize(table)
	if err != nil {
		return WindowResult{}, err
	}
	released := 0
	for j, i := range placed {
		out.Rows[i], out.Suppressed[i] = res.Rows[j], res.Suppressed[j]
		if !res.Suppressed[j] {
			released++
		}
	}
	if released == 0 {
		return out, nil // withheld whole: nothing released, nothing to verify
	}
	m, err := Verify(table, Table{Columns: columns, Rows: res.Rows}, p.cfg)
	if err != nil {
		// The release would break a configured model: refuse it rather than publish.
		return WindowResult{}, fmt.Errorf("verifying anonymized window: %w", err)
	}
	topCoded.mark(res.Rows)
	out.Summary = summary(p.cfg, &m)
	return out, nil
}

// columnIndex finds each quasi-identifier among the output columns.
func (p *WindowAnonymizer) columnIndex(columns []string) ([]int, error) {
	idx := make([]int, len(p.qis))
	for i, q := range p.qis {
		idx[i] = -1
		for c, name := range columns {
			if name == q.name {
				idx[i] = c
			}
		}
		if idx[i] < 0 {
			return nil, fmt.Errorf("anonymizing: quasi-identifier %q is not an output column", q.name)
		}
	}
	return idx, nil
}

// placeRow returns the row to anonymize (top-coded values read as their
// base, noted in top), or false if no class can hold it.
func (p *WindowAnonymizer) placeRow(r []string, idx []int, top topCoded) ([]string, bool) {
	row := r
	for q, c := range idx {
		v, isTop, fits := p.qis[q].place(r[c])
		if !fits {
			return nil, false
		}
		if isTop {
			if &row[0] == &r[0] {
				row = append([]string(nil), r...)
			}
			row[c] = v
			top.add(c, v)
		}
	}
	return row, true
}

// topCoded is, per column, the bases read from top-coded values ("90+").
type topCoded map[int]map[string]bool

func (t topCoded) add(c int, base string) {
	if t[c] == nil {
		t[c] = map[string]bool{}
	}
	t[c][base] = true
}

// mark writes the "+" back on released labels whose upper end is a
// top-coded base: by value, not by row, so every row of a class keeps one label.
func (t topCoded) mark(rows [][]string) {
	for c, bases := range t {
		for _, r := range rows {
			if r == nil {
				continue
			}
			v := r[c]
			if i := strings.LastIndexByte(v, '-'); i > 0 {
				v = v[i+1:]
			}
			if bases[v] {
				r[c] += "+"
			}
		}
	}
}
