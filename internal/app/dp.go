package app

import (
	"fmt"

	"github.com/deidstream/deidstream/deid"
	"github.com/deidstream/deidstream/pipeline"
	"github.com/deidstream/deidstream/privacy/dp"
)

// DP releases noisy statistics per window through dp.Releaser, whose
// Commit/Abort keep the budget ledger in step with the transaction.
type DP struct {
	cfg dp.Config
	rel *dp.Releaser
}

func newDP(cfg dp.Config, ledger []byte) (*DP, error) {
	cfg = cfg.WithDefaults()
	acct := dp.NewAccountant(cfg)
	if ledger != nil {
		if err := acct.Restore(ledger); err != nil {
			return nil, fmt.Errorf("restoring budget ledger of dataset %s: %w", cfg.Dataset, err)
		}
	}
	rel, err := dp.NewReleaser(cfg, acct)
	if err != nil {
		return nil, err
	}
	return &DP{cfg: cfg, rel: rel}, nil
}

// Release charges the budget and returns the statistics to seal, or a refusal.
func (d *DP) Release(columns []string, rows [][]string) (*pipeline.Release, error) {
	r, err := d.rel.Release(columns, rows)
	if err != nil {
		return nil, err
	}
	return &pipeline.Release{Stats: r.JSON, Ledger: r.Ledger, Summary: deid.DPSummary{Dataset: r.Dataset, Refused: r.Refused,
		Accounting: d.cfg.Accounting, Budget: d.cfg.Budget, Spent: r.Spent, Remaining: r.Remaining}}, nil
}

// Perturb adds per-record noise to the configured numeric columns of released rows.
func (d *DP) Perturb(columns []string, rows [][]string) error {
	if len(d.cfg.RecordNoise) == 0 {
		return nil
	}
	return dp.PerturbRows(d.cfg, columns, rows, dp.CryptoSource())
}

// Commit keeps the charges of the window that just committed.
func (d *DP) Commit() { d.rel.Commit() }

// Abort forgets the charges of the window that aborted.
func (d *DP) Abort() { d.rel.Abort() }
