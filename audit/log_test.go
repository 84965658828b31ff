package audit

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestRoundTrip(t *testing.T) {
	s := testSigner(t, "audit.test", 1)
	l := NewLog(s, "worker-1", WithClock(fakeClock()))
	msgs := simulateRun(t, l, 6)
	rep, err := Verify(msgs, s.Verifier())
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK {
		t.Fatalf("clean log has findings: %v", rep.Findings)
	}
	want := []*WorkerLog{{WorkerID: "worker-1", Events: 9, Checkpoints: 5, Sealed: 9, UnsealedTail: []int{}}}
	if d := cmp.Diff(want, rep.Workers, cmpIgnoreLast); d != "" {
		t.Errorf("workers (-want +got):\n%s", d)
	}
	if rep.Workers[0].Last == nil || rep.Workers[0].Last.Seq != 4 {
		t.Errorf("last checkpoint = %+v, want checkpoint 4", rep.Workers[0].Last)
	}
	// Every leaf decodes back to the event appended.
	var windows []uint64
	for _, m := range msgs {
		if m.Kind != KindEvent {
			continue
		}
		d, err := DecodeEntry(m.Value)
		if err != nil {
			t.Fatalf("DecodeEntry: %v", err)
		}
		if d.Window != nil {
			windows = append(windows, d.Window.Window)
			if d.Window.RecordsIn != 6 || d.Window.Quarantined != 1 || d.Window.PHICounts["SSN"] != 5 {
				t.Errorf("window %d counts = %+v", d.Window.Window, d.Window)
			}
		}
	}
	if !slices.Equal(windows, []uint64{0, 1, 2, 3, 4, 5}) {
		t.Errorf("windows = %v", windows)
	}
}

var cmpIgnoreLast = cmp.FilterPath(func(p cmp.Path) bool { return p.Last().String() == ".Last" }, cmp.Ignore())

func TestUnsealedTail(t *testing.T) {
	s := testSigner(t, "audit.test", 1)
	l := NewLog(s, "w1", WithClock(fakeClock()))
	msgs := simulateRun(t, l, 2)
	for range 2 {
		m, err := l.Append(&LifecycleEvent{Type: TypeKeyRotation, KeyIDs: []string{"k2"}})
		if err != nil {
			t.Fatal(err)
		}
		msgs = append(msgs, m)
	}
	rep, _ := Verify(msgs, s.Verifier())
	if !rep.OK {
		t.Fatalf("findings: %v", rep.Findings)
	}
	n := len(msgs)
	if got := rep.Workers[0].UnsealedTail; !slices.Equal(got, []int{n - 2, n - 1}) {
		t.Errorf("unsealed tail = %v, want [%d %d]", got, n-2, n-1)
	}
}

// TestNoPHIInMessages scans every message of a realistic run for the PHI
// values planted in its input records.
func TestNoPHIInMessages(t *testing.T) {
	s := testSigner(t, "audit.test", 1)
	l := NewLog(s, "worker-1", WithClock(fakeClock()))
	msgs := simulateRun(t, l, 4)
	var export bytes.Buffer
	if err := WriteExport(&export, msgs); err != nil {
		t.Fatal(err)
	}
	hay := [][]byte{export.Bytes()}
	for _, m := range msgs {
		hay = append(hay, m.Value, []byte(m.Kind))
	}
	for _, phi := range plantedPHI {
		for _, h := range hay {
			if bytes.Contains(h, []byte(phi)) {
				t.Errorf("planted PHI value %q found in audit output", phi)
			}
		}
	}
	// The run did see the PHI (so the scan is not vacuous).
	d, _ := DecodeEntry(msgs[3].Value)
	if d.Window == nil || d.Window.PHICounts["SSN"] == 0 {
		t.Fatalf("simulation did not count PHI: %+v", d)
	}
}

func TestAppendRejects(t *testing.T) {
	s := testSigner(t, "audit.test", 1)
	tests := []struct {
		name string
		ev   any
		want error
	}{
		{"free text in detail", &LifecycleEvent{Type: TypeStop, Detail: map[string]string{"reason": "patient John Smith complained"}}, ErrInvalidEvent},
		{"PHI type with space", &WindowEvent{PHICounts: map[string]int64{"123 45 6789": 1}}, ErrInvalidEvent},
		{"bad lifecycle type", &LifecycleEvent{Type: "reboot"}, ErrInvalidEvent},
		{"accounting", &WindowEvent{RecordsIn: 3, Published: 1}, ErrAccounting},
		{"other worker", &WindowEvent{WorkerID: "w2"}, ErrWorkerMismatch},
		{"not an event", "hello", ErrInvalidEvent},
		{"reversed range", &WindowEvent{Inputs: []InputRange{{Topic: "t", First: 5, Last: 1}}}, ErrInvalidEvent},
		{"negative count", &WindowEvent{RecordsIn: -1, Published: -1}, ErrInvalidEvent},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l := NewLog(s, "w1")
			_, err := l.Append(tc.ev)
			if !errors.Is(err, tc.want) {
				t.Fatalf("Append error = %v, want %v", err, tc.want)
			}
			if strings.Contains(err.Error(), "John") || strings.Contains(err.Error(), "6789") {
				t.Errorf("error echoes the value: %v", err)
			}
			if l.Size() != 0 {
				t.Errorf("rejected event was appended")
			}
		})
	}
}

