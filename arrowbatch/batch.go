// Package arrowbatch turns a window's released rows into Arrow IPC streams
// sized, once sealed, for Kafka records.
package arrowbatch

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"runtime"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// ErrRowTooLarge means one row alone does not fit in a Kafka record once sealed.
var ErrRowTooLarge = errors.New("a single row exceeds the maximum message size")

// Provenance columns lead every research batch, so readers can order rows by
// input position and check that no input offset appears twice.
const (
	ColTopic     = "_source_topic"
	ColPartition = "_source_partition"
	ColOffset    = "_source_offset"
)

// Row is one released record: where it came from and its column values.
type Row struct {
	Topic     string
	Partition int32
	Offset    int64
	Values    []string
}

// Schema is the research batch schema derived from the configured output columns.
type Schema struct {
	arrow       *arrow.Schema
	Fingerprint string            // hex SHA-256 of the column list, bound into each envelope
	schemaMsg   []byte            // the stream's schema message, which opens every batch
	writers     chan *batchWriter // idle writers; not a sync.Pool, which every GC empties
	mem         recycler
}

// batchWriter keeps one ipc.Writer, and with it its zstd encoder, across
// batches: a new zstd encoder allocates and clears a 16 MB window on its
// first block, which was a sixth of the skeleton worker's CPU. The writer
// writes the schema message once, so Encode puts it before every later batch:
// each batch stays a whole stream (schema, one record batch, end marker).
type batchWriter struct {
	w       *ipc.Writer
	out     *bytes.Buffer
	started bool // the writer wrote the schema message
}

func (b *batchWriter) Start() error { return nil }
func (b *batchWriter) Close() error { return nil }
func (b *batchWriter) WritePayload(p ipc.Payload) error {
	_, err := p.WritePayload(b.out)
	return err
}

// endOfStream is the Arrow IPC stream's end marker.
var endOfStream = []byte{0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0}

// NewSchema makes the schema: the three provenance columns, then one UTF-8 column
// per output column (generalized values such as "30-39" are strings).
func NewSchema(columns []string) *Schema {
	fields := []arrow.Field{
		{Name: ColTopic, Type: arrow.BinaryTypes.String},
		{Name: ColPartition, Type: arrow.PrimitiveTypes.Int32},
		{Name: ColOffset, Type: arrow.PrimitiveTypes.Int64},
	}
	h := sha256.New()
	for _, c := range columns {
		fields = append(fields, arrow.Field{Name: c, Type: arrow.BinaryTypes.String, Nullable: true})
		fmt.Fprintf(h, "%d:%s;", len(c), c)
	}
	s := &Schema{arrow: arrow.NewSchema(fields, nil), Fingerprint: hex.EncodeToString(h.Sum(nil)),
		writers: make(chan *batchWriter, runtime.GOMAXPROCS(0))}
	var msg bytes.Buffer
	p := ipc.GetSchemaPayload(s.arrow, memory.DefaultAllocator)
	defer p.Release()
	if _, err := p.WritePayload(&msg); err != nil {
		panic(fmt.Sprintf("arrowbatch: writing the schema message to memory: %v", err)) // bytes.Buffer does not fail
	}
	s.schemaMsg = msg.Bytes()
	return s
}

// Encode writes rows as one zstd-compressed Arrow IPC stream.
func (s *Schema) Encode(rows []Row) ([]byte, error) {
	mem := &s.mem
	b := array.NewRecordBuilder(mem, s.arrow)
	defer b.Release()
	b.Reserve(len(rows))
	topics := b.Field(0).(*array.StringBuilder)
	parts := b.Field(1).(*array.Int32Builder)
	offs := b.Field(2).(*array.Int64Builder)
	nval := len(s.arrow.Fields()) - 3
	vals := make([]*array.StringBuilder, nval)
	for i := range vals {
		vals[i] = b.Field(i + 3).(*array.StringBuilder)
	}
	// Reserve each column's bytes once: growing a builder copies what it holds.
	sizes := make([]int, nval+1)
	for _, r := range rows {
		if len(r.Values) != nval {
			return nil, fmt.Errorf("encoding arrow batch: row has %d values, schema has %d columns", len(r.Values), nval)
		}
		sizes[nval] += len(r.Topic)
		for i, v := range r.Values {
			sizes[i] += len(v)
		}
	}
	topics.ReserveData(sizes[nval])
	for i, n := range sizes[:nval] {
		vals[i].ReserveData(n)
	}
	for _, r := range rows {
		topics.Append(r.Topic)
		parts.Append(r.Partition)
		offs.Append(r.Offset)
		for i, v := range r.Values {
			vals[i].Append(v)
		}
	}
	rec := b.NewRecordBatch()
	defer rec.Release()
	var bw *batchWriter
	select {
	case bw = <-s.writers:
	default:
		bw = &batchWriter{}
		bw.w = ipc.NewWriterWithPayloadWriter(bw, ipc.WithSchema(s.arrow), ipc.WithAllocator(mem), ipc.WithZstd())
	}
	bw.out = &bytes.Buffer{}
	if bw.started {
		bw.out.Write(s.schemaMsg)
	}
	if err := bw.w.Write(rec); err != nil {
		return nil, fmt.Errorf("encoding arrow batch: %w", err) // the writer keeps its error: not pooled
	}
	if !bw.started && !bytes.HasPrefix(bw.out.Bytes(), s.schemaMsg) {
		return nil, errors.New("encoding arrow batch: the IPC writer's schema message differs from the one Encode repeats")
	}
	bw.started = true
	bw.out.Write(endOfStream)
	out := bw.out.Bytes()
	bw.out = nil
	select {
	case s.writers <- bw:
	default: // as many idle as encoding goroutines run at once
	}
	return out, nil
}

