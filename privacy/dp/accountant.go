package dp

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"strings"
	"sync"
)

// stateVersion is the version of the stored ledger format.
const stateVersion = 1

// Accountant keeps one dataset's privacy spend: epsilon under basic
// composition (pure) or rho under additive composition (zcdp), exactly, as
// rationals. It is safe for concurrent use.
//
// The worker restores it from the compacted budget topic, and commits State()
// there before each release is published (internal/app/ledger.go). To undo a
// charge whose transaction aborted, keep State() from before the release and
// Restore it.
type Accountant struct {
	mu         sync.Mutex
	dataset    string
	accounting string
	budget     *big.Rat
	delta      float64
	spent      *big.Rat
	threshold  *big.Rat // summed delta of histogram key thresholding
	releases   uint64
}

// ledger is the stored state. Fields are in alphabetical order and numbers
// are exact rationals as strings, so the JSON is canonical.
type ledger struct {
	Accounting     string `json:"accounting"`
	Budget         string `json:"budget"`
	Dataset        string `json:"dataset"`
	Releases       uint64 `json:"releases"`
	Spent          string `json:"spent"`
	ThresholdDelta string `json:"threshold_delta"`
	Version        int    `json:"version"`
}

// NewAccountant returns an accountant with nothing spent for cfg's dataset.
// cfg should have passed Validate; defaults are applied here.
func NewAccountant(cfg Config) *Accountant {
	cfg = cfg.WithDefaults()
	return &Accountant{
		dataset:    cfg.Dataset,
		accounting: cfg.Accounting,
		budget:     ratFromFloat(cfg.Budget),
		delta:      cfg.Delta,
		spent:      new(big.Rat),
		threshold:  new(big.Rat),
	}
}

// Dataset returns the dataset the accountant keeps.
func (a *Accountant) Dataset() string { return a.dataset }

// Accounting returns Pure or ZCDP.
func (a *Accountant) Accounting() string { return a.accounting }

// Restore replaces the spend with a stored state. The stored budget is
// informational: the configured budget applies, so an operator can raise or
// lower it. A state of another dataset or accounting mode is refused with
// ErrState and the accountant is left unchanged.
func (a *Accountant) Restore(state []byte) error {
	var l ledger
	dec := json.NewDecoder(bytes.NewReader(state))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&l); err != nil {
		return fmt.Errorf("restoring budget of dataset %q: decoding ledger: %w: %w", a.dataset, ErrState, err)
	}
	if dec.Decode(&struct{}{}) != io.EOF {
		return fmt.Errorf("restoring budget of dataset %q: data after the ledger object: %w", a.dataset, ErrState)
	}
	if l.Version != stateVersion {
		return fmt.Errorf("restoring budget of dataset %q: ledger version %d, want %d: %w", a.dataset, l.Version, stateVersion, ErrState)
	}
	if l.Dataset != a.dataset {
		return fmt.Errorf("restoring budget of dataset %q: ledger belongs to dataset %q: %w", a.dataset, l.Dataset, ErrState)
	}
	if l.Accounting != a.accounting {
		return fmt.Errorf("restoring budget of dataset %q: ledger accounts %s, configuration %s: %w", a.dataset, l.Accounting, a.accounting, ErrState)
	}
	spent, err1 := parseAmount(l.Spent)
	thr, err2 := parseAmount(l.ThresholdDelta)
	if err1 != nil || err2 != nil {
		return fmt.Errorf("restoring budget of dataset %q: spent %q, threshold_delta %q must be non-negative rationals: %w",
			a.dataset, l.Spent, l.ThresholdDelta, ErrState)
	}
	a.mu.Lock()
	a.spent, a.threshold, a.releases = spent, thr, l.Releases
	a.mu.Unlock()
	return nil
}

func parseAmount(s string) (*big.Rat, error) {
	// A ledger amount is a few dozen digits; refuse absurd lengths, and
	// exponents before big.Rat could expand them.
	if len(s) == 0 || len(s) > 256 || strings.Trim(s, "0123456789/") != "" {
		return nil, ErrState
	}
	r, ok := new(big.Rat).SetString(s)
	if !ok || r.Sign() < 0 || r.RatString() != s { // only the canonical form State writes
		return nil, ErrState
	}
	return r, nil
}

// State returns the canonical JSON of the ledger (no record content).
func (a *Accountant) State() []byte {
	a.mu.Lock()
	l := ledger{
		Accounting:     a.accounting,
		Budget:         a.budget.RatString(),
		Dataset:        a.dataset,
		Releases:       a.releases,
		Spent:          a.spent.RatString(),
		ThresholdDelta: a.threshold.RatString(),
		Version:        stateVersion,
	}
	a.mu.Unlock()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(l); err != nil {
		panic("dp: encoding ledger of strings cannot fail: " + err.Error())
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

// Spent returns the spend and what remains of the budget (never negative),
// in epsilon (pure) or rho (zcdp).
func (a *Accountant) Spent() (spent, remaining float64) {
	a.mu.Lock()
	defer a.mu.Unlock()
	s, _ := a.spent.Float64()
	r := new(big.Rat).Sub(a.budget, a.spent)
	if r.Sign() < 0 {
		r.SetInt64(0)
	}
	rf, _ := r.Float64()
	return s, rf
}

// Charge spends cost (epsilon or rho, read as the decimal it prints as). If
// the total would exceed the budget it returns an error wrapping
// ErrBudgetExceeded and changes nothing.
func (a *Accountant) Charge(cost float64) error {
	if !positive(cost) {
		return fmt.Errorf("charging dataset %q: cost must be positive, got %v: %w", a.dataset, cost, ErrInvalidParameter)
	}
	return a.charge(ratFromFloat(cost), new(big.Rat))
}

// charge adds cost to the spend and thresholdDelta to the thresholding
// delta, or nothing if the budget would be exceeded.
func (a *Accountant) charge(cost, thresholdDelta *big.Rat) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	next := new(big.Rat).Add(a.spent, cost)
	if next.Cmp(a.budget) > 0 {
		return fmt.Errorf("charging dataset %q: spending %s %s on top of %s would exceed the budget of %s: %w",
			a.dataset, ratDecimal(cost), a.unit(), ratDecimal(a.spent), ratDecimal(a.budget), ErrBudgetExceeded)
	}
	a.spent = next
	a.threshold = new(big.Rat).Add(a.threshold, thresholdDelta)
	a.releases++
	return nil
}

func (a *Accountant) unit() string {
	if a.accounting == Pure {
		return "epsilon"
	}
	return "rho"
}

// EpsDelta is the dataset's total spend as (epsilon, delta)-DP: pure spend
// with the histogram thresholding delta, or zCDP converted at Config.Delta
// (ZCDPToApproxDP) plus that thresholding delta.
type EpsDelta struct {
	Epsilon float64 `json:"epsilon"`
	Delta   float64 `json:"delta"`
}

// EpsDelta reports the total spend as (epsilon, delta).
func (a *Accountant) EpsDelta() EpsDelta {
	a.mu.Lock()
	defer a.mu.Unlock()
	s, _ := a.spent.Float64()
	thr, _ := a.threshold.Float64()
	if a.accounting == Pure {
		return EpsDelta{Epsilon: s, Delta: thr}
	}
	if a.spent.Sign() == 0 {
		return EpsDelta{Delta: thr}
	}
	return EpsDelta{Epsilon: ZCDPToApproxDP(s, a.delta), Delta: a.delta + thr}
}

// ratDecimal prints r as a short decimal for messages.
func ratDecimal(r *big.Rat) string {
	f, _ := r.Float64()
	return fmt.Sprintf("%.6g", f)
}
