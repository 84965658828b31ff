package envelope

import (
	"encoding/binary"
	"fmt"
	"math"
	"unicode/utf8"

	"github.com/deidstream/deidstream/deid"
)

// Provenance kinds.
const (
	KindResearch   = deid.KindResearch
	KindStats      = deid.KindStats
	KindQuarantine = deid.KindQuarantine
	KindFile       = deid.KindFile
)

// maxRanges bounds the range count so a header stays small.
const maxRanges = 4096

// OffsetRange is one input partition's span of offsets, both ends inclusive.
type OffsetRange = deid.OffsetRange

// Provenance says where a sealed object came from. It is encoded into the
// header and authenticated, but it is NOT encrypted: never put PHI in it.
type Provenance = deid.Provenance

func validKind(k string) bool {
	switch k {
	case KindResearch, KindStats, KindQuarantine, KindFile:
		return true
	}
	return false
}

func validateProvenance(p Provenance) error {
	if !validKind(p.Kind) {
		return fmt.Errorf("kind must be research, stats, quarantine or file: %w", ErrProvenance)
	}
	if len(p.Ranges) > maxRanges {
		return fmt.Errorf("%d offset ranges, at most %d: %w", len(p.Ranges), maxRanges, ErrProvenance)
	}
	for i, r := range p.Ranges {
		if r.Topic == "" || len(r.Topic) > math.MaxUint16 || !utf8.ValidString(r.Topic) {
			return fmt.Errorf("range %d: topic must be 1..65535 bytes of UTF-8: %w", i, ErrProvenance)
		}
		if r.Partition < 0 || r.First < 0 || r.Last < r.First {
			return fmt.Errorf("range %d: need partition >= 0 and 0 <= first <= last (got %d, %d..%d): %w",
				i, r.Partition, r.First, r.Last, ErrProvenance)
		}
	}
	for _, f := range []struct{ name, v string }{
		{"schema fingerprint", p.SchemaFingerprint}, {"batch id", p.BatchID}, {"worker id", p.WorkerID},
	} {
		if len(f.v) > math.MaxUint16 || !utf8.ValidString(f.v) {
			return fmt.Errorf("%s must be at most 65535 bytes of UTF-8: %w", f.name, ErrProvenance)
		}
	}
	return nil
}

// appendProvenance appends the canonical encoding (docs/envelope.md §Provenance).
func appendProvenance(b []byte, p Provenance) ([]byte, error) {
	if err := validateProvenance(p); err != nil {
		return nil, fmt.Errorf("encoding provenance: %w", err)
	}
	b = binary.BigEndian.AppendUint16(b, uint16(len(p.Ranges)))
	for _, r := range p.Ranges {
		b = appendString(b, r.Topic)
		b = binary.BigEndian.AppendUint32(b, uint32(r.Partition))
		b = binary.BigEndian.AppendUint64(b, uint64(r.First))
		b = binary.BigEndian.AppendUint64(b, uint64(r.Last))
	}
	b = appendString(b, p.SchemaFingerprint)
	b = appendString(b, p.BatchID)
	b = appendString(b, p.WorkerID)
	b = appendString(b, p.Kind)
	return b, nil
}

func appendString(b []byte, s string) []byte {
	b = binary.BigEndian.AppendUint16(b, uint16(len(s)))
	return append(b, s...)
}

// parseProvenance decodes exactly b; anything the encoder would not produce is ErrFormat.
func parseProvenance(b []byte) (Provenance, error) {
	var p Provenance
	d := decoder{b: b}
	n := d.u16()
	if n > maxRanges {
		return p, fmt.Errorf("parsing provenance: %d offset ranges, at most %d: %w", n, maxRanges, ErrFormat)
	}
	if n > 0 {
		p.Ranges = make([]OffsetRange, 0, min(int(n), len(b)/22))
	}
	for range n {
		var r OffsetRange
		r.Topic = d.str()
		r.Partition = int32(d.u32())
		r.First = int64(d.u64())
		r.Last = int64(d.u64())
		if d.short {
			break
		}
		p.Ranges = append(p.Ranges, r)
	}
	p.SchemaFingerprint = d.str()
	p.BatchID = d.str()
	p.WorkerID = d.str()
	p.Kind = d.str()
	if d.short {
		return Provenance{}, fmt.Errorf("parsing provenance: field runs past its length: %w", ErrFormat)
	}
	if len(d.b) != 0 {
		return Provenance{}, fmt.Errorf("parsing provenance: %d bytes after the last field: %w", len(d.b), ErrFormat)
	}
	if err := validateProvenance(p); err != nil {
		return Provenance{}, fmt.Errorf("parsing provenance: %w: %w", ErrFormat, err)
	}
	return p, nil
}

// decoder reads big-endian fields; after a short read it returns zeros and sets short.
type decoder struct {
	b     []byte
	short bool
}

func (d *decoder) take(n int) []byte {
	if d.short || len(d.b) < n {
		d.short = true
		return nil
	}
	v := d.b[:n]
	d.b = d.b[n:]
	return v
}

func (d *decoder) u16() uint16 {
	if v := d.take(2); v != nil {
		return binary.BigEndian.Uint16(v)
	}
	return 0
}

func (d *decoder) u32() uint32 {
	if v := d.take(4); v != nil {
		return binary.BigEndian.Uint32(v)
	}
	return 0
}

func (d *decoder) u64() uint64 {
	if v := d.take(8); v != nil {
		return binary.BigEndian.Uint64(v)
	}
	return 0
}

func (d *decoder) str() string {
	n := d.u16()
	return string(d.take(int(n)))
}
