package pipeline

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/deidstream/deidstream/arrowbatch"
	"github.com/deidstream/deidstream/kafkaconn"
)

// ErrNoStage means a required stage was not given to New.
var ErrNoStage = errors.New("pipeline stage missing")

// ErrConfig means New was given a Config the loop cannot run with.
var ErrConfig = errors.New("invalid pipeline config")

// ErrSealing means an output could not be sealed (encrypted) for its
// recipients: the window fails and the worker stops.
var ErrSealing = errors.New("sealing failed")

// ErrResidualPHI means the residual-PHI monitor found PHI or a canary in a
// window's released rows with Sampling.Halt: the window was aborted, nothing
// of it released, and the worker stops.
var ErrResidualPHI = errors.New("residual PHI in released rows")

// Worker runs the stage graph for one member of the consumer group.
type Worker struct {
	cfg      Config
	conn     []kgo.Opt
	redactor Redactor
	anon     Anonymizer // nil: no privacy models
	carry    Carrier    // nil: no carry-over (anon anonymizes each window alone)
	dp       Releaser   // nil: no DP statistics
	numbers  Numbering  // nil: placeholders numbered per record
	monitor  Monitor    // nil: no residual-PHI monitor
	sampling Sampling
	// inspectAll is Sampling.FirstWindow until a window commits: the records
	// of a window then polled, not ahead of another, are inspected whole
	// (job.all); sampled counts records for Sampling.Every.
	inspectAll atomic.Bool
	sampled    atomic.Uint64
	sealer     Sealer
	auditor    Auditor
	out        Outputs
	metrics    *Metrics
	hooks      []kgo.Hook
	log        *slog.Logger
	schema     *arrowbatch.Schema
	decoder    schema

	topicLimit int // smallest max.message.bytes of the output topics; 0 = not yet checked
	maxValue   int // largest record value produced, under the topics' limits
	seq        uint64
	ready      atomic.Bool // partitions assigned
	health     *kafkaHealth
	// reconnecting holds why the worker is not ready while it replaces its Kafka session.
	reconnecting atomic.Pointer[error]
	// fetch errors are logged once a minute at most (fill runs on Run's goroutine only).
	fetchLogged  time.Time
	fetchSkipped int
	// idleSince is when the last window committed (or Run began): the
	// Carrier's rows go after Config.CarryMaxIdle without input (flushAt).
	idleSince time.Time
	// reload asks for the numbering to be rebuilt from its topic before the
	// next record is processed: at start, and after every assignment, since
	// the previous owner of a partition may have committed newer tables.
	reload atomic.Bool
	// rebalances counts the revocations and losses of partitions: a window
	// whose polling began before one must not commit (see window.rebalances).
	rebalances atomic.Uint64
	// assignments counts the assignments of partitions, and assignedAt holds
	// that count at each partition's last assignment (under assignMu): a
	// window does not rewind a partition to a record polled before the
	// partition was assigned again, whose committed offset may have moved
	// meanwhile (see rewind).
	assignments atomic.Uint64
	assignMu    sync.Mutex
	assignedAt  map[topicPartition]uint64
	topicIDs    map[string][16]byte // for committing offsets (offsets.go); Run's goroutine only
	jobs        chan job
	// remaining, for a bounded run, maps each partition not yet committed to
	// its end to that end offset; nil for an unbounded run.
	remaining map[topicPartition]int64
	// afterPublish, for tests, runs between producing a window and committing
	// it; an error stops Run at once, leaving the transaction open, as a crash would.
	afterPublish func() error
}

type job struct {
	s  *slot
	wg *sync.WaitGroup
	// all: the Monitor inspects the record whatever Sampling.Every says (a
	// record of the first window after start, not one polled ahead of it).
	all bool
}

// Option configures a Worker.
type Option func(*Worker)

// WithAnonymizer applies privacy models to each window.
func WithAnonymizer(a Anonymizer) Option { return func(w *Worker) { w.anon = a } }

// WithReleaser publishes DP statistics for each window.
func WithReleaser(r Releaser) Option { return func(w *Worker) { w.dp = r } }

// WithNumbering keeps the Redactor's placeholder numbering in step with the
// transactions, in topics.placeholders.
func WithNumbering(n Numbering) Option { return func(w *Worker) { w.numbers = n } }

// WithMonitor inspects the released records s samples with m.
func WithMonitor(m Monitor, s Sampling) Option {
	return func(w *Worker) { w.monitor, w.sampling = m, s }
}

// WithLogger sets the logger (default slog.Default()).
func WithLogger(l *slog.Logger) Option { return func(w *Worker) { w.log = l } }

// WithMetrics registers the worker's and the Kafka client's metrics on reg.
func WithMetrics(m *Metrics, hooks ...kgo.Hook) Option {
	return func(w *Worker) { w.metrics, w.hooks = m, hooks }
}

