package pipeline

import (
	"errors"
	"log/slog"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/deidstream/deidstream/deid"
)

// fakeMonitor finds a NAME in every record of group g1 and a canary in group g2.
type fakeMonitor struct{}

func (fakeMonitor) Inspect(values []string) map[string]int {
	switch values[1] {
	case "g1":
		return map[string]int{"NAME": 1}
	case "g2":
		return map[string]int{deid.ResidualCanary: 1}
	}
	return nil
}

func newMonitoredWorker(t *testing.T, cfg *Config, s Sampling) (*Worker, *Metrics, *syncBuf) {
	t.Helper()
	conn := kfakeConn(t)
	recs, _, _ := inputs(200)
	produceAll(t, conn, "raw", recs)
	m := NewMetrics(prometheus.NewRegistry())
	var logs syncBuf
	w, err := New(*cfg, conn, fakeRedactor{}, fakeSealer{}, &fakeAuditor{}, WithAnonymizer(fakeAnonymizer{}), WithMetrics(m),
		WithMonitor(fakeMonitor{}, s), WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	if err != nil {
		t.Fatal(err)
	}
	return w, m, &logs
}

// TestMonitorAlertCountsAndAudits: in alert mode the findings of the sampled
// released rows move the metrics, are in the window's audit event (counts
// only), and everything is published.
func TestMonitorAlertCountsAndAudits(t *testing.T) {
	cfg := testConfig(t)
	// Four windows: the first is inspected whole; the second, detected while
	// the first publishes (before any window committed), is sampled like
	// the others.
	cfg.Window.MaxRecords = 50
	w, m, logs := newMonitoredWorker(t, cfg, Sampling{Every: 10, FirstWindow: true, Tolerance: 0.05})
	if err := runUntil(t, w, func() bool { return settled(m) >= 200 }); err != nil {
		t.Fatal(err)
	}
	_, _, events := outputs(t, w.conn, cfg)
	if len(events) < 2 {
		t.Fatalf("%d window events", len(events))
	}
	first := events[0].Residual
	if first == nil || first.Inspected != events[0].Published || first.Findings["NAME"] == 0 || first.Canaries == 0 {
		t.Fatalf("first window: every released record inspected, findings counted: %+v (event %+v)", first, events[0])
	}
	sampled := 0
	for _, ev := range events[1:] {
		if ev.Published < 20 {
			continue // too few to tell a sample (every 10th) from the whole
		}
		sampled++
		if later := ev.Residual; later == nil || later.Inspected >= ev.Published {
			t.Errorf("window %d is inspected whole (%+v, %d published), want it sampled", ev.Window, later, ev.Published)
		}
	}
	if sampled == 0 {
		t.Error("no later window of 20 records or more to check")
	}
	if testutil.ToFloat64(m.CanaryHits) == 0 || testutil.ToFloat64(m.ResidualFindings.WithLabelValues("NAME")) == 0 ||
		testutil.ToFloat64(m.ResidualInspected) == 0 {
		t.Error("monitor metrics did not move")
	}
	if !strings.Contains(logs.String(), "residual PHI in released rows") || !strings.Contains(logs.String(), "CANARY=") {
		t.Errorf("no warning naming the finding types: %s", logs.String())
	}
}

// TestMonitorHaltReleasesNothing: in halt mode a canary aborts the window and
// stops the worker with ErrResidualPHI; nothing is published.
func TestMonitorHaltReleasesNothing(t *testing.T) {
	cfg := testConfig(t)
	w, m, _ := newMonitoredWorker(t, cfg, Sampling{FirstWindow: true, Tolerance: 1000, Halt: true})
	err := runUntil(t, w, func() bool { return false })
	if !errors.Is(err, ErrResidualPHI) || !strings.Contains(err.Error(), "nothing of it released") {
		t.Fatalf("Run: %v, want ErrResidualPHI with a clear message", err)
	}
	rows, _, events := outputs(t, w.conn, cfg)
	if len(rows) != 0 || len(events) != 0 {
		t.Fatalf("halted worker released %d rows, %d window events", len(rows), len(events))
	}
	if testutil.ToFloat64(m.CanaryHits) == 0 {
		t.Error("the halted window's canary is not counted")
	}
}
