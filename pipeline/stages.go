// Package pipeline is the worker: it consumes raw records in a consumer group,
// runs the stage graph (decode, detect/redact, window, privacy, encode, seal)
// and publishes each window's outputs and its input offsets in one Kafka
// transaction. The stages are the ports below, the destinations the Output
// port (output.go); internal/app wires the real detection, privacy, envelope
// and audit libraries into them and fills Config from the application's.
package pipeline

import "github.com/deidstream/deidstream/deid"

// Redactor is the detect/redact stage, run concurrently on single records.
type Redactor interface {
	// Columns are the output columns, in order; Values of every result align with them.
	Columns() []string
	// Process turns one decoded record into its released values. A non-empty
	// Reject is a reason code (never content) that sends the record to quarantine.
	// rec is the Redactor's during the call only: the worker reuses the map.
	Process(rec map[string]any) (Redacted, error)
}

// Redacted is one record after detection and redaction.
type Redacted struct {
	Values []string
	PHI    map[string]int // detections by PHI type: counts only
	Reject string
	// Withheld counts values released empty by reason code (a field's
	// on_invalid: withhold): "field_invalid:state". nil when none.
	Withheld map[string]int
}

// Monitor is the residual-PHI monitor: an independent second look at the
// values a record releases, made on a sample of the released records. Safe
// for concurrent use.
type Monitor interface {
	// Inspect counts what it finds in one record's released values (aligned
	// with the Redactor's Columns): by PHI type, and deid.ResidualCanary for a
	// planted canary. Counts only, never content; nil when nothing is found.
	Inspect(values []string) map[string]int
}

// Sampling is which released records the Monitor inspects, and what a finding does.
type Sampling struct {
	// Every inspects every Nth record; 0 none.
	Every int
	// FirstWindow inspects every record of the first window after start (of
	// each window until one commits, the window polled ahead excepted).
	FirstWindow bool
	// Tolerance is the findings per inspected record a window may show before
	// they are acted on (the second look is stricter than the first, so it
	// finds some false positives); a canary is never tolerated.
	Tolerance float64
	// Halt makes what is not tolerated abort the window (nothing released)
	// and stop the worker with ErrResidualPHI; otherwise it is logged. It is
	// counted and audited either way.
	Halt bool
}

// Anonymizer applies the privacy models (k-anonymity, l-diversity, t-closeness) to a window.
type Anonymizer interface {
	Anonymize(columns []string, rows [][]string) (Anonymized, error)
}

// Anonymized is a window after the privacy models: rows in input order.
type Anonymized struct {
	Rows       [][]string
	Suppressed []bool
	Achieved   deid.PrivacySummary // parameters and what the verifier measured
}

// Releaser computes a window's differentially private statistics and charges
// the budget. Its state (the ledger) follows the transaction: Commit after the
// window committed, Abort to forget the charge. An error of Release wrapping
// ErrKafka (the budget ledger could not be reached) aborts the window to be
// retried; any other stops the worker. A Releaser with a Close method has it
// called when Run returns.
type Releaser interface {
	Release(columns []string, rows [][]string) (*Release, error)
	// Perturb adds per-record noise, in place, to the rows about to be published.
	Perturb(columns []string, rows [][]string) error
	Commit()
	Abort()
}

// Numbering is state the Redactor keeps across windows: the placeholder
// numbers of each patient. Like the DP ledger it follows the transaction: the
// tables a window changed are produced to the compacted placeholder topic in
// the window's transaction, then Commit keeps them or Abort reverts them. It
// is rebuilt from that topic (Reset, then Restore per record in offset order)
// before the first window and after every partition assignment. Used from Run
// only: Changed once the window drained and before the next window's records
// are processed; Commit and Abort while they may be (windows overlap); Reset
// and Restore while no stage goroutine processes records.
type Numbering interface {
	// Changed returns the tables changed since the last Commit or Abort and
	// marks them as what the next Commit keeps: changes made after it (by the
	// next window's records) stay pending; Abort reverts them all.
	Changed() []StateRecord
	Commit()
	Abort()
	Reset()
	Restore(key, value []byte) error
}

// StateRecord is one record of a compacted state topic: keyed hashes and
// counts, never PHI.
type StateRecord struct {
	Key, Value []byte
}

// Release is one window's DP output. Summary.Refused means the budget would
// have been exceeded: Stats is nil and nothing was charged.
type Release struct {
	Summary deid.DPSummary
	Stats   []byte // plaintext JSON, sealed before publishing
	// Ledger is the new ledger state to write to the compacted budget topic
	// in the window's transaction (no PHI); nil when the Releaser committed it
	// itself (a ledger shared by several workers).
	Ledger []byte
}

// Sealer encrypts outputs for their recipients.
type Sealer interface {
	Seal(plain []byte, prov deid.Provenance) ([]byte, error)
	// KeyIDs are the recipient key ids used for a kind, for the audit event.
	KeyIDs(kind string) []string
}

// Auditor appends events to the tamper-evident log and returns the messages
// to publish on the audit topic in the same transaction. Like Releaser, its
// state follows the transaction.
type Auditor interface {
	// LastWindow is the last window number already in the log (0 if none).
	LastWindow() uint64
	Window(ev *WindowEvent) ([]AuditMessage, error)
	Lifecycle(kind string, detail map[string]string) ([]AuditMessage, error)
	Commit()
	Abort()
}

// AuditMessage is one record of the audit topic: Kind goes in the deid.HeaderAuditKind header.
type AuditMessage struct {
	Kind  string
	Value []byte
}

// WindowEvent is what the worker knows of a window for its audit event.
type WindowEvent struct {
	Window            uint64
	Inputs            []deid.OffsetRange
	RecordsIn         int64
	Published         int64
	Suppressed        int64
	Quarantined       int64
	QuarantineReasons map[string]int64
	PHICounts         map[string]int64
	WithheldValues    map[string]int64      // reason code -> values released empty
	Residual          *deid.ResidualSummary // nil without a Monitor

	Privacy  *deid.PrivacySummary // nil without privacy models
	Carry    *deid.CarrySummary   // nil without carry-over
	DP       *deid.DPSummary      // nil without DP statistics
	KeyIDs   []string
	BatchIDs []string
}
