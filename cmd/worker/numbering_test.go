package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/deidstream/deidstream/internal/app"
	"github.com/deidstream/deidstream/internal/config"
	"github.com/deidstream/deidstream/kafkaconn"
)

// numberingNotes are a patient's notes over time and another patient's, with
// what the research topic must show for each: a name keeps its number across
// windows and a restart, a part of a name ("Dr. Jones") takes the full name's,
// and new names continue the patient's count. Numbered from scratch, the
// second note would read "Dr. [NAME_1] called [NAME_2], then Dr. [NAME_3]".
var numberingNotes = []struct{ patient, note, want string }{
	{"PAT-000731", "Seen by Dr. Mary Jones with her son Robert Smith. Call 555-201-3344.",
		"Seen by Dr. [NAME_1] with her son [NAME_2]. Call [PHONE_1]."},
	{"PAT-000731", "Dr. Alice Walker called Robert Smith at 555-201-3344, then Dr. Jones.",
		"Dr. [NAME_3] called [NAME_2] at [PHONE_1], then Dr. [NAME_1]."},
	{"PAT-000999", "Dr. Alice Walker saw Robert Smith.",
		"Dr. [NAME_1] saw [NAME_2]."},
}

// planted are the identifiers of numberingNotes, in the forms a leak would take.
var numberingPlanted = []string{"PAT-000731", "PAT-000999", "Mary Jones", "mary jones", "Robert Smith", "robert smith",
	"Alice Walker", "alice walker", "555-201-3344", "5552013344", "jones", "smith", "walker"}

func produceNotes(ctx context.Context, t *testing.T, conn []kgo.Opt, topic string, i ...int) {
	t.Helper()
	cl, err := kgo.NewClient(conn...)
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	for _, k := range i {
		v, _ := json.Marshal(map[string]any{"patient_id": numberingNotes[k].patient, "note": numberingNotes[k].note, "age": 40 + k})
		// Keyed by patient: a patient's records share a partition (ARCHITECTURE.md).
		if err := cl.ProduceSync(ctx, &kgo.Record{Topic: topic, Key: []byte(numberingNotes[k].patient), Value: v}).FirstErr(); err != nil {
			t.Fatal(err)
		}
	}
}

// A patient's two notes, published in two windows by two worker instances
// (a restart between them), get the same placeholder for the same name; the
// placeholder topic holds none of the identifiers.
func TestPlaceholderNumberingAcrossRestart(t *testing.T) {
	cfg, conn, ctx := kfakeDemo(t, 2*time.Minute)
	cfg.Privacy = config.Defaults().Privacy // no k-anonymity: one record is a window here
	cfg.DP.Dataset = ""
	keys, research, err := demoKeys()
	if err != nil {
		t.Fatal(err)
	}
	if err := produceSynthetic(ctx, conn, cfg.Topics.Input[0], 0, 1, 0); err != nil { // creates the topic
		t.Fatal(err)
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	run := func(settled int) {
		t.Helper()
		reg := prometheus.NewRegistry()
		w, err := app.NewWorker(ctx, cfg, keys, reg, quiet)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := runUntilSettled(ctx, w, reg, settled); err != nil {
			t.Fatal(err)
		}
	}
	produceNotes(ctx, t, conn, cfg.Topics.Input[0], 0)
	run(1)
	produceNotes(ctx, t, conn, cfg.Topics.Input[0], 1, 2)
	run(2)

	o, err := readOutputs(ctx, cfg, conn, research, keys.Signer.Verifier())
	if err != nil {
		t.Fatal(err)
	}
	if len(o.windows) < 2 || len(o.rows) != len(numberingNotes) {
		t.Fatalf("%d windows, %d rows; want 2 or more windows and %d rows", len(o.windows), len(o.rows), len(numberingNotes))
	}
	noteCol := -1
	for i, c := range o.columns {
		if c == "note" {
			noteCol = i
		}
	}
	in, err := kafkaconn.ReadAll(ctx, conn, cfg.Topics.Input[0])
	if err != nil {
		t.Fatal(err)
	}
	which := map[string]int{} // partition/offset -> index in numberingNotes
	for _, r := range in {
		for k, n := range numberingNotes {
			if bytes.Contains(r.Value, []byte(n.note)) {
				which[fmt.Sprint(r.Partition, "/", r.Offset)] = k
			}
		}
	}
	for _, r := range o.rows {
		k, ok := which[fmt.Sprint(r.Partition, "/", r.Offset)]
		if !ok {
			t.Fatalf("row from %d/%d matches no input", r.Partition, r.Offset)
		}
		if got := r.Values[noteCol]; got != numberingNotes[k].want {
			t.Errorf("note %d: %q, want %q", k, got, numberingNotes[k].want)
		}
	}

	tables, err := kafkaconn.ReadAll(ctx, conn, cfg.Topics.Placeholders)
	if err != nil {
		t.Fatal(err)
	}
	if len(tables) < 3 { // patient 731 twice, 999 once
		t.Fatalf("%d placeholder tables, want 3", len(tables))
	}
	var clear bytes.Buffer
	for _, r := range tables {
		clear.Write(r.Key)
		clear.Write(r.Value)
		for _, h := range r.Headers {
			clear.WriteString(h.Key + "=" + string(h.Value))
		}
	}
	for _, s := range numberingPlanted {
		if bytes.Contains(bytes.ToLower(clear.Bytes()), []byte(strings.ToLower(s))) {
			t.Errorf("the placeholder topic holds a planted identifier (%d chars)", len(s))
		}
	}
}
