// Package breakglass is controlled re-identification: the link from a
// released record's pseudonym back to its source record is escrowed, sealed
// to an escrow key that no single person holds (its secret is split M-of-N
// among named officers with Shamir's scheme, each share checked against a
// hash the escrow file holds), and one link is
// revealed only after a request, M approvals and an audit event written
// first, within the grant's time.
//
// escrow.go: the escrow key and its shares; link.go: the escrowed record;
// case.go: request, approvals, grant and opening.
package breakglass

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/deidstream/deidstream/envelope"
)

var (
	// ErrForeignShare is a share that was not made for this escrow (its
	// commitments do not verify it), or is named for another officer.
	ErrForeignShare = errors.New("share does not belong to this escrow")
	// ErrTooFewShares means fewer than the threshold of distinct officers' shares.
	ErrTooFewShares = errors.New("too few shares")
	// ErrEscrowFormat is an escrow or share file that cannot be read.
	ErrEscrowFormat = errors.New("malformed escrow file")
)

// secretSize is the escrow secret's length; the escrow key's seed is derived from it.
const secretSize = 32

// seedLabel separates the escrow key's derivation from any other use of the secret.
const seedLabel = "deidstream breakglass escrow key v1\x00"

// Escrow is the public part of an escrow: the key links are sealed to, and
// what checks a share. It holds no secret.
type Escrow struct {
	ID        string   // the escrow public key's id
	Threshold int      // M: shares needed to open
	Officers  []string // N names; share i belongs to Officers[i-1]
	Public    *envelope.PublicKey
	// check[i] is the hash of officer i+1's share, bound to the escrow id.
	check [][sha256.Size]byte
}

// Share is one officer's part of an escrow's secret. Keep it secret.
type Share struct {
	EscrowID string
	Officer  string
	X        byte   // the officer's position in Escrow.Officers, from 1
	value    []byte // the polynomials' values at X
}

// shareHash binds a share's value to its escrow and position.
func shareHash(escrowID string, x byte, value []byte) [sha256.Size]byte {
	h := sha256.New()
	fmt.Fprintf(h, "deidstream breakglass share v1\x00%s\x00%d\x00", escrowID, x)
	h.Write(value)
	return [sha256.Size]byte(h.Sum(nil))
}

// NewEscrow makes an escrow key whose secret is split among officers so
// that any threshold of them can open it and fewer learn nothing. It
// returns the public escrow and one share per officer, in order.
func NewEscrow(rnd io.Reader, threshold int, officers []string) (*Escrow, []Share, error) {
	if rnd == nil {
		rnd = rand.Reader
	}
	if threshold < 2 || threshold > len(officers) || len(officers) > 255 {
		return nil, nil, fmt.Errorf("making escrow: threshold %d of %d officers: need 2 <= M <= N <= 255, so no single person can open it: %w",
			threshold, len(officers), ErrEscrowFormat)
	}
	for i, o := range officers {
		if o == "" || slices.Contains(officers[:i], o) {
			return nil, nil, fmt.Errorf("making escrow: officer %d: names must be non-empty and distinct: %w", i, ErrEscrowFormat)
		}
	}
	secret := make([]byte, secretSize)
	if _, err := io.ReadFull(rnd, secret); err != nil {
		return nil, nil, fmt.Errorf("making escrow: reading randomness: %w", err)
	}
	key, err := deriveKey(secret)
	if err != nil {
		return nil, nil, err
	}
	values, err := split(rnd, secret, threshold, len(officers))
	if err != nil {
		return nil, nil, err
	}
	clear(secret)
	e := &Escrow{ID: key.KeyID(), Threshold: threshold, Officers: slices.Clone(officers), Public: key.Public()}
	var shares []Share
	for i, v := range values {
		x := byte(i + 1)
		shares = append(shares, Share{EscrowID: e.ID, Officer: officers[i], X: x, value: v})
		e.check = append(e.check, shareHash(e.ID, x, v))
	}
	return e, shares, nil
}

// deriveKey turns the shared secret into the escrow's envelope key.
func deriveKey(secret []byte) (*envelope.PrivateKey, error) {
	seed := sha256.Sum256(append([]byte(seedLabel), secret...))
	k, err := envelope.GenerateKey(&fixedReader{b: seed[:]})
	if err != nil {
		return nil, err
	}
	return k, k.SetName("escrow")
}

type fixedReader struct{ b []byte }

func (r *fixedReader) Read(p []byte) (int, error) {
	if len(r.b) == 0 {
		return 0, io.EOF
	}
	n := copy(p, r.b)
	r.b = r.b[n:]
	return n, nil
}

