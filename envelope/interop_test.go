package envelope

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/hpke"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"testing"
)

// These tests use Go's standard library crypto/hpke, an implementation no
// one here wrote, as the peer of our circl-based code.

var stdSuiteKEM = hpke.MLKEM768X25519()

func stdPrivateKey(t *testing.T, k *PrivateKey) hpke.PrivateKey {
	t.Helper()
	if stdSuiteKEM.ID() != KEMXWing {
		t.Fatalf("stdlib MLKEM768X25519 id = 0x%04x, want 0x%04x", stdSuiteKEM.ID(), KEMXWing)
	}
	sk, err := stdSuiteKEM.NewPrivateKey(k.seed[:])
	if err != nil {
		t.Fatalf("stdlib NewPrivateKey from our 32-byte seed: %v", err)
	}
	return sk
}

func TestInteropKeyEncodingsMatch(t *testing.T) {
	k := testKey(t, "alice")
	sk := stdPrivateKey(t, k)
	if !bytes.Equal(sk.PublicKey().Bytes(), k.Public().Bytes()) {
		t.Fatal("stdlib derives a different public key from the same seed")
	}
	seed, err := sk.Bytes()
	if err != nil || !bytes.Equal(seed, k.seed[:]) {
		t.Fatalf("stdlib serializes the private key differently: %v", err)
	}
}

// specOpen is an independent reader written from docs/envelope.md, using the
// standard library only. It returns the plaintext or a short reason.
func specOpen(t *testing.T, sealed []byte, sk hpke.PrivateKey) ([]byte, string) {
	t.Helper()
	if string(sealed[:4]) != "DSEV" || sealed[4] != 1 {
		return nil, "magic/version"
	}
	hl := int(binary.BigEndian.Uint32(sealed[5:9]))
	hdr := sealed[:hl]
	if binary.BigEndian.Uint16(hdr[9:]) != 0x647a || binary.BigEndian.Uint16(hdr[11:]) != 1 || binary.BigEndian.Uint16(hdr[13:]) != 2 {
		return nil, "suite"
	}
	segSize := int(binary.BigEndian.Uint32(hdr[15:19]))
	salt := hdr[19:51]
	prefix := hdr[51:58]
	provLen := int(binary.BigEndian.Uint32(hdr[58:62]))
	p := 62 + provLen
	n := int(binary.BigEndian.Uint16(hdr[p:]))
	p += 2
	wantID := sha256.Sum256(sk.PublicKey().Bytes())
	var dataKey []byte
	for i := range n {
		st := hdr[p+i*1184 : p+(i+1)*1184]
		if !bytes.Equal(st[:16], wantID[:16]) {
			continue
		}
		dk, err := hpke.Open(sk, hpke.HKDFSHA256(), hpke.AES256GCM(), []byte("deidstream envelope v1 data key"), st[16:])
		if err != nil {
			return nil, "stdlib hpke.Open: " + err.Error()
		}
		dataKey = dk
	}
	if dataKey == nil {
		return nil, "no stanza"
	}
	p += n * 1184
	commitment, mac := hdr[p:p+32], hdr[p+32:p+64]
	prk, _ := hkdf.Extract(sha256.New, dataKey, salt)
	payloadKey, _ := hkdf.Expand(sha256.New, prk, "deidstream envelope v1 payload key", 32)
	wantCommit, _ := hkdf.Expand(sha256.New, prk, "deidstream envelope v1 key commitment", 32)
	macKey, _ := hkdf.Expand(sha256.New, prk, "deidstream envelope v1 header mac key", 32)
	if !bytes.Equal(commitment, wantCommit) {
		return nil, "commitment"
	}
	m := hmac.New(sha256.New, macKey)
	m.Write(hdr[:hl-32])
	if !hmac.Equal(m.Sum(nil), mac) {
		return nil, "header mac"
	}
	aad := sha256.Sum256(hdr)
	block, _ := aes.NewCipher(payloadKey)
	gcm, _ := cipher.NewGCM(block)
	payload := sealed[hl:]
	var out []byte
	for i := 0; ; i++ {
		seg := payload[:min(len(payload), segSize+16)]
		payload = payload[len(seg):]
		nonce := append(bytes.Clone(prefix), 0, 0, 0, 0, 0)
		binary.BigEndian.PutUint32(nonce[7:], uint32(i))
		if len(payload) == 0 {
			nonce[11] = 1
		}
		pt, err := gcm.Open(nil, nonce, seg, aad[:])
		if err != nil {
			return nil, "segment"
		}
		out = append(out, pt...)
		if len(payload) == 0 {
			return out, ""
		}
	}
}

