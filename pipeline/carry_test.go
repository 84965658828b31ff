package pipeline

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/deidstream/deidstream/deid"
	"github.com/deidstream/deidstream/kafkaconn"
)

// fakeCarrier holds each row of group "rare" for one window, then releases
// it; the last window of a bounded run holds nothing.
type fakeCarrier struct {
	held, next []carriedRow
	commits    int
	lasts      int          // Carry calls with last set
	waiting    atomic.Int64 // len(held), for a test's goroutine to read
}

type carriedRow struct {
	Src    deid.OffsetRange
	Values []string
}

func (f *fakeCarrier) Carry(_ []string, rows [][]string, src []deid.OffsetRange, last bool) (Carried, error) {
	if last {
		f.lasts++
	}
	out := Carried{Held: make([]bool, len(rows)), Suppressed: make([]bool, len(rows)),
		Summary: deid.CarrySummary{In: int64(len(f.held)), Max: 1, Waited: []int64{0, int64(len(f.held))}}}
	f.next = nil
	for _, h := range f.held {
		out.Released = append(out.Released, h.Values)
		out.Summary.Settled = append(out.Summary.Settled, h.Src)
	}
	for i, r := range rows {
		if r[1] == "rare" && !last {
			out.Held[i] = true
			f.next = append(f.next, carriedRow{src[i], r})
			out.Summary.Held = append(out.Summary.Held, src[i])
			continue
		}
		out.Released = append(out.Released, r)
		out.Summary.Waited[0]++
	}
	out.Summary.Out = int64(len(f.next))
	slices.SortFunc(out.Released, slices.Compare)
	return out, nil
}

func (f *fakeCarrier) State(int) ([]StateRecord, error) {
	b, err := json.Marshal(f.next)
	return []StateRecord{{Key: []byte("w1/0"), Value: b}}, err
}
func (f *fakeCarrier) Commit() {
	f.held, f.next = f.next, nil
	f.commits++
	f.waiting.Store(int64(len(f.held)))
}
func (f *fakeCarrier) Abort()       { f.next = nil }
func (f *fakeCarrier) Waiting() int { return len(f.held) }

