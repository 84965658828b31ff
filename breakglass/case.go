package breakglass

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/deidstream/deidstream/audit"
	"github.com/deidstream/deidstream/envelope"
)

var (
	// ErrExpired is a grant whose access_duration has passed.
	ErrExpired = errors.New("break-glass grant expired")
	// ErrNotApproved means fewer than the threshold of distinct officers approved.
	ErrNotApproved = errors.New("break-glass request not approved")
	// ErrSelfApproval is an officer approving their own request.
	ErrSelfApproval = errors.New("an officer may not approve their own request")
	// ErrNotFound means no escrow record matches the request's target.
	ErrNotFound = errors.New("no escrow record for the target")
	// ErrTarget is a request that cannot be made: a target that is neither
	// pseudonym:P nor record:topic/partition/offset, or a requester or reason
	// that is not a code.
	ErrTarget = errors.New("bad break-glass request")
)

// LogID is the audit log id (the worker_id of its events) the steps are
// recorded under: a log of their own on the audit topic, beside the workers'.
const LogID = "breakglass"

// Audit event types, one per step; audit.LifecycleEvent carries them.
const (
	EventRequest = audit.TypeBreakGlassRequest
	EventApprove = audit.TypeBreakGlassApprove
	EventOpen    = audit.TypeBreakGlassOpen
)

// Event is one step of a case for the audit log: codes and hashes only,
// never the target or the justification themselves.
type Event struct {
	Type      string // EventRequest, EventApprove, EventOpen
	RequestID string
	EscrowID  string
	Actor     string // requester or officer
	TargetTag string // Tag(escrow, target)
	Reason    string // the request's reason code
	Expires   time.Time
	Time      time.Time
}

// Recorder writes an event to the audit log and returns once it is durable
// (committed): Open reveals nothing until Record returned nil.
type Recorder interface {
	Record(ctx context.Context, ev Event) error
}

// Request asks for one link. It is public (no secret, no PHI): the target
// appears only as its tag, the justification only as its hash.
type Request struct {
	ID        string    `json:"id"`
	EscrowID  string    `json:"escrow_id"`
	TargetTag string    `json:"target_tag"`
	Requester string    `json:"requester"`
	Reason    string    `json:"reason"`    // a code, e.g. incidental_finding
	NoteHash  string    `json:"note_hash"` // SHA-256 of the written justification the requester keeps
	Time      time.Time `json:"time"`
	// Key is the request's own public key: each approval seals its share to
	// it, so the shares are of use only to whoever holds this request's key.
	Key string `json:"key"`
}

// Approval is one officer's consent: their share sealed to the request's key.
type Approval struct {
	RequestID string    `json:"request_id"`
	Officer   string    `json:"officer"`
	Time      time.Time `json:"time"`
	Share     []byte    `json:"share"` // sealed to Request.Key
}

var codeRE = regexp.MustCompile(`^[A-Za-z0-9_.:/=+-]{1,128}$`)

// ParseTarget checks a target: "pseudonym:P" or "record:topic/partition/offset".
func ParseTarget(t string) error {
	kind, v, _ := strings.Cut(t, ":")
	switch {
	case kind == "pseudonym" && v != "":
		return nil
	case kind == "record" && strings.Count(v, "/") >= 2:
		return nil
	}
	// Never echo it: a mistyped target may be a patient's identifier.
	return fmt.Errorf("reading a %d-byte target: want pseudonym:P or record:topic/partition/offset: %w", len(t), ErrTarget)
}

// NewRequest records a request (the audit event first) and returns it with
// its private key, which the requester keeps until opening.
func NewRequest(ctx context.Context, rec Recorder, e *Escrow, target, requester, reason, note string, now time.Time) (Request, *envelope.PrivateKey, error) {
	if err := ParseTarget(target); err != nil {
		return Request{}, nil, err
	}
	// Both go in the audit event, which holds codes only.
	if !codeRE.MatchString(requester) || !codeRE.MatchString(reason) {
		return Request{}, nil, fmt.Errorf("requesting: the requester and the reason must be names or codes of 1-128 "+
			"letters, digits and _.:/=+- (no spaces; free text goes in the note): %w", ErrTarget)
	}
	key, err := envelope.GenerateKey(rand.Reader)
	if err == nil {
		err = key.SetName("breakglass-request")
	}
	if err != nil {
		return Request{}, nil, err
	}
	pub, err := key.Public().MarshalText()
	if err != nil {
		return Request{}, nil, err
	}
	var id [8]byte
	if _, err := io.ReadFull(rand.Reader, id[:]); err != nil {
		return Request{}, nil, fmt.Errorf("making a request id: %w", err)
	}
	nh := sha256.Sum256([]byte(note))
	r := Request{ID: "bg-" + hex.EncodeToString(id[:]), EscrowID: e.ID, TargetTag: Tag(e.ID, target), Requester: requester,
		Reason: reason, NoteHash: hex.EncodeToString(nh[:]), Time: now.UTC(), Key: string(pub)}
	if err := rec.Record(ctx, Event{Type: EventRequest, RequestID: r.ID, EscrowID: e.ID, Actor: requester,
		TargetTag: r.TargetTag, Reason: reason, Time: r.Time}); err != nil {
		return Request{}, nil, fmt.Errorf("auditing break-glass request %s: %w", r.ID, err)
	}
	return r, key, nil
}

