package audit

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"

	"golang.org/x/mod/sumdb/tlog"
)

// Message kinds on the audit topic (the Kafka header "kind").
const (
	KindEvent      = "event"
	KindCheckpoint = "checkpoint"
)

// Message is one record of the audit topic. The pipeline writes Kind in the
// Kafka header "kind", Value as the record value and the worker id as key.
// WriteExport and ReadExport store it in files.
type Message struct {
	Kind  string // KindEvent or KindCheckpoint
	Value []byte // an Entry's canonical JSON, or a signed checkpoint note
}

// Log is one worker's append-only Merkle log. It is not safe for
// concurrent use: the worker's single transaction loop owns it.
//
// Its state follows the Kafka transaction that carries its messages: after
// Append and Checkpoint, call Commit once the transaction committed, or
// Abort to forget everything since the last Commit.
//
// The log keeps every stored hash in memory (about 64 bytes per event) so it
// can prove any checkpoint; at one event a second that is ~5.5 MB a day.
type Log struct {
	signer   *Signer
	workerID string
	now      func() time.Time

	hashes []tlog.Hash // tlog stored hashes of all leaves
	n      int64       // leaves
	prev   tlog.Hash   // record hash of leaf n-1
	cps    int64       // checkpoints issued
	sealed int64       // tree size at the last checkpoint
	sealAt time.Time   // when the last checkpoint was signed

	cpEvents   int64         // NeedsCheckpoint after this many unsealed events
	cpInterval time.Duration // or after this long with any unsealed event

	committed logState
}

type logState struct {
	hashes         int
	n, cps, sealed int64
	prev           tlog.Hash
	sealAt         time.Time
}

// LogOption configures a Log.
type LogOption func(*Log)

// WithClock sets the clock used to stamp checkpoints (default time.Now).
func WithClock(now func() time.Time) LogOption { return func(l *Log) { l.now = now } }

// WithCheckpointEvery sets when NeedsCheckpoint reports true: once events
// events are unsealed, or once interval has passed since the last
// checkpoint with at least one unsealed event (0 disables the interval).
// Default: every event, i.e. a checkpoint in every window's transaction.
// A checkpoint adds about 4.8 KB to the audit topic (the ML-DSA-65
// signature is 3309 bytes before base64).
func WithCheckpointEvery(events int, interval time.Duration) LogOption {
	return func(l *Log) { l.cpEvents, l.cpInterval = int64(max(events, 1)), interval }
}

// NewLog returns an empty log for workerID signed by signer.
func NewLog(signer *Signer, workerID string, opts ...LogOption) *Log {
	l := &Log{signer: signer, workerID: workerID, now: time.Now, cpEvents: 1}
	for _, o := range opts {
		o(l)
	}
	return l
}

// Size returns the number of events appended (committed or not).
func (l *Log) Size() int64 { return l.n }

// NeedsCheckpoint reports whether the pipeline should add a checkpoint to
// the current transaction (see WithCheckpointEvery). Always add one before
// a clean stop so that no event stays unsealed.
func (l *Log) NeedsCheckpoint() bool {
	unsealed := l.n - l.sealed
	if unsealed <= 0 {
		return false
	}
	return unsealed >= l.cpEvents || (l.cpInterval > 0 && l.now().Sub(l.sealAt) >= l.cpInterval)
}

// Root returns the current tree hash.
func (l *Log) Root() (tlog.Hash, error) {
	return tlog.TreeHash(l.n, l.reader())
}

func (l *Log) reader() tlog.HashReader {
	return tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(idx))
		for i, x := range idx {
			if x < 0 || x >= int64(len(l.hashes)) {
				return nil, fmt.Errorf("reading stored hash %d of %d: out of range", x, len(l.hashes))
			}
			out[i] = l.hashes[x]
		}
		return out, nil
	})
}

// Append adds an event (WindowEvent or LifecycleEvent, value or pointer)
// as the next leaf and returns the message to publish. It fills an empty
// Type of a WindowEvent and an empty WorkerID, stamps a zero Time with the
// log's clock, normalizes Time to UTC, and refuses events that are invalid,
// belong to another worker, or hold strings that are not codes.
func (l *Log) Append(ev any) (Message, error) {
	var body any
	switch e := ev.(type) {
	case *WindowEvent:
		c := *e
		if c.Type == "" {
			c.Type = TypeWindow
		}
		if err := l.fill(&c.WorkerID, &c.Time); err != nil {
			return Message{}, err
		}
		if err := c.validate(); err != nil {
			return Message{}, fmt.Errorf("appending window event: %w", err)
		}
		c.normalizeFloats()
		body = &c
	case WindowEvent:
		return l.Append(&e)
	case *LifecycleEvent:
		c := *e
		if err := l.fill(&c.WorkerID, &c.Time); err != nil {
			return Message{}, err
		}
		if err := c.validate(); err != nil {
			return Message{}, fmt.Errorf("appending lifecycle event: %w", err)
		}
		body = &c
	case LifecycleEvent:
		return l.Append(&e)
	default:
		return Message{}, fmt.Errorf("appending %T: not an audit event: %w", ev, ErrInvalidEvent)
	}
	event, err := marshalEvent(body)
	if err != nil {
		return Message{}, err
	}
	return l.appendLeaf(event)
}

