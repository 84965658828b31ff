package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/deidstream/deidstream/redact"
)

func TestCanaryPrintsKeyedHashes(t *testing.T) {
	secret := strings.Repeat("cd", 32)
	t.Setenv(secretEnv, secret)
	var out, errb bytes.Buffer
	code := runCanary(context.Background(), stdio{Stdin: strings.NewReader("Zeb Quixby\n\nMRN 99887766\n"), Stdout: &out, Stderr: &errb}, nil)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	rcfg := redact.DefaultConfig()
	rcfg.Secret = secret
	h, err := redact.NewCanaryHasher(rcfg)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := h.Hash("zeb quixby")
	b, _ := h.Hash("mrn 99887766")
	if got := out.String(); got != a+"\n"+b+"\n" || strings.Contains(got, "Quixby") {
		t.Fatalf("output %q", got)
	}
	errb.Reset()
	if code := runCanary(context.Background(), stdio{Stdin: strings.NewReader("one two three four Fivesecret\n"), Stdout: &out, Stderr: &errb}, nil); code == 0 ||
		strings.Contains(errb.String(), "Fivesecret") {
		t.Fatalf("a bad canary: exit %d, stderr %q (must not quote it)", code, errb.String())
	}
}
