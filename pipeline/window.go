package pipeline

import (
	"sort"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/deidstream/deidstream/deid"
)

// slot is one input record's place in a window; a stage goroutine fills it.
type slot struct {
	rec    *kgo.Record
	values []string
	phi    map[string]int
	held   map[string]int // values withheld by reason code
	reason string         // quarantine reason code, "" if released
	// inspected: the Monitor looked at values; residual is what it found.
	inspected bool
	residual  map[string]int
}

// window is the set of records consumed in one transaction. Slots keep poll
// order, which is offset order within each partition.
type window struct {
	seq     uint64 // numbered when it begins publishing
	slots   []slot
	pending sync.WaitGroup // slots still being processed
	ranges  map[topicPartition]*deid.OffsetRange
	// next is, per partition, the offset after the last record polled
	// (control records included): what committing the window commits.
	next map[topicPartition]kgo.EpochOffset
	// from is, per partition, the first offset polled since the partition
	// was last assigned: where consuming resumes if the window is dropped;
	// fromAt is Worker.assignedAt of the partition then (see rewind).
	from   map[topicPartition]kgo.EpochOffset
	fromAt map[topicPartition]uint64
	// rebalances is Worker.rebalances before the window's first poll: a
	// revocation since then may have taken a partition some of its records
	// came from, so the window must not commit.
	rebalances uint64
	bytes      int       // raw bytes of the records polled
	deadline   time.Time // max_wait after the first record; zero before it
	ahead      bool      // polled while the window before it publishes
	// tables are the placeholder tables its records changed (Numbering.Changed,
	// taken once it drained, before the next window's records are numbered).
	tables []StateRecord
	// stale: partitions were assigned while the window was open (or, polled
	// ahead, at all), so its numbering may be stale; it is aborted or
	// dropped, not published.
	stale bool
	// flush: no input came for Config.CarryMaxIdle while the Carrier held
	// rows; the window, of no input, releases or suppresses them all.
	flush bool
}

type topicPartition struct {
	topic     string
	partition int32
}

func newWindow(capacity int, rebalances uint64) *window {
	return &window{slots: make([]slot, 0, capacity), ranges: map[topicPartition]*deid.OffsetRange{},
		next: map[topicPartition]kgo.EpochOffset{}, from: map[topicPartition]kgo.EpochOffset{},
		fromAt: map[topicPartition]uint64{}, rebalances: rebalances}
}

// polled notes a record (or control record) taken from Kafka into the
// window; assigned is its partition's Worker.assignedAt. A record under a
// newer assignment than the window's first of that partition starts from again.
func (w *window) polled(r *kgo.Record, assigned uint64) {
	tp := topicPartition{r.Topic, r.Partition}
	if at, ok := w.fromAt[tp]; !ok || at < assigned {
		w.from[tp] = kgo.EpochOffset{Epoch: r.LeaderEpoch, Offset: r.Offset}
		w.fromAt[tp] = assigned
	}
	w.next[tp] = kgo.EpochOffset{Epoch: r.LeaderEpoch, Offset: r.Offset + 1}
}

// add appends a record and returns its slot index. Slots are never reallocated
// while stage goroutines write them: capacity is the window's maximum.
func (w *window) add(r *kgo.Record) int {
	w.slots = append(w.slots, slot{rec: r})
	tp := topicPartition{r.Topic, r.Partition}
	if rg, ok := w.ranges[tp]; ok {
		rg.Last = r.Offset
	} else {
		w.ranges[tp] = &deid.OffsetRange{Topic: r.Topic, Partition: r.Partition, First: r.Offset, Last: r.Offset}
	}
	return len(w.slots) - 1
}

// inputs lists the window's offset ranges in topic, partition order.
func (w *window) inputs() []deid.OffsetRange {
	out := make([]deid.OffsetRange, 0, len(w.ranges))
	for _, r := range w.ranges {
		out = append(out, *r)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Topic != out[j].Topic {
			return out[i].Topic < out[j].Topic
		}
		return out[i].Partition < out[j].Partition
	})
	return out
}
