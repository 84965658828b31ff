package audit

import (
	"bufio"
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode"

	"github.com/cloudflare/circl/sign/mldsa/mldsa65"
	"golang.org/x/mod/sumdb/note"
)

const (
	algEd25519 = 0x01 // sumdb/note's algorithm byte
	algExt     = 0xff // followed by a label: our ML-DSA-65 convention (see package doc)

	mldsaLabel = "ML-DSA-65"
	// mldsaContext separates checkpoint signatures from any other use of the key.
	mldsaContext = "deidstream audit checkpoint v1"

	keyFileHeader = "deidstream audit signer v1"
	pubFileHeader = "deidstream audit verifier v1"
)

// Signer holds a worker's checkpoint signing keys: Ed25519 and ML-DSA-65
// under one name. It is safe for concurrent use.
type Signer struct {
	name     string
	edSeed   []byte
	ed       ed25519.PrivateKey
	mlSeed   [mldsa65.SeedSize]byte
	ml       *mldsa65.PrivateKey
	verifier *Verifier
}

// Verifier holds the public halves of a Signer. It is safe for concurrent use.
type Verifier struct {
	name   string
	ed     ed25519.PublicKey
	ml     *mldsa65.PublicKey
	edHash uint32
	mlHash uint32
}

// GenerateSigner makes a new key pair of each kind. name is the note key
// name: non-empty, without spaces or '+', e.g. "audit.example.org/worker-1".
func GenerateSigner(name string, rand io.Reader) (*Signer, error) {
	if !validKeyName(name) {
		return nil, fmt.Errorf("generating audit signer: name must be non-empty without spaces or '+': %w", ErrKeyFile)
	}
	seed := make([]byte, ed25519.SeedSize)
	if _, err := io.ReadFull(rand, seed); err != nil {
		return nil, fmt.Errorf("generating Ed25519 seed: %w", err)
	}
	var ml [mldsa65.SeedSize]byte
	if _, err := io.ReadFull(rand, ml[:]); err != nil {
		return nil, fmt.Errorf("generating ML-DSA-65 seed: %w", err)
	}
	return newSigner(name, seed, ml), nil
}

func newSigner(name string, edSeed []byte, mlSeed [mldsa65.SeedSize]byte) *Signer {
	s := &Signer{name: name, edSeed: edSeed, ed: ed25519.NewKeyFromSeed(edSeed), mlSeed: mlSeed}
	mlPub, mlPriv := mldsa65.NewKeyFromSeed(&mlSeed)
	s.ml = mlPriv
	s.verifier = newVerifier(name, s.ed.Public().(ed25519.PublicKey), mlPub)
	return s
}

func newVerifier(name string, ed ed25519.PublicKey, ml *mldsa65.PublicKey) *Verifier {
	v := &Verifier{name: name, ed: ed, ml: ml}
	v.edHash = keyHash(name, encodeEdPub(ed))
	v.mlHash = keyHash(name, encodeMLPub(ml))
	return v
}

func validKeyName(name string) bool {
	return name != "" && !strings.Contains(name, "+") && strings.IndexFunc(name, unicode.IsSpace) < 0 &&
		strings.IndexFunc(name, unicode.IsControl) < 0
}

// keyHash is sumdb/note's key hash: SHA-256(name || "\n" || encoded key)[:4].
func keyHash(name string, encoded []byte) uint32 {
	h := sha256.New()
	h.Write([]byte(name + "\n"))
	h.Write(encoded)
	return binary.BigEndian.Uint32(h.Sum(nil))
}

func encodeEdPub(k ed25519.PublicKey) []byte { return append([]byte{algEd25519}, k...) }

func encodeMLPub(k *mldsa65.PublicKey) []byte {
	b, _ := k.MarshalBinary() // cannot fail for a valid key
	return append(append([]byte{algExt}, mldsaLabel...), b...)
}

// Name returns the key name used on signature lines.
func (s *Signer) Name() string { return s.name }

// Verifier returns the public keys matching s.
func (s *Signer) Verifier() *Verifier { return s.verifier }

// Name returns the key name used on signature lines.
func (v *Verifier) Name() string { return v.name }

// KeyIDs returns the two note key ids, "<name>+<hash>" for Ed25519 then ML-DSA-65.
func (v *Verifier) KeyIDs() [2]string {
	return [2]string{fmt.Sprintf("%s+%08x", v.name, v.edHash), fmt.Sprintf("%s+%08x", v.name, v.mlHash)}
}

// noteSigner adapts one half of a Signer to note.Signer.
type noteSigner struct {
	name string
	hash uint32
	sign func([]byte) ([]byte, error)
}

func (n noteSigner) Name() string                    { return n.name }
func (n noteSigner) KeyHash() uint32                 { return n.hash }
func (n noteSigner) Sign(msg []byte) ([]byte, error) { return n.sign(msg) }

