package pipeline

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	dto "github.com/prometheus/client_model/go"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/deidstream/deidstream/arrowbatch"
	"github.com/deidstream/deidstream/deid"
	"github.com/deidstream/deidstream/kafkaconn"
)

func kfakeConn(t *testing.T) []kgo.Opt {
	t.Helper()
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(3, "raw"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return []kgo.Opt{kgo.SeedBrokers(c.ListenAddrs()...)}
}

func testConfig(t *testing.T) *Config {
	t.Helper()
	cfg := &Config{
		WorkerID:    "w1",
		Parallelism: 3,
		QueueDepth:  1024,
		Topics: Topics{Input: []string{"raw"}, Research: "deid.research", Audit: "deid.audit", Quarantine: "deid.quarantine",
			Stats: "deid.stats", Budget: "deid.budget", Placeholders: "deid.placeholders", Create: true, Partitions: 3},
		Window: Window{MaxRecords: 300, MaxWait: 200 * time.Millisecond, MaxBytes: 1 << 20},
		Input:  Input{MaxRecordBytes: 2048, Required: []string{"id"}, Types: map[string]string{"id": "integer", "group": "string"}},
		Kafka: Kafka{GroupID: "deidstream", TransactionalID: "deidstream-w1", SessionTimeout: 45 * time.Second,
			TransactionTimeout: 60 * time.Second, MaxMessageBytes: 1 << 20},
		DrainTimeout: 10 * time.Second,
	}
	if err := cfg.check(); err != nil {
		t.Fatal(err)
	}
	return cfg
}

// inputs makes n records; every 10th is poison of one kind, and group "rare" is suppressed.
func inputs(n int) (recs [][]byte, wantQuarantine map[string]int, wantSuppressed int) {
	wantQuarantine = map[string]int{}
	for i := range n {
		var b []byte
		switch {
		case i%50 == 1:
			b, wantQuarantine[ReasonInvalidJSON] = []byte(`{"id": `), wantQuarantine[ReasonInvalidJSON]+1
		case i%50 == 11:
			b, wantQuarantine[ReasonInvalidUTF8] = []byte("{\"id\": 1, \"group\": \"\xff\"}"), wantQuarantine[ReasonInvalidUTF8]+1
		case i%50 == 21:
			b, wantQuarantine[ReasonOversized] = []byte(`{"id": 1, "group": "`+strings.Repeat("x", 4000)+`"}`), wantQuarantine[ReasonOversized]+1
		case i%50 == 31:
			b, wantQuarantine["wrong_type:group"] = []byte(`{"id": 1, "group": {"a": 1}}`), wantQuarantine["wrong_type:group"]+1
		case i%50 == 41:
			b, wantQuarantine["phi_rejected_type:SSN"] = []byte(`{"id": 1, "reject": true}`), wantQuarantine["phi_rejected_type:SSN"]+1
		case i%20 == 7:
			b = []byte(fmt.Sprintf(`{"id": %d, "group": "rare"}`, i))
			wantSuppressed++
		default:
			b = []byte(fmt.Sprintf(`{"id": %d, "group": "g%d"}`, i, i%4))
		}
		recs = append(recs, b)
	}
	return recs, wantQuarantine, wantSuppressed
}

func produceAll(t *testing.T, conn []kgo.Opt, topic string, recs [][]byte) {
	t.Helper()
	cl, err := kgo.NewClient(conn...)
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	for i, v := range recs {
		cl.Produce(context.Background(), &kgo.Record{Topic: topic, Key: []byte(fmt.Sprint(i % 7)), Value: v}, nil)
	}
	if err := cl.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func newTestWorker(t *testing.T, cfg *Config, conn []kgo.Opt, aud *fakeAuditor) (*Worker, *Metrics) {
	m := NewMetrics(prometheus.NewRegistry())
	w, err := New(*cfg, conn, fakeRedactor{}, fakeSealer{}, aud, WithAnonymizer(fakeAnonymizer{}), WithMetrics(m))
	if err != nil {
		t.Fatal(err)
	}
	return w, m
}

// runUntil runs w until done reports true, then stops it and returns Run's error.
func runUntil(t *testing.T, w *Worker, done func() bool) error {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- w.Run(ctx) }()
	deadline := time.After(60 * time.Second)
	for {
		select {
		case err := <-errc:
			cancel()
			return err
		case <-deadline:
			cancel()
			t.Fatal("worker did not finish in 60s")
		case <-time.After(20 * time.Millisecond):
			if done() {
				cancel()
				return <-errc
			}
		}
	}
}

func settled(m *Metrics) float64 {
	return testutil.ToFloat64(m.Published) + testutil.ToFloat64(m.Suppressed) + sumVec(m.Quarantined)
}

func sumVec(v *prometheus.CounterVec) float64 {
	ch := make(chan prometheus.Metric, 64)
	go func() { v.Collect(ch); close(ch) }()
	var n float64
	for m := range ch {
		var d dto.Metric
		if m.Write(&d) == nil {
			n += d.GetCounter().GetValue()
		}
	}
	return n
}

// outputs reads the committed research rows and quarantine reasons.
func outputs(t *testing.T, conn []kgo.Opt, cfg *Config) (rows []arrowbatch.Row, reasons map[string]int, events []WindowEvent) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	research, err := kafkaconn.ReadAll(ctx, conn, cfg.Topics.Research)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range research {
		kind, plain := unseal(r.Value)
		if kind != "research" {
			t.Fatalf("research record sealed as %q", kind)
		}
		_, rs, err := arrowbatch.Decode(plain)
		if err != nil {
			t.Fatal(err)
		}
		rows = append(rows, rs...)
	}
	quarantine, err := kafkaconn.ReadAll(ctx, conn, cfg.Topics.Quarantine)
	if err != nil {
		t.Fatal(err)
	}
	reasons = map[string]int{}
	for _, r := range quarantine {
		for _, h := range r.Headers {
			if h.Key == deid.HeaderReason {
				reasons[string(h.Value)]++
			}
		}
	}
	audit, err := kafkaconn.ReadAll(ctx, conn, cfg.Topics.Audit)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range audit {
		var ev WindowEvent
		if json.Unmarshal(r.Value, &ev) == nil && ev.Window > 0 { // lifecycle events have no window
			events = append(events, ev)
		}
	}
	return rows, reasons, events
}

