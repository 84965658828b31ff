package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"math/big"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/deidstream/deidstream/audit"
	"github.com/deidstream/deidstream/internal/app"
	"github.com/deidstream/deidstream/kafkaconn"
)

// Three workers of one group release DP statistics for one dataset whose
// budget holds 10 releases, with three times as many windows: they race for
// the last of it. The ledger, read back, never records more than the budget;
// the audit log shows no more releases than it holds, every one of them
// published, and every later window refused (audited, rows still published);
// no record is lost or published twice.
func TestIntegrationDPBudgetRaceOfThreeWorkers(t *testing.T) {
	const n, workers = 1500, 3
	cfg := integrationConfig(t)
	cfg.Window.MaxRecords = 50
	cfg.DP.Budget, cfg.DP.PerRelease = 0.5, 0.05
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	conn, err := cfg.Kafka.Opts()
	if err != nil {
		t.Fatal(err)
	}
	if err := produceSynthetic(ctx, conn, cfg.Topics.Input[0], n, 21, 0); err != nil {
		t.Fatal(err)
	}
	_, keys, research := writeRunFiles(t, cfg)
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))

	rctx, stop := context.WithCancel(ctx)
	defer stop()
	regs := make([]*prometheus.Registry, workers)
	errs := make(chan error, workers)
	var wg sync.WaitGroup
	for i := range workers {
		c := *cfg
		c.Worker.ID = cfg.Worker.ID + string(rune('a'+i))
		regs[i] = prometheus.NewRegistry()
		w, err := app.NewWorker(ctx, &c, keys, regs[i], quiet)
		if err != nil {
			t.Fatal(err)
		}
		wg.Go(func() { errs <- w.Run(rctx) })
	}
	waitFor(t, 4*time.Minute, "every record to be committed by the three workers", func() bool {
		var settled float64
		for _, reg := range regs {
			settled += settledRecords(reg)
		}
		return settled >= n
	})
	stop()
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("worker stopped on error: %v", err)
		}
	}

	o, err := readOutputs(ctx, cfg, conn, research, keys.Signer.Verifier())
	if err != nil {
		t.Fatal(err)
	}
	checkExactlyOnce(t, o, n)
	budget := big.NewRat(1, 2)
	each := big.NewRat(1, 20)

	// The ledger, as a steward reads it.
	recs, err := kafkaconn.ReadAll(ctx, conn, cfg.Topics.Budget)
	if err != nil {
		t.Fatal(err)
	}
	var last struct{ Spent string }
	for _, r := range recs {
		if string(r.Key) == cfg.DP.Dataset {
			if err := json.Unmarshal(r.Value, &last); err != nil {
				t.Fatal(err)
			}
		}
	}
	spent, ok := new(big.Rat).SetString(last.Spent)
	if !ok || spent.Cmp(budget) > 0 {
		t.Fatalf("ledger records spent %q, want at most the budget 1/2", last.Spent)
	}

	// The audit log: releases of committed windows, refusals, who released.
	released, refusedWindows := 0, 0
	releasers := map[string]bool{}
	for _, w := range o.windows {
		switch {
		case w.DP == nil:
			t.Errorf("window %d of %s has no DP summary", w.Window, w.WorkerID)
		case w.DP.Refused:
			refusedWindows++
		default:
			released++
			releasers[w.WorkerID] = true
			if w.DP.Spent > 0.5+1e-9 {
				t.Errorf("window %d of %s audits a spend of %v, over the budget 0.5", w.Window, w.WorkerID, w.DP.Spent)
			}
		}
	}
	msgs, err := audit.ReadTopic(ctx, cfg.Topics.Audit, conn...)
	if err != nil {
		t.Fatal(err)
	}
	refusals := 0
	for _, m := range msgs {
		if d, err := audit.DecodeEntry(m.Value); err == nil && d.Lifecycle != nil && d.Lifecycle.Type == "budget_refused" {
			refusals++
		}
	}
	sum := new(big.Rat).Mul(each, big.NewRat(int64(released), 1))
	t.Logf("%d windows: %d released (by %d workers), %d refused; ledger spent %s", len(o.windows), released,
		len(releasers), refusedWindows, spent.RatString())
	if sum.Cmp(spent) > 0 {
		t.Errorf("the audit log shows %d releases (%s spent), more than the ledger's %s", released, sum.RatString(), spent.RatString())
	}
	if released == 0 || refusedWindows == 0 {
		t.Errorf("%d releases and %d refusals: the workers did not reach the end of the budget", released, refusedWindows)
	}
	if o.stats != released {
		t.Errorf("%d statistics published, %d releases audited", o.stats, released)
	}
	if refusals != refusedWindows {
		t.Errorf("%d budget_refused events for %d refused windows", refusals, refusedWindows)
	}
}
