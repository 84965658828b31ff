package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"go.yaml.in/yaml/v3"

	"github.com/deidstream/deidstream/audit"
	"github.com/deidstream/deidstream/internal/config"
)

// TestIntegrationRestartAfterKillIsQuick: with the default session timeout (45 s), a worker
// SIGKILLed mid-stream and started again commits its next window within seconds, not after the
// group has waited out its dead self: static membership (kafka.static_membership) lets the new
// process take its partitions back at once, and its transactional id fences the old producer.
// Exactly-once holds across the kills.
func TestIntegrationRestartAfterKillIsQuick(t *testing.T) {
	const n, kills, each = 15_000, 10, 1_000 // the issue asks for the median of 10 restarts
	cfg := integrationConfig(t)
	cfg.Window.MaxRecords = 250
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	conn, _ := cfg.Kafka.Opts()
	produce := func(k int, seed uint64) {
		t.Helper()
		if err := produceSynthetic(ctx, conn, cfg.Topics.Input[0], k, seed, 0); err != nil {
			t.Fatal(err)
		}
	}
	bin := buildWorker(t)
	cfgPath, keys, research := writeRunFiles(t, cfg)
	setSessionTimeout(t, cfgPath, 45*time.Second)
	var restarts []time.Duration
	for i := 0; i <= kills; i++ {
		// Fresh records for every process: on a loaded machine a worker may drain all it was
		// given before the kill, and the next one would then have nothing to commit.
		produce(each, uint64(17+i))
		// Started right after the kill: the wait includes whatever the killed worker's open
		// transaction holds up, for the worker and for this reader of its audit log alike.
		start := time.Now()
		cmd := startWorker(t, bin, cfgPath)
		waitFor(t, 2*time.Minute, "a window committed by the new process", func() bool { return windowsSinceStart(ctx, t, cfg, i+1) > 0 })
		if i > 0 {
			restarts = append(restarts, time.Since(start)) // the first start creates topics: not a restart
		}
		if err := cmd.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		_ = cmd.Wait()
	}
	slices.Sort(restarts)
	t.Logf("restart to first commit after SIGKILL, %d restarts: median %v, max %v (session timeout 45s)",
		len(restarts), restarts[len(restarts)/2].Round(10*time.Millisecond), restarts[len(restarts)-1].Round(10*time.Millisecond))
	if worst := restarts[len(restarts)-1]; worst >= 30*time.Second {
		t.Errorf("a restart took %v to commit: the group waited for the killed member", worst)
	}
	produce(n-(kills+1)*each, 17+kills+1)
	cmd := startWorker(t, bin, cfgPath)
	waitFor(t, 5*time.Minute, "every record to be committed", func() bool { return settledIn(ctx, t, cfg) >= n })
	stopGracefully(t, cmd, 30*time.Second)
	o, err := readOutputs(ctx, cfg, conn, research, keys.Signer.Verifier())
	if err != nil {
		t.Fatal(err)
	}
	checkExactlyOnce(t, o, n)
	// What an auditor runs: the same proof from the topics alone, by offset.
	code, stdout, stderr := auditReconcile(t, cfgPath)
	if code != 0 || !strings.Contains(stdout, fmt.Sprintf("consumed %d\n", n)) || !strings.Contains(stdout, "exactly once") {
		t.Errorf("audit reconcile = %d\n%s%s", code, stdout, stderr)
	}
}

// auditReconcile runs `worker audit reconcile` on the run files of cfgPath, as an auditor would.
func auditReconcile(t *testing.T, cfgPath string) (code int, stdout, stderr string) {
	t.Helper()
	loaded, err := config.Load(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	return runWorker(t, "audit", "reconcile", "-c", cfgPath, "-k", filepath.Join(filepath.Dir(cfgPath), "research.key"),
		"--pub", strings.TrimSuffix(loaded.Keys.AuditSigner, ".key")+".pub")
}

// windowsSinceStart counts the window events of the audit log after its starts-th start event
// (0 until that start is in the log).
func windowsSinceStart(ctx context.Context, t *testing.T, cfg *config.Config, starts int) int {
	conn, _ := cfg.Kafka.Opts()
	msgs, err := audit.ReadTopic(ctx, cfg.Topics.Audit, conn...)
	if errors.Is(err, kerr.UnknownTopicOrPartition) {
		return 0
	}
	if err != nil {
		t.Fatal(err)
	}
	seen, windows := 0, 0
	for _, m := range msgs {
		d, err := audit.DecodeEntry(m.Value)
		switch {
		case err != nil:
		case d.Lifecycle != nil && d.Lifecycle.Type == audit.TypeStart:
			seen++
		case d.Window != nil && seen == starts:
			windows++
		}
	}
	return windows
}

// setSessionTimeout rewrites the session timeout of the config file at path.
func setSessionTimeout(t *testing.T, path string, d time.Duration) {
	t.Helper()
	rewriteConfig(t, path, func(cfg *config.Config) { cfg.Kafka.SessionTimeout = d })
}

// rewriteConfig changes the config file writeRunFiles wrote.
func rewriteConfig(t *testing.T, path string, change func(*config.Config)) {
	t.Helper()
	cfg, err := config.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	change(cfg)
	b, err := yaml.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}
