package main

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/deidstream/deidstream/audit"
	"github.com/deidstream/deidstream/internal/config"
	"github.com/deidstream/deidstream/kafkaconn"
)

func init() {
	register(command{name: "audit", summary: "audit log: keygen, export, verify, report", run: runAudit})
}

func runAudit(ctx context.Context, s stdio, args []string) int {
	return runGroup(s, "audit", "The audit log: every window's event is a leaf of an RFC 6962 Merkle log with signed checkpoints\n"+
		"(Ed25519 + ML-DSA-65) on the audit topic; these tools make its key and read, verify and report it.", []subcommand{
		{"keygen", "make a checkpoint signing key pair: DIR/NAME.key, DIR/NAME.pub", runAuditKeygen},
		{"export", "copy the audit topic (read_committed) to a JSONL file", func(s stdio, a []string) int { return runAuditExport(ctx, s, a) }},
		{"verify", "check events and signed checkpoints; findings by position; exit 1 on any failure", func(s stdio, a []string) int { return runAuditVerify(ctx, s, a) }},
		{"report", "write a self-contained HTML compliance report for a period", func(s stdio, a []string) int { return runAuditReport(ctx, s, a) }},
		{"reconcile", "prove every input record published, suppressed or quarantined exactly once; exit 1 on any gap or duplicate", func(s stdio, a []string) int { return runAuditReconcile(ctx, s, a) }},
	}, args)
}

func runAuditKeygen(s stdio, args []string) int {
	fs := newFlags(s, "audit keygen", "--out DIR --name NAME",
		"Writes DIR/NAME.key (private, 0600: keys.audit_signer of the worker) and DIR/NAME.pub (for verify and report).")
	out := fs.String("out", ".", "`directory` to write NAME.key and NAME.pub into; existing files are never overwritten")
	name := fs.String("name", "", "key `name` on checkpoint signature lines, e.g. audit.example.org (required; no spaces or '+')")
	if code, ok := fs.parse(args); !ok {
		return code
	}
	if *name == "" {
		return fs.usageError("--name is required")
	}
	signer, err := audit.GenerateSigner(*name, rand.Reader)
	if err != nil {
		fmt.Fprintf(s.Stderr, "worker audit keygen: %v\n", err)
		return 1
	}
	keyPath, pubPath, err := signer.WriteFiles(*out)
	if err != nil {
		fmt.Fprintf(s.Stderr, "worker audit keygen: %v\n", err)
		return 1
	}
	ids := signer.Verifier().KeyIDs()
	fmt.Fprintf(s.Stdout, "wrote %s (private, keep secret)\nwrote %s\nkey ids: %s (Ed25519), %s (ML-DSA-65)\n", keyPath, pubPath, ids[0], ids[1])
	return 0
}

// source is where the audit messages come from: a file or the topic.
type source struct {
	in, topic, cfgPath, brokers string
	timeout                     time.Duration
}

func (src *source) flags(fs *flagSet) {
	fs.StringVar(&src.in, "in", "", "read messages from this JSONL export `file`")
	fs.StringVar(&src.topic, "topic", "", "read messages from this Kafka audit `topic` (read_committed, to its end at start); default with -c: its topics.audit")
	fs.configFlag(&src.cfgPath, "", "worker config `file` whose kafka: section (brokers, TLS, SASL) and topics.audit are used, as for worker run")
	fs.StringVar(&src.brokers, "brokers", "", "comma-separated seed `brokers`; overrides the config's kafka.brokers (default from config, else 127.0.0.1:19092)")
	fs.DurationVar(&src.timeout, "timeout", 2*time.Minute, "bound on reading the topic (a `duration`)")
}

