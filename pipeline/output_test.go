package pipeline

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/deidstream/deidstream/deid"
)

// recordingTx is a transaction that keeps what outputs produce into it.
type recordingTx struct{ recs []*kgo.Record }

func (t *recordingTx) Produce(_ context.Context, r *kgo.Record) { t.recs = append(t.recs, r) }

// TestOutputConformance runs one suite against every output the worker
// writes: each message lands once, in the transaction, on the output's own
// topic, with its key, value and headers unchanged, tagged with the output's
// kind (the audit topic carries its own kind header instead).
func TestOutputConformance(t *testing.T) {
	topics := testConfig(t).Topics
	outs := KafkaOutputs(topics)
	for _, tc := range []struct {
		name, topic, kind string
		out               Output
	}{
		{"research", topics.Research, "research", outs.Research},
		{"stats", topics.Stats, "stats", outs.Stats},
		{"quarantine", topics.Quarantine, "quarantine", outs.Quarantine},
		{"audit", topics.Audit, "", outs.Audit},
		{"budget", topics.Budget, "budget", outs.Budget},
		{"placeholders", topics.Placeholders, "placeholders", outs.Placeholders},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var tx recordingTx
			msgs := []Message{
				{Key: []byte("w1"), Value: []byte{1, 2, 3}, Headers: []kgo.RecordHeader{header(deid.HeaderBatch, "b1")}},
				{Key: []byte("w1"), Value: []byte{4}},
			}
			for _, m := range msgs {
				tc.out.Write(context.Background(), &tx, m)
			}
			if len(tx.recs) != len(msgs) {
				t.Fatalf("%d records produced for %d messages", len(tx.recs), len(msgs))
			}
			for i, r := range tx.recs {
				if r.Topic != tc.topic {
					t.Errorf("message %d went to %q, want %q", i, r.Topic, tc.topic)
				}
				want := msgs[i].Headers
				if tc.kind != "" {
					want = append([]kgo.RecordHeader{header(deid.HeaderKind, tc.kind)}, want...)
				}
				if diff := cmp.Diff(want, r.Headers); diff != "" {
					t.Errorf("message %d headers (-want +got):\n%s", i, diff)
				}
				if !cmp.Equal(r.Key, msgs[i].Key) || !cmp.Equal(r.Value, msgs[i].Value) {
					t.Errorf("message %d: key or value changed on the way", i)
				}
			}
		})
	}
}

// countingOutput counts what it writes and passes it on.
type countingOutput struct {
	next Output
	n    *int
}

func (c countingOutput) Write(ctx context.Context, tx Tx, m Message) {
	*c.n++
	c.next.Write(ctx, tx, m)
}

// TestWithOutputsReplacesOne: the worker writes through its Output port; an
// output given to WithOutputs replaces that one only.
func TestWithOutputsReplacesOne(t *testing.T) {
	cfg := testConfig(t)
	conn := kfakeConn(t)
	recs, wantQ, _ := inputs(200)
	produceAll(t, conn, "raw", recs)
	n := 0
	m := NewMetrics(prometheus.NewRegistry())
	w, err := New(*cfg, conn, fakeRedactor{}, fakeSealer{}, &fakeAuditor{}, WithAnonymizer(fakeAnonymizer{}), WithMetrics(m),
		WithOutputs(Outputs{Quarantine: countingOutput{Topic{cfg.Topics.Quarantine, "quarantine"}, &n}}))
	if err != nil {
		t.Fatal(err)
	}
	if err := runUntil(t, w, func() bool { return settled(m) >= 200 }); err != nil {
		t.Fatal(err)
	}
	want := 0
	for _, c := range wantQ {
		want += c
	}
	if n != want {
		t.Errorf("the quarantine output wrote %d records, want %d", n, want)
	}
	_, reasons, _ := outputs(t, conn, cfg)
	got := 0
	for _, c := range reasons {
		got += c
	}
	if got != want {
		t.Errorf("%d quarantined records on the topic, want %d", got, want)
	}
	if w.out.Research != (Topic{cfg.Topics.Research, "research"}) {
		t.Errorf("research output is %v, want the configured topic", w.out.Research)
	}
}