func TestInteropStdlibOpensOurEnvelope(t *testing.T) {
	alice, bob := testKey(t, "alice"), testKey(t, "bob")
	for _, size := range []int{0, 1, 64, 200} {
		pt := pattern(size)
		sealed := mustSeal(t, pt, []*PublicKey{alice.Public(), bob.Public()}, WithSegmentSize(64))
		for _, k := range []*PrivateKey{alice, bob} {
			got, reason := specOpen(t, sealed, stdPrivateKey(t, k))
			if reason != "" || !bytes.Equal(got, pt) {
				t.Errorf("size %d, key %s: stdlib-based reader failed at %q", size, k.Name(), reason)
			}
		}
	}
}

func TestInteropWeOpenStdlibStanza(t *testing.T) {
	// Key pair made by the standard library; we import only its bytes.
	stdSK, err := stdSuiteKEM.DeriveKeyPair([]byte("interop test input keying material, 32+ bytes"))
	if err != nil {
		t.Fatal(err)
	}
	seed, err := stdSK.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	ours, err := privateKeyFromSeed(seed)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := NewPublicKey(stdSK.PublicKey().Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if pub.KeyID() != ours.KeyID() {
		t.Fatalf("key id of stdlib public key %s != ours %s", pub.KeyID(), ours.KeyID())
	}

	// Seal the data key with the standard library and build the envelope around it.
	dataKey := pattern(32)
	stdStanza, err := hpke.Seal(stdSK.PublicKey(), hpke.HKDFSHA256(), hpke.AES256GCM(), []byte(hpkeInfo), dataKey)
	if err != nil {
		t.Fatal(err)
	}
	if len(stdStanza) != encSize+wrappedKeySize {
		t.Fatalf("stdlib stanza is %d bytes, format needs %d", len(stdStanza), encSize+wrappedKeySize)
	}
	h := &header{segmentSize: 16, prov: testProv(), salt: pattern(saltSize), noncePrefix: pattern(noncePrefixLen)}
	h.stanzas = []stanza{{keyID: pub.id, enc: stdStanza[:encSize], wrapped: stdStanza[encSize:]}}
	keys, err := deriveKeys(dataKey, h.salt)
	if err != nil {
		t.Fatal(err)
	}
	h.commitment = keys.commitment
	if h.raw, err = marshalHeader(h); err != nil {
		t.Fatal(err)
	}
	copy(h.raw[len(h.raw)-macSize:], keys.headerMAC(h.raw))
	sc := newSegmentCipher(keys, h)
	sealed := bytes.Clone(h.raw)
	pt := []byte("sealed around a data key wrapped by crypto/hpke")
	for i := 0; i*16 < len(pt); i++ {
		sealed, _ = sc.seal(sealed, pt[i*16:min(len(pt), (i+1)*16)], uint64(i), (i+1)*16 >= len(pt))
	}
	got, _, err := Open(sealed, ours)
	if err != nil || !bytes.Equal(got, pt) {
		t.Fatalf("Open of an envelope whose stanza stdlib sealed: %q, %v", got, err)
	}

	// And a stdlib stanza under the wrong info string must not open.
	bad, _ := hpke.Seal(stdSK.PublicKey(), hpke.HKDFSHA256(), hpke.AES256GCM(), []byte("other info"), dataKey)
	h.stanzas[0].enc, h.stanzas[0].wrapped = bad[:encSize], bad[encSize:]
	if _, err := unwrapDataKey(h, ours); !errors.Is(err, ErrNoMatchingKey) {
		t.Errorf("stanza sealed with another info opened: %v", err)
	}
}
