package app

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"sync/atomic"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
)

// StartStatus is why a worker being built is not ready yet: /readyz serves it
// until the worker exists. Safe for concurrent use.
type StartStatus struct{ why atomic.Pointer[error] }

// errStarting is the readiness while the start proceeds.
var errStarting = errors.New("starting: checking the topics and reading the worker's state back from Kafka")

// Readiness is never nil: a worker being built is not ready.
func (s *StartStatus) Readiness() error {
	if p := s.why.Load(); p != nil {
		return *p
	}
	return errStarting
}

func (s *StartStatus) set(err error) {
	if s != nil {
		s.why.Store(&err)
	}
}

// Waiting for Kafka at start: how often the worker tries again, and how often
// it says it still waits.
const (
	startRetryEvery = 2 * time.Second
	startLogEvery   = time.Minute
)

// kafkaWait runs the start's steps that need Kafka, each again and again
// while Kafka does not answer (as a running worker waits out an outage):
// nothing is consumed before every step succeeded, so waiting is safe.
// Faults a retry cannot clear (credentials, ACLs, certificates, topics set
// otherwise, a log that does not verify) stop the start at once.
type kafkaWait struct {
	log      *slog.Logger
	status   *StartStatus // nil: nothing to report to
	retry    time.Duration
	logEvery time.Duration
}

func newKafkaWait(log *slog.Logger, status *StartStatus) *kafkaWait {
	return &kafkaWait{log: log, status: status, retry: startRetryEvery, logEvery: startLogEvery}
}

// do runs step (what names it for the log and /readyz) until it succeeds,
// fails for a reason other than Kafka not answering, or ctx ends.
func (k *kafkaWait) do(ctx context.Context, what string, step func(context.Context) error) error {
	var since, logged time.Time
	for {
		err := step(ctx)
		if err == nil || !unreachable(err) || ctx.Err() != nil {
			if err == nil && !since.IsZero() {
				k.log.Info("Kafka answers; the worker goes on starting", "step", what,
					"waited", time.Since(since).Round(time.Second).String())
			}
			k.status.set(errStarting)
			return err
		}
		now := time.Now()
		switch {
		case since.IsZero():
			since, logged = now, now
			k.log.Warn("Kafka unreachable while starting; the worker waits for it and consumes nothing until it answers",
				"step", what, "error", err.Error())
		case now.Sub(logged) >= k.logEvery:
			logged = now
			k.log.Warn("Kafka still unreachable; the worker waits to start", "step", what,
				"for", now.Sub(since).Round(time.Second).String(), "error", err.Error())
		}
		k.status.set(fmt.Errorf("starting: waiting for Kafka to answer (%s) for %s: %w", what, now.Sub(since).Round(time.Second), err))
		select {
		case <-ctx.Done():
			return fmt.Errorf("stopped while waiting for Kafka to start (%s): %w", what, err)
		case <-time.After(k.retry):
		}
	}
}

// unreachable reports whether err is Kafka not answering (a refused or
// timed-out connection, a broker not ready), which waiting can clear. A
// certificate that does not verify, credentials refused and ACLs denied are
// not, though they too arrive over a connection.
func unreachable(err error) bool {
	var unknownCA x509.UnknownAuthorityError
	var hostname x509.HostnameError
	var invalid x509.CertificateInvalidError
	var verify *tls.CertificateVerificationError
	var alert tls.AlertError
	switch {
	case errors.As(err, &unknownCA), errors.As(err, &hostname), errors.As(err, &invalid), errors.As(err, &verify),
		errors.As(err, &alert), errors.As(err, new(tls.RecordHeaderError)),
		errors.Is(err, kerr.SaslAuthenticationFailed), errors.Is(err, kerr.IllegalSaslState),
		errors.Is(err, kerr.UnsupportedSaslMechanism), errors.Is(err, kerr.TopicAuthorizationFailed),
		errors.Is(err, kerr.GroupAuthorizationFailed), errors.Is(err, kerr.ClusterAuthorizationFailed),
		errors.Is(err, kerr.TransactionalIDAuthorizationFailed):
		return false
	}
	var ne net.Error
	var ke *kerr.Error
	return errors.As(err, &ne) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		(errors.As(err, &ke) && ke.Retriable)
}
