package breakglass

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"slices"
	"testing"
	"time"
)

// memRecorder keeps events; failOn makes Record fail for one type.
type memRecorder struct {
	events []Event
	failOn string
}

func (m *memRecorder) Record(_ context.Context, ev Event) error {
	if ev.Type == m.failOn {
		return errors.New("audit topic unavailable")
	}
	m.events = append(m.events, ev)
	return nil
}

var officers = []string{"olga", "omar", "oona"}

func TestShamirAnyThresholdSubsetRebuilds(t *testing.T) {
	secret := []byte("thirty-two bytes of escrow secrt")
	shares, err := split(rand.Reader, secret, 3, 5)
	if err != nil {
		t.Fatal(err)
	}
	for _, idx := range [][]int{{0, 1, 2}, {4, 2, 0}, {1, 3, 4}, {0, 1, 2, 3, 4}} {
		var xs []byte
		var ys [][]byte
		for _, i := range idx {
			xs, ys = append(xs, byte(i+1)), append(ys, shares[i])
		}
		got, err := combine(xs, ys)
		if err != nil || !bytes.Equal(got, secret) {
			t.Errorf("shares %v rebuild %q (%v), want the secret", idx, got, err)
		}
	}
}

// With M-1 shares every value of a secret byte stays possible: completing
// them with each of the 256 values a missing share could take yields each
// of the 256 secrets once.
func TestMinusOneSharesRevealNothing(t *testing.T) {
	secret := []byte{0x42}
	shares, err := split(rand.Reader, secret, 3, 3)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[byte]bool{}
	for v := range 256 {
		got, err := combine([]byte{1, 2, 3}, [][]byte{shares[0], shares[1], {byte(v)}})
		if err != nil {
			t.Fatal(err)
		}
		seen[got[0]] = true
	}
	if len(seen) != 256 {
		t.Errorf("two of three shares leave %d possible secrets, want all 256", len(seen))
	}

	e, ss, err := NewEscrow(nil, 2, officers)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Recover(ss[:1]); !errors.Is(err, ErrTooFewShares) {
		t.Errorf("one share of a 2-of-3 escrow: %v, want ErrTooFewShares", err)
	}
	if _, err := e.Recover([]Share{ss[1], ss[1]}); !errors.Is(err, ErrTooFewShares) {
		t.Errorf("one officer's share twice: %v, want ErrTooFewShares", err)
	}
	k, err := e.Recover([]Share{ss[2], ss[0]})
	if err != nil || k.KeyID() != e.ID {
		t.Fatalf("two shares: %v, want the escrow key", err)
	}
}

