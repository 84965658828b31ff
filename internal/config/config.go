// Package config is the worker's YAML schema: every section, its defaults, and
// validation with messages that name the key. Library sections (detection,
// redaction, privacy, dp) are the libraries' own Config types.
package config

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/deidstream/deidstream/access"
	"github.com/deidstream/deidstream/breakglass"
	"github.com/deidstream/deidstream/detectors"
	"github.com/deidstream/deidstream/kafkaconn"
	"github.com/deidstream/deidstream/privacy"
	"github.com/deidstream/deidstream/privacy/dp"
	"github.com/deidstream/deidstream/redact"
)

// Config is the whole worker configuration. See example.yaml for every key with its default.
type Config struct {
	Worker Worker           `yaml:"worker"`
	Kafka  kafkaconn.Config `yaml:"kafka"`
	Topics Topics           `yaml:"topics"`
	Input  Input            `yaml:"input"`
	Window Window           `yaml:"window"`
	Keys   Keys             `yaml:"keys"`
	Ops    Ops              `yaml:"ops"`
	// Monitor is the residual-PHI monitor: a sampled second look at what is released.
	Monitor Monitor `yaml:"monitor"`

	// Detection tunes the PHI detectors (thresholds, allow/deny lists, custom detectors).
	Detection detectors.Config `yaml:"detection"`
	// Redaction is the per-field policy and the handling mode per PHI type.
	Redaction redact.Config `yaml:"redaction"`
	// Privacy is k-anonymity / l-diversity / t-closeness per window; off without quasi_identifiers.
	Privacy privacy.Config `yaml:"privacy"`
	// DP is differentially private statistics per window with a budget; off without a dataset.
	DP dp.Config `yaml:"dp"`
	// Roles binds the worker, researchers, auditors, security officers and
	// stewards to Kafka principals and key files: `worker acl plan` prints the
	// ACLs they imply. Off while no role names a principal.
	Roles access.Roles `yaml:"roles"`
	// BreakGlass is controlled re-identification: the escrow, its M-of-N
	// officers and how long a grant lasts. Off while no officer is named.
	BreakGlass breakglass.Config `yaml:"breakglass"`

	src source // the file and its lines, set by Load and LoadSections
}

// PrivacyEnabled reports whether the window is anonymized.
func (c *Config) PrivacyEnabled() bool { return len(c.Privacy.QuasiIdentifiers) > 0 }

// CarryEnabled reports whether the privacy models carry rows across windows (privacy.carry).
func (c *Config) CarryEnabled() bool { return c.PrivacyEnabled() && c.Privacy.Carry.MaxDelay > 0 }

// DPEnabled reports whether DP statistics are released.
func (c *Config) DPEnabled() bool { return c.DP.Dataset != "" }

// Worker identifies this worker and sizes its stage graph.
type Worker struct {
	// ID names the worker in its transactional id, audit log and metrics; stable across restarts.
	// Default: the host name.
	ID string `yaml:"id"`
	// Parallelism is the number of detect/redact goroutines. Default 0 = one per CPU.
	Parallelism int `yaml:"parallelism"`
	// QueueDepth bounds each stage's channel (records in flight). Default 1024.
	QueueDepth int `yaml:"queue_depth"`
}

// Topics names every topic the worker uses.
type Topics struct {
	// Input topics of raw JSON records. Required.
	Input []string `yaml:"input"`
	// Research receives sealed Arrow batches. Default "deid.research".
	Research string `yaml:"research"`
	// Audit receives audit events and signed checkpoints (plain JSON, never PHI). Default "deid.audit".
	Audit string `yaml:"audit"`
	// Quarantine receives each bad record sealed to the quarantine recipients. Default "deid.quarantine".
	Quarantine string `yaml:"quarantine"`
	// Stats receives sealed DP statistics per window. Default "deid.stats".
	Stats string `yaml:"stats"`
	// Budget is the compacted DP budget ledger, keyed by dataset. Default "deid.budget".
	Budget string `yaml:"budget"`
	// Placeholders is the compacted placeholder numbering per patient (redaction.numbering),
	// keyed by a keyed hash of the patient: hashes and counts, no PHI. Default "deid.placeholders".
	Placeholders string `yaml:"placeholders"`
	// Carry is the compacted carry-over state (privacy.carry), keyed by worker id: the rows each
	// worker holds for a later window, sealed under a key derived from redaction.secret. Default "deid.carry".
	Carry string `yaml:"carry"`
	// Create missing output topics at start (input topics are never created). Default true.
	Create bool `yaml:"create"`
	// Partitions for created output topics (the audit topic always gets 1). Default 3.
	Partitions int32 `yaml:"partitions"`
}

