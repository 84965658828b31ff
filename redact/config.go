package redact

import (
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"regexp"
	"strings"

	"github.com/deidstream/deidstream/detectors"
)

// Sentinel errors returned (wrapped) by Config.Validate, NewProcessor and ExpandSecret.
var (
	// ErrWeakSecret means the HMAC secret is missing or shorter than MinSecretBytes.
	ErrWeakSecret = errors.New("secret must be at least 32 bytes (64 hex digits or 32 raw bytes)")
	// ErrSecretEnv means the secret names an environment variable that is not set.
	ErrSecretEnv = errors.New("secret environment variable is not set")
	// ErrUnknownMode means a mode is not one of detect, redact, surrogate, hash, reject.
	ErrUnknownMode = errors.New("unknown mode")
	// ErrUnknownAction means a field action is not one of the Action constants.
	ErrUnknownAction = errors.New("unknown field action")
	// ErrUnknownType means a modes key is not a canonical PHI type.
	ErrUnknownType = errors.New("unknown PHI type")
	// ErrBadField means a field policy is malformed (empty or duplicate name).
	ErrBadField = errors.New("invalid field policy")
	// ErrBadShift means max_shift_days is outside [1, 3650].
	ErrBadShift = errors.New("max_shift_days must be within [1, 3650]")
	// ErrNoDetector means NewProcessor was given a nil Detector.
	ErrNoDetector = errors.New("detector is required")
	// ErrBadNumbering means a numbering key is out of range.
	ErrBadNumbering = errors.New("invalid numbering setting")
	// ErrNotSafeHarbor means a setting shifts dates while method is safe_harbor.
	ErrNotSafeHarbor = errors.New("setting not allowed under the Safe Harbor method")
	// ErrUnknownMethod means method is not safe_harbor or date_shifting.
	ErrUnknownMethod = errors.New("unknown de-identification method")
)

// Method is the de-identification route the policy follows.
type Method string

// The methods.
const (
	// MethodSafeHarbor (the default) is HIPAA Safe Harbor (45 CFR
	// 164.514(b)(2)): of a date only the year is released, so date_shift
	// fields and surrogate dates are refused.
	MethodSafeHarbor Method = "safe_harbor"
	// MethodDateShifting releases full dates moved by a per-patient offset
	// (date_shift fields, surrogate dates). It keeps intervals between a
	// patient's dates, and it is NOT Safe Harbor: shifted dates are elements of
	// dates. Use it only under another route (an expert determination, or a
	// limited data set under a data use agreement).
	MethodDateShifting Method = "date_shifting"
)

// MinSecretBytes is the shortest accepted HMAC key.
const MinSecretBytes = 32

// Mode is how detected PHI of one type is handled in free text.
type Mode string

// The handling modes.
const (
	// ModeDetect reports the span and leaves the text unchanged.
	ModeDetect Mode = "detect"
	// ModeRedact replaces the span by a typed placeholder numbered per distinct
	// value within the record: "[NAME_1] saw [NAME_2]; [NAME_1] agreed".
	ModeRedact Mode = "redact"
	// ModeSurrogate replaces the span by a realistic value of the same shape,
	// the same for the same value of the same patient (keyed by the secret);
	// dates move by one per-patient offset in days, in the same written format.
	ModeSurrogate Mode = "surrogate"
	// ModeHash replaces the span by a keyed HMAC-SHA256 token: "[NAME:3f2a9c1b0d4e5f60]".
	ModeHash Mode = "hash"
	// ModeReject rejects the whole record (the pipeline quarantines it).
	ModeReject Mode = "reject"
)

func (m Mode) valid() bool {
	switch m {
	case ModeDetect, ModeRedact, ModeSurrogate, ModeHash, ModeReject:
		return true
	}
	return false
}

// Action is what the structured-field policy does with one field.
type Action string

// The field actions.
const (
	// ActionDrop leaves the field out of the output (no column).
	ActionDrop Action = "drop"
	// ActionKeep releases the scalar value unchanged.
	ActionKeep Action = "keep"
	// ActionHash releases a keyed HMAC-SHA256 of the value (32 hex digits), a stable join key.
	ActionHash Action = "hash"
	// ActionScan treats the value as free text: detection, then the mode per type.
	ActionScan Action = "scan"
	// ActionDateYear releases only the year of a date ("2019"); years 90 or
	// more years ago become one category, "<=1936" in 2026 (ages over 89).
	ActionDateYear Action = "date_year"
	// ActionDateShift shifts a date by the patient's offset, keeping its written format.
	ActionDateShift Action = "date_shift"
	// ActionZip3 releases the first 3 digits of a ZIP code, "000" for the restricted prefixes.
	ActionZip3 Action = "zip3"
	// ActionAge releases an age in whole years, "90+" above 89.
	ActionAge Action = "age"
	// ActionReject rejects the record when the field is present and not empty.
	ActionReject Action = "reject"
)

