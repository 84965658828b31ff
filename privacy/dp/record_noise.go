package dp

import (
	"fmt"
	"math/big"
)

// PerturbReport says what Perturb did; counts only, never values.
type PerturbReport struct {
	Rows int
	// Unparsed counts, per column, cells that were not numbers and were
	// perturbed as the lower bound.
	Unparsed map[string]int64
}

// PerturbRows replaces, in place, every cell of the configured record_noise
// columns with a noisy value; see Perturb.
func PerturbRows(cfg Config, columns []string, rows [][]string, rnd Source) error {
	_, err := Perturb(cfg, columns, rows, rnd)
	return err
}

// Perturb adds per-record noise to the configured record_noise columns.
//
// For a column with bounds [lower, upper] and epsilon, on the grid of the
// bounds' decimal places (unit u = 10^-places), each cell x is clipped and
// rounded to c(x) in [lower, upper] and replaced by c(x) + u*Z, where Z is
// discrete Laplace of scale (upper-lower)/(u*epsilon) (in grid units), drawn
// afresh per cell. This is epsilon-local differential privacy for that cell:
// for any two cell values x, x' and any output y,
// P[y | x] <= exp(epsilon * |c(x)-c(x')|/(upper-lower)) P[y | x'] <= exp(epsilon) P[y | x'].
// A record's noisy columns together are (sum of their epsilons)-LDP; the
// guarantee covers only these cells, not the record's other columns, and the
// per-record noise is not charged to the Accountant. Outputs are not clipped
// again (they may leave the bounds), which keeps them unbiased for [lower,
// upper] data; they are written with the grid's decimal places. A cell that
// does not parse as a number is perturbed as the lower bound and counted.
//
// Rows are changed only if every draw succeeds.
func Perturb(cfg Config, columns []string, rows [][]string, rnd Source) (PerturbReport, error) {
	rep := PerturbReport{Rows: len(rows)}
	if err := cfg.validateRecordNoise(); err != nil {
		return rep, fmt.Errorf("perturbing rows: %w", err)
	}
	index := make(map[string]int, len(columns))
	for i, c := range columns {
		index[c] = i
	}
	type change struct {
		col  int
		vals []string
	}
	changes := make([]change, 0, len(cfg.RecordNoise))
	for _, rn := range cfg.RecordNoise {
		ci, ok := index[rn.Column]
		if !ok {
			return rep, fmt.Errorf("perturbing rows: column %q: %w", rn.Column, ErrUnknownColumn)
		}
		g := newGrid(rn.Lower, rn.Upper)
		scale := new(big.Rat).SetInt64(g.hi - g.lo)
		lap, err := NewDiscreteLaplace(scale.Quo(scale, ratFromFloat(rn.Epsilon)))
		if err != nil {
			return rep, fmt.Errorf("perturbing column %q: %w", rn.Column, err)
		}
		vals := make([]string, len(rows))
		for i, r := range rows {
			v, ok := g.units(cell(r, ci))
			if !ok {
				if rep.Unparsed == nil {
					rep.Unparsed = map[string]int64{}
				}
				rep.Unparsed[rn.Column]++
			}
			z, err := lap.Sample(rnd)
			if err != nil {
				return rep, fmt.Errorf("perturbing column %q: drawing noise: %w", rn.Column, err)
			}
			vals[i] = g.format(v + z)
		}
		changes = append(changes, change{ci, vals})
	}
	for _, ch := range changes {
		for i, r := range rows {
			if ch.col < len(r) {
				r[ch.col] = ch.vals[i]
			}
		}
	}
	return rep, nil
}
