package main

import (
	"context"
	"crypto/rand"
	"fmt"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/deidstream/deidstream/arrowbatch"
	"github.com/deidstream/deidstream/audit"
	"github.com/deidstream/deidstream/envelope"
	"github.com/deidstream/deidstream/internal/config"
	"github.com/deidstream/deidstream/internal/kafkatest"
	"github.com/deidstream/deidstream/kafkaconn"
	"github.com/deidstream/deidstream/privacy"
)

// TestIntegrationCarryKilled: with privacy.carry, a worker SIGKILLed while
// rows wait in its carry state, three times, then run to the end, loses and
// duplicates nothing: the state committed with each window is read back
// (sealed, from the carry topic) and the rows it holds are released or
// suppressed by a later window. The auditor's proof (audit.Reconcile) finds
// every input offset consumed once and settled once (the last worker,
// stopped by SIGTERM, releases what it holds before it leaves: none is held
// at the end); every release verifies on its own (privacy.VerifyRelease on
// the decrypted rows), and no research row names its source.
// With distinct l=2 the stream releases its whole pool every fourth window
// (privacy.carry.release auto: pooled): the same must hold.
func TestIntegrationCarryKilled(t *testing.T) {
	t.Run("k", func(t *testing.T) { carryKilled(t, 0) })
	t.Run("l=2 pooled", func(t *testing.T) { carryKilled(t, 2) })
}

func carryKilled(t *testing.T, l float64) {
	const n, kills = 6000, 3
	cfg := integrationConfig(t)
	cfg.Window.MaxRecords = 150 // small windows: rows wait for company
	cfg.Privacy.Carry = privacy.StreamConfig{MaxDelay: 3}
	if l > 0 {
		cfg.Privacy.L, cfg.Privacy.Sensitive = l, "diagnosis_code"
	}
	cfg.Topics.Carry = cfg.Topics.Input[0] + ".carry"
	adm := kafkatest.Admin(t)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		adm.DeleteTopics(ctx, cfg.Topics.Carry)
	})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	conn, _ := cfg.Kafka.Opts()
	produced := 0
	produce := func(k int) {
		t.Helper()
		if err := produceSynthetic(ctx, conn, cfg.Topics.Input[0], k, uint64(29+produced), 0.01); err != nil {
			t.Fatal(err)
		}
		produced += k
	}
	bin := buildWorker(t)
	cfgPath, keys, research := writeRunFiles(t, cfg)
	for i := range kills {
		produce(n / (kills + 1))
		cmd := startWorker(t, bin, cfgPath)
		// Kill the second process at a random moment (starting, mid-window,
		// or with everything consumed); the others once everything produced
		// is consumed and the last committed window holds rows for the next
		// one (more input until a window holds rows).
		if i == 1 {
			ms, _ := rand.Int(rand.Reader, big.NewInt(1200))
			time.Sleep(300*time.Millisecond + time.Duration(ms.Int64())*time.Millisecond)
		}
		waitFor(t, 3*time.Minute, "a committed window holding rows", func() bool {
			if i == 1 {
				return true
			}
			if settledIn(ctx, t, cfg) < int64(produced) {
				return false
			}
			if ws := windowEvents(ctx, t, cfg); ws[len(ws)-1].Carry.Out > 0 {
				return true
			}
			produce(50)
			return false
		})
		if err := cmd.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		_ = cmd.Wait()
		held := int64(0)
		if ws := windowEvents(ctx, t, cfg); len(ws) > 0 {
			held = ws[len(ws)-1].Carry.Out
		}
		t.Logf("kill %d: %d of %d records consumed, %d rows held by the last committed window", i+1, settledIn(ctx, t, cfg), produced, held)
	}
	produce(n - produced)
	cmd := startWorker(t, bin, cfgPath)
	waitFor(t, 5*time.Minute, "every record to be consumed", func() bool { return settledIn(ctx, t, cfg) >= int64(produced) })
	stopGracefully(t, cmd, 30*time.Second)

	o, err := readOutputs(ctx, cfg, conn, research, keys.Signer.Verifier())
	if err != nil {
		t.Fatal(err)
	}
	if !o.report.OK {
		t.Fatalf("audit log does not verify: %v", o.report.Findings)
	}
	// What an auditor runs: the proof from the topics alone.
	loaded, err := config.Load(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	rec, err := reconcile(ctx, loaded, conn, research, keys.Signer.Verifier())
	if err != nil {
		t.Fatal(err)
	}
	if !rec.OK() {
		t.Fatalf("reconcile: %s", strings.Join(rec.Problems, "\n"))
	}
	if rec.Consumed != produced || rec.Settled+rec.Quarantined != produced || rec.Carried != 0 || rec.Published != 0 || rec.Suppressed != 0 {
		t.Errorf("reconcile: %+v; want %d consumed, each settled or quarantined, none held after the graceful stop", rec, produced)
	}
	code, stdout, stderr := auditReconcile(t, cfgPath)
	if code != 0 || !strings.Contains(stdout, fmt.Sprintf("held for a later window %d\n", rec.Carried)) || !strings.Contains(stdout, "exactly once") {
		t.Errorf("audit reconcile = %d\n%s%s", code, stdout, stderr)
	}
	var carriedIn, maxWaited int64
	for _, w := range o.windows {
		carriedIn += w.Carry.In
		maxWaited = max(maxWaited, int64(len(w.Carry.Waited)-1))
	}
	if carriedIn == 0 {
		t.Error("no window carried rows in: the test did not exercise carry-over")
	}
	t.Logf("reconcile: %d consumed, %d settled, %d quarantined, %d held at the end; %d rows carried into a later window (summed per window), waited at most %d",
		rec.Consumed, rec.Settled, rec.Quarantined, rec.Carried, carriedIn, maxWaited)
	for _, r := range o.rows {
		if r.Offset >= 0 || r.Topic != "" {
			t.Fatalf("a research row names its source %s/%d/%d: carry-over must not publish it", r.Topic, r.Partition, r.Offset)
		}
	}
	checkReleasesVerify(ctx, t, cfg, research, o.windows)
}

