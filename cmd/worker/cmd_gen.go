package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/deidstream/deidstream/internal/config"
	"github.com/deidstream/deidstream/synth"
)

func init() {
	register(command{name: "gen", summary: "generate synthetic patient records (JSONL or Kafka) with gold PHI spans", run: runGen})
}

func runGen(ctx context.Context, s stdio, args []string) int {
	fs := newFlags(s, "gen", "[--count N] [--seed S] [--rate R] [--gold FILE] [--poison F] [--brokers host:port --topic T | -c config.yaml [--topic T]]",
		"Generates synthetic patient records: JSONL on stdout, or produced to Kafka (no key, idempotent).\n"+
			"With -c, the config's kafka: section (brokers, TLS, SASL) is used and the topic defaults to its first\n"+
			"topics.input. Progress and a summary go to stderr (a bar when stderr is a terminal).")
	count := fs.Int("count", 1000, "`records` to generate; 0 = until interrupted")
	seed := fs.Uint64("seed", 1, "random `seed`; the same seed and flags give byte-identical output")
	rate := fs.Float64("rate", 0, "`records` per second; 0 = as fast as possible")
	gold := fs.String("gold", "", "also write gold PHI spans of each note as JSONL to this `file`")
	brokers := fs.String("brokers", "", "comma-separated Kafka seed `brokers` host:port (default: stdout, or the config's kafka.brokers)")
	topic := fs.String("topic", "", "Kafka `topic` to produce to (with --brokers; default with -c: topics.input[0])")
	poison := fs.Float64("poison", 0, "`fraction` 0..1 of bad records (invalid JSON, invalid UTF-8, >1 MiB, wrong types)")
	var cfgPath string
	fs.configFlag(&cfgPath, "", "worker config `file` whose kafka: section and topics.input are used")
	if code, ok := fs.parse(args); !ok {
		return code
	}
	switch {
	case *count < 0:
		return fs.usageError("--count must be >= 0")
	case !(*poison >= 0 && *poison <= 1):
		return fs.usageError("--poison must be between 0 and 1")
	case cfgPath == "" && (*brokers == "") != (*topic == ""):
		return fs.usageError("--brokers and --topic go together (or give -c config.yaml)")
	}

	var conn []kgo.Opt
	dest := "stdout"
	if cfgPath != "" {
		cfg, err := config.LoadSections(cfgPath, "kafka", "topics")
		if err != nil {
			fmt.Fprintf(s.Stderr, "worker gen: %v\n", err)
			return 1
		}
		if *brokers != "" {
			cfg.Kafka.Brokers = strings.Split(*brokers, ",")
		}
		if *topic == "" && len(cfg.Topics.Input) > 0 {
			*topic = cfg.Topics.Input[0]
		}
		if *topic == "" {
			fmt.Fprintf(s.Stderr, "worker gen: %s has no topics.input: give --topic\n", cfgPath)
			return 2
		}
		if conn, err = cfg.Kafka.Opts(); err != nil {
			fmt.Fprintf(s.Stderr, "worker gen: configuring Kafka from %s: %v\n", cfgPath, err)
			return 1
		}
	} else if *brokers != "" {
		conn = []kgo.Opt{kgo.SeedBrokers(strings.Split(*brokers, ",")...)}
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
	if conn != nil {
		cl, err := kgo.NewClient(append(conn,
			kgo.ClientID("deidstream-gen"),
			// Oversized poison must reach the broker; the topic's
			// max.message.bytes decides whether it is accepted.
			kgo.ProducerBatchMaxBytes(2*synth.OversizedBytes),
		)...)
		if err != nil {
			fmt.Fprintf(s.Stderr, "worker gen: creating Kafka client: %v\n", err)
			return 1
		}
		defer cl.Close()
		sink = synth.NewKafkaSink(cl, *topic)
		dest = "topic " + *topic
	}
	prog := newProgress(s.Stderr, "worker gen", "records", int64(*count))
	sink = countingSink{sink, prog}

	g := synth.NewGenerator(synth.Options{Seed: *seed, Poison: *poison})
	st, err := synth.Run(ctx, g, *count, sink, opts...)
	prog.Done()
	fmt.Fprintf(s.Stderr, "worker gen: %d records to %s, %d poison", st.Records, dest, st.Poison)
	for i, k := range synth.PoisonKinds {
		fmt.Fprintf(s.Stderr, " %s=%d", k, st.PoisonByKind[i])
	}
	fmt.Fprintln(s.Stderr)
	if err != nil {
		fmt.Fprintf(s.Stderr, "worker gen: %v\n", err)
		if errors.Is(err, kerr.MessageTooLarge) {
			fmt.Fprintf(s.Stderr, "worker gen: oversized poison records are %d bytes: raise the topic's max.message.bytes or lower --poison to 0\n", synth.OversizedBytes)
		}
		return 1
	}
	return 0
}

// countingSink counts what reaches the sink, for the progress line.
type countingSink struct {
	synth.Sink
	p *progress
}

func (c countingSink) Write(ctx context.Context, rec []byte) error {
	err := c.Sink.Write(ctx, rec)
	if err == nil {
		c.p.Add(1)
	}
	return err
}
