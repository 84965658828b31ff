package kafkaconn

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
)

// ReadEach sees the committed records only, in offset order per partition,
// and stops at the first error of its callback; ReadAll returns the same.
func TestReadEachCommittedInOrder(t *testing.T) {
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(2, "state"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	conn := []kgo.Opt{kgo.SeedBrokers(c.ListenAddrs()...)}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cl, err := kgo.NewClient(append(conn, kgo.TransactionalID("t"), kgo.DefaultProduceTopic("state"),
		kgo.RecordPartitioner(kgo.ManualPartitioner()))...)
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	txn := func(commit bool, vals ...string) {
		if err := cl.BeginTransaction(); err != nil {
			t.Fatal(err)
		}
		for i, v := range vals {
			cl.Produce(ctx, &kgo.Record{Partition: int32(i % 2), Value: []byte(v)}, nil)
		}
		if err := cl.Flush(ctx); err != nil {
			t.Fatal(err)
		}
		if err := cl.EndTransaction(ctx, kgo.TransactionEndTry(commit)); err != nil {
			t.Fatal(err)
		}
	}
	txn(true, "a0", "b0", "a1", "b1")
	txn(false, "x", "y")
	txn(true, "a2", "b2")

	got := map[int32][]string{}
	if err := ReadEach(ctx, conn, "state", func(r *kgo.Record) error {
		got[r.Partition] = append(got[r.Partition], string(r.Value))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(got[0]) != "[a0 a1 a2]" || fmt.Sprint(got[1]) != "[b0 b1 b2]" {
		t.Errorf("ReadEach read %v, want the committed records in offset order", got)
	}
	all, err := ReadAll(ctx, conn, "state")
	if err != nil || len(all) != 6 || string(all[0].Value) != "a0" || string(all[5].Value) != "b2" {
		t.Errorf("ReadAll: %d records, %v", len(all), err)
	}

	stop := errors.New("stop")
	n := 0
	err = ReadEach(ctx, conn, "state", func(*kgo.Record) error {
		n++
		return stop
	})
	if !errors.Is(err, stop) || n != 1 {
		t.Errorf("callback error: %v after %d calls, want stop after 1", err, n)
	}
}
