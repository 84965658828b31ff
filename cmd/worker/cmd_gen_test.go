package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
)

func runGenCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = dispatch(context.Background(), stdio{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb}, append([]string{"gen"}, args...))
	return code, out.String(), errb.String()
}

func TestGenFlags(t *testing.T) {
	tests := []struct {
		name      string
		args      []string
		wantCode  int
		wantLines int
		wantErr   string
	}{
		{"default count", nil, 0, 1000, ""},
		{"count", []string{"--count", "25", "--seed", "4"}, 0, 25, ""},
		{"single dash", []string{"-count=3"}, 0, 3, ""},
		{"help", []string{"-h"}, 0, -1, ""}, // the usage is the output (TestEveryHelpIsComplete checks it)
		{"unknown flag shows the usage", []string{"--nope"}, 2, 0, "--poison FRACTION"},
		{"usage lists defaults", []string{"--nope"}, 2, 0, "(default 1000)"},
		{"negative count", []string{"--count", "-1"}, 2, 0, "--count"},
		{"poison out of range", []string{"--poison", "1.5"}, 2, 0, "--poison"},
		{"brokers without topic", []string{"--brokers", "127.0.0.1:1"}, 2, 0, "--topic"},
		{"unknown flag", []string{"--nope"}, 2, 0, "flag provided but not defined"},
		{"stray argument", []string{"extra"}, 2, 0, "unexpected argument"},
		{"poison counted", []string{"--count", "200", "--poison", "0.5"}, 0, 200, "poison"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errs := runGenCLI(t, tt.args...)
			if code != tt.wantCode {
				t.Fatalf("exit %d, want %d; stderr: %s", code, tt.wantCode, errs)
			}
			if got := strings.Count(out, "\n"); tt.wantLines >= 0 && got != tt.wantLines {
				t.Errorf("%d lines on stdout, want %d", got, tt.wantLines)
			}
			if !strings.Contains(errs, tt.wantErr) {
				t.Errorf("stderr %q does not mention %q", errs, tt.wantErr)
			}
		})
	}
}

func TestGenDeterministicAndGold(t *testing.T) {
	dir := t.TempDir()
	goldPath := filepath.Join(dir, "gold.jsonl")
	_, a, _ := runGenCLI(t, "--count", "50", "--seed", "9", "--gold", goldPath)
	_, b, _ := runGenCLI(t, "--count", "50", "--seed", "9")
	if a != b {
		t.Fatal("same seed gave different output")
	}
	_, c, _ := runGenCLI(t, "--count", "50", "--seed", "10")
	if a == c {
		t.Fatal("different seeds gave the same output")
	}
	gold, err := os.ReadFile(goldPath)
	if err != nil {
		t.Fatal(err)
	}
	recs := strings.Split(strings.TrimSpace(a), "\n")
	golds := strings.Split(strings.TrimSpace(string(gold)), "\n")
	if len(golds) != len(recs) {
		t.Fatalf("%d gold lines for %d records", len(golds), len(recs))
	}
	for i := range recs {
		var rec struct {
			ID   string `json:"patient_id"`
			Note string `json:"note"`
		}
		var g struct {
			ID    string `json:"id"`
			Text  string `json:"text"`
			Spans []struct {
				Start, End int
				Type       string
			} `json:"spans"`
		}
		if err := json.Unmarshal([]byte(recs[i]), &rec); err != nil {
			t.Fatalf("record %d: %v", i, err)
		}
		if err := json.Unmarshal([]byte(golds[i]), &g); err != nil {
			t.Fatalf("gold %d: %v", i, err)
		}
		if g.ID != rec.ID || g.Text != rec.Note || len(g.Spans) == 0 {
			t.Fatalf("gold %d does not match its record or has no spans", i)
		}
		n := len([]rune(g.Text))
		for _, s := range g.Spans {
			if s.Start < 0 || s.End > n || s.End <= s.Start || s.Type == "" {
				t.Fatalf("gold %d: bad span %+v", i, s)
			}
		}
	}
}

func TestGenRate(t *testing.T) {
	start := time.Now()
	code, out, _ := runGenCLI(t, "--count", "21", "--rate", "100")
	if code != 0 || strings.Count(out, "\n") != 21 {
		t.Fatalf("exit %d, %d lines", code, strings.Count(out, "\n"))
	}
	if el := time.Since(start); el < 190*time.Millisecond {
		t.Errorf("21 records at 100/s took %v, want >= 200ms", el)
	}
}

func TestGenKafka(t *testing.T) {
	cluster, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(1, "raw"))
	if err != nil {
		t.Fatal(err)
	}
	defer cluster.Close()
	brokers := strings.Join(cluster.ListenAddrs(), ",")
	code, out, errs := runGenCLI(t, "--count", "120", "--seed", "2", "--poison", "0.05", "--brokers", brokers, "--topic", "raw")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if out != "" {
		t.Errorf("wrote %d bytes to stdout while producing to Kafka", len(out))
	}
	cl, err := kgo.NewClient(kgo.SeedBrokers(cluster.ListenAddrs()...), kgo.ConsumeTopics("raw"),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()), kgo.FetchMaxBytes(8<<20))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	got := 0
	for got < 120 && ctx.Err() == nil {
		fs := cl.PollFetches(ctx)
		fs.EachRecord(func(r *kgo.Record) {
			if r.Key != nil {
				t.Errorf("record %d has a key", got)
			}
			got++
		})
	}
	if got != 120 {
		t.Fatalf("read %d records back, want 120", got)
	}
}

// TestGenReportsProgress: gen says on stderr what it wrote, where, and how
// fast; the records alone go to stdout.
func TestGenReportsProgress(t *testing.T) {
	code, out, errs := runGenCLI(t, "--count", "40", "--poison", "0.1")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if n := strings.Count(out, "\n"); n != 40 {
		t.Errorf("%d records on stdout, want 40", n)
	}
	for _, want := range []string{"worker gen: 40/40 records (100%) in ", "worker gen: 40 records to stdout, "} {
		if !strings.Contains(errs, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errs)
		}
	}
	if strings.Contains(errs, "\r") {
		t.Errorf("stderr is not a terminal, but the progress redraws in place:\n%q", errs)
	}
}