// noteVerifier adapts one half of a Verifier to note.Verifier.
type noteVerifier struct {
	name   string
	hash   uint32
	verify func(msg, sig []byte) bool
}

func (n noteVerifier) Name() string                { return n.name }
func (n noteVerifier) KeyHash() uint32             { return n.hash }
func (n noteVerifier) Verify(msg, sig []byte) bool { return n.verify(msg, sig) }

func (s *Signer) noteSigners() []note.Signer {
	ed := noteSigner{s.name, s.verifier.edHash, func(m []byte) ([]byte, error) { return ed25519.Sign(s.ed, m), nil }}
	ml := noteSigner{s.name, s.verifier.mlHash, func(m []byte) ([]byte, error) {
		sig := make([]byte, mldsa65.SignatureSize)
		if err := mldsa65.SignTo(s.ml, m, []byte(mldsaContext), true, sig); err != nil {
			return nil, fmt.Errorf("signing with ML-DSA-65: %w", err)
		}
		return sig, nil
	}}
	return []note.Signer{ed, ml}
}

func (v *Verifier) edVerifier() note.Verifier {
	return noteVerifier{v.name, v.edHash, func(m, sig []byte) bool { return ed25519.Verify(v.ed, m, sig) }}
}

func (v *Verifier) mlVerifier() note.Verifier {
	return noteVerifier{v.name, v.mlHash, func(m, sig []byte) bool {
		return mldsa65.Verify(v.ml, m, []byte(mldsaContext), sig)
	}}
}

// Key files. NAME.key holds two private key lines and NAME.pub two public
// key lines, each "<name>+<hash>+<base64(encoded key)>" as in sumdb/note
// (private lines prefixed "PRIVATE+KEY+"), Ed25519 first, after a header line:
//
//	deidstream audit signer v1          | deidstream audit verifier v1
//	PRIVATE+KEY+NAME+hhhhhhhh+<0x01 ‖ Ed25519 seed>
//	PRIVATE+KEY+NAME+hhhhhhhh+<0xff ‖ "ML-DSA-65" ‖ ML-DSA-65 seed>
//
// The hash on every line is the key hash of the matching public key.

// WriteFiles writes dir/NAME.key (mode 0600) and dir/NAME.pub, where NAME is
// the key name with '/' replaced by '_'. It refuses to overwrite either file.
func (s *Signer) WriteFiles(dir string) (keyPath, pubPath string, err error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", "", fmt.Errorf("creating key directory: %w", err)
	}
	base := filepath.Join(dir, strings.ReplaceAll(s.name, "/", "_"))
	keyPath, pubPath = base+".key", base+".pub"
	for _, p := range []string{keyPath, pubPath} {
		if _, err := os.Lstat(p); err == nil {
			return "", "", fmt.Errorf("writing %s: %w", p, ErrKeyExists)
		} else if !errors.Is(err, fs.ErrNotExist) {
			return "", "", fmt.Errorf("checking %s: %w", p, err)
		}
	}
	v := s.verifier
	priv := fmt.Sprintf("%s\nPRIVATE+KEY+%s+%08x+%s\nPRIVATE+KEY+%s+%08x+%s\n", keyFileHeader,
		s.name, v.edHash, b64(append([]byte{algEd25519}, s.edSeed...)),
		s.name, v.mlHash, b64(append(append([]byte{algExt}, mldsaLabel...), s.mlSeed[:]...)))
	if err := writeExclusive(keyPath, []byte(priv), 0o600); err != nil {
		return "", "", err
	}
	if err := writeExclusive(pubPath, v.MarshalText(), 0o644); err != nil {
		return "", "", err
	}
	return keyPath, pubPath, nil
}

// MarshalText returns the content of a NAME.pub file.
func (v *Verifier) MarshalText() []byte {
	return fmt.Appendf(nil, "%s\n%s+%08x+%s\n%s+%08x+%s\n", pubFileHeader,
		v.name, v.edHash, b64(encodeEdPub(v.ed)), v.name, v.mlHash, b64(encodeMLPub(v.ml)))
}

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

func writeExclusive(path string, data []byte, mode os.FileMode) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		if errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("writing %s: %w", path, ErrKeyExists)
		}
		return fmt.Errorf("creating %s: %w", path, err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("closing %s: %w", path, err)
	}
	return nil
}

// keyLine is one parsed "name+hash+base64" line.
type keyLine struct {
	name string
	hash uint32
	key  []byte
}

func parseKeyLine(line, prefix string) (keyLine, error) {
	rest, ok := strings.CutPrefix(line, prefix)
	if !ok {
		return keyLine{}, errors.New("missing prefix")
	}
	// Names never contain '+' but base64 key data may: split from the left.
	parts := strings.SplitN(rest, "+", 3)
	if len(parts) != 3 {
		return keyLine{}, errors.New("want name+hash+key")
	}
	h, err := strconv.ParseUint(parts[1], 16, 32)
	if err != nil || len(parts[1]) != 8 {
		return keyLine{}, errors.New("bad key hash")
	}
	key, err := base64.StdEncoding.DecodeString(parts[2])
	if err != nil || len(key) == 0 {
		return keyLine{}, errors.New("bad key data")
	}
	return keyLine{parts[0], uint32(h), key}, nil
}

