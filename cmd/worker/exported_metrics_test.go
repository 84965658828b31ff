package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/twmb/franz-go/pkg/kgo"
	"go.yaml.in/yaml/v3"

	"github.com/deidstream/deidstream/detectors"
	"github.com/deidstream/deidstream/internal/app"
	"github.com/deidstream/deidstream/internal/config"
	"github.com/deidstream/deidstream/internal/ops"
	"github.com/deidstream/deidstream/redact"
	"github.com/deidstream/deidstream/synth"
)

// canaryValue is planted in the scraped worker's input.
const canaryValue = "Zebulon Quixbury"

// scrapeWorker runs a worker built as `worker run` builds it, on kfake, over
// synthetic records (whose notes hold phone numbers, a type the first pass is
// set to miss: PHONE disabled) and some with a planted canary, and returns
// the series its /metrics endpoint serves while it runs.
func scrapeWorker(t *testing.T) map[string]float64 {
	t.Helper()
	// serveWorker's cleanup stops the worker before kfakeDemo's close the cluster.
	cfg, conn, ctx := kfakeDemo(t, 2*time.Minute)
	plantCanary(t, cfg)
	const n, planted = 300, 20
	if err := produceSynthetic(ctx, conn, cfg.Topics.Input[0], n-planted, 3, 0.05); err != nil {
		t.Fatal(err)
	}
	producePlanted(ctx, t, conn, cfg.Topics.Input[0], planted)
	keys, _, err := demoKeys()
	if err != nil {
		t.Fatal(err)
	}
	reg, addr, errc := serveWorker(ctx, t, cfg, keys)
	for settledRecords(reg) < n {
		select {
		case err := <-errc:
			t.Fatalf("worker stopped: %v", err)
		case <-ctx.Done():
			t.Fatal("records not settled in time")
		case <-time.After(50 * time.Millisecond):
		}
	}
	return scrape(t, "http://"+addr+"/metrics")
}

// serveWorker builds a worker as `worker run` does, serves its ops endpoints
// on a free loopback port and runs it until the test ends (a Run error then
// fails the test). errc reports Run's end early.
func serveWorker(ctx context.Context, t *testing.T, cfg *config.Config, keys app.Keys) (reg *prometheus.Registry, addr string, errc <-chan error) {
	t.Helper()
	reg = prometheus.NewRegistry()
	app.NewStopCounter(reg) // as `worker run` registers it
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	w, err := app.NewWorker(ctx, cfg, keys, reg, quiet)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := ops.Listen("127.0.0.1:0", reg, w.Readiness, quiet)
	if err != nil {
		t.Fatal(err)
	}
	rctx, stop := context.WithCancel(ctx)
	ch := make(chan error, 1)
	go func() { ch <- w.Run(rctx) }()
	t.Cleanup(func() {
		stop()
		select {
		case err := <-ch:
			if err != nil {
				t.Errorf("worker: %v", err)
			}
		case <-time.After(30 * time.Second):
			t.Error("worker did not stop in 30s")
		}
		_ = srv.Close(context.Background())
	})
	return reg, srv.Addr(), ch
}

// plantCanary sets cfg up as a misconfigured first pass: PHONE disabled and
// canaryValue allow-listed, with canaryValue's keyed hash in monitor.canaries.
func plantCanary(t *testing.T, cfg *config.Config) {
	t.Helper()
	cfg.Detection.Disabled = []detectors.Type{detectors.Phone}
	cfg.Detection.Allow = append(cfg.Detection.Allow, canaryValue, "Zebulon", "Quixbury")
	h, err := redact.NewCanaryHasher(cfg.Redaction)
	if err != nil {
		t.Fatal(err)
	}
	sum, err := h.Hash(canaryValue)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Monitor.Canaries = []string{sum}
}

// producePlanted produces n synthetic records whose notes end with canaryValue.
func producePlanted(ctx context.Context, t *testing.T, conn []kgo.Opt, topic string, n int) {
	t.Helper()
	cl, err := kgo.NewClient(conn...)
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	g := synth.NewGenerator(synth.Options{Seed: 99})
	for range n {
		raw, _ := g.Next()
		var rec map[string]any
		if err := json.Unmarshal(raw, &rec); err != nil {
			t.Fatal(err)
		}
		rec["note"] = fmt.Sprint(rec["note"]) + " Visitor: " + canaryValue + "."
		b, _ := json.Marshal(rec)
		if err := cl.ProduceSync(ctx, &kgo.Record{Topic: topic, Value: b}).FirstErr(); err != nil {
			t.Fatal(err)
		}
	}
}