// New makes a worker. conn are the Kafka connection options (kafkaconn.Config.Opts).
func New(cfg Config, conn []kgo.Opt, r Redactor, s Sealer, a Auditor, opts ...Option) (*Worker, error) {
	if err := cfg.check(); err != nil {
		return nil, err
	}
	if r == nil || s == nil || a == nil {
		return nil, fmt.Errorf("making worker: redactor, sealer and auditor are required: %w", ErrNoStage)
	}
	w := &Worker{cfg: cfg, conn: conn, redactor: r, sealer: s, auditor: a, log: slog.Default(), out: KafkaOutputs(cfg.Topics),
		decoder: newSchema(cfg.Input.MaxRecordBytes, cfg.Input.Required, cfg.Input.Types), topicIDs: map[string][16]byte{},
		assignedAt: map[topicPartition]uint64{}}
	for _, o := range opts {
		o(w)
	}
	if w.carry != nil && (w.anon != nil || w.out.Escrow != nil || cfg.Topics.Carry == "") {
		return nil, fmt.Errorf("making worker: carry-over needs the carry topic, and neither a per-window anonymizer nor escrow (its released rows name no source): %w", ErrConfig)
	}
	if w.metrics == nil {
		w.metrics = NewMetrics(prometheus.NewRegistry())
	}
	w.schema = arrowbatch.NewSchema(r.Columns())
	w.seq = a.LastWindow()
	w.health = newKafkaHealth(w.log, w.metrics, time.Now())
	return w, nil
}

// SchemaFingerprint identifies the research batch schema.
func (w *Worker) SchemaFingerprint() string { return w.schema.Fingerprint }

// EnsureTopics checks the input topics and checks or creates the output
// topics. It returns the smallest max.message.bytes among the output topics.
func EnsureTopics(ctx context.Context, cfg Config, conn []kgo.Opt) (int, error) {
	cl, err := kgo.NewClient(conn...)
	if err != nil {
		return 0, fmt.Errorf("connecting to kafka: %w", err)
	}
	defer cl.Close()
	adm := kadm.NewClient(cl)
	t := cfg.Topics
	var ins []kafkaconn.TopicSpec
	for _, in := range t.Input {
		ins = append(ins, kafkaconn.TopicSpec{Name: in})
	}
	if _, err := kafkaconn.EnsureTopics(ctx, adm, false, ins...); err != nil {
		if errors.Is(err, kafkaconn.ErrTopicMissing) {
			// topics.create is for outputs: the worker never guesses an input's partitioning.
			return 0, fmt.Errorf("checking input topics (topics.input): %w; the worker never creates input topics, "+
				"whatever topics.create says: create it with the partitions you want "+
				"(deploy/kafka/kafka.sh topics --create --topic NAME --partitions 3), or correct topics.input", err)
		}
		return 0, fmt.Errorf("checking input topics: %w", err)
	}
	limit, err := kafkaconn.EnsureTopics(ctx, adm, t.Create,
		kafkaconn.TopicSpec{Name: t.Research, Partitions: t.Partitions},
		kafkaconn.TopicSpec{Name: t.Quarantine, Partitions: t.Partitions},
		kafkaconn.TopicSpec{Name: t.Stats, Partitions: t.Partitions},
		// The audit log is verified from its first event: nothing may expire.
		kafkaconn.TopicSpec{Name: t.Audit, Partitions: 1, Configs: map[string]string{"retention.ms": "-1", "retention.bytes": "-1"}},
		kafkaconn.TopicSpec{Name: t.Budget, Partitions: 1, Configs: map[string]string{"cleanup.policy": "compact"}},
		// Only the last table of each patient matters.
		kafkaconn.TopicSpec{Name: t.Placeholders, Partitions: t.Partitions, Configs: map[string]string{"cleanup.policy": "compact"}},
	)
	if err == nil && t.Carry != "" {
		// Only the last state of each worker matters.
		var cl int
		cl, err = kafkaconn.EnsureTopics(ctx, adm, t.Create,
			kafkaconn.TopicSpec{Name: t.Carry, Partitions: t.Partitions, Configs: map[string]string{"cleanup.policy": "compact"}})
		if cl > 0 && (limit == 0 || cl < limit) {
			limit = cl
		}
	}
	if err != nil {
		if errors.Is(err, kafkaconn.ErrTopicMissing) {
			return 0, fmt.Errorf("checking output topics: %w; create it, or set topics.create: true", err)
		}
		return 0, fmt.Errorf("checking output topics: %w", err)
	}
	return limit, nil
}

// WithStopAt makes a bounded run (a backfill): the worker stops once it has
// committed every input partition up to the end offset given (exclusive),
// instead of waiting for new records. Partitions not named are not waited for.
func WithStopAt(ends map[string]map[int32]int64) Option {
	return func(w *Worker) {
		w.remaining = map[topicPartition]int64{}
		for t, ps := range ends {
			for p, end := range ps {
				if end > 0 {
					w.remaining[topicPartition{t, p}] = end
				}
			}
		}
	}
}

// WithTopicLimit passes the output topics' max.message.bytes found by EnsureTopics.
func WithTopicLimit(n int) Option { return func(w *Worker) { w.topicLimit = n } }

// recordOverhead leaves room for key, headers and batch framing under the limit.
const recordOverhead = 4 << 10

// minMessageBytes is the smallest record limit the worker can work under: a
// quarantined record is split into parts that leave 64 KiB for the envelope.
const minMessageBytes = 128 << 10

func (w *Worker) setLimit() error {
	limit := w.cfg.Kafka.MaxMessageBytes
	if w.topicLimit > 0 && w.topicLimit < limit {
		limit = w.topicLimit
	}
	if limit < minMessageBytes {
		return fmt.Errorf("checking output topics: max.message.bytes is %d, the worker needs at least %d", limit, minMessageBytes)
	}
	w.maxValue = limit - recordOverhead
	return nil
}

