package audit

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

// HeaderKind is the Kafka header that carries a Message's Kind.
const HeaderKind = "kind"

// ErrNoTopic means the audit topic does not exist.
var ErrNoTopic = errors.New("audit topic not found")

// ReadTopic reads every committed message of an audit topic, read_committed,
// from the start of each partition to its last stable offset as of the call,
// and returns them partition by partition, each in offset order (one
// worker's log lives in one partition, keyed by worker id). conn holds the
// connection options (brokers, TLS, SASL); consumer options are set here.
func ReadTopic(ctx context.Context, topic string, conn ...kgo.Opt) ([]Message, error) {
	adm, err := kgo.NewClient(conn...)
	if err != nil {
		return nil, fmt.Errorf("connecting to Kafka: %w", err)
	}
	ends, err := kadm.NewClient(adm).ListCommittedOffsets(ctx, topic)
	adm.Close()
	if err != nil {
		return nil, fmt.Errorf("listing end offsets of %s: %w", topic, err)
	}
	if err := ends.Error(); err != nil {
		return nil, fmt.Errorf("listing end offsets of %s: %w: %w", topic, ErrNoTopic, err)
	}
	end := map[int32]int64{}
	start := map[int32]kgo.Offset{}
	ends.Each(func(o kadm.ListedOffset) {
		if o.Topic == topic && o.Offset > 0 {
			end[o.Partition] = o.Offset
			start[o.Partition] = kgo.NewOffset().AtStart()
		}
	})
	if len(end) == 0 {
		return nil, nil
	}
	cl, err := kgo.NewClient(append(slices.Clone(conn),
		kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{topic: start}),
		kgo.FetchIsolationLevel(kgo.ReadCommitted()),
		// Control records (transaction markers) tell us where a partition
		// ends even when its last offset is a commit marker.
		kgo.KeepControlRecords(),
	)...)
	if err != nil {
		return nil, fmt.Errorf("connecting to Kafka: %w", err)
	}
	defer cl.Close()

	byPart := map[int32][]Message{}
	for len(end) > 0 {
		fs := cl.PollFetches(ctx)
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("reading %s: %d partition(s) not read to the end: %w", topic, len(end), err)
		}
		var ferr error
		fs.EachError(func(t string, p int32, err error) {
			ferr = fmt.Errorf("fetching %s/%d: %w", t, p, err)
		})
		if ferr != nil {
			return nil, ferr
		}
		fs.EachRecord(func(r *kgo.Record) {
			e, open := end[r.Partition]
			if !open || r.Offset >= e {
				return
			}
			if !r.Attrs.IsControl() {
				m := Message{Value: r.Value}
				for _, h := range r.Headers {
					if h.Key == HeaderKind {
						m.Kind = string(h.Value)
					}
				}
				byPart[r.Partition] = append(byPart[r.Partition], m)
			}
			if r.Offset >= e-1 {
				delete(end, r.Partition)
			}
		})
	}
	parts := make([]int32, 0, len(byPart))
	for p := range byPart {
		parts = append(parts, p)
	}
	slices.Sort(parts)
	var msgs []Message
	for _, p := range parts {
		msgs = append(msgs, byPart[p]...)
	}
	return msgs, nil
}
