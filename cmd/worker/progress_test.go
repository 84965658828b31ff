package main

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// TestProgressBar: on a terminal the bar is redrawn in place and the last line
// ends it; elsewhere each report is a line of its own.
func TestProgressBar(t *testing.T) {
	var tty bytes.Buffer
	p := newProgress(&tty, "worker gen", "records", 10)
	p.tty, p.interval = true, 0 // as on a terminal, reporting every update
	for range 5 {
		p.Add(1)
	}
	p.Done()
	out := tty.String()
	if !strings.Contains(out, "\rworker gen [###############...............]  50% 5/10 records") {
		t.Errorf("no half-way bar redrawn in place:\n%q", out)
	}
	if strings.Count(out, "\n") != 1 || !strings.HasSuffix(strings.TrimRight(out, " \n"), "/s") {
		t.Errorf("the bar should end with one final line:\n%q", out)
	}

	var plain bytes.Buffer
	q := newProgress(&plain, "worker backfill", "records", 0)
	q.interval = time.Nanosecond
	time.Sleep(time.Millisecond)
	q.Set(3)
	time.Sleep(time.Millisecond)
	q.Set(7)
	q.Done()
	lines := strings.Split(strings.TrimSpace(plain.String()), "\n")
	if len(lines) != 3 || strings.Contains(plain.String(), "\r") || !strings.HasPrefix(lines[2], "worker backfill: 7 records in ") {
		t.Errorf("plain progress lines:\n%s", plain.String())
	}
}
