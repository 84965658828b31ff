package main

import (
	"os"
	"strings"
	"testing"

	"github.com/deidstream/deidstream/internal/config"
)

// TestValidateSecureDefaults: an audit signing key others can read stops validate and run with
// the chmod that fixes it; settings that weaken security are named as warnings.
func TestValidateSecureDefaults(t *testing.T) {
	cfg, err := config.Demo()
	if err != nil {
		t.Fatal(err)
	}
	cfg.Kafka.TLS.Enabled = true
	cfg.Kafka.TLS.InsecureSkipVerify = true
	cfg.Redaction.Secret = strings.Repeat("5e", 32)
	cfgPath, _, _ := writeRunFiles(t, cfg)
	code, _, stderr := runWorker(t, "validate", "-c", cfgPath)
	if code != 0 {
		t.Fatalf("validate = %d: %s", code, stderr)
	}
	for _, want := range []string{"kafka.tls.insecure_skip_verify", "redaction.secret: the secret is written in the config file"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("validate's warnings %q lack %q", stderr, want)
		}
	}
	if strings.Contains(stderr, cfg.Redaction.Secret) {
		t.Error("a warning printed the secret itself")
	}
	loaded, err := config.Load(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	signer := loaded.Keys.AuditSigner // resolved against the config's folder
	if err := os.Chmod(signer, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, cmd := range []string{"validate", "run"} {
		code, _, stderr := runWorker(t, cmd, "-c", cfgPath)
		if code == 0 || !strings.Contains(stderr, "chmod 600 "+signer) || !strings.Contains(stderr, "keys.audit_signer") {
			t.Errorf("%s with a 0644 audit key = %d, %q; want a refusal naming keys.audit_signer and the chmod", cmd, code, stderr)
		}
	}
}
