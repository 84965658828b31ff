package pipeline

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// When a window's transaction cannot be ended in time (Kafka stalls), the
// worker replaces its session instead of stopping, learns whether the window
// committed, keeps its state in step with what Kafka holds, and publishes
// every record exactly once. Two stalls: the EndTxn of a commit, which the
// new session's fencing aborts, and a produce (the window aborts, and ending
// it fails too). (A commit that lands after the client gave up is read back
// the same way; kfake drops the stalled request of a closed connection, so
// that case is left to the integration tests on a real broker.)
func TestWorkerReplacesSessionWhenEndFails(t *testing.T) {
	for _, c := range []struct {
		name  string
		key   kmsg.Key
		nth   int64 // the request of that key to stall
		stall time.Duration
	}{
		{"commit stalls", kmsg.EndTxn, 3, 2500 * time.Millisecond},
		{"produce stalls", kmsg.Produce, 4, 2500 * time.Millisecond},
	} {
		t.Run(c.name, func(t *testing.T) {
			cluster, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(3, "raw"))
			if err != nil {
				t.Fatal(err)
			}
			defer cluster.Close()
			conn := []kgo.Opt{kgo.SeedBrokers(cluster.ListenAddrs()...)}
			cfg := testConfig(t)
			cfg.Kafka.TransactionTimeout = 1500 * time.Millisecond // the publish bound: shorter than the stall
			const n = 1500
			recs, wantQ, wantS := inputs(n)
			produceAll(t, conn, "raw", recs)

			var seen atomic.Int64
			cluster.ControlKey(int16(c.key), func(kmsg.Request) (kmsg.Response, error, bool) {
				cluster.KeepControl()
				if seen.Add(1) != c.nth {
					return nil, nil, false
				}
				cluster.SleepControl(func() { time.Sleep(c.stall) })
				if c.key == kmsg.Produce {
					// The stalled produce is dropped with its connection. kfake,
					// unlike Kafka, would add its partition to a transaction
					// before it checks the (by now fenced) epoch; that phantom
					// transaction's timeout would then fence the new session.
					return nil, errors.New("stalled produce dropped"), true
				}
				return nil, nil, false
			})
			aud := &fakeAuditor{}
			var logs syncBuf
			m := NewMetrics(prometheus.NewRegistry())
			w, err := New(*cfg, conn, fakeRedactor{}, fakeSealer{}, aud, WithAnonymizer(fakeAnonymizer{}), WithMetrics(m),
				WithLogger(slog.New(slog.NewJSONHandler(&logs, nil))))
			if err != nil {
				t.Fatal(err)
			}
			if err := runUntil(t, w, func() bool { return settled(m) >= n }); err != nil {
				t.Fatalf("worker stopped: %v\n%s", err, logs.String())
			}
			if got := testutil.ToFloat64(m.SessionRestarts); got != 1 {
				t.Errorf("%v session restarts, want 1\n%s", got, logs.String())
			}
			rows, reasons, events := outputs(t, conn, cfg)
			checkExactlyOnce(t, rows, reasons, events, n, wantQ, wantS)
			// The auditor's state follows what Kafka committed: every event it
			// kept is in the topic, and no committed event was forgotten.
			audit := readAudit(t, conn, *cfg)
			if kept := aud.kept(); kept != len(audit) {
				t.Errorf("the auditor kept %d events, the audit topic holds %d committed", kept, len(audit))
			}
			if !strings.Contains(logs.String(), "replacing the Kafka session") || !strings.Contains(logs.String(), "Kafka session replaced; resuming") {
				t.Errorf("no log line of the session replacement:\n%s", logs.String())
			}
		})
	}
}

// The outage tracker: an outage needs a failure and 10 s without an answer;
// it is logged once when it starts, once a minute while it lasts, once when
// it ends, and makes the worker not ready with the cause.
func TestKafkaHealthOutage(t *testing.T) {
	var logs syncBuf
	m := NewMetrics(prometheus.NewRegistry())
	t0 := time.Unix(1_000_000, 0)
	h := newKafkaHealth(slog.New(slog.NewTextHandler(&logs, nil)), m, t0)
	at := func(s float64) time.Time { return t0.Add(time.Duration(s * float64(time.Second))) }
	refused := errors.New("dial tcp 127.0.0.1:9092: connect: connection refused")

	// Silence alone is no outage, nor are failures while brokers answer (one broker of three down).
	h.check(at(30))
	for s := 31.0; s < 60; s++ {
		h.failed(refused)
		h.answered(at(s + 0.5))
		h.check(at(s + 0.6))
	}
	if err := h.unreachable(at(60)); err != nil || logs.String() != "" {
		t.Fatalf("outage without one: %v\n%s", err, logs.String())
	}
	// The cluster goes: answers stop at 60.
	h.answered(at(60))
	h.failed(refused)
	for s := 61.0; s <= 69; s++ {
		h.check(at(s))
	}
	if err := h.unreachable(at(69)); err != nil {
		t.Fatalf("outage declared after %v s of silence: %v", 9, err)
	}
	for s := 70.0; s <= 60+300; s++ { // a 5-minute outage, checked every second
		h.failed(refused)
		h.check(at(s))
	}
	err := h.unreachable(at(360))
	if err == nil || !strings.Contains(err.Error(), "Kafka unreachable for 5m0s") || !errors.Is(err, refused) {
		t.Fatalf("unreachable = %v, want 5m0s with the cause", err)
	}
	if got := testutil.ToFloat64(m.KafkaUnreachable); got != 300 {
		t.Errorf("unreachable gauge %v, want 300", got)
	}
	h.answered(at(361))
	if err := h.unreachable(at(361)); err != nil {
		t.Errorf("still unreachable after an answer: %v", err)
	}
	lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
	// One line at 70 s, one a minute after (130, 190, 250, 310), one at the end.
	if len(lines) != 6 || !strings.Contains(lines[0], "Kafka unreachable") || !strings.Contains(lines[0], "for=10s") ||
		!strings.Contains(lines[4], "for=4m10s") || !strings.Contains(lines[5], "Kafka answers again") || !strings.Contains(lines[5], "outage=5m1s") {
		t.Errorf("outage log lines:\n%s", logs.String())
	}
	if got := testutil.ToFloat64(m.KafkaOutages); got != 1 || testutil.ToFloat64(m.KafkaUnreachable) != 0 {
		t.Errorf("outages %v (want 1), unreachable gauge %v after the end (want 0)", got, testutil.ToFloat64(m.KafkaUnreachable))
	}
}