// Verify checks that s is a share of this escrow for the officer it names.
func (e *Escrow) Verify(s Share) error {
	i := int(s.X) - 1
	if s.EscrowID != e.ID || i < 0 || i >= len(e.Officers) || e.Officers[i] != s.Officer || len(s.value) != secretSize {
		return fmt.Errorf("checking the share of officer %q for escrow %s: %w", s.Officer, e.ID, ErrForeignShare)
	}
	if h := shareHash(e.ID, s.X, s.value); subtle.ConstantTimeCompare(h[:], e.check[i][:]) != 1 {
		return fmt.Errorf("checking the share of officer %q for escrow %s: %w", s.Officer, e.ID, ErrForeignShare)
	}
	return nil
}

// Recover rebuilds the escrow key from shares of at least Threshold
// distinct officers, each verified; a foreign share is an error, never
// silently dropped.
func (e *Escrow) Recover(shares []Share) (*envelope.PrivateKey, error) {
	var xs []byte
	var ys [][]byte
	for _, s := range shares {
		if err := e.Verify(s); err != nil {
			return nil, err
		}
		if !slices.Contains(xs, s.X) {
			xs, ys = append(xs, s.X), append(ys, s.value)
		}
	}
	if len(xs) < e.Threshold {
		return nil, fmt.Errorf("opening escrow %s: %d officers' shares, %d needed: %w", e.ID, len(xs), e.Threshold, ErrTooFewShares)
	}
	secret, err := combine(xs[:e.Threshold], ys[:e.Threshold])
	if err != nil {
		return nil, fmt.Errorf("opening escrow %s: %w", e.ID, err)
	}
	defer clear(secret)
	key, err := deriveKey(secret)
	if err != nil {
		return nil, err
	}
	if key.KeyID() != e.ID {
		return nil, fmt.Errorf("opening escrow %s: the shares rebuild key %s: %w", e.ID, key.KeyID(), ErrForeignShare)
	}
	return key, nil
}

// escrowFile is the escrow's public file (JSON): what the worker seals to
// and what checks shares.
type escrowFile struct {
	ID          string   `json:"escrow_id"`
	Threshold   int      `json:"threshold"`
	Officers    []string `json:"officers"`
	PublicKey   string   `json:"public_key"`   // envelope public key file text
	ShareHashes []string `json:"share_hashes"` // hex, one per officer
}

// MarshalJSON writes the public escrow file.
func (e *Escrow) MarshalJSON() ([]byte, error) {
	pub, err := e.Public.MarshalText()
	if err != nil {
		return nil, err
	}
	f := escrowFile{ID: e.ID, Threshold: e.Threshold, Officers: e.Officers, PublicKey: string(pub)}
	for _, h := range e.check {
		f.ShareHashes = append(f.ShareHashes, hex.EncodeToString(h[:]))
	}
	return json.MarshalIndent(f, "", "  ")
}

// ParseEscrow reads a public escrow file.
func ParseEscrow(b []byte) (*Escrow, error) {
	var f escrowFile
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, fmt.Errorf("reading escrow file: %w", ErrEscrowFormat)
	}
	pub, err := envelope.ParsePublicKey([]byte(f.PublicKey))
	if err != nil {
		return nil, fmt.Errorf("reading escrow file's public key: %w", err)
	}
	if pub.KeyID() != f.ID || f.Threshold < 2 || f.Threshold > len(f.Officers) || len(f.ShareHashes) != len(f.Officers) {
		return nil, fmt.Errorf("reading escrow file: id, threshold, officers and share hashes disagree: %w", ErrEscrowFormat)
	}
	e := &Escrow{ID: f.ID, Threshold: f.Threshold, Officers: f.Officers, Public: pub}
	for _, h := range f.ShareHashes {
		b, err := hex.DecodeString(h)
		if err != nil || len(b) != sha256.Size {
			return nil, fmt.Errorf("reading escrow file: a share hash is not 64 hex digits: %w", ErrEscrowFormat)
		}
		e.check = append(e.check, [sha256.Size]byte(b))
	}
	return e, nil
}

type shareFile struct {
	EscrowID string `json:"escrow_id"`
	Officer  string `json:"officer"`
	X        byte   `json:"x"`
	Value    string `json:"value"`
}

// MarshalJSON writes a share file (secret: mode 0600).
func (s Share) MarshalJSON() ([]byte, error) {
	return json.Marshal(shareFile{EscrowID: s.EscrowID, Officer: s.Officer, X: s.X, Value: hex.EncodeToString(s.value)})
}

// UnmarshalJSON reads a share file; Escrow.Verify says whether it belongs.
func (s *Share) UnmarshalJSON(b []byte) error {
	var f shareFile
	if err := json.Unmarshal(b, &f); err != nil {
		return fmt.Errorf("reading share: %w", ErrEscrowFormat)
	}
	v, err := hex.DecodeString(f.Value)
	if err != nil {
		// Never echo the value: it is a secret.
		return fmt.Errorf("reading share of officer %q: the value is not hex: %w", f.Officer, ErrEscrowFormat)
	}
	*s = Share{EscrowID: f.EscrowID, Officer: f.Officer, X: f.X, value: v}
	return nil
}
