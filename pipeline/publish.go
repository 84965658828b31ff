package pipeline

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/deidstream/deidstream/arrowbatch"
	"github.com/deidstream/deidstream/deid"
)

// ErrKafka marks a publish failure of Kafka's (a produce or flush, or a port's
// own Kafka write: the shared DP budget ledger), which a new attempt at the
// window may not meet; any other publish error is the stages' and would recur
// on the same input, so the worker stops on it. A port wraps it with %w.
var ErrKafka = errors.New("kafka")

// published is what a window put in its transaction, counted once it commits.
type published struct {
	in, rows, suppressed, quarantined int64
	batches                           []int
	reasons                           map[string]int64
	phi                               map[string]int64
	withheld                          map[string]int64
	refused                           bool
	dp                                *deid.DPSummary // nil without a DP release
	achievedK                         int             // 0 without privacy models or released rows
	probe                             *kgo.Record     // a record of the transaction Kafka acknowledged
}

// producer collects the outcome of a transaction's asynchronous produces.
type producer struct {
	sess  *kgo.GroupTransactSession
	wg    sync.WaitGroup
	mu    sync.Mutex
	err   error
	probe *kgo.Record // the first record acknowledged
}

func newProducer(sess *kgo.GroupTransactSession) *producer { return &producer{sess: sess} }

// Produce adds r to the transaction; wait reports how it went.
func (p *producer) Produce(ctx context.Context, r *kgo.Record) {
	p.wg.Add(1)
	p.sess.Produce(ctx, r, func(r *kgo.Record, err error) {
		p.mu.Lock()
		switch {
		case err != nil && p.err == nil:
			p.err = fmt.Errorf("producing to %s: %w (%w)", r.Topic, err, ErrKafka)
		case err == nil && p.probe == nil:
			p.probe = r
		}
		p.mu.Unlock()
		p.wg.Done()
	})
}

// wait returns the first produce error once every record is acknowledged.
func (p *producer) wait(ctx context.Context) error {
	if err := p.sess.Client().Flush(ctx); err != nil {
		return fmt.Errorf("flushing produced records: %w (%w)", err, ErrKafka)
	}
	p.wg.Wait()
	return p.err
}

// dpResult is a DP release running beside the privacy models.
type dpResult struct {
	done chan struct{}
	rel  *Release
	err  error
}

func (w *Worker) startDP(columns []string, values [][]string) *dpResult {
	r := &dpResult{done: make(chan struct{})}
	go func() {
		defer close(r.done)
		start := time.Now()
		if r.rel, r.err = w.dp.Release(columns, values); r.err == nil {
			w.metrics.StageSeconds.WithLabelValues("dp").Observe(time.Since(start).Seconds())
		}
	}()
	return r
}

// wait returns the release once it is done; it may be called again.
func (r *dpResult) wait() (*Release, error) {
	<-r.done
	return r.rel, r.err
}

func header(k, v string) kgo.RecordHeader { return kgo.RecordHeader{Key: k, Value: []byte(v)} }

