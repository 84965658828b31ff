package pipeline

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/deidstream/deidstream/deid"
	"github.com/deidstream/deidstream/kafkaconn"
)

// fakeNumbering numbers names per patient, with the transaction semantics of
// the port: a plain stand-in for redact.Numbering. Tables are JSON.
type fakeNumbering struct {
	mu        sync.Mutex
	tables    map[string]map[string]int // patient -> name -> number
	committed map[string]map[string]int
	sent      map[string]map[string]int // what Changed listed; nil if not called since the last Commit or Abort
	restored  int
}

func newFakeNumbering() *fakeNumbering {
	return &fakeNumbering{tables: map[string]map[string]int{}, committed: map[string]map[string]int{}}
}

func (f *fakeNumbering) number(patient, name string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	tb := f.tables[patient]
	if tb == nil {
		tb = map[string]int{}
		f.tables[patient] = tb
	}
	if n, ok := tb[name]; ok {
		return n
	}
	tb[name] = len(tb) + 1
	return tb[name]
}

func (f *fakeNumbering) Changed() []StateRecord {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []StateRecord
	f.sent = map[string]map[string]int{}
	for p, tb := range f.tables {
		if len(tb) != len(f.committed[p]) {
			v, _ := json.Marshal(tb)
			out = append(out, StateRecord{Key: []byte(p), Value: v})
			f.sent[p] = maps.Clone(tb)
		}
	}
	return out
}

func (f *fakeNumbering) Commit() {
	f.mu.Lock()
	defer f.mu.Unlock()
	kept := f.sent
	if kept == nil {
		kept = f.tables
	}
	for p, tb := range kept {
		f.committed[p] = maps.Clone(tb)
	}
	f.sent = nil
}

func (f *fakeNumbering) Abort() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.tables, f.sent = map[string]map[string]int{}, nil
	for p, tb := range f.committed {
		f.tables[p] = maps.Clone(tb)
	}
}

func (f *fakeNumbering) Reset() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.tables, f.committed, f.sent = map[string]map[string]int{}, map[string]map[string]int{}, nil
}

func (f *fakeNumbering) Restore(key, value []byte) error {
	var tb map[string]int
	if err := json.Unmarshal(value, &tb); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.tables[string(key)], f.committed[string(key)] = tb, maps.Clone(tb)
	f.restored++
	return nil
}

// numberingRedactor releases {patient, name} as [patient, "[NAME_n]"].
type numberingRedactor struct{ nb *fakeNumbering }

func (numberingRedactor) Columns() []string { return []string{"patient", "name"} }

func (r numberingRedactor) Process(rec map[string]any) (Redacted, error) {
	p, name := fmt.Sprint(rec["patient"]), fmt.Sprint(rec["name"])
	return Redacted{Values: []string{p, fmt.Sprintf("[NAME_%d]", r.nb.number(p, name))}}, nil
}

func numberingConfig(t *testing.T, id string) *Config {
	cfg := testConfig(t)
	cfg.WorkerID = id
	cfg.Kafka.TransactionalID = "deidstream-" + id
	cfg.Input.Required = []string{"patient"}
	cfg.Input.Types = map[string]string{"patient": "string", "name": "string"}
	return cfg
}

func newNumberingWorker(t *testing.T, cfg *Config, conn []kgo.Opt) (*Worker, *Metrics, *fakeNumbering) {
	t.Helper()
	nb := newFakeNumbering()
	m := NewMetrics(prometheus.NewRegistry())
	w, err := New(*cfg, conn, numberingRedactor{nb}, fakeSealer{}, &fakeAuditor{}, WithMetrics(m), WithNumbering(nb))
	if err != nil {
		t.Fatal(err)
	}
	return w, m, nb
}