func checkExactlyOnce(t *testing.T, rows []arrowbatch.Row, reasons map[string]int, events []WindowEvent,
	n int, wantQ map[string]int, wantSuppressed int) {
	t.Helper()
	seen := map[string]bool{}
	lastOffset := map[int32]int64{}
	for _, r := range rows {
		k := fmt.Sprintf("%s/%d/%d", r.Topic, r.Partition, r.Offset)
		if seen[k] {
			t.Fatalf("input offset %s published twice", k)
		}
		seen[k] = true
		if last, ok := lastOffset[r.Partition]; ok && r.Offset <= last {
			t.Fatalf("partition %d: offset %d published after %d", r.Partition, r.Offset, last)
		}
		lastOffset[r.Partition] = r.Offset
	}
	quarantined := 0
	for code, want := range wantQ {
		if reasons[code] != want {
			t.Errorf("quarantine reason %s: %d records, want %d (all reasons %v)", code, reasons[code], want, reasons)
		}
		quarantined += want
	}
	if got, want := len(rows), n-quarantined-wantSuppressed; got != want {
		t.Errorf("published %d rows, want %d", got, want)
	}
	var in, pub, sup, q int64
	for _, ev := range events {
		if ev.RecordsIn != ev.Published+ev.Suppressed+ev.Quarantined {
			t.Errorf("window %d: in %d != published %d + suppressed %d + quarantined %d",
				ev.Window, ev.RecordsIn, ev.Published, ev.Suppressed, ev.Quarantined)
		}
		in, pub, sup, q = in+ev.RecordsIn, pub+ev.Published, sup+ev.Suppressed, q+ev.Quarantined
	}
	if in != int64(n) || pub != int64(len(rows)) || sup != int64(wantSuppressed) || q != int64(quarantined) {
		t.Errorf("audit totals: in %d published %d suppressed %d quarantined %d; want %d %d %d %d",
			in, pub, sup, q, n, len(rows), wantSuppressed, quarantined)
	}
}