func (l *Log) fill(worker *string, t *time.Time) error {
	if *worker == "" {
		*worker = l.workerID
	}
	if *worker != l.workerID {
		return fmt.Errorf("appending event of worker %q to the log of %q: %w", *worker, l.workerID, ErrWorkerMismatch)
	}
	if t.IsZero() {
		*t = l.now()
	}
	*t = t.UTC().Round(0)
	return nil
}

func (l *Log) appendLeaf(event []byte) (Message, error) {
	// The entry's canonical form, written directly: keys in sorted order
	// and event already canonical (TestEntryEncoding checks the two agree).
	prev := ""
	if l.n > 0 {
		prev = b64(l.prev[:])
	}
	leaf := make([]byte, 0, len(event)+100)
	leaf = fmt.Appendf(leaf, `{"cp":%d,"event":`, l.cps)
	leaf = append(leaf, event...)
	leaf = fmt.Appendf(leaf, `,"prev":"%s","seq":%d}`, prev, l.n)
	if err := l.addLeaf(leaf); err != nil {
		return Message{}, err
	}
	return Message{Kind: KindEvent, Value: leaf}, nil
}

// addLeaf hashes leaf into the tree.
func (l *Log) addLeaf(leaf []byte) error {
	stored, err := tlog.StoredHashes(l.n, leaf, l.reader())
	if err != nil {
		return fmt.Errorf("hashing audit leaf %d: %w", l.n, err)
	}
	l.hashes = append(l.hashes, stored...)
	l.prev = tlog.RecordHash(leaf)
	l.n++
	return nil
}

// Checkpoint signs the current tree size and root and returns the message
// to publish after the events it covers.
func (l *Log) Checkpoint() (Message, error) {
	root, err := l.Root()
	if err != nil {
		return Message{}, fmt.Errorf("computing tree hash at size %d: %w", l.n, err)
	}
	c := Checkpoint{WorkerID: l.workerID, Size: l.n, Root: root, Seq: l.cps, Time: l.now().UTC()}
	msg, err := signCheckpoint(c, l.signer)
	if err != nil {
		return Message{}, err
	}
	l.cps++
	l.sealed, l.sealAt = c.Size, c.Time
	return Message{Kind: KindCheckpoint, Value: msg}, nil
}

// Commit makes everything appended since the last Commit permanent: call it
// after the transaction that carried the messages committed.
func (l *Log) Commit() {
	l.committed = logState{hashes: len(l.hashes), n: l.n, cps: l.cps, sealed: l.sealed, prev: l.prev, sealAt: l.sealAt}
}

// Abort forgets everything appended since the last Commit: call it when the
// transaction that carried the messages aborted.
func (l *Log) Abort() {
	c := l.committed
	l.hashes = l.hashes[:c.hashes]
	l.n, l.cps, l.prev, l.sealed, l.sealAt = c.n, c.cps, c.prev, c.sealed, c.sealAt
}

// Restore rebuilds the log from the messages committed on the audit topic
// (read_committed, in order; other workers' messages are skipped), verifying
// them as it goes, so a restarted or rebalanced worker continues the same
// tree. The log must be empty. Any verification failure is returned as
// ErrTampered: a worker must not extend a log it cannot vouch for.
func (l *Log) Restore(msgs []Message) error {
	if l.n != 0 || l.cps != 0 {
		return fmt.Errorf("restoring audit log of %q: %w", l.workerID, ErrNotEmpty)
	}
	rep, err := Verify(msgs, l.signer.Verifier())
	if err != nil {
		return fmt.Errorf("restoring audit log of %q: %w", l.workerID, err)
	}
	for _, f := range rep.Findings {
		if f.WorkerID == l.workerID || f.WorkerID == "" {
			return fmt.Errorf("restoring audit log of %q: message %d fails check %s: %w", l.workerID, f.Position, f.Check, ErrTampered)
		}
	}
	for _, m := range msgs {
		switch m.Kind {
		case KindEvent:
			d, err := DecodeEntry(m.Value)
			if err != nil || d.WorkerID() != l.workerID {
				continue // verified above: another worker's event
			}
			if err := l.addLeaf(m.Value); err != nil {
				return fmt.Errorf("restoring audit log of %q: %w", l.workerID, err)
			}
		case KindCheckpoint:
			if c, _, err := openCheckpoint(m.Value, l.signer.Verifier()); err == nil && c.WorkerID == l.workerID {
				l.cps, l.sealed, l.sealAt = c.Seq+1, c.Size, c.Time
			}
		}
	}
	l.Commit()
	return nil
}

// marshalEvent encodes an event struct. Its fields are declared in
// canonical order (see events.go), its strings are validated codes and its
// floats carry no negative zero, so encoding/json writes the canonical form;
// TestEventStructsCanonical holds this true.
func marshalEvent(body any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(body); err != nil {
		return nil, fmt.Errorf("encoding audit event: %w", err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}
