package app

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/deidstream/deidstream/deid"
	"github.com/deidstream/deidstream/kafkaconn"
	"github.com/deidstream/deidstream/pipeline"
	"github.com/deidstream/deidstream/privacy"
)

// The carry state in the compacted carry topic is written incrementally:
//
//   - a segment holds the rows a window newly held (their input positions and
//     values), sealed once and never rewritten: "<worker>/s/<generation>/<part>";
//   - the index names the segments still needed and, in each, the rows still
//     waiting with their delays: "<worker>/index/<part>", rewritten with every
//     window that holds rows (a few bytes per row).
//
// A segment is deleted (tombstones) once none of its rows waits, so at most
// max_delay_windows+1 segments live. A window so writes its new rows and the
// index, not every row held (the whole state, as version 1 did: its keys
// "<worker>/<part>" are still read, and replaced by the next window). Every
// value is split into parts under the record limit, each part headed by a
// magic, the value's random generation, its index and the part count; the
// sealed value is nonce || AES-256-GCM ciphertext, with the worker, the kind
// (segment or index) and the generation in the additional data.
const (
	carryMagicV1    = "DCS1" // a whole state, version 1 (read only)
	carryMagic      = "DCS2"
	carryHeaderSize = len(carryMagic) + 16 + 4 + 4
)

// stateLayout is where a committed state lies in the topic.
type stateLayout struct {
	segs  map[string]int    // segment generation (hex) -> parts
	loc   map[uint64]rowLoc // held row ID -> its segment and row number
	index int               // parts of the index
	whole int               // parts of a version 1 state, deleted by the next State
}

type rowLoc struct {
	seg string
	n   int
}

// segment is the plaintext of a segment: the output columns and rows.
type segment struct {
	Columns []string   `json:"columns"`
	Rows    []carryRow `json:"rows"`
}

type carryRow struct {
	Src    deid.OffsetRange `json:"src"`
	Delay  int              `json:"delay,omitempty"` // version 1 only (the index holds delays)
	Values []string         `json:"values"`
}

// index is the plaintext of the index: each segment needed, the rows of it
// still held as [row number, delay] pairs.
type index struct {
	Segments []indexSegment `json:"segments"`
}

type indexSegment struct {
	Gen   string   `json:"gen"`
	Parts int      `json:"parts"`
	Rows  [][2]int `json:"rows"`
}

// State seals what the last Carry changed: a segment of the rows newly held
// (one per delay: rows restored from an earlier version may differ), the
// index, and tombstones for segments no row waits in any more; every part at
// most limit bytes. Nothing held: every part is deleted. It returns nil when
// nothing was held before or after the window.
func (c *Carry) State(limit int) ([]pipeline.StateRecord, error) {
	size := limit - carryHeaderSize
	if size < 1 {
		return nil, fmt.Errorf("record limit %d bytes leaves no room for carry-over state", limit)
	}
	next := c.ws.Next()
	p := stateLayout{segs: map[string]int{}, loc: map[uint64]rowLoc{}}
	fresh := map[int][]privacy.StreamRow{}
	for _, r := range next {
		if l, ok := c.st.loc[r.ID]; ok {
			p.loc[r.ID], p.segs[l.seg] = l, c.st.segs[l.seg]
		} else {
			fresh[r.Delay] = append(fresh[r.Delay], r)
		}
	}
	var out []pipeline.StateRecord
	for _, d := range slices.Sorted(maps.Keys(fresh)) {
		seg := segment{Columns: c.cols, Rows: make([]carryRow, len(fresh[d]))}
		for i, r := range fresh[d] {
			seg.Rows[i] = carryRow{Src: c.src[r.ID], Values: r.Row}
		}
		plain, err := json.Marshal(seg)
		if err != nil {
			return nil, err
		}
		gen := newGeneration()
		parts := c.seal("segment", gen, plain, size, c.segKey(gen))
		p.segs[gen] = len(parts)
		for i, r := range fresh[d] {
			p.loc[r.ID] = rowLoc{gen, i}
		}
		out = append(out, parts...)
	}
	for _, gen := range slices.Sorted(maps.Keys(c.st.segs)) {
		if _, ok := p.segs[gen]; !ok {
			out = append(out, tombstones(c.segKey(gen), 0, c.st.segs[gen])...)
		}
	}
	out = append(out, tombstones(c.key, 0, c.st.whole)...)
	if len(next) > 0 {
		idx := index{}
		at := map[string]int{}
		for _, gen := range slices.Sorted(maps.Keys(p.segs)) {
			at[gen] = len(idx.Segments)
			idx.Segments = append(idx.Segments, indexSegment{Gen: gen, Parts: p.segs[gen]})
		}
		for _, r := range next {
			l := p.loc[r.ID]
			s := &idx.Segments[at[l.seg]]
			s.Rows = append(s.Rows, [2]int{l.n, r.Delay})
		}
		plain, err := json.Marshal(idx)
		if err != nil {
			return nil, err
		}
		parts := c.seal("index", newGeneration(), plain, size, c.indexKey)
		p.index = len(parts)
		out = append(out, parts...)
	}
	out = append(out, tombstones(c.indexKey, p.index, c.st.index)...)
	c.pending = &p
	return out, nil
}

