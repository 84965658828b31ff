package main

import (
	"context"
	"fmt"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/deidstream/deidstream/audit"
	"github.com/deidstream/deidstream/envelope"
	"github.com/deidstream/deidstream/internal/app"
	"github.com/deidstream/deidstream/internal/config"
	"github.com/deidstream/deidstream/kafkaconn"
)

func runAuditReconcile(ctx context.Context, s stdio, args []string) int {
	fs := newFlags(s, "audit reconcile", "-c config.yaml -k research.key --pub audit.pub",
		"Reads, read_committed, the input topics, the research and quarantine topics and the audit log of a worker\n"+
			"config, and proves from them alone that every input record a window consumed was published exactly\n"+
			"once, quarantined exactly once (with its reason), or suppressed by its window (with privacy.carry: settled\n"+
			"once by its window or the later one its carry-over names, or held still); that no window ranges\n"+
			"overlap or leave a record out; and that the totals match the signed window events. Prints the counts;\n"+
			"exit 1 on any gap, duplicate or mismatch (each named by topic/partition/offset, never by content).")
	var cfgPath string
	fs.configFlag(&cfgPath, "", "worker config `file`: its kafka: and topics: sections are used (required)")
	keyPath := fs.String("k", "", "research private key `file`, to read the source offset of each published row (required)")
	pub := fs.String("pub", "", "audit public key `file` that verifies the log (required)")
	timeout := fs.Duration("timeout", 10*time.Minute, "bound on reading the topics (a `duration`)")
	if code, ok := fs.parse(args); !ok {
		return code
	}
	if cfgPath == "" || *keyPath == "" || *pub == "" {
		return fs.usageError("-c, -k and --pub are required")
	}
	fail := func(err error) int {
		fmt.Fprintln(s.Stderr, "worker audit reconcile:", err)
		return 1
	}
	cfg, err := config.LoadSections(cfgPath, "kafka", "topics")
	if err != nil {
		return fail(fmt.Errorf("loading config: %w", err))
	}
	if err := app.CheckPrivateKeyFile(*keyPath); err != nil {
		return fail(err)
	}
	key, err := envelope.LoadPrivateKey(*keyPath)
	if err != nil {
		return fail(err)
	}
	v, err := audit.LoadVerifier(*pub)
	if err != nil {
		return fail(err)
	}
	conn, err := cfg.Kafka.Opts()
	if err != nil {
		return fail(fmt.Errorf("configuring Kafka: %w", err))
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	rec, err := reconcile(ctx, cfg, conn, key, v)
	if err != nil {
		return fail(err)
	}
	fmt.Fprintf(s.Stdout, "windows %d\nconsumed %d\npublished %d\nquarantined %d\nsuppressed %d\nnot yet processed %d\n",
		rec.Windows, rec.Consumed, rec.Published, rec.Quarantined, rec.Suppressed, rec.Pending)
	if rec.Settled+rec.Carried > 0 {
		// Carry-over windows publish no source per row: published or suppressed is said by count only.
		fmt.Fprintf(s.Stdout, "settled by carry-over windows (published or suppressed) %d\nheld for a later window %d\n", rec.Settled, rec.Carried)
	}
	if !rec.OK() {
		for _, p := range rec.Problems {
			fmt.Fprintln(s.Stderr, "worker audit reconcile:", p)
		}
		return 1
	}
	fmt.Fprintln(s.Stdout, "every consumed record accounted for exactly once")
	return 0
}

// reconcile reads what a worker published and consumed and accounts for every input record
// (audit.Reconcile). The audit log must verify first: unsigned events prove nothing.
func reconcile(ctx context.Context, cfg *config.Config, conn []kgo.Opt, key *envelope.PrivateKey, v *audit.Verifier) (*audit.Reconciliation, error) {
	o, err := readOutputs(ctx, cfg, conn, key, v)
	if err != nil {
		return nil, err
	}
	if !o.report.OK {
		return nil, fmt.Errorf("the audit log does not verify (%d findings; run worker audit verify)", len(o.report.Findings))
	}
	var input []audit.Position
	for _, topic := range cfg.Topics.Input {
		err := kafkaconn.ReadEach(ctx, conn, topic, func(r *kgo.Record) error {
			input = append(input, audit.Position{Topic: r.Topic, Partition: r.Partition, Offset: r.Offset})
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("reading input topic %s: %w", topic, err)
		}
	}
	return audit.Reconcile(o.windows, input, o.published(), o.quarantinedAt), nil
}
