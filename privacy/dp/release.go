package dp

import (
	"fmt"
	"math/big"
	"slices"
	"strconv"
	"strings"
)

// Stats is one window's differentially private release. It marshals to the
// JSON published (sealed) on the stats topic.
type Stats struct {
	Dataset string `json:"dataset"`
	// WindowRowsNoisy is the noisy record count; null when neither count nor
	// sums are configured.
	WindowRowsNoisy *int64      `json:"window_rows_noisy"`
	Histograms      []Histogram `json:"histograms"`
	Sums            []NoisySum  `json:"sums"`
	Means           []NoisyMean `json:"means"`
	// Cost is what this release spent, epsilon or rho.
	Cost Cost `json:"cost"`
	// Spent and Remaining are the dataset's totals after this release.
	Spent     float64  `json:"spent"`
	Remaining float64  `json:"remaining"`
	EpsDelta  EpsDelta `json:"eps_delta"`
	// Unparsed counts, per sum column, cells that were not numbers (taken as
	// the lower bound). It is exact, hence not differentially private, and is
	// left out of the JSON: it is for metrics and audit only.
	Unparsed map[string]int64 `json:"-"`
}

// Cost is a release's privacy cost; exactly one field is set.
type Cost struct {
	Epsilon *float64 `json:"epsilon,omitempty"`
	Rho     *float64 `json:"rho,omitempty"`
}

// Histogram is a noisy histogram over the joint values of Columns. Only keys
// whose noisy count reached Threshold are listed (see the package doc).
type Histogram struct {
	Columns   []string `json:"columns"`
	Threshold int64    `json:"threshold"`
	Bins      []Bin    `json:"bins"`
}

// Bin is one key of a histogram and its noisy count.
type Bin struct {
	Values []string `json:"values"`
	Count  int64    `json:"count"`
}

// NoisySum is a clipped sum with noise.
type NoisySum struct {
	Column string  `json:"column"`
	Lower  float64 `json:"lower"`
	Upper  float64 `json:"upper"`
	Sum    float64 `json:"sum"`
}

// NoisyMean is NoisySum divided by the noisy count, clamped to at least 1.
type NoisyMean struct {
	Column string  `json:"column"`
	Mean   float64 `json:"mean"`
}

// Release computes a window's noisy statistics and charges acct. PerRelease
// is split evenly over the queries (count, each histogram, each sum); the
// count is computed whenever sums are, since means divide by it. All noise is
// drawn before the charge, and the charge is the last step: if it fails with
// ErrBudgetExceeded (wrapped) nothing is released and acct is unchanged, as
// on any other error. Cells are strings; a sum cell that does not parse is
// taken as its lower bound and counted in Stats.Unparsed.
func Release(cfg Config, acct *Accountant, columns []string, rows [][]string, rnd Source) (*Stats, error) {
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("releasing statistics: %w", err)
	}
	if acct == nil || acct.Dataset() != cfg.Dataset || acct.accounting != cfg.Accounting {
		return nil, fmt.Errorf("releasing statistics of dataset %q: accountant keeps another dataset or accounting mode: %w", cfg.Dataset, ErrState)
	}
	q := cfg.queries()
	if q == 0 {
		return nil, fmt.Errorf("releasing statistics of dataset %q: no count, group_by or sums configured: %w", cfg.Dataset, ErrInvalidConfig)
	}
	index := make(map[string]int, len(columns))
	for i, c := range columns {
		index[c] = i
	}
	col := func(name string) (int, error) {
		i, ok := index[name]
		if !ok {
			return 0, fmt.Errorf("releasing statistics of dataset %q: column %q: %w", cfg.Dataset, name, ErrUnknownColumn)
		}
		return i, nil
	}
	total := ratFromFloat(cfg.PerRelease)
	each := new(big.Rat).Quo(total, new(big.Rat).SetInt64(int64(q)))
	st := &Stats{Dataset: cfg.Dataset, Histograms: []Histogram{}, Sums: []NoisySum{}, Means: []NoisyMean{}}

	var noisyCount int64
	if cfg.Count || len(cfg.Sums) > 0 {
		n, err := noisyValue(cfg.Accounting, 1, each, big.NewInt(int64(len(rows))), rnd)
		if err != nil {
			return nil, fmt.Errorf("releasing count of dataset %q: %w", cfg.Dataset, err)
		}
		noisyCount = n
		st.WindowRowsNoisy = &noisyCount
	}

	for _, entry := range cfg.GroupBy {
		names := groupColumns(entry)
		idx := make([]int, len(names))
		for i, name := range names {
			var err error
			if idx[i], err = col(name); err != nil {
				return nil, err
			}
		}
		h, err := histogram(cfg, names, idx, rows, each, rnd)
		if err != nil {
			return nil, fmt.Errorf("releasing histogram %q of dataset %q: %w", entry, cfg.Dataset, err)
		}
		st.Histograms = append(st.Histograms, h)
	}

	for _, s := range cfg.Sums {
		i, err := col(s.Column)
		if err != nil {
			return nil, err
		}
		g := newGrid(s.Lower, s.Upper)
		sum, unparsed := clippedSum(g, i, rows)
		if unparsed > 0 {
			if st.Unparsed == nil {
				st.Unparsed = map[string]int64{}
			}
			st.Unparsed[s.Column] += unparsed
		}
		sens := max(abs(g.lo), abs(g.hi))
		v, err := noisyValue(cfg.Accounting, sens, each, sum, rnd)
		if err != nil {
			return nil, fmt.Errorf("releasing sum of column %q of dataset %q: %w", s.Column, cfg.Dataset, err)
		}
		noisy := g.value(float64(v))
		st.Sums = append(st.Sums, NoisySum{Column: s.Column, Lower: s.Lower, Upper: s.Upper, Sum: noisy})
		st.Means = append(st.Means, NoisyMean{Column: s.Column, Mean: noisy / float64(max(noisyCount, 1))})
	}

	thresholdDelta := new(big.Rat).Mul(ratFromFloat(cfg.Delta), new(big.Rat).SetInt64(int64(len(cfg.GroupBy))))
	if err := acct.charge(total, thresholdDelta); err != nil {
		return nil, fmt.Errorf("releasing statistics: %w", err)
	}
	cost, _ := total.Float64()
	if cfg.Accounting == Pure {
		st.Cost.Epsilon = &cost
	} else {
		st.Cost.Rho = &cost
	}
	st.Spent, st.Remaining = acct.Spent()
	st.EpsDelta = acct.EpsDelta()
	return st, nil
}

