package pipeline

import (
	"fmt"
	"time"
)

// Config is what the worker loop needs to know: who it is, the topics, the
// window, the input limits, its parallelism and its timeouts. The wiring code
// fills it from the application's config; it names no detection, privacy, DP
// or redaction type, so the loop depends on none of those libraries.
type Config struct {
	// WorkerID keys every output record and names the worker in its provenance.
	WorkerID string
	// Parallelism is the number of decode/redact goroutines; 0 is one per CPU.
	Parallelism int
	// QueueDepth bounds the channel of records waiting for a stage goroutine.
	QueueDepth int
	Topics     Topics
	Input      Input
	Window     Window
	Kafka      Kafka
	// DrainTimeout bounds finishing the open window once Run's context ends.
	DrainTimeout time.Duration
	// CarryMaxIdle is how long rows a Carrier holds wait when input stops:
	// once no record has come for this long, a window of no input releases
	// or suppresses them. 0: they wait for input.
	CarryMaxIdle time.Duration
	// CarryReleaseOnStop: once Run's context ends, a window of no input
	// releases or suppresses the rows the Carrier holds before the worker
	// leaves, so a worker id retired for good strands none. false keeps them
	// in the carry state for the next start with the same worker id.
	CarryReleaseOnStop bool
}

// Topics names the topics the worker reads and writes.
type Topics struct {
	Input                                                    []string
	Research, Audit, Quarantine, Stats, Budget, Placeholders string
	// Carry is the compacted topic of the carry-over state; "" without carry-over.
	Carry string
	// Create missing output topics (input topics are never created), with Partitions each.
	Create     bool
	Partitions int32
}

// Input limits what a raw record may be; a record that breaks one goes to quarantine.
type Input struct {
	MaxRecordBytes int
	Required       []string          // fields that must be present and not null
	Types          map[string]string // field -> JSON type: string, number, integer, boolean, object, array
}

// Window closes at MaxRecords records, at MaxBytes raw bytes, or MaxWait after its first record.
type Window struct {
	MaxRecords int
	MaxWait    time.Duration
	MaxBytes   int
}

// Kafka is the group and transaction settings of the worker's session.
type Kafka struct {
	GroupID            string
	TransactionalID    string
	InstanceID         string // group.instance.id for static membership (KIP-345); "" joins as a dynamic member
	SessionTimeout     time.Duration
	TransactionTimeout time.Duration
	// MaxMessageBytes is the largest record value the worker produces, lowered to
	// the output topics' max.message.bytes when that is smaller.
	MaxMessageBytes int
}

// check reports a setting the loop cannot run with.
func (c *Config) check() error {
	bad := func(what string) error { return fmt.Errorf("pipeline config: %s: %w", what, ErrConfig) }
	switch {
	case c.WorkerID == "":
		return bad("worker id is empty")
	case len(c.Topics.Input) == 0:
		return bad("no input topic")
	case c.Window.MaxRecords < 1 || c.Window.MaxBytes < 1 || c.Window.MaxWait <= 0:
		return bad("the window needs positive max records, bytes and wait")
	case c.QueueDepth < 1:
		return bad("queue depth must be at least 1")
	case c.Parallelism < 0:
		return bad("parallelism must be 0 (one per CPU) or more")
	case c.Input.MaxRecordBytes < 1:
		return bad("input max record bytes must be positive")
	case c.Kafka.GroupID == "" || c.Kafka.TransactionalID == "":
		return bad("group id and transactional id are required")
	}
	return nil
}
