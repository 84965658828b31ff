package app

import (
	"bytes"
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
)

func TestUnreachable(t *testing.T) {
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}
	for _, tc := range []struct {
		name string
		err  error
		want bool
	}{
		{"connection refused", fmt.Errorf("listing topics: unable to dial: %w", refused), true},
		{"connection closed", fmt.Errorf("reading: %w", io.EOF), true},
		{"coordinator not ready", fmt.Errorf("fencing: %w", kerr.CoordinatorNotAvailable), true},
		{"bad credentials", fmt.Errorf("listing topics: %w", kerr.SaslAuthenticationFailed), false},
		{"acl denied", fmt.Errorf("listing topics: %w", kerr.TopicAuthorizationFailed), false},
		{"unknown CA", &net.OpError{Op: "remote error", Err: fmt.Errorf("tls: %w", x509.UnknownAuthorityError{})}, false},
		{"log does not verify", errors.New("restoring the audit log: root hash mismatch"), false},
	} {
		if got := unreachable(tc.err); got != tc.want {
			t.Errorf("%s: unreachable = %v, want %v", tc.name, got, tc.want)
		}
	}
}

// A step that finds Kafka unreachable is tried again, with one log line when
// the wait begins and one when it ends, and the reason in the status meanwhile.
func TestKafkaWaitRetriesUntilKafkaAnswers(t *testing.T) {
	var logs bytes.Buffer
	var status StartStatus
	k := newKafkaWait(slog.New(slog.NewTextHandler(&logs, nil)), &status)
	k.retry = time.Millisecond
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}
	calls := 0
	err := k.do(context.Background(), "checking the topics", func(context.Context) error {
		calls++
		if calls == 2 {
			if why := status.Readiness(); !strings.Contains(why.Error(), "waiting for Kafka to answer (checking the topics)") {
				t.Errorf("readiness while waiting: %v", why)
			}
		}
		if calls < 5 {
			return refused
		}
		return nil
	})
	if err != nil || calls != 5 {
		t.Fatalf("do: %v after %d calls; want success on the 5th", err, calls)
	}
	if n := strings.Count(logs.String(), "level=WARN"); n != 1 {
		t.Errorf("%d warnings for one wait, want 1:\n%s", n, logs.String())
	}
	if !strings.Contains(logs.String(), "Kafka answers") {
		t.Errorf("the end of the wait is not logged:\n%s", logs.String())
	}
	if why := status.Readiness(); why != errStarting {
		t.Errorf("readiness after the wait: %v, want %v", why, errStarting)
	}

	// A fault no retry clears stops at once.
	calls = 0
	err = k.do(context.Background(), "checking the topics", func(context.Context) error {
		calls++
		return kerr.SaslAuthenticationFailed
	})
	if !errors.Is(err, kerr.SaslAuthenticationFailed) || calls != 1 {
		t.Errorf("bad credentials: %v after %d calls; want the error after 1", err, calls)
	}
}
