package main

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

func TestHealthcheck(t *testing.T) {
	var ready atomic.Bool // set by the test, read by the server goroutine
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/readyz" && !ready.Load() {
			http.Error(w, "not ready", http.StatusServiceUnavailable)
			return
		}
		w.Write([]byte("ok\n"))
	}))
	defer srv.Close()
	if code, _, errs := runWorker(t, "healthcheck", "--url", srv.URL+"/healthz"); code != 0 {
		t.Errorf("healthz: exit %d: %s", code, errs)
	}
	if code, _, errs := runWorker(t, "healthcheck", "--url", srv.URL+"/readyz"); code != 1 || !strings.Contains(errs, "503") {
		t.Errorf("readyz not ready: exit %d, %q: want 1 naming the status", code, errs)
	}
	ready.Store(true)
	if code, _, _ := runWorker(t, "healthcheck", "--url", srv.URL+"/readyz"); code != 0 {
		t.Errorf("readyz ready: exit %d", code)
	}
	srv.Close()
	if code, _, _ := runWorker(t, "healthcheck", "--url", srv.URL+"/healthz"); code != 1 {
		t.Errorf("nothing listening: exit %d, want 1", code)
	}
}
