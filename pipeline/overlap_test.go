package pipeline

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/deidstream/deidstream/deid"
)

// gateOutput runs fn once, on the first message a window writes to it (on
// the publishing goroutine, while the next window is polled ahead).
type gateOutput struct {
	Output
	once sync.Once
	fn   func()
}

func (g *gateOutput) Write(ctx context.Context, tx Tx, m Message) {
	g.once.Do(g.fn)
	g.Output.Write(ctx, tx, m)
}

// produceSpread writes n patient records, the i-th to partition i%3 of "raw".
func produceSpread(t *testing.T, conn []kgo.Opt, n int, phase string) {
	t.Helper()
	cl, err := kgo.NewClient(append(conn[:len(conn):len(conn)], kgo.RecordPartitioner(kgo.ManualPartitioner()))...)
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	for i := range n {
		v := fmt.Sprintf(`{"patient": "p%d", "name": "%s%d"}`, i%3, phase, i)
		cl.Produce(context.Background(), &kgo.Record{Topic: "raw", Partition: int32(i % 3), Value: []byte(v)}, nil)
	}
	if err := cl.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// waitFor polls cond every 10 ms for at most d.
func waitFor(d time.Duration, cond func() bool) bool {
	for end := time.Now().Add(d); time.Now().Before(end); time.Sleep(10 * time.Millisecond) {
		if cond() {
			return true
		}
	}
	return cond()
}

// Partitions are assigned to the worker (another member of its group left:
// nothing is revoked) while window 1 publishes with window 2 polled ahead.
// "after publish": the assignment lands once window 1 published, before it
// commits; window 1 commits, and window 2, filled on, polls a record after
// the assignment, so it is aborted to reload the numbering. Its records
// polled ahead (before window 1's End, which took them as committed) must be
// consumed again. "during publish": window 2 polls the new partitions'
// records while window 1 publishes, so it is dropped when window 1 commits
// (End then takes every record polled as committed); the records it polled,
// and those of the same fetch after the one that made it stale, must be
// consumed again. Either way every record is published exactly once.
func TestWorkerAssignmentDuringOverlapLosesNoRecord(t *testing.T) {
	for _, during := range []bool{false, true} {
		name := "after publish"
		if during {
			name = "during publish"
		}
		t.Run(name, func(t *testing.T) { assignmentDuringOverlap(t, during) })
	}
}

func assignmentDuringOverlap(t *testing.T, during bool) {
	conn := kfakeConn(t)
	cfg := numberingConfig(t, "w1")
	cfg.Window.MaxRecords = 1000
	cfg.Window.MaxWait = 4 * time.Second // window 2 is still open once window 1 commits
	produceSpread(t, conn, 30, "a")

	// Another member holds every partition first; the worker joins and takes some.
	assigned := make(chan struct{})
	var once sync.Once
	other, err := kgo.NewClient(append(conn[:len(conn):len(conn)], kgo.ConsumerGroup(cfg.Kafka.GroupID),
		kgo.ConsumeTopics("raw"), kgo.DisableAutoCommit(),
		kgo.OnPartitionsAssigned(func(context.Context, *kgo.Client, map[string][]int32) { once.Do(func() { close(assigned) }) }))...)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	select {
	case <-assigned:
	case <-time.After(20 * time.Second):
		t.Fatal("the other member was assigned nothing in 20s")
	}

	nb := newFakeNumbering()
	m := NewMetrics(prometheus.NewRegistry())
	var w *Worker
	total := 30
	gate := &gateOutput{Output: Topic{cfg.Topics.Research, deid.KindResearch}, fn: func() {
		if during {
			// The other member leaves: its partitions, with their records, are
			// assigned to the worker, which polls them ahead of window 1's commit.
			other.Close()
			if !waitFor(10*time.Second, w.reload.Load) {
				t.Error("no assignment in 10s after the other member left")
			}
			time.Sleep(time.Second)
			return
		}
		// Window 1 publishes: more records come, and the worker polls some ahead.
		produceSpread(t, conn, 30, "b")
		if !waitFor(10*time.Second, func() bool { return testutil.ToFloat64(m.AheadRecords) > 0 }) {
			t.Error("no record polled ahead of window 1 in 10s")
		}
		time.Sleep(200 * time.Millisecond)
	}}
	if !during {
		total = 90
	}
	// A short heartbeat: the worker learns of the rebalance well within max_wait.
	wconn := append(conn[:len(conn):len(conn)], kgo.HeartbeatInterval(100*time.Millisecond))
	w, err = New(*cfg, wconn, numberingRedactor{nb}, fakeSealer{}, &fakeAuditor{}, WithMetrics(m), WithNumbering(nb),
		WithOutputs(Outputs{Research: gate}))
	if err != nil {
		t.Fatal(err)
	}
	windows := 0
	w.afterPublish = func() error {
		if windows++; windows != 1 || during {
			return nil
		}
		if testutil.ToFloat64(m.AheadRecords) == 0 {
			return fmt.Errorf("window 1 committing with nothing polled ahead: the test would prove nothing")
		}
		// The other member leaves: its partitions are assigned to the worker.
		other.Close()
		if !waitFor(10*time.Second, w.reload.Load) {
			return fmt.Errorf("no assignment in 10s after the other member left")
		}
		// More records, on the worker's partitions too: window 2 polls one.
		produceSpread(t, conn, 30, "c")
		return nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- w.Run(ctx) }()
	waitFor(30*time.Second, func() bool { return settled(m) >= float64(total) })
	cancel()
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	if windows < 2 {
		t.Fatalf("%d windows published: the scenario did not happen", windows)
	}
	if got := testutil.ToFloat64(m.Windows.WithLabelValues("aborted")); got == 0 && !during {
		t.Error("no window aborted: the window polled ahead was not filled on past the assignment")
	}
	rows, _, _ := outputs(t, conn, cfg)
	seen := map[string]bool{}
	for _, r := range rows {
		k := fmt.Sprintf("%d/%d", r.Partition, r.Offset)
		if seen[k] {
			t.Errorf("input offset %s published twice", k)
		}
		seen[k] = true
	}
	if got := checkConsistentNumbering(t, conn, cfg); got != total {
		t.Errorf("%d rows published, want %d (records polled ahead of a committed window, then dropped or aborted, were skipped)", got, total)
	}
}

// carryNumberingRedactor numbers each record's name in its patient's table
// and releases [patient, group], so a Carrier holds the "rare" ones.
type carryNumberingRedactor struct{ nb *fakeNumbering }

func (carryNumberingRedactor) Columns() []string { return []string{"patient", "group"} }

func (r carryNumberingRedactor) Process(rec map[string]any) (Redacted, error) {
	p := fmt.Sprint(rec["patient"])
	r.nb.number(p, fmt.Sprint(rec["name"]))
	return Redacted{Values: []string{p, fmt.Sprint(rec["group"])}}, nil
}

// committedNames lists the names in the last placeholder table of each patient.
func committedNames(t *testing.T, conn []kgo.Opt, cfg *Config) map[string]bool {
	t.Helper()
	latest := map[string][]byte{}
	for _, r := range placeholderTables(t, conn, cfg) {
		latest[string(r.Key)] = r.Value
	}
	names := map[string]bool{}
	for p, v := range latest {
		var tb map[string]int
		if err := json.Unmarshal(v, &tb); err != nil {
			t.Fatalf("patient %s: table %q: %v", p, v, err)
		}
		for nm := range tb {
			names[nm] = true
		}
	}
	return names
}

// The worker stops (Run's context ends) while window 1 publishes and window
// 2 is polled ahead; window 1 commits, window 2 is dropped (consumed again
// at the next start), and the rows window 1 held are released by a window of
// no input before the stop. That window's transaction must not carry the
// placeholder tables window 2's records changed: none of them committed.
func TestWorkerStopDropsTheNumberingOfTheWindowPolledAhead(t *testing.T) {
	// kfake now and then refuses the window of no input's produce
	// (OUT_OF_ORDER_SEQUENCE_NUMBER, seen under -race): that window aborts,
	// which proves nothing here, so the scenario is run again.
	for attempt := 1; ; attempt++ {
		err := stopWithWindowAhead(t)
		if err == nil {
			return
		}
		if attempt == 3 || !strings.Contains(err.Error(), "its transaction aborted") {
			t.Fatal(err)
		}
		t.Logf("attempt %d: %v; again", attempt, err)
	}
}

func stopWithWindowAhead(t *testing.T) error {
	conn := kfakeConn(t)
	cfg := numberingConfig(t, "w1")
	cfg.Topics.Carry = "deid.carry"
	cfg.CarryReleaseOnStop = true
	cfg.Window.MaxRecords = 1000
	cfg.Window.MaxWait = 300 * time.Millisecond
	cfg.Input.Types["group"] = "string"
	produce := func(phase, group string) {
		cl, err := kgo.NewClient(conn...)
		if err != nil {
			t.Fatal(err)
		}
		defer cl.Close()
		for i := range 12 {
			v := fmt.Sprintf(`{"patient": "p%d", "name": "%s%d", "group": "%s"}`, i%3, phase, i, group)
			cl.Produce(context.Background(), &kgo.Record{Topic: "raw", Key: fmt.Appendf(nil, "p%d", i%3), Value: []byte(v)}, nil)
		}
		if err := cl.Flush(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	produce("a", "rare") // window 1: every row held by the Carrier

	nb, c := newFakeNumbering(), &fakeCarrier{}
	m := NewMetrics(prometheus.NewRegistry())
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	var ahead float64
	gate := &gateOutput{Output: Topic{cfg.Topics.Carry, deid.KindCarry}, fn: func() {
		produce("b", "g")
		waitFor(10*time.Second, func() bool { return testutil.ToFloat64(m.AheadRecords) > 0 })
		time.Sleep(200 * time.Millisecond)
		ahead = testutil.ToFloat64(m.AheadRecords)
		stop() // SIGTERM, with window 2 polled ahead
	}}
	w, err := New(*cfg, conn, carryNumberingRedactor{nb}, fakeSealer{}, &fakeAuditor{}, WithMetrics(m), WithNumbering(nb),
		WithCarrier(c), WithOutputs(Outputs{Carry: gate}))
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	select {
	case err := <-done:
		if err != nil {
			return err
		}
	case <-time.After(60 * time.Second):
		t.Fatal("the worker did not stop in 60s")
	}
	if ahead == 0 || c.lasts != 1 {
		t.Fatalf("%v records polled ahead at the stop, %d windows of no input: the scenario did not happen", ahead, c.lasts)
	}
	names := committedNames(t, conn, cfg)
	for i := range 12 {
		if !names[fmt.Sprint("a", i)] {
			t.Errorf("name a%d of committed window 1 is in no committed placeholder table", i)
		}
		if names[fmt.Sprint("b", i)] {
			t.Errorf("name b%d, of a record polled ahead and never committed, is in a committed placeholder table", i)
		}
	}
	return nil
}

// A window's End failed with the window after it polled ahead; that window
// was dropped, and the new session reads back that the window committed.
// What the window numbered is kept; what the dropped window's records
// numbered must be forgotten, as when End reports the commit itself, or the
// next window (one of no input, which reloads nothing first) publishes it.
func TestSettleCommittedForgetsTheDroppedWindowsNumbering(t *testing.T) {
	conn := kfakeConn(t)
	cfg := numberingConfig(t, "w1")
	w, _, nb := newNumberingWorker(t, cfg, conn)

	// A record of a committed transaction: the window's probe.
	tx, err := kgo.NewClient(append(conn[:len(conn):len(conn)], kgo.TransactionalID("probe"), kgo.AllowAutoTopicCreation())...)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := tx.BeginTransaction(); err != nil {
		t.Fatal(err)
	}
	probe, err := tx.ProduceSync(ctx, &kgo.Record{Topic: "raw", Partition: 0, Value: []byte(`{}`)}).First()
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.EndTransaction(ctx, kgo.TryCommit); err != nil {
		t.Fatal(err)
	}

	nb.number("p1", "kept") // the window's record
	win := newWindow(1, 0)
	win.add(probe)
	win.tables = w.numbers.Changed()
	nb.number("p1", "dropped") // a record of the window polled ahead, then dropped
	lost := &sessionLost{win: win, res: &published{in: 1}, filled: time.Now(), probe: probe, err: errors.New("ending the transaction timed out")}
	if err := w.settle(ctx, lost); err != nil {
		t.Fatal(err)
	}
	nb.mu.Lock()
	committed, tables := nb.committed["p1"], nb.tables["p1"]
	nb.mu.Unlock()
	if committed["kept"] == 0 || committed["dropped"] != 0 {
		t.Errorf("committed table %v: want the window's name kept, the dropped window's not", committed)
	}
	if tables["dropped"] != 0 {
		t.Errorf("table %v after the window settled: the dropped window's name is still pending, for the next window to publish", tables)
	}
}

// While window 1 publishes, another member joins (a partition is revoked
// from the worker), consumes that partition's records and commits them, and
// leaves (the partition is assigned back). Window 1 aborts; consuming must
// resume where the group's commit now is on that partition, not at window
// 1's first record there: the other member took those records.
func TestWorkerAbortAfterPartitionCameBackSkipsWhatOthersCommitted(t *testing.T) {
	conn := kfakeConn(t)
	cfg := testConfig(t)
	cfg.Window.MaxWait = 300 * time.Millisecond
	const n = 240
	recs, _, _ := inputs(n)
	produceAll(t, conn, "raw", recs)

	var logs syncBuf
	assignedLines := func() int {
		c := 0
		for _, l := range strings.Split(logs.String(), "\n") {
			if strings.Contains(l, "partitions assigned") && !strings.Contains(l, "partitions=0") {
				c++
			}
		}
		return c
	}
	hb := kgo.HeartbeatInterval(100 * time.Millisecond)
	m := NewMetrics(prometheus.NewRegistry())
	var w *Worker
	var other map[string]map[int32]kgo.EpochOffset // what the other member committed
	var took atomic.Int64                          // records the other member consumed
	gate := &gateOutput{Output: Topic{cfg.Topics.Research, deid.KindResearch}, fn: func() {
		assigned := make(chan struct{})
		var once sync.Once
		b, err := kgo.NewClient(append(conn[:len(conn):len(conn)], hb, kgo.ConsumerGroup(cfg.Kafka.GroupID),
			kgo.ConsumeTopics("raw"), kgo.DisableAutoCommit(), kgo.FetchIsolationLevel(kgo.ReadCommitted()),
			kgo.OnPartitionsAssigned(func(_ context.Context, _ *kgo.Client, a map[string][]int32) {
				if len(a) > 0 {
					once.Do(func() { close(assigned) })
				}
			}))...)
		if err != nil {
			t.Error(err)
			return
		}
		select {
		case <-assigned:
		case <-time.After(20 * time.Second):
			t.Error("the other member was assigned nothing in 20s")
			b.Close()
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		for took.Load() == 0 && ctx.Err() == nil {
			took.Add(int64(b.PollFetches(ctx).NumRecords()))
		}
		if err := b.CommitUncommittedOffsets(ctx); err != nil {
			t.Error(err)
		}
		other = b.CommittedOffsets()
		before := assignedLines()
		b.Close() // leaves: its partitions come back to the worker
		if !waitFor(20*time.Second, func() bool { return assignedLines() > before }) {
			t.Error("the partitions did not come back to the worker in 20s")
		}
	}}
	w, err := New(*cfg, append(conn[:len(conn):len(conn)], hb), fakeRedactor{}, fakeSealer{}, &fakeAuditor{},
		WithAnonymizer(fakeAnonymizer{}), WithMetrics(m), WithOutputs(Outputs{Research: gate}),
		WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- w.Run(ctx) }()
	waitFor(30*time.Second, func() bool { return took.Load() > 0 && settled(m) >= float64(n-took.Load()) })
	time.Sleep(1500 * time.Millisecond) // a window more, if any were due
	cancel()
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	if took.Load() == 0 || len(other["raw"]) == 0 {
		t.Fatalf("the other member took %d records, committed %v: the scenario did not happen", took.Load(), other)
	}
	if got := testutil.ToFloat64(m.Windows.WithLabelValues("aborted")); got == 0 {
		t.Fatal("no window aborted: the revocation did not reach the window")
	}
	rows, _, _ := outputs(t, conn, cfg)
	seen := map[string]bool{}
	for _, r := range rows {
		k := fmt.Sprintf("%d/%d", r.Partition, r.Offset)
		if seen[k] {
			t.Errorf("input offset %s published twice", k)
		}
		seen[k] = true
		if eo, ok := other["raw"][r.Partition]; ok && r.Offset < eo.Offset {
			t.Errorf("input offset %s published by the worker, though the other member committed partition %d to %d", k, r.Partition, eo.Offset)
		}
	}
	if got, want := settled(m), n-took.Load(); got != float64(want) {
		t.Errorf("the worker settled %v records, want %d: %d of %d were the other member's", got, want, took.Load(), n)
	}
}
