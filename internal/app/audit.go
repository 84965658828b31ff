package app

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/deidstream/deidstream/audit"
	"github.com/deidstream/deidstream/pipeline"
)

// ErrCheckpointSigning means the audit log's checkpoint could not be signed:
// the window fails and the worker stops.
var ErrCheckpointSigning = errors.New("audit checkpoint signing failed")

// ErrAuditRestore means the audit log read back from its topic at start did
// not verify: the worker does not start.
var ErrAuditRestore = errors.New("audit log verification failed at start")

// Auditor appends the worker's events to its Merkle log and signs a
// checkpoint after each batch of events, all published in the window's transaction.
type Auditor struct {
	log        *audit.Log
	policyHash string // hash of the config sections that decide what is released
	configHash string
	keyIDs     []string
	// previousKeyIDs are the key ids of this worker's last recorded lifecycle
	// event, when they differ from keyIDs: the keys were rotated since.
	previousKeyIDs []string
	lastWindow     uint64 // this worker's last committed window number
	// unrecordedStop: this worker's last run has a start event and no stop
	// event (it was killed, or stopped while Kafka did not answer); the next
	// start event says so.
	unrecordedStop bool
}

// LastWindow is the number of this worker's last window in its log, so that
// window numbers stay unique across restarts.
func (a *Auditor) LastWindow() uint64 { return a.lastWindow }

// Window records one window's event and a checkpoint covering it.
func (a *Auditor) Window(ev *pipeline.WindowEvent) ([]pipeline.AuditMessage, error) {
	e := audit.WindowEvent{Window: ev.Window, RecordsIn: ev.RecordsIn, Published: ev.Published,
		Suppressed: ev.Suppressed, Quarantined: ev.Quarantined, QuarantineReasons: ev.QuarantineReasons,
		PHICounts: ev.PHICounts, WithheldValues: ev.WithheldValues, PolicyHash: a.policyHash, KeyIDs: ev.KeyIDs, BatchIDs: ev.BatchIDs,
		Inputs: ev.Inputs, Privacy: ev.Privacy, Carry: ev.Carry, DP: ev.DP, Residual: ev.Residual}
	return a.append(e)
}

// Lifecycle records a start, stop, config or budget event. Loading a config
// whose recipient keys differ from the last recorded ones also records a
// key_rotation event naming the previous keys.
func (a *Auditor) Lifecycle(kind string, detail map[string]string) ([]pipeline.AuditMessage, error) {
	if kind == audit.TypeStart && a.unrecordedStop {
		detail = maps.Clone(detail)
		if detail == nil {
			detail = map[string]string{}
		}
		detail["previous_stop"] = "unrecorded"
	}
	msgs, err := a.append(audit.LifecycleEvent{Type: kind, ConfigHash: a.configHash, KeyIDs: a.keyIDs, Detail: detail})
	if err != nil || kind != "config_loaded" || a.previousKeyIDs == nil {
		return msgs, err
	}
	rot, err := a.append(audit.LifecycleEvent{Type: "key_rotation", ConfigHash: a.configHash, KeyIDs: a.keyIDs,
		Detail: map[string]string{"previous_key_ids": strings.Join(a.previousKeyIDs, "+")}})
	if err != nil {
		return nil, err
	}
	a.previousKeyIDs = nil
	return append(msgs, rot...), nil
}

// noteHistory reads what this worker recorded before: its last window number,
// and whether its recipient keys changed since its last lifecycle event.
func (a *Auditor) noteHistory(msgs []audit.Message, workerID string) {
	var last []string
	for _, m := range msgs {
		if m.Kind != audit.KindEvent {
			continue
		}
		d, err := audit.DecodeEntry(m.Value)
		switch {
		case err != nil:
		case d.Lifecycle != nil && d.Lifecycle.WorkerID == workerID:
			last = d.Lifecycle.KeyIDs
			switch d.Lifecycle.Type {
			case audit.TypeStart:
				a.unrecordedStop = true
			case audit.TypeStop:
				a.unrecordedStop = false
			}
		case d.Window != nil && d.Window.WorkerID == workerID:
			a.lastWindow = max(a.lastWindow, d.Window.Window)
		}
	}
	if last != nil && !slices.Equal(last, a.keyIDs) {
		a.previousKeyIDs = last
	}
}

func (a *Auditor) append(ev any) ([]pipeline.AuditMessage, error) {
	m, err := a.log.Append(ev)
	if err != nil {
		return nil, fmt.Errorf("appending audit event: %w", err)
	}
	cp, err := a.log.Checkpoint()
	if err != nil {
		return nil, fmt.Errorf("signing audit checkpoint: %w: %w", ErrCheckpointSigning, err)
	}
	return []pipeline.AuditMessage{{Kind: m.Kind, Value: m.Value}, {Kind: cp.Kind, Value: cp.Value}}, nil
}

// Commit keeps the events of the committed transaction.
func (a *Auditor) Commit() { a.log.Commit() }

// Abort forgets the events of the aborted transaction.
func (a *Auditor) Abort() { a.log.Abort() }
