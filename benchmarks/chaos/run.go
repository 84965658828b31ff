package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
	"go.yaml.in/yaml/v3"

	"github.com/deidstream/deidstream/internal/config"
	"github.com/deidstream/deidstream/synth"
)

// harness holds what every run shares: the cluster, the worker binary and its keys.
type harness struct {
	cl   *cluster
	bin  string
	dir  string // keys, configs, logs
	log  io.Writer
	rate int // input records per second while a run lasts
}

// newHarness builds the worker and makes its keys in dir.
func newHarness(ctx context.Context, root, dir string, cl *cluster, rate int, log io.Writer) (*harness, error) {
	h := &harness{cl: cl, bin: filepath.Join(dir, "worker"), dir: dir, log: log, rate: rate}
	build := exec.CommandContext(ctx, "go", "build", "-o", h.bin, "./cmd/worker")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("building the worker: %w\n%s", err, out)
	}
	keys := filepath.Join(dir, "keys")
	for _, args := range [][]string{{"keys", "gen", "--out", keys, "--name", "research"},
		{"keys", "gen", "--out", keys, "--name", "security"}, {"audit", "keygen", "--out", keys, "--name", "audit"}} {
		if out, err := exec.CommandContext(ctx, h.bin, args...).CombinedOutput(); err != nil {
			return nil, fmt.Errorf("worker %s: %w\n%s", strings.Join(args, " "), err, out)
		}
	}
	return h, nil
}

func (h *harness) logf(format string, a ...any) {
	fmt.Fprintf(h.log, "chaos: %s %s\n", time.Now().UTC().Format("15:04:05"), fmt.Sprintf(format, a...))
}

// proc is one worker of a run: its config, and the process running it (nil when stopped).
type proc struct {
	id, cfg, logPath, ops string
	cmd                   *exec.Cmd
	logFile               *os.File
	done                  chan struct{} // closed when the process exited
	err                   error         // how it exited, once done
}

// exited reports how the process ended, or nil while it runs (or was never started).
func (p *proc) exited() error {
	if p.cmd == nil {
		return nil
	}
	select {
	case <-p.done:
		// The log is removed with the run's directory unless -keep: its last
		// lines (the worker's own, PHI-free by design) say why it stopped.
		return fmt.Errorf("worker %s exited on its own: %v (log: %s; it ends:\n%s)", p.id, p.err, p.logPath, logTail(p.logPath, 5))
	default:
		return nil
	}
}

// event is a fault the recovery is measured from: the time the fault ended
// (or struck, for a kill), and the worker it hit (-1: all of them).
type event struct {
	at     time.Time
	worker int
}

// run is one scenario: topics and a group of its own, workers, a steady feed of input, faults.
type run struct {
	h        *harness
	name     string
	prefix   string
	workers  []*proc
	events   []event
	notes    []string
	stopFeed func() error
	// produced counts the records Kafka acknowledged, failed those whose
	// produce failed (it may still have been written, if only the answer was lost).
	produced, failed atomic.Int64
}

// The workers' redaction secret is in their environment, as a deployment keeps it.
const (
	secretEnv = "DEID_CHAOS_SECRET"
	secretRef = "secret-from-the-environment"
)

func randHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func freePort() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// newRun creates the run's input topic (6 partitions, replication factor 3)
// and writes a config per worker; nothing runs yet.
func (h *harness) newRun(ctx context.Context, key, name string, workers int) (*run, error) {
	r := &run{h: h, name: name, prefix: "chaos-" + key + "-" + randHex(3)}
	cl, err := kgo.NewClient(h.cl.conn()...)
	if err != nil {
		return nil, err
	}
	defer cl.Close()
	resp, err := kadm.NewClient(cl).CreateTopic(ctx, 6, -1, nil, r.prefix+".raw")
	if err == nil {
		err = resp.Err
	}
	if err != nil {
		return nil, fmt.Errorf("creating the input topic of %s: %w", name, err)
	}
	for i := range workers {
		p, err := r.writeConfig(i)
		if err != nil {
			return nil, err
		}
		r.workers = append(r.workers, p)
	}
	return r, nil
}

