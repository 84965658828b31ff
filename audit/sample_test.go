package audit

import (
	"bytes"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite testdata/sample.jsonl and testdata/sample.pub")

// sampleLog builds an hour of one worker's audit log with varied, plausible
// figures: key rotation, a DP budget that runs out, quarantine reasons.
func sampleLog(t *testing.T, s *Signer) []Message {
	t.Helper()
	rng := rand.New(rand.NewPCG(7, 11))
	t0 := time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)
	at := t0
	l := NewLog(s, "worker-a", WithClock(func() time.Time { return at }))
	var msgs []Message
	add := func(m Message, err error) {
		if err != nil {
			t.Fatal(err)
		}
		msgs = append(msgs, m)
	}
	keys := []string{"research-2026a+3f9c1e22", "security-2026+a07b5d10"}
	add(l.Append(&LifecycleEvent{Type: TypeStart, KeyIDs: keys}))
	add(l.Append(&LifecycleEvent{Type: TypeConfigLoaded, ConfigHash: "sha256:4b227777d4dd1fc61c6f884f48641d02"}))
	add(l.Checkpoint())
	phiRates := map[string]float64{"NAME": 0.9, "DATE": 1.4, "SSN": 0.08, "PHONE": 0.3, "EMAIL": 0.12, "MRN": 0.6, "ADDRESS": 0.2, "ZIP": 0.25}
	reasons := []string{"decode_json", "too_large", "schema_mismatch", "detector_reject"}
	spent, budget := 0.0, 1.0
	off := int64(0)
	for w := range 60 {
		at = t0.Add(time.Duration(w+1) * time.Minute)
		if w == 30 {
			keys = []string{"research-2026b+81d4e0c7", "security-2026+a07b5d10"}
			add(l.Append(&LifecycleEvent{Type: TypeKeyRotation, KeyIDs: keys, Detail: map[string]string{"kind": "research"}}))
		}
		in := int64(800 + rng.IntN(400))
		ev := &WindowEvent{Window: uint64(w), RecordsIn: in, PolicyHash: "sha256:c3ab8ff13720e8ad9047dd39466b3c89",
			QuarantineReasons: map[string]int64{}, PHICounts: map[string]int64{}, KeyIDs: keys,
			BatchIDs: []string{fmt.Sprintf("w%03d-0", w), fmt.Sprintf("w%03d-1", w)}}
		ev.Inputs = []InputRange{{Topic: "ehr.notes", Partition: 0, First: off, Last: off + in/2 - 1}, {Topic: "ehr.notes", Partition: 1, First: off, Last: off + in - in/2 - 1}}
		off += in
		for range rng.IntN(6) + rng.IntN(2)*rng.IntN(12) {
			ev.QuarantineReasons[reasons[rng.IntN(len(reasons))]]++
			ev.Quarantined++
		}
		ev.Suppressed = int64(float64(in) * (0.01 + 0.05*rng.Float64()))
		ev.Published = in - ev.Suppressed - ev.Quarantined
		for typ, r := range phiRates {
			ev.PHICounts[typ] = int64(float64(in) * r * (0.7 + 0.6*rng.Float64()))
		}
		ev.Privacy = &Privacy{K: 5, L: 2, LKind: "distinct", AchievedK: 5 + rng.IntN(6), AchievedL: 2 + float64(rng.IntN(3)),
			NCP: 0.2 + 0.1*rng.Float64(), Classes: int(in) / 9}
		ev.DP = &DP{Dataset: "notes-daily", Accounting: "zcdp-rho", Budget: budget}
		if spent+0.02 > budget {
			ev.DP.Refused = true
		} else {
			spent += 0.02
		}
		ev.DP.Spent, ev.DP.Remaining = spent, budget-spent
		add(l.Append(ev))
		if ev.DP.Refused {
			add(l.Append(&LifecycleEvent{Type: TypeBudgetRefused, Detail: map[string]string{"dataset": "notes-daily"}}))
		}
		add(l.Checkpoint())
	}
	at = at.Add(30 * time.Second)
	add(l.Append(&LifecycleEvent{Type: TypeStop, Detail: map[string]string{"reason": "sigterm"}}))
	add(l.Checkpoint())
	return msgs
}

// TestSampleFixture keeps testdata/sample.jsonl, a published log signed
// with testdata/sample.pub, verifying: it pins the leaf, checkpoint and key
// formats (a change that breaks old logs fails here) and feeds
// scripts/report-screenshot.sh. Regenerate with -update.
func TestSampleFixture(t *testing.T) {
	jsonl, pubPath := filepath.Join("testdata", "sample.jsonl"), filepath.Join("testdata", "sample.pub")
	if *update {
		s := testSigner(t, "audit.sample", 42)
		var b bytes.Buffer
		if err := WriteExport(&b, sampleLog(t, s)); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(jsonl, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(pubPath, s.Verifier().MarshalText(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	v, err := LoadVerifier(pubPath)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(jsonl)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	msgs, err := ReadExport(f)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Verify(msgs, v)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK || rep.Workers[0].Events != 75 || len(rep.Workers[0].UnsealedTail) != 0 {
		t.Fatalf("sample: ok=%v workers=%+v findings:\n%s", rep.OK, rep.Workers[0], findingsText(rep))
	}
}