// Run consumes and publishes window after window until ctx ends, then
// finishes the open window within ops.drain_timeout and leaves the group.
func (w *Worker) Run(ctx context.Context) error {
	if w.topicLimit == 0 {
		limit, err := EnsureTopics(ctx, w.cfg, w.conn)
		if err != nil {
			return err
		}
		w.topicLimit = limit
	}
	if err := w.setLimit(); err != nil {
		return err
	}
	opts := append(w.conn[:len(w.conn):len(w.conn)],
		kgo.ConsumerGroup(w.cfg.Kafka.GroupID),
		kgo.SessionTimeout(w.cfg.Kafka.SessionTimeout),
		kgo.ConsumeTopics(w.cfg.Topics.Input...),
		kgo.TransactionalID(w.cfg.Kafka.TransactionalID),
		kgo.TransactionTimeout(w.cfg.Kafka.TransactionTimeout),
		kgo.FetchIsolationLevel(kgo.ReadCommitted()),
		kgo.RequireStableFetchOffsets(),
		kgo.ProducerBatchMaxBytes(int32(w.maxValue+recordOverhead)),
		// Sealed payloads are random bytes: compression would only cost CPU.
		kgo.ProducerBatchCompression(kgo.NoCompression()),
		kgo.WithHooks(append(w.hooks[:len(w.hooks):len(w.hooks)], w.health)...),
		kgo.OnPartitionsAssigned(func(_ context.Context, _ *kgo.Client, assigned map[string][]int32) {
			n := 0
			for _, ps := range assigned {
				n += len(ps)
			}
			w.log.Info("partitions assigned", "partitions", n)
			w.ready.Store(true)
			if len(assigned) > 0 {
				w.assignMu.Lock()
				at := w.assignments.Add(1)
				for t, ps := range assigned {
					for _, p := range ps {
						w.assignedAt[topicPartition{t, p}] = at
					}
				}
				w.assignMu.Unlock()
				w.reload.Store(true)
			}
		}),
		// Called by the session's wrappers once it marked its transaction
		// failed (not again until its next End). A cooperative rebalance that
		// takes nothing from this worker leaves the windows whole.
		kgo.OnPartitionsRevoked(func(_ context.Context, _ *kgo.Client, revoked map[string][]int32) {
			if len(revoked) > 0 {
				w.rebalances.Add(1)
			}
		}),
		kgo.OnPartitionsLost(func(context.Context, *kgo.Client, map[string][]int32) {
			w.rebalances.Add(1)
			w.ready.Store(false)
		}),
	)
	if w.cfg.Kafka.InstanceID != "" {
		opts = append(opts, kgo.InstanceID(w.cfg.Kafka.InstanceID))
	}
	if w.remaining != nil {
		// A bounded run must see transaction markers to know it reached an end
		// offset that is a marker; fill skips them as records.
		opts = append(opts, kgo.KeepControlRecords())
	}
	w.reload.Store(w.numbers != nil)
	w.inspectAll.Store(w.monitor != nil && w.sampling.FirstWindow)
	w.log.Info("joining the consumer group; waiting for partitions", "consumer_group", w.cfg.Kafka.GroupID,
		"static_member", w.cfg.Kafka.InstanceID != "", "session_timeout", w.cfg.Kafka.SessionTimeout.String())
	sess, err := kgo.NewGroupTransactSession(opts...)
	if err != nil {
		return fmt.Errorf("starting transactional consumer: %w", err)
	}
	defer func() {
		w.ready.Store(false)
		if sess != nil {
			sess.Close() // leaves the group
		}
		if c, ok := w.dp.(interface{ Close() }); ok {
			c.Close() // a Releaser's own Kafka client (the shared budget ledger)
		}
	}()
	watching := make(chan struct{})
	defer close(watching)
	go w.watchKafka(watching)

	par := w.cfg.Parallelism
	if par == 0 {
		par = runtime.GOMAXPROCS(0)
	}
	w.jobs = make(chan job, w.cfg.QueueDepth)
	var stages sync.WaitGroup
	for range par {
		stages.Go(func() {
			for j := range w.jobs {
				w.process(j.s, j.all)
				j.wg.Done()
			}
		})
	}
	defer func() {
		close(w.jobs)
		stages.Wait()
	}()

	if err := w.lifecycle(ctx, sess, "start", "config_loaded"); err != nil {
		return err
	}
	backoff := time.Duration(0)
	w.idleSince = time.Now()
	var next *window // polled while the window before it published
	for ctx.Err() == nil && (w.remaining == nil || len(w.remaining) > 0) {
		committed, ahead, err := w.runWindow(ctx, sess, next)
		next = ahead
		if lost, ok := errors.AsType[*sessionLost](err); ok {
			old := sess
			sess = nil
			if sess, err = w.restartSession(ctx, old, opts, lost); err != nil {
				return err
			}
			continue
		}
		if err != nil {
			return err
		}
		// After an abort, wait before consuming the same records again, longer
		// each time, so a broker problem is not hammered; a commit resets it.
		if backoff = nextBackoff(backoff, committed); backoff > 0 {
			select {
			case <-ctx.Done():
			case <-time.After(backoff):
			}
		}
	}
	if next != nil {
		// Stopping with a window polled ahead of the last commit: it is
		// dropped (its offsets never commit), so what its records numbered is
		// forgotten before a window of no input (releaseAtStop) could publish it.
		next.pending.Wait()
		if w.numbers != nil {
			w.numbers.Abort()
		}
	}
	sess, rerr := w.releaseAtStop(ctx, sess, opts)
	if sess == nil {
		return rerr // the session could not be replaced: rerr says why the stop event is missing
	}
	stopCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), w.cfg.DrainTimeout)
	defer cancel()
	return errors.Join(rerr, w.lifecycle(stopCtx, sess, "stop"))
}