func (a Action) valid() bool {
	switch a {
	case ActionDrop, ActionKeep, ActionHash, ActionScan, ActionDateYear, ActionDateShift,
		ActionZip3, ActionAge, ActionReject:
		return true
	}
	return false
}

// FieldPolicy is one entry of the ordered structured-field policy.
type FieldPolicy struct {
	// Name is the top-level JSON key of the record. Required, unique.
	Name string `yaml:"name"`
	// Action is what to do with the field. Required.
	Action Action `yaml:"action"`

	// The domain of a keep field: at least one is required, every one given
	// must hold, and a value outside its vocabulary is also scanned by the
	// detector. A value that fails goes where OnInvalid says.

	// Values is the closed vocabulary, compared exactly: [F, M, X].
	Values []string `yaml:"values"`
	// Pattern is an RE2 regular expression the whole value must match.
	Pattern string `yaml:"pattern"`
	// CodeSystem is a code system the value must be a well-formed code of: icd10 or loinc.
	CodeSystem string `yaml:"code_system"`
	// Min and Max bound a numeric value (inclusive); either implies a number.
	Min *float64 `yaml:"min"`
	Max *float64 `yaml:"max"`
	// OnInvalid is quarantine (the record; default) or withhold (the value
	// is released empty and counted by reason).
	OnInvalid string `yaml:"on_invalid"`

	// Identifies is the PHI type of the field's value when the record's
	// scanned fields repeat it (known.go): NAME for the patient's name, LOCATION
	// for a city. Every whole-word occurrence there is redacted as that type,
	// whatever the detector found. Not with keep or scan. Default none.
	Identifies detectors.Type `yaml:"identifies"`
}

// Config is the `redaction:` section of the worker configuration.
type Config struct {
	// Method is safe_harbor (default: dates released as years only) or
	// date_shifting (full dates moved per patient; not Safe Harbor).
	Method Method `yaml:"method"`
	// Secret is the HMAC key for surrogates, hashes and date offsets: 64+ hex
	// digits, or 32+ raw bytes. "${NAME}" reads it from the environment (see
	// ExpandSecret). Required; there is no default.
	Secret string `yaml:"secret"`
	// PatientField is the record key whose value identifies the patient:
	// surrogates and the date offset are per patient. Default "patient_id".
	PatientField string `yaml:"patient_field"`
	// DefaultMode is the mode for every PHI type not in Modes. Default redact.
	DefaultMode Mode `yaml:"default_mode"`
	// Modes overrides the mode per PHI type, e.g. {SSN: reject, DATE: surrogate}. Default none.
	Modes map[detectors.Type]Mode `yaml:"modes"`
	// DefaultAction applies to record fields not named in Fields: drop (data
	// minimization) or reject (quarantine records with unexpected fields). Default drop.
	DefaultAction Action `yaml:"default_action"`
	// Fields is the ordered field policy; output columns follow this order. Default none.
	Fields []FieldPolicy `yaml:"fields"`
	// MaxShiftDays bounds the per-patient date offset: a non-zero number of days
	// in [-MaxShiftDays, +MaxShiftDays]. Default 365.
	MaxShiftDays int `yaml:"max_shift_days"`
	// Numbering scopes the numbers of redact-mode placeholders.
	Numbering NumberingConfig `yaml:"numbering"`
}

// NumberingConfig is the `redaction.numbering:` section.
type NumberingConfig struct {
	// Scope is patient (default): in records with a patient key, the same value
	// of the same patient gets the same placeholder in every record, and new
	// values continue the patient's count; records without one are numbered
	// alone. record numbers every record alone.
	Scope NumberingScope `yaml:"scope"`
	// MaxPatients bounds the patients whose numbering is held in memory; the
	// least recently used is evicted first, and restarts its numbering if it
	// returns. Default 100000 (about 65 MB with one note per patient).
	MaxPatients int `yaml:"max_patients"`
	// MaxValues bounds the values remembered per patient; later new values
	// still get new numbers, but are not remembered. Default 1024.
	MaxValues int `yaml:"max_values"`
}

// NumberingScope is how far placeholder numbers are shared.
type NumberingScope string

// The numbering scopes.
const (
	ScopePatient NumberingScope = "patient"
	ScopeRecord  NumberingScope = "record"
)

// Defaults for the zero values of Config.
const (
	DefaultPatientField = "patient_id"
	DefaultMaxShiftDays = 365
)

// DefaultConfig returns the defaults; Secret is left empty and must be set.
func DefaultConfig() Config {
	return Config{
		Method:        MethodSafeHarbor,
		PatientField:  DefaultPatientField,
		DefaultMode:   ModeRedact,
		DefaultAction: ActionDrop,
		MaxShiftDays:  DefaultMaxShiftDays,
		Numbering:     NumberingConfig{Scope: ScopePatient, MaxPatients: DefaultMaxPatients, MaxValues: DefaultMaxValues},
	}
}

