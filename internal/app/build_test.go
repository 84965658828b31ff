package app

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/deidstream/deidstream/internal/config"
)

// TestLoadKeysNamesConfigLine: a key file that does not open is reported with
// the config file and line that name it, and how to make one.
func TestLoadKeysNamesConfigLine(t *testing.T) {
	t.Setenv("DEID_SECRET", strings.Repeat("ab", 32))
	dir := t.TempDir()
	path := filepath.Join(dir, "config.yaml")
	doc := `topics:
  input: [raw.records]
keys:
  research: [keys/research.pub]
  quarantine: [keys/security.pub]
  audit_signer: keys/audit.key
redaction:
  secret: ${DEID_SECRET}
`
	if err := os.WriteFile(path, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	_, err = LoadKeys(cfg)
	if !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("LoadKeys: %v, want a missing file", err)
	}
	for _, want := range []string{path + ":4: keys.research[0]", "research.pub", "worker keys gen"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
}

// TestCheckPrivateKeyFileRefusesExposedKeys: a private key others can read stops the worker,
// with the chmod that fixes it; 0600 and 0400 pass.
func TestCheckPrivateKeyFileRefusesExposedKeys(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.key")
	if err := os.WriteFile(path, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, mode := range []os.FileMode{0o600, 0o400} {
		if err := os.Chmod(path, mode); err != nil {
			t.Fatal(err)
		}
		if err := CheckPrivateKeyFile(path); err != nil {
			t.Errorf("mode %04o: %v, want accepted", mode, err)
		}
	}
	for _, mode := range []os.FileMode{0o644, 0o640, 0o604} {
		if err := os.Chmod(path, mode); err != nil {
			t.Fatal(err)
		}
		err := CheckPrivateKeyFile(path)
		if !errors.Is(err, ErrKeyExposed) || !strings.Contains(err.Error(), "chmod 600 "+path) {
			t.Errorf("mode %04o: %v, want ErrKeyExposed naming the chmod", mode, err)
		}
	}
}
