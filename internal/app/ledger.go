package app

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
)

// ledger is a dataset's DP budget ledger on the compacted budget topic, shared
// by every worker that releases for the dataset. Kafka has no compare-and-set,
// so writes are serialised by fencing: each write is a transaction of one
// transactional id per dataset (budgetTxnID), common to all workers.
// Initialising a producer with that id fences every earlier holder (its open
// transaction is aborted, and it can never commit again) and waits until the
// previous holder's commit, if any, is complete; the state read after that
// is the latest. A holder's commit succeeds only if no worker has initialised
// the id since, so only if no other write came in between: the state it
// charged on top of is still the latest. A holder that is fenced (or whose
// commit's outcome is unknown) gives the id up and reads the ledger again
// before its next charge. Not safe for concurrent use: Run's goroutine only.
type ledger struct {
	conn    []kgo.Opt
	topic   string
	dataset string
	txnID   string
	timeout time.Duration // transaction timeout of the ledger's own transactions

	cl *kgo.Client // holds the id; nil: initialise (fence) and read before writing
}

// budgetTxnID is the transactional id that serialises writes to a dataset's
// ledger. The worker's ACL on transactional_id_prefix covers it; the colon
// keeps it apart from prefix + worker.id (worker ids are host names).
func budgetTxnID(prefix, dataset string) string { return prefix + "dp-budget:" + dataset }

func newLedger(conn []kgo.Opt, topic, dataset, txnID string, timeout time.Duration) *ledger {
	return &ledger{conn: conn, topic: topic, dataset: dataset, txnID: txnID, timeout: timeout}
}

// held reports whether this worker holds the id (if another took it since,
// the next write fails and the ledger is read again).
func (l *ledger) held() bool { return l.cl != nil }

// acquire fences every other holder of the ledger's id and returns the last
// committed state of the dataset (nil if none).
func (l *ledger) acquire(ctx context.Context) ([]byte, error) {
	l.release()
	cl, err := kgo.NewClient(append(l.conn[:len(l.conn):len(l.conn)], kgo.TransactionalID(l.txnID),
		kgo.TransactionTimeout(l.timeout), kgo.DefaultProduceTopic(l.topic))...)
	if err != nil {
		return nil, fmt.Errorf("taking the budget ledger of dataset %s (transactional id %s): %w", l.dataset, l.txnID, err)
	}
	if _, _, err := cl.ProducerID(ctx); err != nil {
		cl.Close()
		return nil, fmt.Errorf("taking the budget ledger of dataset %s (transactional id %s): %w", l.dataset, l.txnID, err)
	}
	state, err := readLedger(ctx, l.conn, l.topic, l.dataset)
	if err != nil {
		cl.Close()
		return nil, err
	}
	l.cl = cl
	return state, nil
}

// write commits state as the dataset's ledger in a transaction of its own,
// after acquire. On any error the id is given up: the write did not happen (another worker
// took the id: Kafka 4 says so with PRODUCER_FENCED, INVALID_TXN_STATE or
// UNKNOWN_SERVER_ERROR), or its outcome is unknown until the next acquire
// settles it. A fenced error is not wrapped: the pipeline reads a wrapped
// PRODUCER_FENCED as two workers with one worker.id.
func (l *ledger) write(ctx context.Context, state []byte) error {
	err := l.cl.BeginTransaction()
	if err == nil {
		err = l.cl.ProduceSync(ctx, &kgo.Record{Key: []byte(l.dataset), Value: state}).FirstErr()
		try := kgo.TryCommit
		if err != nil {
			try = kgo.TryAbort
		}
		if eerr := l.cl.EndTransaction(ctx, try); err == nil {
			err = eerr
		}
	}
	if err == nil {
		return nil
	}
	l.release()
	if errors.Is(err, kerr.ProducerFenced) {
		return fmt.Errorf("writing the budget ledger of dataset %s: another worker charged it first: %v", l.dataset, err)
	}
	return fmt.Errorf("writing the budget ledger of dataset %s: %w", l.dataset, err)
}

// denied reports an error no new attempt clears: the principal may not use
// the ledger's transactional id or topic.
func denied(err error) bool {
	return errors.Is(err, kerr.TransactionalIDAuthorizationFailed) || errors.Is(err, kerr.TopicAuthorizationFailed) ||
		errors.Is(err, kerr.ClusterAuthorizationFailed) || errors.Is(err, kerr.SaslAuthenticationFailed)
}

// release gives the id up.
func (l *ledger) release() {
	if l.cl != nil {
		l.cl.Close()
		l.cl = nil
	}
}
