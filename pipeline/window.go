package pipeline

import (
	"sort"
	"sync"

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
	seq     uint64
	slots   []slot
	pending sync.WaitGroup // slots still being processed
	ranges  map[topicPartition]*deid.OffsetRange
	seen    map[topicPartition]int64 // highest offset polled, control records included
	// stale: partitions were assigned while the window was open, so its
	// numbering may be stale; it is aborted, not published.
	stale bool
}

type topicPartition struct {
	topic     string
	partition int32
}

func newWindow(seq uint64, capacity int) *window {
	return &window{seq: seq, slots: make([]slot, 0, capacity), ranges: map[topicPartition]*deid.OffsetRange{},
		seen: map[topicPartition]int64{}}
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
