package app

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/deidstream/deidstream/deid"
	"github.com/deidstream/deidstream/pipeline"
	"github.com/deidstream/deidstream/privacy/dp"
)

// DP releases noisy statistics per window through dp.Releaser and charges the
// dataset's ledger, shared by every worker, before the window publishes them:
// a release is published only once its charge is committed (ledger.go).
type DP struct {
	cfg    dp.Config
	acct   *dp.Accountant
	rel    *dp.Releaser
	ledger *ledger
	// chargeTimeout bounds one window's charge, retries included; it is
	// spent inside the window's transaction, so it stays well under its timeout.
	chargeTimeout time.Duration
}

func newDP(cfg dp.Config, l *ledger, chargeTimeout time.Duration) (*DP, error) {
	cfg = cfg.WithDefaults()
	acct := dp.NewAccountant(cfg)
	rel, err := dp.NewReleaser(cfg, acct)
	if err != nil {
		return nil, err
	}
	return &DP{cfg: cfg, acct: acct, rel: rel, ledger: l, chargeTimeout: chargeTimeout}, nil
}

// Release computes the statistics, charges the shared ledger and returns them
// to seal, or a refusal. The charge is committed before Release returns; if
// another worker charged first, the ledger is read again and the release
// computed anew (the discarded one was never published). A refusal writes
// nothing. The returned Release has no Ledger: the window does not write it.
func (d *DP) Release(columns []string, rows [][]string) (*pipeline.Release, error) {
	ctx, cancel := context.WithTimeout(context.Background(), d.chargeTimeout)
	defer cancel()
	for {
		if !d.ledger.held() {
			if err := d.sync(ctx); err != nil {
				return nil, err
			}
		}
		r, err := d.rel.Release(columns, rows)
		if err != nil {
			return nil, err
		}
		if !r.Refused {
			err = d.ledger.write(ctx, r.Ledger)
		}
		if err == nil {
			return &pipeline.Release{Stats: r.JSON, Summary: deid.DPSummary{Dataset: r.Dataset, Refused: r.Refused,
				Accounting: d.cfg.Accounting, Budget: d.cfg.Budget, Spent: r.Spent, Remaining: r.Remaining}}, nil
		}
		// Not charged, or not known to be: the next sync reads the truth, so a
		// new attempt is always safe.
		d.rel.Abort()
		if denied(err) || ctx.Err() != nil {
			return nil, fmt.Errorf("charging the DP budget: %w (%w)", err, pipeline.ErrKafka)
		}
		// Workers charging at once take the id from each other (or Kafka
		// hiccuped): wait a little, at random, so one of them gets to commit.
		select {
		case <-ctx.Done():
		case <-time.After(time.Duration(10+rand.IntN(90)) * time.Millisecond):
		}
	}
}

// sync takes the ledger and sets the accountant to its latest committed state.
func (d *DP) sync(ctx context.Context) error {
	state, err := d.ledger.acquire(ctx)
	if err != nil {
		return fmt.Errorf("reading the DP budget ledger: %w (%w)", err, pipeline.ErrKafka)
	}
	if state == nil {
		state = dp.NewAccountant(d.cfg).State() // nothing spent yet
	}
	if err := d.acct.Restore(state); err != nil {
		return fmt.Errorf("restoring budget ledger of dataset %s: %w", d.cfg.Dataset, err)
	}
	return nil
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

// Abort forgets the charge of the window that aborted. The ledger still holds
// it until this worker's next charge, written on top of the state without it
// (a refund), if no other worker charged in between; else it stays spent.
func (d *DP) Abort() { d.rel.Abort() }

// Close gives the ledger's transactional id up (Run calls it as it returns).
func (d *DP) Close() { d.ledger.release() }
