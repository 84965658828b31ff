package main

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/deidstream/deidstream/audit"
	"github.com/deidstream/deidstream/envelope"
	"github.com/deidstream/deidstream/internal/app"
	"github.com/deidstream/deidstream/synth"
)

// TestDecryptQuarantineTopic: the quarantine topic decrypts to one jsonl line
// per quarantined record, with its source and reason, split records joined
// (oversized poison is larger than a Kafka record), non-UTF-8 records in
// base64; raw keeps records apart with a header line each; Arrow formats are
// refused with the formats that apply.
func TestDecryptQuarantineTopic(t *testing.T) {
	const n = 600
	cfg, conn, ctx := kfakeDemo(t, 3*time.Minute)
	if err := produceSynthetic(ctx, conn, cfg.Topics.Input[0], n, 21, 0.08); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	security, err := envelope.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	research, _ := envelope.GenerateKey(rand.Reader)
	signer, err := audit.GenerateSigner("test-audit", rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	if err := security.SetName("security"); err != nil {
		t.Fatal(err)
	}
	keyText, _ := security.MarshalText()
	keyPath := filepath.Join(dir, "security.key")
	if err := os.WriteFile(keyPath, keyText, 0o600); err != nil {
		t.Fatal(err)
	}
	keys := app.Keys{Research: []*envelope.PublicKey{research.Public()}, Quarantine: []*envelope.PublicKey{security.Public()}, Signer: signer}
	reg := prometheus.NewRegistry()
	w, err := app.NewWorker(ctx, cfg, keys, reg, newLogger(&syncBuffer{}, "info"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := runUntilSettled(ctx, w, reg, n); err != nil {
		t.Fatal(err)
	}
	quarantined := int(counter(reg, "deid_records_quarantined_total"))
	if quarantined < 10 {
		t.Fatalf("%d records quarantined: too few for the test", quarantined)
	}
	cfgPath := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(cfgPath, []byte(fmt.Sprintf("kafka:\n  brokers: [%q]\n", cfg.Kafka.Brokers[0])), 0o600); err != nil {
		t.Fatal(err)
	}
	decrypt := func(format string) (int, string, string) {
		var out, errs bytes.Buffer
		code := dispatch(ctx, stdio{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errs},
			[]string{"decrypt", "--key", keyPath, "--topic", cfg.Topics.Quarantine, "-c", cfgPath, "--out", "-", "--format", format})
		return code, out.String(), errs.String()
	}

	code, out, errs := decrypt("jsonl")
	if code != 0 {
		t.Fatalf("jsonl: exit %d: %s", code, errs)
	}
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 8<<20)
	lines, oversized, binary := 0, 0, 0
	source := regexp.MustCompile(`^` + regexp.QuoteMeta(cfg.Topics.Input[0]) + `/[0-9]+/[0-9]+$`)
	for sc.Scan() {
		var l quarantineLine
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatalf("line %d is not JSON: %v", lines+1, err)
		}
		lines++
		if !source.MatchString(l.Source) || l.Reason == "" || l.Reason == "unknown" {
			t.Errorf("line %d: source %q reason %q", lines, l.Source, l.Reason)
		}
		record := []byte(l.Record)
		if l.RecordBase64 != "" {
			binary++
			if record, err = base64.StdEncoding.DecodeString(l.RecordBase64); err != nil || utf8.Valid(record) {
				t.Errorf("line %d: record_base64 is not a non-UTF-8 record (%v)", lines, err)
			}
		}
		if l.Reason == "oversized" {
			oversized++
			if len(record) < synth.OversizedBytes {
				t.Errorf("line %d: oversized record of %d bytes: its parts were not joined", lines, len(record))
			}
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if lines != quarantined || oversized == 0 || binary == 0 {
		t.Errorf("%d jsonl lines (%d oversized, %d not UTF-8) for %d quarantined records", lines, oversized, binary, quarantined)
	}

	code, out, errs = decrypt("raw")
	if code != 0 {
		t.Fatalf("raw: exit %d: %s", code, errs)
	}
	header := regexp.MustCompile(`^# quarantine (\S+) (\S+) ([0-9]+)\n`)
	records := 0
	for rest := out; rest != ""; records++ {
		m := header.FindStringSubmatch(rest)
		if m == nil {
			t.Fatalf("raw record %d: no header line at %q", records+1, rest[:min(len(rest), 60)])
		}
		size, _ := strconv.Atoi(m[3])
		rest = rest[len(m[0]):]
		if len(rest) < size+1 || rest[size] != '\n' {
			t.Fatalf("raw record %d: %d bytes announced, not followed by a newline", records+1, size)
		}
		rest = rest[size+1:]
	}
	if records != quarantined {
		t.Errorf("%d raw records for %d quarantined", records, quarantined)
	}

	if code, _, errs := decrypt("parquet"); code != 1 || !strings.Contains(errs, "jsonl or raw") {
		t.Errorf("parquet on quarantine: exit %d, %q: want 1 naming jsonl and raw", code, errs)
	}
	if _, err := os.Stat(filepath.Join(dir, "out")); !os.IsNotExist(err) {
		t.Errorf("a failed decrypt left a file")
	}
}