// withDefaults fills zero values so a partially written Config behaves like DefaultConfig.
func (c Config) withDefaults() Config {
	if c.Method == "" {
		c.Method = MethodSafeHarbor
	}
	if c.PatientField == "" {
		c.PatientField = DefaultPatientField
	}
	if c.DefaultMode == "" {
		c.DefaultMode = ModeRedact
	}
	if c.DefaultAction == "" {
		c.DefaultAction = ActionDrop
	}
	if c.MaxShiftDays == 0 {
		c.MaxShiftDays = DefaultMaxShiftDays
	}
	if c.Numbering.Scope == "" {
		c.Numbering.Scope = ScopePatient
	}
	if c.Numbering.MaxPatients == 0 {
		c.Numbering.MaxPatients = DefaultMaxPatients
	}
	if c.Numbering.MaxValues == 0 {
		c.Numbering.MaxValues = DefaultMaxValues
	}
	return c
}

// Validate reports the first problem in c, naming the offending key. Zero
// values take their defaults; an unexpanded "${NAME}" secret is an error.
func (c Config) Validate() error {
	c = c.withDefaults()
	if _, err := c.secretKey(); err != nil {
		return err
	}
	if c.Method != MethodSafeHarbor && c.Method != MethodDateShifting {
		return fmt.Errorf("validating method %q (want safe_harbor or date_shifting): %w", c.Method, ErrUnknownMethod)
	}
	if !c.DefaultMode.valid() {
		return fmt.Errorf("validating default_mode %q (want detect, redact, surrogate, hash or reject): %w",
			c.DefaultMode, ErrUnknownMode)
	}
	for t, m := range c.Modes {
		if !knownType(t) {
			return fmt.Errorf("validating modes[%s]: %w", t, ErrUnknownType)
		}
		if !m.valid() {
			return fmt.Errorf("validating modes[%s] %q (want detect, redact, surrogate, hash or reject): %w",
				t, m, ErrUnknownMode)
		}
	}
	if c.DefaultAction != ActionDrop && c.DefaultAction != ActionReject {
		return fmt.Errorf("validating default_action %q (want drop or reject): %w", c.DefaultAction, ErrUnknownAction)
	}
	seen := make(map[string]int, len(c.Fields))
	for i, f := range c.Fields {
		if strings.TrimSpace(f.Name) == "" {
			return fmt.Errorf("validating fields[%d]: empty name: %w", i, ErrBadField)
		}
		if j, dup := seen[f.Name]; dup {
			return fmt.Errorf("validating fields[%d] %s: same name as fields[%d]: %w", i, f.Name, j, ErrBadField)
		}
		seen[f.Name] = i
		if !f.Action.valid() {
			return fmt.Errorf("validating fields[%d] %s: action %q (want drop, keep, hash, scan, date_year, "+
				"date_shift, zip3, age or reject): %w", i, f.Name, f.Action, ErrUnknownAction)
		}
		if f.Identifies != "" && !knownType(f.Identifies) {
			return fmt.Errorf("validating fields[%d] %s: identifies %q is not a PHI type: %w", i, f.Name, f.Identifies, ErrUnknownType)
		}
		if f.Identifies != "" && (f.Action == ActionKeep || f.Action == ActionScan) {
			return fmt.Errorf("validating fields[%d] %s: identifies %s with action %s: a field that identifies the patient "+
				"cannot be released as it is, nor is free text one value (use drop, hash or a generalizing action): %w",
				i, f.Name, f.Identifies, f.Action, ErrBadField)
		}
		if _, err := compileDomain(fmt.Sprintf("fields[%d] %s", i, f.Name), f); err != nil {
			return err
		}
		if f.Action == ActionDateShift && c.Method == MethodSafeHarbor {
			return fmt.Errorf("validating fields[%d] %s: date_shift releases whole (shifted) dates; Safe Harbor allows the year only: "+
				"use date_year, or set method: date_shifting (not Safe Harbor): %w", i, f.Name, ErrNotSafeHarbor)
		}
	}
	if c.Method == MethodSafeHarbor {
		dateMode := c.DefaultMode
		if m, ok := c.Modes[detectors.Date]; ok {
			dateMode = m
		}
		if dateMode == ModeSurrogate {
			return fmt.Errorf("validating modes[DATE]: surrogate dates are shifted whole dates; Safe Harbor allows the year only: "+
				"set modes: {DATE: redact} (or hash), or method: date_shifting (not Safe Harbor): %w", ErrNotSafeHarbor)
		}
	}
	if c.MaxShiftDays < 1 || c.MaxShiftDays > 3650 {
		return fmt.Errorf("validating max_shift_days %d: %w", c.MaxShiftDays, ErrBadShift)
	}
	n := c.Numbering
	if n.Scope != ScopePatient && n.Scope != ScopeRecord {
		return fmt.Errorf("validating numbering.scope %q (want patient or record): %w", n.Scope, ErrBadNumbering)
	}
	if n.MaxPatients < 1 {
		return fmt.Errorf("validating numbering.max_patients %d: must be at least 1: %w", n.MaxPatients, ErrBadNumbering)
	}
	if n.MaxValues < 1 || n.MaxValues > MaxValuesLimit {
		return fmt.Errorf("validating numbering.max_values %d: must be within [1, %d]: %w", n.MaxValues, MaxValuesLimit, ErrBadNumbering)
	}
	return nil
}

