package audit

import (
	"crypto/ed25519"
	"encoding/json"
	"testing"
	"time"
)

func benchEvent() *WindowEvent {
	return &WindowEvent{Window: 1, Time: time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC),
		Inputs:    []InputRange{{Topic: "ehr.notes", Partition: 0, First: 1000, Last: 1499}, {Topic: "ehr.notes", Partition: 1, First: 900, Last: 1399}},
		RecordsIn: 1000, Published: 950, Suppressed: 40, Quarantined: 10,
		QuarantineReasons: map[string]int64{"decode_json": 7, "too_large": 3},
		PHICounts:         map[string]int64{"NAME": 900, "DATE": 1400, "SSN": 80, "PHONE": 300, "EMAIL": 120, "MRN": 600},
		PolicyHash:        "sha256:c3ab8ff13720e8ad9047dd39466b3c89",
		Privacy:           &Privacy{K: 5, L: 2, LKind: "distinct", AchievedK: 6, AchievedL: 2, NCP: 0.27, Classes: 111},
		DP:                &DP{Dataset: "notes-daily", Accounting: "zcdp-rho", Spent: 0.42, Remaining: 0.58, Budget: 1},
		KeyIDs:            []string{"research-2026a+3f9c1e22", "security-2026+a07b5d10"},
		BatchIDs:          []string{"w001-0", "w001-1"},
	}
}

// BenchmarkMarshalBaseline is plain encoding/json of the same event: the
// floor Append's canonical encoding and hashing are compared against.
func BenchmarkMarshalBaseline(b *testing.B) {
	ev := benchEvent()
	for b.Loop() {
		if _, err := json.Marshal(ev); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAppend is one window event: validate, canonical JSON, entry, tree hashes.
func BenchmarkAppend(b *testing.B) {
	l := NewLog(testSigner(b, "bench", 1), "w1")
	ev := benchEvent()
	var size int
	for b.Loop() {
		m, err := l.Append(ev)
		if err != nil {
			b.Fatal(err)
		}
		size = len(m.Value)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(float64(size), "B/event")
}

// BenchmarkCheckpoint signs a checkpoint (Ed25519 + ML-DSA-65) over a tree of 10k events.
func BenchmarkCheckpoint(b *testing.B) {
	l := NewLog(testSigner(b, "bench", 1), "w1")
	ev := benchEvent()
	for range 10000 {
		if _, err := l.Append(ev); err != nil {
			b.Fatal(err)
		}
	}
	var size int
	for b.Loop() {
		m, err := l.Checkpoint()
		if err != nil {
			b.Fatal(err)
		}
		size = len(m.Value)
	}
	b.ReportMetric(float64(size), "B/checkpoint")
}

// BenchmarkEd25519SignBaseline is the Ed25519 half of a checkpoint alone.
func BenchmarkEd25519SignBaseline(b *testing.B) {
	s := testSigner(b, "bench", 1)
	msg := []byte("deidstream/audit/w1\n10000\n/pD+Ycr7/+7CuKOEc31LC/vb7ye4aqgr0KdNpt/gN4E=\ncheckpoint 7\ntime 2026-11-23T08:00:00Z\n")
	for b.Loop() {
		ed25519.Sign(s.ed, msg)
	}
}

// BenchmarkWindowWithCheckpoint is the pipeline's pattern: one event and
// one checkpoint per window transaction.
func BenchmarkWindowWithCheckpoint(b *testing.B) {
	l := NewLog(testSigner(b, "bench", 1), "w1")
	ev := benchEvent()
	for b.Loop() {
		if _, err := l.Append(ev); err != nil {
			b.Fatal(err)
		}
		if _, err := l.Checkpoint(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkBatchedCheckpoint appends 100 events per checkpoint
// (WithCheckpointEvery(100, ...)): the signing cost spread over a batch.
func BenchmarkBatchedCheckpoint(b *testing.B) {
	l := NewLog(testSigner(b, "bench", 1), "w1")
	ev := benchEvent()
	for b.Loop() {
		for range 100 {
			if _, err := l.Append(ev); err != nil {
				b.Fatal(err)
			}
		}
		if _, err := l.Checkpoint(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(100*float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkVerify checks a log of 1000 events with a checkpoint every 10.
func BenchmarkVerify(b *testing.B) {
	s := testSigner(b, "bench", 1)
	l := NewLog(s, "w1")
	ev := benchEvent()
	var msgs []Message
	for i := range 1000 {
		m, err := l.Append(ev)
		if err != nil {
			b.Fatal(err)
		}
		msgs = append(msgs, m)
		if i%10 == 9 {
			m, err := l.Checkpoint()
			if err != nil {
				b.Fatal(err)
			}
			msgs = append(msgs, m)
		}
	}
	for b.Loop() {
		rep, err := Verify(msgs, s.Verifier())
		if err != nil || !rep.OK {
			b.Fatal("verify failed")
		}
	}
	b.ReportMetric(1000*float64(b.N)/b.Elapsed().Seconds(), "events/s")
}
