package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/deidstream/deidstream/audit"
	"github.com/deidstream/deidstream/breakglass"
	"github.com/deidstream/deidstream/envelope"
	"github.com/deidstream/deidstream/internal/app"
	"github.com/deidstream/deidstream/internal/config"
	"github.com/deidstream/deidstream/kafkaconn"
)

func init() {
	register(command{name: "breakglass", summary: "re-identify one record with M-of-N approval: init, request, approve, open", run: runBreakGlass})
}

func runBreakGlass(ctx context.Context, s stdio, args []string) int {
	return runGroup(s, "breakglass", "Break-glass re-identification. The link from a pseudonym to its source record and patient key\n"+
		"is escrowed sealed to a key whose secret is split among breakglass.officers; breakglass.threshold of them must\n"+
		"approve a request before its one link can be opened, within breakglass.access_duration. Every step writes an\n"+
		"event to the audit topic (its own log, \"breakglass\") before it takes effect. A case is a directory:\n"+
		"request.json (public), request.key (the requester's), approval-OFFICER.json (shares sealed to the request).",
		[]subcommand{
			{"init", "make the escrow: OUT/escrow.json (public) and OUT/share-OFFICER.json (one secret share each)", runBreakGlassInit},
			{"request", "open a case asking for one link (audited)", func(s stdio, a []string) int { return runBreakGlassRequest(ctx, s, a) }},
			{"approve", "approve a case with an officer's share (audited)", func(s stdio, a []string) int { return runBreakGlassApprove(ctx, s, a) }},
			{"open", "reveal the case's one link once approved and not expired (audited first)", func(s stdio, a []string) int { return runBreakGlassOpen(ctx, s, a) }},
		}, args)
}

// breakGlassEnv is what every step but init needs from the config.
type breakGlassEnv struct {
	cfg    *config.Config
	escrow *breakglass.Escrow
	rec    *app.AuditRecorder
}

func loadBreakGlass(path string) (*breakGlassEnv, error) {
	cfg, err := config.LoadSections(path, "kafka", "topics", "keys", "breakglass")
	if err != nil {
		return nil, err
	}
	bg := cfg.BreakGlass
	if !bg.Enabled() {
		return nil, fmt.Errorf("%s: breakglass.officers: no officer is named: %w", path, config.ErrInvalid)
	}
	if err := bg.Validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	e, err := app.LoadEscrow(bg)
	if err != nil {
		return nil, fmt.Errorf("%s: breakglass.escrow: %w", path, err)
	}
	if err := app.CheckPrivateKeyFile(cfg.Keys.AuditSigner); err != nil {
		return nil, fmt.Errorf("%s: keys.audit_signer: %w", path, err)
	}
	signer, err := audit.LoadSigner(cfg.Keys.AuditSigner)
	if err != nil {
		return nil, fmt.Errorf("%s: keys.audit_signer: %w", path, err)
	}
	conn, err := cfg.Kafka.Opts()
	if err != nil {
		return nil, err
	}
	return &breakGlassEnv{cfg: cfg, escrow: e, rec: &app.AuditRecorder{Conn: conn, Topic: cfg.Topics.Audit, Signer: signer,
		TransactionalID: cfg.BreakGlassTransactionalID()}}, nil
}

func readJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("reading %s: %w", path, err)
	}
	return nil
}

func writeJSON(path string, v any, mode os.FileMode) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		return fmt.Errorf("writing %s (never overwritten): %w", path, err)
	}
	if _, err := f.Write(append(b, '\n')); err != nil {
		f.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return f.Close()
}

