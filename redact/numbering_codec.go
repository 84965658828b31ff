package redact

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/deidstream/deidstream/detectors"
)

// ErrBadTable means a record of the placeholder topic is not a table this
// version can read.
var ErrBadTable = errors.New("malformed placeholder table")

// tableVersion is the first byte of an encoded table.
const tableVersion = 1

// maxTypeName bounds a type name in an encoded table (canonical types are
// short; custom detectors' types are configured names).
const maxTypeName = 64

// maxTypes bounds the distinct type names interned from the topic.
const maxTypes = 1024

// encode writes tb as:
//
//	version (1 byte)
//	uvarint T, then T times: uvarint len, type name, uvarint numbers used
//	uvarint E, then E times: uvarint type (0..T-1), uvarint number,
//	    16-byte value id, uvarint W, W 16-byte word ids
//
// Type names are PHI types ("NAME"), never content; ids are truncated HMACs.
// Entries keep their order, and W > 0 marks the names that took a new number.
func (nb *Numbering) encode(tb *table) []byte {
	local := make(map[uint16]uint64, len(tb.counts))
	size := 1 + 2*binary.MaxVarintLen32 + len(tb.entries)*(3+5+idBytes+1)
	for _, c := range tb.counts {
		size += 2 + len(nb.types[c.t]) + 5
	}
	for _, nw := range tb.names {
		size += len(nw.words) * idBytes
	}
	b := make([]byte, 0, size)
	b = append(b, tableVersion)
	b = binary.AppendUvarint(b, uint64(len(tb.counts)))
	for i, c := range tb.counts {
		local[c.t] = uint64(i)
		name := nb.types[c.t]
		b = binary.AppendUvarint(b, uint64(len(name)))
		b = append(b, name...)
		b = binary.AppendUvarint(b, uint64(c.n))
	}
	b = binary.AppendUvarint(b, uint64(len(tb.entries)))
	ni := 0
	for i, e := range tb.entries {
		b = binary.AppendUvarint(b, local[e.t])
		b = binary.AppendUvarint(b, uint64(e.n))
		b = append(b, e.v[:]...)
		var words []valueID
		if ni < len(tb.names) && tb.names[ni].entry == int32(i) {
			words = tb.names[ni].words
			ni++
		}
		b = binary.AppendUvarint(b, uint64(len(words)))
		for _, w := range words {
			b = append(b, w[:]...)
		}
	}
	return b
}

// decode reads an encoded table; it never panics on malformed input. Entries
// beyond maxValues are dropped (the cap may have been lowered since), their
// numbers stay used. Called with nb.mu held (it interns type names).
func (nb *Numbering) decode(b []byte) (*table, error) {
	d := decoder{b: b}
	if v := d.byte(); v != tableVersion {
		return nil, fmt.Errorf("version %d, want %d: %w", v, tableVersion, ErrBadTable)
	}
	nt := d.count(2) // a type takes at least 2 bytes
	tb := &table{counts: make([]typeCount, 0, nt)}
	idx := make([]uint16, nt)
	for i := range nt {
		l := d.uvarint()
		if l == 0 || l > maxTypeName {
			d.fail()
			break
		}
		name := d.bytes(int(l))
		n := d.uvarint()
		if d.err != nil {
			break
		}
		if n == 0 || n > 1<<31 {
			d.fail()
			break
		}
		if _, known := nb.typeIdx[detectors.Type(name)]; !known && len(nb.types) >= maxTypes {
			d.fail() // more distinct types than any detector set has: not a table of ours
			break
		}
		t := nb.typeIndex(detectors.Type(name))
		for _, c := range tb.counts {
			if c.t == t {
				d.fail() // the same type twice
			}
		}
		idx[i] = t
		tb.counts = append(tb.counts, typeCount{t: t, n: uint32(n)})
	}
	ne := d.count(3 + idBytes)
	tb.entries = make([]entry, 0, min(ne, nb.maxValues))
	for range ne {
		ti := d.uvarint()
		n := d.uvarint()
		v := d.bytes(idBytes)
		nw := d.uvarint()
		if d.err != nil {
			break
		}
		if ti >= uint64(nt) || n == 0 || n > uint64(tb.counts[ti].n) || nw > maxNameWords {
			d.fail()
			break
		}
		var words []valueID
		for range nw {
			words = append(words, valueID(d.bytes(idBytes)))
		}
		if d.err != nil || len(tb.entries) == nb.maxValues {
			continue
		}
		if nw > 0 {
			if nb.types[idx[ti]] != detectors.Name {
				d.fail()
				break
			}
			tb.names = append(tb.names, numberedWords{entry: int32(len(tb.entries)), words: words})
		}
		tb.entries = append(tb.entries, entry{v: valueID(v), t: idx[ti], n: uint32(n)})
	}
	if d.err == nil && len(d.b) != 0 {
		d.fail() // trailing bytes
	}
	if d.err != nil {
		return nil, d.err
	}
	return tb, nil
}

// decoder reads an encoded table; the first problem sticks in err and every
// later read returns zero values.
type decoder struct {
	b   []byte
	err error
}

func (d *decoder) fail() {
	if d.err == nil {
		d.err = fmt.Errorf("%d bytes from the end: %w", len(d.b), ErrBadTable)
	}
	d.b = nil
}

func (d *decoder) byte() byte {
	if len(d.b) == 0 {
		d.fail()
		return 0
	}
	c := d.b[0]
	d.b = d.b[1:]
	return c
}

func (d *decoder) uvarint() uint64 {
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.fail()
		return 0
	}
	d.b = d.b[n:]
	return v
}

// bytes returns the next n bytes (n is at most maxTypeName); after a failure,
// n zero bytes, so fixed-size conversions stay safe.
func (d *decoder) bytes(n int) []byte {
	if len(d.b) < n {
		d.fail()
		return make([]byte, n)
	}
	out := d.b[:n:n]
	d.b = d.b[n:]
	return out
}

// count reads a count of items of at least min bytes each, refusing one the
// remaining input cannot hold (so a forged count allocates nothing large).
func (d *decoder) count(min int) int {
	n := d.uvarint()
	if n > uint64(len(d.b)/min) {
		d.fail()
		return 0
	}
	return int(n)
}
