package pipeline

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/deidstream/deidstream/arrowbatch"
	"github.com/deidstream/deidstream/deid"
)

// Carrier is the privacy stage with carry-over (privacy.carry): a row that
// only a coarse class could hold waits for a later window of this worker
// instead of being suppressed. What waits is the Carrier's state; like the
// numbering it follows the transaction: State is produced to the compacted
// carry topic (sealed: it holds record content) in the window's transaction,
// then Commit keeps it or Abort forgets it. Used by one goroutine at a time (the
// window's publisher, then Run), never by the stage goroutines.
type Carrier interface {
	// Carry anonymizes the window's rows together with the rows earlier
	// windows held. src is each row's input position. last marks the final
	// window of a bounded run (a backfill's end): no row may be held.
	Carry(columns []string, rows [][]string, src []deid.OffsetRange, last bool) (Carried, error)
	// State is the carry state after the last Carry, as records for the
	// carry topic, each value at most limit bytes; nil when nothing changed.
	State(limit int) ([]StateRecord, error)
	Commit()
	Abort()
	// Waiting is the number of rows the committed state holds.
	Waiting() int
}

// Carried is a window after a Carrier.
type Carried struct {
	// Released rows, in the order to publish them (content order: nothing
	// tells a carried row from a new one).
	Released [][]string
	// Held marks this window's rows held for a later window, Suppressed its
	// rows suppressed now (both aligned with the rows given).
	Held, Suppressed []bool
	// Summary.Expired counts the rows of earlier windows suppressed now.
	Summary  deid.CarrySummary
	Achieved deid.PrivacySummary
}

// WithCarrier anonymizes each window with carry-over (instead of WithAnonymizer).
func WithCarrier(c Carrier) Option { return func(w *Worker) { w.carry = c } }

// flushAt is when win, still empty, becomes a window of no input that
// releases what the Carrier holds: Config.CarryMaxIdle after the last window
// committed (or the worker started). Zero when there is nothing to flush, or
// win was polled while another window publishes (the Carrier is that
// window's then).
func (w *Worker) flushAt(win *window) time.Time {
	if w.carry == nil || w.cfg.CarryMaxIdle <= 0 || win.ahead || len(win.slots) > 0 || w.carry.Waiting() == 0 {
		return time.Time{}
	}
	return w.idleSince.Add(w.cfg.CarryMaxIdle)
}

// releaseAtStop runs, once Run's context ended with rows the Carrier holds
// (and Config.CarryReleaseOnStop), one window of no input that releases or
// suppresses them; not while Kafka is unreachable. If it does not commit they
// stay held: the committed state keeps them for the next start with the same
// worker id. If its End fails, the outcome is unknown: like any window's, it
// is read back on a new session (within ops.drain_timeout), so the Carrier
// and the auditor follow what Kafka holds before the stop event is published
// on it. It returns the session to publish the stop event on; nil when the
// session could not be replaced (the error says so).
func (w *Worker) releaseAtStop(ctx context.Context, sess *kgo.GroupTransactSession, opts []kgo.Opt) (*kgo.GroupTransactSession, error) {
	if w.carry == nil || !w.cfg.CarryReleaseOnStop || ctx.Err() == nil || w.carry.Waiting() == 0 {
		return sess, nil
	}
	held := w.carry.Waiting()
	// During an outage the window could only wait out the drain timeout.
	err := w.health.unreachable(time.Now())
	if err == nil {
		win := w.newWindow()
		win.flush = true
		var committed bool
		committed, _, err = w.runWindow(ctx, sess, win)
		if lost, ok := errors.AsType[*sessionLost](err); ok {
			if sess, err = w.restartSession(ctx, sess, opts, lost); err != nil {
				return nil, fmt.Errorf("releasing the %d rows held at stop (privacy.carry.keep_on_stop is false): %w", held, err)
			}
			// Settled: committed, nothing is held (the window held none); aborted, every row still is.
			committed = w.carry.Waiting() == 0
		}
		if err == nil && !committed {
			err = errors.New("its transaction aborted")
		}
	}
	if err != nil {
		return sess, fmt.Errorf("releasing the %d rows held at stop (privacy.carry.keep_on_stop is false): %w; "+
			"they stay in the committed carry state until worker.id %q starts again", held, err, w.cfg.WorkerID)
	}
	return sess, nil
}

// carryWindow runs the Carrier over the window's released rows and writes
// the carry state into the transaction. It returns the rows to publish: none
// names its source (it would tell a carried row from a new one; the audit
// event's carry section accounts for the positions), and the slots of this
// window's rows not suppressed, for the residual-PHI monitor.
func (w *Worker) carryWindow(ctx context.Context, tx Tx, win *window, rows []arrowbatch.Row, slots []*slot,
	res *published, ev *WindowEvent) ([]arrowbatch.Row, []*slot, error) {
	start := time.Now()
	values := make([][]string, len(rows))
	src := make([]deid.OffsetRange, len(rows))
	for i, r := range rows {
		values[i] = r.Values
		src[i] = deid.OffsetRange{Topic: r.Topic, Partition: r.Partition, First: r.Offset, Last: r.Offset}
	}
	last := w.atEnds(win) || win.flush
	c, err := w.carry.Carry(w.redactor.Columns(), values, src, last)
	if err != nil {
		return nil, nil, fmt.Errorf("anonymizing window %d with carry-over: %w", win.seq, err)
	}
	if last && (slices.Contains(c.Held, true) || c.Summary.Out > 0) {
		return nil, nil, fmt.Errorf("anonymizing window %d with carry-over: the last window of a bounded run, or of input gone idle, held rows; none may wait", win.seq)
	}
	if len(c.Held) != len(rows) || len(c.Suppressed) != len(rows) {
		return nil, nil, fmt.Errorf("anonymizing window %d with carry-over: %d rows in, %d held and %d suppression flags out",
			win.seq, len(rows), len(c.Held), len(c.Suppressed))
	}
	w.metrics.StageSeconds.WithLabelValues("privacy").Observe(time.Since(start).Seconds())
	kept := slots[:0:0]
	res.suppressed = c.Summary.Expired
	for i, s := range slots {
		if c.Suppressed[i] {
			res.suppressed++
		} else {
			kept = append(kept, s)
		}
	}
	out := make([]arrowbatch.Row, len(c.Released))
	for i, v := range c.Released {
		out[i] = arrowbatch.Row{Partition: -1, Offset: -1, Values: v}
	}
	states, err := w.carry.State(w.maxValue)
	if err != nil {
		return nil, nil, fmt.Errorf("sealing the carry state of window %d: %w", win.seq, err)
	}
	for _, r := range states {
		w.out.Carry.Write(ctx, tx, Message{Key: r.Key, Value: r.Value})
	}
	ev.Privacy, ev.Carry = &c.Achieved, &c.Summary
	res.achievedK = c.Achieved.AchievedK
	return out, kept, nil
}
