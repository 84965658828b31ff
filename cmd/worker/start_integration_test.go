package main

import (
	"context"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/deidstream/deidstream/internal/app"
	"github.com/deidstream/deidstream/internal/kafkatest"
	"github.com/deidstream/deidstream/kafkaconn"
	"github.com/deidstream/deidstream/pipeline"
)

// forward accepts on ln and forwards every connection to target until ln is
// closed: Kafka "coming up" at an address where nothing listened.
func forward(t *testing.T, ln net.Listener, target string) {
	var conns sync.WaitGroup
	t.Cleanup(func() { ln.Close(); conns.Wait() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns.Go(func() {
				defer c.Close()
				b, err := net.Dial("tcp", target)
				if err != nil {
					return
				}
				defer b.Close()
				go func() { io.Copy(b, c); b.Close() }()
				io.Copy(c, b)
			})
		}
	}()
}

// A worker started while nothing answers at its broker address waits: one
// log line, /readyz's reason, no exit; once Kafka answers there it starts and
// processes records.
func TestIntegrationStartWaitsForKafka(t *testing.T) {
	const n = 200
	cfg := integrationConfig(t)
	broker := cfg.Kafka.Brokers[0]
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	conn, err := cfg.Kafka.Opts()
	if err != nil {
		t.Fatal(err)
	}
	if err := produceSynthetic(ctx, conn, cfg.Topics.Input[0], n, 5, 0); err != nil {
		t.Fatal(err)
	}
	_, keys, _ := writeRunFiles(t, cfg)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	cfg.Kafka.Brokers = []string{addr}

	var logs syncBuffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	reg := prometheus.NewRegistry()
	var status app.StartStatus
	type result struct {
		w   *pipeline.Worker
		err error
	}
	done := make(chan result, 1)
	go func() {
		w, err := app.StartWorker(ctx, cfg, keys, reg, log, &status)
		done <- result{w, err}
	}()
	time.Sleep(7 * time.Second) // several attempts
	select {
	case r := <-done:
		t.Fatalf("the worker did not wait for Kafka: %v", r.err)
	default:
	}
	if got := strings.Count(logs.String(), "Kafka unreachable while starting"); got != 1 {
		t.Errorf("%d lines say the worker waits for Kafka, want 1 (then one a minute):\n%s", got, logs.String())
	}
	if why := status.Readiness(); why == nil || !strings.Contains(why.Error(), "waiting for Kafka") || !strings.Contains(why.Error(), "connection refused") {
		t.Errorf("readiness while waiting: %v; want the wait and its cause", why)
	}

	ln, err = net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("listening again at %s: %v", addr, err)
	}
	forward(t, ln, broker)
	up := time.Now()
	var r result
	select {
	case r = <-done:
	case <-time.After(time.Minute):
		t.Fatalf("the worker did not start within a minute of Kafka answering:\n%s", logs.String())
	}
	if r.err != nil {
		t.Fatalf("start after Kafka answered: %v", r.err)
	}
	if !strings.Contains(logs.String(), "Kafka answers; the worker goes on starting") {
		t.Errorf("no line says the wait ended:\n%s", logs.String())
	}
	t.Logf("started %v after Kafka answered", time.Since(up).Round(time.Millisecond))
	took, err := runUntilSettled(ctx, r.w, reg, n)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d records settled in %v", n, took.Round(time.Millisecond))
}

// Faults a retry cannot clear stop the start at once, naming the cause:
// credentials Kafka refuses, a certificate that does not verify.
func TestIntegrationStartStopsOnFatalFaults(t *testing.T) {
	s := kafkatest.SASL(t)
	for _, tc := range []struct {
		name string
		edit func(k *kafkaconn.Config)
		want string
	}{
		{"bad_password", func(k *kafkaconn.Config) { k.SASL.Password = "not-" + k.SASL.Password }, "SASL_AUTHENTICATION_FAILED"},
		{"unknown_ca", func(k *kafkaconn.Config) { k.TLS.CAFile = "" }, "certificate"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := integrationConfig(t)
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			conn, err := cfg.Kafka.Opts()
			if err != nil {
				t.Fatal(err)
			}
			if err := produceSynthetic(ctx, conn, cfg.Topics.Input[0], 1, 5, 0); err != nil {
				t.Fatal(err)
			}
			_, keys, _ := writeRunFiles(t, cfg)
			cfg.Kafka = kafkaSection(t, s)
			cfg.Kafka.GroupID = cfg.Topics.Input[0]
			tc.edit(&cfg.Kafka)
			var status app.StartStatus
			start := time.Now()
			_, err = app.StartWorker(ctx, cfg, keys, prometheus.NewRegistry(), slog.New(slog.NewTextHandler(io.Discard, nil)), &status)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("start: %v; want a stop naming %q", err, tc.want)
			}
			if took := time.Since(start); took > 30*time.Second {
				t.Errorf("stopped after %v: a fault no retry clears should stop the start at once", took)
			}
		})
	}
}

// SIGTERM while the worker waits for Kafka at start stops it at once with
// status 0: nothing was consumed, so nothing waits to be drained.
func TestIntegrationSIGTERMWhileStarting(t *testing.T) {
	cfg := integrationConfig(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cfg.Kafka.Brokers = []string{ln.Addr().String()}
	ln.Close() // nothing listens there now
	bin := buildWorker(t)
	cfgPath, _, _ := writeRunFiles(t, cfg)
	cmd := startWorker(t, bin, cfgPath)
	time.Sleep(2 * time.Second) // long enough to be waiting for Kafka
	stopGracefully(t, cmd, 30*time.Second)
}
