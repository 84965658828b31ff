package app

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/deidstream/deidstream/internal/kafkatest"
	"github.com/deidstream/deidstream/privacy/dp"
)

// BenchmarkLedgerCharge is what one window's DP charge costs on the real
// broker: baseline, a bare one-record transaction (the floor of any Kafka
// transaction); one worker charging (it keeps the ledger's id); three
// workers charging in turn (each charge finds the id taken: fence, read the
// ledger again, charge).
func BenchmarkLedgerCharge(b *testing.B) {
	conn := []kgo.Opt{kgo.SeedBrokers(kafkatest.Brokers(b)...)}
	compact := "compact"
	topic := kafkatest.TopicWithConfigs(b, kafkatest.Admin(b), 1, map[string]*string{"cleanup.policy": &compact})
	cfg := dp.Config{Dataset: "bench", Accounting: dp.ZCDP, Budget: 1e9, PerRelease: 0.001, Count: true}
	rows := [][]string{{"a"}, {"b"}}
	newWorkers := func(b *testing.B, n int) []*DP {
		ds := make([]*DP, n)
		for i := range ds {
			d, err := newDP(cfg, newLedger(conn, topic, cfg.Dataset, budgetTxnID(topic+"-", cfg.Dataset), 10*time.Second), 30*time.Second)
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(d.Close)
			ds[i] = d
		}
		return ds
	}
	b.Run("baseline_txn", func(b *testing.B) {
		cl, err := kgo.NewClient(append(conn, kgo.TransactionalID(topic+"-baseline"), kgo.DefaultProduceTopic(topic))...)
		if err != nil {
			b.Fatal(err)
		}
		defer cl.Close()
		ctx := context.Background()
		for b.Loop() {
			if err := cl.BeginTransaction(); err != nil {
				b.Fatal(err)
			}
			if err := cl.ProduceSync(ctx, &kgo.Record{Key: []byte("baseline"), Value: []byte("{}")}).FirstErr(); err != nil {
				b.Fatal(err)
			}
			if err := cl.EndTransaction(ctx, kgo.TryCommit); err != nil {
				b.Fatal(err)
			}
		}
	})
	for _, n := range []int{1, 3} {
		b.Run(fmt.Sprintf("workers_%d", n), func(b *testing.B) {
			ds := newWorkers(b, n)
			i := 0
			for b.Loop() {
				d := ds[i%n]
				i++
				r, err := d.Release([]string{"x"}, rows)
				if err != nil || r.Summary.Refused {
					b.Fatalf("release: %v (refused %v)", err, r != nil && r.Summary.Refused)
				}
				d.Commit()
			}
		})
	}
}
