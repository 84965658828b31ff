package app

import (
	"bytes"
	"cmp"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/deidstream/deidstream/deid"
	"github.com/deidstream/deidstream/kafkaconn"
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
// carry topic, keyed "<worker id>/<part>".
type Carry struct {
	ws     *privacy.WindowStream
	aead   cipher.AEAD
	worker string
	max    int      // max_delay_windows
	cols   []string // the output columns of the last Carry
	nextID uint64
	src    map[uint64]deid.OffsetRange // input position of each row held or in the open window
	parts  int                         // parts of the committed state in the topic
	// waiting is the number of rows the committed state holds.
	waiting int
	// What the last Carry computed, kept by Commit.
	pendingParts int
	waited       []int64
	expired      int64
	metrics      carryMetrics
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
		in[i] = privacy.StreamRow{ID: c.nextID, Row: r}
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

// carryState is the plaintext of the sealed state: the output columns and the rows held.
type carryState struct {
	Columns []string   `json:"columns"`
	Rows    []carryRow `json:"rows"`
}

type carryRow struct {
	Src    deid.OffsetRange `json:"src"`
	Delay  int              `json:"delay"`
	Values []string         `json:"values"`
}

// Part values: magic, generation (random, one per state), part index and
// count, then a slice of nonce || AES-GCM ciphertext.
const (
	carryMagic      = "DCS1"
	carryHeaderSize = len(carryMagic) + 16 + 4 + 4
)

// State seals the state the last Carry computed, split into parts of at most
// limit bytes; parts a smaller state no longer needs are deleted
// (tombstones), all of them when nothing is held. It returns nil when nothing
// was held before or after the window.
func (c *Carry) State(limit int) ([]pipeline.StateRecord, error) {
	next := c.ws.Next()
	if len(next) == 0 {
		var out []pipeline.StateRecord
		for i := range c.parts {
			out = append(out, pipeline.StateRecord{Key: c.key(i)})
		}
		c.pendingParts = 0
		return out, nil
	}
	st := carryState{Columns: c.cols, Rows: make([]carryRow, len(next))}
	for i, r := range next {
		st.Rows[i] = carryRow{Src: c.src[r.ID], Delay: r.Delay, Values: r.Row}
	}
	plain, err := json.Marshal(st)
	if err != nil {
		return nil, err
	}
	var gen [16]byte
	rand.Read(gen[:])
	nonce := make([]byte, c.aead.NonceSize())
	rand.Read(nonce)
	blob := c.aead.Seal(nonce, nonce, plain, c.aad(gen[:]))
	size := limit - carryHeaderSize
	if size < 1 {
		return nil, fmt.Errorf("record limit %d bytes leaves no room for carry-over state", limit)
	}
	n := max(1, (len(blob)+size-1)/size)
	var out []pipeline.StateRecord
	for i := range n {
		v := make([]byte, 0, carryHeaderSize+size)
		v = append(v, carryMagic...)
		v = append(v, gen[:]...)
		v = binary.BigEndian.AppendUint32(v, uint32(i))
		v = binary.BigEndian.AppendUint32(v, uint32(n))
		v = append(v, blob[i*len(blob)/n:(i+1)*len(blob)/n]...)
		out = append(out, pipeline.StateRecord{Key: c.key(i), Value: v})
	}
	for i := n; i < c.parts; i++ {
		out = append(out, pipeline.StateRecord{Key: c.key(i)}) // tombstone
	}
	c.pendingParts = n
	return out, nil
}

func (c *Carry) key(part int) []byte { return []byte(c.worker + "/" + strconv.Itoa(part)) }

func (c *Carry) aad(gen []byte) []byte {
	return slices.Concat([]byte("deidstream carry-over state v1\x00"+c.worker+"\x00"), gen)
}

// Commit keeps the last window's carry, and counts it.
func (c *Carry) Commit() {
	c.ws.Commit()
	c.parts = c.pendingParts
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
	c.pendingParts, c.waited, c.expired = c.parts, nil, 0
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

// Restore reads this worker's committed state back from the carry topic
// (read_committed, after its predecessor was fenced). Rows held under other
// output columns than the next window's are suppressed by it.
func (c *Carry) Restore(ctx context.Context, conn []kgo.Opt, topic string) error {
	recs, err := kafkaconn.ReadAll(ctx, conn, topic)
	if err != nil {
		return fmt.Errorf("reading the carry-over state of worker %s from %s: %w", c.worker, topic, err)
	}
	if err := c.restore(recs); err != nil {
		return fmt.Errorf("restoring the carry-over state of worker %s from %s: %w", c.worker, topic, err)
	}
	return nil
}

// restore takes the state from the carry topic's records, in offset order.
func (c *Carry) restore(recs []*kgo.Record) error {
	last := map[string][]byte{}
	for _, r := range recs {
		if k := string(r.Key); strings.HasPrefix(k, c.worker+"/") {
			last[k] = r.Value
		}
	}
	rows, n, err := c.open(last)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrCarryState, err)
	}
	held := make([]privacy.StreamRow, len(rows.Rows))
	for i, r := range rows.Rows {
		c.nextID++
		held[i] = privacy.StreamRow{ID: c.nextID, Row: r.Values, Delay: r.Delay}
		c.src[c.nextID] = r.Src
	}
	c.ws.Restore(rows.Columns, held)
	c.parts, c.pendingParts, c.waiting = n, n, len(held)
	c.metrics.held.Set(float64(len(held)))
	return nil
}

// open joins and opens the parts of a state (the last value of each key).
func (c *Carry) open(last map[string][]byte) (carryState, int, error) {
	head := last[string(c.key(0))]
	if len(head) == 0 {
		return carryState{}, 0, nil // never written, or deleted
	}
	var blob []byte
	var gen []byte
	n := 1
	for i := 0; i < n; i++ {
		v := last[string(c.key(i))]
		if len(v) < carryHeaderSize || string(v[:4]) != carryMagic {
			return carryState{}, 0, fmt.Errorf("part %d of %d is missing or not a carry-over state part", i, n)
		}
		if i == 0 {
			gen, n = v[4:20], int(binary.BigEndian.Uint32(v[24:28]))
		}
		if !bytes.Equal(v[4:20], gen) || int(binary.BigEndian.Uint32(v[20:24])) != i {
			return carryState{}, 0, fmt.Errorf("part %d of %d belongs to another state (a write was not completed)", i, n)
		}
		blob = append(blob, v[carryHeaderSize:]...)
	}
	ns := c.aead.NonceSize()
	if len(blob) < ns {
		return carryState{}, 0, errors.New("state shorter than its nonce")
	}
	plain, err := c.aead.Open(nil, blob[:ns], blob[ns:], c.aad(gen))
	if err != nil {
		return carryState{}, 0, errors.New("the state does not open with this worker's key (was redaction.secret or worker.id changed? " +
			"the rows it holds can be read only with the secret they were sealed with)")
	}
	var st carryState
	if err := json.Unmarshal(plain, &st); err != nil {
		return carryState{}, 0, fmt.Errorf("decoding the opened state: %w", err)
	}
	return st, n, nil
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