func (c *Carry) key(part int) []byte      { return []byte(c.worker + "/" + strconv.Itoa(part)) }
func (c *Carry) indexKey(part int) []byte { return []byte(c.worker + "/index/" + strconv.Itoa(part)) }
func (c *Carry) segKey(gen string) func(int) []byte {
	return func(part int) []byte { return []byte(c.worker + "/s/" + gen + "/" + strconv.Itoa(part)) }
}

func tombstones(key func(int) []byte, from, to int) []pipeline.StateRecord {
	var out []pipeline.StateRecord
	for i := from; i < to; i++ {
		out = append(out, pipeline.StateRecord{Key: key(i)})
	}
	return out
}

// aad binds a sealed value to the worker, its kind and its generation
// (version 1: no kind).
func (c *Carry) aad(kind string, gen []byte) []byte {
	if kind == "" {
		return slices.Concat([]byte("deidstream carry-over state v1\x00"+c.worker+"\x00"), gen)
	}
	return slices.Concat([]byte("deidstream carry-over state v2\x00"+c.worker+"\x00"+kind+"\x00"), gen)
}

// newGeneration is a sealed value's random generation, in hex.
func newGeneration() string {
	var gen [16]byte
	rand.Read(gen[:])
	return hex.EncodeToString(gen[:])
}

// seal encrypts plain under generation gen and splits it into parts of at
// most size bytes after the header, keyed by key.
func (c *Carry) seal(kind, gen string, plain []byte, size int, key func(int) []byte) []pipeline.StateRecord {
	g, _ := hex.DecodeString(gen)
	nonce := make([]byte, c.aead.NonceSize())
	rand.Read(nonce)
	blob := c.aead.Seal(nonce, nonce, plain, c.aad(kind, g))
	n := max(1, (len(blob)+size-1)/size)
	out := make([]pipeline.StateRecord, n)
	for i := range n {
		v := make([]byte, 0, carryHeaderSize+size)
		v = append(v, carryMagic...)
		v = append(v, g...)
		v = binary.BigEndian.AppendUint32(v, uint32(i))
		v = binary.BigEndian.AppendUint32(v, uint32(n))
		v = append(v, blob[i*len(blob)/n:(i+1)*len(blob)/n]...)
		out[i] = pipeline.StateRecord{Key: key(i), Value: v}
	}
	return out
}

