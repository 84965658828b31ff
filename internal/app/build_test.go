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