// MaxValuesLimit is the largest numbering.max_values: a full table then
// encodes to under 512 KiB. The worker config also checks MaxTableBytes
// against kafka.max_message_bytes.
const MaxValuesLimit = 4096

// MaxTableBytes is the most a table of maxValues values encodes to: one count
// per PHI type (custom detectors report canonical types) and the entries.
func MaxTableBytes(maxValues int) int {
	return 1 + 2*binary.MaxVarintLen32 + len(detectors.AllTypes)*(2+maxTypeName+5) + maxValues*MaxTableEntryBytes
}

// LogValue keeps the secret out of logs: slog prints the config without it.
func (c Config) LogValue() slog.Value {
	c.Secret = "[redacted]"
	type plain Config // without methods, so slog does not recurse into LogValue
	return slog.AnyValue(plain(c))
}

// String keeps the secret out of fmt output (%v, %s).
func (c Config) String() string {
	c.Secret = "[redacted]"
	type plain Config
	return fmt.Sprintf("%+v", plain(c))
}

var (
	hexKey = regexp.MustCompile(`^[0-9a-fA-F]+$`)
	alnum  = regexp.MustCompile(`^[0-9a-zA-Z]+$`)
)

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// secretKey decodes Secret: an even-length hex string of 64+ digits is hex,
// anything else is taken as raw bytes. Two mistakes are refused rather than
// taken as raw bytes: letters and digits of a hex key's length that are not
// all hex (a mistyped or placeholder key), and a key of zeros.
func (c Config) secretKey() ([]byte, error) {
	s := c.Secret
	if envRef.MatchString(s) {
		return nil, fmt.Errorf("validating secret: %s was not expanded: %w", s, ErrSecretEnv)
	}
	if len(s) >= 2*MinSecretBytes && len(s)%2 == 0 && hexKey.MatchString(s) {
		k, err := hex.DecodeString(s)
		if err != nil { // unreachable after the regexp, kept for safety
			return nil, fmt.Errorf("validating secret: decoding hex: %w", err)
		}
		if allZero(k) {
			return nil, fmt.Errorf("validating secret: %d hex digits, all zero: %w", len(s), ErrWeakSecret)
		}
		return k, nil
	}
	if len(s) >= 2*MinSecretBytes && len(s)%2 == 0 && alnum.MatchString(s) {
		// Never quote the secret: name the first character that is not hex by position.
		pos := strings.IndexFunc(s, func(r rune) bool { return !strings.ContainsRune("0123456789abcdefABCDEF", r) })
		return nil, fmt.Errorf("validating secret: %d letters and digits, but character %d is not hex (0-9, a-f): "+
			"write 64 hex digits (openssl rand -hex 32): %w", len(s), pos+1, ErrWeakSecret)
	}
	if strings.Trim(s, "0") == "" && s != "" {
		return nil, fmt.Errorf("validating secret: all zeros: %w", ErrWeakSecret)
	}
	if len(s) < MinSecretBytes {
		return nil, fmt.Errorf("validating secret: %d bytes: %w", len(s), ErrWeakSecret)
	}
	return []byte(s), nil
}

var envRef = regexp.MustCompile(`^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$`)

// ExpandSecret replaces a Secret of the form "${NAME}" by the value of the
// environment variable NAME (lookup is os.LookupEnv when nil). Other values
// are left as they are.
func ExpandSecret(c *Config, lookup func(string) (string, bool)) error {
	m := envRef.FindStringSubmatch(c.Secret)
	if m == nil {
		return nil
	}
	if lookup == nil {
		lookup = os.LookupEnv
	}
	v, ok := lookup(m[1])
	if !ok || v == "" {
		return fmt.Errorf("expanding secret: $%s: %w", m[1], ErrSecretEnv)
	}
	c.Secret = v
	return nil
}

func knownType(t detectors.Type) bool {
	for _, k := range detectors.AllTypes {
		if k == t {
			return true
		}
	}
	return false
}
