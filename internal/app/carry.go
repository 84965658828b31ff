package app

import (
	"cmp"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/sha256"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/deidstream/deidstream/deid"
	"github.com/deidstream/deidstream/pipeline"
	"github.com/deidstream/deidstream/privacy"
)

// ErrCarryState means the carry-over state read back from its topic could
// not be opened or is incomplete: the worker does not start, since starting
// without it would lose the rows it holds.
var ErrCarryState = errors.New("carry-over state unreadable")

// Carry adapts privacy.WindowStream to the pipeline's Carrier port. Its
// state, the rows waiting with their input positions and delays, is record
// content: it leaves the process only sealed (AES-256-GCM under a key
// derived from redaction.secret, bound to the worker id), in the compacted
// carry topic, under keys that begin "<worker id>/" (carry_state.go).
type Carry struct {
	ws     *privacy.WindowStream
	aead   cipher.AEAD
	worker string
	max    int      // max_delay_windows
	cols   []string // the output columns of the last Carry
	nextID uint64
	src    map[uint64]deid.OffsetRange // input position of each row held or in the open window
	// st is where the committed state lies in the topic (carry_state.go);
	// pending is what the last State wrote, kept by Commit.
	st      stateLayout
	pending *stateLayout
	// waiting is the number of rows the committed state holds.
	waiting int
	// What the last Carry computed, kept by Commit.
	waited  []int64
	expired int64
	metrics carryMetrics
}

type carryMetrics struct {
	waited  prometheus.Histogram
	held    prometheus.Gauge
	expired prometheus.Counter
}

func newCarry(cfg privacy.Config, secret, worker string) (*Carry, error) {
	ws, err := privacy.NewWindowStream(cfg)
	if err != nil {
		return nil, err
	}
	key, err := hkdf.Key(sha256.New, []byte(secret), nil, "deidstream carry-over state v1", 32)
	if err != nil {
		return nil, fmt.Errorf("deriving the carry-over state key: %w", err)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	buckets := make([]float64, cfg.Carry.MaxDelay+1)
	for i := range buckets {
		buckets[i] = float64(i)
	}
	return &Carry{ws: ws, aead: aead, worker: worker, max: cfg.Carry.MaxDelay, src: map[uint64]deid.OffsetRange{},
		metrics: carryMetrics{
			waited: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "deid_privacy_carry_windows_waited",
				Help:    "Windows each row waited in carry-over (privacy.carry) before it was released or suppressed; 0: released in its own window. Counted when the window commits.",
				Buckets: buckets}),
			held: prometheus.NewGauge(prometheus.GaugeOpts{Name: "deid_privacy_carried_rows",
				Help: "Rows held in carry-over for a later window (committed state)."}),
			expired: prometheus.NewCounter(prometheus.CounterOpts{Name: "deid_privacy_carry_expired_total",
				Help: "Carried rows suppressed because their delay (privacy.carry.max_delay_windows) ran out with no class to hold them."}),
		}}, nil
}

// Collectors are the carry-over's metrics: counts only, no labels.
func (c *Carry) Collectors() []prometheus.Collector {
	return []prometheus.Collector{c.metrics.waited, c.metrics.held, c.metrics.expired}
}

// Carry anonymizes the window's rows with the rows earlier windows held;
// after the last window of a bounded run none is held.
func (c *Carry) Carry(columns []string, rows [][]string, src []deid.OffsetRange, last bool) (pipeline.Carried, error) {
	c.cols = columns
	in := make([]privacy.StreamRow, len(rows))
	first := c.nextID
	for i, r := range rows {
		c.nextID++
		// A row may be held past its window: it gets its own copy, not
		// strings of the fetched batch its record was decoded from (which
		// it would keep alive). Copied here, not once held: the window's
		// rows are read meanwhile (the DP release runs beside this).
		own := make([]string, len(r))
		for j, v := range r {
			own[j] = strings.Clone(v)
		}
		in[i] = privacy.StreamRow{ID: c.nextID, Row: own}
		c.src[c.nextID] = src[i]
	}
	isNew := func(id uint64) (int, bool) { return int(id - first - 1), id > first }
	anonymize := c.ws.Window
	if last {
		anonymize = c.ws.Last
	}
	res, err := anonymize(columns, in)
	if err != nil {
		return pipeline.Carried{}, err
	}
	out := pipeline.Carried{Held: make([]bool, len(rows)), Suppressed: make([]bool, len(rows)), Achieved: res.Summary,
		Summary: deid.CarrySummary{In: int64(res.CarriedIn), Out: int64(res.CarriedOut), Max: c.max,
			Waited: make([]int64, c.max+1)}}
	var settled []deid.OffsetRange
	settle := func(r privacy.StreamRow) {
		out.Summary.Waited[min(r.Delay, c.max)]++
		if _, ok := isNew(r.ID); !ok {
			settled = append(settled, c.src[r.ID])
		}
	}
	out.Released = make([][]string, len(res.Released))
	for i, r := range res.Released {
		out.Released[i] = r.Row
		settle(r)
	}
	for _, r := range res.Suppressed {
		settle(r)
		if i, ok := isNew(r.ID); ok {
			out.Suppressed[i] = true
		} else {
			out.Summary.Expired++
		}
	}
	var held []deid.OffsetRange
	for _, r := range c.ws.Next() {
		if i, ok := isNew(r.ID); ok {
			out.Held[i] = true
			held = append(held, src[i])
		}
	}
	out.Summary.Held, out.Summary.Settled = joinRanges(held), joinRanges(settled)
	c.waited, c.expired = out.Summary.Waited, out.Summary.Expired
	return out, nil
}

// Commit keeps the last window's carry, and counts it.
func (c *Carry) Commit() {
	c.ws.Commit()
	if c.pending != nil {
		c.st, c.pending = *c.pending, nil
	}
	for d, n := range c.waited {
		for range n {
			c.metrics.waited.Observe(float64(d))
		}
	}
	c.metrics.expired.Add(float64(c.expired))
	c.waited, c.expired = nil, 0
	c.prune()
}

// Abort forgets the last window: the rows carried into it wait again.
func (c *Carry) Abort() {
	c.ws.Abort()
	c.pending, c.waited, c.expired = nil, nil, 0
	c.prune()
}

// Waiting is the number of rows the committed state holds.
func (c *Carry) Waiting() int { return c.waiting }

// prune forgets the positions of rows no longer held.
func (c *Carry) prune() {
	held := c.ws.Carried()
	keep := make(map[uint64]deid.OffsetRange, len(held))
	for _, r := range held {
		keep[r.ID] = c.src[r.ID]
	}
	c.src, c.waiting = keep, len(held)
	c.metrics.held.Set(float64(len(held)))
}

// joinRanges turns single positions into sorted ranges, consecutive offsets joined.
func joinRanges(ps []deid.OffsetRange) []deid.OffsetRange {
	slices.SortFunc(ps, func(a, b deid.OffsetRange) int {
		if c := strings.Compare(a.Topic, b.Topic); c != 0 {
			return c
		}
		if c := cmp.Compare(a.Partition, b.Partition); c != 0 {
			return c
		}
		return cmp.Compare(a.First, b.First)
	})
	var out []deid.OffsetRange
	for _, p := range ps {
		if k := len(out) - 1; k >= 0 && out[k].Topic == p.Topic && out[k].Partition == p.Partition && out[k].Last+1 == p.First {
			out[k].Last = p.Last
			continue
		}
		out = append(out, p)
	}
	return out
}