// Input limits what a raw record may be; a record that breaks one goes to quarantine.
type Input struct {
	// MaxRecordBytes is the largest raw record accepted. Default 262144 (256 KiB).
	MaxRecordBytes int `yaml:"max_record_bytes"`
	// Required fields must be present and not null. Default none.
	Required []string `yaml:"required"`
	// Types maps a field to its JSON type: string, number, integer, boolean, object, array. Default none.
	Types map[string]string `yaml:"types"`
}

// Window is the privacy window: the rows anonymized together and published in one transaction.
type Window struct {
	// MaxRecords closes the window at this many input records. Default 10000.
	MaxRecords int `yaml:"max_records"`
	// MaxWait closes a non-empty window this long after its first record. Default 5s.
	MaxWait time.Duration `yaml:"max_wait"`
	// MaxBytes closes the window once its raw records add up to this many bytes,
	// bounding the worker's memory whatever the record size. Default 67108864 (64 MiB).
	MaxBytes int `yaml:"max_bytes"`
}

// Keys names the key files: recipients of sealed outputs and the audit signing key.
type Keys struct {
	// Research recipients' public keys (.pub), several for rotation. Required for `run`.
	Research []string `yaml:"research"`
	// Quarantine recipients' public keys: the security team; quarantined records are raw PHI. Required for `run`.
	Quarantine []string `yaml:"quarantine"`
	// AuditSigner is the private signing key of the audit log (`worker audit keygen`). Required for `run`.
	AuditSigner string `yaml:"audit_signer"`
	// RotationPeriod is how old a key file may grow before it is due for
	// rotation: deid_key_rotation_period_seconds, which the DeidKeyFileTooOld
	// alert compares with deid_key_file_age_seconds. Default (and 0) 2160h (90 days).
	RotationPeriod time.Duration `yaml:"rotation_period"`
}

// DefaultRotationPeriod is keys.rotation_period's default: 90 days.
const DefaultRotationPeriod = 90 * 24 * time.Hour

// Ops is observability and lifecycle.
type Ops struct {
	// Listen serves /metrics, /healthz and /readyz; "" disables. Default "127.0.0.1:9464".
	Listen string `yaml:"listen"`
	// LogLevel is debug, info, warn or error. Default info.
	LogLevel string `yaml:"log_level"`
	// DrainTimeout bounds finishing the open window on SIGTERM before it is aborted. Default 20s.
	DrainTimeout time.Duration `yaml:"drain_timeout"`
	// Linger keeps /metrics served this long after the worker stopped on an
	// error (or until SIGTERM), so Prometheus scrapes deid_worker_stops_total
	// before the process exits; 0 exits at once. Default 30s.
	Linger time.Duration `yaml:"linger"`
}

// Monitor is the residual-PHI monitor: the detector run again, in its
// strictest setting, on a sample of the released rows, and operator canaries
// looked for in them.
type Monitor struct {
	// Every inspects every cell of every Nth released record; 0 samples none
	// (the first window is still inspected when FirstWindow is on). Default 100.
	Every int `yaml:"every"`
	// FirstWindow inspects every record of the first window after start. Default true.
	FirstWindow bool `yaml:"first_window"`
	// Threshold is the minimum score of every PHI type in the second look, in
	// [0,1]: lower finds more, false positives too. Default 0.4 (the first
	// pass's default is 0.5).
	Threshold float64 `yaml:"threshold"`
	// Tolerance is the findings per inspected record a window may show before
	// Action applies (metrics and the audit event count them all); a canary
	// is never tolerated. Default 0.05.
	Tolerance float64 `yaml:"tolerance"`
	// Action on a finding: alert (count it in metrics and the audit event, log
	// a warning) or halt (abort the window, nothing released, and stop the
	// worker). Default alert.
	Action string `yaml:"action"`
	// Canaries are the keyed hashes (`worker canary`, 64 hex digits) of
	// identifiers the operator planted in the input: one seen in a released
	// row is a breach. Never the identifiers themselves. Default none.
	Canaries []string `yaml:"canaries"`
}

