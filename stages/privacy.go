package stages

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/deidstream/deidstream/pipeline"
	"github.com/deidstream/deidstream/privacy"
)

// Privacy anonymizes a window and reports what the independent verifier
// measures on the released table, not what the algorithm believes it did.
//
// Two facts of the stream that a CSV file does not have are handled here:
// Safe Harbor top-codes ages ("90+"), which is read as 90 and written back
// with its "+" ("85-90+"), and a row whose numeric quasi-identifier is missing
// or not a number cannot be placed in any class, so it is suppressed (and
// counted) rather than failing the window.
type Privacy struct {
	cfg  privacy.Config
	anon *privacy.Anonymizer
}

// Anonymize applies the configured models to the window's rows.
func (p Privacy) Anonymize(columns []string, rows [][]string) (pipeline.Anonymized, error) {
	numeric := p.numericColumns(columns)
	out := pipeline.Anonymized{Rows: make([][]string, len(rows)), Suppressed: make([]bool, len(rows))}
	var placed []int // indexes of rows given to the anonymizer
	var in [][]string
	topCoded := map[int]map[string]bool{} // column -> bases read from "N+"
	for i, r := range rows {
		row, ok := r, true
		for _, c := range numeric {
			v := r[c]
			base, top := strings.CutSuffix(v, "+")
			if _, err := strconv.ParseFloat(base, 64); err != nil {
				ok = false
				break
			}
			if top {
				if &row[0] == &r[0] {
					row = append([]string(nil), r...)
				}
				row[c] = base
				if topCoded[c] == nil {
					topCoded[c] = map[string]bool{}
				}
				topCoded[c][base] = true
			}
		}
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
	table := privacy.Table{Columns: columns, Rows: in}
	res, err := p.anon.Anonymize(table)
	if err != nil {
		return pipeline.Anonymized{}, err
	}
	m, err := privacy.Verify(table, privacy.Table{Columns: columns, Rows: res.Rows}, p.cfg)
	if err != nil {
		// The release would break a configured model: refuse it rather than publish.
		return pipeline.Anonymized{}, fmt.Errorf("verifying anonymized window: %w", err)
	}
	for j, i := range placed {
		out.Rows[i], out.Suppressed[i] = res.Rows[j], res.Suppressed[j]
	}
	// Mark by value, not by row, so every row of a class keeps one label.
	for c, bases := range topCoded {
		for _, r := range res.Rows {
			v := r[c]
			if i := strings.LastIndexByte(v, '-'); i > 0 {
				v = v[i+1:]
			}
			if bases[v] {
				r[c] += "+"
			}
		}
	}
	out.Achieved = pipeline.PrivacySummary{K: m.K, L: m.L, T: m.T, NCP: m.NCP, Classes: m.Classes}
	return out, nil
}

// numericColumns are the indexes of the numeric quasi-identifiers.
func (p Privacy) numericColumns(columns []string) []int {
	var out []int
	for _, q := range p.cfg.QuasiIdentifiers {
		if q.Kind != privacy.KindNumeric {
			continue
		}
		for i, c := range columns {
			if c == q.Name {
				out = append(out, i)
			}
		}
	}
	return out
}
