package envelope

import (
	"crypto/rand"
	"fmt"
	"io"
	"slices"

	"github.com/cloudflare/circl/hpke"
)

var suite = hpke.NewSuite(hpke.KEM_XWING, hpke.KDF_HKDF_SHA256, hpke.AEAD_AES256GCM)

// Option configures Seal and NewWriter.
type Option func(*sealConfig) error

type sealConfig struct {
	segmentSize int
	rand        io.Reader
}

// WithSegmentSize sets the plaintext bytes per segment (default 64 KiB,
// 1..16 MiB). Readers allocate one segment, so keep it modest.
func WithSegmentSize(n int) Option {
	return func(c *sealConfig) error {
		if n < 1 || n > MaxSegmentSize {
			return fmt.Errorf("segment size %d outside 1..%d: %w", n, MaxSegmentSize, ErrFormat)
		}
		c.segmentSize = n
		return nil
	}
}

// WithRand replaces crypto/rand as the source of the data key, salt, nonce
// prefix and KEM encapsulation seeds. FOR TEST VECTORS ONLY: a predictable
// reader makes every sealed object readable by anyone who knows it.
func WithRand(r io.Reader) Option {
	return func(c *sealConfig) error {
		c.rand = r
		return nil
	}
}

// sealer holds the header and keys of one object being sealed.
type sealer struct {
	header []byte
	seg    *segmentCipher
	size   int
}

func newSealer(prov Provenance, recipients []*PublicKey, opts []Option) (*sealer, error) {
	cfg := sealConfig{segmentSize: DefaultSegmentSize, rand: rand.Reader}
	for _, o := range opts {
		if err := o(&cfg); err != nil {
			return nil, fmt.Errorf("applying option: %w", err)
		}
	}
	if len(recipients) == 0 || len(recipients) > MaxRecipients {
		return nil, fmt.Errorf("%d recipients, want 1..%d: %w", len(recipients), MaxRecipients, ErrRecipients)
	}
	seen := make(map[[keyIDSize]byte]bool, len(recipients))
	for i, r := range recipients {
		if r == nil || r.pk == nil {
			return nil, fmt.Errorf("recipient %d is nil or not made by NewPublicKey/ParsePublicKey: %w", i, ErrRecipients)
		}
		if seen[r.id] {
			return nil, fmt.Errorf("recipient key %s listed twice: %w", r.KeyID(), ErrRecipients)
		}
		seen[r.id] = true
	}
	if err := validateProvenance(prov); err != nil {
		return nil, err
	}

	// Read order is part of the test-vector contract (docs/envelope.md).
	dataKey := make([]byte, dataKeySize)
	defer clear(dataKey)
	h := &header{segmentSize: cfg.segmentSize, prov: prov,
		salt: make([]byte, saltSize), noncePrefix: make([]byte, noncePrefixLen)}
	for _, b := range [][]byte{dataKey, h.salt, h.noncePrefix} {
		if _, err := io.ReadFull(cfg.rand, b); err != nil {
			return nil, fmt.Errorf("reading randomness: %w", err)
		}
	}
	for _, r := range recipients {
		s, err := wrapDataKey(r, dataKey, cfg.rand)
		if err != nil {
			return nil, err
		}
		h.stanzas = append(h.stanzas, s)
	}
	keys, err := deriveKeys(dataKey, h.salt)
	if err != nil {
		return nil, err
	}
	h.commitment = keys.commitment
	raw, err := marshalHeader(h)
	if err != nil {
		return nil, err
	}
	h.raw = raw
	copy(raw[len(raw)-macSize:], keys.headerMAC(raw))
	return &sealer{header: raw, seg: newSegmentCipher(keys, h), size: cfg.segmentSize}, nil
}

// wrapDataKey is HPKE base-mode single-shot Seal: enc || AES-256-GCM(dataKey), empty AAD.
func wrapDataKey(r *PublicKey, dataKey []byte, rnd io.Reader) (stanza, error) {
	snd, err := suite.NewSender(r.pk, []byte(hpkeInfo))
	if err != nil {
		return stanza{}, fmt.Errorf("wrapping data key for %s: %w", r.KeyID(), err)
	}
	enc, sl, err := snd.Setup(rnd)
	if err != nil {
		return stanza{}, fmt.Errorf("wrapping data key for %s: encapsulating: %w", r.KeyID(), err)
	}
	ct, err := sl.Seal(dataKey, nil)
	if err != nil {
		return stanza{}, fmt.Errorf("wrapping data key for %s: %w", r.KeyID(), err)
	}
	return stanza{keyID: r.id, enc: enc, wrapped: ct}, nil
}

