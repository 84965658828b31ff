package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	dto "github.com/prometheus/client_model/go"

	"github.com/deidstream/deidstream/audit"
	"github.com/deidstream/deidstream/detectors"
	"github.com/deidstream/deidstream/envelope"
	"github.com/deidstream/deidstream/internal/app"
	"github.com/deidstream/deidstream/internal/config"
	"github.com/deidstream/deidstream/redact"
)

// benchConfig is the worker's config for one run. skeleton keeps every field
// of the benchmark records as it is (no detection), with no privacy models and
// no DP: decode, window, Arrow, seal and audit only. full is the demo policy:
// detection on the note, redaction, k-anonymity and DP statistics.
//
// monitor sets the residual-PHI monitor: default (the config's defaults: every
// 100th record and the whole first window), sample (every 100th record only,
// the steady state) or off (nothing inspected).
func benchConfig(brokers []string, run, in string, window int, which, monitor string) (*config.Config, error) {
	cfg, err := config.Demo()
	if err != nil {
		return nil, err
	}
	switch which {
	case "full":
	case "skeleton":
		cfg.Redaction.Fields = nil
		for _, f := range []string{"patient_id", "age", "sex", "zip", "diagnosis_code", "note"} {
			// Any value, and no detector behind keep's scan: every type is disabled.
			cfg.Redaction.Fields = append(cfg.Redaction.Fields, redact.FieldPolicy{Name: f, Action: redact.ActionKeep, Pattern: "(?s).*"})
		}
		cfg.Detection.Disabled = slices.Clone(detectors.AllTypes)
		cfg.Privacy.QuasiIdentifiers = nil
		cfg.DP.Dataset = ""
	default:
		return nil, fmt.Errorf("-stages %q: want skeleton or full", which)
	}
	switch monitor {
	case "default":
	case "sample":
		cfg.Monitor.FirstWindow = false
	case "off":
		cfg.Monitor.FirstWindow, cfg.Monitor.Every = false, 0
	default:
		return nil, fmt.Errorf("-monitor %q: want default, sample or off", monitor)
	}
	cfg.Kafka.Brokers = brokers
	cfg.Kafka.GroupID = run + "-worker"
	cfg.Worker.ID = run
	cfg.Topics.Input = []string{in}
	cfg.Topics.Research, cfg.Topics.Audit, cfg.Topics.Quarantine = run+".research", run+".audit", run+".quarantine"
	cfg.Topics.Stats, cfg.Topics.Budget = run+".stats", run+".budget"
	cfg.Window.MaxRecords = window
	cfg.Window.MaxWait = 2 * time.Second
	cfg.Input.Types = nil
	cfg.Redaction.Secret = strings.Repeat("3c", 32)
	cfg.DP.Budget = 1e6
	return cfg, cfg.Validate()
}

// runWorker runs the worker until n records are committed and returns the
// time from its first consumed record to the last commit.
func runWorker(ctx context.Context, brokers []string, run, in string, n, window int, which, monitor string) (time.Duration, string, error) {
	cfg, err := benchConfig(brokers, run, in, window, which, monitor)
	if err != nil {
		return 0, "", err
	}
	research, err := envelope.GenerateKey(rand.Reader)
	if err != nil {
		return 0, "", err
	}
	signer, err := audit.GenerateSigner("bench", rand.Reader)
	if err != nil {
		return 0, "", err
	}
	keys := app.Keys{Research: []*envelope.PublicKey{research.Public()}, Quarantine: []*envelope.PublicKey{research.Public()}, Signer: signer}
	reg := prometheus.NewRegistry()
	w, err := app.NewWorker(ctx, cfg, keys, reg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		return 0, "", err
	}
	// The run is timed by gathering reg every 5 ms: the collectors of the Go runtime and of the
	// process (which lists /proc/self/fd) would charge the worker for the harness's polling, 6.7 %
	// of the skeleton's CPU profile. A deployment is scraped every 15 s or so.
	if !reg.Unregister(collectors.NewGoCollector()) || !reg.Unregister(collectors.NewProcessCollector(collectors.ProcessCollectorOpts{})) {
		return 0, "", errors.New("the Go and process collectors were not registered as the benchmark expects")
	}
	rctx, stop := context.WithCancel(ctx)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- w.Run(rctx) }()
	var start time.Time
	var mark cpuMark
	for {
		select {
		case err := <-errc:
			return 0, "", errors.Join(err, errors.New("worker stopped early"))
		case <-time.After(5 * time.Millisecond):
		}
		mfs, _ := reg.Gather()
		var in, settled float64
		for _, mf := range mfs {
			for _, mm := range mf.GetMetric() {
				switch mf.GetName() {
				case "deid_records_in_total":
					in += mm.GetCounter().GetValue()
				case "deid_records_published_total", "deid_records_suppressed_total", "deid_records_quarantined_total":
					settled += mm.GetCounter().GetValue()
				}
			}
		}
		if start.IsZero() && in > 0 {
			start, mark = time.Now(), markCPU()
		}
		if settled >= float64(n) {
			elapsed, cpu := time.Since(start), mark.since()
			stop()
			<-errc
			printStages(mfs, elapsed)
			return elapsed, cpu, nil
		}
	}
}

// printStages shows where the worker's time went: the per-window stage
// histograms summed over the run, as a share of the elapsed time.
func printStages(mfs []*dto.MetricFamily, elapsed time.Duration) {
	for _, mf := range mfs {
		if mf.GetName() != "deid_stage_seconds" {
			continue
		}
		var parts []string
		for _, m := range mf.GetMetric() {
			sum := m.GetHistogram().GetSampleSum()
			parts = append(parts, fmt.Sprintf("%s %.0f%%", m.GetLabel()[0].GetValue(), 100*sum/elapsed.Seconds()))
		}
		fmt.Printf("worker time by stage (share of elapsed): %s\n", strings.Join(parts, ", "))
	}
}
