package synth

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
)

func TestRun(t *testing.T) {
	tests := []struct {
		name      string
		count     int
		poison    float64
		opts      func(gold *bytes.Buffer) []RunOption
		wantErr   error
		wantLines int
	}{
		{"plain", 30, 0, func(*bytes.Buffer) []RunOption { return nil }, nil, 30},
		{"gold", 30, 0, func(g *bytes.Buffer) []RunOption { return []RunOption{WithGold(g)} }, nil, 30},
		{"gold skips poison", 200, 0.2, func(g *bytes.Buffer) []RunOption { return []RunOption{WithGold(g)} }, nil, 200},
		{"negative rate", 5, 0, func(*bytes.Buffer) []RunOption { return []RunOption{WithRate(-1)} }, ErrInvalidRate, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, gold bytes.Buffer
			g := NewGenerator(Options{Seed: 8, Poison: tt.poison})
			st, err := Run(context.Background(), g, tt.count, NewWriterSink(&out), tt.opts(&gold)...)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if got := bytes.Count(out.Bytes(), []byte("\n")); got != tt.wantLines {
				t.Fatalf("%d lines, want %d", got, tt.wantLines)
			}
			if gold.Len() > 0 {
				lines := strings.Split(strings.TrimSpace(gold.String()), "\n")
				if len(lines) != st.Records-st.Poison {
					t.Fatalf("%d gold lines for %d good records", len(lines), st.Records-st.Poison)
				}
				var g Gold
				if err := json.Unmarshal([]byte(lines[0]), &g); err != nil || g.ID == "" || len(g.Spans) == 0 {
					t.Fatalf("gold line does not decode to a Gold with spans: %v", err)
				}
			}
		})
	}
}

func TestRunUnboundedStopsOnCancel(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
	defer cancel()
	var out bytes.Buffer
	st, err := Run(ctx, NewGenerator(Options{Seed: 1}), 0, NewWriterSink(&out), WithRate(200))
	if err != nil {
		t.Fatalf("unbounded run ended with %v, want nil on cancel", err)
	}
	if st.Records < 5 || st.Records > 60 {
		t.Fatalf("%d records in 150ms at 200/s", st.Records)
	}
	if got := bytes.Count(out.Bytes(), []byte("\n")); got != st.Records {
		t.Fatalf("%d lines flushed for %d records", got, st.Records)
	}
}

func TestRunBoundedCancelIsError(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Run(ctx, NewGenerator(Options{Seed: 1}), 10, NewWriterSink(&bytes.Buffer{}))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

func TestKafkaSink(t *testing.T) {
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(2, "in"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	cl, err := kgo.NewClient(kgo.SeedBrokers(c.ListenAddrs()...))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	sink := NewKafkaSink(cl, "in")
	if _, err := Run(context.Background(), NewGenerator(Options{Seed: 4}), 50, sink); err != nil {
		t.Fatal(err)
	}
	if got := sink.Produced(); got != 50 {
		t.Fatalf("produced %d, want 50", got)
	}

	// An interrupted unbounded run still delivers everything it generated.
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	sink2 := NewKafkaSink(cl, "in")
	st, err := Run(ctx, NewGenerator(Options{Seed: 5}), 0, sink2, WithRate(300))
	if err != nil {
		t.Fatalf("interrupted run: %v", err)
	}
	if st.Records == 0 || sink2.Produced() != st.Records {
		t.Fatalf("generated %d, delivered %d", st.Records, sink2.Produced())
	}

	// A failed produce surfaces, without record content in the error.
	bad, err := kgo.NewClient(kgo.SeedBrokers(c.ListenAddrs()...), kgo.ProducerBatchMaxBytes(512),
		kgo.RecordRetries(1))
	if err != nil {
		t.Fatal(err)
	}
	defer bad.Close()
	badSink := NewKafkaSink(bad, "in")
	_, err = Run(context.Background(), NewGenerator(Options{Seed: 4}), 3, badSink)
	if err == nil {
		t.Fatal("records larger than the batch limit produced without error")
	}
	if strings.Contains(err.Error(), "note") || strings.Contains(err.Error(), "patient_id") {
		t.Fatalf("error leaks record content: %v", err)
	}
	t.Logf("produce error: %v", err)
}