// Defaults returns a config with every documented default.
func Defaults() Config {
	host, _ := os.Hostname()
	if host == "" {
		host = "worker"
	}
	return Config{
		Worker: Worker{ID: host, QueueDepth: 1024},
		Kafka:  kafkaconn.Defaults(),
		Topics: Topics{Research: "deid.research", Audit: "deid.audit", Quarantine: "deid.quarantine",
			Stats: "deid.stats", Budget: "deid.budget", Placeholders: "deid.placeholders", Carry: "deid.carry", Create: true, Partitions: 3},
		Input:   Input{MaxRecordBytes: 256 << 10},
		Window:  Window{MaxRecords: 10000, MaxWait: 5 * time.Second, MaxBytes: 64 << 20},
		Ops:     Ops{Listen: "127.0.0.1:9464", LogLevel: "info", DrainTimeout: 20 * time.Second, Linger: 30 * time.Second},
		Keys:    Keys{RotationPeriod: DefaultRotationPeriod},
		Monitor: Monitor{Every: 100, FirstWindow: true, Threshold: 0.4, Tolerance: 0.05, Action: "alert"},

		Detection: detectors.DefaultConfig(),
		Redaction: redact.DefaultConfig(),
		Privacy:   privacy.DefaultConfig(),

		BreakGlass: breakglass.DefaultConfig(),
	}
}

var jsonTypes = map[string]bool{"string": true, "number": true, "integer": true, "boolean": true, "object": true, "array": true}