func runBreakGlassInit(s stdio, args []string) int {
	fs := newFlags(s, "breakglass init", "-c config.yaml --out DIR",
		"Makes a new escrow for breakglass.threshold of breakglass.officers: DIR/escrow.json (public: point\n"+
			"breakglass.escrow at it) and DIR/share-OFFICER.json (0600), to be handed to each officer and removed here.")
	var cfgPath string
	fs.configFlag(&cfgPath, "config.yaml", "config `file` with the breakglass section")
	out := fs.String("out", ".", "`directory` for the escrow and the shares; existing files are never overwritten")
	if code, ok := fs.parse(args); !ok {
		return code
	}
	fail := func(err error) int { fmt.Fprintln(s.Stderr, "worker breakglass init:", err); return 1 }
	cfg, err := config.LoadSections(cfgPath, "breakglass")
	if err != nil {
		return fail(err)
	}
	if err := cfg.BreakGlass.Validate(); err != nil || !cfg.BreakGlass.Enabled() {
		return fail(fmt.Errorf("%s: breakglass: name the officers and the threshold first (%v)", cfgPath, err))
	}
	e, shares, err := breakglass.NewEscrow(nil, cfg.BreakGlass.Threshold, cfg.BreakGlass.Officers)
	if err != nil {
		return fail(err)
	}
	if err := writeJSON(filepath.Join(*out, "escrow.json"), e, 0o644); err != nil {
		return fail(err)
	}
	for _, sh := range shares {
		if err := writeJSON(filepath.Join(*out, "share-"+sh.Officer+".json"), sh, 0o600); err != nil {
			return fail(err)
		}
	}
	fmt.Fprintf(s.Stdout, "escrow %s: %d of %d officers; wrote %s and one share per officer\n", e.ID, e.Threshold,
		len(e.Officers), filepath.Join(*out, "escrow.json"))
	return 0
}

func runBreakGlassRequest(ctx context.Context, s stdio, args []string) int {
	fs := newFlags(s, "breakglass request", "-c config.yaml --case DIR --target T --requester NAME --reason CODE [--note TEXT]",
		"Audits a request, then writes the case: DIR/request.json and DIR/request.key (yours until you open it).")
	var cfgPath string
	fs.configFlag(&cfgPath, "config.yaml", "config `file`")
	caseDir := fs.String("case", "", "case `directory` to create (required)")
	target := fs.String("target", "", "the `target`: pseudonym:P or record:topic/partition/offset (required)")
	requester := fs.String("requester", "", "your `name` (required)")
	reason := fs.String("reason", "", "reason `code`, e.g. incidental_finding (required; free text goes in --note)")
	note := fs.String("note", "", "the written justification `text`: only its SHA-256 is audited; keep the text with the case file")
	if code, ok := fs.parse(args); !ok {
		return code
	}
	if *caseDir == "" || *target == "" || *requester == "" || *reason == "" {
		return fs.usageError("--case, --target, --requester and --reason are required")
	}
	fail := func(err error) int { fmt.Fprintln(s.Stderr, "worker breakglass request:", err); return 1 }
	env, err := loadBreakGlass(cfgPath)
	if err != nil {
		return fail(err)
	}
	if err := os.Mkdir(*caseDir, 0o700); err != nil {
		return fail(fmt.Errorf("creating the case directory: %w", err))
	}
	r, key, err := breakglass.NewRequest(ctx, env.rec, env.escrow, *target, *requester, *reason, *note, time.Now())
	if err != nil {
		return fail(err)
	}
	priv, err := key.MarshalText()
	if err != nil {
		return fail(err)
	}
	if err := writeJSON(filepath.Join(*caseDir, "request.json"), r, 0o644); err != nil {
		return fail(err)
	}
	if err := os.WriteFile(filepath.Join(*caseDir, "request.key"), priv, 0o600); err != nil {
		return fail(err)
	}
	fmt.Fprintf(s.Stdout, "request %s audited; %d officers of %v must approve it\n", r.ID, env.escrow.Threshold, env.escrow.Officers)
	return 0
}

