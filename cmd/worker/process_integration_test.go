package main

import (
	"context"
	"crypto/rand"
	"errors"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"go.yaml.in/yaml/v3"

	"github.com/deidstream/deidstream/audit"
	"github.com/deidstream/deidstream/envelope"
	"github.com/deidstream/deidstream/internal/app"
	"github.com/deidstream/deidstream/internal/config"
)

// These tests run the real binary as a separate process, so that a kill is a
// real SIGKILL: no deferred Close, no aborted transaction, no LeaveGroup.

func buildWorker(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "worker")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("building worker: %v\n%s", err, out)
	}
	return bin
}

// writeRunFiles writes keys and the config file `worker run` reads; the
// research private key goes to research.key beside it for `worker decrypt`.
func writeRunFiles(t *testing.T, cfg *config.Config) (cfgPath string, keys app.Keys, research *envelope.PrivateKey) {
	t.Helper()
	dir := t.TempDir()
	keys, research, err := demoKeys()
	if err != nil {
		t.Fatal(err)
	}
	for name, k := range map[string]*envelope.PublicKey{"research.pub": keys.Research[0], "security.pub": keys.Quarantine[0]} {
		b, err := k.MarshalText()
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	priv, err := research.MarshalText()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "research.key"), priv, 0o600); err != nil {
		t.Fatal(err)
	}
	signerKey, _, err := keys.Signer.WriteFiles(dir)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Keys = config.Keys{Research: []string{"research.pub"}, Quarantine: []string{"security.pub"}, AuditSigner: filepath.Base(signerKey)}
	cfg.Ops.Listen = ""
	cfg.Kafka.SessionTimeout = 6 * time.Second // the broker's minimum: a killed worker's partitions move soon
	b, err := yaml.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	cfgPath = filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(cfgPath, b, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := config.Load(cfgPath); err != nil {
		t.Fatalf("written config does not load: %v", err)
	}
	return cfgPath, keys, research
}

func startWorker(t *testing.T, bin, cfgPath string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(bin, "run", "-c", cfgPath)
	cmd.Stderr = &prefixWriter{t: t}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	return cmd
}

// prefixWriter sends the worker's log lines to the test log.
type prefixWriter struct{ t *testing.T }

func (p *prefixWriter) Write(b []byte) (int, error) {
	p.t.Logf("worker: %s", b)
	return len(b), nil
}

// settledIn reads the committed audit events and sums records in.
func settledIn(ctx context.Context, t *testing.T, cfg *config.Config) int64 {
	conn, _ := cfg.Kafka.Opts()
	msgs, err := audit.ReadTopic(ctx, cfg.Topics.Audit, conn...)
	if errors.Is(err, kerr.UnknownTopicOrPartition) {
		return 0 // the worker has not created it yet
	}
	if err != nil {
		t.Fatal(err)
	}
	var in int64
	for _, m := range msgs {
		if d, err := audit.DecodeEntry(m.Value); err == nil && d.Window != nil {
			in += d.Window.RecordsIn
		}
	}
	return in
}

func waitFor(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

func stopGracefully(t *testing.T, cmd *exec.Cmd, within time.Duration) {
	t.Helper()
	start := time.Now()
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("worker exited with %v after SIGTERM, want status 0", err)
		}
		t.Logf("worker drained and exited in %v after SIGTERM", time.Since(start).Round(time.Millisecond))
	case <-time.After(within):
		t.Fatalf("worker still running %v after SIGTERM", within)
	}
}

// lastLifecycle returns the type of the worker's last lifecycle event.
func lastLifecycle(ctx context.Context, t *testing.T, cfg *config.Config) string {
	if all := lifecycles(ctx, t, cfg); len(all) > 0 {
		return all[len(all)-1]
	}
	return ""
}

// lifecycles returns the types of the audit log's lifecycle events, in order.
func lifecycles(ctx context.Context, t *testing.T, cfg *config.Config) []string {
	conn, _ := cfg.Kafka.Opts()
	msgs, err := audit.ReadTopic(ctx, cfg.Topics.Audit, conn...)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, m := range msgs {
		if d, err := audit.DecodeEntry(m.Value); err == nil && d.Lifecycle != nil {
			out = append(out, d.Lifecycle.Type)
		}
	}
	return out
}

