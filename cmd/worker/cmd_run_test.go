package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/deidstream/deidstream/internal/config"
)

// TestRunChecksSecretBeforeKafka: a secret that cannot key anything fails
// `run`, `backfill` and `validate` at once, naming the secret, with no broker
// there to answer (127.0.0.1:1 refuses connections).
func TestRunChecksSecretBeforeKafka(t *testing.T) {
	for _, tc := range []struct{ name, secret, want string }{
		{"64 zeros", strings.Repeat("0", 64), "all zero"},
		{"64 characters, not hex", strings.Repeat("z", 64), "not hex"},
		{"too short", "short", "at least 32 bytes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := config.Demo()
			if err != nil {
				t.Fatal(err)
			}
			cfg.Kafka.Brokers = []string{"127.0.0.1:1"}
			cfg.Redaction.Secret = tc.secret
			cfgPath, _, _ := writeRunFiles(t, cfg)
			for _, cmd := range []string{"run", "backfill", "validate"} {
				ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
				start := time.Now()
				var out, errs strings.Builder
				code := dispatch(ctx, stdio{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errs}, []string{cmd, "--config", cfgPath})
				cancel()
				if code != 1 || !strings.Contains(errs.String(), "secret") || !strings.Contains(errs.String(), tc.want) {
					t.Errorf("%s: exit %d, stderr %q: want 1 and the secret's problem (%q)", cmd, code, errs.String(), tc.want)
				}
				if took := time.Since(start); took > 5*time.Second {
					t.Errorf("%s: took %v: the secret was checked after trying Kafka", cmd, took)
				}
				if strings.Contains(errs.String(), tc.secret) && len(tc.secret) > 5 {
					t.Errorf("%s: the error quotes the secret", cmd)
				}
			}
		})
	}
}