func TestWorkerPublishesEveryRecordOnce(t *testing.T) {
	conn := kfakeConn(t)
	cfg := testConfig(t)
	const n = 2000
	recs, wantQ, wantS := inputs(n)
	produceAll(t, conn, "raw", recs)
	aud := &fakeAuditor{}
	w, m := newTestWorker(t, cfg, conn, aud)
	if err := runUntil(t, w, func() bool { return settled(m) >= n }); err != nil {
		t.Fatal(err)
	}
	rows, reasons, events := outputs(t, conn, cfg)
	checkExactlyOnce(t, rows, reasons, events, n, wantQ, wantS)
	if len(events) < n/cfg.Window.MaxRecords {
		t.Errorf("%d window events for %d records in windows of %d", len(events), n, cfg.Window.MaxRecords)
	}
	if aud.aborted != 0 {
		t.Errorf("%d audit events aborted in a clean run", aud.aborted)
	}
	for _, r := range rows {
		if r.Values[1] != "*" {
			t.Fatalf("row %d/%d not anonymized: %v", r.Partition, r.Offset, r.Values)
		}
	}
}

// A worker that dies between publishing and committing leaves nothing behind:
// its successor (same worker id, so its transaction is fenced and aborted)
// publishes every record exactly once.
func TestWorkerCrashBeforeCommitLosesAndDuplicatesNothing(t *testing.T) {
	conn := kfakeConn(t)
	cfg := testConfig(t)
	const n = 1500
	recs, wantQ, wantS := inputs(n)
	produceAll(t, conn, "raw", recs)

	crashAt := 3
	w1, _ := newTestWorker(t, cfg, conn, &fakeAuditor{})
	windows := 0
	errCrash := errors.New("simulated crash")
	w1.afterPublish = func() error {
		if windows++; windows == crashAt {
			return errCrash
		}
		return nil
	}
	if err := runUntil(t, w1, func() bool { return false }); !errors.Is(err, errCrash) {
		t.Fatalf("first worker: %v, want the simulated crash", err)
	}

	w2, m2 := newTestWorker(t, cfg, conn, &fakeAuditor{})
	already := float64((crashAt - 1) * cfg.Window.MaxRecords) // upper bound of what w1 committed
	if err := runUntil(t, w2, func() bool { return settled(m2) >= n-already }); err != nil {
		t.Fatal(err)
	}
	// w2 may stop before draining everything if w1 committed fewer; read what is there and require all.
	rows, reasons, events := outputs(t, conn, cfg)
	checkExactlyOnce(t, rows, reasons, events, n, wantQ, wantS)
}

// A window commits while the next is polled ahead, then the worker dies with
// two windows in flight (one published, not committed; the next polled and
// in detection): the commit covered its own records only, so the successor
// publishes every record exactly once.
func TestWorkerCrashWithTwoWindowsInFlight(t *testing.T) {
	conn := kfakeConn(t)
	cfg := testConfig(t)
	const n = 3000
	recs, wantQ, wantS := inputs(n)
	produceAll(t, conn, "raw", recs)

	w1, m1 := newTestWorker(t, cfg, conn, &fakeAuditor{})
	errCrash := errors.New("simulated crash")
	var aheadCommits int // windows that will commit with the next one polled ahead
	w1.afterPublish = func() error {
		if testutil.ToFloat64(m1.AheadRecords) == 0 {
			return nil
		}
		if aheadCommits++; aheadCommits == 2 {
			return errCrash
		}
		return nil
	}
	if err := runUntil(t, w1, func() bool { return false }); !errors.Is(err, errCrash) {
		t.Fatalf("first worker: %v, want the simulated crash with two windows in flight (%d windows polled ahead)", err, aheadCommits)
	}
	before := settled(m1)

	w2, m2 := newTestWorker(t, cfg, conn, &fakeAuditor{})
	if err := runUntil(t, w2, func() bool { return before+settled(m2) >= n }); err != nil {
		t.Fatal(err)
	}
	rows, reasons, events := outputs(t, conn, cfg)
	checkExactlyOnce(t, rows, reasons, events, n, wantQ, wantS)
}