func (src *source) read(ctx context.Context) ([]audit.Message, error) {
	if src.in != "" {
		if src.topic != "" {
			return nil, errors.New("give --in or --topic, not both")
		}
		f, err := os.Open(src.in)
		if err != nil {
			return nil, fmt.Errorf("opening export: %w", err)
		}
		defer f.Close()
		return audit.ReadExport(f)
	}
	kc := kafkaconn.Defaults()
	topic := src.topic
	if src.cfgPath != "" {
		cfg, err := config.LoadSections(src.cfgPath, "kafka", "topics")
		if err != nil {
			return nil, fmt.Errorf("loading config: %w", err)
		}
		kc = cfg.Kafka
		if topic == "" {
			topic = cfg.Topics.Audit
		}
	}
	if topic == "" {
		return nil, errors.New("give --in FILE, --topic T or -c config.yaml")
	}
	if src.brokers != "" {
		kc.Brokers = strings.Split(src.brokers, ",")
	}
	conn, err := kc.Opts()
	if err != nil {
		return nil, fmt.Errorf("configuring Kafka: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, src.timeout)
	defer cancel()
	return audit.ReadTopic(ctx, topic, append(conn, kgo.RequestRetries(3))...)
}

func runAuditExport(ctx context.Context, s stdio, args []string) int {
	fs := newFlags(s, "audit export", "(--topic T [--brokers B] | -c config.yaml) [--out FILE]",
		"Copies the audit topic, read_committed from its start to its end now, to a JSONL file that verify and report read with --in.")
	var src source
	src.flags(fs)
	out := fs.String("out", "-", "JSONL `file` to write; - for stdout")
	if code, ok := fs.parse(args); !ok {
		return code
	}
	msgs, err := src.read(ctx)
	if err != nil {
		fmt.Fprintf(s.Stderr, "worker audit export: %v\n", err)
		return 1
	}
	if err := writeTo(*out, s.Stdout, func(w io.Writer) error { return audit.WriteExport(w, msgs) }); err != nil {
		fmt.Fprintf(s.Stderr, "worker audit export: %v\n", err)
		return 1
	}
	fmt.Fprintf(s.Stderr, "exported %d message(s)\n", len(msgs))
	return 0
}

// writeTo writes through fn to path (or w for "-"), creating the file only
// for output that is no PHI: exports and reports hold codes and counts.
func writeTo(path string, stdout io.Writer, fn func(io.Writer) error) error {
	if path == "-" {
		return fn(stdout)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return fmt.Errorf("creating %s: %w", path, err)
	}
	if err := fn(f); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("closing %s: %w", path, err)
	}
	return nil
}

func runAuditVerify(ctx context.Context, s stdio, args []string) int {
	fs := newFlags(s, "audit verify", "(--in FILE | --topic T [--brokers B] | -c config.yaml) --pub FILE.pub [--json]",
		"Checks every event and signed checkpoint; prints findings by position. Exit 1 on any altered, deleted\n"+
			"or reordered event, 0 when the log verifies.")
	var src source
	src.flags(fs)
	pub := fs.String("pub", "", "the log's public key `file` NAME.pub (required)")
	asJSON := fs.Bool("json", false, "print the full report as JSON instead of text")
	if code, ok := fs.parse(args); !ok {
		return code
	}
	if *pub == "" {
		return fs.usageError("--pub is required")
	}
	v, err := audit.LoadVerifier(*pub)
	if err != nil {
		fmt.Fprintf(s.Stderr, "worker audit verify: %v\n", err)
		return 2
	}
	msgs, err := src.read(ctx)
	if err != nil {
		fmt.Fprintf(s.Stderr, "worker audit verify: %v\n", err)
		return 1
	}
	rep, err := audit.Verify(msgs, v)
	if err != nil {
		fmt.Fprintf(s.Stderr, "worker audit verify: %v\n", err)
		return 1
	}
	if *asJSON {
		enc := json.NewEncoder(s.Stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			fmt.Fprintf(s.Stderr, "worker audit verify: writing report: %v\n", err)
			return 1
		}
	} else {
		printVerify(s.Stdout, rep)
	}
	if !rep.OK {
		return 1
	}
	return 0
}

func printVerify(w io.Writer, rep *audit.Report) {
	fmt.Fprintf(w, "%d message(s)\n", rep.Messages)
	for _, wl := range rep.Workers {
		fmt.Fprintf(w, "worker %s: %d event(s), %d checkpoint(s), %d sealed", wl.WorkerID, wl.Events, wl.Checkpoints, wl.Sealed)
		if n := len(wl.UnsealedTail); n > 0 {
			fmt.Fprintf(w, ", unsealed tail of %d event(s) at positions %d..%d not covered by a verified checkpoint", n, wl.UnsealedTail[0], wl.UnsealedTail[n-1])
		}
		fmt.Fprintln(w)
	}
	for _, f := range rep.Findings {
		fmt.Fprintf(w, "FAIL %s\n", f)
	}
	if rep.OK {
		fmt.Fprintln(w, "OK")
	} else {
		fmt.Fprintf(w, "FAILED: %d finding(s)\n", len(rep.Findings))
	}
}

func runAuditReport(ctx context.Context, s stdio, args []string) int {
	fs := newFlags(s, "audit report", "(--in FILE | --topic T | -c config.yaml) [--pub FILE.pub] [--since T] [--until T] [--format html|pdf] [--out FILE]",
		"Writes a compliance report for a period: verification and checkpoints, records released, suppressed and\n"+
			"quarantined, PHI found by type, privacy guarantees per window (k, l, t, DP spent and left), security\n"+
			"events (quarantine reasons, key rotations, budget refusals, residual PHI, break-glass steps) and the\n"+
			"configuration hashes in force. HTML (self-contained) or PDF. Exit 1 when verification fails (the\n"+
			"report is still written, and says so).")
	var src source
	src.flags(fs)
	pub := fs.String("pub", "", "the log's public key `file` NAME.pub; without it the report says \"not verified\"")
	var from, to string
	for _, name := range []string{"since", "from"} {
		fs.StringVar(&from, name, "", "start of the period, RFC 3339 `time`, inclusive (default: first event); --from is the same")
	}
	for _, name := range []string{"until", "to"} {
		fs.StringVar(&to, name, "", "end of the period, RFC 3339 `time`, exclusive (default: after the last event); --to is the same")
	}
	format := fs.String("format", "html", "`format`: html or pdf")
	out := fs.String("out", "", "`file` to write; - for stdout (default report.html or report.pdf)")
	if code, ok := fs.parse(args); !ok {
		return code
	}
	switch *format {
	case "html", "pdf":
	default:
		return fs.usageError("--format %q: want html or pdf", *format)
	}
	if *out == "" {
		*out = "report." + *format
	}
	var fromT, toT time.Time
	for _, p := range []struct {
		flag string
		val  string
		t    *time.Time
	}{{"--since", from, &fromT}, {"--until", to, &toT}} {
		if p.val == "" {
			continue
		}
		t, err := time.Parse(time.RFC3339, p.val)
		if err != nil {
			fmt.Fprintf(s.Stderr, "worker audit report: %s: want RFC 3339 like 2026-11-23T00:00:00Z\n", p.flag)
			return 2
		}
		*p.t = t
	}
	var v *audit.Verifier
	if *pub != "" {
		var err error
		if v, err = audit.LoadVerifier(*pub); err != nil {
			fmt.Fprintf(s.Stderr, "worker audit report: %v\n", err)
			return 2
		}
	}
	msgs, err := src.read(ctx)
	if err != nil {
		fmt.Fprintf(s.Stderr, "worker audit report: %v\n", err)
		return 1
	}
	var rep *audit.Report
	if v != nil {
		if rep, err = audit.Verify(msgs, v); err != nil {
			fmt.Fprintf(s.Stderr, "worker audit report: %v\n", err)
			return 1
		}
	}
	c := audit.NewCompliance(msgs, rep, fromT, toT)
	write := c.WriteHTML
	if *format == "pdf" {
		write = c.WritePDF
	}
	if err := writeTo(*out, s.Stdout, write); err != nil {
		fmt.Fprintf(s.Stderr, "worker audit report: %v\n", err)
		return 1
	}
	if rep != nil && !rep.OK {
		fmt.Fprintf(s.Stderr, "worker audit report: verification FAILED with %d finding(s); see the report\n", len(rep.Findings))
		return 1
	}
	return 0
}
