package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/deidstream/deidstream/audit"
	"github.com/deidstream/deidstream/breakglass"
	"github.com/deidstream/deidstream/internal/kafkatest"
	"github.com/deidstream/deidstream/kafkaconn"
)

// TestIntegrationBreakGlass is the whole case on the real broker through the
// CLI: init, request, M approvals, open (one link), expiry, and the audit
// topic holding each step in order, verified by `worker audit verify`.
func TestIntegrationBreakGlass(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cfg := integrationConfig(t)
	cfg.Topics.Create = false // nothing here runs a worker; the test makes the topics
	const grant = 8 * time.Second
	cfg.BreakGlass.Officers = []string{"olga", "omar", "oona"}
	cfg.BreakGlass.Threshold = 2
	cfg.BreakGlass.AccessDuration = grant
	cfg.BreakGlass.Escrow = "escrow.json"
	cfg.BreakGlass.Topic = cfg.Topics.Input[0] + ".escrow"
	cfgPath, keys, _ := writeRunFiles(t, cfg)
	dir := filepath.Dir(cfgPath)
	pubPath := filepath.Join(dir, "audit-verify.pub")
	if err := os.WriteFile(pubPath, keys.Signer.Verifier().MarshalText(), 0o644); err != nil {
		t.Fatal(err)
	}
	adm := kafkatest.Admin(t)
	if _, err := kafkaconn.EnsureTopics(ctx, adm, true,
		kafkaconn.TopicSpec{Name: cfg.Topics.Audit, Partitions: 1, Configs: map[string]string{"retention.ms": "-1", "retention.bytes": "-1"}},
		kafkaconn.TopicSpec{Name: cfg.BreakGlass.Topic, Partitions: 1}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { adm.DeleteTopics(context.Background(), cfg.BreakGlass.Topic) })

	run := func(wantCode int, args ...string) string {
		t.Helper()
		var out, errb strings.Builder
		code := dispatch(ctx, stdio{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb}, append(args, "-c", cfgPath))
		if code != wantCode {
			t.Fatalf("worker %s exited %d, want %d:\n%s%s", strings.Join(args, " "), code, wantCode, out.String(), errb.String())
		}
		return out.String() + errb.String()
	}
	run(0, "breakglass", "init", "--out", dir)
	b, err := os.ReadFile(filepath.Join(dir, "escrow.json"))
	if err != nil {
		t.Fatal(err)
	}
	e, err := breakglass.ParseEscrow(b)
	if err != nil {
		t.Fatal(err)
	}

	// What the worker escrows for released records (not wired into its transaction yet).
	cl := kafkatest.Client(t, kgo.DefaultProduceTopic(cfg.BreakGlass.Topic))
	links := []breakglass.Link{{Pseudonym: "p-7f3a", Topic: cfg.Topics.Input[0], Partition: 0, Offset: 41, PatientKey: "MRN-0041"},
		{Pseudonym: "p-91c2", Topic: cfg.Topics.Input[0], Partition: 2, Offset: 9, PatientKey: "MRN-0009"}}
	for _, l := range links {
		r, err := breakglass.Seal(e, l)
		if err != nil {
			t.Fatal(err)
		}
		rec := &kgo.Record{Key: []byte(r.PseudonymTag), Value: r.Sealed,
			Headers: []kgo.RecordHeader{{Key: breakglass.HeaderSourceTag, Value: []byte(r.SourceTag)}}}
		if err := cl.ProduceSync(ctx, rec).FirstErr(); err != nil {
			t.Fatal(err)
		}
	}

	caseDir := filepath.Join(dir, "case-1")
	run(0, "breakglass", "request", "--case", caseDir, "--target", "pseudonym:p-91c2", "--requester", "rita",
		"--reason", "incidental_finding", "--note", "CT of 2026-01-02 shows a nodule; the clinician must be told")
	run(1, "breakglass", "open", "--case", caseDir) // no approval yet
	run(0, "breakglass", "approve", "--case", caseDir, "--share", filepath.Join(dir, "share-olga.json"))
	run(1, "breakglass", "open", "--case", caseDir) // M-1 approvals

	// A share of another escrow is refused, and nothing is audited for it.
	other := filepath.Join(dir, "other")
	if err := os.Mkdir(other, 0o700); err != nil {
		t.Fatal(err)
	}
	run(0, "breakglass", "init", "--out", other)
	if out := run(1, "breakglass", "approve", "--case", caseDir, "--share", filepath.Join(other, "share-omar.json")); !strings.Contains(out, "does not belong to this escrow") {
		t.Errorf("approving with another escrow's share printed %q", out)
	}

	run(0, "breakglass", "approve", "--case", caseDir, "--share", filepath.Join(dir, "share-omar.json"))
	approved := time.Now()
	out := run(0, "breakglass", "open", "--case", caseDir)
	var got breakglass.Link
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("open printed %q: %v", out, err)
	}
	if got != links[1] {
		t.Errorf("opened %+v, want %+v", got, links[1])
	}
	time.Sleep(time.Until(approved.Add(grant + time.Second)))
	if out := run(1, "breakglass", "open", "--case", caseDir); !strings.Contains(out, "expired") {
		t.Errorf("open after access_duration printed %q, want it refused as expired", out)
	}

	// The audit topic: every step, in order, in a log that verifies.
	if out := run(0, "audit", "verify", "--pub", pubPath); !strings.Contains(out, "worker breakglass: 4 event(s), 4 checkpoint(s)") {
		t.Errorf("audit verify printed:\n%s\nwant the breakglass log's 4 events, each sealed by a checkpoint", out)
	}
	conn, err := cfg.Kafka.Opts()
	if err != nil {
		t.Fatal(err)
	}
	msgs, err := audit.ReadTopic(ctx, cfg.Topics.Audit, conn...)
	if err != nil {
		t.Fatal(err)
	}
	var types []string
	for _, m := range msgs {
		if m.Kind != audit.KindEvent {
			continue
		}
		d, err := audit.DecodeEntry(m.Value)
		if err != nil {
			t.Fatal(err)
		}
		types = append(types, d.Type())
		if strings.Contains(string(m.Value), "p-91c2") || strings.Contains(string(m.Value), "MRN") || strings.Contains(string(m.Value), "nodule") {
			t.Errorf("audit event %s holds the target, the patient key or the note: %s", d.Type(), m.Value)
		}
	}
	want := []string{audit.TypeBreakGlassRequest, audit.TypeBreakGlassApprove, audit.TypeBreakGlassApprove, audit.TypeBreakGlassOpen}
	if !slices.Equal(types, want) {
		t.Errorf("audit events %v, want %v", types, want)
	}
}