func (r *run) writeConfig(i int) (*proc, error) {
	cfg, err := config.Demo()
	if err != nil {
		return nil, err
	}
	keys := filepath.Join(r.h.dir, "keys")
	p := &proc{id: fmt.Sprintf("%s-w%d", r.prefix, i+1)}
	if p.ops, err = freePort(); err != nil {
		return nil, err
	}
	cfg.Worker.ID = p.id
	cfg.Kafka.Brokers = r.h.cl.brokers
	cfg.Kafka.GroupID = r.prefix
	cfg.Kafka.SessionTimeout = 10 * time.Second
	t := &cfg.Topics
	t.Input = []string{r.prefix + ".raw"}
	t.Research, t.Audit, t.Quarantine = r.prefix+".research", r.prefix+".audit", r.prefix+".quarantine"
	t.Stats, t.Budget, t.Placeholders = r.prefix+".stats", r.prefix+".budget", r.prefix+".placeholders"
	t.Create, t.Partitions = true, 3
	cfg.Window.MaxRecords, cfg.Window.MaxWait = 500, time.Second
	cfg.Keys = config.Keys{Research: []string{filepath.Join(keys, "research.pub")}, Quarantine: []string{filepath.Join(keys, "security.pub")},
		AuditSigner: filepath.Join(keys, "audit.key")}
	cfg.Redaction.Secret = secretRef // replaced below: the secret comes from the environment
	cfg.DP.Budget = 1e6              // three workers share one dataset: never refuse here
	cfg.Monitor.Every, cfg.Monitor.FirstWindow = 0, false
	cfg.Ops.Listen, cfg.Ops.Linger = p.ops, 0
	b, err := yaml.Marshal(cfg)
	if err != nil {
		return nil, err
	}
	b = bytes.ReplaceAll(b, []byte(secretRef), []byte("${"+secretEnv+"}"))
	p.cfg = filepath.Join(r.h.dir, p.id+".yaml")
	p.logPath = filepath.Join(r.h.dir, p.id+".log")
	if err := os.WriteFile(p.cfg, b, 0o600); err != nil {
		return nil, err
	}
	return p, nil
}

// start starts worker i; its log lines are appended to its log file.
func (r *run) start(i int) error {
	p := r.workers[i]
	f, err := os.OpenFile(p.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	p.cmd = exec.Command(r.h.bin, "run", "-c", p.cfg)
	p.cmd.Env = append(os.Environ(), secretEnv+"="+strings.Repeat("c4", 32))
	p.cmd.Stdout, p.cmd.Stderr = f, f
	if err := p.cmd.Start(); err != nil {
		f.Close()
		return fmt.Errorf("starting worker %s: %w", p.id, err)
	}
	p.logFile = f
	p.done = make(chan struct{})
	go func() { p.err = p.cmd.Wait(); close(p.done) }()
	return nil
}

// kill SIGKILLs worker i: no deferred close, no aborted transaction.
func (r *run) kill(i int) {
	p := r.workers[i]
	if p.cmd == nil {
		return
	}
	_ = p.cmd.Process.Kill()
	<-p.done
	p.logFile.Close()
	p.cmd = nil
}

// stop SIGTERMs worker i and waits for it to drain; it must exit 0.
func (r *run) stop(i int) error {
	p := r.workers[i]
	if p.cmd == nil {
		return nil
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	var err error
	select {
	case <-p.done:
		err = p.err
	case <-time.After(60 * time.Second):
		_ = p.cmd.Process.Kill()
		err = fmt.Errorf("worker %s still running 60s after SIGTERM", p.id)
		<-p.done
	}
	p.logFile.Close()
	p.cmd = nil
	if err != nil {
		return fmt.Errorf("stopping worker %s: %w", p.id, err)
	}
	return nil
}

// feed produces synthetic records (1% malformed) at the harness's rate until stopped.
func (r *run) feed() error {
	cl, err := kgo.NewClient(append(r.h.cl.conn(), kgo.DefaultProduceTopic(r.prefix+".raw"))...)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		g := synth.NewGenerator(synth.Options{Seed: 7, Poison: 0.01})
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
			for range max(1, r.h.rate/10) {
				rec, _ := g.Next()
				cl.Produce(ctx, &kgo.Record{Value: rec}, func(_ *kgo.Record, err error) {
					if err == nil {
						r.produced.Add(1)
					} else {
						r.failed.Add(1)
					}
				})
			}
		}
	}()
	r.stopFeed = func() error {
		cancel()
		<-done
		fctx, fcancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer fcancel()
		err := cl.Flush(fctx)
		cl.Close()
		return err
	}
	return nil
}