// A second worker joins and leaves while the first overlaps its windows: the
// first loses partitions with a window publishing and the next one polled
// ahead. Every record is published once, whichever worker took it.
func TestWorkersRebalanceWhileOverlapping(t *testing.T) {
	conn := kfakeConn(t)
	cfgA, cfgB := testConfig(t), testConfig(t)
	cfgB.WorkerID, cfgB.Kafka.TransactionalID = "w2", "deidstream-w2"
	for _, c := range []*Config{cfgA, cfgB} {
		c.Window.MaxRecords = 100
		c.Kafka.SessionTimeout = 6 * time.Second
	}
	const n = 6000
	recs, wantQ, wantS := inputs(n)
	produceAll(t, conn, "raw", recs)

	wa, ma := newTestWorker(t, cfgA, conn, &fakeAuditor{})
	ctxA, stopA := context.WithCancel(context.Background())
	errA := make(chan error, 1)
	go func() { errA <- wa.Run(ctxA) }()
	for settled(ma) == 0 {
		time.Sleep(time.Millisecond)
	}
	wb, mb := newTestWorker(t, cfgB, conn, &fakeAuditor{})
	if err := runUntil(t, wb, func() bool { return settled(mb) > 0 }); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(60 * time.Second)
	for settled(ma)+settled(mb) < n && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	stopA()
	if err := <-errA; err != nil {
		t.Fatal(err)
	}
	rows, reasons, events := outputs(t, conn, cfgA)
	// Each worker's batches are in its own research partition: compare by input offset.
	slices.SortFunc(rows, func(a, b arrowbatch.Row) int {
		return cmp.Or(cmp.Compare(a.Partition, b.Partition), cmp.Compare(a.Offset, b.Offset))
	})
	checkExactlyOnce(t, rows, reasons, events, n, wantQ, wantS)
	t.Logf("windows aborted: A %v, B %v", testutil.ToFloat64(ma.Windows.WithLabelValues("aborted")),
		testutil.ToFloat64(mb.Windows.WithLabelValues("aborted")))
}

type failingAnonymizer struct{}

func (failingAnonymizer) Anonymize([]string, [][]string) (Anonymized, error) {
	return Anonymized{}, errors.New("hierarchy does not cover a value")
}

// A stage error would recur on the same records: the worker aborts the window
// and stops with the error instead of consuming it again forever.
func TestWorkerStopsOnStageError(t *testing.T) {
	conn := kfakeConn(t)
	cfg := testConfig(t)
	recs, _, _ := inputs(100)
	produceAll(t, conn, "raw", recs)
	aud := &fakeAuditor{}
	m := NewMetrics(prometheus.NewRegistry())
	w, err := New(*cfg, conn, fakeRedactor{}, fakeSealer{}, aud, WithAnonymizer(failingAnonymizer{}), WithMetrics(m))
	if err != nil {
		t.Fatal(err)
	}
	err = runUntil(t, w, func() bool { return false })
	if err == nil || !strings.Contains(err.Error(), "hierarchy does not cover a value") {
		t.Fatalf("Run returned %v, want the stage error", err)
	}
	if got := testutil.ToFloat64(m.Windows.WithLabelValues("aborted")); got != 1 {
		t.Errorf("%v windows aborted, want exactly 1", got)
	}
	rows, reasons, _ := outputs(t, conn, cfg)
	if len(rows) != 0 || len(reasons) != 0 {
		t.Errorf("aborted window left %d rows and %d quarantine reasons visible", len(rows), len(reasons))
	}
}

