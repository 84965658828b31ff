package envelope

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"

	"github.com/cloudflare/circl/hpke"
	"github.com/cloudflare/circl/kem/xwing"
)

// Format constants (docs/envelope.md).
const (
	Magic   = "DSEV"
	Version = 1

	KEMXWing      = uint16(hpke.KEM_XWING)       // 0x647a
	KDFHKDFSHA256 = uint16(hpke.KDF_HKDF_SHA256) // 0x0001
	AEADAES256GCM = uint16(hpke.AEAD_AES256GCM)  // 0x0002

	DefaultSegmentSize = 64 << 10
	MaxSegmentSize     = 16 << 20
	MaxRecipients      = 64

	tagSize        = 16
	saltSize       = 32
	noncePrefixLen = 7
	dataKeySize    = 32
	encSize        = xwing.CiphertextSize  // 1120
	wrappedKeySize = dataKeySize + tagSize // 48
	stanzaSize     = keyIDSize + encSize + wrappedKeySize
	commitSize     = 32
	macSize        = 32
	fixedPrefixLen = 62      // magic .. provenance length field
	maxHeaderLen   = 1 << 20 // bounds what a reader allocates before authenticating
)

// stanza is one recipient's wrapped data key.
type stanza struct {
	keyID   [keyIDSize]byte
	enc     []byte // X-Wing ciphertext, encSize bytes
	wrapped []byte // AES-256-GCM of the data key, wrappedKeySize bytes
}

// header is a parsed header; raw is its exact bytes (hashed into segment AAD).
type header struct {
	segmentSize int
	salt        []byte
	noncePrefix []byte
	prov        Provenance
	stanzas     []stanza
	commitment  []byte
	mac         []byte
	raw         []byte
}

// Header describes a sealed object without opening it (see Inspect).
type Header struct {
	Version      int
	KEM          uint16
	KDF          uint16
	AEAD         uint16
	SegmentSize  int
	KeyIDs       []string // recipient key ids, in stanza order
	Provenance   Provenance
	HeaderLen    int   // bytes of header
	PayloadLen   int64 // bytes of sealed payload after the header
	Segments     int64
	PlaintextLen int64 // derived from PayloadLen and SegmentSize
}

// readPrefix checks magic and version and returns the declared header
// length, from the first 9 bytes. Input shorter than that is ErrTruncated if
// it could still be the start of an envelope, ErrFormat otherwise.
func readPrefix(b []byte) (int, error) {
	m := b[:min(len(b), len(Magic))]
	if string(m) != Magic[:len(m)] {
		return 0, fmt.Errorf("reading header: bad magic (not a deidstream envelope): %w", ErrFormat)
	}
	if len(b) < 9 {
		return 0, fmt.Errorf("reading header: %d bytes, the fixed prefix needs 9: %w", len(b), ErrTruncated)
	}
	if b[4] != Version {
		return 0, fmt.Errorf("reading header: format version %d, this reader knows %d: %w", b[4], Version, ErrVersion)
	}
	n := binary.BigEndian.Uint32(b[5:9])
	// Smallest header: one stanza and a provenance of kind "file" with nothing else (14 bytes).
	minLen := uint32(fixedPrefixLen + 14 + 2 + stanzaSize + commitSize + macSize)
	if n < minLen || n > maxHeaderLen {
		return 0, fmt.Errorf("reading header: declared header length %d outside %d..%d: %w", n, minLen, maxHeaderLen, ErrFormat)
	}
	return int(n), nil
}

// parseHeader parses exactly one header (len(b) == declared length).
func parseHeader(b []byte) (*header, error) {
	if _, err := readPrefix(b); err != nil {
		return nil, err
	}
	d := decoder{b: b[9:]}
	kemID, kdfID, aeadID := d.u16(), d.u16(), d.u16()
	if kemID != KEMXWing || kdfID != KDFHKDFSHA256 || aeadID != AEADAES256GCM {
		return nil, fmt.Errorf("reading header: suite kem=0x%04x kdf=0x%04x aead=0x%04x, this reader knows 0x%04x/0x%04x/0x%04x: %w",
			kemID, kdfID, aeadID, KEMXWing, KDFHKDFSHA256, AEADAES256GCM, ErrVersion)
	}
	h := &header{raw: b}
	seg := d.u32()
	if seg == 0 || seg > MaxSegmentSize {
		return nil, fmt.Errorf("reading header: segment size %d outside 1..%d: %w", seg, MaxSegmentSize, ErrFormat)
	}
	h.segmentSize = int(seg)
	h.salt = d.take(saltSize)
	h.noncePrefix = d.take(noncePrefixLen)
	provLen := d.u32()
	if d.short || uint64(provLen) > uint64(len(d.b)) {
		return nil, fmt.Errorf("reading header: provenance length %d runs past the header: %w", provLen, ErrFormat)
	}
	prov, err := parseProvenance(d.take(int(provLen)))
	if err != nil {
		return nil, fmt.Errorf("reading header: %w", err)
	}
	h.prov = prov
	n := d.u16()
	if n == 0 || n > MaxRecipients {
		return nil, fmt.Errorf("reading header: %d recipient stanzas, want 1..%d: %w", n, MaxRecipients, ErrFormat)
	}
	if want := int(n)*stanzaSize + commitSize + macSize; len(d.b) != want {
		return nil, fmt.Errorf("reading header: %d bytes left for %d stanzas, commitment and MAC, want %d: %w", len(d.b), n, want, ErrFormat)
	}
	h.stanzas = make([]stanza, n)
	for i := range h.stanzas {
		s := &h.stanzas[i]
		copy(s.keyID[:], d.take(keyIDSize))
		s.enc = d.take(encSize)
		s.wrapped = d.take(wrappedKeySize)
	}
	h.commitment = d.take(commitSize)
	h.mac = d.take(macSize)
	return h, nil
}