// nextBackoff is the wait after a window: none after a commit, else doubling from 1s to 30s.
func nextBackoff(prev time.Duration, committed bool) time.Duration {
	if committed {
		return 0
	}
	return min(max(2*prev, time.Second), 30*time.Second)
}

// runWindow fills a window (or goes on filling win, polled while the window
// before it published), then publishes and commits it. While it publishes,
// the next window is polled (see publishAhead) and returned to be filled on;
// nil when there is none, or it was dropped. A window that cannot commit is
// aborted: its input (and the next window's) is consumed again, its outputs
// vanish. committed is true when a window committed, when there was nothing
// to do, or when the window was aborted only to reload the numbering (no
// backoff is due); an error means the worker must stop.
func (w *Worker) runWindow(ctx context.Context, sess *kgo.GroupTransactSession, win *window) (committed bool, _ *window, _ error) {
	if win == nil {
		win = w.newWindow()
	}
	if err := w.fill(ctx, sess, win); err != nil {
		return false, nil, err
	}
	if len(win.slots) == 0 && !win.flush {
		w.reached(win) // only markers polled: nothing to commit
		return true, nil, nil
	}
	start := time.Now()
	filled := start
	win.pending.Wait()
	w.metrics.StageSeconds.WithLabelValues("detect_drain").Observe(time.Since(start).Seconds())
	w.seq++
	win.seq = w.seq
	if win.stale {
		ok, err := w.abortStale(ctx, sess, win)
		return ok, nil, err
	}
	if w.numbers != nil {
		win.tables = w.numbers.Changed()
	}
	if err := sess.Begin(); err != nil {
		return false, nil, retryable(win, fmt.Errorf("beginning transaction: %w", err))
	}

	// Publishing runs to its end even after SIGTERM: bounded by the transaction
	// timeout (after which the broker aborts it anyway), or by the drain
	// timeout once the worker is stopping.
	bound := w.cfg.Kafka.TransactionTimeout
	if ctx.Err() != nil {
		bound = w.cfg.DrainTimeout
	}
	pctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), bound)
	defer cancel()
	res, perr, next, ferr := w.publishAhead(ctx, pctx, sess, win)
	if perr == nil && w.afterPublish != nil {
		if err := w.afterPublish(); err != nil {
			return false, nil, err
		}
	}
	try := kgo.TryCommit
	if perr != nil || w.rebalances.Load() != win.rebalances {
		try = kgo.TryAbort
	}
	start = time.Now()
	committed, err := sess.End(w.committing(pctx, win.next), try)
	w.metrics.StageSeconds.WithLabelValues("commit").Observe(time.Since(start).Seconds())
	w.metrics.AheadRecords.Set(0)
	var dropped *window
	if next != nil {
		next.ahead = false
		// Dropped when this window did not commit, when polling it failed,
		// when a revocation since it began polling may have taken some of its
		// partitions, or when partitions were assigned (the numbering is
		// reloaded first). Its records are consumed again; none is numbered
		// once the state settles.
		if err != nil || ferr != nil || !committed || next.stale || w.rebalances.Load() != next.rebalances {
			next.pending.Wait()
			dropped, next = next, nil
		}
	}
	switch {
	case err != nil: // the session is replaced, or the worker stops
	case !committed:
		w.rewind(sess.Client(), win, dropped)
	case dropped != nil:
		w.rewind(sess.Client(), dropped)
	}
	switch {
	case committed:
		w.committed(win, res, filled)
		if dropped != nil && w.numbers != nil {
			w.numbers.Abort() // what the dropped window's records numbered
		}
		return true, next, ferr
	case perr != nil && (!errors.Is(perr, ErrKafka) || fatalKafka(perr)), fatalKafka(err):
		// The same records would fail the same way: stop rather than loop.
		w.abortState()
		return false, nil, fmt.Errorf("window %d aborted, stopping: %w", win.seq, explain(both(perr, err)))
	case err != nil:
		// The transaction may still be open, or (after a commit request whose
		// answer was lost) committed: only a new session can tell, and clear it.
		lost := &sessionLost{win: win, res: res, filled: filled, err: both(perr, err)}
		if perr == nil {
			lost.probe = res.probe
		}
		return false, nil, lost
	case ferr != nil:
		w.abortState()
		return false, nil, ferr
	}
	w.abortState()
	why := "the group rebalanced, or Kafka refused the offsets' commit"
	if perr != nil {
		why = perr.Error()
	}
	w.log.Warn("window aborted; its records will be consumed again", "window", win.seq, "records", len(win.slots), "error", why)
	return false, nil, nil
}

// publishAhead publishes win and, meanwhile, polls the next window into the
// stage goroutines: the next window's decoding and detection run beside this
// one's privacy models, encoding, sealing and producing, instead of a core
// idling while the other works. Polling stops when publishing ends (End may
// not run concurrently with a poll) and goes on after End, in the next
// runWindow. ferr is the next window's polling error.
func (w *Worker) publishAhead(ctx, pctx context.Context, sess *kgo.GroupTransactSession, win *window) (res *published, perr error, next *window, ferr error) {
	if !w.overlaps(win) {
		res, perr = w.publish(pctx, sess, win)
		return res, perr, nil, nil
	}
	fctx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer stop()
		res, perr = w.publish(pctx, sess, win)
	}()
	next = w.newWindow()
	next.ahead = true
	ferr = w.fill(fctx, sess, next)
	<-done
	return res, perr, next, ferr
}

