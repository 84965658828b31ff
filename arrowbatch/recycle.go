package arrowbatch

import (
	"math/bits"
	"sync"
	"unsafe"
)

// recycler is an arrow allocator that keeps the buffers a batch frees for the
// next one. Each batch otherwise takes fresh megabytes from the Go heap, which
// the runtime clears and the kernel faults in page by page; a reused buffer is
// cleared while still in cache. Buffers are kept by power-of-two class, at
// most maxIdle bytes in all.
type recycler struct {
	mu   sync.Mutex
	free [48][][]byte
	idle int
}

const (
	maxIdle  = 64 << 20
	minClass = 6 // 64 bytes, arrow's alignment
	align    = 64
)

// classOf is the power of two at or above size, 64 bytes at least (size 0 included).
func classOf(size int) int { return max(minClass, bits.Len(uint(max(size, 1)-1))) }

// Allocate returns size zeroed bytes, 64-byte aligned like arrow's own
// allocator; the slice's capacity names its class for Free.
func (r *recycler) Allocate(size int) []byte {
	c := classOf(size)
	if c >= len(r.free) {
		panic("arrowbatch: an arrow buffer of more than 128 TB")
	}
	r.mu.Lock()
	if n := len(r.free[c]); n > 0 {
		b := r.free[c][n-1]
		r.free[c] = r.free[c][:n-1]
		r.idle -= cap(b)
		r.mu.Unlock()
		b = b[:size]
		clear(b)
		return b
	}
	r.mu.Unlock()
	buf := make([]byte, 1<<c+align)
	shift := (align - int(uintptr(unsafe.Pointer(&buf[0]))%align)) % align
	return buf[shift : shift+size : shift+1<<c]
}

func (r *recycler) Reallocate(size int, b []byte) []byte {
	if cap(b) >= size {
		return b[:size]
	}
	nb := r.Allocate(size)
	copy(nb, b)
	r.Free(b)
	return nb
}

func (r *recycler) Free(b []byte) {
	c := classOf(cap(b))
	if cap(b) != 1<<c || c >= len(r.free) {
		return // not one of ours
	}
	r.mu.Lock()
	if r.idle+cap(b) <= maxIdle {
		r.free[c] = append(r.free[c], b[:0])
		r.idle += cap(b)
	}
	r.mu.Unlock()
}
