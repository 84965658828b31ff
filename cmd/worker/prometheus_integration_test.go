package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	neturl "net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/deidstream/deidstream/internal/app"
	"github.com/deidstream/deidstream/internal/kafkatest"
	"github.com/deidstream/deidstream/internal/testenv"
	"github.com/deidstream/deidstream/kafkaconn"
	"github.com/deidstream/deidstream/pipeline"
)

// TestIntegrationPrometheusAlertFires: a real Prometheus (loopback, temp
// dir) loads deploy/prometheus/alerts.yml and scrapes a worker on the real
// broker; once it has seen the worker, records with a planted canary are
// produced, and DeidCanarySeen must fire, as Prometheus's HTTP API reports.
func TestIntegrationPrometheusAlertFires(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a broker client and a Prometheus server")
	}
	bin, err := exec.LookPath("prometheus")
	if err != nil {
		testenv.Unavailable(t, "the prometheus server is not on PATH (scripts/setup.sh installs Debian's prometheus package)")
	}
	cfg := integrationConfig(t)
	plantCanary(t, cfg)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	adm := kafkatest.Admin(t)
	if _, err := adm.CreateTopic(ctx, 1, 1, nil, cfg.Topics.Input[0]); err != nil {
		t.Fatal(err)
	}
	conn, err := cfg.Kafka.Opts()
	if err != nil {
		t.Fatal(err)
	}
	_, keys, _ := writeRunFiles(t, cfg)
	_, addr, _ := serveWorker(ctx, t, cfg, keys)
	promURL := startPrometheus(ctx, t, bin, addr)
	// The alert takes an increase: Prometheus must have scraped the counter
	// at 0 before the canary is released.
	waitFor(t, time.Minute, "Prometheus to scrape the worker twice", func() bool {
		r := promQuery(t, promURL, `count_over_time(deid_canary_hits_total[5m])`)
		return len(r) == 1 && r[0] >= 2
	})
	producePlanted(ctx, t, conn, cfg.Topics.Input[0], 20)
	waitFor(t, 2*time.Minute, "DeidCanarySeen to fire", func() bool { return alertFiring(t, promURL, "DeidCanarySeen") })
}

// startPrometheus runs the server on a free loopback port with a temp dir,
// scraping target every second with the project's alert rules.
func startPrometheus(ctx context.Context, t *testing.T, bin, target string) string {
	t.Helper()
	dir := t.TempDir()
	rules, err := os.ReadFile("../../deploy/prometheus/alerts.yml")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "alerts.yml"), rules, 0o644); err != nil {
		t.Fatal(err)
	}
	conf := fmt.Sprintf("global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nrule_files: [alerts.yml]\n"+
		"scrape_configs:\n  - job_name: deidstream\n    static_configs:\n      - targets: [%q]\n", target)
	if err := os.WriteFile(filepath.Join(dir, "prometheus.yml"), []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	cmd := exec.CommandContext(ctx, bin, "--config.file="+filepath.Join(dir, "prometheus.yml"),
		"--storage.tsdb.path="+filepath.Join(dir, "data"), "--web.listen-address="+addr)
	log, err := os.Create(filepath.Join(dir, "prometheus.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if t.Failed() {
			b, _ := os.ReadFile(log.Name())
			t.Logf("prometheus log:\n%s", lastBytes(b, 3000))
		}
	})
	url := "http://" + addr
	waitFor(t, time.Minute, "Prometheus to be ready", func() bool {
		resp, err := http.Get(url + "/-/ready")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
	return url
}

// promQuery returns the values of an instant query's vector result.
func promQuery(t *testing.T, url, q string) []float64 {
	t.Helper()
	var r struct {
		Data struct {
			Result []struct {
				Value [2]any `json:"value"`
			} `json:"result"`
		} `json:"data"`
	}
	if !getJSON(t, url+"/api/v1/query?query="+neturl.QueryEscape(q), &r) {
		return nil
	}
	var out []float64
	for _, s := range r.Data.Result {
		var v float64
		if str, ok := s.Value[1].(string); ok {
			fmt.Sscan(str, &v)
		}
		out = append(out, v)
	}
	return out
}

func alertFiring(t *testing.T, url, name string) bool {
	t.Helper()
	var r struct {
		Data struct {
			Alerts []struct {
				Labels map[string]string `json:"labels"`
				State  string            `json:"state"`
			} `json:"alerts"`
		} `json:"data"`
	}
	if !getJSON(t, url+"/api/v1/alerts", &r) {
		return false
	}
	for _, a := range r.Data.Alerts {
		if a.Labels["alertname"] == name && a.State == "firing" {
			return true
		}
	}
	return false
}

func getJSON(t *testing.T, url string, v any) bool {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	return resp.StatusCode == http.StatusOK && json.NewDecoder(resp.Body).Decode(v) == nil
}

func lastBytes(b []byte, n int) string { return string(b[max(0, len(b)-n):]) }

// TestIntegrationHaltReleasesNothing: with monitor.action: halt, the first
// window holding the planted canary is aborted and the worker stops with
// pipeline.ErrResidualPHI (deid_worker_stops_total's residual_phi cause);
// the research topic holds nothing, and the error names types, never content.
func TestIntegrationHaltReleasesNothing(t *testing.T) {
	cfg := integrationConfig(t)
	plantCanary(t, cfg)
	cfg.Monitor.Action = "halt"
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if _, err := kafkatest.Admin(t).CreateTopic(ctx, 1, 1, nil, cfg.Topics.Input[0]); err != nil {
		t.Fatal(err)
	}
	conn, err := cfg.Kafka.Opts()
	if err != nil {
		t.Fatal(err)
	}
	producePlanted(ctx, t, conn, cfg.Topics.Input[0], 20)
	_, keys, _ := writeRunFiles(t, cfg)
	reg := prometheus.NewRegistry()
	w, err := app.NewWorker(ctx, cfg, keys, reg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	err = w.Run(ctx)
	if !errors.Is(err, pipeline.ErrResidualPHI) || app.StopCause(err) != "residual_phi" {
		t.Fatalf("Run: %v, want ErrResidualPHI", err)
	}
	for _, leak := range []string{"Zebulon", "Quixbury", "quixbury"} {
		if strings.Contains(err.Error(), leak) {
			t.Fatalf("the error quotes record content: %v", err)
		}
	}
	if !strings.Contains(err.Error(), "CANARY=") {
		t.Errorf("the error does not name what was found: %v", err)
	}
	recs, err := kafkaconn.ReadAll(ctx, conn, cfg.Topics.Research)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 0 {
		t.Fatalf("a halted worker released %d research batches", len(recs))
	}
}
