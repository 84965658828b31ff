package dp

import (
	"errors"
	"fmt"
	"math"
	"strings"
)

// Accounting modes.
const (
	Pure = "pure" // epsilon-DP, discrete Laplace noise, basic composition
	ZCDP = "zcdp" // rho-zCDP, discrete Gaussian noise, additive composition
)

// DefaultDelta is Config.Delta when unset.
const DefaultDelta = 1e-6

// maxBound keeps bounds in grid units exactly representable in a float64.
const maxBound = 1 << 40

// Config is the dp section of the worker configuration.
type Config struct {
	// Dataset names the budget (the key of the compacted budget topic). Required.
	Dataset string `yaml:"dataset"`
	// Accounting is "pure" (epsilon) or "zcdp" (rho). Default "zcdp".
	Accounting string `yaml:"accounting"`
	// Budget is the dataset's total epsilon (pure) or rho (zcdp). Required, > 0.
	Budget float64 `yaml:"budget"`
	// Delta is the delta at which zCDP spend is reported as (epsilon, delta),
	// and the probability bound of histogram key thresholding. Default 1e-6.
	Delta float64 `yaml:"delta"`
	// PerRelease is the epsilon or rho one window's release spends, split
	// evenly over its queries. Required when any query is configured.
	PerRelease float64 `yaml:"per_release"`
	// Count releases the window's noisy record count. Default false.
	Count bool `yaml:"count"`
	// GroupBy lists histograms: each entry is a comma-separated column list
	// ("sex" or "sex,race"), one noisy histogram over its joint values.
	GroupBy []string `yaml:"group_by"`
	// Sums lists clipped sums; each also yields a mean (noisy sum / noisy count).
	Sums []Bounded `yaml:"sums"`
	// RecordNoise lists columns perturbed per record by PerturbRows.
	RecordNoise []RecordNoise `yaml:"record_noise"`
}

// Bounded is a numeric column with declared bounds; values are clipped into
// [Lower, Upper]. Bounds have at most 6 decimal places.
type Bounded struct {
	Column string  `yaml:"column"`
	Lower  float64 `yaml:"lower"`
	Upper  float64 `yaml:"upper"`
}

// RecordNoise is a numeric column perturbed per record with Epsilon-local DP.
type RecordNoise struct {
	Column  string  `yaml:"column"`
	Lower   float64 `yaml:"lower"`
	Upper   float64 `yaml:"upper"`
	Epsilon float64 `yaml:"epsilon"`
}

// WithDefaults returns c with unset fields at their defaults.
func (c Config) WithDefaults() Config {
	if c.Accounting == "" {
		c.Accounting = ZCDP
	}
	if c.Delta == 0 {
		c.Delta = DefaultDelta
	}
	return c
}

// Validate reports every problem of c (after defaults), each naming its key,
// joined and wrapping ErrInvalidConfig.
func (c Config) Validate() error {
	c = c.WithDefaults()
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("dp."+format+": %w", append(args, ErrInvalidConfig)...))
	}
	if strings.TrimSpace(c.Dataset) == "" {
		bad("dataset: required (it keys the budget ledger)")
	}
	if c.Accounting != Pure && c.Accounting != ZCDP {
		bad("accounting: %q is not %q or %q", c.Accounting, Pure, ZCDP)
	}
	if !positive(c.Budget) {
		bad("budget: must be a positive number, got %v", c.Budget)
	}
	if !(c.Delta > 0 && c.Delta < 1) {
		bad("delta: must be in (0, 1), got %v", c.Delta)
	}
	queries := c.queries()
	switch {
	case queries > 0 && !positive(c.PerRelease):
		bad("per_release: must be positive when count, group_by or sums are set, got %v", c.PerRelease)
	case c.PerRelease < 0 || math.IsNaN(c.PerRelease):
		bad("per_release: must not be negative, got %v", c.PerRelease)
	case positive(c.Budget) && c.PerRelease > c.Budget:
		bad("per_release: %v exceeds budget %v, no release could ever happen", c.PerRelease, c.Budget)
	}
	for i, g := range c.GroupBy {
		for _, col := range strings.Split(g, ",") {
			if strings.TrimSpace(col) == "" {
				bad("group_by[%d]: empty column name in %q", i, g)
				break
			}
		}
	}
	for i, s := range c.Sums {
		for _, e := range checkBounds(s.Column, s.Lower, s.Upper) {
			bad("sums[%d].%s", i, e)
		}
	}
	errs = append(errs, c.validateRecordNoise())
	return errors.Join(errs...)
}

// validateRecordNoise checks only record_noise, all PerturbRows needs.
func (c Config) validateRecordNoise() error {
	var errs []error
	for i, r := range c.RecordNoise {
		for _, e := range checkBounds(r.Column, r.Lower, r.Upper) {
			errs = append(errs, fmt.Errorf("dp.record_noise[%d].%s: %w", i, e, ErrInvalidConfig))
		}
		if !positive(r.Epsilon) {
			errs = append(errs, fmt.Errorf("dp.record_noise[%d].epsilon: must be positive, got %v: %w", i, r.Epsilon, ErrInvalidConfig))
		}
	}
	return errors.Join(errs...)
}

func checkBounds(col string, lo, hi float64) []string {
	var out []string
	places := max(decimals(lo), decimals(hi))
	if strings.TrimSpace(col) == "" {
		out = append(out, "column: required")
	}
	for _, b := range []struct {
		key string
		v   float64
	}{{"lower", lo}, {"upper", hi}} {
		switch {
		case math.IsNaN(b.v) || math.IsInf(b.v, 0):
			out = append(out, b.key+": must be finite")
		case decimals(b.v) > maxDecimals:
			out = append(out, fmt.Sprintf("%s: %v has more than %d decimal places", b.key, b.v, maxDecimals))
		case math.Abs(b.v)*math.Pow10(places) > maxBound:
			out = append(out, fmt.Sprintf("%s: %v is too large for an exact grid (|value| * 10^decimals must be at most 2^40)", b.key, b.v))
		}
	}
	if !(lo < hi) {
		out = append(out, fmt.Sprintf("upper: must exceed lower (%v), got %v", lo, hi))
	}
	return out
}

func positive(f float64) bool { return f > 0 && !math.IsInf(f, 0) }

// queries is the number of noisy queries one release answers: the count
// (also computed when sums need it for means), each histogram, each sum.
func (c Config) queries() int {
	n := len(c.GroupBy) + len(c.Sums)
	if c.Count || len(c.Sums) > 0 {
		n++
	}
	return n
}

// groupColumns splits a group_by entry into trimmed column names.
func groupColumns(entry string) []string {
	cols := strings.Split(entry, ",")
	for i := range cols {
		cols[i] = strings.TrimSpace(cols[i])
	}
	return cols
}