// producePatients writes, for each of patients, names phase+"0".. phase+"k",
// keyed by patient so that a patient's records share a partition.
func producePatients(t *testing.T, conn []kgo.Opt, patients, names int, phase string) int {
	t.Helper()
	cl, err := kgo.NewClient(conn...)
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	n := 0
	for i := range names {
		for p := range patients {
			// Each name twice, in different records.
			for range 2 {
				v := fmt.Sprintf(`{"patient": "p%d", "name": "%s%d"}`, p, phase, i)
				cl.Produce(context.Background(), &kgo.Record{Topic: "raw", Key: fmt.Appendf(nil, "p%d", p), Value: []byte(v)}, nil)
				n++
			}
		}
	}
	if err := cl.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	return n
}

// checkConsistentNumbering requires that every patient's name has one
// placeholder in all published rows, and no placeholder two names. The
// research rows carry the name's number only, so the input is read back to
// pair each row with its name.
func checkConsistentNumbering(t *testing.T, conn []kgo.Opt, cfg *Config) int {
	t.Helper()
	rows, _, _ := outputs(t, conn, cfg)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	in, err := kafkaconn.ReadAll(ctx, conn, "raw")
	if err != nil {
		t.Fatal(err)
	}
	name := map[string]string{}
	for _, r := range in {
		var v struct{ Patient, Name string }
		if err := json.Unmarshal(r.Value, &v); err != nil {
			t.Fatal(err)
		}
		name[fmt.Sprintf("%d/%d", r.Partition, r.Offset)] = v.Name
	}
	byName, byPlaceholder := map[string]string{}, map[string]string{}
	for _, r := range rows {
		nm := name[fmt.Sprintf("%d/%d", r.Partition, r.Offset)]
		k, ph := r.Values[0]+"/"+nm, r.Values[0]+"/"+r.Values[1]
		if got, ok := byName[k]; ok && got != r.Values[1] {
			t.Fatalf("patient %s name %s published as %s and %s", r.Values[0], nm, got, r.Values[1])
		}
		byName[k] = r.Values[1]
		if got, ok := byPlaceholder[ph]; ok && got != nm {
			t.Fatalf("patient %s: %s published for names %s and %s", r.Values[0], r.Values[1], got, nm)
		}
		byPlaceholder[ph] = nm
	}
	return len(rows)
}

