package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/deidstream/deidstream/audit"
	"github.com/deidstream/deidstream/breakglass"
	"github.com/deidstream/deidstream/detectors"
	"github.com/deidstream/deidstream/envelope"
	"github.com/deidstream/deidstream/internal/config"
	"github.com/deidstream/deidstream/kafkaconn"
	"github.com/deidstream/deidstream/pipeline"
	"github.com/deidstream/deidstream/redact"
)

// Keys are the worker's key material: recipients of what it seals and the
// signer of its audit log.
type Keys struct {
	Research   []*envelope.PublicKey
	Quarantine []*envelope.PublicKey
	Signer     *audit.Signer
	// Escrow is breakglass.escrow: released records' links are sealed to it.
	// nil when break-glass is off or no escrow file is named.
	Escrow *breakglass.Escrow
}

// LoadKeys reads the key files named in cfg.Keys.
func LoadKeys(cfg *config.Config) (Keys, error) {
	if err := cfg.RequireKeys(); err != nil {
		return Keys{}, err
	}
	// Each error names the config line of the key file, and how its kind of file is made.
	at := func(key string) string {
		if w := cfg.Where(key); w != "" {
			return w + ": "
		}
		return ""
	}
	var k Keys
	for _, set := range []struct {
		key   string
		paths []string
		keys  *[]*envelope.PublicKey
	}{{"keys.research", cfg.Keys.Research, &k.Research}, {"keys.quarantine", cfg.Keys.Quarantine, &k.Quarantine}} {
		for i, p := range set.paths {
			pub, err := envelope.LoadPublicKeys(p)
			if err != nil {
				key := fmt.Sprintf("%s[%d]", set.key, i)
				return Keys{}, fmt.Errorf("%s%s: %w (recipient keys are made by `worker keys gen --out DIR --name NAME`)", at(key), key, err)
			}
			*set.keys = append(*set.keys, pub...)
		}
	}
	if err := CheckPrivateKeyFile(cfg.Keys.AuditSigner); err != nil {
		return Keys{}, fmt.Errorf("%skeys.audit_signer: %w", at("keys.audit_signer"), err)
	}
	var err error
	if k.Signer, err = audit.LoadSigner(cfg.Keys.AuditSigner); err != nil {
		return Keys{}, fmt.Errorf("%skeys.audit_signer: %w (the signing key is made by `worker audit keygen --out DIR --name NAME`)", at("keys.audit_signer"), err)
	}
	if bg := cfg.BreakGlass; bg.Enabled() && bg.Escrow != "" {
		if k.Escrow, err = LoadEscrow(bg); err != nil {
			return Keys{}, fmt.Errorf("%sbreakglass.escrow: %w", at("breakglass.escrow"), err)
		}
	}
	return k, nil
}

// LoadEscrow reads the escrow file and checks it is the one the section describes.
func LoadEscrow(bg breakglass.Config) (*breakglass.Escrow, error) {
	b, err := os.ReadFile(bg.Escrow)
	if err != nil {
		return nil, fmt.Errorf("reading the escrow file (made by `worker breakglass init`): %w", err)
	}
	e, err := breakglass.ParseEscrow(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", bg.Escrow, err)
	}
	if err := bg.Matches(e); err != nil {
		return nil, err
	}
	return e, nil
}

// ErrKeyExposed means a private key file is readable by other users than its owner.
var ErrKeyExposed = errors.New("private key file readable by group or others")

// CheckPrivateKeyFile refuses a private key file that users other than its owner can read: whoever
// can read the audit signing key can forge the log, whoever reads a research key reads the data.
func CheckPrivateKeyFile(path string) error {
	st, err := os.Stat(path)
	if err != nil {
		return nil // the loader reports a missing file with its own words
	}
	if m := st.Mode().Perm(); m&0o077 != 0 {
		return fmt.Errorf("%s has mode %04o: %w; run chmod 600 %s", path, m, ErrKeyExposed, path)
	}
	return nil
}

// stages are the pipeline's stages built from config; Anonymizer and
// Releaser are nil when their models are not configured, Numbering when
// placeholders are numbered per record.
type stages struct {
	Redactor   pipeline.Redactor
	Anonymizer pipeline.Anonymizer
	Releaser   pipeline.Releaser
	Sealer     pipeline.Sealer
	Auditor    pipeline.Auditor
	Numbering  *Numbering
	Carry      *Carry // privacy with carry-over (privacy.carry), instead of Anonymizer
}

// options returns the pipeline options that install the optional stages.
func (s *stages) options() []pipeline.Option {
	var opts []pipeline.Option
	if s.Anonymizer != nil {
		opts = append(opts, pipeline.WithAnonymizer(s.Anonymizer))
	}
	if s.Releaser != nil {
		opts = append(opts, pipeline.WithReleaser(s.Releaser))
	}
	if s.Numbering != nil {
		opts = append(opts, pipeline.WithNumbering(s.Numbering))
	}
	if s.Carry != nil {
		opts = append(opts, pipeline.WithCarrier(s.Carry))
	}
	return opts
}