func newBatchID() string {
	var b [12]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// publish produces everything a window releases into the open transaction.
func (w *Worker) publish(ctx context.Context, sess *kgo.GroupTransactSession, win *window) (*published, error) {
	p := newProducer(sess)
	res := &published{in: int64(len(win.slots)), reasons: map[string]int64{}, phi: map[string]int64{}, withheld: map[string]int64{}}
	inputs := win.inputs()
	ev := &WindowEvent{Window: win.seq, Inputs: inputs, RecordsIn: res.in}

	// Split the window: released rows in order, and quarantine.
	var rows []arrowbatch.Row
	var values [][]string
	var released []*slot // the slot of each row
	for i := range win.slots {
		s := &win.slots[i]
		if s.reason != "" {
			res.quarantined++
			res.reasons[s.reason]++
			if err := w.quarantine(ctx, p, s); err != nil {
				return nil, err
			}
			continue
		}
		for t, n := range s.phi {
			res.phi[t] += int64(n)
		}
		for r, n := range s.held {
			res.withheld[r] += int64(n)
		}
		rows = append(rows, arrowbatch.Row{Topic: s.rec.Topic, Partition: s.rec.Partition, Offset: s.rec.Offset, Values: s.values})
		values = append(values, s.values)
		released = append(released, s)
	}

	columns := w.redactor.Columns()
	// The DP release charges its budget, often in a Kafka transaction of its
	// own (a round trip to the ledger): it runs beside the privacy models,
	// which read the same rows and write none of them, and is joined before
	// record noise writes them. Every return waits for it.
	var dp *dpResult
	if w.dp != nil && len(values) > 0 {
		dp = w.startDP(columns, values)
		defer dp.wait()
	}

	if w.carry != nil {
		var err error
		if rows, released, err = w.carryWindow(ctx, p, win, rows, released, res, ev); err != nil {
			return nil, err
		}
	} else if w.anon != nil && len(values) > 0 {
		start := time.Now()
		an, err := w.anon.Anonymize(columns, values)
		if err != nil {
			return nil, fmt.Errorf("anonymizing window %d: %w", win.seq, err)
		}
		if len(an.Rows) != len(rows) || len(an.Suppressed) != len(rows) {
			return nil, fmt.Errorf("anonymizing window %d: %d rows in, %d rows and %d suppression flags out",
				win.seq, len(rows), len(an.Rows), len(an.Suppressed))
		}
		w.metrics.StageSeconds.WithLabelValues("privacy").Observe(time.Since(start).Seconds())
		kept, keptSlots := rows[:0], released[:0]
		for i := range rows {
			if an.Suppressed[i] {
				res.suppressed++
				continue
			}
			rows[i].Values = an.Rows[i]
			kept, keptSlots = append(kept, rows[i]), append(keptSlots, released[i])
		}
		rows, released = kept, keptSlots
		ev.Privacy = &an.Achieved
		res.achievedK = an.Achieved.AchievedK
	}
	if dp != nil {
		rel, err := dp.wait()
		if err != nil {
			return nil, fmt.Errorf("releasing DP statistics of window %d: %w", win.seq, err)
		}
		ev.DP, res.dp = &rel.Summary, &rel.Summary
		res.refused = rel.Summary.Refused
		if !rel.Summary.Refused {
			id := newBatchID()
			sealed, err := w.sealer.Seal(rel.Stats, deid.Provenance{Kind: deid.KindStats, Ranges: inputs, BatchID: id, WorkerID: w.cfg.WorkerID})
			if err != nil {
				return nil, fmt.Errorf("sealing DP statistics: %w: %w", ErrSealing, err)
			}
			w.out.Stats.Write(ctx, p, Message{Key: []byte(w.cfg.WorkerID), Value: sealed,
				Headers: []kgo.RecordHeader{header(deid.HeaderBatch, id)}})
			if rel.Ledger != nil { // nil: the Releaser wrote its ledger itself
				w.out.Budget.Write(ctx, p, Message{Key: []byte(rel.Summary.Dataset), Value: rel.Ledger})
			}
		}
	}
	res.rows = int64(len(rows))
	if w.dp != nil && len(rows) > 0 {
		released := make([][]string, len(rows))
		for i := range rows {
			released[i] = rows[i].Values
		}
		if err := w.dp.Perturb(columns, released); err != nil {
			return nil, fmt.Errorf("adding record noise to window %d: %w", win.seq, err)
		}
	}

	if w.monitor != nil {
		ev.Residual = w.residual(released)
		if err := w.actOnResidual(win.seq, ev.Residual); err != nil {
			return nil, err
		}
	}

	if w.out.Escrow != nil {
		for i, s := range released {
			r := s.rec
			src := deid.OffsetRange{Topic: r.Topic, Partition: r.Partition, First: r.Offset, Last: r.Offset}
			if err := w.out.Escrow.Escrow(ctx, p, src, r.Value, rows[i].Values); err != nil {
				return nil, fmt.Errorf("escrowing %s/%d/%d of window %d: %w", r.Topic, r.Partition, r.Offset, win.seq, err)
			}
		}
	}

	start := time.Now()
	chunks, err := w.schema.EncodeChunks(rows, w.maxValue, func(plain []byte, rs []arrowbatch.Row) (string, []byte, error) {
		id := newBatchID()
		ranges := rowRanges(rs)
		if w.carry != nil {
			ranges = inputs // rows name no source with carry-over: the window's inputs
		}
		sealed, err := w.sealer.Seal(plain, deid.Provenance{Kind: deid.KindResearch, Ranges: ranges, SchemaFingerprint: w.schema.Fingerprint,
			BatchID: id, WorkerID: w.cfg.WorkerID})
		if err != nil {
			err = fmt.Errorf("%w: %w", ErrSealing, err)
		}
		return id, sealed, err
	})
	if err != nil {
		return nil, fmt.Errorf("encoding research batches of window %d: %w", win.seq, err)
	}
	w.metrics.StageSeconds.WithLabelValues("encode_seal").Observe(time.Since(start).Seconds())
	for _, c := range chunks {
		id := c.ID // the same id is in the sealed provenance
		ev.BatchIDs = append(ev.BatchIDs, id)
		res.batches = append(res.batches, len(c.Rows))
		// Every batch of this worker goes to one partition, so batches stay in window order.
		w.out.Research.Write(ctx, p, Message{Key: []byte(w.cfg.WorkerID), Value: c.Sealed,
			Headers: []kgo.RecordHeader{header(deid.HeaderBatch, id),
				header(deid.HeaderSchema, w.schema.Fingerprint), header(deid.HeaderRows, strconv.Itoa(len(c.Rows)))}})
	}

	if w.numbers != nil {
		for _, r := range win.tables {
			if len(r.Value) > w.maxValue {
				return nil, fmt.Errorf("publishing placeholder numbering of window %d: a table of %d bytes is over the %d-byte record limit (lower redaction.numbering.max_values)",
					win.seq, len(r.Value), w.maxValue)
			}
			w.out.Placeholders.Write(ctx, p, Message{Key: r.Key, Value: r.Value})
		}
	}

	ev.Published, ev.Suppressed, ev.Quarantined = res.rows, res.suppressed, res.quarantined
	ev.QuarantineReasons, ev.PHICounts, ev.WithheldValues = res.reasons, res.phi, res.withheld
	ev.KeyIDs = slices.Concat(w.sealer.KeyIDs(deid.KindResearch), w.sealer.KeyIDs(deid.KindQuarantine))
	want, out := res.in, res.rows+res.suppressed+res.quarantined
	if c := ev.Carry; c != nil {
		want, out = want+c.In, out+c.Out
	}
	if out != want {
		return nil, fmt.Errorf("accounting window %d: %d in (carried in included) but %d published + suppressed + quarantined (+ carried out)", win.seq, want, out)
	}
	msgs, err := w.auditor.Window(ev)
	if err != nil {
		return nil, fmt.Errorf("recording audit event of window %d: %w", win.seq, err)
	}
	w.produceAudit(ctx, p, msgs)
	if res.refused {
		msgs, err := w.auditor.Lifecycle("budget_refused", map[string]string{"dataset": ev.DP.Dataset})
		if err != nil {
			return nil, fmt.Errorf("recording budget refusal: %w", err)
		}
		w.produceAudit(ctx, p, msgs)
	}
	start = time.Now()
	if err := p.wait(ctx); err != nil {
		return nil, err
	}
	w.metrics.StageSeconds.WithLabelValues("produce").Observe(time.Since(start).Seconds())
	res.probe = p.probe
	return res, nil
}

// quarantine seals one bad record to the quarantine recipients. A record too
// large for one Kafka record once sealed is split into parts, never truncated.
func (w *Worker) quarantine(ctx context.Context, p *producer, s *slot) error {
	r := s.rec
	src := fmt.Sprintf("%s/%d/%d", r.Topic, r.Partition, r.Offset)
	prov := deid.Provenance{Kind: deid.KindQuarantine, Ranges: []deid.OffsetRange{{Topic: r.Topic, Partition: r.Partition, First: r.Offset, Last: r.Offset}}, WorkerID: w.cfg.WorkerID}
	part := w.maxValue - 64<<10 // room for the envelope header and segment tags
	n := max(1, (len(r.Value)+part-1)/part)
	for i := range n {
		prov.BatchID = newBatchID()
		sealed, err := w.sealer.Seal(r.Value[i*len(r.Value)/n:(i+1)*len(r.Value)/n], prov)
		if err != nil {
			return fmt.Errorf("sealing quarantined record %s: %w: %w", src, ErrSealing, err)
		}
		w.out.Quarantine.Write(ctx, p, Message{Key: []byte(w.cfg.WorkerID), Value: sealed,
			Headers: []kgo.RecordHeader{header(deid.HeaderReason, s.reason),
				header(deid.HeaderSource, src), header(deid.HeaderBatch, prov.BatchID), header(deid.HeaderPart, fmt.Sprintf("%d/%d", i+1, n))}})
	}
	return nil
}

func (w *Worker) produceAudit(ctx context.Context, p *producer, msgs []AuditMessage) {
	for _, m := range msgs {
		w.out.Audit.Write(ctx, p, Message{Key: []byte(w.cfg.WorkerID), Value: m.Value,
			Headers: []kgo.RecordHeader{header(deid.HeaderAuditKind, m.Kind)}})
	}
}

// rowRanges lists the offset ranges a batch's rows cover (rows are in poll order).
func rowRanges(rows []arrowbatch.Row) []deid.OffsetRange {
	var out []deid.OffsetRange
	idx := map[topicPartition]int{}
	for _, r := range rows {
		tp := topicPartition{r.Topic, r.Partition}
		if i, ok := idx[tp]; ok {
			out[i].Last = r.Offset
			continue
		}
		idx[tp] = len(out)
		out = append(out, deid.OffsetRange{Topic: r.Topic, Partition: r.Partition, First: r.Offset, Last: r.Offset})
	}
	return out
}

func (w *Worker) countCommitted(res *published) {
	m := w.metrics
	m.Windows.WithLabelValues("committed").Inc()
	m.WindowRecords.Observe(float64(res.in))
	m.Published.Add(float64(res.rows))
	m.Suppressed.Add(float64(res.suppressed))
	for r, n := range res.reasons {
		m.Quarantined.WithLabelValues(reasonClass(r)).Add(float64(n))
	}
	for t, n := range res.phi {
		m.PHI.WithLabelValues(t).Add(float64(n))
	}
	for r, n := range res.withheld {
		m.Withheld.WithLabelValues(reasonClass(r)).Add(float64(n))
	}
	for _, n := range res.batches {
		m.BatchRows.Observe(float64(n))
	}
	if res.refused {
		m.DPRefusals.Inc()
	}
	if d := res.dp; d != nil && d.Budget > 0 {
		m.DPRemaining.WithLabelValues(d.Dataset).Set(d.Remaining / d.Budget)
	}
	if res.achievedK > 0 {
		m.KAchieved.Set(float64(res.achievedK))
	}
	m.LastCommit.SetToCurrentTime()
}

// residual sums what the Monitor found in the released rows it inspected,
// and counts it in the metrics at once: a window halted for it counts too.
func (w *Worker) residual(released []*slot) *deid.ResidualSummary {
	sum := &deid.ResidualSummary{Findings: map[string]int64{}}
	for _, s := range released {
		if !s.inspected {
			continue
		}
		sum.Inspected++
		for t, n := range s.residual {
			if t == deid.ResidualCanary {
				sum.Canaries += int64(n)
			} else {
				sum.Findings[t] += int64(n)
			}
		}
	}
	m := w.metrics
	m.ResidualInspected.Add(float64(sum.Inspected))
	m.CanaryHits.Add(float64(sum.Canaries))
	for t, n := range sum.Findings {
		m.ResidualFindings.WithLabelValues(t).Add(float64(n))
	}
	return sum
}

// actOnResidual warns of a canary or of findings above the tolerance, or
// with Sampling.Halt stops the window. Types and counts only, never content.
func (w *Worker) actOnResidual(seq uint64, sum *deid.ResidualSummary) error {
	var n int64
	for _, c := range sum.Findings {
		n += c
	}
	if sum.Canaries == 0 && float64(n) <= w.sampling.Tolerance*float64(sum.Inspected) {
		return nil
	}
	found := make([]string, 0, len(sum.Findings)+1)
	if sum.Canaries > 0 {
		found = append(found, fmt.Sprintf("%s=%d", deid.ResidualCanary, sum.Canaries))
	}
	for _, t := range slices.Sorted(maps.Keys(sum.Findings)) {
		found = append(found, fmt.Sprintf("%s=%d", t, sum.Findings[t]))
	}
	if w.sampling.Halt {
		return fmt.Errorf("inspecting window %d: %w (%s in %d inspected records; monitor.action is halt: the window is aborted and nothing of it released; "+
			"find the cause (a detector or policy gap, a canary in the input) before restarting)", seq, ErrResidualPHI, strings.Join(found, " "), sum.Inspected)
	}
	w.log.Warn("residual PHI in released rows (monitor.action: alert)", "window", seq,
		"found", strings.Join(found, " "), "inspected", sum.Inspected)
	return nil
}