// scrape returns every served series (name and labels as served) with its value.
func scrape(t *testing.T, url string) map[string]float64 {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	series := map[string]float64{}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if i < 0 || err != nil {
			t.Fatalf("unreadable exposition line %q", line)
		}
		series[line[:i]] = v
	}
	if len(series) == 0 {
		t.Fatalf("no metric served at %s", url)
	}
	return series
}

// metricNames are the names of the served series.
func metricNames(series map[string]float64) map[string]bool {
	names := map[string]bool{}
	for s := range series {
		if i := strings.IndexByte(s, '{'); i > 0 {
			s = s[:i]
		}
		names[s] = true
	}
	return names
}

// queried are the worker metric names a PromQL expression uses.
var queried = regexp.MustCompile(`\b(?:deid|go|process)_[a-z0-9_]+\b`)

// TestDashboardAndAlertsUseExportedMetrics: every query of the Grafana
// dashboards and every alert rule names only metrics a running worker serves
// (plus Prometheus's own up), and each one names at least one.
func TestDashboardAndAlertsUseExportedMetrics(t *testing.T) {
	names := metricNames(scrapeWorker(t))
	check := func(where, expr string) {
		used := queried.FindAllString(expr, -1)
		if len(used) == 0 && !strings.Contains(expr, "up{") {
			t.Errorf("%s: %q names no worker metric", where, expr)
		}
		for _, m := range used {
			if !names[m] {
				t.Errorf("%s: %s is not a metric the worker serves", where, m)
			}
		}
	}
	dashboards, err := filepath.Glob("../../deploy/grafana/dashboards/*.json")
	if err != nil || len(dashboards) == 0 {
		t.Fatalf("no dashboard in deploy/grafana/dashboards (%v)", err)
	}
	for _, path := range dashboards {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var d struct {
			Panels []struct {
				Title   string `json:"title"`
				Targets []struct {
					Expr string `json:"expr"`
				} `json:"targets"`
			} `json:"panels"`
		}
		if err := json.Unmarshal(b, &d); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if len(d.Panels) == 0 {
			t.Errorf("%s: no panel", path)
		}
		for _, p := range d.Panels {
			if len(p.Targets) == 0 {
				t.Errorf("%s: panel %q has no query", path, p.Title)
			}
			for _, q := range p.Targets {
				check(fmt.Sprintf("%s: panel %q", filepath.Base(path), p.Title), q.Expr)
			}
		}
	}
	b, err := os.ReadFile("../../deploy/prometheus/alerts.yml")
	if err != nil {
		t.Fatal(err)
	}
	var rules struct {
		Groups []struct {
			Rules []struct {
				Alert string `yaml:"alert"`
				Expr  string `yaml:"expr"`
			} `yaml:"rules"`
		} `yaml:"groups"`
	}
	if err := yaml.Unmarshal(b, &rules); err != nil {
		t.Fatal(err)
	}
	for _, g := range rules.Groups {
		for _, r := range g.Rules {
			check("alerts.yml: "+r.Alert, r.Expr)
		}
	}
}

// TestMonitorFindsPlantedCanaryAndMiss: the worker's residual-PHI monitor
// finds the planted canary and the phone number the first pass was set to
// miss, and says so in its metrics, without content in any series.
func TestMonitorFindsPlantedCanaryAndMiss(t *testing.T) {
	series := scrapeWorker(t)
	if series["deid_canary_hits_total"] < 1 {
		t.Errorf("deid_canary_hits_total = %v, want >= 1", series["deid_canary_hits_total"])
	}
	if series[`deid_residual_phi_findings_total{type="PHONE"}`] < 1 {
		t.Errorf("no PHONE residual finding: %v", series[`deid_residual_phi_findings_total{type="PHONE"}`])
	}
	for s := range series {
		for _, leak := range []string{"quixbury", "Quixbury", "Zebulon"} {
			if strings.Contains(s, leak) {
				t.Errorf("a served series holds record content: %s", s)
			}
		}
	}
}
