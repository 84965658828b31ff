package main

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/deidstream/deidstream/synth"
)

// produceTransactional writes n synthetic records in transactions, so that
// each partition ends with a commit marker: the end a backfill must recognise.
func produceTransactional(t *testing.T, ctx context.Context, conn []kgo.Opt, topic string, n int) {
	t.Helper()
	cl, err := kgo.NewClient(append(conn, kgo.TransactionalID(topic+"-producer"), kgo.DefaultProduceTopic(topic))...)
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	g := synth.NewGenerator(synth.Options{Seed: 21})
	for i := 0; i < n; i += 1000 {
		if err := cl.BeginTransaction(); err != nil {
			t.Fatal(err)
		}
		var batch []*kgo.Record
		for j := i; j < min(n, i+1000); j++ {
			rec, _ := g.Next()
			batch = append(batch, &kgo.Record{Value: rec})
		}
		if err := cl.ProduceSync(ctx, batch...).FirstErr(); err != nil {
			t.Fatalf("producing in a transaction: %v", err)
		}
		if err := cl.EndTransaction(ctx, kgo.TryCommit); err != nil {
			t.Fatal(err)
		}
	}
}

func TestIntegrationBackfillStopsAtEnd(t *testing.T) {
	const n = 3000
	cfg := integrationConfig(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	conn, _ := cfg.Kafka.Opts()
	if err := produceSynthetic(ctx, conn, cfg.Topics.Input[0], 0, 1, 0); err != nil { // creates the topic
		t.Fatal(err)
	}
	produceTransactional(t, ctx, conn, cfg.Topics.Input[0], n)
	cfgPath, keys, research := writeRunFiles(t, cfg)

	run := func() (stdout, stderr string) {
		var out strings.Builder
		var errOut syncBuffer // the worker's log and the progress lines are written from two goroutines
		done := make(chan int, 1)
		go func() {
			done <- dispatch(ctx, stdio{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errOut}, []string{"backfill", "-c", cfgPath})
		}()
		select {
		case code := <-done:
			if code != 0 {
				t.Fatalf("backfill exited %d: %s", code, errOut.String())
			}
		case <-time.After(3 * time.Minute):
			t.Fatal("backfill did not stop at the end offsets")
		}
		return out.String(), errOut.String()
	}
	first, progress := run()
	if !strings.Contains(first, "backfill done") {
		t.Fatalf("backfill printed %q", first)
	}
	// Not a terminal: plain progress lines, the last one complete (markers take offsets, so the
	// estimate may exceed the records by a few).
	if !regexp.MustCompile(fmt.Sprintf(`worker backfill: %d/\d+ records \(\d+%%\) in `, n)).MatchString(progress) {
		t.Errorf("backfill's stderr lacks its final progress line with %d records:\n%s", n, progress)
	}
	cfg.Worker.ID += "-backfill" // the audit log is the backfill worker's
	o, err := readOutputs(ctx, cfg, conn, research, keys.Signer.Verifier())
	if err != nil {
		t.Fatal(err)
	}
	checkExactlyOnce(t, o, n)

	// The same group again: it resumes at the end and finds nothing to do.
	if second, _ := run(); !strings.Contains(second, fmt.Sprintf("%d records published", 0)) {
		t.Errorf("a second backfill with the same group printed %q, want 0 records", second)
	}
}