func placeholderTables(t *testing.T, conn []kgo.Opt, cfg *Config) []*kgo.Record {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	recs, err := kafkaconn.ReadAll(ctx, conn, cfg.Topics.Placeholders)
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

// A worker that dies with a window published but not committed: its
// successor restores the committed tables only, and every name keeps its
// number across the windows and the restart.
func TestNumberingSurvivesCrashBeforeCommit(t *testing.T) {
	conn := kfakeConn(t)
	cfg := numberingConfig(t, "w1")
	n := producePatients(t, conn, 20, 20, "a") // 800 records: windows of 300

	w1, m1, _ := newNumberingWorker(t, cfg, conn)
	errCrash := errors.New("simulated crash")
	windows := 0
	w1.afterPublish = func() error {
		if windows++; windows == 2 {
			return errCrash
		}
		return nil
	}
	if err := runUntil(t, w1, func() bool { return false }); !errors.Is(err, errCrash) {
		t.Fatalf("first worker: %v, want the simulated crash", err)
	}
	if testutil.ToFloat64(m1.Published) == 0 {
		t.Fatal("the first worker committed nothing: the test would prove nothing")
	}

	w2, m2, nb2 := newNumberingWorker(t, cfg, conn)
	already := testutil.ToFloat64(m1.Published)
	if err := runUntil(t, w2, func() bool { return settled(m2) >= float64(n)-already }); err != nil {
		t.Fatal(err)
	}
	if nb2.restored == 0 {
		t.Error("the second worker restored no table: the first worker's committed window left none")
	}
	// New names after the restart continue each patient's count.
	n += producePatients(t, conn, 20, 3, "b")
	w3, m3, _ := newNumberingWorker(t, cfg, conn)
	if err := runUntil(t, w3, func() bool { return settled(m3) >= 120 }); err != nil {
		t.Fatal(err)
	}
	if got := checkConsistentNumbering(t, conn, cfg); got != n {
		t.Errorf("%d rows published, want %d", got, n)
	}
	for _, r := range w3.numbers.(*fakeNumbering).tables {
		if len(r) != 23 {
			t.Errorf("a patient's table holds %d names, want 23", len(r))
		}
	}
}

// Partitions move between workers: each reloads the tables before it numbers
// the records of a partition it was just given, so a name keeps its number
// whichever worker publishes it, and new names never reuse a number.
func TestNumberingFollowsPartitionsAcrossWorkers(t *testing.T) {
	conn := kfakeConn(t)
	cfgA, cfgB := numberingConfig(t, "wa"), numberingConfig(t, "wb")
	for _, c := range []*Config{cfgA, cfgB} {
		c.Kafka.SessionTimeout = 6 * time.Second
	}
	wa, ma, _ := newNumberingWorker(t, cfgA, conn)
	ctxA, stopA := context.WithCancel(context.Background())
	errA := make(chan error, 1)
	go func() { errA <- wa.Run(ctxA) }()
	defer func() {
		stopA()
		if err := <-errA; err != nil {
			t.Error(err)
		}
	}()
	total := 0
	waitSettled := func(ms ...*Metrics) {
		t.Helper()
		deadline := time.Now().Add(60 * time.Second)
		for {
			s := 0.0
			for _, m := range ms {
				s += settled(m)
			}
			if int(s) >= total {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%v of %d records settled in 60s", s, total)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	total += producePatients(t, conn, 30, 3, "a")
	waitSettled(ma)

	// B joins: the group splits the partitions; new names on both.
	wb, mb, _ := newNumberingWorker(t, cfgB, conn)
	producedB := false
	if err := runUntil(t, wb, func() bool {
		if !wb.Ready() {
			return false
		}
		if !producedB {
			total += producePatients(t, conn, 30, 3, "b")
			producedB = true
		}
		s := settled(ma) + settled(mb)
		return int(s) >= total && settled(mb) > 0
	}); err != nil {
		t.Fatal(err)
	}
	// B left: A gets B's partitions back, whose tables B changed since A
	// last saw them. New names must continue B's counts.
	total += producePatients(t, conn, 30, 3, "c")
	waitSettled(ma, mb)
	if got := checkConsistentNumbering(t, conn, cfgA); got != total {
		t.Errorf("%d rows published, want %d", got, total)
	}
	t.Logf("windows aborted: A %v, B %v", testutil.ToFloat64(ma.Windows.WithLabelValues("aborted")),
		testutil.ToFloat64(mb.Windows.WithLabelValues("aborted")))
}

// What a window's tables are, and that the topic holds them keyed per patient.
func TestNumberingTablesFollowTheTransaction(t *testing.T) {
	conn := kfakeConn(t)
	cfg := numberingConfig(t, "w1")
	n := producePatients(t, conn, 5, 2, "a")
	w, m, _ := newNumberingWorker(t, cfg, conn)
	if err := runUntil(t, w, func() bool { return settled(m) >= float64(n) }); err != nil {
		t.Fatal(err)
	}
	latest := map[string]string{}
	for _, r := range placeholderTables(t, conn, cfg) {
		if h := kindHeader(r); h != "placeholders" {
			t.Errorf("placeholder record of kind %q", h)
		}
		latest[string(r.Key)] = string(r.Value)
	}
	if len(latest) != 5 {
		t.Fatalf("%d patients in the placeholder topic, want 5", len(latest))
	}
	for p, v := range latest {
		// Stage goroutines number a patient's records in any order.
		if v != `{"a0":1,"a1":2}` && v != `{"a0":2,"a1":1}` {
			t.Errorf("patient %s: last table %s, want a0 and a1 numbered 1 and 2", p, v)
		}
	}
}

func kindHeader(r *kgo.Record) string {
	for _, h := range r.Headers {
		if h.Key == deid.HeaderKind {
			return string(h.Value)
		}
	}
	return ""
}
