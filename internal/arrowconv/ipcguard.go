package arrowconv

import (
	"encoding/binary"
	"errors"

	"github.com/apache/arrow-go/v18/arrow/memory"
)

// arrow-go trusts lengths written in the stream: a schema claiming 2^32 fields,
// or a compressed buffer claiming a 100 GB uncompressed size, makes it allocate
// that much and the runtime dies with an unrecoverable out-of-memory error.
// An envelope only proves who sealed a batch, not that the batch is sane, so
// lengths are checked against the input size before arrow-go sees them.

// errImplausible is raised (as a panic, recovered by eachRecord) when a
// length in the stream cannot be true for an input of this size.
var errImplausible = errors.New("arrow stream declares a length larger than the input can hold")

const (
	// maxFieldDepth bounds nesting (and stops offset cycles from recursing forever).
	maxFieldDepth = 64
	// minAllocLimit lets small, highly compressed batches expand; beyond it an
	// allocation may be at most allocRatio times the whole input.
	minAllocLimit = 256 << 20
	allocRatio    = 64
)

// boundedAllocator refuses single allocations above limit by panicking, which
// eachRecord turns into ErrInput; the Go runtime would otherwise abort.
type boundedAllocator struct {
	memory.Allocator
	limit int
}

func newBoundedAllocator(inputLen int) *boundedAllocator {
	return &boundedAllocator{Allocator: memory.DefaultAllocator, limit: max(minAllocLimit, allocRatio*inputLen)}
}

func (a *boundedAllocator) Allocate(size int) []byte {
	if size < 0 || size > a.limit {
		panic(errImplausible)
	}
	return a.Allocator.Allocate(size)
}

func (a *boundedAllocator) Reallocate(size int, b []byte) []byte {
	if size < 0 || size > a.limit {
		panic(errImplausible)
	}
	return a.Allocator.Reallocate(size, b)
}

// checkSchemaMessages walks the stream's framing and checks every vector
// length in schema messages, the ones arrow-go sizes Go slices from. It panics
// on out-of-range offsets (recovered by the caller) and returns errImplausible
// for lengths the buffer cannot hold.
func checkSchemaMessages(b []byte) error {
	for pos := 0; pos+4 <= len(b); {
		n := binary.LittleEndian.Uint32(b[pos:])
		pos += 4
		if n == 0xFFFFFFFF { // continuation marker, then the real length
			if pos+4 > len(b) {
				return nil // truncation is arrow-go's to report
			}
			n = binary.LittleEndian.Uint32(b[pos:])
			pos += 4
		}
		if n == 0 {
			return nil // end-of-stream marker
		}
		if int64(n) > int64(len(b)-pos) {
			return errImplausible
		}
		meta := fb(b[pos : pos+int(n)])
		pos += int(n)
		msg := meta.root()
		bodyLen := meta.int64Field(msg, 3)
		if bodyLen < 0 || bodyLen > int64(len(b)-pos) {
			return errImplausible
		}
		if err := meta.checkVector(msg, 4, 4); err != nil { // custom_metadata
			return err
		}
		if meta.byteField(msg, 1) == 1 { // header_type Schema
			if schema, ok := meta.tableField(msg, 2); ok {
				if err := meta.checkSchema(schema); err != nil {
					return err
				}
			}
		}
		pos += int(bodyLen)
	}
	return nil
}

// fb reads a flatbuffer without the generated code (which is internal to
// arrow-go). Out-of-range reads panic with a Go bounds error.
type fb []byte

func (f fb) u32(at int) int   { return int(binary.LittleEndian.Uint32(f[at:])) }
func (f fb) root() int        { return f.u32(0) }
func (f fb) u16(at int) int   { return int(binary.LittleEndian.Uint16(f[at:])) }
func (f fb) vtable(t int) int { return t - int(int32(binary.LittleEndian.Uint32(f[t:]))) }

// field returns the position of slot i of table t, or 0 if absent.
func (f fb) field(t, i int) int {
	vt := f.vtable(t)
	slot := 4 + 2*i
	if slot >= f.u16(vt) {
		return 0
	}
	if off := f.u16(vt + slot); off != 0 {
		return t + off
	}
	return 0
}

func (f fb) byteField(t, i int) byte {
	if p := f.field(t, i); p != 0 {
		return f[p]
	}
	return 0
}

func (f fb) int64Field(t, i int) int64 {
	if p := f.field(t, i); p != 0 {
		return int64(binary.LittleEndian.Uint64(f[p:]))
	}
	return 0
}

func (f fb) tableField(t, i int) (int, bool) {
	if p := f.field(t, i); p != 0 {
		return p + f.u32(p), true
	}
	return 0, false
}

// vector returns the element start and length of vector slot i of table t
// after checking that length*elemSize bytes fit in the buffer.
func (f fb) vector(t, i, elemSize int) (start, n int, err error) {
	p := f.field(t, i)
	if p == 0 {
		return 0, 0, nil
	}
	v := p + f.u32(p)
	n = f.u32(v)
	if n > (len(f)-v-4)/elemSize {
		return 0, 0, errImplausible
	}
	return v + 4, n, nil
}

func (f fb) checkVector(t, i, elemSize int) error {
	_, _, err := f.vector(t, i, elemSize)
	return err
}

func (f fb) checkSchema(s int) error {
	for _, slot := range []int{2, 3} { // custom_metadata, features
		if err := f.checkVector(s, slot, 4); err != nil {
			return err
		}
	}
	visits := 0
	return f.checkFields(s, 1, 0, &visits)
}

// checkFields checks the field-table vector at slot i of table t and, below
// it, every child list, custom_metadata and union type-id vector.
func (f fb) checkFields(t, i, depth int, visits *int) error {
	start, n, err := f.vector(t, i, 4)
	if err != nil {
		return err
	}
	if depth > maxFieldDepth {
		return errImplausible
	}
	for k := range n {
		// Shared subtables could make the walk exponential; a real schema
		// has fewer fields than the buffer has bytes.
		if *visits++; *visits > len(f) {
			return errImplausible
		}
		e := start + 4*k
		field := e + f.u32(e)
		if err := f.checkVector(field, 6, 4); err != nil { // custom_metadata
			return err
		}
		if f.byteField(field, 2) == 14 { // type_type Union: typeIds vector
			if u, ok := f.tableField(field, 3); ok {
				if err := f.checkVector(u, 1, 4); err != nil {
					return err
				}
			}
		}
		if err := f.checkFields(field, 5, depth+1, visits); err != nil { // children
			return err
		}
	}
	return nil
}
