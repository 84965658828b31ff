package kafkaconn

import (
	"context"
	"fmt"

	"github.com/twmb/franz-go/pkg/kgo"
)

// Committed reports whether the record at topic/partition/offset was committed.
// The records of a transaction commit or abort together, so one of them tells
// the outcome of its transaction. Committed reads read_committed from offset,
// keeping control records: the first record returned is that record if its
// transaction committed, or a later one (its abort marker at the latest) if it
// aborted. While the transaction is open nothing is returned: ctx bounds the wait.
func Committed(ctx context.Context, conn []kgo.Opt, topic string, partition int32, offset int64) (bool, error) {
	cl, err := kgo.NewClient(append(conn[:len(conn):len(conn)],
		kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{topic: {partition: kgo.NewOffset().At(offset)}}),
		kgo.FetchIsolationLevel(kgo.ReadCommitted()),
		kgo.KeepControlRecords(),
	)...)
	if err != nil {
		return false, fmt.Errorf("reading %s/%d/%d: connecting: %w", topic, partition, offset, err)
	}
	defer cl.Close()
	for {
		fs := cl.PollFetches(ctx)
		if err := ctx.Err(); err != nil {
			return false, fmt.Errorf("reading %s/%d/%d: its transaction is still open: %w", topic, partition, offset, err)
		}
		var ferr error
		fs.EachError(func(t string, p int32, err error) { ferr = fmt.Errorf("reading %s/%d/%d: %w", t, p, offset, err) })
		if ferr != nil {
			return false, ferr
		}
		if rs := fs.Records(); len(rs) > 0 {
			return rs[0].Offset == offset, nil
		}
	}
}
