package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/deidstream/deidstream/audit"
)

func runWorker(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = dispatch(context.Background(), stdio{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb}, args)
	return code, out.String(), errb.String()
}

// auditFixture makes a key pair with keygen and a small signed log.
func auditFixture(t *testing.T) (dir string, msgs []audit.Message) {
	t.Helper()
	dir = t.TempDir()
	if code, out, errs := runWorker(t, "audit", "keygen", "--out", dir, "--name", "audit.test"); code != 0 || !strings.Contains(out, "ML-DSA-65") {
		t.Fatalf("keygen = %d, %q, %q", code, out, errs)
	}
	if code, _, errs := runWorker(t, "audit", "keygen", "--out", dir, "--name", "audit.test"); code == 0 || !strings.Contains(errs, "already exists") {
		t.Fatalf("keygen over existing key = %d, %q", code, errs)
	}
	s, err := audit.LoadSigner(filepath.Join(dir, "audit.test.key"))
	if err != nil {
		t.Fatal(err)
	}
	l := audit.NewLog(s, "w1")
	add := func(m audit.Message, err error) {
		if err != nil {
			t.Fatal(err)
		}
		msgs = append(msgs, m)
	}
	add(l.Append(&audit.LifecycleEvent{Type: audit.TypeStart}))
	for i := range 4 {
		add(l.Append(&audit.WindowEvent{Window: uint64(i), RecordsIn: 10, Published: 8, Suppressed: 1, Quarantined: 1,
			QuarantineReasons: map[string]int64{"decode_json": 1}, PHICounts: map[string]int64{"SSN": 3, "NAME": 5},
			Privacy: &audit.Privacy{K: 5, AchievedK: 6, AchievedL: 2}, KeyIDs: []string{"research+0011aabb"}}))
		add(l.Checkpoint())
	}
	return dir, msgs
}

func writeExport(t *testing.T, path string, msgs []audit.Message) {
	t.Helper()
	var b bytes.Buffer
	if err := audit.WriteExport(&b, msgs); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestAuditVerifyFile(t *testing.T) {
	dir, msgs := auditFixture(t)
	pub := filepath.Join(dir, "audit.test.pub")
	tests := []struct {
		name     string
		tamper   func([]audit.Message) []audit.Message
		code     int
		contains string
	}{
		{"clean", func(m []audit.Message) []audit.Message { return m }, 0, "OK"},
		{"deleted", func(m []audit.Message) []audit.Message { return append(m[:3:3], m[4:]...) }, 1, "FAIL position 3 worker w1: tree-size"},
		{"altered", func(m []audit.Message) []audit.Message {
			m[3].Value = bytes.Replace(m[3].Value, []byte(`"SSN":3`), []byte(`"SSN":2`), 1)
			return m
		}, 1, "FAIL position 3 (seq 2) worker w1: chain"},
		{"swapped", func(m []audit.Message) []audit.Message { m[1], m[3] = m[3], m[1]; return m }, 1, "FAIL position 1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cp := make([]audit.Message, len(msgs))
			for i, m := range msgs {
				cp[i] = audit.Message{Kind: m.Kind, Value: bytes.Clone(m.Value)}
			}
			in := filepath.Join(t.TempDir(), "audit.jsonl")
			writeExport(t, in, tc.tamper(cp))
			code, out, errs := runWorker(t, "audit", "verify", "--in", in, "--pub", pub)
			if code != tc.code || !strings.Contains(out, tc.contains) {
				t.Errorf("verify = %d, want %d with %q; stdout:\n%s\nstderr:\n%s", code, tc.code, tc.contains, out, errs)
			}
		})
	}
}

