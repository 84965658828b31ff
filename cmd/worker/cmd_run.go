package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/deidstream/deidstream/config"
	"github.com/deidstream/deidstream/ops"
	"github.com/deidstream/deidstream/stages"
)

func init() {
	register(command{name: "run", summary: "run the streaming worker: consume, de-identify, anonymize, seal, publish exactly once", run: runRun})
}

func runRun(ctx context.Context, s stdio, args []string) int {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(s.Stderr)
	cfgPath := fs.String("c", "config.yaml", "config file (see config/example.yaml for every key)")
	fs.Usage = func() {
		fmt.Fprintln(s.Stderr, "usage: worker run -c config.yaml\n\nRuns until SIGTERM or SIGINT, then finishes or aborts the open window within ops.drain_timeout and leaves the group.\n\nflags:")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return flagExit(err)
	}
	cfg, err := config.Load(*cfgPath)
	if err != nil {
		fmt.Fprintln(s.Stderr, "worker run:", err)
		return 1
	}
	log := newLogger(s.Stderr, cfg.Ops.LogLevel)
	keys, err := stages.LoadKeys(cfg)
	if err != nil {
		fmt.Fprintln(s.Stderr, "worker run:", err)
		return 1
	}
	reg := prometheus.NewRegistry()
	w, err := newWorker(ctx, cfg, keys, reg, log)
	if err != nil {
		fmt.Fprintln(s.Stderr, "worker run:", err)
		return 1
	}
	if cfg.Ops.Listen != "" {
		srv, err := ops.Listen(cfg.Ops.Listen, reg, w.Ready, log)
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
	log.Info("worker starting", "worker_id", cfg.Worker.ID, "input_topics", cfg.Topics.Input, "schema", w.SchemaFingerprint())
	if err := w.Run(ctx); err != nil {
		log.Error("worker stopped on error", "error", err)
		return 1
	}
	log.Info("worker stopped")
	return 0
}

// flagExit maps a flag parse error to the exit status: 0 for -h, 2 otherwise.
func flagExit(err error) int {
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	return 2
}
