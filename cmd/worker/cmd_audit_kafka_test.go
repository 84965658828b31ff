package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/deidstream/deidstream/audit"
	"github.com/deidstream/deidstream/internal/kafkatest"
)

// TestAuditVerifyTopicRealBroker publishes the signed sample log on the real
// broker the way the pipeline does (one transaction per window, checkpoint
// included), with an event altered, deleted or two reordered, and checks
// that `worker audit verify --topic` passes the clean log and reports each
// tampering at its position.
func TestAuditVerifyTopicRealBroker(t *testing.T) {
	brokers := kafkatest.Brokers(t)
	admin := kafkatest.Admin(t)
	sample := filepath.Join("..", "..", "audit", "testdata")
	f, err := os.Open(filepath.Join(sample, "sample.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	msgs, err := audit.ReadExport(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	pub := filepath.Join(sample, "sample.pub")
	// The sample: 0 start, 1 config, 2 cp, then per window an event and a checkpoint.
	tests := []struct {
		name   string
		tamper func([]audit.Message) []audit.Message
		code   int
		want   string
	}{
		{"clean", func(m []audit.Message) []audit.Message { return m }, 0, "OK"},
		{"altered", func(m []audit.Message) []audit.Message {
			m[5].Value = bytes.Replace(m[5].Value, []byte(`"SSN":`), []byte(`"SSN":1`), 1)
			return m
		}, 1, "FAIL position 5 (seq 3) worker worker-a: chain"},
		{"deleted", func(m []audit.Message) []audit.Message { return slices.Delete(m, 7, 8) }, 1, "FAIL position 7 worker worker-a: tree-size"},
		{"reordered", func(m []audit.Message) []audit.Message { m[3], m[5] = m[5], m[3]; return m }, 1, "FAIL position 3 (seq 3) worker worker-a: sequence"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			topic := kafkatest.Topic(t, admin, 1)
			cp := make([]audit.Message, len(msgs))
			for i, m := range msgs {
				cp[i] = audit.Message{Kind: m.Kind, Value: bytes.Clone(m.Value)}
			}
			publishAudit(t, brokers, topic, tc.tamper(cp))
			code, out, errs := runWorker(t, "audit", "verify", "--topic", topic, "--brokers", strings.Join(brokers, ","), "--pub", pub)
			if code != tc.code || !strings.Contains(out, tc.want) {
				t.Errorf("verify --topic = %d, want %d with %q\nstdout:\n%s\nstderr:\n%s", code, tc.code, tc.want, out, errs)
			}
		})
	}
}

// publishAudit writes msgs in transactions that each end with a checkpoint.
func publishAudit(t *testing.T, brokers []string, topic string, msgs []audit.Message) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	p, err := kgo.NewClient(kgo.SeedBrokers(brokers...), kgo.TransactionalID(topic), kgo.DefaultProduceTopic(topic))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	for len(msgs) > 0 {
		n := slices.IndexFunc(msgs, func(m audit.Message) bool { return m.Kind == audit.KindCheckpoint }) + 1
		if n == 0 {
			n = len(msgs)
		}
		if err := p.BeginTransaction(); err != nil {
			t.Fatal(err)
		}
		for _, m := range msgs[:n] {
			r := &kgo.Record{Key: []byte("worker-a"), Value: m.Value, Headers: []kgo.RecordHeader{{Key: audit.HeaderKind, Value: []byte(m.Kind)}}}
			p.Produce(ctx, r, func(_ *kgo.Record, err error) {
				if err != nil {
					t.Errorf("producing: %v", err)
				}
			})
		}
		if err := p.Flush(ctx); err != nil {
			t.Fatal(err)
		}
		if err := p.EndTransaction(ctx, kgo.TryCommit); err != nil {
			t.Fatal(err)
		}
		msgs = msgs[n:]
	}
}
