package envelope

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"slices"
)

// unwrapDataKey finds the stanza for key and returns the data key.
func unwrapDataKey(h *header, key *PrivateKey) ([]byte, error) {
	if key == nil {
		return nil, fmt.Errorf("opening: private key is nil: %w", ErrNoMatchingKey)
	}
	for i, s := range h.stanzas {
		if s.keyID != key.pub.id {
			continue
		}
		rcv, err := suite.NewReceiver(key.sk, []byte(hpkeInfo))
		if err != nil {
			return nil, fmt.Errorf("opening stanza %d: %w", i, err)
		}
		op, err := rcv.Setup(s.enc)
		if err != nil {
			return nil, fmt.Errorf("opening stanza %d for key %s: decapsulating: %w", i, key.KeyID(), ErrNoMatchingKey)
		}
		dk, err := op.Open(s.wrapped, nil)
		if err != nil {
			return nil, fmt.Errorf("opening stanza %d for key %s: wrapped data key does not authenticate: %w", i, key.KeyID(), ErrNoMatchingKey)
		}
		return dk, nil
	}
	return nil, fmt.Errorf("opening: no stanza for key %s among %d recipients: %w", key.KeyID(), len(h.stanzas), ErrNoMatchingKey)
}

// openHeader unwraps the data key and checks commitment and header MAC.
func openHeader(h *header, key *PrivateKey) (*segmentCipher, error) {
	dk, err := unwrapDataKey(h, key)
	if err != nil {
		return nil, err
	}
	defer clear(dk)
	keys, err := deriveKeys(dk, h.salt)
	if err != nil {
		return nil, err
	}
	if err := keys.verifyHeader(h); err != nil {
		return nil, err
	}
	return newSegmentCipher(keys, h), nil
}

// Open authenticates and decrypts a whole sealed object. It returns no
// plaintext unless every check passed.
func Open(sealed []byte, key *PrivateKey) ([]byte, Provenance, error) {
	return AppendOpen(nil, sealed, key)
}

// AppendOpen is Open that appends the plaintext to dst, so a caller opening
// many batches can reuse one buffer. On failure it returns nil and wipes
// whatever it had written past len(dst).
func AppendOpen(dst, sealed []byte, key *PrivateKey) ([]byte, Provenance, error) {
	hl, err := readPrefix(sealed)
	if err != nil {
		return nil, Provenance{}, fmt.Errorf("opening envelope: %w", err)
	}
	if len(sealed) < hl {
		return nil, Provenance{}, fmt.Errorf("opening envelope: %d bytes, header alone needs %d: %w", len(sealed), hl, ErrTruncated)
	}
	h, err := parseHeader(sealed[:hl])
	if err != nil {
		return nil, Provenance{}, fmt.Errorf("opening envelope: %w", err)
	}
	sc, err := openHeader(h, key)
	if err != nil {
		return nil, Provenance{}, fmt.Errorf("opening envelope: %w", err)
	}
	pt, err := openPayload(dst, sc, h.segmentSize, sealed[hl:])
	if err != nil {
		return nil, Provenance{}, fmt.Errorf("opening envelope: %w", err)
	}
	return pt, h.prov, nil
}

// openPayload authenticates and decrypts every segment, or wipes and returns nothing.
func openPayload(dst []byte, sc *segmentCipher, segmentSize int, payload []byte) ([]byte, error) {
	full := segmentSize + tagSize
	// Segments are checked in order, so an append is reported at the segment
	// it displaced rather than as a short tail.
	out := slices.Grow(dst, max(0, len(payload)-(len(payload)+full-1)/full*tagSize))
	buf := out[len(out):] // the region this call writes, wiped on failure
	var err error
	for i, off := uint64(0), 0; ; i++ {
		n := min(full, len(payload)-off)
		final := off+n == len(payload)
		if final && n < tagSize {
			clear(buf[:cap(buf)])
			return nil, fmt.Errorf("segment %d is %d bytes, shorter than its tag: %w", i, n, ErrTruncated)
		}
		if final && n == tagSize && i > 0 {
			clear(buf[:cap(buf)])
			return nil, &SegmentError{Index: i, Reason: "empty final segment after a full one"}
		}
		if out, err = sc.open(out, payload[off:off+n], i, final); err != nil {
			clear(buf[:cap(buf)]) // wipe what earlier segments released
			return nil, err
		}
		off += n
		if final {
			return out, nil
		}
	}
}

