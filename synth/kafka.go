package synth

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

// KafkaSink produces records to one topic through a franz-go client. Records
// carry no key (nothing derived from PHI may appear in keys) and no headers.
// The client should be idempotent (franz-go's default). Write is asynchronous;
// the first produce failure is returned by a later Write or by Flush. Records
// already written survive the cancellation of Write's context for up to
// DrainTimeout, so an interrupted run delivers what it generated. Safe for
// concurrent use.
type KafkaSink struct {
	cl    *kgo.Client
	topic string

	// life scopes every produce: cancelled DrainTimeout after the first
	// Write's context is done, so nothing waits on a dead broker forever.
	life     context.Context
	stop     context.CancelFunc
	watchRun sync.Once

	mu       sync.Mutex
	err      error
	produced int
}

// NewKafkaSink returns a Sink producing to topic through cl. It does not own
// cl: the caller closes it.
func NewKafkaSink(cl *kgo.Client, topic string) *KafkaSink {
	life, stop := context.WithCancel(context.Background())
	return &KafkaSink{cl: cl, topic: topic, life: life, stop: stop}
}

// Write produces rec asynchronously.
func (k *KafkaSink) Write(ctx context.Context, rec []byte) error {
	k.watchRun.Do(func() {
		context.AfterFunc(ctx, func() { time.AfterFunc(DrainTimeout, k.stop) })
	})
	if err := k.firstErr(); err != nil {
		return err
	}
	if err := k.life.Err(); err != nil {
		return fmt.Errorf("producing to topic %s after the drain deadline: %w", k.topic, err)
	}
	k.cl.Produce(k.life, &kgo.Record{Topic: k.topic, Value: rec}, k.done)
	return nil
}

func (k *KafkaSink) done(r *kgo.Record, err error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if err != nil {
		if k.err == nil {
			// Record size and offset only: the value may hold PHI.
			k.err = fmt.Errorf("producing a %d-byte record to topic %s: %w", len(r.Value), k.topic, err)
		}
		return
	}
	k.produced++
}

func (k *KafkaSink) firstErr() error {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.err
}

// Flush waits until every produced record is acknowledged.
func (k *KafkaSink) Flush(ctx context.Context) error {
	if err := k.cl.Flush(ctx); err != nil {
		return fmt.Errorf("flushing producer to topic %s: %w", k.topic, err)
	}
	return k.firstErr()
}

// Produced reports how many records the brokers acknowledged.
func (k *KafkaSink) Produced() int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.produced
}
