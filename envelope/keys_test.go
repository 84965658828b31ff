package envelope

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestKeyTextRoundTrip(t *testing.T) {
	k := testKey(t, "research-2026")
	privText, err := k.MarshalText()
	if err != nil {
		t.Fatal(err)
	}
	pubText, err := k.Public().MarshalText()
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{"deidstream-envelope public-key v1\n", "name: research-2026\n", "key-id: " + k.KeyID() + "\n"} {
		if !strings.Contains(string(pubText), line) {
			t.Errorf("public key text lacks %q", line)
		}
	}
	k2, err := ParsePrivateKey(privText)
	if err != nil {
		t.Fatal(err)
	}
	p2, err := ParsePublicKey(pubText)
	if err != nil {
		t.Fatal(err)
	}
	if k2.KeyID() != k.KeyID() || p2.KeyID() != k.KeyID() || k2.Name() != "research-2026" || p2.Name() != "research-2026" {
		t.Errorf("round trip changed ids or names: %s %s %s %s", k2.KeyID(), p2.KeyID(), k2.Name(), p2.Name())
	}
	if !bytes.Equal(p2.Bytes(), k.Public().Bytes()) {
		t.Error("public key bytes changed in the round trip")
	}
	sealed := mustSeal(t, []byte("x"), []*PublicKey{p2})
	if _, _, err := Open(sealed, k2); err != nil {
		t.Errorf("parsed private key cannot open what the parsed public key sealed: %v", err)
	}
}

func TestKeyTextRejects(t *testing.T) {
	k := testKey(t, "alice")
	pub, _ := k.Public().MarshalText()
	priv, _ := k.MarshalText()
	other, _ := testKey(t, "bob").Public().MarshalText()
	lines := strings.Split(string(pub), "\n")
	swapID := strings.Join(append([]string{lines[0], lines[1], strings.Split(string(other), "\n")[2]}, lines[3:]...), "\n")
	tests := []struct {
		name   string
		text   string
		public bool
	}{
		{"empty", "", true},
		{"private given as public", string(priv), true},
		{"public given as private", string(pub), false},
		{"key id of another key", swapID, true},
		{"bad name", strings.Replace(string(pub), "name: alice", "name: al ice", 1), true},
		{"bad base64", strings.Replace(string(pub), lines[4], "!!!!"+lines[4][4:], 1), true},
		{"short body", strings.Join(lines[:5], "\n"), true},
		{"wrong kem line", strings.Replace(string(pub), kemLine, "kem: x25519", 1), true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var err error
			if tc.public {
				_, err = ParsePublicKey([]byte(tc.text))
			} else {
				_, err = ParsePrivateKey([]byte(tc.text))
			}
			if !errors.Is(err, ErrKeyFormat) {
				t.Errorf("error %v, want ErrKeyFormat", err)
			}
		})
	}
	if _, err := ParsePrivateKey(priv); err != nil {
		t.Errorf("the unmodified private key failed: %v", err)
	}
}

func TestSetNameRejects(t *testing.T) {
	k := testKey(t, "alice")
	for _, name := range []string{"", "a b", "a/b", "ä", strings.Repeat("a", 65), "x\nkey-id: 00"} {
		if err := k.SetName(name); !errors.Is(err, ErrKeyFormat) {
			t.Errorf("SetName(%q) = %v, want ErrKeyFormat", name, err)
		}
	}
	if k.Name() != "alice" {
		t.Errorf("a rejected SetName changed the name to %q", k.Name())
	}
}

func TestLoadKeys(t *testing.T) {
	dir := t.TempDir()
	a, b := testKey(t, "a"), testKey(t, "b")
	write := func(name string, m interface{ MarshalText() ([]byte, error) }) string {
		txt, _ := m.MarshalText()
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, txt, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	pa, pb, ka := write("a.pub", a.Public()), write("b.pub", b.Public()), write("a.key", a)
	pubs, err := LoadPublicKeys(pa, pb)
	if err != nil || len(pubs) != 2 || pubs[0].KeyID() != a.KeyID() || pubs[1].KeyID() != b.KeyID() {
		t.Fatalf("LoadPublicKeys = %d keys, %v", len(pubs), err)
	}
	k, err := LoadPrivateKey(ka)
	if err != nil || k.KeyID() != a.KeyID() {
		t.Fatalf("LoadPrivateKey: %v", err)
	}
	if _, err := LoadPublicKeys(pa, filepath.Join(dir, "missing.pub")); err == nil || !strings.Contains(err.Error(), "missing.pub") {
		t.Errorf("missing file error %v should name the path", err)
	}
	if _, err := LoadPrivateKey(pa); !errors.Is(err, ErrKeyFormat) {
		t.Errorf("LoadPrivateKey(public file) = %v, want ErrKeyFormat", err)
	}
}

func TestGenerateKeyIsRandom(t *testing.T) {
	a, err := GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	if a.KeyID() == b.KeyID() {
		t.Error("two keys from crypto/rand have the same id")
	}
	if _, err := GenerateKey(bytes.NewReader(make([]byte, 5))); err == nil {
		t.Error("GenerateKey with a 5-byte reader succeeded")
	}
}

// TestParseKeyNamesAuditKey: an audit signing key given where an envelope key
// belongs is named as such, not reported as a file of too few lines.
func TestParseKeyNamesAuditKey(t *testing.T) {
	auditKey := "deidstream audit signer v1\nPRIVATE+KEY+audit+97de0772+AAAA\nPRIVATE+KEY+audit+52d4f839+BBBB\n"
	_, err := ParsePrivateKey([]byte(auditKey))
	if !errors.Is(err, ErrKeyFormat) {
		t.Fatalf("error %v, want ErrKeyFormat", err)
	}
	for _, want := range []string{"audit log key", "worker keys gen"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	if strings.Contains(err.Error(), "lines") || strings.Contains(err.Error(), "AAAA") {
		t.Errorf("error %q counts lines or quotes key material", err)
	}
	if _, err := ParsePrivateKey(nil); err == nil || !strings.Contains(err.Error(), "empty") {
		t.Errorf("empty file: %v, want it called empty", err)
	}
}