// Reader opens a sealed stream segment by segment. It returns a segment's
// plaintext only after that segment authenticated, but earlier segments are
// released before later ones are checked: treat the data as incomplete until
// Read returns io.EOF (a truncation shows up as an error, never a clean EOF).
// Not safe for concurrent use.
type Reader struct {
	r     *bufio.Reader
	sc    *segmentCipher
	size  int
	ct    []byte
	pt    []byte // plaintext of the current segment
	off   int    // read position in pt
	index uint64
	done  bool
	err   error
}

// NewReader reads and authenticates the header (stanza, commitment, MAC).
func NewReader(r io.Reader, key *PrivateKey) (*Reader, Provenance, error) {
	var prefix [9]byte
	if n, err := io.ReadFull(r, prefix[:]); err != nil {
		if _, perr := readPrefix(prefix[:n]); perr != nil {
			return nil, Provenance{}, fmt.Errorf("opening sealed stream: %w", perr)
		}
		return nil, Provenance{}, fmt.Errorf("opening sealed stream: reading header: %w", err)
	}
	hl, err := readPrefix(prefix[:])
	if err != nil {
		return nil, Provenance{}, fmt.Errorf("opening sealed stream: %w", err)
	}
	raw := make([]byte, hl)
	copy(raw, prefix[:])
	if _, err := io.ReadFull(r, raw[9:]); err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, Provenance{}, fmt.Errorf("opening sealed stream: header ends early: %w", ErrTruncated)
		}
		return nil, Provenance{}, fmt.Errorf("opening sealed stream: reading header: %w", err)
	}
	h, err := parseHeader(raw)
	if err != nil {
		return nil, Provenance{}, fmt.Errorf("opening sealed stream: %w", err)
	}
	sc, err := openHeader(h, key)
	if err != nil {
		return nil, Provenance{}, fmt.Errorf("opening sealed stream: %w", err)
	}
	full := h.segmentSize + tagSize
	return &Reader{
		r: bufio.NewReaderSize(r, full+1), sc: sc, size: h.segmentSize,
		ct: make([]byte, full), pt: make([]byte, 0, h.segmentSize),
	}, h.prov, nil
}

func (r *Reader) Read(p []byte) (int, error) {
	for r.off == len(r.pt) {
		if r.err != nil {
			return 0, r.err
		}
		if r.done {
			return 0, io.EOF
		}
		r.err = r.next()
	}
	n := copy(p, r.pt[r.off:])
	r.off += n
	return n, nil
}

// next reads and authenticates one segment into r.pt.
func (r *Reader) next() error {
	n, err := io.ReadFull(r.r, r.ct)
	final := false
	switch {
	case err == nil:
		if _, perr := r.r.Peek(1); errors.Is(perr, io.EOF) {
			final = true
		} else if perr != nil {
			return fmt.Errorf("reading sealed segment %d: %w", r.index, perr)
		}
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		final = true
		if n < tagSize {
			return fmt.Errorf("reading sealed segment %d: %d bytes, shorter than its tag: %w", r.index, n, ErrTruncated)
		}
		if n == tagSize && r.index > 0 {
			return &SegmentError{Index: r.index, Reason: "empty final segment after a full one"}
		}
	default:
		return fmt.Errorf("reading sealed segment %d: %w", r.index, err)
	}
	pt, err := r.sc.open(r.pt[:0], r.ct[:n], r.index, final)
	if err != nil {
		return err
	}
	r.pt, r.off = pt, 0
	r.index++
	r.done = final
	return nil
}
