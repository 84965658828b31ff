package breakglass

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/deidstream/deidstream/envelope"
)

// ErrLinkSealing is an escrow record that cannot be sealed or opened.
var ErrLinkSealing = errors.New("escrow link sealing")

// Link is what is escrowed for one released record: its pseudonym and
// where it came from. PatientKey is PHI: it exists only sealed, and in the
// memory of an authorised `open`.
type Link struct {
	Pseudonym  string `json:"pseudonym"`
	Topic      string `json:"topic"`
	Partition  int32  `json:"partition"`
	Offset     int64  `json:"offset"`
	PatientKey string `json:"patient_key"`
}

// Source names the source record as a request's target does: "topic/partition/offset".
func (l Link) Source() string { return fmt.Sprintf("%s/%d/%d", l.Topic, l.Partition, l.Offset) }

// Tag is the lookup key of an escrow record for a target ("pseudonym:P" or
// "record:topic/partition/offset"): a hash bound to the escrow, so the one
// record a grant opens is found without opening any other, and so audit
// events name the target without holding it.
func Tag(escrowID, target string) string {
	h := sha256.Sum256([]byte("deidstream breakglass tag v1\x00" + escrowID + "\x00" + target))
	return hex.EncodeToString(h[:16])
}

// Kafka headers of escrow records; the key of a link record is its PseudonymTag,
// the key of a data key record its KeyID.
const (
	HeaderSourceTag = "deid-escrow-source"  // a link record's SourceTag
	HeaderKeyID     = "deid-escrow-key"     // the data key a link record is sealed with
	HeaderKeyRecord = "deid-escrow-datakey" // "1" on a data key record
)

// Record is one escrowed link, sealed with a data key (AES-256-GCM).
type Record struct {
	PseudonymTag, SourceTag, KeyID string
	Sealed                         []byte // nonce || ciphertext
}

// KeyRecord is a data key sealed to the escrow key (envelope, X-Wing HPKE):
// one per window's transaction, in that transaction, so every link record
// that names it commits or aborts with it.
type KeyRecord struct {
	ID     string
	Sealed []byte
}

// Sealer seals links with one data key. Sealing to the escrow key once per
// window instead of once per record keeps the worker's cost per record at
// an AES-GCM seal (an X-Wing encapsulation costs ~0.3 ms); it protects no
// less, since whoever holds the escrow key opens every data key anyway.
type Sealer struct {
	escrowID string
	aead     cipher.AEAD
	// Key is the data key sealed to the escrow: produce it with the links.
	Key KeyRecord
}

// NewSealer makes a fresh data key and seals it to e.
func NewSealer(e *Escrow) (*Sealer, error) {
	dk := make([]byte, 32)
	if _, err := rand.Read(dk); err != nil {
		return nil, fmt.Errorf("making an escrow data key: %w", err)
	}
	defer clear(dk)
	aead, err := newAEAD(dk)
	if err != nil {
		return nil, err
	}
	sealed, err := envelope.Seal(dk, envelope.Provenance{Kind: envelope.KindFile}, []*envelope.PublicKey{e.Public})
	if err != nil {
		return nil, fmt.Errorf("sealing an escrow data key: %w: %w", ErrLinkSealing, err)
	}
	id := sha256.Sum256(sealed)
	return &Sealer{escrowID: e.ID, aead: aead, Key: KeyRecord{ID: hex.EncodeToString(id[:16]), Sealed: sealed}}, nil
}

func newAEAD(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrLinkSealing, err)
	}
	return cipher.NewGCM(block)
}

// aad binds a sealed link to its escrow, its lookup tags and its data key,
// so a record cannot be relabelled to answer another target.
func aad(escrowID string, r Record) []byte {
	return []byte("deidstream breakglass link v1\x00" + escrowID + "\x00" + r.PseudonymTag + "\x00" + r.SourceTag + "\x00" + r.KeyID)
}

// Seal escrows l: only Threshold officers together can open it.
func (s *Sealer) Seal(l Link) (Record, error) {
	plain, err := json.Marshal(l)
	if err != nil {
		return Record{}, fmt.Errorf("encoding escrow link: %w", err)
	}
	defer clear(plain)
	r := Record{PseudonymTag: Tag(s.escrowID, "pseudonym:"+l.Pseudonym), SourceTag: Tag(s.escrowID, "record:"+l.Source()), KeyID: s.Key.ID}
	nonce := make([]byte, s.aead.NonceSize(), s.aead.NonceSize()+len(plain)+s.aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return Record{}, fmt.Errorf("sealing escrow link: %w", err)
	}
	r.Sealed = s.aead.Seal(nonce, nonce, plain, aad(s.escrowID, r))
	return r, nil
}

// openLink opens r with the escrow key and the data key records.
func openLink(escrowID string, key *envelope.PrivateKey, keys []KeyRecord, r Record) (Link, error) {
	var sealedKey []byte
	for _, k := range keys {
		if k.ID == r.KeyID {
			sealedKey = k.Sealed
		}
	}
	if sealedKey == nil {
		return Link{}, fmt.Errorf("opening escrow record: its data key %s is not on the escrow topic: %w", r.KeyID, ErrLinkSealing)
	}
	dk, _, err := envelope.Open(sealedKey, key)
	if err != nil {
		return Link{}, fmt.Errorf("opening escrow data key %s: %w", r.KeyID, err)
	}
	aead, err := newAEAD(dk)
	clear(dk)
	if err != nil {
		return Link{}, err
	}
	n := aead.NonceSize()
	if len(r.Sealed) < n+aead.Overhead() {
		return Link{}, fmt.Errorf("opening escrow record: %d bytes is too short: %w", len(r.Sealed), ErrLinkSealing)
	}
	plain, err := aead.Open(nil, r.Sealed[:n], r.Sealed[n:], aad(escrowID, r))
	if err != nil {
		return Link{}, fmt.Errorf("opening escrow record: altered, relabelled or of another escrow: %w", ErrLinkSealing)
	}
	defer clear(plain)
	var l Link
	if err := json.Unmarshal(plain, &l); err != nil {
		return Link{}, fmt.Errorf("decoding escrow record: %w", ErrEscrowFormat)
	}
	return l, nil
}
