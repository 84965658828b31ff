package dp

import (
	"encoding/json"
	"errors"
	"fmt"
	"sync"
)

// Releaser ties Release to the pipeline's transactions: Release charges the
// accountant, Commit keeps every charge since the last Commit or Abort, and
// Abort puts the ledger back as it was then. It is safe for concurrent use,
// though one window at a time is the intended pattern.
type Releaser struct {
	cfg  Config
	acct *Accountant
	src  Source

	mu      sync.Mutex
	pending []byte // ledger state before the first uncommitted release; nil if none
}

// ReleaserOption configures a Releaser.
type ReleaserOption func(*Releaser)

// WithSource sets the randomness (default CryptoSource; SeededSource only in tests).
func WithSource(s Source) ReleaserOption { return func(r *Releaser) { r.src = s } }

// NewReleaser validates cfg and returns a Releaser charging acct, which the
// caller has restored from the budget topic.
func NewReleaser(cfg Config, acct *Accountant, opts ...ReleaserOption) (*Releaser, error) {
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("creating releaser: %w", err)
	}
	if acct == nil || acct.Dataset() != cfg.Dataset || acct.accounting != cfg.Accounting {
		return nil, fmt.Errorf("creating releaser for dataset %q: accountant keeps another dataset or accounting mode: %w", cfg.Dataset, ErrState)
	}
	r := &Releaser{cfg: cfg, acct: acct, src: CryptoSource()}
	for _, o := range opts {
		o(r)
	}
	return r, nil
}

// WindowRelease is one window's outcome, shaped for the publish step.
type WindowRelease struct {
	Dataset string
	Stats   *Stats // nil when refused
	JSON    []byte // Stats as JSON, to seal for the stats topic; nil when refused
	Ledger  []byte // the ledger state to write to the budget topic (unchanged when refused)
	// Refused means the budget would have been exceeded: nothing was
	// released or charged. Err keeps the refusal (wrapping ErrBudgetExceeded)
	// for the audit event; it names the dataset and amounts, never values.
	Refused          bool
	Err              error
	Spent, Remaining float64
}

// Release computes and charges one window. A refusal for lack of budget is
// not an error: it comes back as Refused.
func (r *Releaser) Release(columns []string, rows [][]string) (*WindowRelease, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	before := r.acct.State()
	st, err := Release(r.cfg, r.acct, columns, rows, r.src)
	out := &WindowRelease{Dataset: r.cfg.Dataset}
	switch {
	case errors.Is(err, ErrBudgetExceeded):
		out.Refused, out.Err = true, err
	case err != nil:
		return nil, err
	default:
		if out.JSON, err = json.Marshal(st); err != nil {
			// Undo the charge: nothing will be published.
			if rerr := r.acct.Restore(before); rerr != nil {
				return nil, errors.Join(fmt.Errorf("encoding statistics: %w", err), rerr)
			}
			return nil, fmt.Errorf("encoding statistics of dataset %q: %w", r.cfg.Dataset, err)
		}
		out.Stats = st
		if r.pending == nil {
			r.pending = before
		}
	}
	out.Ledger = r.acct.State()
	out.Spent, out.Remaining = r.acct.Spent()
	return out, nil
}

// Commit keeps the charges made since the last Commit or Abort.
func (r *Releaser) Commit() {
	r.mu.Lock()
	r.pending = nil
	r.mu.Unlock()
}

// Abort forgets the charges made since the last Commit or Abort, because
// their transaction was not committed.
func (r *Releaser) Abort() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.pending == nil {
		return
	}
	// The state was produced by this accountant, so Restore cannot refuse it.
	if err := r.acct.Restore(r.pending); err != nil {
		panic("dp: restoring the accountant's own state failed: " + err.Error())
	}
	r.pending = nil
}