// overlaps reports whether the next window may be polled while win
// publishes: not in a bounded run whose ends win reached.
func (w *Worker) overlaps(win *window) bool {
	return !w.atEnds(win)
}

func (w *Worker) newWindow() *window {
	return newWindow(w.cfg.Window.MaxRecords, w.rebalances.Load())
}

// assigned is a copy of Worker.assignedAt, taken as a poll returns: the
// assignment its records were fetched under, even if a rebalance comes
// while they are handed to the stages (which may block: backpressure).
func (w *Worker) assigned() map[topicPartition]uint64 {
	w.assignMu.Lock()
	defer w.assignMu.Unlock()
	return maps.Clone(w.assignedAt)
}

// committed keeps what a committed window changed, counts and logs it.
func (w *Worker) committed(win *window, res *published, filled time.Time) {
	w.idleSince = time.Now()
	w.commitState()
	w.inspectAll.Store(false)
	w.countCommitted(res)
	w.logWindow(win, res, time.Since(filled))
	w.reached(win)
}

// sessionLost means a window's transaction could not be ended (Kafka did not
// answer in time, or the client failed): the session's state is unknown, so
// Run replaces it. If the window asked to commit, probe is one of its records
// Kafka acknowledged: its fate, read back later, is the window's.
type sessionLost struct {
	win    *window
	res    *published
	filled time.Time
	probe  *kgo.Record // nil: the window did not commit
	err    error
}

func (e *sessionLost) Error() string {
	if len(e.win.slots) == 0 && !e.win.flush {
		return e.err.Error()
	}
	return fmt.Sprintf("ending transaction of window %d: %v", e.win.seq, e.err)
}

func (e *sessionLost) Unwrap() error { return e.err }

// fenceTimeout bounds one attempt to start a new session's producer (and to
// read back a window's outcome); attempts repeat, a second apart, until Kafka
// answers. Short, so the session resumes soon after the cluster returns.
const fenceTimeout = 10 * time.Second

// restartSession closes a session whose transaction could not be ended and
// starts another. The new producer has the same transactional id, so
// initializing it fences the old one: the broker completes the old
// transaction (aborted, or committed if its commit was already written)
// before it answers. Then the window's outcome is read back and its state
// kept or forgotten. While Kafka does not answer this waits, retrying; only
// an error no retry clears, or ctx ending, stops it.
func (w *Worker) restartSession(ctx context.Context, old *kgo.GroupTransactSession, opts []kgo.Opt, lost *sessionLost) (*kgo.GroupTransactSession, error) {
	reason := error(fmt.Errorf("replacing the Kafka session: %w", lost))
	w.reconnecting.Store(&reason)
	defer w.reconnecting.Store(nil)
	w.ready.Store(false)
	w.metrics.SessionRestarts.Inc()
	w.health.failed(lost.err)
	w.log.Warn("could not end a transaction; replacing the Kafka session (the new one fences the old transaction, "+
		"then the window's outcome is read back); this waits for Kafka", "window", lost.win.seq, "error", lost.Error())
	old.Close() // before the new client: its metrics hooks register the same series
	sess, err := kgo.NewGroupTransactSession(opts...)
	if err != nil {
		return nil, fmt.Errorf("restarting transactional consumer: %w", err)
	}
	// After SIGTERM the wait goes on for ops.drain_timeout: if Kafka answers
	// within it, the window is settled and Run publishes the stop event.
	wctx := ctx
	for {
		if ctx.Err() != nil && wctx == ctx {
			var stop context.CancelFunc
			wctx, stop = context.WithTimeout(context.WithoutCancel(ctx), w.cfg.DrainTimeout)
			defer stop()
			w.log.Warn("stopping; waiting at most ops.drain_timeout for Kafka to settle the window, then the stop event is published",
				"window", lost.win.seq, "drain_timeout", w.cfg.DrainTimeout.String())
		}
		fctx, cancel := context.WithTimeout(wctx, fenceTimeout)
		_, _, err := sess.Client().ProducerID(fctx)
		if err == nil {
			err = w.settle(fctx, lost)
		}
		cancel()
		switch {
		case err == nil:
			w.log.Info("Kafka session replaced; resuming", "window", lost.win.seq)
			return sess, nil
		case fatalKafka(err):
			sess.Close()
			return nil, fmt.Errorf("replacing the Kafka session after window %d: %w", lost.win.seq, explain(err))
		case wctx.Err() != nil && wctx != ctx: // SIGTERM during an attempt: the next one waits the drain timeout
			// Nothing may be published while the outcome is unknown (the audit
			// log would fork), and Kafka, where the log lives, does not answer:
			// the next start reads the state back from the topics.
			sess.Close()
			return nil, fmt.Errorf("stopped while replacing the Kafka session: Kafka did not answer within ops.drain_timeout, "+
				"so the stop event is not in the audit log (the next start settles window %d from the topics): %w", lost.win.seq, lost)
		}
		w.health.failed(err)
		select {
		case <-wctx.Done():
		case <-time.After(time.Second):
		}
	}
}

