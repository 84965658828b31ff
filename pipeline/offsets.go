package pipeline

import (
	"context"

	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// The input offsets a window's transaction commits.
//
// franz-go's GroupTransactSession.End commits the offsets of everything
// polled so far (Client.UncommittedOffsets). The worker polls the next window
// while the current one publishes (overlap), so End must commit the current
// window's offsets and no others: kgo.PreTxnCommitFnContext rewrites the
// TxnOffsetCommit request End sends (same producer id, epoch, group
// generation and member; only the partitions and offsets change). End's other
// guarantees stay: it aborts if the group revoked or lost partitions since
// the last End, and the broker holds the committed offsets unstable
// (KIP-447, RequireStableFetchOffsets) until the transaction ends, so a new
// owner of a partition cannot read them before the outcome is known.
//
// What End believes committed is what was polled when it last committed,
// which counts the records polled ahead as committed; after an abort End
// rewinds to that belief, so rewind then puts consuming back at the first
// record of every window that did not commit.

// committing makes End, under the returned context, commit exactly offsets:
// none when offsets is empty (a lifecycle event's transaction).
func (w *Worker) committing(ctx context.Context, offsets map[topicPartition]kgo.EpochOffset) context.Context {
	return kgo.PreTxnCommitFnContext(ctx, func(req *kmsg.TxnOffsetCommitRequest) error {
		for _, t := range req.Topics {
			w.learnTopicID(t.Topic, t.TopicID) // v6+ names topics by id only
		}
		byTopic := map[string]int{}
		req.Topics = nil
		for tp, eo := range offsets {
			i, ok := byTopic[tp.topic]
			if !ok {
				i = len(req.Topics)
				byTopic[tp.topic] = i
				t := kmsg.NewTxnOffsetCommitRequestTopic()
				t.Topic, t.TopicID = tp.topic, w.topicIDs[tp.topic]
				req.Topics = append(req.Topics, t)
			}
			p := kmsg.NewTxnOffsetCommitRequestTopicPartition()
			p.Partition, p.Offset, p.LeaderEpoch, p.Metadata = tp.partition, eo.Offset, eo.Epoch, &req.MemberID
			req.Topics[i].Partitions = append(req.Topics[i].Partitions, p)
		}
		return nil
	})
}

// learnTopicID keeps a topic's id (from a fetch or End's request) for committing.
func (w *Worker) learnTopicID(topic string, id [16]byte) {
	if id != ([16]byte{}) {
		w.topicIDs[topic] = id
	}
}

// rewind sets consuming back to the first record of each window given
// (oldest first: its offset wins for a partition two windows hold), after
// they were aborted or dropped. Partitions no longer assigned are skipped,
// and so are partitions assigned again since the window polled them: one
// revoked meanwhile may have been consumed and committed further by another
// member, and its new assignment starts at that commit (End's own rewind
// after an abort goes back to it too). A record the window polled under the
// new assignment is a first record again (window.polled).
func (w *Worker) rewind(cl *kgo.Client, wins ...*window) {
	to := map[string]map[int32]kgo.EpochOffset{}
	w.assignMu.Lock()
	for _, win := range wins {
		if win == nil {
			continue
		}
		for tp, eo := range win.from {
			if w.assignedAt[tp] > win.fromAt[tp] {
				continue
			}
			if to[tp.topic] == nil {
				to[tp.topic] = map[int32]kgo.EpochOffset{}
			}
			if _, ok := to[tp.topic][tp.partition]; !ok {
				to[tp.topic][tp.partition] = eo
			}
		}
	}
	w.assignMu.Unlock() // not held across a Kafka call
	cl.SetOffsets(to)
}