// unseal joins and opens the parts of a value (the last value of each key):
// its plaintext, generation and part count; nil when part 0 is absent.
func (c *Carry) unseal(last map[string][]byte, kind, magic string, key func(int) []byte) ([]byte, string, int, error) {
	if len(last[string(key(0))]) == 0 {
		return nil, "", 0, nil // never written, or deleted
	}
	var blob, gen []byte
	n := 1
	for i := 0; i < n; i++ {
		v := last[string(key(i))]
		if len(v) < carryHeaderSize || string(v[:4]) != magic {
			return nil, "", 0, fmt.Errorf("part %d of %d is missing or not a carry-over state part", i, n)
		}
		if i == 0 {
			gen, n = v[4:20], int(binary.BigEndian.Uint32(v[24:28]))
		}
		if !bytes.Equal(v[4:20], gen) || int(binary.BigEndian.Uint32(v[20:24])) != i {
			return nil, "", 0, fmt.Errorf("part %d of %d belongs to another state (a write was not completed)", i, n)
		}
		blob = append(blob, v[carryHeaderSize:]...)
	}
	ns := c.aead.NonceSize()
	if len(blob) < ns {
		return nil, "", 0, errors.New("state shorter than its nonce")
	}
	plain, err := c.aead.Open(nil, blob[:ns], blob[ns:], c.aad(kind, gen))
	if err != nil {
		return nil, "", 0, errors.New("the state does not open with this worker's key (was redaction.secret or worker.id changed? " +
			"the rows it holds can be read only with the secret they were sealed with)")
	}
	return plain, hex.EncodeToString(gen), n, nil
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
// The next State writes every restored row into a new segment and deletes
// what was read: the rows get new IDs here, and the next window's columns
// may differ.
func (c *Carry) restore(recs []*kgo.Record) error {
	last := map[string][]byte{}
	for _, r := range recs {
		if k := string(r.Key); strings.HasPrefix(k, c.worker+"/") {
			last[k] = r.Value
		}
	}
	st, lay, err := c.open(last)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrCarryState, err)
	}
	held := make([]privacy.StreamRow, len(st.Rows))
	for i, r := range st.Rows {
		c.nextID++
		held[i] = privacy.StreamRow{ID: c.nextID, Row: r.Values, Delay: r.Delay}
		c.src[c.nextID] = r.Src
	}
	c.ws.Restore(st.Columns, held)
	c.st, c.pending, c.waiting = lay, nil, len(held)
	c.metrics.held.Set(float64(len(held)))
	return nil
}

// open reads a state, version 2 (index and segments) or 1 (whole), as the
// rows held with their delays, and where it lies in the topic.
func (c *Carry) open(last map[string][]byte) (segment, stateLayout, error) {
	lay := stateLayout{segs: map[string]int{}}
	for k, v := range last {
		if _, err := strconv.Atoi(strings.TrimPrefix(k, c.worker+"/")); err == nil && len(v) > 0 {
			lay.whole++ // version 1 parts: deleted by the next State, whichever version is read
		}
	}
	plain, _, n, err := c.unseal(last, "index", carryMagic, c.indexKey)
	if err != nil {
		return segment{}, lay, fmt.Errorf("the index: %w", err)
	}
	if plain == nil {
		for k, v := range last {
			if strings.HasPrefix(k, c.worker+"/s/") && len(v) > 0 {
				return segment{}, lay, errors.New("segments without their index (a part missing)")
			}
		}
		return c.openWhole(last, lay)
	}
	lay.index = n
	var idx index
	if err := json.Unmarshal(plain, &idx); err != nil {
		return segment{}, lay, fmt.Errorf("decoding the opened index: %w", err)
	}
	var st segment
	for _, s := range idx.Segments {
		plain, gen, n, err := c.unseal(last, "segment", carryMagic, c.segKey(s.Gen))
		switch {
		case err != nil:
			return segment{}, lay, fmt.Errorf("segment %s: %w", s.Gen, err)
		case plain == nil || gen != s.Gen || n != s.Parts:
			return segment{}, lay, fmt.Errorf("segment %s named by the index is missing or incomplete", s.Gen)
		}
		lay.segs[s.Gen] = n
		var seg segment
		if err := json.Unmarshal(plain, &seg); err != nil {
			return segment{}, lay, fmt.Errorf("decoding segment %s: %w", s.Gen, err)
		}
		if st.Columns != nil && !slices.Equal(st.Columns, seg.Columns) {
			return segment{}, lay, errors.New("segments under different output columns")
		}
		st.Columns = seg.Columns
		for _, r := range s.Rows {
			if r[0] < 0 || r[0] >= len(seg.Rows) {
				return segment{}, lay, fmt.Errorf("the index names row %d of segment %s, which has %d", r[0], s.Gen, len(seg.Rows))
			}
			row := seg.Rows[r[0]]
			row.Delay = r[1]
			st.Rows = append(st.Rows, row)
		}
	}
	return st, lay, nil
}

// openWhole reads a version 1 state: one value holding every row.
func (c *Carry) openWhole(last map[string][]byte, lay stateLayout) (segment, stateLayout, error) {
	plain, _, _, err := c.unseal(last, "", carryMagicV1, c.key)
	if err != nil || plain == nil {
		return segment{}, lay, err
	}
	var st segment
	if err := json.Unmarshal(plain, &st); err != nil {
		return segment{}, lay, fmt.Errorf("decoding the opened state: %w", err)
	}
	return st, lay, nil
}