// settle learns from its probe whether a window whose End failed committed,
// and keeps or forgets what it changed accordingly.
func (w *Worker) settle(ctx context.Context, lost *sessionLost) error {
	if len(lost.win.slots) == 0 && !lost.win.flush {
		return nil // nothing began: records were polled, then the session failed
	}
	if p := lost.probe; p != nil {
		committed, err := kafkaconn.Committed(ctx, w.conn, p.Topic, p.Partition, p.Offset)
		if err != nil {
			return fmt.Errorf("reading back whether window %d committed: %w", lost.win.seq, err)
		}
		if committed {
			w.log.Info("the window had committed before its session failed", "window", lost.win.seq)
			w.committed(lost.win, lost.res, lost.filled)
			if w.numbers != nil {
				// What a window polled ahead, then dropped, numbered (runWindow
				// forgets it the same way after a commit End reported).
				w.numbers.Abort()
			}
			return nil
		}
	}
	w.abortState()
	w.log.Warn("window aborted; its records will be consumed again", "window", lost.win.seq,
		"records", len(lost.win.slots), "error", lost.err.Error())
	return nil
}

// commitState keeps what a committed window changed in the state that follows
// the transactions: the audit log, the DP ledger, the placeholder numbering.
func (w *Worker) commitState() {
	w.auditor.Commit()
	if w.dp != nil {
		w.dp.Commit()
	}
	if w.numbers != nil {
		w.numbers.Commit()
	}
	if w.carry != nil {
		w.carry.Commit()
	}
}

// abortState forgets what an aborted window changed in that state, and counts the abort.
func (w *Worker) abortState() {
	w.auditor.Abort()
	if w.dp != nil {
		w.dp.Abort()
	}
	if w.numbers != nil {
		w.numbers.Abort()
	}
	if w.carry != nil {
		w.carry.Abort()
	}
	w.metrics.Windows.WithLabelValues("aborted").Inc()
}

// abortStale aborts a window during which the group assigned partitions to
// this worker: its records were numbered with state that may predate what
// the partitions' previous owner committed. Its records are consumed again
// once the numbering is reloaded, at once (no backoff). The window may have
// been polled ahead of the last one to commit, whose End then took its first
// records as committed and now rewinds past them: rewind puts them back.
func (w *Worker) abortStale(ctx context.Context, sess *kgo.GroupTransactSession, win *window) (bool, error) {
	pctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), w.cfg.DrainTimeout)
	defer cancel()
	committed, err := sess.End(pctx, kgo.TryAbort)
	w.abortState()
	if err != nil || committed {
		return false, fmt.Errorf("aborting window %d to reload the placeholder numbering: %w", win.seq, err)
	}
	w.rewind(sess.Client(), win)
	w.log.Info("partitions assigned during the window; aborted it to reload the placeholder numbering first",
		"window", win.seq, "records", len(win.slots))
	return true, nil
}

// restoreNumbering rebuilds the numbering from its topic, read_committed to
// the end offsets measured now: every table a previous owner committed before
// this worker got its partitions is there.
func (w *Worker) restoreNumbering(ctx context.Context) error {
	w.reload.Store(false) // an assignment from now on asks again
	start := time.Now()
	w.numbers.Reset()
	n := 0
	err := kafkaconn.ReadEach(ctx, w.conn, w.cfg.Topics.Placeholders, func(r *kgo.Record) error {
		n++
		if err := w.numbers.Restore(r.Key, r.Value); err != nil {
			return fmt.Errorf("record %s/%d/%d: %w", r.Topic, r.Partition, r.Offset, err)
		}
		return nil
	})
	if err != nil {
		w.numbers.Reset()
		w.reload.Store(true) // never number with a partial state
		return fmt.Errorf("restoring placeholder numbering: %w", err)
	}
	w.metrics.StageSeconds.WithLabelValues("restore_numbering").Observe(time.Since(start).Seconds())
	w.log.Info("placeholder numbering restored", "topic", w.cfg.Topics.Placeholders, "records", n,
		"seconds", time.Since(start).Seconds())
	return nil
}

// reached marks, for a bounded run, the partitions a committed window took to their end.
func (w *Worker) reached(win *window) {
	for tp, next := range win.next {
		if end, ok := w.remaining[tp]; ok && next.Offset >= end {
			delete(w.remaining, tp)
		}
	}
}

// fatalHints are the Kafka errors another attempt cannot clear, each with
// what an operator must do: anything else (a broker down, a timeout, a
// rebalance, a leader moving) is retried with backoff, however long it lasts.
var fatalHints = []struct {
	err  error
	hint string
}{
	{kerr.MessageTooLarge, "a record is over the topic's max.message.bytes: raise it, or lower kafka.max_message_bytes"},
	{kerr.RecordListTooLarge, "a batch is over the broker's message.max.bytes: raise it, or lower kafka.max_message_bytes"},
	{kerr.TopicAuthorizationFailed, "the worker's principal lacks an ACL on a topic it reads or writes"},
	{kerr.GroupAuthorizationFailed, "the worker's principal lacks an ACL on the consumer group (kafka.group_id)"},
	{kerr.TransactionalIDAuthorizationFailed, "the worker's principal lacks an ACL on its transactional id (kafka.transactional_id_prefix + worker.id)"},
	{kerr.ClusterAuthorizationFailed, "the worker's principal lacks the cluster ACL transactions need (IdempotentWrite)"},
	{kerr.SaslAuthenticationFailed, "Kafka refused the SASL credentials (kafka.sasl)"},
	{kerr.ProducerFenced, "another worker runs with the same worker.id (so the same transactional id) and took over: give every worker its own id"},
	{kerr.InvalidTransactionTimeout, "kafka.transaction_timeout is over the broker's transaction.max.timeout.ms"},
}