// marshalHeader encodes everything except the MAC, reserving its space; the
// caller fills the last macSize bytes.
func marshalHeader(h *header) ([]byte, error) {
	b := make([]byte, 0, 1024+len(h.stanzas)*stanzaSize)
	b = append(b, Magic...)
	b = append(b, Version)
	b = append(b, 0, 0, 0, 0) // header length, patched below
	b = binary.BigEndian.AppendUint16(b, KEMXWing)
	b = binary.BigEndian.AppendUint16(b, KDFHKDFSHA256)
	b = binary.BigEndian.AppendUint16(b, AEADAES256GCM)
	b = binary.BigEndian.AppendUint32(b, uint32(h.segmentSize))
	b = append(b, h.salt...)
	b = append(b, h.noncePrefix...)
	lenAt := len(b)
	b = append(b, 0, 0, 0, 0)
	b, err := appendProvenance(b, h.prov)
	if err != nil {
		return nil, err
	}
	binary.BigEndian.PutUint32(b[lenAt:], uint32(len(b)-lenAt-4))
	b = binary.BigEndian.AppendUint16(b, uint16(len(h.stanzas)))
	for _, s := range h.stanzas {
		b = append(b, s.keyID[:]...)
		b = append(b, s.enc...)
		b = append(b, s.wrapped...)
	}
	b = append(b, h.commitment...)
	b = append(b, make([]byte, macSize)...)
	if len(b) > maxHeaderLen {
		return nil, fmt.Errorf("encoding header: %d bytes, at most %d (too many offset ranges or long ids): %w", len(b), maxHeaderLen, ErrProvenance)
	}
	binary.BigEndian.PutUint32(b[5:9], uint32(len(b)))
	return b, nil
}

// segmentCount returns the number of segments and the plaintext length of a
// payload of n sealed bytes, or ErrTruncated when no valid split exists.
func segmentCount(n int64, segmentSize int) (segs, plain int64, err error) {
	full := int64(segmentSize) + tagSize
	if n < tagSize {
		return 0, 0, fmt.Errorf("payload is %d bytes, shorter than one segment tag: %w", n, ErrTruncated)
	}
	segs = (n + full - 1) / full
	last := n - (segs-1)*full
	if last < tagSize {
		return 0, 0, fmt.Errorf("final segment is %d bytes, shorter than its tag: %w", last, ErrTruncated)
	}
	return segs, n - segs*tagSize, nil
}

// Inspect reports recipients, provenance and sizes without a key. Nothing it
// returns is authenticated until Open succeeds.
func Inspect(sealed []byte) (Header, error) {
	hl, err := readPrefix(sealed)
	if err != nil {
		return Header{}, fmt.Errorf("inspecting envelope: %w", err)
	}
	if len(sealed) < hl {
		return Header{}, fmt.Errorf("inspecting envelope: %d bytes, header alone needs %d: %w", len(sealed), hl, ErrTruncated)
	}
	h, err := parseHeader(sealed[:hl])
	if err != nil {
		return Header{}, fmt.Errorf("inspecting envelope: %w", err)
	}
	out := Header{
		Version: Version, KEM: KEMXWing, KDF: KDFHKDFSHA256, AEAD: AEADAES256GCM,
		SegmentSize: h.segmentSize, Provenance: h.prov, HeaderLen: hl,
		PayloadLen: int64(len(sealed) - hl),
	}
	for _, s := range h.stanzas {
		out.KeyIDs = append(out.KeyIDs, hex.EncodeToString(s.keyID[:]))
	}
	out.Segments, out.PlaintextLen, err = segmentCount(out.PayloadLen, h.segmentSize)
	if err != nil {
		return out, fmt.Errorf("inspecting envelope: %w", err)
	}
	return out, nil
}