// Validate checks every section; the error names the key and why.
func (c *Config) Validate() error {
	bad := func(key, why string) error { return fmt.Errorf("%s: %s: %w", key, why, ErrInvalid) }
	if c.Worker.ID == "" {
		return bad("worker.id", "must not be empty")
	}
	if strings.Contains(c.Worker.ID, "/") {
		// It prefixes this worker's keys in the carry-over state ("<id>/index/0"): "a/index"
		// would read worker a's keys as its own.
		return bad("worker.id", fmt.Sprintf("%q holds a '/', which separates the parts of state keys", c.Worker.ID))
	}
	if c.Worker.Parallelism < 0 {
		return bad("worker.parallelism", "must be 0 (one per CPU) or more")
	}
	if c.Worker.QueueDepth < 1 {
		return bad("worker.queue_depth", "must be at least 1")
	}
	if err := c.Kafka.Validate(); err != nil {
		return fmt.Errorf("%w: %w", err, ErrInvalid)
	}
	if len(c.Topics.Input) == 0 {
		return bad("topics.input", "at least one input topic is required")
	}
	outs := map[string]string{"topics.research": c.Topics.Research, "topics.audit": c.Topics.Audit,
		"topics.quarantine": c.Topics.Quarantine, "topics.stats": c.Topics.Stats, "topics.budget": c.Topics.Budget,
		"topics.placeholders": c.Topics.Placeholders}
	if c.CarryEnabled() {
		outs["topics.carry"] = c.Topics.Carry
	}
	seen := map[string]string{}
	for _, in := range c.Topics.Input {
		seen[in] = "topics.input"
	}
	for _, key := range sortedMapKeys(outs) {
		name := outs[key]
		if name == "" {
			return bad(key, "must name a topic")
		}
		if other, dup := seen[name]; dup {
			return bad(key, fmt.Sprintf("topic %q is also %s", name, other))
		}
		seen[name] = key
	}
	if c.Topics.Partitions < 1 {
		return bad("topics.partitions", "must be at least 1")
	}
	if c.Input.MaxRecordBytes < 1 {
		return bad("input.max_record_bytes", "must be positive")
	}
	for f, t := range c.Input.Types {
		if !jsonTypes[t] {
			return bad("input.types."+f, fmt.Sprintf("%q is not one of string, number, integer, boolean, object, array", t))
		}
	}
	if c.Window.MaxRecords < 1 {
		return bad("window.max_records", "must be at least 1")
	}
	if c.Window.MaxBytes < c.Input.MaxRecordBytes {
		return bad("window.max_bytes", "must be at least input.max_record_bytes")
	}
	if c.Input.MaxRecordBytes > c.Kafka.MaxMessageBytes-64<<10 {
		return bad("input.max_record_bytes", "must leave 64 KiB under kafka.max_message_bytes, so every released row fits in a Kafka record once sealed")
	}
	if c.Window.MaxWait <= 0 {
		return bad("window.max_wait", "must be positive, e.g. 5s")
	}
	if c.Window.MaxWait >= c.Kafka.TransactionTimeout {
		return bad("window.max_wait", "must be shorter than kafka.transaction_timeout, which bounds the window's transaction")
	}
	switch c.Ops.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		return bad("ops.log_level", fmt.Sprintf("%q is not debug, info, warn or error", c.Ops.LogLevel))
	}
	if c.Ops.DrainTimeout <= 0 {
		return bad("ops.drain_timeout", "must be positive")
	}
	if c.Ops.Linger < 0 {
		return bad("ops.linger", "must be 0 (exit at once) or more")
	}
	if c.Keys.RotationPeriod < 0 {
		return bad("keys.rotation_period", "must be positive, e.g. 2160h")
	}
	if err := c.Monitor.validate(); err != nil {
		return err
	}
	if c.Redaction.DefaultMode == redact.ModeDetect {
		return bad("redaction.default_mode", "detect leaves PHI in the released text: the worker needs redact, surrogate, hash or reject")
	}
	for t, m := range c.Redaction.Modes {
		if m == redact.ModeDetect {
			return bad("redaction.modes."+string(t), "detect leaves PHI in the released text: the worker needs redact, surrogate, hash or reject")
		}
	}
	if n := c.Redaction.Numbering; n.Scope != redact.ScopeRecord {
		// One patient's table is one record of topics.placeholders.
		if v := n.MaxValues; v > 0 && redact.MaxTableBytes(v) > c.Kafka.MaxMessageBytes-64<<10 {
			return bad("redaction.numbering.max_values", fmt.Sprintf("a full table takes up to %d bytes: it must leave 64 KiB under kafka.max_message_bytes", redact.MaxTableBytes(v)))
		}
	}
	if err := c.Detection.Validate(); err != nil {
		return fmt.Errorf("detection: %w: %w", err, ErrInvalid)
	}
	if c.PrivacyEnabled() {
		if err := c.Privacy.Validate(); err != nil {
			return fmt.Errorf("privacy: %w: %w", err, ErrInvalid)
		}
	}
	if c.CarryEnabled() && c.BreakGlass.Enabled() {
		// An escrow link ties a published row to its source offset, which carry-over must not publish.
		return bad("privacy.carry.max_delay_windows", "carry-over cannot run with break-glass (breakglass.officers): "+
			"an escrow link names each released row's source, which would tell a carried row from a new one")
	}
	if c.DPEnabled() {
		if err := c.DP.Validate(); err != nil {
			return fmt.Errorf("dp: %w: %w", err, ErrInvalid)
		}
	}
	if err := c.BreakGlass.Validate(); err != nil {
		return fmt.Errorf("%w: %w", err, ErrInvalid)
	}
	return c.ValidateRoles()
}

// ValidateRoles checks the roles section and its separation of duties.
func (c *Config) ValidateRoles() error {
	if err := c.Roles.Validate(); err != nil {
		return fmt.Errorf("%w: %w", err, ErrInvalid)
	}
	if err := access.CheckDuties(c.Roles, c.AccessResources()); err != nil {
		return fmt.Errorf("roles: %w: %w", err, ErrInvalid)
	}
	return nil
}

// BreakGlassTransactionalID is the transactional id the break-glass steps
// record under, which fences two steps recorded at once.
func (c *Config) BreakGlassTransactionalID() string {
	return c.Kafka.TransactionalIDPrefix + breakglass.LogID
}

