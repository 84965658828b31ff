package audit

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/note"
)

func TestKeyFiles(t *testing.T) {
	dir := t.TempDir()
	s := testSigner(t, "audit.example/w1", 3)
	keyPath, pubPath, err := s.WriteFiles(dir)
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Base(keyPath) != "audit.example_w1.key" || filepath.Base(pubPath) != "audit.example_w1.pub" {
		t.Errorf("paths = %s, %s", keyPath, pubPath)
	}
	fi, err := os.Stat(keyPath)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("key mode = %v, want 0600", fi.Mode().Perm())
	}
	if _, _, err := s.WriteFiles(dir); !errors.Is(err, ErrKeyExists) {
		t.Errorf("second WriteFiles error = %v, want ErrKeyExists", err)
	}

	loaded, err := LoadSigner(keyPath)
	if err != nil {
		t.Fatal(err)
	}
	v, err := LoadVerifier(pubPath)
	if err != nil {
		t.Fatal(err)
	}
	if v.KeyIDs() != s.Verifier().KeyIDs() || loaded.Verifier().KeyIDs() != v.KeyIDs() {
		t.Errorf("key ids differ: %v %v %v", s.Verifier().KeyIDs(), loaded.Verifier().KeyIDs(), v.KeyIDs())
	}
	// A log signed with the loaded key verifies with the loaded public key.
	msgs := simulateRun(t, NewLog(loaded, "w1", WithClock(fakeClock())), 1)
	if rep, _ := Verify(msgs, v); !rep.OK {
		t.Errorf("findings: %s", findingsText(rep))
	}

	// The Ed25519 line is a plain sumdb/note verifier key: a stock note
	// reader checks our checkpoints.
	pub, _ := os.ReadFile(pubPath)
	nv, err := note.NewVerifier(strings.Split(string(pub), "\n")[1])
	if err != nil {
		t.Fatalf("note.NewVerifier on our Ed25519 line: %v", err)
	}
	n, err := note.Open(msgs[2].Value, note.VerifierList(nv))
	if err != nil || len(n.Sigs) != 1 || len(n.UnverifiedSigs) != 1 {
		t.Fatalf("note.Open = %+v, %v; want 1 verified (Ed25519) and 1 unverified (ML-DSA-65) signature", n, err)
	}
}

func TestKeyFilesRejectTampering(t *testing.T) {
	dir := t.TempDir()
	keyPath, pubPath, err := testSigner(t, "k", 4).WriteFiles(dir)
	if err != nil {
		t.Fatal(err)
	}
	key, _ := os.ReadFile(keyPath)
	pub, _ := os.ReadFile(pubPath)
	edit := func(b []byte, line int, f func(string) string) []byte {
		ls := strings.Split(string(b), "\n")
		ls[line] = f(ls[line])
		return []byte(strings.Join(ls, "\n"))
	}
	flipHash := func(l string) string { // change the first digit of the key hash after name "k"
		i := strings.Index(l, "k+") + 2
		c := byte('0')
		if l[i] == '0' {
			c = '1'
		}
		return l[:i] + string(c) + l[i+1:]
	}
	tests := []struct {
		name string
		file []byte
		load func(string) error
	}{
		{"key hash", edit(key, 1, flipHash), func(p string) error { _, err := LoadSigner(p); return err }},
		{"ml-dsa key hash", edit(key, 2, flipHash), func(p string) error { _, err := LoadSigner(p); return err }},
		{"key header", edit(key, 0, func(string) string { return "something else" }), func(p string) error { _, err := LoadSigner(p); return err }},
		{"pub as key", pub, func(p string) error { _, err := LoadSigner(p); return err }},
		{"pub hash", edit(pub, 2, flipHash), func(p string) error { _, err := LoadVerifier(p); return err }},
		{"pub name", edit(pub, 1, func(l string) string { return "x" + l }), func(p string) error { _, err := LoadVerifier(p); return err }},
		{"key as pub", key, func(p string) error { _, err := LoadVerifier(p); return err }},
		{"empty", nil, func(p string) error { _, err := LoadVerifier(p); return err }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "f")
			if err := os.WriteFile(p, tc.file, 0o600); err != nil {
				t.Fatal(err)
			}
			if err := tc.load(p); !errors.Is(err, ErrKeyFile) {
				t.Errorf("load error = %v, want ErrKeyFile", err)
			}
		})
	}
}

func TestGenerateSignerRejectsBadName(t *testing.T) {
	for _, name := range []string{"", "a b", "a+b", "a\nb"} {
		if _, err := GenerateSigner(name, strings.NewReader(strings.Repeat("x", 200))); !errors.Is(err, ErrKeyFile) {
			t.Errorf("GenerateSigner(%q) error = %v, want ErrKeyFile", name, err)
		}
	}
}