func readKeyFile(path, header string) ([]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading audit key %s: %w", path, err)
	}
	var lines []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 8<<10), 64<<10)
	for sc.Scan() {
		if l := strings.TrimSpace(sc.Text()); l != "" {
			lines = append(lines, l)
		}
	}
	if sc.Err() != nil || len(lines) != 3 || lines[0] != header {
		return nil, fmt.Errorf("reading audit key %s: want %q and two key lines: %w", path, header, ErrKeyFile)
	}
	return lines[1:], nil
}

// LoadSigner reads a NAME.key file written by WriteFiles.
func LoadSigner(path string) (*Signer, error) {
	lines, err := readKeyFile(path, keyFileHeader)
	if err != nil {
		return nil, err
	}
	bad := func(what string, err error) error {
		return fmt.Errorf("reading audit key %s: %s line: %v: %w", path, what, err, ErrKeyFile)
	}
	ed, err := parseKeyLine(lines[0], "PRIVATE+KEY+")
	if err != nil {
		return nil, bad("Ed25519", err)
	}
	ml, err := parseKeyLine(lines[1], "PRIVATE+KEY+")
	if err != nil {
		return nil, bad("ML-DSA-65", err)
	}
	if len(ed.key) != 1+ed25519.SeedSize || ed.key[0] != algEd25519 {
		return nil, bad("Ed25519", errors.New("not an Ed25519 seed"))
	}
	mlPrefix := append([]byte{algExt}, mldsaLabel...)
	if len(ml.key) != len(mlPrefix)+mldsa65.SeedSize || !bytes.HasPrefix(ml.key, mlPrefix) {
		return nil, bad("ML-DSA-65", errors.New("not an ML-DSA-65 seed"))
	}
	if ed.name != ml.name || !validKeyName(ed.name) {
		return nil, bad("second", errors.New("key names differ or are invalid"))
	}
	var seed [mldsa65.SeedSize]byte
	copy(seed[:], ml.key[len(mlPrefix):])
	s := newSigner(ed.name, ed.key[1:], seed)
	if s.verifier.edHash != ed.hash || s.verifier.mlHash != ml.hash {
		return nil, bad("key hash", errors.New("does not match the key"))
	}
	return s, nil
}

// LoadVerifier reads a NAME.pub file written by WriteFiles.
func LoadVerifier(path string) (*Verifier, error) {
	lines, err := readKeyFile(path, pubFileHeader)
	if err != nil {
		return nil, err
	}
	v, err := parseVerifier(lines)
	if err != nil {
		return nil, fmt.Errorf("reading audit public key %s: %w", path, err)
	}
	return v, nil
}

// ParseVerifier reads the content of a NAME.pub file.
func ParseVerifier(text []byte) (*Verifier, error) {
	var lines []string
	for l := range strings.SplitSeq(string(text), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
	}
	if len(lines) != 3 || lines[0] != pubFileHeader {
		return nil, fmt.Errorf("parsing audit public key: want %q and two key lines: %w", pubFileHeader, ErrKeyFile)
	}
	return parseVerifier(lines[1:])
}

func parseVerifier(lines []string) (*Verifier, error) {
	ed, err := parseKeyLine(lines[0], "")
	if err != nil || len(ed.key) != 1+ed25519.PublicKeySize || ed.key[0] != algEd25519 {
		return nil, fmt.Errorf("parsing Ed25519 line: %w", ErrKeyFile)
	}
	ml, err := parseKeyLine(lines[1], "")
	mlPrefix := append([]byte{algExt}, mldsaLabel...)
	if err != nil || !bytes.HasPrefix(ml.key, mlPrefix) {
		return nil, fmt.Errorf("parsing ML-DSA-65 line: %w", ErrKeyFile)
	}
	var mlPub mldsa65.PublicKey
	if err := mlPub.UnmarshalBinary(ml.key[len(mlPrefix):]); err != nil {
		return nil, fmt.Errorf("parsing ML-DSA-65 public key: %w", ErrKeyFile)
	}
	if ed.name != ml.name || !validKeyName(ed.name) {
		return nil, fmt.Errorf("parsing key names: they differ or are invalid: %w", ErrKeyFile)
	}
	v := newVerifier(ed.name, ed25519.PublicKey(ed.key[1:]), &mlPub)
	if v.edHash != ed.hash || v.mlHash != ml.hash {
		return nil, fmt.Errorf("checking key hashes: they do not match the keys: %w", ErrKeyFile)
	}
	return v, nil
}