// fatalKafka reports Kafka errors that another attempt cannot clear: they
// need an operator (a topic limit, a missing ACL, two workers with one id).
func fatalKafka(err error) bool {
	for _, f := range fatalHints {
		if errors.Is(err, f.err) {
			return true
		}
	}
	return false
}

// explain adds to an error no retry clears what the operator must do.
func explain(err error) error {
	for _, f := range fatalHints {
		if errors.Is(err, f.err) {
			return fmt.Errorf("%w (%s)", err, f.hint)
		}
	}
	return err
}

// fill polls records into win until it is full, max_wait after its first
// record, or ctx ends. It may be called again on the same window: a window
// polled ahead is filled on after the window before it ends.
func (w *Worker) fill(ctx context.Context, sess *kgo.GroupTransactSession, win *window) error {
	for !w.closed(win) && ctx.Err() == nil {
		pctx, cancel := ctx, context.CancelFunc(func() {})
		if !win.deadline.IsZero() {
			pctx, cancel = context.WithDeadline(ctx, win.deadline)
		} else if at := w.flushAt(win); !at.IsZero() {
			pctx, cancel = context.WithDeadline(ctx, at)
		}
		fs := sess.PollRecords(pctx, w.cfg.Window.MaxRecords-len(win.slots))
		cancel()
		assigned := w.assigned()
		if fs.IsClientClosed() {
			return fmt.Errorf("polling: kafka client closed")
		}
		var berr error
		fs.EachError(func(t string, p int32, err error) {
			if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
				return
			}
			if fatalKafka(err) && berr == nil {
				berr = fmt.Errorf("polling %s: %w", t, explain(err))
			}
			w.fetchFailed(t, p, err)
		})
		if berr != nil {
			return berr
		}
		w.observeLag(fs)
		fs.EachTopic(func(t kgo.FetchTopic) { w.learnTopicID(t.Topic, t.TopicID) })
		fs.EachRecord(func(r *kgo.Record) {
			// Every record taken from Kafka is noted, even one the window
			// will not hold: a window dropped after the one before it
			// committed (whose End took every record polled as committed)
			// rewinds to its first record of each partition.
			win.polled(r, assigned[topicPartition{r.Topic, r.Partition}])
			if berr != nil || win.stale {
				return // the window aborts: what is left of the fetch is consumed again
			}
			if r.Attrs.IsControl() {
				return // a transaction marker (bounded runs only), not a record
			}
			if w.numbers != nil && w.reload.Load() {
				// Never restore while another window publishes: the window polled ahead is dropped.
				if len(win.slots) > 0 || win.ahead {
					win.stale = true
					return
				}
				if err := w.restoreNumbering(ctx); err != nil {
					berr = retryable(win, err)
					return
				}
			}
			if len(win.slots) == 0 {
				win.deadline = time.Now().Add(w.cfg.Window.MaxWait)
			}
			i := win.add(r)
			win.bytes += len(r.Value)
			w.metrics.RecordsIn.WithLabelValues(r.Topic).Inc()
			win.pending.Add(1)
			// blocks when stages are busy: backpressure
			w.jobs <- job{s: &win.slots[i], wg: &win.pending, all: w.inspectAll.Load() && !win.ahead}
		})
		if berr != nil {
			return berr
		}
		if win.ahead {
			w.metrics.AheadRecords.Set(float64(len(win.slots)))
		}
	}
	return nil
}

// closed reports whether win takes no more records: full, max_wait after its
// first record, stale, (bounded run) every partition polled to its end, or
// empty while input idled long enough for the Carrier's rows to go (flush).
func (w *Worker) closed(win *window) bool {
	if at := w.flushAt(win); !at.IsZero() && !time.Now().Before(at) {
		win.flush = true
		return true
	}
	return len(win.slots) >= w.cfg.Window.MaxRecords || win.bytes >= w.cfg.Window.MaxBytes || win.stale ||
		(!win.deadline.IsZero() && !time.Now().Before(win.deadline)) || w.atEnds(win)
}

// fetchFailed logs a fetch error (the client retries it) once a minute at
// most, with the count of those not logged; none during an outage, whose own
// lines say more.
func (w *Worker) fetchFailed(topic string, partition int32, err error) {
	now := time.Now()
	w.health.failed(err)
	if w.health.unreachable(now) != nil || now.Sub(w.fetchLogged) < outageLogEvery {
		w.fetchSkipped++
		return
	}
	w.log.Warn("fetch failed; the client retries", "topic", topic, "partition", partition, "error", err.Error(),
		"not_logged_since_last", w.fetchSkipped)
	w.fetchLogged, w.fetchSkipped = now, 0
}

// retryable makes a Kafka failure before the window began a sessionLost:
// records were polled, so only a new session (starting from the committed
// offsets) takes them again. An error no retry clears stays as it is.
func retryable(win *window, err error) error {
	if fatalKafka(err) {
		return explain(err)
	}
	return &sessionLost{win: win, err: err}
}

