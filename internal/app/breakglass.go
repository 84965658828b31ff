package app

import (
	"context"
	"fmt"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/deidstream/deidstream/audit"
	"github.com/deidstream/deidstream/breakglass"
	"github.com/deidstream/deidstream/deid"
)

// AuditRecorder writes break-glass events to the audit topic, each with a
// signed checkpoint in a Kafka transaction of its own, and returns only
// once that transaction committed: breakglass.Open reveals nothing before.
type AuditRecorder struct {
	Conn   []kgo.Opt
	Topic  string
	Signer *audit.Signer
	// TransactionalID fences a concurrent recorder, so two steps recorded at
	// once cannot both extend the log from the same leaf.
	TransactionalID string
}

// Record implements breakglass.Recorder.
func (r *AuditRecorder) Record(ctx context.Context, ev breakglass.Event) error {
	cl, err := kgo.NewClient(append(r.Conn[:len(r.Conn):len(r.Conn)], kgo.TransactionalID(r.TransactionalID),
		kgo.DefaultProduceTopic(r.Topic))...)
	if err != nil {
		return fmt.Errorf("recording %s: connecting: %w", ev.Type, err)
	}
	defer cl.Close()
	// Fence any other recorder first, then read the log it may have extended.
	if _, _, err := cl.ProducerID(ctx); err != nil {
		return fmt.Errorf("recording %s: registering transactional id %s: %w", ev.Type, r.TransactionalID, err)
	}
	msgs, err := audit.ReadTopic(ctx, r.Topic, r.Conn...)
	if err != nil {
		return fmt.Errorf("recording %s: %w", ev.Type, err)
	}
	log := audit.NewLog(r.Signer, breakglass.LogID)
	if err := log.Restore(msgs); err != nil {
		return fmt.Errorf("recording %s: %w", ev.Type, err)
	}
	detail := map[string]string{"request": ev.RequestID, "escrow": ev.EscrowID, "actor": ev.Actor,
		"target_tag": ev.TargetTag, "reason": ev.Reason}
	if !ev.Expires.IsZero() {
		detail["expires"] = ev.Expires.UTC().Format(time.RFC3339)
	}
	event, err := log.Append(&audit.LifecycleEvent{Type: ev.Type, Detail: detail, Time: ev.Time})
	if err != nil {
		return fmt.Errorf("recording %s: %w", ev.Type, err)
	}
	cp, err := log.Checkpoint()
	if err != nil {
		return fmt.Errorf("recording %s: %w", ev.Type, err)
	}
	if err := cl.BeginTransaction(); err != nil {
		return fmt.Errorf("recording %s: %w", ev.Type, err)
	}
	var perr error
	for _, m := range []audit.Message{event, cp} {
		rec := &kgo.Record{Key: []byte(breakglass.LogID), Value: m.Value,
			Headers: []kgo.RecordHeader{{Key: deid.HeaderAuditKind, Value: []byte(m.Kind)}}}
		if err := cl.ProduceSync(ctx, rec).FirstErr(); err != nil && perr == nil {
			perr = err
		}
	}
	commit := kgo.TryCommit
	if perr != nil {
		commit = kgo.TryAbort
	}
	if err := cl.EndTransaction(ctx, commit); err != nil {
		return fmt.Errorf("recording %s: committing: %w", ev.Type, err)
	}
	if perr != nil {
		return fmt.Errorf("recording %s: producing: %w", ev.Type, perr)
	}
	return nil
}
