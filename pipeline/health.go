package pipeline

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

// When Kafka counts as unreachable, and how often the worker says so while it lasts.
const (
	// outageAfter: a failed dial or request, and no broker has answered for this
	// long. A group member hears from a broker every few seconds (heartbeats
	// every 3 s, fetches return within 5 s), so silence this long is no lull.
	outageAfter = 10 * time.Second
	// outageLogEvery bounds the log lines of an outage: one when it starts, one
	// this often while it lasts, one when it ends.
	outageLogEvery = time.Minute
)

// kafkaHealth follows whether the cluster answers, through the Kafka client's
// hooks: any response read from any broker proves it reachable; a failed
// dial, write or read, with no response for outageAfter, is an outage. One
// broker of several down is no outage: the others answer. It logs the outage
// at a bounded rate, sets the metrics, and tells readiness. Safe for
// concurrent use (franz-go calls hooks from its own goroutines).
type kafkaHealth struct {
	log     *slog.Logger
	metrics *Metrics

	mu     sync.Mutex
	lastOK time.Time // the last response from a broker (or the start)
	cause  error     // the last failure since lastOK; nil when none
	since  time.Time // when the reported outage began (lastOK then); zero when none
	logged time.Time // the last outage line
}

func newKafkaHealth(log *slog.Logger, m *Metrics, now time.Time) *kafkaHealth {
	return &kafkaHealth{log: log, metrics: m, lastOK: now}
}

// OnBrokerConnect implements kgo.HookBrokerConnect.
func (h *kafkaHealth) OnBrokerConnect(_ kgo.BrokerMetadata, _ time.Duration, _ net.Conn, err error) {
	if err != nil {
		h.failed(err)
	}
}

// OnBrokerWrite implements kgo.HookBrokerWrite.
func (h *kafkaHealth) OnBrokerWrite(_ kgo.BrokerMetadata, _ int16, _ int, _, _ time.Duration, err error) {
	if err != nil {
		h.failed(err)
	}
}

// OnBrokerRead implements kgo.HookBrokerRead.
func (h *kafkaHealth) OnBrokerRead(_ kgo.BrokerMetadata, _ int16, _ int, _, _ time.Duration, err error) {
	if err != nil {
		h.failed(err)
		return
	}
	h.answered(time.Now())
}

// failed records a failure to reach Kafka: a hook's, or the worker's own.
func (h *kafkaHealth) failed(err error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.cause = err
}

// answered records a response from a broker and ends a reported outage.
func (h *kafkaHealth) answered(now time.Time) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !now.After(h.lastOK) {
		return
	}
	if !h.since.IsZero() {
		h.log.Info("Kafka answers again; the worker resumes", "outage", now.Sub(h.since).Round(time.Second).String())
		h.since = time.Time{}
		h.metrics.KafkaUnreachable.Set(0)
	}
	h.lastOK, h.cause = now, nil
}

// check starts an outage once Kafka has been silent for outageAfter after a
// failure, and logs it every outageLogEvery while it lasts. Run calls it
// every second.
func (h *kafkaHealth) check(now time.Time) {
	h.mu.Lock()
	defer h.mu.Unlock()
	silent := now.Sub(h.lastOK)
	switch {
	case h.since.IsZero() && h.cause != nil && silent >= outageAfter:
		h.since, h.logged = h.lastOK, now
		h.metrics.KafkaOutages.Inc()
		h.log.Warn("Kafka unreachable: no broker answers; a window that cannot commit is aborted and its records are "+
			"consumed again; the worker waits for the cluster and resumes by itself",
			"for", silent.Round(time.Second).String(), "error", h.cause.Error())
	case !h.since.IsZero() && now.Sub(h.logged) >= outageLogEvery:
		h.logged = now
		h.log.Warn("Kafka still unreachable; waiting", "for", silent.Round(time.Second).String(), "error", h.cause.Error())
	}
	if !h.since.IsZero() {
		h.metrics.KafkaUnreachable.Set(silent.Seconds())
	}
}

// unreachable returns why Kafka counts as unreachable, or nil.
func (h *kafkaHealth) unreachable(now time.Time) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.since.IsZero() {
		return nil
	}
	return fmt.Errorf("Kafka unreachable for %s: %w", now.Sub(h.since).Round(time.Second), h.cause)
}

// errNotAssigned is the readiness of a worker that holds no partitions yet.
var errNotAssigned = errors.New("not yet joined the consumer group with partitions assigned")

// Readiness returns nil when the worker is ready (Kafka answers, and it holds
// partitions), or why it is not: the /readyz body.
func (w *Worker) Readiness() error {
	if err := w.health.unreachable(time.Now()); err != nil {
		return err
	}
	if p := w.reconnecting.Load(); p != nil {
		return *p
	}
	if !w.ready.Load() {
		return errNotAssigned
	}
	return nil
}

// Ready reports whether Readiness is nil.
func (w *Worker) Ready() bool { return w.Readiness() == nil }

// watchKafka runs check every second until done, and keeps the ready gauge.
func (w *Worker) watchKafka(done <-chan struct{}) {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-done:
			return
		case now := <-t.C:
			w.health.check(now)
			ready := 0.0
			if w.Ready() {
				ready = 1
			}
			w.metrics.Ready.Set(ready)
		}
	}
}