func TestAuditTopicExportVerifyReport(t *testing.T) {
	dir, msgs := auditFixture(t)
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(1, "deid.audit"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	brokers := strings.Join(c.ListenAddrs(), ",")
	p, err := kgo.NewClient(kgo.SeedBrokers(c.ListenAddrs()...), kgo.TransactionalID("t"), kgo.DefaultProduceTopic("deid.audit"))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := p.BeginTransaction(); err != nil {
		t.Fatal(err)
	}
	for _, m := range msgs {
		r := &kgo.Record{Key: []byte("w1"), Value: m.Value, Headers: []kgo.RecordHeader{{Key: "kind", Value: []byte(m.Kind)}}}
		if err := p.ProduceSync(ctx, r).FirstErr(); err != nil {
			t.Fatal(err)
		}
	}
	if err := p.EndTransaction(ctx, kgo.TryCommit); err != nil {
		t.Fatal(err)
	}

	pub := filepath.Join(dir, "audit.test.pub")
	if code, out, errs := runWorker(t, "audit", "verify", "--topic", "deid.audit", "--brokers", brokers, "--pub", pub); code != 0 || !strings.Contains(out, "OK") {
		t.Fatalf("verify --topic = %d\n%s\n%s", code, out, errs)
	}
	exp := filepath.Join(dir, "export.jsonl")
	if code, _, errs := runWorker(t, "audit", "export", "--topic", "deid.audit", "--brokers", brokers, "--out", exp); code != 0 {
		t.Fatalf("export = %d: %s", code, errs)
	}
	if code, out, _ := runWorker(t, "audit", "verify", "--in", exp, "--pub", pub, "--json"); code != 0 || !strings.Contains(out, `"ok": true`) {
		t.Fatalf("verify exported file = %d\n%s", code, out)
	}
	html := filepath.Join(dir, "report.html")
	if code, _, errs := runWorker(t, "audit", "report", "--in", exp, "--pub", pub, "--out", html); code != 0 {
		t.Fatalf("report = %d: %s", code, errs)
	}
	page, _ := os.ReadFile(html)
	if !bytes.Contains(page, []byte("Log verified")) || !bytes.Contains(page, []byte("<svg")) {
		t.Errorf("report page lacks verification status or charts (%d bytes)", len(page))
	}
	pdf := filepath.Join(dir, "report.pdf")
	if code, _, errs := runWorker(t, "audit", "report", "--in", exp, "--pub", pub, "--format", "pdf", "--out", pdf,
		"--since", "2000-01-01T00:00:00Z", "--until", "2100-01-01T00:00:00Z"); code != 0 {
		t.Fatalf("report --format pdf = %d: %s", code, errs)
	}
	if doc, _ := os.ReadFile(pdf); !bytes.HasPrefix(doc, []byte("%PDF-")) || !bytes.Contains(doc, []byte("%%EOF")) {
		t.Errorf("report --format pdf wrote %d bytes that are not a PDF", len(doc))
	}
}

func TestAuditUsage(t *testing.T) {
	tests := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"audit"}, 2, "subcommands"},
		{[]string{"audit", "-h"}, 0, "keygen"},
		{[]string{"audit", "verify", "-h"}, 0, "-pub"},
		{[]string{"audit", "report", "-h"}, 0, "report.html"},
		{[]string{"audit", "keygen", "-h"}, 0, "-name"},
		{[]string{"audit", "export", "-h"}, 0, "-brokers"},
		{[]string{"audit", "verify", "--in", "x"}, 2, "--pub is required"},
		{[]string{"audit", "report", "--in", "x", "--from", "yesterday"}, 2, "RFC 3339"},
		{[]string{"audit", "report", "--in", "x", "--until", "tomorrow"}, 2, "--until: want RFC 3339"},
		{[]string{"audit", "report", "--in", "x", "--format", "docx"}, 2, "want html or pdf"},
		{[]string{"audit", "nope"}, 2, "unknown subcommand"},
	}
	for _, tc := range tests {
		code, out, errs := runWorker(t, tc.args...)
		if errs += out; code != tc.code || !strings.Contains(errs, tc.want) {
			t.Errorf("%v = %d, want %d with %q; stderr:\n%s", tc.args, code, tc.code, tc.want, errs)
		}
	}
}