// Chunk is one sealed batch, the id its sealer gave it, and the rows it holds.
type Chunk struct {
	ID     string
	Rows   []Row
	Sealed []byte
}

// SealFunc seals one encoded chunk and returns the id bound into it.
type SealFunc func(plain []byte, rows []Row) (id string, sealed []byte, err error)

// EncodeChunks encodes and seals rows in as few chunks as fit: each sealed
// chunk is at most limit bytes. The number of chunks is estimated from a
// sample and the chunks are encoded and sealed in parallel; a chunk that
// still does not fit is split by its measured size, or halved when only the
// sealing overhead pushes it over. seal must be safe for concurrent use.
func (s *Schema) EncodeChunks(rows []Row, limit int, seal SealFunc) ([]Chunk, error) {
	if len(rows) == 0 {
		return nil, nil
	}
	const sample = 256
	parts := 1
	if len(rows) > 2*sample {
		plain, err := s.Encode(rows[:sample])
		if err != nil {
			return nil, err
		}
		parts = min(len(rows), len(plain)*len(rows)/sample*11/(limit*10)+1)
	}
	results := make([][]Chunk, parts)
	errs := make([]error, parts)
	var wg sync.WaitGroup
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	for i := range parts {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			results[i], errs[i] = s.encodeFit(rows[i*len(rows)/parts:(i+1)*len(rows)/parts], limit, seal)
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	var out []Chunk
	for _, r := range results {
		out = append(out, r...)
	}
	return out, nil
}

// encodeFit encodes and seals rows as one chunk, or splits them until each fits.
func (s *Schema) encodeFit(rows []Row, limit int, seal SealFunc) ([]Chunk, error) {
	plain, err := s.Encode(rows)
	if err != nil {
		return nil, err
	}
	if len(plain) > limit && len(rows) > 1 {
		// Too large already in plaintext: split by the measured size (10% headroom).
		return s.splitFit(rows, len(plain)*10/(limit*9)+1, limit, seal)
	}
	id, sealed, err := seal(plain, rows)
	if err != nil {
		return nil, err
	}
	if len(sealed) <= limit {
		return []Chunk{{ID: id, Rows: rows, Sealed: sealed}}, nil
	}
	if len(rows) == 1 {
		return nil, fmt.Errorf("encoding batch at %s/%d offset %d: sealed row is %d bytes, limit %d: %w",
			rows[0].Topic, rows[0].Partition, rows[0].Offset, len(sealed), limit, ErrRowTooLarge)
	}
	return s.splitFit(rows, 2, limit, seal)
}

// splitFit cuts rows into n nearly equal consecutive parts (2 to len(rows)) and fits each.
func (s *Schema) splitFit(rows []Row, n, limit int, seal SealFunc) ([]Chunk, error) {
	n = max(2, min(n, len(rows)))
	var out []Chunk
	for i := 0; i < n; i++ {
		c, err := s.encodeFit(rows[i*len(rows)/n:(i+1)*len(rows)/n], limit, seal)
		if err != nil {
			return nil, err
		}
		out = append(out, c...)
	}
	return out, nil
}

// Decode reads a research batch back into rows and its output column names:
// the demo and tests use it to check what was published.
func Decode(stream []byte) (columns []string, rows []Row, err error) {
	rd, err := ipc.NewReader(bytes.NewReader(stream))
	if err != nil {
		return nil, nil, fmt.Errorf("decoding arrow batch: %w", err)
	}
	defer rd.Release()
	fields := rd.Schema().Fields()
	if len(fields) < 3 || fields[0].Name != ColTopic || fields[1].Name != ColPartition || fields[2].Name != ColOffset {
		return nil, nil, fmt.Errorf("decoding arrow batch: not a research batch schema (first columns %v)", rd.Schema())
	}
	for _, f := range fields[3:] {
		columns = append(columns, f.Name)
	}
	for rd.Next() {
		rec := rd.RecordBatch()
		topics := rec.Column(0).(*array.String)
		parts := rec.Column(1).(*array.Int32)
		offs := rec.Column(2).(*array.Int64)
		for i := 0; i < int(rec.NumRows()); i++ {
			r := Row{Topic: topics.Value(i), Partition: parts.Value(i), Offset: offs.Value(i), Values: make([]string, len(columns))}
			for c := range columns {
				r.Values[c] = rec.Column(c + 3).(*array.String).Value(i)
			}
			rows = append(rows, r)
		}
	}
	if err := rd.Err(); err != nil {
		return nil, nil, fmt.Errorf("decoding arrow batch: %w", err)
	}
	return columns, rows, nil
}
