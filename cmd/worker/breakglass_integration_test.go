package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/deidstream/deidstream/audit"
	"github.com/deidstream/deidstream/breakglass"
	"github.com/deidstream/deidstream/internal/app"
	"github.com/deidstream/deidstream/internal/config"
	"github.com/deidstream/deidstream/internal/kafkatest"
	"github.com/deidstream/deidstream/kafkaconn"
)

// TestIntegrationBreakGlass is the whole case on the real broker: a worker
// escrows what it publishes, then through the CLI init, request, M
// approvals, open (the one link), expiry, and the audit topic holding each
// step in order, verified by `worker audit verify`.
func TestIntegrationBreakGlass(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cfg := integrationConfig(t)
	const grant = 8 * time.Second
	cfg.BreakGlass.Officers = []string{"olga", "omar", "oona"}
	cfg.BreakGlass.Threshold = 2
	cfg.BreakGlass.AccessDuration = grant
	cfg.BreakGlass.Escrow = "escrow.json"
	cfg.BreakGlass.Topic = cfg.Topics.Input[0] + ".escrow"
	cfgPath, keys, researchKey := writeRunFiles(t, cfg)
	dir := filepath.Dir(cfgPath)
	pubPath := filepath.Join(dir, "audit-verify.pub")
	if err := os.WriteFile(pubPath, keys.Signer.Verifier().MarshalText(), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { kafkatest.Admin(t).DeleteTopics(context.Background(), cfg.BreakGlass.Topic) })

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

	// A worker escrows every record it publishes, in the window's transaction.
	const n = 300
	conn, err := cfg.Kafka.Opts()
	if err != nil {
		t.Fatal(err)
	}
	if err := produceSynthetic(ctx, conn, cfg.Topics.Input[0], n, 5, 0); err != nil {
		t.Fatal(err)
	}
	loaded, err := config.Load(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	if keys, err = app.LoadKeys(loaded); err != nil || keys.Escrow == nil {
		t.Fatalf("loading the keys with the escrow: %v", err)
	}
	reg := prometheus.NewRegistry()
	w, err := app.NewWorker(ctx, cfg, keys, reg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := runUntilSettled(ctx, w, reg, n); err != nil {
		t.Fatal(err)
	}
	o, err := readOutputs(ctx, cfg, conn, researchKey, keys.Signer.Verifier())
	if err != nil {
		t.Fatal(err)
	}
	links, dataKeys := escrowCounts(t, ctx, conn, cfg.BreakGlass.Topic)
	if links != len(o.rows) || len(o.rows) == 0 || dataKeys != len(o.windows) {
		t.Fatalf("%d escrow links and %d data keys for %d published rows in %d windows, want a link per row and a key per window",
			links, dataKeys, len(o.rows), len(o.windows))
	}
	// The target: one published row, its pseudonym and its raw record's patient key.
	row := o.rows[len(o.rows)/2]
	pseudonym := row.Values[slices.Index(o.columns, "patient_id")]
	raw, err := kafkaconn.ReadAll(ctx, conn, cfg.Topics.Input[0])
	if err != nil {
		t.Fatal(err)
	}
	var patientKey string
	for _, r := range raw {
		if r.Partition == row.Partition && r.Offset == row.Offset {
			var rec struct {
				PatientID string `json:"patient_id"`
			}
			if err := json.Unmarshal(r.Value, &rec); err != nil {
				t.Fatal(err)
			}
			patientKey = rec.PatientID
		}
	}
	if patientKey == "" || patientKey == pseudonym {
		t.Fatalf("patient key %q, pseudonym %q: want the raw key and its hash", patientKey, pseudonym)
	}
	want := breakglass.Link{Pseudonym: pseudonym, Topic: row.Topic, Partition: row.Partition, Offset: row.Offset, PatientKey: patientKey}

	caseDir := filepath.Join(dir, "case-1")
	run(0, "breakglass", "request", "--case", caseDir, "--target", fmt.Sprintf("record:%s/%d/%d", row.Topic, row.Partition, row.Offset), "--requester", "rita",
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
	if got != want {
		t.Errorf("opened %+v, want %+v", got, want)
	}
	time.Sleep(time.Until(approved.Add(grant + time.Second)))
	if out := run(1, "breakglass", "open", "--case", caseDir); !strings.Contains(out, "expired") {
		t.Errorf("open after access_duration printed %q, want it refused as expired", out)
	}

	// The audit topic: every step, in order, in a log that verifies.
	if out := run(0, "audit", "verify", "--pub", pubPath); !strings.Contains(out, "worker breakglass: 4 event(s), 4 checkpoint(s)") ||
		!strings.Contains(out, "worker "+cfg.Worker.ID+":") {
		t.Errorf("audit verify printed:\n%s\nwant the worker's log and the breakglass log's 4 events, each sealed by a checkpoint", out)
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
		if d.WorkerID() != breakglass.LogID {
			continue
		}
		types = append(types, d.Type())
		if strings.Contains(string(m.Value), pseudonym) || strings.Contains(string(m.Value), patientKey) || strings.Contains(string(m.Value), "nodule") {
			t.Errorf("audit event %s holds the target, the patient key or the note: %s", d.Type(), m.Value)
		}
	}
	wantTypes := []string{audit.TypeBreakGlassRequest, audit.TypeBreakGlassApprove, audit.TypeBreakGlassApprove, audit.TypeBreakGlassOpen}
	if !slices.Equal(types, wantTypes) {
		t.Errorf("audit events %v, want %v", types, wantTypes)
	}
}

// escrowCounts reads an escrow topic: link records and data key records. No
// record may hold the input in clear.
func escrowCounts(t *testing.T, ctx context.Context, conn []kgo.Opt, topic string) (links, keys int) {
	t.Helper()
	recs, err := kafkaconn.ReadAll(ctx, conn, topic)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		if strings.Contains(string(r.Value), "patient_id") {
			t.Fatal("an escrow record holds the input in clear")
		}
		isKey := slices.ContainsFunc(r.Headers, func(h kgo.RecordHeader) bool { return h.Key == breakglass.HeaderKeyRecord })
		if isKey {
			keys++
		} else {
			links++
		}
	}
	return links, keys
}
