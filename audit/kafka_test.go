package audit

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
)

// TestReadTopic publishes a log the way the pipeline does (transactions,
// one of them aborted) on an in-process Kafka and reads it back.
func TestReadTopic(t *testing.T) {
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(2, "audit"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	conn := []kgo.Opt{kgo.SeedBrokers(c.ListenAddrs()...)}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	s := testSigner(t, "audit.test", 1)
	msgs := simulateRun(t, NewLog(s, "w1", WithClock(fakeClock())), 3)
	p, err := kgo.NewClient(append(conn, kgo.TransactionalID("audit-test"), kgo.DefaultProduceTopic("audit"))...)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	send := func(ms []Message, commit bool) {
		t.Helper()
		if err := p.BeginTransaction(); err != nil {
			t.Fatal(err)
		}
		for _, m := range ms {
			r := &kgo.Record{Key: []byte("w1"), Value: m.Value, Headers: []kgo.RecordHeader{{Key: HeaderKind, Value: []byte(m.Kind)}}}
			if err := p.ProduceSync(ctx, r).FirstErr(); err != nil {
				t.Fatal(err)
			}
		}
		if err := p.EndTransaction(ctx, kgo.TransactionEndTry(commit)); err != nil {
			t.Fatal(err)
		}
	}
	send(msgs[:5], true)
	send([]Message{{Kind: KindEvent, Value: []byte(`{"aborted":true}`)}}, false)
	send(msgs[5:], true)

	got, err := ReadTopic(ctx, "audit", conn...)
	if err != nil {
		t.Fatalf("ReadTopic: %v", err)
	}
	if d := cmp.Diff(msgs, got); d != "" {
		t.Errorf("messages (-want +got):\n%s", d)
	}
	if rep, _ := Verify(got, s.Verifier()); !rep.OK {
		t.Errorf("findings: %s", findingsText(rep))
	}

	if _, err := ReadTopic(ctx, "no-such-topic", conn...); err == nil {
		t.Error("reading a missing topic did not fail")
	}
}
