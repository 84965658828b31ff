package main

import (
	"context"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/deidstream/deidstream/internal/app"
	"github.com/deidstream/deidstream/internal/config"
	"github.com/deidstream/deidstream/internal/ops"
	"github.com/deidstream/deidstream/pipeline"
)

func init() {
	register(command{name: "run", summary: "run the streaming worker: consume, de-identify, anonymize, seal, publish exactly once", run: runRun})
}

func runRun(ctx context.Context, s stdio, args []string) int {
	fs := newFlags(s, "run", "[-c config.yaml]",
		"Consumes the input topics in the consumer group, de-identifies, anonymizes and seals each window, and\n"+
			"publishes it exactly once. Runs until SIGTERM or SIGINT, then finishes or aborts the open window\n"+
			"within ops.drain_timeout and leaves the group. Logs one INFO line per committed window (counts only).")
	var cfgPath string
	fs.configFlag(&cfgPath, "config.yaml", "config `file` (internal/config/example.yaml shows every key)")
	if code, ok := fs.parse(args); !ok {
		return code
	}
	cfg, keys, err := loadRunConfig(cfgPath)
	if err != nil {
		fmt.Fprintln(s.Stderr, "worker run:", err)
		return 1
	}
	log := newLogger(s.Stderr, cfg.Ops.LogLevel)
	warnInsecure(log, cfg)
	reg := prometheus.NewRegistry()
	stops := app.NewStopCounter(reg)
	var built atomic.Pointer[pipeline.Worker]
	var starting app.StartStatus
	// The ops endpoints come up before the worker is built, so a start that
	// fails (an audit log that does not verify) is visible on /metrics too,
	// and one that waits for Kafka says so on /readyz.
	if cfg.Ops.Listen != "" {
		srv, err := ops.Listen(cfg.Ops.Listen, reg, func() error {
			if w := built.Load(); w != nil {
				return w.Readiness()
			}
			return starting.Readiness()
		}, log)
		if err != nil {
			fmt.Fprintln(s.Stderr, "worker run:", err)
			return 1
		}
		defer func() {
			sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			_ = srv.Close(sctx)
		}()
	}
	// stopped counts why the worker stops and keeps /metrics served for
	// ops.linger (or until SIGTERM), so Prometheus scrapes the cause.
	stopped := func(err error) int {
		stops.WithLabelValues(app.StopCause(err)).Inc()
		log.Error("worker stopped on error", "error", err, "cause", app.StopCause(err))
		if cfg.Ops.Listen != "" && cfg.Ops.Linger > 0 {
			select {
			case <-ctx.Done():
			case <-time.After(cfg.Ops.Linger):
			}
		}
		return 1
	}
	w, err := app.StartWorker(ctx, cfg, keys, reg, log, &starting)
	if err != nil && ctx.Err() != nil {
		// SIGTERM before the worker ran: nothing was consumed, nothing waits to be drained.
		log.Info("stopped while starting; nothing was consumed", "step_cut_short", err.Error())
		return 0
	}
	if err != nil {
		return stopped(err)
	}
	built.Store(w)
	log.Info("worker starting", "worker_id", cfg.Worker.ID, "input_topics", cfg.Topics.Input, "schema", w.SchemaFingerprint())
	if err := w.Run(ctx); err != nil {
		return stopped(err)
	}
	log.Info("worker stopped")
	return 0
}

// warnInsecure logs each setting that weakens security (config.Warnings), once at start.
func warnInsecure(log *slog.Logger, cfg *config.Config) {
	for _, w := range cfg.Warnings() {
		log.Warn("insecure setting", "setting", w)
	}
}

// loadRunConfig loads what `run` and `backfill` need before they connect to
// Kafka: the config, the key files and the redaction secret, so a bad secret
// or key fails at once instead of after the broker answers (or never does).
func loadRunConfig(path string) (*config.Config, app.Keys, error) {
	cfg, err := config.Load(path)
	if err != nil {
		return nil, app.Keys{}, err
	}
	keys, err := app.LoadKeys(cfg)
	if err != nil {
		return nil, app.Keys{}, err
	}
	if err := cfg.Redaction.Validate(); err != nil {
		return nil, app.Keys{}, fmt.Errorf("%s: redaction: %w", cfg.Where("redaction.secret"), err)
	}
	return cfg, keys, nil
}
