package envelope

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/binary"
	"fmt"
)

// HKDF labels (docs/envelope.md §Key schedule). Changing any is a new version.
const (
	hpkeInfo        = "deidstream envelope v1 data key"
	labelPayloadKey = "deidstream envelope v1 payload key"
	labelCommitment = "deidstream envelope v1 key commitment"
	labelHeaderMAC  = "deidstream envelope v1 header mac key"
)

// objectKeys are derived from one data key and the header salt.
type objectKeys struct {
	payload    cipher.AEAD
	commitment []byte
	macKey     []byte
}

func deriveKeys(dataKey, salt []byte) (*objectKeys, error) {
	prk, err := hkdf.Extract(sha256.New, dataKey, salt)
	if err != nil {
		return nil, fmt.Errorf("deriving object keys: %w", err)
	}
	pk, err := hkdf.Expand(sha256.New, prk, labelPayloadKey, 32)
	if err != nil {
		return nil, fmt.Errorf("deriving payload key: %w", err)
	}
	block, err := aes.NewCipher(pk)
	if err != nil {
		return nil, fmt.Errorf("deriving payload key: %w", err)
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("deriving payload key: %w", err)
	}
	k := &objectKeys{payload: gcm}
	if k.commitment, err = hkdf.Expand(sha256.New, prk, labelCommitment, commitSize); err != nil {
		return nil, fmt.Errorf("deriving key commitment: %w", err)
	}
	if k.macKey, err = hkdf.Expand(sha256.New, prk, labelHeaderMAC, 32); err != nil {
		return nil, fmt.Errorf("deriving header MAC key: %w", err)
	}
	return k, nil
}

// headerMAC is HMAC-SHA256 over the header up to (not including) the MAC field.
func (k *objectKeys) headerMAC(raw []byte) []byte {
	m := hmac.New(sha256.New, k.macKey)
	m.Write(raw[:len(raw)-macSize])
	return m.Sum(nil)
}

// verifyHeader checks the key commitment, then the header MAC.
func (k *objectKeys) verifyHeader(h *header) error {
	if subtle.ConstantTimeCompare(k.commitment, h.commitment) != 1 {
		return fmt.Errorf("checking key commitment: %w", ErrCommitment)
	}
	if !hmac.Equal(k.headerMAC(h.raw), h.mac) {
		return fmt.Errorf("checking header MAC: %w", ErrHeaderAuth)
	}
	return nil
}

// segmentNonce: 7-byte prefix || 32-bit big-endian segment index || last flag.
func segmentNonce(dst *[12]byte, prefix []byte, index uint32, last bool) {
	copy(dst[:noncePrefixLen], prefix)
	binary.BigEndian.PutUint32(dst[noncePrefixLen:], index)
	dst[11] = 0
	if last {
		dst[11] = 1
	}
}

// segmentCipher seals and opens segments of one object.
type segmentCipher struct {
	aead   cipher.AEAD
	prefix []byte
	aad    [sha256.Size]byte // SHA-256 of the full header
}

func newSegmentCipher(k *objectKeys, h *header) *segmentCipher {
	return &segmentCipher{aead: k.payload, prefix: h.noncePrefix, aad: sha256.Sum256(h.raw)}
}

func (c *segmentCipher) seal(dst, pt []byte, index uint64, last bool) ([]byte, error) {
	if index > 0xFFFFFFFF {
		return nil, fmt.Errorf("sealing segment %d: %w", index, ErrTooLarge)
	}
	var n [12]byte
	segmentNonce(&n, c.prefix, uint32(index), last)
	return c.aead.Seal(dst, n[:], pt, c.aad[:]), nil
}

// open authenticates one segment. isFinal says whether it is the last one
// present. On failure it retries with the opposite flag only to name the
// failure: a final-position segment sealed as non-final means truncation; a
// middle segment sealed as final means data was appended. Plaintext is never
// returned unless the segment authenticated at its own position and flag.
func (c *segmentCipher) open(dst, ct []byte, index uint64, isFinal bool) ([]byte, error) {
	if index > 0xFFFFFFFF {
		return nil, fmt.Errorf("opening segment %d: %w", index, ErrTooLarge)
	}
	var n [12]byte
	segmentNonce(&n, c.prefix, uint32(index), isFinal)
	pt, err := c.aead.Open(dst, n[:], ct, c.aad[:])
	if err == nil {
		return pt, nil
	}
	segmentNonce(&n, c.prefix, uint32(index), !isFinal)
	// Retry appends after dst like the first try did, so the caller's bytes
	// in dst are never touched.
	if pt2, err2 := c.aead.Open(dst, n[:], ct, c.aad[:]); err2 == nil {
		clear(pt2[len(dst):]) // authenticated under the wrong flag: never released
		if isFinal {
			return nil, fmt.Errorf("opening segment %d: it is not the final segment, the rest is missing: %w", index, ErrTruncated)
		}
		return nil, fmt.Errorf("opening segment %d: it is the final segment but more data follows: %w", index, ErrTrailingData)
	}
	return nil, &SegmentError{Index: index, Reason: "altered, reordered or from another object"}
}
