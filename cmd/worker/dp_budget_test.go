package main

import (
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/deidstream/deidstream/audit"
	"github.com/deidstream/deidstream/internal/app"
	"github.com/deidstream/deidstream/kafkaconn"
)

// The budget holds two releases. The third and later windows are refused:
// audited, counted, no statistics published, rows still published. A restart
// restores the ledger from its topic and keeps refusing.
func TestDPBudgetIsEnforcedAcrossRestarts(t *testing.T) {
	cfg, conn, ctx := kfakeDemo(t, 2*time.Minute)
	cfg.Window.MaxRecords = 100
	cfg.DP.Budget, cfg.DP.PerRelease = 0.1, 0.05
	if err := produceSynthetic(ctx, conn, cfg.Topics.Input[0], 400, 9, 0); err != nil {
		t.Fatal(err)
	}
	keys, _, err := demoKeys()
	if err != nil {
		t.Fatal(err)
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	run := func(n int) {
		reg := prometheus.NewRegistry()
		w, err := app.NewWorker(ctx, cfg, keys, reg, quiet)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := runUntilSettled(ctx, w, reg, n); err != nil {
			t.Fatal(err)
		}
	}
	run(400)
	stats, err := kafkaconn.ReadAll(ctx, conn, cfg.Topics.Stats)
	if err != nil {
		t.Fatal(err)
	}
	if len(stats) != 2 {
		t.Fatalf("%d statistics releases, want exactly the 2 the budget allows", len(stats))
	}
	refusals := func() (refused, windows int, spent float64) {
		msgs, err := audit.ReadTopic(ctx, cfg.Topics.Audit, conn...)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range msgs {
			d, err := audit.DecodeEntry(m.Value)
			if err != nil {
				continue
			}
			if d.Lifecycle != nil && d.Lifecycle.Type == "budget_refused" {
				refused++
			}
			if d.Window != nil {
				windows++
				if d.Window.DP != nil {
					spent = d.Window.DP.Spent
				}
				if d.Window.Published == 0 {
					t.Errorf("window %d published no rows", d.Window.Window)
				}
			}
		}
		return
	}
	refused, windows, spent := refusals()
	if windows < 3 || refused != windows-2 {
		t.Fatalf("%d windows, %d budget_refused events; want every window after the second refused", windows, refused)
	}
	if spent < 0.0999 || spent > 0.1001 {
		t.Errorf("audited spend %v, want the whole budget 0.1", spent)
	}

	// A restarted worker reads the ledger back: still no budget.
	if err := produceSynthetic(ctx, conn, cfg.Topics.Input[0], 100, 10, 0); err != nil {
		t.Fatal(err)
	}
	run(100)
	stats, err = kafkaconn.ReadAll(ctx, conn, cfg.Topics.Stats)
	if err != nil {
		t.Fatal(err)
	}
	if len(stats) != 2 {
		t.Fatalf("after a restart %d statistics releases, want still 2: the ledger was not restored", len(stats))
	}
	if r, _, _ := refusals(); r != refused+1 {
		t.Errorf("after a restart %d refusals, want %d", r, refused+1)
	}
}