// TestEnsureTopicsAdvice: a missing input topic is never created, and the
// error says so rather than pointing at topics.create; a missing output topic
// with create off points at topics.create.
func TestEnsureTopicsAdvice(t *testing.T) {
	conn := kfakeConn(t)
	ctx := context.Background()

	cfg := testConfig(t)
	cfg.Topics.Input = []string{"raw", "absent.input"}
	cfg.Topics.Create = true
	_, err := EnsureTopics(ctx, *cfg, conn)
	if !errors.Is(err, kafkaconn.ErrTopicMissing) {
		t.Fatalf("missing input topic: %v, want ErrTopicMissing", err)
	}
	for _, want := range []string{"absent.input", "never creates input topics", "topics.input"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	if strings.Contains(err.Error(), "set topics.create") {
		t.Errorf("error %q advises topics.create, which never applies to inputs", err)
	}

	cfg = testConfig(t)
	cfg.Topics.Create = false
	_, err = EnsureTopics(ctx, *cfg, conn)
	if !errors.Is(err, kafkaconn.ErrTopicMissing) || !strings.Contains(err.Error(), "set topics.create: true") {
		t.Errorf("missing output topic with create off: %v, want advice to set topics.create", err)
	}
}

// TestWorkerLogsOneLinePerWindow: each committed window logs one INFO line
// with its counts, the k achieved and its duration, and no record content.
func TestWorkerLogsOneLinePerWindow(t *testing.T) {
	conn := kfakeConn(t)
	cfg := testConfig(t)
	const n = 700
	recs, _, _ := inputs(n)
	produceAll(t, conn, "raw", recs)
	var logs syncBuf
	m := NewMetrics(prometheus.NewRegistry())
	w, err := New(*cfg, conn, fakeRedactor{}, fakeSealer{}, &fakeAuditor{}, WithAnonymizer(fakeAnonymizer{}), WithMetrics(m),
		WithLogger(slog.New(slog.NewJSONHandler(&logs, nil))))
	if err != nil {
		t.Fatal(err)
	}
	if err := runUntil(t, w, func() bool { return settled(m) >= n }); err != nil {
		t.Fatal(err)
	}
	var lines []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		var rec map[string]any
		if err := json.Unmarshal([]byte(l), &rec); err != nil {
			t.Fatalf("log line is not JSON: %v", err)
		}
		if rec["msg"] == "window committed" {
			lines = append(lines, rec)
		}
	}
	var in, settledRecords float64
	for _, l := range lines {
		if l["level"] != "INFO" {
			t.Errorf("window line at level %v", l["level"])
		}
		for _, k := range []string{"window", "records_in", "published", "suppressed", "quarantined", "k_achieved", "duration_ms"} {
			if _, ok := l[k]; !ok {
				t.Errorf("window line lacks %s: %v", k, l)
			}
		}
		in += l["records_in"].(float64)
		settledRecords += l["published"].(float64) + l["suppressed"].(float64) + l["quarantined"].(float64)
	}
	if want := testutil.ToFloat64(m.Windows.WithLabelValues("committed")); float64(len(lines)) != want || want == 0 {
		t.Errorf("%d window lines for %v committed windows", len(lines), want)
	}
	if in != n || settledRecords != n {
		t.Errorf("window lines count %v records in and %v settled, want %d", in, settledRecords, n)
	}
	if strings.Contains(logs.String(), `"group"`) || strings.Contains(logs.String(), "rare") {
		t.Errorf("the log holds record content:\n%s", logs.String())
	}
}

// syncBuf is a log sink safe for the worker's goroutines.
type syncBuf struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuf) Write(p []byte) (int, error) { s.mu.Lock(); defer s.mu.Unlock(); return s.b.Write(p) }
func (s *syncBuf) String() string              { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }
