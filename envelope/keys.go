package envelope

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/cloudflare/circl/kem"
	"github.com/cloudflare/circl/kem/xwing"
)

const (
	// SeedSize is the X-Wing private key size: a 32-byte seed, the same
	// encoding circl's xwing and Go's crypto/hpke MLKEM768X25519 use.
	SeedSize = xwing.SeedSize
	// PublicKeySize is the X-Wing encapsulation key size.
	PublicKeySize = xwing.PublicKeySize
	keyIDSize     = 16

	publicKeyLine  = "deidstream-envelope public-key v1"
	privateKeyLine = "deidstream-envelope private-key v1"
	// auditKeyPrefix starts the first line of the audit log's key files
	// (package audit), which users mistake for envelope keys.
	auditKeyPrefix = "deidstream audit "
	kemLine        = "kem: x-wing 0x647a"
	maxNameLen     = 64
)

// PublicKey is a recipient's X-Wing encapsulation key. It is immutable
// except for SetName.
type PublicKey struct {
	name string
	raw  []byte
	pk   kem.PublicKey
	id   [keyIDSize]byte
}

// PrivateKey is a recipient's X-Wing decapsulation key, kept as its 32-byte seed.
type PrivateKey struct {
	name string
	seed [SeedSize]byte
	sk   kem.PrivateKey
	pub  *PublicKey
}

// GenerateKey makes a new key pair from 32 bytes of rand (crypto/rand.Reader if nil).
func GenerateKey(rnd io.Reader) (*PrivateKey, error) {
	if rnd == nil {
		rnd = rand.Reader
	}
	var seed [SeedSize]byte
	if _, err := io.ReadFull(rnd, seed[:]); err != nil {
		return nil, fmt.Errorf("generating key: reading randomness: %w", err)
	}
	return privateKeyFromSeed(seed[:])
}

func privateKeyFromSeed(seed []byte) (*PrivateKey, error) {
	if len(seed) != SeedSize {
		return nil, fmt.Errorf("decoding private key: seed is %d bytes, want %d: %w", len(seed), SeedSize, ErrKeyFormat)
	}
	pk, sk := xwing.Scheme().DeriveKeyPair(seed)
	pub, err := publicKeyFromKEM(pk)
	if err != nil {
		return nil, err
	}
	k := &PrivateKey{sk: sk, pub: pub}
	copy(k.seed[:], seed)
	return k, nil
}

func publicKeyFromKEM(pk kem.PublicKey) (*PublicKey, error) {
	raw, err := pk.MarshalBinary()
	if err != nil {
		return nil, fmt.Errorf("encoding public key: %w", err)
	}
	p := &PublicKey{raw: raw, pk: pk}
	sum := sha256.Sum256(raw)
	copy(p.id[:], sum[:keyIDSize])
	return p, nil
}

// NewPublicKey decodes a raw 1216-byte X-Wing encapsulation key.
func NewPublicKey(raw []byte) (*PublicKey, error) {
	pk, err := xwing.Scheme().UnmarshalBinaryPublicKey(raw)
	if err != nil {
		return nil, fmt.Errorf("decoding public key (%d bytes, want %d): %w", len(raw), PublicKeySize, ErrKeyFormat)
	}
	return publicKeyFromKEM(pk)
}

// Public returns the key's public half, carrying the same name.
func (k *PrivateKey) Public() *PublicKey {
	p := *k.pub
	p.name = k.name
	return &p
}

// KeyID is the hex form of the first 16 bytes of SHA-256 of the public key;
// it names the key in stanzas, audit events and file names.
func (k *PrivateKey) KeyID() string { return k.pub.KeyID() }

// KeyID is the hex form of the first 16 bytes of SHA-256 of the public key.
func (p *PublicKey) KeyID() string { return hex.EncodeToString(p.id[:]) }

// Bytes returns the raw X-Wing encapsulation key (1216 bytes).
func (p *PublicKey) Bytes() []byte { return bytes.Clone(p.raw) }

// Name is the label written in the key file; it is not authenticated.
func (p *PublicKey) Name() string  { return p.name }
func (k *PrivateKey) Name() string { return k.name }

// SetName sets the label written by MarshalText: 1-64 characters from
// [A-Za-z0-9._-]. Not safe to call while the key is in use elsewhere.
func (p *PublicKey) SetName(name string) error {
	if err := checkName(name); err != nil {
		return err
	}
	p.name = name
	return nil
}

// SetName sets the label written by MarshalText (see PublicKey.SetName).
func (k *PrivateKey) SetName(name string) error {
	if err := checkName(name); err != nil {
		return err
	}
	k.name = name
	return nil
}

func checkName(name string) error {
	if name == "" || len(name) > maxNameLen {
		return fmt.Errorf("checking key name: length %d not in 1..%d: %w", len(name), maxNameLen, ErrKeyFormat)
	}
	for _, c := range name {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-'
		if !ok {
			return fmt.Errorf("checking key name: only letters, digits, '.', '_' and '-' are allowed: %w", ErrKeyFormat)
		}
	}
	return nil
}

// MarshalText writes the public key file format (see docs/envelope.md):
//
//	deidstream-envelope public-key v1
//	name: NAME
//	key-id: HEX
//	kem: x-wing 0x647a
//	<base64 of the 1216-byte key, 64 columns>
func (p *PublicKey) MarshalText() ([]byte, error) {
	return marshalKey(publicKeyLine, p.name, p.KeyID(), p.raw), nil
}

// MarshalText writes the private key file format: like the public one with
// its own first line, the public key's id, and the base64 of the 32-byte seed.
func (k *PrivateKey) MarshalText() ([]byte, error) {
	return marshalKey(privateKeyLine, k.name, k.KeyID(), k.seed[:]), nil
}

func marshalKey(first, name, id string, raw []byte) []byte {
	var b bytes.Buffer
	b.WriteString(first + "\n")
	b.WriteString("name: " + name + "\n")
	b.WriteString("key-id: " + id + "\n")
	b.WriteString(kemLine + "\n")
	enc := base64.StdEncoding.EncodeToString(raw)
	for len(enc) > 64 {
		b.WriteString(enc[:64] + "\n")
		enc = enc[64:]
	}
	b.WriteString(enc + "\n")
	return b.Bytes()
}

// parseKeyText checks the common layout and returns name, key id and decoded body.
// Errors name the line, never the content (a private key file is secret).
func parseKeyText(b []byte, first string) (name, id string, raw []byte, err error) {
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 0, 4096), 64<<10)
	var lines []string
	for sc.Scan() {
		lines = append(lines, strings.TrimRight(sc.Text(), "\r"))
	}
	if err := sc.Err(); err != nil {
		return "", "", nil, fmt.Errorf("reading key text: %w", ErrKeyFormat)
	}
	// The first line says what a file is: check it before its length, so a
	// key of another kind is named as such instead of "3 lines".
	if len(lines) == 0 {
		return "", "", nil, fmt.Errorf("reading key text: the file is empty: %w", ErrKeyFormat)
	}
	if lines[0] != first {
		other := publicKeyLine
		if first == publicKeyLine {
			other = privateKeyLine
		}
		if lines[0] == other {
			return "", "", nil, fmt.Errorf("reading key text: line 1 says %q, want %q: %w", other, first, ErrKeyFormat)
		}
		if strings.HasPrefix(lines[0], auditKeyPrefix) {
			return "", "", nil, fmt.Errorf("reading key text: this is an audit log key (%q, from `worker audit keygen`), "+
				"not an envelope key (%q, from `worker keys gen`, e.g. keys/research.key): %w", lines[0], first, ErrKeyFormat)
		}
		return "", "", nil, fmt.Errorf("reading key text: line 1 is not %q: %w", first, ErrKeyFormat)
	}
	if len(lines) < 5 {
		return "", "", nil, fmt.Errorf("reading key text: %d lines, want at least 5 (the file is cut short): %w", len(lines), ErrKeyFormat)
	}
	name, ok := strings.CutPrefix(lines[1], "name: ")
	if !ok || checkName(name) != nil {
		return "", "", nil, fmt.Errorf("reading key text: line 2 is not a valid \"name: \" line: %w", ErrKeyFormat)
	}
	id, ok = strings.CutPrefix(lines[2], "key-id: ")
	if !ok || len(id) != 2*keyIDSize {
		return "", "", nil, fmt.Errorf("reading key text: line 3 is not a valid \"key-id: \" line: %w", ErrKeyFormat)
	}
	if lines[3] != kemLine {
		return "", "", nil, fmt.Errorf("reading key text: line 4 is not %q: %w", kemLine, ErrKeyFormat)
	}
	body := strings.Join(lines[4:], "")
	raw, err = base64.StdEncoding.Strict().DecodeString(body)
	if err != nil {
		return "", "", nil, fmt.Errorf("reading key text: key body is not valid base64: %w", ErrKeyFormat)
	}
	return name, id, raw, nil
}

// ParsePublicKey reads the text format written by (*PublicKey).MarshalText
// and checks that the key-id line matches the key.
func ParsePublicKey(b []byte) (*PublicKey, error) {
	name, id, raw, err := parseKeyText(b, publicKeyLine)
	if err != nil {
		return nil, fmt.Errorf("parsing public key: %w", err)
	}
	p, err := NewPublicKey(raw)
	if err != nil {
		return nil, fmt.Errorf("parsing public key: %w", err)
	}
	if subtle.ConstantTimeCompare([]byte(p.KeyID()), []byte(id)) != 1 {
		return nil, fmt.Errorf("parsing public key: key-id line does not match the key (file corrupted or edited): %w", ErrKeyFormat)
	}
	p.name = name
	return p, nil
}

// ParsePrivateKey reads the text format written by (*PrivateKey).MarshalText
// and checks that the key-id line matches the key derived from the seed.
func ParsePrivateKey(b []byte) (*PrivateKey, error) {
	name, id, raw, err := parseKeyText(b, privateKeyLine)
	if err != nil {
		return nil, fmt.Errorf("parsing private key: %w", err)
	}
	k, err := privateKeyFromSeed(raw)
	if err != nil {
		return nil, fmt.Errorf("parsing private key: %w", err)
	}
	if k.KeyID() != id {
		return nil, fmt.Errorf("parsing private key: key-id line does not match the key (file corrupted or edited): %w", ErrKeyFormat)
	}
	k.name = name
	return k, nil
}

// LoadPublicKeys reads public key files, in order (several for rotation).
func LoadPublicKeys(paths ...string) ([]*PublicKey, error) {
	keys := make([]*PublicKey, 0, len(paths))
	for _, path := range paths {
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("loading public key %s: %w", path, err)
		}
		p, err := ParsePublicKey(b)
		if err != nil {
			return nil, fmt.Errorf("loading public key %s: %w", path, err)
		}
		keys = append(keys, p)
	}
	return keys, nil
}

// LoadPrivateKey reads a private key file.
func LoadPrivateKey(path string) (*PrivateKey, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("loading private key %s: %w", path, err)
	}
	defer clear(b)
	k, err := ParsePrivateKey(b)
	if err != nil {
		return nil, fmt.Errorf("loading private key %s: %w", path, err)
	}
	return k, nil
}