// logLine is what the harness reads of a worker's JSON log line.
type logLine struct {
	Time  time.Time `json:"time"`
	Level string    `json:"level"`
	Msg   string    `json:"msg"`
}

// lines reads worker i's log.
func (r *run) lines(i int) []logLine {
	f, err := os.Open(r.workers[i].logPath)
	if err != nil {
		return nil
	}
	defer f.Close()
	var out []logLine
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var l logLine
		if json.Unmarshal(sc.Bytes(), &l) == nil && !l.Time.IsZero() {
			out = append(out, l)
		}
	}
	return out
}

// firstCommit is worker i's first committed window after t (zero if none).
func (r *run) firstCommit(i int, t time.Time) time.Time {
	for _, l := range r.lines(i) {
		if l.Msg == "window committed" && l.Time.After(t) {
			return l.Time
		}
	}
	return time.Time{}
}

// waitCommits waits until every worker in which (nil: all) committed a window after t.
func (r *run) waitCommits(ctx context.Context, t time.Time, timeout time.Duration, which ...int) error {
	if which == nil {
		for i := range r.workers {
			which = append(which, i)
		}
	}
	deadline := time.Now().Add(timeout)
	for {
		missing := 0
		for _, i := range which {
			if err := r.workers[i].exited(); err != nil {
				return err
			}
			if r.firstCommit(i, t).IsZero() {
				missing++
			}
		}
		if missing == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s: %d workers committed no window within %v of %s", r.name, missing, timeout, t.Format("15:04:05"))
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(500 * time.Millisecond):
		}
	}
}

// recovery is the longest time from an event to the first commit after it
// of the worker it hit (or of every worker); -1 when one never committed.
func (r *run) recovery() time.Duration {
	var worst time.Duration
	for _, ev := range r.events {
		which := []int{ev.worker}
		if ev.worker < 0 {
			which = []int{0, 1, 2} // the three that run throughout (a fourth comes and goes)
		}
		for _, i := range which {
			c := r.firstCommit(i, ev.at)
			if c.IsZero() {
				return -1
			}
			worst = max(worst, c.Sub(ev.at))
		}
	}
	return worst
}

// readyz returns worker i's /readyz status and body.
func (r *run) readyz(i int) (int, string) {
	resp, err := http.Get("http://" + r.workers[i].ops + "/readyz")
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, strings.TrimSpace(string(b))
}

// reconciliation is what `worker audit reconcile` printed.
type reconciliation struct {
	counts   map[string]int
	problems []string
	ok       bool
	err      string
}

func (r *run) reconcile(ctx context.Context) reconciliation {
	keys := filepath.Join(r.h.dir, "keys")
	cmd := exec.CommandContext(ctx, r.h.bin, "audit", "reconcile", "-c", r.workers[0].cfg,
		"-k", filepath.Join(keys, "research.key"), "--pub", filepath.Join(keys, "audit.pub"))
	cmd.Env = append(os.Environ(), secretEnv+"="+strings.Repeat("c4", 32))
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	rec := reconciliation{counts: map[string]int{}, ok: err == nil}
	for _, l := range strings.Split(stdout.String(), "\n") {
		if i := strings.LastIndexByte(l, ' '); i > 0 {
			if n, err := strconv.Atoi(l[i+1:]); err == nil {
				rec.counts[l[:i]] = n
			}
		}
	}
	for _, l := range strings.Split(strings.TrimSpace(stderr.String()), "\n") {
		if p, ok := strings.CutPrefix(l, "worker audit reconcile: "); ok {
			rec.problems = append(rec.problems, p)
		}
	}
	if err != nil && len(rec.counts) == 0 {
		rec.err = strings.TrimSpace(stderr.String())
	}
	return rec
}