func TestShareOfAnotherEscrowIsRejected(t *testing.T) {
	e, ss, err := NewEscrow(nil, 2, officers)
	if err != nil {
		t.Fatal(err)
	}
	other, os, err := NewEscrow(nil, 2, officers)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Verify(os[0]); !errors.Is(err, ErrForeignShare) {
		t.Errorf("share of another escrow: %v, want ErrForeignShare", err)
	}
	forged := os[0]
	forged.EscrowID = e.ID // relabelled: the hash still tells
	if err := e.Verify(forged); !errors.Is(err, ErrForeignShare) {
		t.Errorf("relabelled share of another escrow: %v, want ErrForeignShare", err)
	}
	stolen := ss[0]
	stolen.Officer = "omar" // olga's share presented as omar's
	if err := e.Verify(stolen); !errors.Is(err, ErrForeignShare) {
		t.Errorf("a share under another officer's name: %v, want ErrForeignShare", err)
	}
	if _, err := e.Recover([]Share{ss[0], forged}); !errors.Is(err, ErrForeignShare) {
		t.Errorf("recovering with a foreign share: %v, want ErrForeignShare", err)
	}
	rec := &memRecorder{}
	r, _, err := NewRequest(context.Background(), rec, e, "pseudonym:p1", "rita", "incidental_finding", "note", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Approve(context.Background(), rec, e, r, os[1], time.Now()); !errors.Is(err, ErrForeignShare) {
		t.Errorf("approving with a share of another escrow: %v, want ErrForeignShare", err)
	}
	if len(rec.events) != 1 {
		t.Errorf("a refused approval was audited as an approval: %+v", rec.events)
	}
	_ = other
}

func TestEscrowFilesRoundTrip(t *testing.T) {
	e, ss, err := NewEscrow(nil, 2, officers)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	back, err := ParseEscrow(b)
	if err != nil {
		t.Fatal(err)
	}
	var shares []Share
	for _, s := range ss[1:] {
		sb, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		var s2 Share
		if err := json.Unmarshal(sb, &s2); err != nil {
			t.Fatal(err)
		}
		shares = append(shares, s2)
	}
	if k, err := back.Recover(shares); err != nil || k.KeyID() != e.ID {
		t.Fatalf("escrow and shares read back from their files: %v", err)
	}
	if _, err := ParseEscrow(bytes.Replace(b, []byte(`"threshold":2`), []byte(`"threshold":1`), 1)); !errors.Is(err, ErrEscrowFormat) {
		t.Errorf("threshold 1 accepted: %v", err)
	}
}

// request -> approvals -> open -> expiry, with an audit event before each step's effect.
func TestCase(t *testing.T) {
	ctx := context.Background()
	e, ss, err := NewEscrow(nil, 2, officers)
	if err != nil {
		t.Fatal(err)
	}
	var records []Record
	var keys []KeyRecord
	for i, l := range []Link{{"p1", "raw", 0, 10, "MRN-1"}, {"p2", "raw", 1, 7, "MRN-2"}, {"p3", "raw", 0, 11, "MRN-3"}} {
		s, err := NewSealer(e) // one data key per window; here one per link
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, s.Key)
		r, err := s.Seal(l)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(r.Sealed, []byte("MRN-")) {
			t.Fatalf("record %d: the patient key is visible in the sealed escrow record", i)
		}
		records = append(records, r)
	}
	// A record relabelled to answer another target does not open.
	escrowKey, err := e.Recover(ss[:2])
	if err != nil {
		t.Fatal(err)
	}
	moved := records[0]
	moved.PseudonymTag = records[1].PseudonymTag
	if _, err := openLink(e.ID, escrowKey, keys, moved); !errors.Is(err, ErrLinkSealing) {
		t.Errorf("relabelled escrow record: %v, want ErrLinkSealing", err)
	}
	if l, err := openLink(e.ID, escrowKey, keys, records[0]); err != nil || l.PatientKey != "MRN-1" {
		t.Errorf("opening a record directly: %+v, %v", l, err)
	}
	t0 := time.Date(2026, 1, 2, 3, 0, 0, 0, time.UTC)
	const dur = time.Hour
	rec := &memRecorder{}
	req, key, err := NewRequest(ctx, rec, e, "pseudonym:p2", "rita", "incidental_finding", "CT shows a nodule", t0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Open(ctx, rec, e, req, key, nil, dur, t0, records, keys); !errors.Is(err, ErrNotApproved) {
		t.Fatalf("open without approvals: %v, want ErrNotApproved", err)
	}
	a1, err := Approve(ctx, rec, e, req, ss[0], t0.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Open(ctx, rec, e, req, key, []Approval{a1, a1}, dur, t0.Add(2*time.Minute), records, keys); !errors.Is(err, ErrNotApproved) {
		t.Fatalf("open with M-1 approvals (one given twice): %v, want ErrNotApproved", err)
	}
	a2, err := Approve(ctx, rec, e, req, ss[2], t0.Add(5*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	// The audit log refuses the open event: nothing is revealed.
	failing := &memRecorder{failOn: EventOpen}
	if l, err := Open(ctx, failing, e, req, key, []Approval{a2, a1}, dur, t0.Add(10*time.Minute), records, keys); err == nil || l != (Link{}) {
		t.Fatalf("open whose audit event failed returned %+v, %v; want nothing and an error", l, err)
	}
	l, err := Open(ctx, rec, e, req, key, []Approval{a2, a1}, dur, t0.Add(10*time.Minute), records, keys)
	if err != nil {
		t.Fatal(err)
	}
	if l != (Link{"p2", "raw", 1, 7, "MRN-2"}) {
		t.Errorf("opened %+v, want the link of p2 only", l)
	}
	var types []string
	for _, ev := range rec.events {
		types = append(types, ev.Type)
		if ev.RequestID != req.ID || ev.TargetTag != Tag(e.ID, "pseudonym:p2") {
			t.Errorf("event %+v does not name the request and the target's tag", ev)
		}
	}
	if want := []string{EventRequest, EventApprove, EventApprove, EventOpen}; !slices.Equal(types, want) {
		t.Errorf("audited %v, want %v", types, want)
	}
	if last := rec.events[len(rec.events)-1]; !last.Expires.Equal(t0.Add(5*time.Minute + dur)) {
		t.Errorf("grant expires %v, want an hour after the second approval", last.Expires)
	}
	// Expired: an hour after the approval that reached the threshold.
	if _, err := Open(ctx, rec, e, req, key, []Approval{a1, a2}, dur, t0.Add(65*time.Minute), records, keys); !errors.Is(err, ErrExpired) {
		t.Errorf("open after the grant ended: %v, want ErrExpired", err)
	}
	if n := len(rec.events); n != 4 {
		t.Errorf("%d events after a refused open, want 4: a refusal reveals nothing and opens nothing", n)
	}

	// By source record, and self-approval.
	req2, key2, err := NewRequest(ctx, rec, e, "record:raw/0/11", "olga", "incidental_finding", "", t0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Approve(ctx, rec, e, req2, ss[0], t0); !errors.Is(err, ErrSelfApproval) {
		t.Errorf("olga approving her own request: %v, want ErrSelfApproval", err)
	}
	b1, _ := Approve(ctx, rec, e, req2, ss[1], t0)
	b2, _ := Approve(ctx, rec, e, req2, ss[2], t0)
	if l, err := Open(ctx, rec, e, req2, key2, []Approval{b1, b2}, dur, t0, records, keys); err != nil || l.PatientKey != "MRN-3" {
		t.Errorf("open by record: %+v, %v; want p3's link", l, err)
	}
	// Another request's key cannot read these approvals' shares.
	if _, err := Open(ctx, rec, e, req2, key, []Approval{b1, b2}, dur, t0, records, keys); err == nil {
		t.Error("approvals sealed to one request opened with another request's key")
	}
	if err := ParseTarget("MRN-1"); !errors.Is(err, ErrTarget) {
		t.Errorf("target without a kind: %v", err)
	}
	if _, _, err := NewRequest(ctx, rec, e, "pseudonym:p1", "Rita Smith", "incidental_finding", "", t0); !errors.Is(err, ErrTarget) {
		t.Errorf("a requester with a space (the audit event holds codes only): %v", err)
	}
}
