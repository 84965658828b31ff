// Package ops serves the worker's operational endpoints: /metrics, /healthz
// (the process is alive) and /readyz (Kafka answers and the worker holds
// partitions; otherwise 503 and why).
package ops

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Server is the ops HTTP server.
type Server struct {
	srv *http.Server
	ln  net.Listener
}

// Listen binds addr and serves the endpoints until Close. ready returns nil
// when the worker is ready, else why not (the 503 body of /readyz).
func Listen(addr string, gatherer prometheus.Gatherer, ready func() error, log *slog.Logger) (*Server, error) {
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(gatherer, promhttp.HandlerOpts{}))
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "ok") })
	mux.HandleFunc("/readyz", func(w http.ResponseWriter, _ *http.Request) {
		if err := ready(); err != nil {
			http.Error(w, "not ready: "+err.Error(), http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "ready")
	})
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listening for ops endpoints on %s: %w", addr, err)
	}
	s := &Server{srv: &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}, ln: ln}
	go func() {
		if err := s.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("ops endpoints stopped", "error", err)
		}
	}()
	return s, nil
}

// Addr is the bound address (useful with port 0).
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Close stops serving within ctx.
func (s *Server) Close(ctx context.Context) error { return s.srv.Shutdown(ctx) }
