package main

import (
	"context"
	"crypto/rand"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/deidstream/deidstream/audit"
	"github.com/deidstream/deidstream/envelope"
	"github.com/deidstream/deidstream/internal/app"
)

// A worker restarted with other research keys records a key_rotation event
// naming the previous keys, and its audit log still verifies across the change.
func TestKeyRotationIsAudited(t *testing.T) {
	cfg, conn, ctx := kfakeDemo(t, 2*time.Minute)
	if err := produceSynthetic(ctx, conn, cfg.Topics.Input[0], 200, 3, 0); err != nil {
		t.Fatal(err)
	}
	keys, _, err := demoKeys()
	if err != nil {
		t.Fatal(err)
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	reg := prometheus.NewRegistry()
	w, err := app.NewWorker(ctx, cfg, keys, reg, quiet)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := runUntilSettled(ctx, w, reg, 200); err != nil {
		t.Fatal(err)
	}
	old := keys.Research[0].KeyID()
	newKey, err := envelope.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	keys.Research = []*envelope.PublicKey{newKey.Public()}
	w, err = app.NewWorker(ctx, cfg, keys, prometheus.NewRegistry(), quiet)
	if err != nil {
		t.Fatal(err)
	}
	rctx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- w.Run(rctx) }()
	waitFor(t, time.Minute, "the restarted worker to be ready", w.Ready)
	stop()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	msgs, err := audit.ReadTopic(ctx, cfg.Topics.Audit, conn...)
	if err != nil {
		t.Fatal(err)
	}
	var rotations []*audit.LifecycleEvent
	for _, m := range msgs {
		if d, err := audit.DecodeEntry(m.Value); err == nil && d.Lifecycle != nil && d.Lifecycle.Type == "key_rotation" {
			rotations = append(rotations, d.Lifecycle)
		}
	}
	if len(rotations) != 1 {
		t.Fatalf("%d key_rotation events, want 1", len(rotations))
	}
	if !strings.Contains(rotations[0].Detail["previous_key_ids"], old) {
		t.Errorf("key_rotation names previous keys %q, want it to include %s", rotations[0].Detail["previous_key_ids"], old)
	}
	rep, err := audit.Verify(msgs, keys.Signer.Verifier())
	if err != nil || !rep.OK {
		t.Fatalf("audit log does not verify across the rotation: %v %v", err, rep.Findings)
	}
}
