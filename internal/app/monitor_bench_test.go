package app

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/deidstream/deidstream/synth"
)

// BenchmarkMonitorCost measures the residual-PHI monitor's cost at the
// default sample rate against the detect/redact stage alone, on the same
// synthetic records in the same run. The stage is most of a full worker's
// CPU per record (benchmarks/results/monitor.md), so the ratio of the two is
// an upper bound on the monitor's share of full pipeline throughput.
//
//	go test ./internal/app -run '^$' -bench MonitorCost -benchtime 4000x -count 5
func BenchmarkMonitorCost(b *testing.B) {
	cfg := demoConfig(b)
	red, m := newTestMonitor(b, cfg)
	g := synth.NewGenerator(synth.Options{Seed: 11})
	recs := make([]map[string]any, 0, 4000)
	for len(recs) < cap(recs) {
		raw, _ := g.Next()
		var rec map[string]any
		if json.Unmarshal(raw, &rec) == nil {
			recs = append(recs, rec)
		}
	}
	run := func(b *testing.B, every int) {
		b.ReportAllocs()
		n := 0
		for i := 0; b.Loop(); i++ {
			out, err := red.Process(recs[i%len(recs)])
			if err != nil || out.Reject != "" {
				continue
			}
			if n++; every > 0 && n%every == 0 {
				m.Inspect(out.Values)
			}
		}
	}
	b.Run("redact", func(b *testing.B) { run(b, 0) })
	b.Run("redact+monitor_every_100", func(b *testing.B) { run(b, cfg.Monitor.Every) })
	b.Run("redact+monitor_every_record", func(b *testing.B) { run(b, 1) })
	// The same, interleaved record by record so that the machine's load hits
	// both alike: the monitor's time as a share of the stage's.
	b.Run("share_every_100", func(b *testing.B) {
		var stage, mon time.Duration
		n := 0
		for i := 0; b.Loop(); i++ {
			t0 := time.Now()
			out, err := red.Process(recs[i%len(recs)])
			t1 := time.Now()
			stage += t1.Sub(t0)
			if err != nil || out.Reject != "" {
				continue
			}
			if n++; n%cfg.Monitor.Every == 0 {
				m.Inspect(out.Values)
				mon += time.Since(t1)
			}
		}
		b.ReportMetric(100*mon.Seconds()/stage.Seconds(), "%_of_redact")
	})
}