// Approve checks an officer's share against the escrow, records the
// approval in the audit log, then seals the share to the request's key.
func Approve(ctx context.Context, rec Recorder, e *Escrow, r Request, s Share, now time.Time) (Approval, error) {
	if r.EscrowID != e.ID {
		return Approval{}, fmt.Errorf("approving request %s: it is for escrow %s, not %s: %w", r.ID, r.EscrowID, e.ID, ErrForeignShare)
	}
	if err := e.Verify(s); err != nil {
		return Approval{}, fmt.Errorf("approving request %s: %w", r.ID, err)
	}
	if s.Officer == r.Requester {
		return Approval{}, fmt.Errorf("approving request %s as %s: %w", r.ID, s.Officer, ErrSelfApproval)
	}
	pub, err := envelope.ParsePublicKey([]byte(r.Key))
	if err != nil {
		return Approval{}, fmt.Errorf("approving request %s: its key: %w", r.ID, err)
	}
	plain, err := json.Marshal(s)
	if err != nil {
		return Approval{}, err
	}
	sealed, err := envelope.Seal(plain, envelope.Provenance{Kind: envelope.KindFile}, []*envelope.PublicKey{pub})
	clear(plain)
	if err != nil {
		return Approval{}, fmt.Errorf("approving request %s: sealing the share: %w", r.ID, err)
	}
	a := Approval{RequestID: r.ID, Officer: s.Officer, Time: now.UTC(), Share: sealed}
	if err := rec.Record(ctx, Event{Type: EventApprove, RequestID: r.ID, EscrowID: e.ID, Actor: s.Officer,
		TargetTag: r.TargetTag, Reason: r.Reason, Time: a.Time}); err != nil {
		return Approval{}, fmt.Errorf("auditing approval of %s by %s: %w", r.ID, s.Officer, err)
	}
	return a, nil
}

// Grant is an approved request: it opens its one link until Expires.
type Grant struct {
	Approvers []string
	Expires   time.Time
}

// Decide checks the approvals of r (shares opened with the request's key):
// Threshold distinct officers, none the requester, each share of this
// escrow. The grant runs from the approval that reached the threshold, for
// duration.
func Decide(e *Escrow, r Request, key *envelope.PrivateKey, approvals []Approval, duration time.Duration) (Grant, []Share, error) {
	sorted := slices.Clone(approvals)
	slices.SortStableFunc(sorted, func(a, b Approval) int { return a.Time.Compare(b.Time) })
	var g Grant
	var shares []Share
	for _, a := range sorted {
		if a.RequestID != r.ID || slices.Contains(g.Approvers, a.Officer) {
			continue
		}
		if a.Officer == r.Requester {
			return Grant{}, nil, fmt.Errorf("deciding request %s: %w", r.ID, ErrSelfApproval)
		}
		plain, _, err := envelope.Open(a.Share, key)
		if err != nil {
			return Grant{}, nil, fmt.Errorf("deciding request %s: opening the share of %s: %w", r.ID, a.Officer, err)
		}
		var s Share
		err = json.Unmarshal(plain, &s)
		clear(plain)
		if err != nil {
			return Grant{}, nil, err
		}
		if s.Officer != a.Officer {
			return Grant{}, nil, fmt.Errorf("deciding request %s: the approval of %s holds the share of %s: %w", r.ID, a.Officer, s.Officer, ErrForeignShare)
		}
		if err := e.Verify(s); err != nil {
			return Grant{}, nil, fmt.Errorf("deciding request %s: %w", r.ID, err)
		}
		g.Approvers, shares = append(g.Approvers, a.Officer), append(shares, s)
		if len(shares) == e.Threshold {
			g.Expires = a.Time.Add(duration)
			return g, shares, nil
		}
	}
	return Grant{}, nil, fmt.Errorf("deciding request %s: %d of %d approvals: %w", r.ID, len(shares), e.Threshold, ErrNotApproved)
}

// Open reveals the one link r asked for: the grant must hold at now, the
// open event must be durable in the audit log before the escrow key is
// rebuilt, and only the first record whose tag is the target's is opened
// (with its data key, from keys).
func Open(ctx context.Context, rec Recorder, e *Escrow, r Request, key *envelope.PrivateKey, approvals []Approval,
	duration time.Duration, now time.Time, records []Record, keys []KeyRecord) (Link, error) {
	g, shares, err := Decide(e, r, key, approvals, duration)
	if err != nil {
		return Link{}, err
	}
	if !now.Before(g.Expires) {
		return Link{}, fmt.Errorf("opening request %s: the grant ended at %s: %w", r.ID, g.Expires.UTC().Format(time.RFC3339), ErrExpired)
	}
	if err := rec.Record(ctx, Event{Type: EventOpen, RequestID: r.ID, EscrowID: e.ID, Actor: r.Requester,
		TargetTag: r.TargetTag, Reason: r.Reason, Expires: g.Expires, Time: now.UTC()}); err != nil {
		return Link{}, fmt.Errorf("auditing the opening of %s (nothing revealed): %w", r.ID, err)
	}
	escrowKey, err := e.Recover(shares)
	if err != nil {
		return Link{}, err
	}
	for _, rc := range records {
		if rc.PseudonymTag == r.TargetTag || rc.SourceTag == r.TargetTag {
			return openLink(e.ID, escrowKey, keys, rc)
		}
	}
	return Link{}, fmt.Errorf("opening request %s: %w", r.ID, ErrNotFound)
}
