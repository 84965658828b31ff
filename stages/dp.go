package stages

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/deidstream/deidstream/pipeline"
	"github.com/deidstream/deidstream/privacy/dp"
)

// DP releases noisy statistics per window and keeps the budget ledger in step
// with the transaction: a charge is forgotten when the window aborts.
type DP struct {
	cfg       dp.Config
	acct      *dp.Accountant
	committed []byte // ledger state as of the last committed window
	src       dp.Source
}

func newDP(cfg dp.Config, ledger []byte) (*DP, error) {
	d := &DP{cfg: cfg.WithDefaults(), src: dp.CryptoSource()}
	d.acct = dp.NewAccountant(d.cfg)
	if ledger != nil {
		if err := d.acct.Restore(ledger); err != nil {
			return nil, fmt.Errorf("restoring budget ledger of dataset %s: %w", cfg.Dataset, err)
		}
	}
	d.committed = d.acct.State()
	return d, nil
}

// Release charges the budget and returns the sealed-to-be statistics, or a refusal.
func (d *DP) Release(columns []string, rows [][]string) (*pipeline.Release, error) {
	st, err := dp.Release(d.cfg, d.acct, columns, rows, d.src)
	spent, remaining := d.acct.Spent()
	rel := &pipeline.Release{Dataset: d.cfg.Dataset, Spent: spent, Remaining: remaining, Budget: d.cfg.Budget,
		Accounting: d.cfg.Accounting}
	if errors.Is(err, dp.ErrBudgetExceeded) {
		rel.Refused = true
		return rel, nil
	}
	if err != nil {
		return nil, err
	}
	if rel.Stats, err = json.Marshal(st); err != nil {
		return nil, fmt.Errorf("encoding DP statistics: %w", err)
	}
	rel.Ledger = d.acct.State()
	return rel, nil
}

// Perturb adds per-record noise to the configured numeric columns of released rows.
func (d *DP) Perturb(columns []string, rows [][]string) error {
	if len(d.cfg.RecordNoise) == 0 {
		return nil
	}
	return dp.PerturbRows(d.cfg, columns, rows, d.src)
}

// Commit keeps the charges of the window that just committed.
func (d *DP) Commit() { d.committed = d.acct.State() }

// Abort forgets the charges of the window that aborted.
func (d *DP) Abort() {
	// Restore cannot fail on a state this accountant produced itself.
	_ = d.acct.Restore(d.committed)
}
