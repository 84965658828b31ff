package app

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/deidstream/deidstream/breakglass"
	"github.com/deidstream/deidstream/deid"
	"github.com/deidstream/deidstream/internal/config"
	"github.com/deidstream/deidstream/kafkaconn"
	"github.com/deidstream/deidstream/pipeline"
)

// kindEscrow tags escrow records (deid.HeaderKind).
const kindEscrow = "escrow"

// EscrowOutput is the pipeline's Escrow: for every published record it
// seals the link from its pseudonym (the released value of the patient
// field, when it is a column) to its source position and patient key, and
// produces it to breakglass.topic keyed by the pseudonym's tag. Each
// window's transaction gets a fresh data key, sealed to the escrow and
// produced in that transaction before the first link it seals.
type EscrowOutput struct {
	escrow       *breakglass.Escrow
	topic        string
	patientField string
	column       int // the patient field's column in released rows; -1 if not released

	tx     pipeline.Tx // the transaction sealer's key was produced in
	sealer *breakglass.Sealer
}

// NewEscrowOutput escrows to e on topic; columns are the released columns.
func NewEscrowOutput(e *breakglass.Escrow, topic, patientField string, columns []string) *EscrowOutput {
	return &EscrowOutput{escrow: e, topic: topic, patientField: patientField, column: slices.Index(columns, patientField)}
}

// Escrow implements pipeline.Escrow.
func (o *EscrowOutput) Escrow(ctx context.Context, tx pipeline.Tx, src deid.OffsetRange, raw []byte, released []string) error {
	l := breakglass.Link{Topic: src.Topic, Partition: src.Partition, Offset: src.First}
	if o.column >= 0 && o.column < len(released) {
		l.Pseudonym = released[o.column]
	}
	// The record was decoded by its stage, so it parses; the patient key is
	// its field as written (a JSON string unquoted, any other value as is).
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil {
		return fmt.Errorf("reading the patient field for escrow: the record is not a JSON object")
	}
	if v, ok := fields[o.patientField]; ok {
		var s string
		if json.Unmarshal(v, &s) == nil {
			l.PatientKey = s
		} else {
			l.PatientKey = string(v)
		}
	}
	if tx != o.tx { // a new window's transaction (pipeline.Escrow): a new data key in it
		s, err := breakglass.NewSealer(o.escrow)
		if err != nil {
			return err
		}
		tx.Produce(ctx, &kgo.Record{Topic: o.topic, Key: []byte(s.Key.ID), Value: s.Key.Sealed,
			Headers: []kgo.RecordHeader{{Key: deid.HeaderKind, Value: []byte(kindEscrow)}, {Key: breakglass.HeaderKeyRecord, Value: []byte("1")}}})
		o.tx, o.sealer = tx, s
	}
	r, err := o.sealer.Seal(l)
	if err != nil {
		return err
	}
	tx.Produce(ctx, &kgo.Record{Topic: o.topic, Key: []byte(r.PseudonymTag), Value: r.Sealed,
		Headers: []kgo.RecordHeader{{Key: deid.HeaderKind, Value: []byte(kindEscrow)}, {Key: breakglass.HeaderSourceTag, Value: []byte(r.SourceTag)},
			{Key: breakglass.HeaderKeyID, Value: []byte(r.KeyID)}}})
	return nil
}

// ensureEscrowTopic checks breakglass.topic, creating it with topics.create.
// Escrow records are few hundred bytes, far under any topic's limit.
func ensureEscrowTopic(ctx context.Context, cfg *config.Config, conn []kgo.Opt) error {
	cl, err := kgo.NewClient(conn...)
	if err != nil {
		return fmt.Errorf("connecting to kafka: %w", err)
	}
	defer cl.Close()
	_, err = kafkaconn.EnsureTopics(ctx, kadm.NewClient(cl), cfg.Topics.Create,
		kafkaconn.TopicSpec{Name: cfg.BreakGlass.Topic, Partitions: cfg.Topics.Partitions})
	if err != nil {
		return fmt.Errorf("checking the escrow topic (breakglass.topic): %w", err)
	}
	return nil
}