func runBreakGlassApprove(ctx context.Context, s stdio, args []string) int {
	fs := newFlags(s, "breakglass approve", "-c config.yaml --case DIR --share FILE",
		"Checks your share against the escrow, audits your approval, then writes DIR/approval-OFFICER.json:\n"+
			"your share sealed to the request's key, of no use to anyone else.")
	var cfgPath string
	fs.configFlag(&cfgPath, "config.yaml", "config `file`")
	caseDir := fs.String("case", "", "case `directory` (required)")
	shareFile := fs.String("share", "", "your share `file` from worker breakglass init (required)")
	if code, ok := fs.parse(args); !ok {
		return code
	}
	if *caseDir == "" || *shareFile == "" {
		return fs.usageError("--case and --share are required")
	}
	fail := func(err error) int { fmt.Fprintln(s.Stderr, "worker breakglass approve:", err); return 1 }
	env, err := loadBreakGlass(cfgPath)
	if err != nil {
		return fail(err)
	}
	var r breakglass.Request
	var sh breakglass.Share
	if err := readJSON(filepath.Join(*caseDir, "request.json"), &r); err != nil {
		return fail(err)
	}
	if err := readJSON(*shareFile, &sh); err != nil {
		return fail(err)
	}
	a, err := breakglass.Approve(ctx, env.rec, env.escrow, r, sh, time.Now())
	if err != nil {
		return fail(err)
	}
	if err := writeJSON(filepath.Join(*caseDir, "approval-"+sh.Officer+".json"), a, 0o644); err != nil {
		return fail(err)
	}
	fmt.Fprintf(s.Stdout, "approval of %s by %s audited\n", r.ID, sh.Officer)
	return 0
}

func runBreakGlassOpen(ctx context.Context, s stdio, args []string) int {
	fs := newFlags(s, "breakglass open", "-c config.yaml --case DIR",
		"Once breakglass.threshold officers approved and within breakglass.access_duration of the approval that\n"+
			"reached it: audits the opening, rebuilds the escrow key in memory, finds the one escrow record of the\n"+
			"case's target on breakglass.topic and prints its link as JSON on stdout. Nothing else is opened.")
	var cfgPath string
	fs.configFlag(&cfgPath, "config.yaml", "config `file`")
	caseDir := fs.String("case", "", "case `directory` (required)")
	if code, ok := fs.parse(args); !ok {
		return code
	}
	if *caseDir == "" {
		return fs.usageError("--case is required")
	}
	fail := func(err error) int { fmt.Fprintln(s.Stderr, "worker breakglass open:", err); return 1 }
	env, err := loadBreakGlass(cfgPath)
	if err != nil {
		return fail(err)
	}
	var r breakglass.Request
	if err := readJSON(filepath.Join(*caseDir, "request.json"), &r); err != nil {
		return fail(err)
	}
	key, err := envelope.LoadPrivateKey(filepath.Join(*caseDir, "request.key"))
	if err != nil {
		return fail(err)
	}
	paths, err := filepath.Glob(filepath.Join(*caseDir, "approval-*.json"))
	if err != nil {
		return fail(err)
	}
	var approvals []breakglass.Approval
	for _, p := range paths {
		var a breakglass.Approval
		if err := readJSON(p, &a); err != nil {
			return fail(err)
		}
		approvals = append(approvals, a)
	}
	conn, err := env.cfg.Kafka.Opts()
	if err != nil {
		return fail(err)
	}
	var records []breakglass.Record
	var keys []breakglass.KeyRecord
	err = kafkaconn.ReadEach(ctx, conn, env.cfg.BreakGlass.Topic, func(rec *kgo.Record) error {
		r := breakglass.Record{PseudonymTag: string(rec.Key), Sealed: rec.Value}
		isKey := false
		for _, h := range rec.Headers {
			switch h.Key {
			case breakglass.HeaderSourceTag:
				r.SourceTag = string(h.Value)
			case breakglass.HeaderKeyID:
				r.KeyID = string(h.Value)
			case breakglass.HeaderKeyRecord:
				isKey = true
			}
		}
		if isKey {
			keys = append(keys, breakglass.KeyRecord{ID: string(rec.Key), Sealed: rec.Value})
		} else {
			records = append(records, r)
		}
		return nil
	})
	if err != nil {
		return fail(err)
	}
	l, err := breakglass.Open(ctx, env.rec, env.escrow, r, key, approvals, env.cfg.BreakGlass.AccessDuration, time.Now(), records, keys)
	if err != nil {
		if errors.Is(err, breakglass.ErrExpired) {
			return fail(fmt.Errorf("%w; a new request is needed", err))
		}
		return fail(err)
	}
	b, err := json.Marshal(l)
	if err != nil {
		return fail(err)
	}
	fmt.Fprintf(s.Stdout, "%s\n", b)
	return 0
}
