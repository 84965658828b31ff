package pipeline

import (
	"context"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/deidstream/deidstream/deid"
)

// Message is one record a window writes to an output. Its value is sealed,
// or (audit log, budget ledger, placeholder tables) carries no PHI; its key
// and headers carry ids and codes only.
type Message struct {
	Key     []byte
	Value   []byte
	Headers []kgo.RecordHeader
}

// Tx is the window's open transaction, as outputs see it: what they produce
// into it becomes visible when the window commits, and never if it aborts.
type Tx interface {
	Produce(ctx context.Context, r *kgo.Record)
}

// Output is a destination of a window's records, written into the window's
// transaction. Outputs are used from Run only.
type Output interface {
	Write(ctx context.Context, tx Tx, m Message)
}

// Topic is the Kafka output: every message goes to topic Name, tagged with
// its Kind in the deid.HeaderKind header (none when Kind is empty, as on the
// audit topic, whose messages carry their own deid.HeaderAuditKind).
type Topic struct {
	Name string
	Kind string
}

// Write produces m to the topic in tx.
func (t Topic) Write(ctx context.Context, tx Tx, m Message) {
	h := m.Headers
	if t.Kind != "" {
		h = append([]kgo.RecordHeader{header(deid.HeaderKind, t.Kind)}, h...)
	}
	tx.Produce(ctx, &kgo.Record{Topic: t.Name, Key: m.Key, Value: m.Value, Headers: h})
}

// Outputs are the worker's destinations, one per kind of record.
type Outputs struct {
	Research     Output // sealed Arrow batches
	Stats        Output // sealed DP statistics
	Quarantine   Output // sealed raw records that could not be processed
	Audit        Output // audit events and signed checkpoints
	Budget       Output // the DP ledger (compacted)
	Placeholders Output // the placeholder numbering (compacted)
	Carry        Output // the sealed carry-over state (compacted)
	// Escrow, when set, is given every published record of a window, in the
	// window's transaction (break-glass re-identification); nil by default.
	Escrow Escrow
}

// Escrow writes, for one published record, a sealed link from what it
// releases back to its source into the window's transaction. Used from Run
// only. tx is one value for every record of a window's transaction and a
// new one for the next transaction (a retried window's too). raw is the
// input record: an implementation must seal what it takes from it and never
// put it in an error.
type Escrow interface {
	Escrow(ctx context.Context, tx Tx, src deid.OffsetRange, raw []byte, released []string) error
}

// KafkaOutputs are the outputs to the configured topics.
func KafkaOutputs(t Topics) Outputs {
	return Outputs{
		Research:     Topic{t.Research, deid.KindResearch},
		Stats:        Topic{t.Stats, deid.KindStats},
		Quarantine:   Topic{t.Quarantine, deid.KindQuarantine},
		Audit:        Topic{Name: t.Audit},
		Budget:       Topic{t.Budget, deid.KindBudget},
		Placeholders: Topic{t.Placeholders, deid.KindPlaceholders},
		Carry:        Topic{t.Carry, deid.KindCarry},
	}
}

// WithOutputs replaces the outputs that are not nil in o (by default every
// output is its configured Kafka topic).
func WithOutputs(o Outputs) Option {
	return func(w *Worker) {
		for _, p := range []struct {
			dst *Output
			src Output
		}{{&w.out.Research, o.Research}, {&w.out.Stats, o.Stats},
			{&w.out.Quarantine, o.Quarantine}, {&w.out.Audit, o.Audit}, {&w.out.Budget, o.Budget},
			{&w.out.Placeholders, o.Placeholders}, {&w.out.Carry, o.Carry}} {
			if p.src != nil {
				*p.dst = p.src
			}
		}
		if o.Escrow != nil {
			w.out.Escrow = o.Escrow
		}
	}
}
