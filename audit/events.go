package audit

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"time"
)

// Event types. A WindowEvent has type "window"; the others are lifecycle events.
const (
	TypeWindow        = "window"
	TypeStart         = "start"
	TypeStop          = "stop"
	TypeConfigLoaded  = "config_loaded"
	TypeKeyRotation   = "key_rotation"
	TypeBudgetRefused = "budget_refused"
)

// WindowEvent records one committed window of one worker. It holds counts,
// codes, topic names, key ids and hashes, never a record's content.
type WindowEvent struct {
	Type     string    `json:"type"` // always "window"; Append fills it
	WorkerID string    `json:"worker_id"`
	Window   uint64    `json:"window"` // the worker's window sequence number
	Time     time.Time `json:"time"`   // encoded RFC 3339 with nanoseconds, UTC

	Inputs      []InputRange `json:"inputs"`
	RecordsIn   int64        `json:"records_in"`
	Published   int64        `json:"published"`
	Suppressed  int64        `json:"suppressed"`
	Quarantined int64        `json:"quarantined"`

	QuarantineReasons map[string]int64 `json:"quarantine_reasons"` // reason code -> records
	PHICounts         map[string]int64 `json:"phi_counts"`         // PHI type -> findings
	PolicyHash        string           `json:"policy_hash"`
	Privacy           *Privacy         `json:"privacy"` // nil without privacy models
	DP                *DP              `json:"dp"`      // nil without DP statistics
	KeyIDs            []string         `json:"key_ids"`

	// Outputs are the research output offsets when known. They are usually
	// not: offsets exist only after the transaction commits, and the event is
	// part of that transaction. BatchIDs then identify the outputs instead
	// (each research batch carries its id in a header and in its sealed
	// provenance).
	Outputs  []OutputRange `json:"outputs"`
	BatchIDs []string      `json:"batch_ids"`
}

// InputRange is a contiguous run of input offsets, both ends inclusive.
type InputRange struct {
	Topic     string `json:"topic"`
	Partition int32  `json:"partition"`
	First     int64  `json:"first"`
	Last      int64  `json:"last"`
}

// OutputRange is a contiguous run of output offsets, both ends inclusive.
type OutputRange = InputRange

// Privacy is the requested and achieved privacy of a window's release.
type Privacy struct {
	K         int     `json:"k"`
	L         float64 `json:"l"`
	LKind     string  `json:"l_kind"` // distinct, entropy or recursive
	T         float64 `json:"t"`
	AchievedK int     `json:"achieved_k"`
	AchievedL float64 `json:"achieved_l"`
	AchievedT float64 `json:"achieved_t"`
	NCP       float64 `json:"ncp"`     // normalized certainty penalty, 0..1
	Classes   int     `json:"classes"` // equivalence classes
}

// DP is a window's differential privacy accounting for one dataset.
type DP struct {
	Dataset    string  `json:"dataset"`
	Accounting string  `json:"accounting"` // e.g. "pure-epsilon", "zcdp-rho"
	Spent      float64 `json:"spent"`      // cumulative, in the accounting's unit
	Remaining  float64 `json:"remaining"`
	Budget     float64 `json:"budget"`
	Refused    bool    `json:"refused"`
}

// LifecycleEvent records a worker start, stop, configuration load, key
// rotation or budget refusal.
type LifecycleEvent struct {
	Type       string            `json:"type"`
	WorkerID   string            `json:"worker_id"`
	Time       time.Time         `json:"time"`
	ConfigHash string            `json:"config_hash"`
	KeyIDs     []string          `json:"key_ids"`
	Detail     map[string]string `json:"detail"` // codes only, both keys and values
}

// codeRE is what a string in a map, detail or list must look like: a code,
// name, id or hash. It admits no spaces, so free text cannot slip in.
var codeRE = regexp.MustCompile(`^[A-Za-z0-9_.:/=+-]{1,128}$`)

func checkCode(field string, s string) error {
	if !codeRE.MatchString(s) {
		// Never echo s: it might be the very PHI value this guards against.
		return fmt.Errorf("checking %s: %d-byte string is not a code: %w", field, len(s), ErrInvalidEvent)
	}
	return nil
}

func checkCodes(field string, ss []string) error {
	for i, s := range ss {
		if err := checkCode(fmt.Sprintf("%s[%d]", field, i), s); err != nil {
			return err
		}
	}
	return nil
}

func checkCountKeys(field string, m map[string]int64) error {
	for k, n := range m {
		if err := checkCode(field+" key", k); err != nil {
			return err
		}
		if n < 0 {
			return fmt.Errorf("checking %s: negative count: %w", field, ErrInvalidEvent)
		}
	}
	return nil
}