// noisyValue returns exact + noise calibrated to sens and cost, as an
// int64; a noisy value beyond int64 is an ErrOverflow.
func noisyValue(accounting string, sens int64, cost *big.Rat, exact *big.Int, rnd Source) (int64, error) {
	n, err := calibrate(accounting, sens, cost)
	if err != nil {
		return 0, err
	}
	z, err := n.Sample(rnd)
	if err != nil {
		return 0, fmt.Errorf("drawing noise: %w", err)
	}
	v := new(big.Int).Add(exact, big.NewInt(z))
	if !v.IsInt64() {
		return 0, fmt.Errorf("adding noise: %w", ErrOverflow)
	}
	return v.Int64(), nil
}

func histogram(cfg Config, names []string, idx []int, rows [][]string, cost *big.Rat, rnd Source) (Histogram, error) {
	type bin struct {
		values []string
		count  int64
	}
	bins := map[string]*bin{}
	var key strings.Builder
	vals := make([]string, len(idx))
	for _, r := range rows {
		key.Reset()
		for j, c := range idx {
			vals[j] = cell(r, c)
			// Length-prefixed, so no value can forge a separator.
			key.WriteString(strconv.Itoa(len(vals[j])))
			key.WriteByte(':')
			key.WriteString(vals[j])
		}
		b := bins[key.String()]
		if b == nil {
			b = &bin{values: slices.Clone(vals)}
			bins[key.String()] = b
		}
		b.count++
	}
	n, err := calibrate(cfg.Accounting, 1, cost)
	if err != nil {
		return Histogram{}, err
	}
	h := Histogram{Columns: names, Threshold: threshold(n, cfg.Delta), Bins: []Bin{}}
	// Sorted before drawing, so a seed reproduces a release.
	sorted := make([]*bin, 0, len(bins))
	for _, b := range bins {
		sorted = append(sorted, b)
	}
	slices.SortFunc(sorted, func(a, b *bin) int { return slices.Compare(a.values, b.values) })
	for _, b := range sorted {
		z, err := n.Sample(rnd)
		if err != nil {
			return Histogram{}, fmt.Errorf("drawing noise: %w", err)
		}
		if c := b.count + z; c >= h.Threshold {
			h.Bins = append(h.Bins, Bin{Values: b.values, Count: c})
		}
	}
	return h, nil
}

// clippedSum adds the column's cells clipped to the grid, exactly.
func clippedSum(g grid, col int, rows [][]string) (*big.Int, int64) {
	sum := new(big.Int)
	var acc, unparsed int64
	const flush = 1 << 62 // addends are at most 2^40 in size: no overflow before a flush
	for _, r := range rows {
		v, ok := g.units(cell(r, col))
		if !ok {
			unparsed++
		}
		acc += v
		if acc > flush || acc < -flush {
			sum.Add(sum, big.NewInt(acc))
			acc = 0
		}
	}
	return sum.Add(sum, big.NewInt(acc)), unparsed
}

// cell returns row[i], or "" for a short row.
func cell(row []string, i int) string {
	if i < len(row) {
		return row[i]
	}
	return ""
}

func abs(v int64) int64 { return max(v, -v) }