// A SIGTERM while the session is being replaced (a window's outcome unknown,
// Kafka silent) waits up to the drain timeout: if Kafka answers within it the
// window is settled and the stop event published, and Run returns nil; if
// not, Run says the stop event is missing and why.
func TestSIGTERMWhileReplacingSession(t *testing.T) {
	for _, c := range []struct {
		name      string
		drain     time.Duration
		answerIn  time.Duration // after SIGTERM
		wantClean bool
		late      time.Duration // SIGTERM this long after the replacement began: during an attempt to fence
	}{
		{"Kafka answers within the drain timeout", 10 * time.Second, 1500 * time.Millisecond, true, 0},
		{"Kafka silent past the drain timeout", 2 * time.Second, 5 * time.Second, false, 0},
		{"SIGTERM during an attempt, Kafka answers within the drain timeout", 10 * time.Second, 1500 * time.Millisecond, true, time.Second},
	} {
		t.Run(c.name, func(t *testing.T) {
			cluster, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(3, "raw"))
			if err != nil {
				t.Fatal(err)
			}
			defer cluster.Close()
			conn := []kgo.Opt{kgo.SeedBrokers(cluster.ListenAddrs()...)}
			cfg := testConfig(t)
			cfg.Kafka.TransactionTimeout = 1500 * time.Millisecond
			cfg.DrainTimeout = c.drain
			recs, _, _ := inputs(1500)
			produceAll(t, conn, "raw", recs)

			// The third EndTxn stalls past the transaction timeout; from then
			// on no producer is initialized until Kafka "answers" again.
			answer := make(chan struct{})
			var ends atomic.Int64
			var silent atomic.Bool
			cluster.ControlKey(int16(kmsg.EndTxn), func(kmsg.Request) (kmsg.Response, error, bool) {
				cluster.KeepControl()
				if ends.Add(1) == 3 {
					silent.Store(true)
					cluster.SleepControl(func() { time.Sleep(2500 * time.Millisecond) })
				}
				return nil, nil, false
			})
			cluster.ControlKey(int16(kmsg.InitProducerID), func(kmsg.Request) (kmsg.Response, error, bool) {
				cluster.KeepControl()
				if silent.Load() {
					cluster.SleepControl(func() { <-answer })
				}
				return nil, nil, false
			})
			var logs syncBuf
			w, err := New(*cfg, conn, fakeRedactor{}, fakeSealer{}, &fakeAuditor{}, WithMetrics(NewMetrics(prometheus.NewRegistry())),
				WithLogger(slog.New(slog.NewJSONHandler(&logs, nil))))
			if err != nil {
				t.Fatal(err)
			}
			ctx, sigterm := context.WithCancel(context.Background())
			errc := make(chan error, 1)
			go func() { errc <- w.Run(ctx) }()
			deadline := time.Now().Add(30 * time.Second)
			for !strings.Contains(logs.String(), "replacing the Kafka session") {
				if time.Now().After(deadline) {
					close(answer)
					t.Fatalf("the session was never replaced:\n%s", logs.String())
				}
				time.Sleep(20 * time.Millisecond)
			}
			time.Sleep(c.late)
			sigterm()
			time.AfterFunc(c.answerIn, func() { close(answer) })
			var runErr error
			select {
			case runErr = <-errc:
			case <-time.After(30 * time.Second):
				t.Fatalf("Run did not return after SIGTERM:\n%s", logs.String())
			}

			audit := readAudit(t, conn, *cfg)
			stopped := len(audit) > 0 && strings.Contains(string(audit[len(audit)-1].Value), `"Type":"stop"`)
			if c.wantClean {
				if runErr != nil || !stopped {
					t.Errorf("Run: %v, stop event last in the audit log: %v; want nil and true\naudit log:\n%s\nworker log:\n%s",
						runErr, stopped, auditSummary(audit), logs.String())
				}
				return
			}
			if runErr == nil || !strings.Contains(runErr.Error(), "stop event is not in the audit log") || stopped {
				t.Errorf("Run: %v, stop event published: %v; want the missing stop event explained", runErr, stopped)
			}
		})
	}
}

// auditSummary lists a test audit log's records (fake events, no record content) for a failure message.
func auditSummary(audit []*kgo.Record) string {
	var b strings.Builder
	for _, r := range audit {
		v := r.Value
		if len(v) > 80 {
			v = v[:80]
		}
		fmt.Fprintf(&b, "  %d/%d %s\n", r.Partition, r.Offset, v)
	}
	return b.String()
}