// validate checks a window event before it enters the log.
func (e *WindowEvent) validate() error {
	if e.Type != TypeWindow {
		return fmt.Errorf("checking window event type: %w", ErrInvalidEvent)
	}
	if err := checkCode("worker_id", e.WorkerID); err != nil {
		return err
	}
	if e.RecordsIn < 0 || e.Published < 0 || e.Suppressed < 0 || e.Quarantined < 0 {
		return fmt.Errorf("checking counts of window %d: negative count: %w", e.Window, ErrInvalidEvent)
	}
	if e.RecordsIn != e.Published+e.Suppressed+e.Quarantined {
		return fmt.Errorf("checking window %d: %d in, %d published + %d suppressed + %d quarantined: %w",
			e.Window, e.RecordsIn, e.Published, e.Suppressed, e.Quarantined, ErrAccounting)
	}
	for i, r := range append(append([]InputRange(nil), e.Inputs...), e.Outputs...) {
		if err := checkCode(fmt.Sprintf("range %d topic", i), r.Topic); err != nil {
			return err
		}
		if r.First > r.Last || r.First < 0 {
			return fmt.Errorf("checking range %d of window %d: first %d > last %d: %w", i, e.Window, r.First, r.Last, ErrInvalidEvent)
		}
	}
	if err := checkCountKeys("quarantine_reasons", e.QuarantineReasons); err != nil {
		return err
	}
	if err := checkCountKeys("phi_counts", e.PHICounts); err != nil {
		return err
	}
	if e.PolicyHash != "" {
		if err := checkCode("policy_hash", e.PolicyHash); err != nil {
			return err
		}
	}
	if e.Privacy != nil && e.Privacy.LKind != "" {
		if err := checkCode("privacy.l_kind", e.Privacy.LKind); err != nil {
			return err
		}
	}
	if e.DP != nil {
		if err := checkCode("dp.dataset", e.DP.Dataset); err != nil {
			return err
		}
		if e.DP.Accounting != "" {
			if err := checkCode("dp.accounting", e.DP.Accounting); err != nil {
				return err
			}
		}
	}
	if err := checkCodes("key_ids", e.KeyIDs); err != nil {
		return err
	}
	return checkCodes("batch_ids", e.BatchIDs)
}

// validate checks a lifecycle event before it enters the log.
func (e *LifecycleEvent) validate() error {
	switch e.Type {
	case TypeStart, TypeStop, TypeConfigLoaded, TypeKeyRotation, TypeBudgetRefused:
	default:
		return fmt.Errorf("checking lifecycle event type %q: %w", e.Type, ErrInvalidEvent)
	}
	if err := checkCode("worker_id", e.WorkerID); err != nil {
		return err
	}
	if e.ConfigHash != "" {
		if err := checkCode("config_hash", e.ConfigHash); err != nil {
			return err
		}
	}
	if err := checkCodes("key_ids", e.KeyIDs); err != nil {
		return err
	}
	for k, v := range e.Detail {
		if err := checkCode("detail key", k); err != nil {
			return err
		}
		if err := checkCode("detail value", v); err != nil {
			return err
		}
	}
	return nil
}

// Entry is one leaf of the log: an event with its position, its link to the
// previous leaf and the number of checkpoints issued before it.
type Entry struct {
	CP    int64           `json:"cp"`
	Event json.RawMessage `json:"event"`
	Prev  string          `json:"prev"`
	Seq   int64           `json:"seq"`
}

// eventHead is what every event has in common, for decoding any of them.
type eventHead struct {
	Type     string    `json:"type"`
	WorkerID string    `json:"worker_id"`
	Time     time.Time `json:"time"`
}

// DecodedEvent is a leaf read back: the entry and exactly one of Window or
// Lifecycle.
type DecodedEvent struct {
	Entry     Entry
	Window    *WindowEvent
	Lifecycle *LifecycleEvent
}

// Type returns the event's type.
func (d *DecodedEvent) Type() string {
	if d.Window != nil {
		return TypeWindow
	}
	return d.Lifecycle.Type
}

// WorkerID returns the worker the event belongs to.
func (d *DecodedEvent) WorkerID() string {
	if d.Window != nil {
		return d.Window.WorkerID
	}
	return d.Lifecycle.WorkerID
}

// Time returns when the event happened.
func (d *DecodedEvent) Time() time.Time {
	if d.Window != nil {
		return d.Window.Time
	}
	return d.Lifecycle.Time
}

// DecodeEntry parses a leaf. It checks the canonical form and the event's
// schema, not its place in the log (that is Verify's job).
func DecodeEntry(leaf []byte) (*DecodedEvent, error) {
	if !IsCanonical(leaf) {
		return nil, fmt.Errorf("decoding audit entry: %w", ErrNotCanonical)
	}
	var d DecodedEvent
	if err := json.Unmarshal(leaf, &d.Entry); err != nil {
		return nil, fmt.Errorf("decoding audit entry: %w", ErrInvalidEvent)
	}
	var head eventHead
	if err := json.Unmarshal(d.Entry.Event, &head); err != nil {
		return nil, fmt.Errorf("decoding audit event head: %w", ErrInvalidEvent)
	}
	var err error
	if head.Type == TypeWindow {
		d.Window = new(WindowEvent)
		if err = strictUnmarshal(d.Entry.Event, d.Window); err == nil {
			err = d.Window.validate()
		}
	} else {
		d.Lifecycle = new(LifecycleEvent)
		if err = strictUnmarshal(d.Entry.Event, d.Lifecycle); err == nil {
			err = d.Lifecycle.validate()
		}
	}
	if err != nil {
		return nil, fmt.Errorf("decoding audit event: %w", err)
	}
	return &d, nil
}

func strictUnmarshal(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("unmarshaling %T: %w", v, ErrInvalidEvent)
	}
	return nil
}
