package main

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/deidstream/deidstream/internal/config"
)

// TestIntegrationKillWithTwoWindowsInFlight: the worker is SIGKILLed while
// two windows are in flight, three times, each after it committed a window:
// one window published (its transaction open) and the next one polled and
// in detection, as deid_window_ahead_records shows. Then a worker runs to the end: every
// input offset is published, quarantined or suppressed exactly once, by the
// test's checker and by `worker audit reconcile`.
func TestIntegrationKillWithTwoWindowsInFlight(t *testing.T) {
	const kills, each = 3, 15_000
	cfg := integrationConfig(t)
	cfg.Window.MaxRecords = 3000
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	conn, _ := cfg.Kafka.Opts()
	bin := buildWorker(t)
	cfgPath, keys, research := writeRunFiles(t, cfg)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	rewriteConfig(t, cfgPath, func(c *config.Config) { c.Ops.Listen = addr })

	n := 0
	for i := range kills {
		// Fresh records for every process, so each has windows to overlap.
		if err := produceSynthetic(ctx, conn, cfg.Topics.Input[0], each, uint64(31+i), 0.01); err != nil {
			t.Fatal(err)
		}
		n += each
		cmd := startWorker(t, bin, cfgPath)
		// A window committed while the next was polled ahead, then two more in flight.
		deadline := time.Now().Add(2 * time.Minute)
		for metric(addr, `deid_windows_total{result="committed"} `) == 0 || metric(addr, "deid_window_ahead_records ") == 0 {
			if time.Now().After(deadline) {
				t.Fatalf("process %d: no window polled ahead of a publishing one in 2m", i+1)
			}
			time.Sleep(2 * time.Millisecond)
		}
		if err := cmd.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		_ = cmd.Wait()
		t.Logf("kill %d with two windows in flight: %d of %d records committed so far", i+1, settledIn(ctx, t, cfg), n)
	}
	cmd := startWorker(t, bin, cfgPath)
	waitFor(t, 5*time.Minute, "every record to be committed", func() bool { return settledIn(ctx, t, cfg) >= int64(n) })
	stopGracefully(t, cmd, 30*time.Second)
	o, err := readOutputs(ctx, cfg, conn, research, keys.Signer.Verifier())
	if err != nil {
		t.Fatal(err)
	}
	checkExactlyOnce(t, o, n)
	code, stdout, stderr := auditReconcile(t, cfgPath)
	if code != 0 || !strings.Contains(stdout, fmt.Sprintf("consumed %d\n", n)) || !strings.Contains(stdout, "exactly once") {
		t.Errorf("audit reconcile = %d\n%s%s", code, stdout, stderr)
	}
}

// metric reads the series whose line starts with series (name, labels and a
// space) from a worker's /metrics; 0 when it does not answer (yet).
func metric(addr, series string) float64 {
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		return 0
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), series); ok {
			f, _ := strconv.ParseFloat(v, 64)
			return f
		}
	}
	return 0
}
