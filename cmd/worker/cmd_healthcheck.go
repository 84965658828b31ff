package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"time"
)

func init() {
	register(command{name: "healthcheck", summary: "exit 0 if a worker's ops endpoint answers 200 (for container healthchecks)", run: runHealthcheck})
}

// runHealthcheck lets a container check the worker with the worker binary
// itself: the distroless image has no shell, curl or wget.
func runHealthcheck(ctx context.Context, s stdio, args []string) int {
	fs := newFlags(s, "healthcheck", "[--url http://127.0.0.1:9464/healthz] [--timeout D]",
		"GETs the URL (a worker's /healthz or /readyz, served on ops.listen) and exits 0 on 200, 1 otherwise.\n"+
			"docker-compose.yml uses it as the worker's healthcheck.")
	url := fs.String("url", "http://127.0.0.1:9464/healthz", "`url` to check")
	timeout := fs.Duration("timeout", 3*time.Second, "give up after this `duration`")
	if code, ok := fs.parse(args); !ok {
		return code
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, *url, nil)
	if err != nil {
		return fs.usageError("--url: %v", err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		fmt.Fprintf(s.Stderr, "worker healthcheck: %v\n", err)
		return 1
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4096))
	if resp.StatusCode != http.StatusOK {
		fmt.Fprintf(s.Stderr, "worker healthcheck: %s answered %s\n", *url, resp.Status)
		return 1
	}
	return 0
}
