package main

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/deidstream/deidstream/audit"
	"github.com/deidstream/deidstream/config"
	"github.com/deidstream/deidstream/kafkaconn"
)

func init() {
	register(command{name: "audit", summary: "audit log: keygen, export, verify, report", run: runAudit})
}

const auditUsage = `usage: worker audit <subcommand> [flags]   (worker audit <subcommand> -h for its flags)

subcommands:
  keygen   make a checkpoint signing key pair (Ed25519 + ML-DSA-65): DIR/NAME.key, DIR/NAME.pub
  export   copy the audit topic (read_committed) to a JSONL file
  verify   check events and signed checkpoints; findings by position; exit 1 on any failure
  report   write a self-contained HTML compliance report for a period
`

func runAudit(ctx context.Context, s stdio, args []string) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(s.Stderr, auditUsage)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	switch args[0] {
	case "keygen":
		return runAuditKeygen(s, args[1:])
	case "export":
		return runAuditExport(ctx, s, args[1:])
	case "verify":
		return runAuditVerify(ctx, s, args[1:])
	case "report":
		return runAuditReport(ctx, s, args[1:])
	}
	fmt.Fprintf(s.Stderr, "worker audit: unknown subcommand %q\n\n%s", args[0], auditUsage)
	return 2
}

// parseFlags parses args, printing usage on -h; ok false means return code.
func parseFlags(fs *flag.FlagSet, s stdio, args []string) (code int, ok bool) {
	fs.SetOutput(s.Stderr)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0, false
		}
		return 2, false
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(s.Stderr, "worker audit %s: unexpected arguments %q\n", fs.Name(), fs.Args())
		return 2, false
	}
	return 0, true
}

// usageFor prints a synopsis then every flag with its default.
func usageFor(fs *flag.FlagSet, s stdio, synopsis string) func() {
	return func() {
		fmt.Fprintf(s.Stderr, "usage: worker audit %s %s\nflags:\n", fs.Name(), synopsis)
		fs.PrintDefaults()
	}
}

func runAuditKeygen(s stdio, args []string) int {
	fs := flag.NewFlagSet("keygen", flag.ContinueOnError)
	out := fs.String("out", ".", "directory to write NAME.key (mode 0600) and NAME.pub into; existing files are never overwritten")
	name := fs.String("name", "", "key name on checkpoint signature lines, e.g. audit.example.org (required; no spaces or '+')")
	fs.Usage = usageFor(fs, s, "--out DIR --name NAME")
	if code, ok := parseFlags(fs, s, args); !ok {
		return code
	}
	if *name == "" {
		fmt.Fprintln(s.Stderr, "worker audit keygen: --name is required")
		return 2
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

func (src *source) flags(fs *flag.FlagSet) {
	fs.StringVar(&src.in, "in", "", "read messages from this JSONL export file")
	fs.StringVar(&src.topic, "topic", "", "read messages from this Kafka audit topic (read_committed, to its end at start); default with --config: its topics.audit")
	fs.StringVar(&src.cfgPath, "config", "", "worker config file whose kafka: section (brokers, TLS, SASL) is used, as for worker run")
	fs.StringVar(&src.brokers, "brokers", "", "comma-separated seed brokers; overrides the config's kafka.brokers (default from config, else 127.0.0.1:19092)")
	fs.DurationVar(&src.timeout, "timeout", 2*time.Minute, "bound on reading the topic")
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
		return nil, errors.New("give --in FILE, --topic T or --config FILE")
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
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	var src source
	src.flags(fs)
	out := fs.String("out", "-", "JSONL file to write; - for stdout")
	fs.Usage = usageFor(fs, s, "(--topic T [--brokers B] | --config FILE) --out FILE")
	if code, ok := parseFlags(fs, s, args); !ok {
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
	fs := flag.NewFlagSet("verify", flag.ContinueOnError)
	var src source
	src.flags(fs)
	pub := fs.String("pub", "", "the log's public key file NAME.pub (required)")
	asJSON := fs.Bool("json", false, "print the full report as JSON instead of text")
	fs.Usage = usageFor(fs, s, "(--in FILE | --topic T [--brokers B] | --config FILE) --pub FILE.pub [--json]")
	if code, ok := parseFlags(fs, s, args); !ok {
		return code
	}
	if *pub == "" {
		fmt.Fprintln(s.Stderr, "worker audit verify: --pub is required")
		return 2
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
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	var src source
	src.flags(fs)
	pub := fs.String("pub", "", "the log's public key file NAME.pub; without it the report says \"not verified\"")
	from := fs.String("from", "", "start of the period, RFC 3339, inclusive (default: first event)")
	to := fs.String("to", "", "end of the period, RFC 3339, exclusive (default: after the last event)")
	out := fs.String("out", "report.html", "HTML file to write; - for stdout")
	fs.Usage = usageFor(fs, s, "(--in FILE | --topic T | --config FILE) [--pub FILE.pub] [--from T] [--to T] --out report.html\nexit status 1 when verification fails (the report is still written)")
	if code, ok := parseFlags(fs, s, args); !ok {
		return code
	}
	var fromT, toT time.Time
	for _, p := range []struct {
		flag string
		val  string
		t    *time.Time
	}{{"--from", *from, &fromT}, {"--to", *to, &toT}} {
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
	if err := writeTo(*out, s.Stdout, c.WriteHTML); err != nil {
		fmt.Fprintf(s.Stderr, "worker audit report: %v\n", err)
		return 1
	}
	if rep != nil && !rep.OK {
		fmt.Fprintf(s.Stderr, "worker audit report: verification FAILED with %d finding(s); see the report\n", len(rep.Findings))
		return 1
	}
	return 0
}
