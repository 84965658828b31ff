package kafkaconn

import (
	"context"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
)

// Committed tells a committed transaction's record from an aborted one's, and
// waits for an open transaction to end.
func TestCommitted(t *testing.T) {
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(1, "out"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	conn := []kgo.Opt{kgo.SeedBrokers(c.ListenAddrs()...)}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cl, err := kgo.NewClient(append(conn, kgo.TransactionalID("t"), kgo.DefaultProduceTopic("out"))...)
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	// txn produces two records and returns the offset of the second, leaving the transaction open.
	txn := func() int64 {
		if err := cl.BeginTransaction(); err != nil {
			t.Fatal(err)
		}
		rs := cl.ProduceSync(ctx, &kgo.Record{Value: []byte("a")}, &kgo.Record{Value: []byte("b")})
		if err := rs.FirstErr(); err != nil {
			t.Fatal(err)
		}
		return rs[1].Record.Offset
	}
	end := func(commit bool) {
		if err := cl.EndTransaction(ctx, kgo.TransactionEndTry(commit)); err != nil {
			t.Fatal(err)
		}
	}
	committed := txn()
	end(true)
	aborted := txn()
	end(false)
	open := txn()

	for _, c := range []struct {
		offset int64
		want   bool
	}{{committed, true}, {aborted, false}} {
		got, err := Committed(ctx, conn, "out", 0, c.offset)
		if err != nil || got != c.want {
			t.Errorf("Committed(offset %d) = %v, %v; want %v", c.offset, got, err, c.want)
		}
	}
	short, cancelShort := context.WithTimeout(ctx, 500*time.Millisecond)
	defer cancelShort()
	if got, err := Committed(short, conn, "out", 0, open); err == nil {
		t.Errorf("Committed on an open transaction = %v, want an error once ctx ends", got)
	}
	go func() {
		time.Sleep(200 * time.Millisecond)
		end(true)
	}()
	if got, err := Committed(ctx, conn, "out", 0, open); err != nil || !got {
		t.Errorf("Committed once the open transaction committed = %v, %v; want true", got, err)
	}
}
