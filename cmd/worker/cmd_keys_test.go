package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func runEnvelopeCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = dispatch(context.Background(), stdio{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb}, args)
	return code, out.String(), errb.String()
}

func genEnvelopeKeys(t *testing.T, dir, name string) {
	t.Helper()
	if code, _, stderr := runEnvelopeCLI(t, "keys", "gen", "--out", dir, "--name", name); code != 0 {
		t.Fatalf("keys gen %s: exit %d: %s", name, code, stderr)
	}
}

func TestKeysGen(t *testing.T) {
	dir := t.TempDir()
	code, stdout, stderr := runEnvelopeCLI(t, "keys", "gen", "--out", dir, "--name", "research")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	st, err := os.Stat(filepath.Join(dir, "research.key"))
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("research.key: %v, mode %v; want 0600", err, st.Mode().Perm())
	}
	pub, err := os.ReadFile(filepath.Join(dir, "research.pub"))
	if err != nil {
		t.Fatal(err)
	}
	id := strings.Fields(strings.SplitN(stdout, "\n", 2)[0])[2]
	if !strings.Contains(string(pub), "key-id: "+id) {
		t.Errorf("research.pub does not carry the printed key id %s", id)
	}
	keyBefore, _ := os.ReadFile(filepath.Join(dir, "research.key"))
	if code, _, stderr := runEnvelopeCLI(t, "keys", "gen", "--out", dir, "--name", "research"); code == 0 || !strings.Contains(stderr, "refusing to overwrite") {
		t.Errorf("second gen: exit %d, %q; want a refusal", code, stderr)
	}
	if after, _ := os.ReadFile(filepath.Join(dir, "research.key")); !bytes.Equal(after, keyBefore) {
		t.Error("second gen changed the existing private key")
	}
	for _, args := range [][]string{{"keys"}, {"keys", "gen"}, {"keys", "gen", "--out", dir}, {"keys", "rotate"}, {"keys", "gen", "--out", dir, "--name", "a b"}} {
		if code, _, _ := runEnvelopeCLI(t, args...); code == 0 {
			t.Errorf("%v: exit 0, want failure", args)
		}
	}
	if code, stdout, _ := runEnvelopeCLI(t, "keys", "gen", "-h"); code != 0 || !strings.Contains(stdout, "--name") {
		t.Errorf("keys gen -h: exit %d, %q", code, stdout)
	}
}
