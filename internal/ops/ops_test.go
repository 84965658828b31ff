package ops

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
)

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestEndpoints(t *testing.T) {
	reg := prometheus.NewRegistry()
	c := prometheus.NewCounter(prometheus.CounterOpts{Name: "deid_test_total", Help: "test"})
	reg.MustRegister(c)
	c.Add(3)
	var notReady atomic.Pointer[error]
	why := errors.New("Kafka unreachable for 1m30s: dial tcp 127.0.0.1:9092: connect: connection refused")
	notReady.Store(&why)
	s, err := Listen("127.0.0.1:0", reg, func() error {
		if p := notReady.Load(); p != nil {
			return *p
		}
		return nil
	}, slog.Default())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(context.Background())
	base := "http://" + s.Addr()
	if code, _ := get(t, base+"/healthz"); code != 200 {
		t.Errorf("/healthz: %d", code)
	}
	if code, body := get(t, base+"/readyz"); code != 503 || !strings.Contains(body, why.Error()) {
		t.Errorf("/readyz when not ready: %d %q, want 503 with the reason", code, body)
	}
	notReady.Store(nil)
	if code, _ := get(t, base+"/readyz"); code != 200 {
		t.Errorf("/readyz when ready: %d", code)
	}
	if _, body := get(t, base+"/metrics"); !strings.Contains(body, "deid_test_total 3") {
		t.Errorf("/metrics lacks the counter:\n%s", body)
	}
}