// TestWorkerCarryStateInTheTransaction: with a Carrier, rows held by a
// window wait in the carry topic's state written in that window's
// transaction. A worker that dies between publishing and committing leaves
// no state behind; its successor, restored from the last committed state,
// releases every record exactly once, and no research row names its source.
func TestWorkerCarryStateInTheTransaction(t *testing.T) {
	conn := kfakeConn(t)
	cfg := testConfig(t)
	cfg.Topics.Carry = "deid.carry"
	const n = 1500
	recs, wantQ, _ := inputs(n)
	produceAll(t, conn, "raw", recs)
	newWorker := func(c *fakeCarrier) (*Worker, *Metrics) {
		m := NewMetrics(prometheus.NewRegistry())
		w, err := New(*cfg, conn, fakeRedactor{}, fakeSealer{}, &fakeAuditor{}, WithCarrier(c), WithMetrics(m))
		if err != nil {
			t.Fatal(err)
		}
		return w, m
	}
	if _, err := New(*cfg, conn, fakeRedactor{}, fakeSealer{}, &fakeAuditor{}, WithCarrier(&fakeCarrier{}), WithAnonymizer(fakeAnonymizer{})); !errors.Is(err, ErrConfig) {
		t.Errorf("carrier and anonymizer together: %v, want ErrConfig", err)
	}
	c1 := &fakeCarrier{}
	w1, _ := newWorker(c1)
	windows := 0
	errCrash := errors.New("simulated crash")
	w1.afterPublish = func() error {
		if windows++; windows == 3 {
			return errCrash
		}
		return nil
	}
	if err := runUntil(t, w1, func() bool { return false }); !errors.Is(err, errCrash) {
		t.Fatalf("first worker: %v, want the simulated crash", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	// Fence the dead worker's transaction, as its successor does before reading its state.
	fence, err := kgo.NewClient(append(conn[:len(conn):len(conn)], kgo.TransactionalID(cfg.Kafka.TransactionalID))...)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := fence.ProducerID(ctx); err != nil {
		t.Fatal(err)
	}
	fence.Close()
	states, err := kafkaconn.ReadAll(ctx, conn, cfg.Topics.Carry)
	if err != nil {
		t.Fatal(err)
	}
	if len(states) != c1.commits {
		t.Fatalf("%d carry states committed for %d committed windows: the crashed window's state is visible, or one is missing", len(states), c1.commits)
	}
	c2 := &fakeCarrier{}
	if len(states) > 0 {
		if err := json.Unmarshal(states[len(states)-1].Value, &c2.held); err != nil {
			t.Fatal(err)
		}
	}
	if len(c2.held) == 0 {
		t.Fatal("the last committed window held no row: the test does not restore anything")
	}
	w2, m2 := newWorker(c2)
	left := (n - c1.commits*cfg.Window.MaxRecords) / cfg.Window.MaxRecords // full windows of what w1 did not commit
	if err := runUntil(t, w2, func() bool { return testutil.ToFloat64(m2.Windows.WithLabelValues("committed")) >= float64(left) }); err != nil {
		t.Fatal(err)
	}
	rows, reasons, events := outputs(t, conn, cfg)
	seen := map[string]int{}
	for _, r := range rows {
		if r.Offset != -1 || r.Partition != -1 || r.Topic != "" {
			t.Fatalf("a research row names its source %s/%d/%d", r.Topic, r.Partition, r.Offset)
		}
		seen[r.Values[0]]++
	}
	for id, k := range seen {
		if k != 1 {
			t.Errorf("record %s published %d times", id, k)
		}
	}
	var q int
	for _, k := range reasons {
		q += k
	}
	held := len(c2.held) // held by the last committed state
	wq := 0
	for _, k := range wantQ {
		wq += k
	}
	if q != wq {
		t.Errorf("%d quarantined, want %d", q, wq)
	}
	if got := len(rows) + q + held; got != n {
		t.Errorf("%d published + %d quarantined + %d held = %d, want %d", len(rows), q, held, got, n)
	}
	for _, ev := range events {
		c := ev.Carry
		if c == nil || ev.RecordsIn+c.In != ev.Published+ev.Suppressed+ev.Quarantined+c.Out || deid.Count(c.Held) > c.Out {
			t.Errorf("window %d: accounting with carry does not add up: %+v", ev.Window, ev)
		}
	}
}

// TestWorkerBoundedRunHoldsNothingAtItsEnd: a backfill's last window tells
// the Carrier so, and nothing is left waiting for a window that will not
// come: every record is published or quarantined, and the last committed
// carry state holds no row.
func TestWorkerBoundedRunHoldsNothingAtItsEnd(t *testing.T) {
	conn := kfakeConn(t)
	cfg := testConfig(t)
	cfg.Topics.Carry = "deid.carry"
	const n = 1000
	recs, wantQ, _ := inputs(n)
	produceAll(t, conn, "raw", recs)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	adm, err := kgo.NewClient(conn...)
	if err != nil {
		t.Fatal(err)
	}
	listed, err := kadm.NewClient(adm).ListEndOffsets(ctx, "raw")
	adm.Close()
	if err != nil {
		t.Fatal(err)
	}
	ends := map[string]map[int32]int64{"raw": {}}
	listed.Each(func(o kadm.ListedOffset) { ends["raw"][o.Partition] = o.Offset })
	c := &fakeCarrier{}
	w, err := New(*cfg, conn, fakeRedactor{}, fakeSealer{}, &fakeAuditor{}, WithCarrier(c), WithStopAt(ends))
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Run(ctx); err != nil {
		t.Fatalf("bounded run: %v", err)
	}
	if c.lasts != 1 {
		t.Errorf("Carry was told %d times that its window was the last, want once", c.lasts)
	}
	if len(c.held) != 0 {
		t.Errorf("%d rows held after the bounded run's last window", len(c.held))
	}
	nothingHeld(t, conn, cfg, n, wantQ)
}

// nothingHeld checks that the last committed carry state is empty and that
// each of the n records was published or quarantined (wantQ by reason), and
// returns the window events.
func nothingHeld(t *testing.T, conn []kgo.Opt, cfg *Config, n int, wantQ map[string]int) []WindowEvent {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	states, err := kafkaconn.ReadAll(ctx, conn, cfg.Topics.Carry)
	if err != nil {
		t.Fatal(err)
	}
	if len(states) == 0 || string(states[len(states)-1].Value) != "null" {
		t.Errorf("the last committed carry state is not empty (%d states)", len(states))
	}
	rows, reasons, events := outputs(t, conn, cfg)
	q, wq := 0, 0
	for _, k := range reasons {
		q += k
	}
	for _, k := range wantQ {
		wq += k
	}
	if len(rows)+q != n || q != wq {
		t.Errorf("%d published + %d quarantined (want %d quarantined), want %d records in all", len(rows), q, wq, n)
	}
	return events
}

// carryWorker produces n records (inputs) to a kfake cluster and makes a
// worker over them with cfg, the carry topic, a fakeCarrier and its own
// metrics; wantQ is the records' quarantine reasons.
func carryWorker(t *testing.T, cfg *Config, n int) (w *Worker, c *fakeCarrier, m *Metrics, wantQ map[string]int) {
	t.Helper()
	conn := kfakeConn(t)
	cfg.Topics.Carry = "deid.carry"
	recs, wantQ, _ := inputs(n)
	produceAll(t, conn, "raw", recs)
	c, m = &fakeCarrier{}, NewMetrics(prometheus.NewRegistry())
	w, err := New(*cfg, conn, fakeRedactor{}, fakeSealer{}, &fakeAuditor{}, WithCarrier(c), WithMetrics(m))
	if err != nil {
		t.Fatal(err)
	}
	return w, c, m, wantQ
}

// TestWorkerIdleInputReleasesHeldRows: when input stops, the rows a Carrier
// holds do not wait for records that may never come: CarryMaxIdle after the
// last commit, a window of no input releases them (told it is the last), its
// audit event accounts for them, and the last committed state holds none.
func TestWorkerIdleInputReleasesHeldRows(t *testing.T) {
	cfg := testConfig(t)
	cfg.CarryMaxIdle = 300 * time.Millisecond
	const n = 1000
	w, c, m, wantQ := carryWorker(t, cfg, n)
	conn := w.conn
	// Without the flush, the rows of group "rare" in the last window would wait: settled stays under n.
	if err := runUntil(t, w, func() bool { return settled(m) >= n }); err != nil {
		t.Fatal(err)
	}
	if c.lasts != 1 || len(c.held) != 0 {
		t.Errorf("Carry told %d times its window was the last, %d rows held after; want once, none", c.lasts, len(c.held))
	}
	events := nothingHeld(t, conn, cfg, n, wantQ)
	idle := 0
	for _, ev := range events {
		if ev.RecordsIn != 0 {
			continue
		}
		if idle++; ev.Carry == nil || ev.Carry.In == 0 || ev.Carry.Out != 0 || ev.Published != ev.Carry.In ||
			deid.Count(ev.Carry.Settled) != ev.Carry.In {
			t.Errorf("the idle window's audit event: carry %+v, %d published; want every carried row published and settled", ev.Carry, ev.Published)
		}
	}
	if idle != 1 {
		t.Errorf("%d windows of no input, want 1", idle)
	}
}

// TestWorkerIdleReleasesRestoredRows: a worker restarted with rows held by
// its predecessor and no input at all releases them CarryMaxIdle after it
// starts, in a window of no input.
func TestWorkerIdleReleasesRestoredRows(t *testing.T) {
	conn := kfakeConn(t)
	cfg := testConfig(t)
	cfg.Topics.Carry = "deid.carry"
	cfg.CarryMaxIdle = 200 * time.Millisecond
	c := &fakeCarrier{}
	for i := range 3 {
		c.held = append(c.held, carriedRow{deid.OffsetRange{Topic: "raw", Partition: 0, First: int64(i), Last: int64(i)},
			[]string{fmt.Sprint(i), "rare"}})
	}
	m := NewMetrics(prometheus.NewRegistry())
	w, err := New(*cfg, conn, fakeRedactor{}, fakeSealer{}, &fakeAuditor{}, WithCarrier(c), WithMetrics(m))
	if err != nil {
		t.Fatal(err)
	}
	if err := runUntil(t, w, func() bool { return testutil.ToFloat64(m.Published) >= 3 }); err != nil {
		t.Fatal(err)
	}
	if c.lasts != 1 || len(c.held) != 0 {
		t.Errorf("Carry told %d times its window was the last, %d rows held after; want once, none", c.lasts, len(c.held))
	}
	rows, _, events := outputs(t, conn, cfg)
	if len(rows) != 3 || len(events) != 1 || events[0].RecordsIn != 0 || events[0].Carry == nil || events[0].Carry.In != 3 {
		t.Errorf("%d rows published, events %+v; want the 3 restored rows in one window of no input", len(rows), events)
	}
}

// TestWorkerStopReleasesHeldRows: a worker stopped (Run's context ends)
// with rows its Carrier holds releases them in a window of no input before
// it leaves (CarryReleaseOnStop), so a worker id retired for good strands
// none; without it they stay in the committed state for its next start.
func TestWorkerStopReleasesHeldRows(t *testing.T) {
	for _, release := range []bool{true, false} {
		t.Run(fmt.Sprint("release=", release), func(t *testing.T) {
			cfg := testConfig(t)
			cfg.CarryReleaseOnStop = release
			const n = 1000
			w, c, m, wantQ := carryWorker(t, cfg, n)
			// Every record consumed, the last window's "rare" rows held.
			consumed := func() bool {
				return testutil.ToFloat64(m.Published)+sumVec(m.Quarantined)+float64(c.waiting.Load()) >= n
			}
			if err := runUntil(t, w, consumed); err != nil {
				t.Fatal(err)
			}
			if !release {
				if c.lasts != 0 || len(c.held) == 0 {
					t.Errorf("kept: Carry told %d times its window was the last, %d rows held after the stop; want none, some", c.lasts, len(c.held))
				}
				return
			}
			if c.lasts != 1 || len(c.held) != 0 {
				t.Errorf("Carry told %d times its window was the last, %d rows held after the stop; want once, none", c.lasts, len(c.held))
			}
			events := nothingHeld(t, w.conn, cfg, n, wantQ)
			if last := events[len(events)-1]; last.RecordsIn != 0 || last.Carry == nil || last.Carry.In == 0 || last.Carry.Out != 0 {
				t.Errorf("the last window event: %d records in, carry %+v; want a window of no input releasing what was held", last.RecordsIn, last.Carry)
			}
		})
	}
}

// TestWorkerStopKeepsHeldRowsDuringOutage: a worker stopped while Kafka is
// unreachable does not try to release what it holds (the window could only
// wait out the drain timeout): it says the rows stay held, and why.
func TestWorkerStopKeepsHeldRowsDuringOutage(t *testing.T) {
	cfg := testConfig(t)
	cfg.Topics.Carry = "deid.carry"
	cfg.CarryReleaseOnStop = true
	c := &fakeCarrier{held: []carriedRow{{Values: []string{"1", "rare"}}}}
	w, err := New(*cfg, kfakeConn(t), fakeRedactor{}, fakeSealer{}, &fakeAuditor{}, WithCarrier(c),
		WithMetrics(NewMetrics(prometheus.NewRegistry())))
	if err != nil {
		t.Fatal(err)
	}
	w.health.failed(errors.New("dial tcp: connection refused"))
	w.health.check(time.Now().Add(time.Minute)) // a minute without an answer: an outage
	ctx, stop := context.WithCancel(context.Background())
	stop()
	_, err = w.releaseAtStop(ctx, nil, nil) // a nil session: any attempt to publish would panic
	if err == nil || !strings.Contains(err.Error(), "releasing the 1 rows held at stop") || !strings.Contains(err.Error(), "Kafka unreachable") {
		t.Errorf("releaseAtStop during an outage: %v, want the held rows and the outage named", err)
	}
	if c.lasts != 0 || len(c.held) != 1 {
		t.Errorf("Carry told %d times its window was the last, %d rows held; want none, 1", c.lasts, len(c.held))
	}
}

// flushWatch is a fakeCarrier that says when it was told a window is the
// last (a window of no input) and counts its aborts, for a test's goroutines.
type flushWatch struct {
	*fakeCarrier
	flushing atomic.Bool
	aborts   atomic.Int64
}

func (f *flushWatch) Carry(cols []string, rows [][]string, src []deid.OffsetRange, last bool) (Carried, error) {
	if last {
		f.flushing.Store(true)
	}
	return f.fakeCarrier.Carry(cols, rows, src, last)
}

func (f *flushWatch) Abort() { f.aborts.Add(1); f.fakeCarrier.Abort() }

// stallFlushEnd returns a Carrier holding 3 rows and stalls the End of the
// first window of no input that releases them for d; stalled reports it did.
func stallFlushEnd(cluster *kfake.Cluster, d time.Duration) (c *flushWatch, stalled *atomic.Bool) {
	c, stalled = &flushWatch{fakeCarrier: &fakeCarrier{}}, &atomic.Bool{}
	for i := range 3 {
		c.held = append(c.held, carriedRow{deid.OffsetRange{Topic: "raw", Partition: 0, First: int64(i), Last: int64(i)},
			[]string{fmt.Sprint(i), "rare"}})
	}
	cluster.ControlKey(int16(kmsg.EndTxn), func(kmsg.Request) (kmsg.Response, error, bool) {
		cluster.KeepControl()
		if c.flushing.Load() && stalled.CompareAndSwap(false, true) {
			cluster.SleepControl(func() { time.Sleep(d) })
		}
		return nil, nil, false
	})
	return c, stalled
}

// TestWorkerSettlesAFlushWindowWhoseEndFailed: a window of no input (the
// held rows released once input idled) whose End does not answer changes
// state like any window: the Carrier and the auditor must learn its outcome
// when the session is replaced. Here the stalled commit is aborted by the new
// session's fencing, so both forget the window, and the next window releases
// the held rows exactly once: the auditor keeps exactly the events the audit
// topic holds.
func TestWorkerSettlesAFlushWindowWhoseEndFailed(t *testing.T) {
	cluster, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(3, "raw"))
	if err != nil {
		t.Fatal(err)
	}
	defer cluster.Close()
	conn := []kgo.Opt{kgo.SeedBrokers(cluster.ListenAddrs()...)}
	cfg := testConfig(t)
	cfg.Topics.Carry = "deid.carry"
	cfg.CarryMaxIdle = 200 * time.Millisecond
	cfg.Kafka.TransactionTimeout = 1500 * time.Millisecond // the publish bound: shorter than the stall
	c, stalled := stallFlushEnd(cluster, 2500*time.Millisecond)
	aud := &fakeAuditor{}
	m := NewMetrics(prometheus.NewRegistry())
	var logs syncBuf
	w, err := New(*cfg, conn, fakeRedactor{}, fakeSealer{}, aud, WithCarrier(c), WithMetrics(m),
		WithLogger(slog.New(slog.NewJSONHandler(&logs, nil))))
	if err != nil {
		t.Fatal(err)
	}
	if err := runUntil(t, w, func() bool { return testutil.ToFloat64(m.Published) >= 3 }); err != nil {
		t.Fatalf("worker stopped: %v\n%s", err, logs.String())
	}
	if !stalled.Load() || testutil.ToFloat64(m.SessionRestarts) != 1 {
		t.Fatalf("stalled: %v, %v session restarts; want the flush window's End stalled and the session replaced once\n%s",
			stalled.Load(), testutil.ToFloat64(m.SessionRestarts), logs.String())
	}
	if c.aborts.Load() == 0 {
		t.Errorf("the Carrier was never told that the window of no input aborted")
	}
	rows, _, events := outputs(t, conn, cfg)
	if len(rows) != 3 || len(c.held) != 0 {
		t.Errorf("%d rows published, %d held after; want the 3 held rows published once", len(rows), len(c.held))
	}
	audit := readAudit(t, conn, *cfg)
	if kept := aud.kept(); kept != len(audit) {
		t.Errorf("the auditor kept %d events, the audit topic holds %d committed (%d window events): "+
			"the aborted window's event was kept", kept, len(audit), len(events))
	}
}

// TestWorkerStopSettlesAStalledRelease: the window of no input that releases
// the held rows at stop, whose End does not answer within the drain timeout,
// has an unknown outcome. The worker replaces the session to read it back,
// like any window's, before it publishes the stop event: the auditor and the
// Carrier follow what Kafka holds, and what Run says of the held rows is
// true (here kfake lands the stalled commit: released, none held).
func TestWorkerStopSettlesAStalledRelease(t *testing.T) {
	cluster, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(3, "raw"))
	if err != nil {
		t.Fatal(err)
	}
	defer cluster.Close()
	conn := []kgo.Opt{kgo.SeedBrokers(cluster.ListenAddrs()...)}
	cfg := testConfig(t)
	cfg.Topics.Carry = "deid.carry"
	cfg.CarryReleaseOnStop = true
	// The stopping window's publish bound, shorter than the stall; the session's
	// replacement waits as long again, longer than the rest of the stall.
	cfg.DrainTimeout = 2 * time.Second
	c, stalled := stallFlushEnd(cluster, 3*time.Second)
	aud := &fakeAuditor{}
	var logs syncBuf
	w, err := New(*cfg, conn, fakeRedactor{}, fakeSealer{}, aud, WithCarrier(c), WithMetrics(NewMetrics(prometheus.NewRegistry())),
		WithLogger(slog.New(slog.NewJSONHandler(&logs, nil))))
	if err != nil {
		t.Fatal(err)
	}
	ctx, sigterm := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- w.Run(ctx) }()
	for started := false; !started; { // SIGTERM once the start event committed
		time.Sleep(20 * time.Millisecond)
		aud.mu.Lock()
		started = aud.committed > 0
		aud.mu.Unlock()
	}
	sigterm()
	var runErr error
	select {
	case runErr = <-errc:
	case <-time.After(30 * time.Second):
		t.Fatalf("Run did not return after SIGTERM:\n%s", logs.String())
	}
	if !stalled.Load() {
		t.Fatalf("the stopping window's End was not stalled (Run: %v)", runErr)
	}
	audit := readAudit(t, conn, *cfg)
	if kept := aud.kept(); kept != len(audit) {
		t.Errorf("the auditor kept %d events, the audit topic holds %d committed:\n%s", kept, len(audit), auditSummary(audit))
	}
	rows, _, _ := outputs(t, conn, cfg)
	if len(rows)+len(c.held) != 3 {
		t.Errorf("%d rows published and %d still held, want the 3 rows in exactly one of them (Run: %v)", len(rows), len(c.held), runErr)
	}
	if runErr != nil && strings.Contains(runErr.Error(), "they stay") && len(rows) != 0 {
		t.Errorf("Run says the held rows stay held, yet %d were published: %v", len(rows), runErr)
	}
	stopped := len(audit) > 0 && strings.Contains(string(audit[len(audit)-1].Value), `"Type":"stop"`)
	if runErr == nil && !stopped {
		t.Errorf("Run returned nil, yet the stop event is not last in the audit log:\n%s", auditSummary(audit))
	}
	if runErr != nil && stopped {
		t.Errorf("Run: %v, yet the stop event was published", runErr)
	}
}