// Seal encrypts plaintext to every recipient and binds prov into the header.
func Seal(plaintext []byte, prov Provenance, recipients []*PublicKey, opts ...Option) ([]byte, error) {
	return AppendSeal(nil, plaintext, prov, recipients, opts...)
}

// AppendSeal is Seal that appends the sealed object to dst, so a caller
// sealing many batches can reuse one buffer (allocating a fresh output costs
// about as much as encrypting it). dst and plaintext must not overlap.
func AppendSeal(dst, plaintext []byte, prov Provenance, recipients []*PublicKey, opts ...Option) ([]byte, error) {
	s, err := newSealer(prov, recipients, opts)
	if err != nil {
		return nil, fmt.Errorf("sealing: %w", err)
	}
	segs := (len(plaintext) + s.size - 1) / s.size
	if segs == 0 {
		segs = 1
	}
	out := slices.Grow(dst, len(s.header)+len(plaintext)+segs*tagSize)
	out = append(out, s.header...)
	for i := range segs {
		lo := i * s.size
		hi := min(lo+s.size, len(plaintext))
		if out, err = s.seg.seal(out, plaintext[lo:hi], uint64(i), i == segs-1); err != nil {
			return nil, fmt.Errorf("sealing: %w", err)
		}
	}
	return out, nil
}

// Writer seals a stream. It holds one segment of plaintext in memory and
// writes a segment only once it knows whether more data follows. Not safe for
// concurrent use. Close writes the final segment; without it the object is
// truncated and will not open.
type Writer struct {
	w      io.Writer
	s      *sealer
	buf    []byte
	out    []byte
	index  uint64
	err    error
	closed bool
}

// NewWriter writes the header to w and returns a Writer for the payload.
func NewWriter(w io.Writer, prov Provenance, recipients []*PublicKey, opts ...Option) (*Writer, error) {
	s, err := newSealer(prov, recipients, opts)
	if err != nil {
		return nil, fmt.Errorf("starting sealed stream: %w", err)
	}
	if _, err := w.Write(s.header); err != nil {
		return nil, fmt.Errorf("starting sealed stream: writing header: %w", err)
	}
	return &Writer{w: w, s: s, buf: make([]byte, 0, s.size), out: make([]byte, 0, s.size+tagSize)}, nil
}

func (w *Writer) Write(p []byte) (int, error) {
	if w.closed {
		return 0, fmt.Errorf("writing sealed stream: %w", io.ErrClosedPipe)
	}
	if w.err != nil {
		return 0, w.err
	}
	n := 0
	for len(p) > 0 {
		if len(w.buf) == w.s.size {
			if err := w.flush(false); err != nil {
				return n, err
			}
		}
		c := copy(w.buf[len(w.buf):w.s.size], p)
		w.buf = w.buf[:len(w.buf)+c]
		p = p[c:]
		n += c
	}
	return n, nil
}

func (w *Writer) flush(last bool) error {
	var err error
	w.out, err = w.s.seg.seal(w.out[:0], w.buf, w.index, last)
	if err == nil {
		_, err = w.w.Write(w.out)
	}
	clear(w.buf)
	w.buf = w.buf[:0]
	if err != nil {
		w.err = fmt.Errorf("writing sealed segment %d: %w", w.index, err)
		return w.err
	}
	w.index++
	return nil
}

// Close seals and writes the final segment. It does not close the underlying
// writer. Calling it again returns the first result.
func (w *Writer) Close() error {
	if w.closed {
		return w.err
	}
	w.closed = true
	if w.err != nil {
		return w.err
	}
	return w.flush(true)
}

// SealedSize is the exact length Seal produces for a plaintext of n bytes,
// so callers can size Kafka records before sealing.
func SealedSize(n int, prov Provenance, recipients int, opts ...Option) (int, error) {
	cfg := sealConfig{segmentSize: DefaultSegmentSize}
	for _, o := range opts {
		if err := o(&cfg); err != nil {
			return 0, fmt.Errorf("sizing sealed object: %w", err)
		}
	}
	enc, err := appendProvenance(nil, prov)
	if err != nil {
		return 0, fmt.Errorf("sizing sealed object: %w", err)
	}
	if n < 0 || recipients < 1 || recipients > MaxRecipients {
		return 0, fmt.Errorf("sizing sealed object: %d bytes for %d recipients: %w", n, recipients, ErrRecipients)
	}
	segs := max(1, (n+cfg.segmentSize-1)/cfg.segmentSize)
	return fixedPrefixLen + len(enc) + 2 + recipients*stanzaSize + commitSize + macSize + n + segs*tagSize, nil
}