// atEnds reports whether a bounded run has polled every remaining partition to its end.
func (w *Worker) atEnds(win *window) bool {
	if w.remaining == nil {
		return false
	}
	for tp, end := range w.remaining {
		if win.next[tp].Offset < end {
			return false
		}
	}
	return true
}

// process decodes and redacts one record into its slot. A panic in a stage
// quarantines the record instead of crashing the worker on it at every restart.
func (w *Worker) process(s *slot, all bool) {
	defer func() {
		if r := recover(); r != nil {
			s.values, s.phi, s.held, s.reason = nil, nil, nil, ReasonProcessing
			// The panic value may quote the record: log where, never what.
			w.log.Error("stage panicked; record quarantined", "topic", s.rec.Topic, "partition", s.rec.Partition, "offset", s.rec.Offset)
		}
	}()
	rec, reason := w.decoder.decode(s.rec.Value)
	if reason != "" {
		s.reason = reason
		return
	}
	out, err := w.redactor.Process(rec)
	releaseObject(rec) // the Redactor returns strings, and keeps no reference to the map
	switch {
	case err != nil:
		s.reason = ReasonProcessing
	case out.Reject != "":
		s.reason = out.Reject
	default:
		s.values, s.phi, s.held = out.Values, out.PHI, out.Withheld
		if w.inspect(all) {
			s.inspected, s.residual = true, w.monitor.Inspect(out.Values)
		}
	}
}

// inspect decides whether the Monitor looks at the record just released.
func (w *Worker) inspect(all bool) bool {
	if w.monitor == nil {
		return false
	}
	if all {
		return true
	}
	n := uint64(w.sampling.Every)
	return n > 0 && w.sampled.Add(1)%n == 0
}

func (w *Worker) observeLag(fs kgo.Fetches) {
	lag := map[string]int64{}
	fs.EachPartition(func(p kgo.FetchTopicPartition) {
		if n := len(p.Records); n > 0 {
			lag[p.Topic] += max(0, p.HighWatermark-p.Records[n-1].Offset-1)
		}
	})
	for t, l := range lag {
		w.metrics.Lag.WithLabelValues(t).Set(float64(l))
	}
}

// lifecycle publishes lifecycle audit events in a transaction of their own.
// A rebalance aborts that transaction (workers that start together rebalance
// each other): it is published again, a second later, until ctx ends.
func (w *Worker) lifecycle(ctx context.Context, sess *kgo.GroupTransactSession, kinds ...string) error {
	kind := strings.Join(kinds, "+")
	for {
		aborted, err := w.lifecycleOnce(ctx, sess, kinds...)
		if !aborted || ctx.Err() != nil {
			return err
		}
		w.log.Info("the group rebalanced during the lifecycle event's transaction; publishing it again", "event", kind)
		select {
		case <-ctx.Done():
		case <-time.After(time.Second):
		}
	}
}

// lifecycleOnce makes one attempt; aborted reports a transaction that ended
// without an error but did not commit (a rebalance).
func (w *Worker) lifecycleOnce(ctx context.Context, sess *kgo.GroupTransactSession, kinds ...string) (aborted bool, _ error) {
	kind := strings.Join(kinds, "+")
	if err := sess.Begin(); err != nil {
		return false, fmt.Errorf("beginning %s transaction: %w", kind, err)
	}
	p := newProducer(sess)
	for _, k := range kinds {
		msgs, err := w.auditor.Lifecycle(k, nil)
		if err != nil {
			w.auditor.Abort()
			_, _ = sess.End(ctx, kgo.TryAbort)
			return false, fmt.Errorf("recording %s event: %w", k, err)
		}
		w.produceAudit(ctx, p, msgs)
	}
	perr := p.wait(ctx)
	try := kgo.TryCommit
	if perr != nil {
		try = kgo.TryAbort
	}
	committed, err := sess.End(w.committing(ctx, nil), try)
	if !committed {
		w.auditor.Abort()
		if perr == nil && err == nil {
			return true, fmt.Errorf("publishing %s event: the transaction aborted (the group rebalanced)", kind)
		}
		return false, fmt.Errorf("publishing %s event: %w", kind, explain(both(perr, err)))
	}
	w.auditor.Commit()
	return false, nil
}

// logWindow writes the one INFO line of a committed window: counts, the k the
// privacy models achieved, and how long the window took from its last record
// to its commit. Counts and codes only, never record content.
func (w *Worker) logWindow(win *window, res *published, took time.Duration) {
	attrs := []any{"window", win.seq, "records_in", res.in, "published", res.rows, "suppressed", res.suppressed,
		"quarantined", res.quarantined, "batches", len(res.batches)}
	if w.anon != nil {
		attrs = append(attrs, "k_achieved", res.achievedK)
	}
	if n := sumCounts(res.withheld); n > 0 {
		attrs = append(attrs, "values_withheld", n)
	}
	if res.refused {
		attrs = append(attrs, "dp_refused", true)
	}
	attrs = append(attrs, "duration_ms", took.Milliseconds())
	w.log.Info("window committed", attrs...)
}

func sumCounts(m map[string]int64) int64 {
	var n int64
	for _, v := range m {
		n += v
	}
	return n
}

// both joins a publish error and the error of ending the transaction after
// it on one line (errors.Join would put a newline in the log line).
func both(perr, err error) error {
	switch {
	case perr == nil:
		return err
	case err == nil:
		return perr
	}
	return fmt.Errorf("%w; then ending the transaction: %w", perr, err)
}
