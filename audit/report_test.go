package audit

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestComplianceReport(t *testing.T) {
	s := testSigner(t, "audit.test", 1)
	msgs := simulateRun(t, NewLog(s, "worker-1", WithClock(fakeClock())), 6)
	render := func(msgs []Message, from, to time.Time) (*Compliance, string) {
		rep, err := Verify(msgs, s.Verifier())
		if err != nil {
			t.Fatal(err)
		}
		c := NewCompliance(msgs, rep, from, to)
		var b bytes.Buffer
		if err := c.WriteHTML(&b); err != nil {
			t.Fatal(err)
		}
		return c, b.String()
	}

	c, page := render(msgs, time.Time{}, time.Time{})
	if c.Windows != 6 || c.RecordsIn != 36 || c.Published != 24 || c.Suppressed != 6 || c.Quarantined != 6 {
		t.Errorf("totals = %d windows, %d in, %d published, %d suppressed, %d quarantined",
			c.Windows, c.RecordsIn, c.Published, c.Suppressed, c.Quarantined)
	}
	for _, want := range []string{"Log verified", "<svg", "SSN", "decode_json", "research-2026", "notes-daily", "config_loaded", "sha256:9f86d081884c7d659a2feaa0c55ad015"} {
		if !strings.Contains(page, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	// Self-contained: no scripts, no external references of any kind.
	if m := regexp.MustCompile(`(?i)<script|\bsrc=|\bhref=|url\(|@import|https?://`).FindString(page); m != "" {
		t.Errorf("report has an external reference or script: %q", m)
	}
	for _, phi := range plantedPHI {
		if strings.Contains(page, phi) {
			t.Errorf("report contains planted PHI %q", phi)
		}
	}

	// A period keeps only its events.
	from := time.Date(2026, 11, 23, 9, 0, 6, 0, time.UTC)
	c, _ = render(msgs, from, from.Add(3*time.Second))
	if c.Windows == 0 || c.Windows >= 6 {
		t.Errorf("period kept %d windows, want some but not all", c.Windows)
	}

	// A tampered log says so.
	bad := append([]Message(nil), msgs...)
	bad = append(bad[:6], bad[7:]...)
	_, page = render(bad, time.Time{}, time.Time{})
	if !strings.Contains(page, "Verification FAILED") || !strings.Contains(page, "sequence") {
		t.Error("report of a tampered log does not show the failure")
	}
}

func TestReportManyWindowsBucketed(t *testing.T) {
	s := testSigner(t, "audit.test", 1)
	msgs := simulateRun(t, NewLog(s, "w1", WithClock(fakeClock())), 120)
	rep, _ := Verify(msgs, s.Verifier())
	c := NewCompliance(msgs, rep, time.Time{}, time.Time{})
	if c.Windows != 120 {
		t.Fatalf("windows = %d", c.Windows)
	}
	// 48 buckets: at most 48 points per series.
	if n := strings.Count(string(c.SuppressionChart), "<circle"); n > 2*maxBuckets {
		t.Errorf("suppression chart has %d points, want at most %d", n, 2*maxBuckets)
	}
}
