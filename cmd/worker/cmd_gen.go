package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/deidstream/deidstream/synth"
)

func init() {
	register(command{name: "gen", summary: "generate synthetic patient records (JSONL or Kafka) with gold PHI spans", run: runGen})
}

func runGen(ctx context.Context, s stdio, args []string) int {
	fs := flag.NewFlagSet("gen", flag.ContinueOnError)
	fs.SetOutput(s.Stderr)
	count := fs.Int("count", 1000, "records to generate; 0 = until interrupted")
	seed := fs.Uint64("seed", 1, "random seed; the same seed and flags give byte-identical output")
	rate := fs.Float64("rate", 0, "records per second; 0 = as fast as possible")
	gold := fs.String("gold", "", "also write gold PHI spans of each note as JSONL to this file")
	brokers := fs.String("brokers", "", "comma-separated Kafka seed brokers host:port; empty = write JSONL to stdout")
	topic := fs.String("topic", "", "Kafka topic to produce to (required with --brokers)")
	poison := fs.Float64("poison", 0, "fraction 0..1 of bad records (invalid JSON, invalid UTF-8, >1 MiB, wrong types)")
	fs.Usage = func() {
		fmt.Fprintln(s.Stderr, "usage: worker gen [--count N] [--seed S] [--rate R] [--gold FILE] [--poison F] [--brokers host:port --topic T]")
		fmt.Fprintln(s.Stderr, "\nGenerates synthetic patient records: JSONL on stdout, or produced to Kafka (no key, idempotent).")
		fmt.Fprintln(s.Stderr, "\nflags:")
		fs.VisitAll(func(f *flag.Flag) {
			def := f.DefValue
			if def == "" {
				def = `""`
			}
			fmt.Fprintf(s.Stderr, "  --%-8s %s (default %s)\n", f.Name, f.Usage, def)
		})
	}
	if err := fs.Parse(args); err != nil {
		return flagExit(err)
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(s.Stderr, "worker gen: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	switch {
	case *count < 0:
		fmt.Fprintln(s.Stderr, "worker gen: --count must be >= 0")
		return 2
	case !(*poison >= 0 && *poison <= 1):
		fmt.Fprintln(s.Stderr, "worker gen: --poison must be between 0 and 1")
		return 2
	case (*brokers == "") != (*topic == ""):
		fmt.Fprintln(s.Stderr, "worker gen: --brokers and --topic go together")
		return 2
	}

	var opts []synth.RunOption
	if *rate != 0 {
		opts = append(opts, synth.WithRate(*rate))
	}
	if *gold != "" {
		f, err := os.Create(*gold)
		if err != nil {
			fmt.Fprintf(s.Stderr, "worker gen: creating gold file: %v\n", err)
			return 1
		}
		defer f.Close()
		opts = append(opts, synth.WithGold(f))
	}

	var sink synth.Sink = synth.NewWriterSink(s.Stdout)
	if *brokers != "" {
		cl, err := kgo.NewClient(
			kgo.SeedBrokers(strings.Split(*brokers, ",")...),
			kgo.ClientID("deidstream-gen"),
			// Oversized poison must reach the broker; the topic's
			// max.message.bytes decides whether it is accepted.
			kgo.ProducerBatchMaxBytes(2*synth.OversizedBytes),
		)
		if err != nil {
			fmt.Fprintf(s.Stderr, "worker gen: creating Kafka client: %v\n", err)
			return 1
		}
		defer cl.Close()
		sink = synth.NewKafkaSink(cl, *topic)
	}

	g := synth.NewGenerator(synth.Options{Seed: *seed, Poison: *poison})
	st, err := synth.Run(ctx, g, *count, sink, opts...)
	if *poison > 0 || err != nil {
		fmt.Fprintf(s.Stderr, "worker gen: %d records, %d poison", st.Records, st.Poison)
		for i, k := range synth.PoisonKinds {
			fmt.Fprintf(s.Stderr, " %s=%d", k, st.PoisonByKind[i])
		}
		fmt.Fprintln(s.Stderr)
	}
	if err != nil {
		fmt.Fprintf(s.Stderr, "worker gen: %v\n", err)
		if errors.Is(err, kerr.MessageTooLarge) {
			fmt.Fprintf(s.Stderr, "worker gen: oversized poison records are %d bytes: raise the topic's max.message.bytes or lower --poison to 0\n", synth.OversizedBytes)
		}
		return 1
	}
	return 0
}