// AccessResources names what the roles are granted on.
func (c *Config) AccessResources() access.Resources {
	t := c.Topics
	var escrow, bgTxn, carry string
	if c.BreakGlass.Enabled() {
		escrow, bgTxn = c.BreakGlass.Topic, c.BreakGlassTransactionalID()
	}
	if c.CarryEnabled() {
		carry = t.Carry
	}
	return access.Resources{Escrow: escrow, Carry: carry, BreakGlassTransactionalID: bgTxn, Input: t.Input, Research: t.Research, Stats: t.Stats, Audit: t.Audit,
		Quarantine: t.Quarantine, Budget: t.Budget, Placeholders: t.Placeholders, Group: c.Kafka.GroupID,
		Groups: c.Roles.Groups(), TransactionalIDPrefix: c.Kafka.TransactionalIDPrefix, CreateTopics: t.Create,
		ResearchKeys: c.Keys.Research, QuarantineKeys: c.Keys.Quarantine}
}

// resolvePaths makes relative file paths relative to dir, the config file's folder.
func (c *Config) resolvePaths(dir string) {
	abs := func(p string) string {
		if p == "" || filepath.IsAbs(p) {
			return p
		}
		return filepath.Join(dir, p)
	}
	for i := range c.Keys.Research {
		c.Keys.Research[i] = abs(c.Keys.Research[i])
	}
	for i := range c.Keys.Quarantine {
		c.Keys.Quarantine[i] = abs(c.Keys.Quarantine[i])
	}
	c.Keys.AuditSigner = abs(c.Keys.AuditSigner)
	c.BreakGlass.Escrow = abs(c.BreakGlass.Escrow)
	for _, r := range []*access.Role{&c.Roles.Worker, &c.Roles.Researcher, &c.Roles.Auditor, &c.Roles.SecurityOfficer, &c.Roles.Steward} {
		for i := range r.Recipients {
			r.Recipients[i] = abs(r.Recipients[i])
		}
	}
	c.Kafka.TLS.CAFile = abs(c.Kafka.TLS.CAFile)
	c.Kafka.TLS.CertFile = abs(c.Kafka.TLS.CertFile)
	c.Kafka.TLS.KeyFile = abs(c.Kafka.TLS.KeyFile)
	for i := range c.Privacy.QuasiIdentifiers {
		c.Privacy.QuasiIdentifiers[i].Hierarchy = abs(c.Privacy.QuasiIdentifiers[i].Hierarchy)
	}
}

// RequireKeys checks the key files `run` needs; validate and demo may do without them.
func (c *Config) RequireKeys() error {
	bad := func(key, why string) error { return fmt.Errorf("%s: %s: %w", key, why, ErrInvalid) }
	if len(c.Keys.Research) == 0 {
		return bad("keys.research", "at least one research recipient .pub file is required")
	}
	if len(c.Keys.Quarantine) == 0 {
		return bad("keys.quarantine", "at least one quarantine recipient .pub file is required")
	}
	if c.Keys.AuditSigner == "" {
		return bad("keys.audit_signer", "the audit signing key file is required")
	}
	return nil
}

func sortedMapKeys(m map[string]string) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

var canaryHash = regexp.MustCompile(`^[0-9a-f]{64}$`)

func (m *Monitor) validate() error {
	bad := func(key, why string) error { return fmt.Errorf("monitor.%s: %s: %w", key, why, ErrInvalid) }
	if m.Every < 0 {
		return bad("every", "must be 0 (no sampling) or more")
	}
	if m.Threshold < 0 || m.Threshold > 1 || m.Threshold != m.Threshold {
		return bad("threshold", "must be within [0,1]")
	}
	if m.Tolerance < 0 || m.Tolerance != m.Tolerance {
		return bad("tolerance", "must be 0 or more")
	}
	if m.Action != "alert" && m.Action != "halt" {
		return bad("action", fmt.Sprintf("%q is not alert or halt", m.Action))
	}
	for i, c := range m.Canaries {
		if !canaryHash.MatchString(c) {
			// Never quote it: it may be a canary written in clear by mistake.
			return bad(fmt.Sprintf("canaries[%d]", i), "must be a keyed hash of 64 lower-case hex digits, made by `worker canary` (never the identifier itself)")
		}
	}
	return nil
}