// A worker killed at random moments, three times, then run to the end,
// publishes every record exactly once, and its audit log still verifies.
func TestIntegrationKillAtAnyMoment(t *testing.T) {
	const n = 40_000
	cfg := integrationConfig(t)
	cfg.Window.MaxRecords = 2000
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	conn, _ := cfg.Kafka.Opts()
	if err := produceSynthetic(ctx, conn, cfg.Topics.Input[0], n, 11, 0.01); err != nil {
		t.Fatal(err)
	}
	bin := buildWorker(t)
	cfgPath, keys, research := writeRunFiles(t, cfg)
	for i := range 3 {
		cmd := startWorker(t, bin, cfgPath)
		ms, _ := rand.Int(rand.Reader, big.NewInt(3500))
		time.Sleep(500*time.Millisecond + time.Duration(ms.Int64())*time.Millisecond)
		if err := cmd.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		_ = cmd.Wait()
		t.Logf("kill %d: %d of %d records committed so far", i+1, settledIn(ctx, t, cfg), n)
	}
	// The last worker has started once its start event is in the log: the killed
	// ones may have committed everything already, and a SIGTERM before the start
	// stops it with nothing to drain and no stop event.
	before := len(lifecycles(ctx, t, cfg))
	cmd := startWorker(t, bin, cfgPath)
	waitFor(t, 2*time.Minute, "the last worker's start event", func() bool {
		return slices.Contains(lifecycles(ctx, t, cfg)[before:], audit.TypeStart)
	})
	waitFor(t, 5*time.Minute, "every record to be committed", func() bool { return settledIn(ctx, t, cfg) >= n })
	stopGracefully(t, cmd, 30*time.Second)
	if got := lastLifecycle(ctx, t, cfg); got != "stop" {
		t.Errorf("last lifecycle event %q, want stop", got)
	}
	o, err := readOutputs(ctx, cfg, conn, research, keys.Signer.Verifier())
	if err != nil {
		t.Fatal(err)
	}
	checkExactlyOnce(t, o, n)
}

// SIGTERM with a backlog still to read: the worker finishes or aborts its open
// window within the drain timeout, exits 0, and what it committed is whole;
// a restart picks up exactly where it stopped.
func TestIntegrationGracefulShutdown(t *testing.T) {
	const n = 60_000
	cfg := integrationConfig(t)
	cfg.Window.MaxRecords = 1000
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	conn, _ := cfg.Kafka.Opts()
	if err := produceSynthetic(ctx, conn, cfg.Topics.Input[0], n, 13, 0); err != nil {
		t.Fatal(err)
	}
	bin := buildWorker(t)
	cfgPath, keys, research := writeRunFiles(t, cfg)
	cmd := startWorker(t, bin, cfgPath)
	waitFor(t, 2*time.Minute, "a first committed window", func() bool { return settledIn(ctx, t, cfg) > 0 })
	stopGracefully(t, cmd, cfg.Ops.DrainTimeout+10*time.Second)
	mid := settledIn(ctx, t, cfg)
	if mid >= n {
		t.Fatalf("all %d records were done before SIGTERM; the test needs a backlog", n)
	}
	if got := lastLifecycle(ctx, t, cfg); got != "stop" {
		t.Errorf("last lifecycle event after SIGTERM %q, want stop", got)
	}
	t.Logf("stopped after %d of %d records", mid, n)
	cmd = startWorker(t, bin, cfgPath)
	waitFor(t, 5*time.Minute, "the rest to be committed", func() bool { return settledIn(ctx, t, cfg) >= n })
	stopGracefully(t, cmd, 30*time.Second)
	o, err := readOutputs(ctx, cfg, conn, research, keys.Signer.Verifier())
	if err != nil {
		t.Fatal(err)
	}
	checkExactlyOnce(t, o, n)
}