func TestAbortForgetsUncommitted(t *testing.T) {
	s := testSigner(t, "audit.test", 1)
	l := NewLog(s, "w1", WithClock(fakeClock()))
	msgs := simulateRun(t, l, 2)
	// A window whose transaction aborts: its messages never reach the topic.
	if _, err := l.Append(&WindowEvent{Window: 99}); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Checkpoint(); err != nil {
		t.Fatal(err)
	}
	l.Abort()
	m1, err := l.Append(&WindowEvent{Window: 100})
	if err != nil {
		t.Fatal(err)
	}
	m2, err := l.Checkpoint()
	if err != nil {
		t.Fatal(err)
	}
	rep, _ := Verify(append(msgs, m1, m2), s.Verifier())
	if !rep.OK {
		t.Fatalf("log after abort has findings: %v", rep.Findings)
	}
}

func TestRestoreThenContinue(t *testing.T) {
	s := testSigner(t, "audit.test", 1)
	other := testSigner(t, "audit.other", 2)
	clock := fakeClock()
	first := simulateRun(t, NewLog(s, "w1", WithClock(clock)), 3)
	// Another worker shares the topic, with its own key.
	foreign := simulateRun(t, NewLog(other, "w2", WithClock(clock)), 1)
	topic := append(slices.Clone(first), foreign...)

	l := NewLog(s, "w1", WithClock(clock))
	if err := l.Restore(topic); err != nil {
		t.Fatalf("Restore: %v", err)
	}
	if err := l.Restore(topic); !errors.Is(err, ErrNotEmpty) {
		t.Errorf("second Restore error = %v, want ErrNotEmpty", err)
	}
	more := simulateRun(t, l, 2)
	all := append(slices.Clone(first), more...)
	rep, _ := Verify(all, s.Verifier())
	if !rep.OK {
		t.Fatalf("restored log has findings: %v", rep.Findings)
	}
	if got, want := rep.Workers[0].Events, int64(6+5); got != want {
		t.Errorf("events = %d, want %d", got, want)
	}

	// A tampered topic must not be extended.
	bad := slices.Clone(first)
	bad[4] = Message{Kind: KindEvent, Value: bytes.Replace(bad[4].Value, []byte(`"records_in":6`), []byte(`"records_in":7`), 1)}
	if err := NewLog(s, "w1").Restore(bad); !errors.Is(err, ErrTampered) {
		t.Errorf("Restore of tampered log error = %v, want ErrTampered", err)
	}
}

func TestNeedsCheckpoint(t *testing.T) {
	s := testSigner(t, "audit.test", 1)
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	tests := []struct {
		name  string
		opts  []LogOption
		steps []time.Duration // append one event after each advance
		want  []bool          // NeedsCheckpoint after each append
	}{
		{"default every event", nil, []time.Duration{0, 0}, []bool{true, true}},
		{"every 3 events", []LogOption{WithCheckpointEvery(3, 0)}, []time.Duration{0, 0, 0}, []bool{false, false, true}},
		{"interval", []LogOption{WithCheckpointEvery(100, time.Minute)}, []time.Duration{0, 30 * time.Second, 31 * time.Second}, []bool{false, false, true}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l := NewLog(s, "w1", append(tc.opts, WithClock(clock))...)
			if _, err := l.Checkpoint(); err != nil { // empty tree: sets the interval's start
				t.Fatal(err)
			}
			if l.NeedsCheckpoint() {
				t.Fatal("NeedsCheckpoint with nothing unsealed")
			}
			for i, d := range tc.steps {
				now = now.Add(d)
				if _, err := l.Append(&LifecycleEvent{Type: TypeStart}); err != nil {
					t.Fatal(err)
				}
				if got := l.NeedsCheckpoint(); got != tc.want[i] {
					t.Errorf("after event %d NeedsCheckpoint = %v, want %v", i, got, tc.want[i])
				}
			}
			if _, err := l.Checkpoint(); err != nil {
				t.Fatal(err)
			}
			if l.NeedsCheckpoint() {
				t.Error("NeedsCheckpoint right after a checkpoint")
			}
		})
	}
}