// NewRedaction builds the detect/redact stage alone (also used by `worker redact`).
func NewRedaction(cfg *config.Config) (Redaction, error) {
	engine, err := detectors.New(cfg.Detection)
	if err != nil {
		return Redaction{}, fmt.Errorf("building detectors: %w", err)
	}
	p, err := redact.NewProcessor(cfg.Redaction, engine)
	if err != nil {
		return Redaction{}, fmt.Errorf("building redaction: %w", err)
	}
	return Redaction{p}, nil
}

// build makes every stage. It reads the audit and budget topics (which must
// exist: run pipeline.EnsureTopics first) so that the audit log and the DP
// ledger continue from what was committed before this start (the ledger is
// read again whenever another worker charged it since); the worker restores
// the placeholder numbering itself.
func build(ctx context.Context, cfg *config.Config, conn []kgo.Opt, keys Keys, wait *kafkaWait) (*stages, error) {
	red, err := NewRedaction(cfg)
	if err != nil {
		return nil, err
	}
	if err := CheckColumns(cfg, red.Columns()); err != nil {
		return nil, err
	}
	ks, err := envelope.NewKindSealer(keys.Research, keys.Quarantine)
	if err != nil {
		return nil, err
	}
	s := &stages{Redactor: red, Sealer: ks} // envelope.KindSealer is the Sealer port itself
	if nb := red.p.Numbering(); nb != nil {
		// Restored from topics.placeholders by the worker, at start and after
		// every partition assignment.
		s.Numbering = &Numbering{nb}
	}
	aud := &Auditor{log: audit.NewLog(keys.Signer, cfg.Worker.ID), configHash: configHash(cfg),
		policyHash: policyHash(cfg)}
	for _, k := range append(append([]*envelope.PublicKey{}, keys.Research...), keys.Quarantine...) {
		aud.keyIDs = append(aud.keyIDs, k.KeyID())
	}
	switch {
	case cfg.CarryEnabled():
		if s.Carry, err = newCarry(cfg.Privacy, cfg.Redaction.Secret, cfg.Worker.ID); err != nil {
			return nil, fmt.Errorf("building privacy models with carry-over: %w", err)
		}
		// The rows a previous run of this worker held wait on: read back
		// before the first window (the predecessor is fenced already).
		err := wait.do(ctx, "reading the carry-over state back", func(ctx context.Context) error {
			return s.Carry.Restore(ctx, conn, cfg.Topics.Carry) // changes nothing until its read succeeded
		})
		if err != nil {
			return nil, err
		}
	case cfg.PrivacyEnabled():
		anon, err := newPrivacy(cfg.Privacy)
		if err != nil {
			return nil, fmt.Errorf("building privacy models: %w", err)
		}
		s.Anonymizer = anon
	}
	var msgs []audit.Message
	err = wait.do(ctx, "reading the audit log back", func(ctx context.Context) (err error) {
		msgs, err = audit.ReadTopic(ctx, cfg.Topics.Audit, conn...)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("reading the audit log back: %w", err)
	}
	if err := aud.log.Restore(msgs); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrAuditRestore, err) // names the worker and the failed check
	}
	aud.noteHistory(msgs, cfg.Worker.ID)
	s.Auditor = aud
	if cfg.DPEnabled() {
		t := cfg.Kafka.TransactionTimeout
		l := newLedger(conn, cfg.Topics.Budget, cfg.DP.Dataset, budgetTxnID(cfg.Kafka.TransactionalIDPrefix, cfg.DP.Dataset), t)
		d, err := newDP(cfg.DP, l, t/2)
		if err != nil {
			return nil, err
		}
		// A ledger this configuration cannot continue stops the start.
		if err := wait.do(ctx, "reading the DP budget ledger", d.sync); err != nil {
			return nil, err
		}
		s.Releaser = d
	}
	return s, nil
}

// readLedger returns the last committed ledger state of dataset, or nil.
func readLedger(ctx context.Context, conn []kgo.Opt, topic, dataset string) ([]byte, error) {
	recs, err := kafkaconn.ReadAll(ctx, conn, topic)
	if err != nil {
		return nil, fmt.Errorf("reading the budget ledger: %w", err)
	}
	var last []byte
	for _, r := range recs {
		if string(r.Key) == dataset {
			last = r.Value
		}
	}
	return last, nil
}

// policyHash identifies what decides the released content: detection,
// redaction (without its secret), privacy and DP settings.
func policyHash(cfg *config.Config) string {
	red := cfg.Redaction
	red.Secret = ""
	return hashJSON(struct {
		D any `json:"detection"`
		R any `json:"redaction"`
		P any `json:"privacy"`
		Q any `json:"dp"`
	}{cfg.Detection, red, cfg.Privacy, cfg.DP})
}

// configHash identifies the whole config, secrets left out.
func configHash(cfg *config.Config) string {
	c := *cfg
	c.Redaction.Secret, c.Kafka.SASL.Password = "", ""
	return hashJSON(c)
}

func hashJSON(v any) string {
	b, _ := json.Marshal(v)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
