package main

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/deidstream/deidstream/internal/app"
)

// TestIdleInputReleasesCarriedRows: with carry-over on and the input
// stopped, the demo worker does not keep rows waiting for records that may
// not come: privacy.carry.max_idle after its last window, a window of no
// input releases or suppresses them. The auditor's reconcile then finds every
// record consumed once and settled or quarantined, none held, and the audit
// log verifies.
//
// With l-diversity the stream releases its pool at once (privacy.carry.release
// auto: pooled), so most windows release nothing: the same must hold.
func TestIdleInputReleasesCarriedRows(t *testing.T) {
	t.Run("k", func(t *testing.T) { idleRelease(t, 0) })
	t.Run("l=2 pooled", func(t *testing.T) { idleRelease(t, 2) })
}

func idleRelease(t *testing.T, l float64) {
	cfg, conn, ctx := kfakeDemo(t, 3*time.Minute)
	cfg.Privacy.Carry.MaxDelay = 3
	cfg.Privacy.Carry.MaxIdle = 500 * time.Millisecond
	cfg.Privacy.L, cfg.Privacy.Sensitive = l, "diagnosis_code"
	const n = 1500
	var out, errs bytes.Buffer
	if code := dispatch(ctx, stdio{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errs},
		[]string{"gen", "--count", fmt.Sprint(n), "--seed", "5"}); code != 0 {
		t.Fatalf("worker gen exit %d: %s", code, errs.String())
	}
	produceInOrder(ctx, t, conn, cfg.Topics.Input[0], bytes.Split(bytes.TrimSuffix(out.Bytes(), []byte("\n")), []byte("\n")))
	keys, researchKey, err := demoKeys()
	if err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewRegistry()
	w, err := app.NewWorker(ctx, cfg, keys, reg, newLogger(&syncBuffer{}, "info"))
	if err != nil {
		t.Fatal(err)
	}
	// Published, suppressed and quarantined reach n only once no row is held.
	if _, err := runUntilSettled(ctx, w, reg, n); err != nil {
		t.Fatal(err)
	}
	rec, err := reconcile(ctx, cfg, conn, researchKey, keys.Signer.Verifier())
	if err != nil {
		t.Fatal(err)
	}
	if !rec.OK() || rec.Consumed != n || rec.Carried != 0 || rec.Settled+rec.Quarantined != n {
		t.Fatalf("reconcile: %+v; want %d consumed, each settled or quarantined, none held", rec, n)
	}
	o, err := readOutputs(ctx, cfg, conn, researchKey, keys.Signer.Verifier())
	if err != nil {
		t.Fatal(err)
	}
	idle, held := 0, 0
	for _, ev := range o.windows {
		if ev.RecordsIn == 0 && ev.Carry != nil && ev.Carry.In > 0 && ev.Carry.Out == 0 {
			idle++
		}
		if ev.RecordsIn > 0 && ev.Published == 0 && ev.Carry != nil && ev.Carry.Out > 0 {
			held++ // a pooled window: every row waits
		}
	}
	if idle == 0 {
		t.Error("no window of no input released carried rows: the test did not exercise the idle release")
	}
	if l > 0 && held == 0 {
		t.Error("l=2: no window held all its rows: the pooled release was not exercised")
	}
}
