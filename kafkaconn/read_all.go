package kafkaconn

import (
	"context"
	"fmt"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

// ReadAll returns every committed record of topic, partition by partition in
// offset order, up to the end offsets measured when it starts. It reads
// read_committed and keeps control records internally so that offsets are
// contiguous and the end is recognised even when the last offset is a
// transaction marker; the returned records exclude control records. A
// transaction still open at the end offset delays ReadAll until it ends
// (bounded by the broker's transaction timeout); ctx bounds the whole read.
func ReadAll(ctx context.Context, conn []kgo.Opt, topic string) ([]*kgo.Record, error) {
	byPart := map[int32][]*kgo.Record{}
	err := ReadEach(ctx, conn, topic, func(r *kgo.Record) error {
		byPart[r.Partition] = append(byPart[r.Partition], r)
		return nil
	})
	if err != nil {
		return nil, err
	}
	var out []*kgo.Record
	for p := int32(0); len(byPart) > 0; p++ {
		out = append(out, byPart[p]...)
		delete(byPart, p)
	}
	return out, nil
}

// ReadEach is ReadAll without holding the topic in memory: it calls fn on
// every committed record as it is fetched, in offset order within each
// partition (partitions interleave). An error from fn stops the read and is
// returned as it is.
func ReadEach(ctx context.Context, conn []kgo.Opt, topic string, fn func(*kgo.Record) error) error {
	adm, err := kgo.NewClient(conn...)
	if err != nil {
		return fmt.Errorf("reading topic %s: connecting: %w", topic, err)
	}
	ends, err := kadm.NewClient(adm).ListEndOffsets(ctx, topic)
	adm.Close()
	if err != nil {
		return fmt.Errorf("reading topic %s: listing end offsets: %w", topic, err)
	}
	if err := ends.Error(); err != nil {
		return fmt.Errorf("reading topic %s: listing end offsets: %w", topic, err)
	}
	want := map[int32]int64{} // partition -> end offset still to reach
	ends.Each(func(o kadm.ListedOffset) {
		if o.Offset > 0 {
			want[o.Partition] = o.Offset
		}
	})
	if len(want) == 0 {
		return nil
	}
	starts := map[string]map[int32]kgo.Offset{topic: {}}
	for p := range want {
		starts[topic][p] = kgo.NewOffset().AtStart()
	}
	cl, err := kgo.NewClient(append(conn[:len(conn):len(conn)],
		kgo.ConsumePartitions(starts),
		kgo.FetchIsolationLevel(kgo.ReadCommitted()),
		kgo.KeepControlRecords(),
	)...)
	if err != nil {
		return fmt.Errorf("reading topic %s: connecting: %w", topic, err)
	}
	defer cl.Close()
	for len(want) > 0 {
		fs := cl.PollFetches(ctx)
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("reading topic %s: %d partitions not read to their end: %w", topic, len(want), err)
		}
		var ferr error
		fs.EachError(func(t string, p int32, err error) { ferr = fmt.Errorf("reading topic %s partition %d: %w", t, p, err) })
		if ferr != nil {
			return ferr
		}
		var fnErr error
		fs.EachRecord(func(r *kgo.Record) {
			end, open := want[r.Partition]
			if !open || fnErr != nil {
				return
			}
			if r.Offset < end && !r.Attrs.IsControl() {
				fnErr = fn(r)
			}
			if r.Offset >= end-1 {
				delete(want, r.Partition)
			}
		})
		if fnErr != nil {
			return fnErr
		}
	}
	return nil
}