// row is one line of the results table.
type row struct {
	Scenario                                          string
	In, Published, Suppressed, Quarantined, Lost, Dup int
	Recovery                                          time.Duration
	AuditVerified                                     bool
	Notes                                             string
	Err                                               error
}

// execute runs one scenario from start to reconciliation: the workers start,
// input flows, fault runs, the input stops, every record is waited for, the
// workers stop, and `worker audit reconcile` accounts for every record.
func (h *harness) execute(ctx context.Context, s scenario) (rw row) {
	name, workers, fault := s.name, s.workers, s.fault
	rw.Scenario = name
	start := time.Now()
	r, err := h.newRun(ctx, s.key, name, workers)
	if err != nil {
		rw.Err = err
		return rw
	}
	defer func() {
		for i := range r.workers {
			r.kill(i)
		}
		h.logf("%s: done in %v", name, time.Since(start).Round(time.Second))
	}()
	if err := r.feed(); err != nil {
		rw.Err = err
		return rw
	}
	for i := range r.workers {
		if err := r.start(i); err != nil {
			rw.Err = err
			return rw
		}
	}
	h.logf("%s: %d workers started, input at %d records/s", name, workers, h.rate)
	if err := r.waitCommits(ctx, start, 3*time.Minute); err != nil {
		rw.Err = err
		return rw
	}
	ferr := fault(ctx, r)
	if err := r.stopFeed(); err != nil {
		ferr = errors.Join(ferr, fmt.Errorf("flushing the input: %w", err))
	}
	h.logf("%s: fault done; %d records produced; waiting for every one to be processed", name, r.produced.Load())
	deadline := time.Now().Add(5 * time.Minute)
	var rec reconciliation
	for {
		rec = r.reconcile(ctx)
		if rec.err != "" || rec.counts["not yet processed"] == 0 || time.Now().After(deadline) || ctx.Err() != nil {
			break
		}
		time.Sleep(3 * time.Second)
	}
	var stopErrs []error
	for i := range r.workers {
		stopErrs = append(stopErrs, r.stop(i))
	}
	rec = r.reconcile(ctx) // after the stop events: the log as an auditor finds it
	rw.In = rec.counts["consumed"] + rec.counts["not yet processed"]
	rw.Published, rw.Quarantined, rw.Suppressed = rec.counts["published"], rec.counts["quarantined"], rec.counts["suppressed"]
	rw.Lost = rec.counts["not yet processed"]
	for _, p := range rec.problems {
		switch {
		case strings.Contains(p, "twice"), strings.Contains(p, "and again by"), strings.Contains(p, "both published and quarantined"):
			rw.Dup++
		case strings.Contains(p, "in no window"):
			rw.Lost++
		}
	}
	rw.AuditVerified = rec.err == "" && len(rec.counts) > 0
	if in, acked, failed := int64(rw.In), r.produced.Load(), r.failed.Load(); in < acked || in > acked+failed {
		ferr = errors.Join(ferr, fmt.Errorf("the input topic holds %d records, the feeder had %d acknowledged and %d failed", in, acked, failed))
	}
	rw.Recovery = r.recovery()
	rw.Notes = strings.Join(r.notes, "; ")
	rw.Err = errors.Join(ferr, errors.Join(stopErrs...))
	if !rec.ok {
		rw.Err = errors.Join(rw.Err, fmt.Errorf("audit reconcile failed: %s %v", rec.err, rec.problems))
	}
	return rw
}

// outageLines is the most log lines (other than committed windows) a worker
// wrote from t0 to t1.
func (r *run) outageLines(t0, t1 time.Time) int {
	worst := 0
	for i := range r.workers {
		n := 0
		for _, l := range r.lines(i) {
			if l.Msg != "window committed" && !l.Time.Before(t0) && !l.Time.After(t1) {
				n++
			}
		}
		worst = max(worst, n)
	}
	return worst
}

// logTail returns the last n lines of the file at path, or why it cannot.
func logTail(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Sprintf("(unreadable: %v)", err)
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	return strings.Join(lines[max(len(lines)-n, 0):], "\n")
}