// checkReleasesVerify decrypts each window's research batches and checks the
// release on its own: every class holds every model of the config.
func checkReleasesVerify(ctx context.Context, t *testing.T, cfg *config.Config, key *envelope.PrivateKey, windows []*audit.WindowEvent) {
	t.Helper()
	conn, _ := cfg.Kafka.Opts()
	recs, err := kafkaconn.ReadAll(ctx, conn, cfg.Topics.Research)
	if err != nil {
		t.Fatal(err)
	}
	batches := map[string][]arrowbatch.Row{}
	var columns []string
	for _, r := range recs {
		plain, prov, err := envelope.Open(r.Value, key)
		if err != nil {
			t.Fatal(err)
		}
		cols, rows, err := arrowbatch.Decode(plain)
		if err != nil {
			t.Fatal(err)
		}
		columns, batches[prov.BatchID] = cols, rows
	}
	verified := 0
	for _, w := range windows {
		rel := privacy.Table{Columns: columns}
		for _, id := range w.BatchIDs {
			for _, r := range batches[id] {
				rel.Rows = append(rel.Rows, r.Values)
			}
		}
		if int64(len(rel.Rows)) != w.Published {
			t.Errorf("window %d: %d rows in its batches, its event says %d published", w.Window, len(rel.Rows), w.Published)
		}
		if len(rel.Rows) == 0 {
			continue
		}
		m, err := privacy.VerifyRelease(rel, cfg.Privacy)
		if err != nil {
			t.Errorf("window %d: release does not verify: %v", w.Window, err)
		}
		if m.K < cfg.Privacy.K {
			t.Errorf("window %d: smallest class %d < k=%d", w.Window, m.K, cfg.Privacy.K)
		}
		verified++
	}
	t.Logf("%d releases verified on their own, every model (k=%d, l=%g)", verified, cfg.Privacy.K, cfg.Privacy.L)
	if verified == 0 {
		t.Error("no release to verify")
	}
}

// windowEvents reads the committed window events (none before the audit topic exists).
func windowEvents(ctx context.Context, t *testing.T, cfg *config.Config) []*audit.WindowEvent {
	t.Helper()
	conn, _ := cfg.Kafka.Opts()
	msgs, err := audit.ReadTopic(ctx, cfg.Topics.Audit, conn...)
	if err != nil {
		return nil
	}
	var out []*audit.WindowEvent
	for _, m := range msgs {
		if d, err := audit.DecodeEntry(m.Value); err == nil && d.Window != nil {
			out = append(out, d.Window)
		}
	}
	return out
}
