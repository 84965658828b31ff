package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/expfmt"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/deidstream/deidstream/internal/app"
	"github.com/deidstream/deidstream/internal/config"
	"github.com/deidstream/deidstream/kafkaconn"
	"github.com/deidstream/deidstream/synth"
)

// syncBuffer is a log sink safe for the worker's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// Everything the worker emits in the clear — logs at debug level, Kafka keys
// and headers of every output topic, the audit topic, the budget ledger, the
// placeholder tables and the metrics — is searched for the identifiers
// planted in its input.
func TestNoPHIOutsideSealedPayloads(t *testing.T) {
	const n = 1500
	cfg, conn, ctx := kfakeDemo(t, 3*time.Minute)

	// The values a leak would show: every structured identifier of every record.
	var secrets []string
	g := synth.NewGenerator(synth.Options{Seed: 5})
	for range n {
		rec, _ := g.Next()
		var m map[string]any
		if json.Unmarshal(rec, &m) != nil {
			continue
		}
		for _, k := range []string{"name", "ssn", "phone", "email", "mrn", "insurance_id", "address", "patient_id"} {
			if v, ok := m[k].(string); ok && len(v) >= 6 {
				secrets = append(secrets, v)
			}
		}
	}
	if err := produceSynthetic(ctx, conn, cfg.Topics.Input[0], n, 5, 0.02); err != nil {
		t.Fatal(err)
	}
	keys, _, err := demoKeys()
	if err != nil {
		t.Fatal(err)
	}
	var logs syncBuffer
	reg := prometheus.NewRegistry()
	w, err := app.NewWorker(ctx, cfg, keys, reg, newLogger(&logs, "debug"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := runUntilSettled(ctx, w, reg, n); err != nil {
		t.Fatal(err)
	}

	var clear strings.Builder // all that is visible without a key
	clear.WriteString(logs.String())
	for _, topic := range []string{cfg.Topics.Research, cfg.Topics.Quarantine, cfg.Topics.Stats, cfg.Topics.Budget, cfg.Topics.Audit,
		cfg.Topics.Placeholders} {
		recs, err := kafkaconn.ReadAll(ctx, conn, topic)
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) == 0 && topic != cfg.Topics.Stats {
			t.Fatalf("topic %s is empty: the test would prove nothing", topic)
		}
		for _, r := range recs {
			fmt.Fprintf(&clear, "%s\n", r.Key)
			for _, h := range r.Headers {
				fmt.Fprintf(&clear, "%s=%s\n", h.Key, h.Value)
			}
			if topic == cfg.Topics.Audit || topic == cfg.Topics.Budget || topic == cfg.Topics.Placeholders { // plaintext by design
				clear.Write(r.Value)
			}
		}
	}
	mfs, _ := reg.Gather()
	for _, mf := range mfs {
		expfmt.MetricFamilyToText(&clear, mf)
	}
	text := clear.String()
	if len(secrets) < n {
		t.Fatalf("only %d planted identifiers found; the generator changed shape", len(secrets))
	}
	for _, s := range secrets {
		if strings.Contains(text, s) {
			t.Errorf("a planted identifier (%d chars) appears outside sealed payloads", len(s))
		}
	}
}

// produceInOrder creates topic with one partition, so that a record's offset
// is its index in records, and produces records to it.
func produceInOrder(ctx context.Context, t *testing.T, conn []kgo.Opt, topic string, records [][]byte) {
	t.Helper()
	cl, err := kgo.NewClient(append(conn, kgo.DefaultProduceTopic(topic), kgo.ProducerBatchMaxBytes(4<<20))...)
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	if _, err := kadm.NewClient(cl).CreateTopic(ctx, 1, -1, nil, topic); err != nil {
		t.Fatal(err)
	}
	for i, r := range records {
		if err := cl.ProduceSync(ctx, &kgo.Record{Value: r}).FirstErr(); err != nil {
			t.Fatalf("producing record %d: %v", i, err)
		}
	}
}

// kfakeDemo is the demo config on an in-process Kafka, with a fixed secret, a
// connection and a deadline for the test.
func kfakeDemo(t *testing.T, timeout time.Duration) (*config.Config, []kgo.Opt, context.Context) {
	t.Helper()
	cfg, err := config.Demo()
	if err != nil {
		t.Fatal(err)
	}
	cfg.Redaction.Secret = strings.Repeat("ab", 32)
	cluster, err := kfake.NewCluster(kfake.NumBrokers(1))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cluster.Close)
	cfg.Kafka.Brokers = cluster.ListenAddrs()
	conn, err := cfg.Kafka.Opts()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	t.Cleanup(cancel)
	return cfg, conn, ctx
}
