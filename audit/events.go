package audit

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/deidstream/deidstream/deid"
)

// Event types. A WindowEvent has type "window"; the others are lifecycle events.
const (
	TypeWindow        = "window"
	TypeStart         = "start"
	TypeStop          = "stop"
	TypeConfigLoaded  = "config_loaded"
	TypeKeyRotation   = "key_rotation"
	TypeBudgetRefused = "budget_refused"
	// Break-glass re-identification, one event per step (package breakglass);
	// Detail holds the request id, escrow id, actor, the target's tag and the
	// reason code, never the target.
	TypeBreakGlassRequest = "breakglass_request"
	TypeBreakGlassApprove = "breakglass_approve"
	TypeBreakGlassOpen    = "breakglass_open"
)

// The event structs declare their fields in the byte order of their JSON
// names, so encoding/json (which sorts map keys and formats numbers the
// canonical way) writes their canonical form directly; Append still checks
// it, and TestEventStructsCanonical fails if a field is added out of order.

// WindowEvent records one committed window of one worker. It holds counts,
// codes, topic names, key ids and hashes, never a record's content.
type WindowEvent struct {
	// BatchIDs identify the research batches the window published (each
	// carries its id in a header and in its sealed provenance).
	BatchIDs []string `json:"batch_ids"`
	// Carry is the window's privacy carry-over; absent without privacy.carry
	// and in events written before it existed.
	Carry *deid.CarrySummary `json:"carry,omitempty"`
	DP    *DP                `json:"dp"` // nil without DP statistics

	Inputs []InputRange `json:"inputs"`
	KeyIDs []string     `json:"key_ids"` // recipient key ids used

	// Outputs are the research output offsets when known. They are usually
	// not: offsets exist only after the transaction commits, and the event
	// is part of that transaction; BatchIDs then identify the outputs.
	Outputs []OutputRange `json:"outputs"`

	PHICounts  map[string]int64 `json:"phi_counts"` // PHI type -> findings
	PolicyHash string           `json:"policy_hash"`
	Privacy    *Privacy         `json:"privacy"` // nil without privacy models
	Published  int64            `json:"published"`

	QuarantineReasons map[string]int64 `json:"quarantine_reasons"` // reason code -> records
	Quarantined       int64            `json:"quarantined"`
	RecordsIn         int64            `json:"records_in"`
	// Residual is the residual-PHI monitor's sample of the released rows; absent
	// without a monitor and in events written before it existed.
	Residual   *deid.ResidualSummary `json:"residual,omitempty"`
	Suppressed int64                 `json:"suppressed"`

	Time   time.Time `json:"time"`   // encoded RFC 3339 with nanoseconds, UTC
	Type   string    `json:"type"`   // always "window"; Append fills it
	Window uint64    `json:"window"` // the worker's window sequence number
	// WithheldValues counts kept values released empty by reason code
	// (on_invalid: withhold); absent in events written before it existed.
	WithheldValues map[string]int64 `json:"withheld_values,omitempty"`
	WorkerID       string           `json:"worker_id"`
}

// InputRange is a contiguous run of input offsets, both ends inclusive.
type InputRange = deid.OffsetRange

// OutputRange is a contiguous run of output offsets, both ends inclusive.
type OutputRange = InputRange

// Privacy is a window's privacy models: configured and achieved.
type Privacy = deid.PrivacySummary

// DP is a window's differential privacy accounting for one dataset.
type DP = deid.DPSummary

// LifecycleEvent records a worker start, stop, configuration load, key
// rotation or budget refusal.
type LifecycleEvent struct {
	ConfigHash string            `json:"config_hash"`
	Detail     map[string]string `json:"detail"` // codes only, both keys and values
	KeyIDs     []string          `json:"key_ids"`
	Time       time.Time         `json:"time"`
	Type       string            `json:"type"`
	WorkerID   string            `json:"worker_id"`
}

// isCode reports whether s looks like what a string in an event must be: a
// code, name, id or hash, 1 to 128 of [A-Za-z0-9_.:/=+-]. It admits no
// spaces, so free text cannot slip in.
func isCode(s string) bool {
	if len(s) == 0 || len(s) > 128 {
		return false
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case c == '_', c == '.', c == ':', c == '/', c == '=', c == '+', c == '-':
		default:
			return false
		}
	}
	return true
}

func checkCode(field string, s string) error {
	if !isCode(s) {
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

// validateCarry checks a carry-over window's accounting: what came in (its
// records and the rows carried into it) is what went out (published,
// suppressed, quarantined, or held for a later window), and its held and
// settled positions agree with the counts.
func (e *WindowEvent) validateCarry() error {
	c := e.Carry
	held, settled := deid.Count(c.Held), deid.Count(c.Settled)
	var waited int64
	for _, n := range c.Waited {
		waited += n
	}
	switch {
	case c.In < 0 || c.Out < 0 || c.Expired < 0 || c.Max < 0:
		return fmt.Errorf("checking carry of window %d: negative count: %w", e.Window, ErrInvalidEvent)
	case e.RecordsIn+c.In != e.Published+e.Suppressed+e.Quarantined+c.Out:
		return fmt.Errorf("checking window %d: %d in + %d carried in, %d published + %d suppressed + %d quarantined + %d carried out: %w",
			e.Window, e.RecordsIn, c.In, e.Published, e.Suppressed, e.Quarantined, c.Out, ErrAccounting)
	case held > c.Out || settled != c.In+held-c.Out:
		return fmt.Errorf("checking carry of window %d: %d held and %d settled positions for %d carried in and %d out: %w",
			e.Window, held, settled, c.In, c.Out, ErrAccounting)
	case waited != e.Published+e.Suppressed:
		return fmt.Errorf("checking carry of window %d: %d rows by windows waited, %d published + %d suppressed: %w",
			e.Window, waited, e.Published, e.Suppressed, ErrAccounting)
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
	if c := e.Carry; c != nil {
		if err := e.validateCarry(); err != nil {
			return err
		}
	} else if e.RecordsIn != e.Published+e.Suppressed+e.Quarantined {
		return fmt.Errorf("checking window %d: %d in, %d published + %d suppressed + %d quarantined: %w",
			e.Window, e.RecordsIn, e.Published, e.Suppressed, e.Quarantined, ErrAccounting)
	}
	ranges := slices.Concat(e.Inputs, e.Outputs)
	if e.Carry != nil {
		ranges = slices.Concat(ranges, e.Carry.Held, e.Carry.Settled)
	}
	for i, r := range ranges {
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
	if err := checkCountKeys("withheld_values", e.WithheldValues); err != nil {
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

// normalizeFloats turns negative zeros into zeros (x+0 does), the one float
// encoding/json writes differently from the canonical rule. It copies
// Privacy and DP so the caller's structs stay untouched.
func (e *WindowEvent) normalizeFloats() {
	if p := e.Privacy; p != nil {
		c := *p
		c.AchievedL, c.AchievedT, c.L, c.NCP, c.T = c.AchievedL+0, c.AchievedT+0, c.L+0, c.NCP+0, c.T+0
		e.Privacy = &c
	}
	if d := e.DP; d != nil {
		c := *d
		c.Budget, c.Remaining, c.Spent = c.Budget+0, c.Remaining+0, c.Spent+0
		e.DP = &c
	}
}

// validate checks a lifecycle event before it enters the log.
func (e *LifecycleEvent) validate() error {
	switch e.Type {
	case TypeStart, TypeStop, TypeConfigLoaded, TypeKeyRotation, TypeBudgetRefused,
		TypeBreakGlassRequest, TypeBreakGlassApprove, TypeBreakGlassOpen:
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
