package app

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/deidstream/deidstream/deid"
	"github.com/deidstream/deidstream/detectors"
	"github.com/deidstream/deidstream/internal/config"
	"github.com/deidstream/deidstream/redact"
	"github.com/deidstream/deidstream/synth"
)

func demoConfig(t testing.TB) *config.Config {
	t.Helper()
	cfg, err := config.Demo()
	if err != nil {
		t.Fatal(err)
	}
	cfg.Redaction.Secret = strings.Repeat("ab", 32)
	return cfg
}

// redactSynthetic redacts synthetic records until n are released and returns their values.
func redactSynthetic(t testing.TB, red Redaction, n int) [][]string {
	t.Helper()
	g := synth.NewGenerator(synth.Options{Seed: 7})
	var out [][]string
	for len(out) < n {
		raw, _ := g.Next()
		var rec map[string]any
		if json.Unmarshal(raw, &rec) != nil {
			continue
		}
		if r, err := red.Process(rec); err == nil && r.Reject == "" {
			out = append(out, r.Values)
		}
	}
	return out
}

func newTestMonitor(t testing.TB, cfg *config.Config) (Redaction, *Monitor) {
	t.Helper()
	red, err := NewRedaction(cfg)
	if err != nil {
		t.Fatal(err)
	}
	m, err := NewMonitor(cfg, red.Columns())
	if err != nil {
		t.Fatal(err)
	}
	return red, m
}

// TestMonitorFalsePositivesUnderTolerance: on records the first pass redacted
// with every type on, the second look finds fewer than monitor.tolerance per
// record (its defaults), so a healthy worker does not alert.
func TestMonitorFalsePositivesUnderTolerance(t *testing.T) {
	cfg := demoConfig(t)
	red, m := newTestMonitor(t, cfg)
	const n = 2000
	total := 0
	for _, v := range redactSynthetic(t, red, n) {
		for _, c := range m.Inspect(v) {
			total += c
		}
	}
	if rate := float64(total) / n; rate > cfg.Monitor.Tolerance {
		t.Fatalf("%d findings in %d redacted records: %.3f per record, over the default tolerance %v", total, n, rate, cfg.Monitor.Tolerance)
	}
	t.Logf("%d findings in %d redacted records", total, n)
}

// TestMonitorFindsWhatTheFirstPassMissed: with PHONE disabled in the first
// pass, and a canary planted in a note, the monitor finds both; placeholders
// and hash tokens are never findings.
func TestMonitorFindsWhatTheFirstPassMissed(t *testing.T) {
	cfg := demoConfig(t)
	cfg.Detection.Disabled = []detectors.Type{detectors.Phone}
	h, err := redact.NewCanaryHasher(cfg.Redaction)
	if err != nil {
		t.Fatal(err)
	}
	canary, err := h.Hash("Zebulon Quixbury")
	if err != nil {
		t.Fatal(err)
	}
	cfg.Monitor.Canaries = []string{canary}
	red, m := newTestMonitor(t, cfg)
	note := slices.Index(red.Columns(), "note")
	rec := map[string]any{"patient_id": "p1", "note": "Seen by Dr. Alice Smith. Call back at (617) 555-0199."}
	out, err := red.Process(rec)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.Values[note], "555-0199") {
		t.Fatalf("the first pass redacted the phone it should miss: %q", out.Values[note])
	}
	if got := m.Inspect(out.Values); got["PHONE"] != 1 {
		t.Fatalf("findings %v, want PHONE=1", got)
	}
	// A canary the first pass let through (here written in by hand).
	leaked := slices.Clone(out.Values)
	leaked[note] += " Visitor: zebulon  QUIXBURY-"
	if got := m.Inspect(leaked); got[deid.ResidualCanary] != 1 {
		t.Fatalf("findings %v, want CANARY=1", got)
	}
	clean := make([]string, len(out.Values))
	clean[note] = "[NAME_1] saw [NAME_2] at [LOCATION_1] on [DATE_1]; callback [PHONE:3f2a9c1b0d4e5f60]."
	if got := m.Inspect(clean); len(got) != 0 {
		t.Fatalf("placeholders counted as findings: %v", got)
	}
}

// TestMonitorIgnoresSurrogates: a type released as surrogates looks like PHI by design.
func TestMonitorIgnoresSurrogates(t *testing.T) {
	cfg := demoConfig(t)
	cfg.Redaction.Modes = map[detectors.Type]redact.Mode{detectors.Name: redact.ModeSurrogate}
	red, m := newTestMonitor(t, cfg)
	out, err := red.Process(map[string]any{"patient_id": "p1", "note": "Seen by Dr. Alice Smith with her husband Robert Smith."})
	if err != nil {
		t.Fatal(err)
	}
	if got := m.Inspect(out.Values); got["NAME"] != 0 {
		t.Fatalf("surrogate names counted: %v", got)
	}
}

func TestCanaryHashRefusesBadValues(t *testing.T) {
	h, err := redact.NewCanaryHasher(demoConfig(t).Redaction)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []string{"", "  --- ", "one two three four five"} {
		if _, err := h.Hash(v); err == nil {
			t.Errorf("Hash(%q) accepted", v)
		}
	}
	a, _ := h.Hash("Zeb-Quixby")
	b, _ := h.Hash("zeb  QUIXBY")
	if a != b || len(a) != 64 {
		t.Errorf("normalization: %q vs %q", a, b)
	}
}
