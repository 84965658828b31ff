package detectors

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// Sentinel errors returned (wrapped) by Config.Validate and New.
var (
	// ErrUnknownType means a config names a PHI type that is not one of AllTypes.
	ErrUnknownType = errors.New("unknown PHI type")
	// ErrBadThreshold means a threshold is outside [0,1].
	ErrBadThreshold = errors.New("threshold must be within [0,1]")
	// ErrBadPattern means a custom detector's pattern is empty or not valid RE2.
	ErrBadPattern = errors.New("invalid custom detector pattern")
	// ErrUnknownValidator means a custom detector names a validator other than luhn, mod97 or none.
	ErrUnknownValidator = errors.New("unknown validator")
	// ErrBadCustom means a custom detector is malformed (missing name, bad score or window).
	ErrBadCustom = errors.New("invalid custom detector")
	// ErrBadTerm means an allow or deny term is empty.
	ErrBadTerm = errors.New("invalid allow/deny term")
)

// DefaultThreshold is the per-type minimum score used when Config.Thresholds does not name a type.
const DefaultThreshold = 0.5

// Config configures an Engine. The zero value is usable and equals DefaultConfig:
// every detector on, threshold 0.5 for each type, no allow/deny terms, no custom detectors.
// It is the `detection:` section of the worker's YAML configuration.
type Config struct {
	// Thresholds is the per-type minimum score a span needs to be reported.
	// Default: 0.5 for every type not listed.
	Thresholds map[Type]float64 `yaml:"thresholds"`
	// Disabled lists types not to detect at all. Default: none.
	Disabled []Type `yaml:"disabled"`
	// Allow lists terms never flagged, matched case-insensitively against a whole
	// detected span or any single word of it. Default: none.
	Allow []string `yaml:"allow"`
	// Deny lists terms always flagged with their type, matched case-insensitively on
	// word boundaries. Default: none.
	Deny []DenyTerm `yaml:"deny"`
	// Custom lists user-defined pattern detectors. Default: none.
	Custom []CustomDetector `yaml:"custom"`
	// SafeHarborPlacesOnly reports only the places Safe Harbor requires removing, those
	// smaller than a state: country and state names are then kept. Default false (regions.go).
	SafeHarborPlacesOnly bool `yaml:"safe_harbor_places_only"`
	// RulesOnly turns the learned scorer off (scorer.go): the rules' candidates above their
	// thresholds are the output, as before the scorer existed. Default false.
	RulesOnly bool `yaml:"rules_only"`
	// RedactYears also reports years of a patient's history as DATE ("MI '92", "CABG 84",
	// "nephrectomy 1977"), which Safe Harbor allows to keep. Default false (years.go).
	RedactYears bool `yaml:"redact_years"`
	// Weekdays also reports a day of the week standing alone ("trach on Monday") as DATE.
	// Safe Harbor removes the elements of a date; a weekday alone names none, and the PhysioNet
	// gold leaves it. A weekday inside a date ("Monday, March 3") is reported with it either
	// way. Default false (years.go).
	Weekdays bool `yaml:"weekdays"`
}

// DenyTerm is a term that is always reported as Type (score 1).
type DenyTerm struct {
	// Term is matched case-insensitively on word boundaries. Required.
	Term string `yaml:"term"`
	// Type is the PHI type reported. Default: ID.
	Type Type `yaml:"type"`
}

// CustomDetector is a user-defined pattern detector: an RE2 pattern, an optional
// check-digit validator, and optional context words that must appear near a match.
type CustomDetector struct {
	// Name identifies the detector in metrics and `worker validate`. Required.
	Name string `yaml:"name"`
	// Type is the PHI type reported. Default: ID.
	Type Type `yaml:"type"`
	// Pattern is an RE2 regular expression (Go regexp syntax). Required.
	Pattern string `yaml:"pattern"`
	// Validator checks each match: "luhn", "mod97" (IBAN) or "none". Default: none.
	Validator string `yaml:"validator"`
	// Context words (case-insensitive); when set, a match scores Score only if one of
	// them occurs within ContextWindow words before it, else Score/2. Default: none.
	Context []string `yaml:"context"`
	// ContextWindow is how many words before a match are searched for Context. Default: 4.
	ContextWindow int `yaml:"context_window"`
	// Score of a match (with context, when Context is set). Default: 0.9.
	Score float64 `yaml:"score"`
}

// DefaultConfig returns the default configuration: all detectors on, threshold
// DefaultThreshold for every type.
func DefaultConfig() Config {
	th := make(map[Type]float64, len(AllTypes))
	for _, t := range AllTypes {
		th[t] = DefaultThreshold
	}
	return Config{Thresholds: th}
}

func knownType(t Type) bool {
	for _, k := range AllTypes {
		if k == t {
			return true
		}
	}
	return false
}

// Validate reports the first problem in c, naming the offending key.
func (c Config) Validate() error {
	for t, v := range c.Thresholds {
		if !knownType(t) {
			return fmt.Errorf("validating thresholds[%s]: %w", t, ErrUnknownType)
		}
		if v < 0 || v > 1 || v != v {
			return fmt.Errorf("validating thresholds[%s]=%v: %w", t, v, ErrBadThreshold)
		}
	}
	for i, t := range c.Disabled {
		if !knownType(t) {
			return fmt.Errorf("validating disabled[%d] %q: %w", i, t, ErrUnknownType)
		}
	}
	for i, a := range c.Allow {
		if strings.TrimSpace(a) == "" {
			return fmt.Errorf("validating allow[%d]: empty term: %w", i, ErrBadTerm)
		}
	}
	for i, d := range c.Deny {
		if strings.TrimSpace(d.Term) == "" {
			return fmt.Errorf("validating deny[%d]: empty term: %w", i, ErrBadTerm)
		}
		if d.Type != "" && !knownType(d.Type) {
			return fmt.Errorf("validating deny[%d].type %q: %w", i, d.Type, ErrUnknownType)
		}
	}
	for i, cd := range c.Custom {
		if strings.TrimSpace(cd.Name) == "" {
			return fmt.Errorf("validating custom[%d]: missing name: %w", i, ErrBadCustom)
		}
		if cd.Type != "" && !knownType(cd.Type) {
			return fmt.Errorf("validating custom[%d] %s: type %q: %w", i, cd.Name, cd.Type, ErrUnknownType)
		}
		if cd.Pattern == "" {
			return fmt.Errorf("validating custom[%d] %s: empty pattern: %w", i, cd.Name, ErrBadPattern)
		}
		if _, err := regexp.Compile(cd.Pattern); err != nil {
			return fmt.Errorf("validating custom[%d] %s: %w: %v", i, cd.Name, ErrBadPattern, err)
		}
		switch strings.ToLower(cd.Validator) {
		case "", "none", "luhn", "mod97":
		default:
			return fmt.Errorf("validating custom[%d] %s: validator %q (want luhn, mod97 or none): %w",
				i, cd.Name, cd.Validator, ErrUnknownValidator)
		}
		if cd.Score < 0 || cd.Score > 1 {
			return fmt.Errorf("validating custom[%d] %s: score %v outside [0,1]: %w", i, cd.Name, cd.Score, ErrBadCustom)
		}
		if cd.ContextWindow < 0 {
			return fmt.Errorf("validating custom[%d] %s: negative context_window: %w", i, cd.Name, ErrBadCustom)
		}
	}
	return nil
}

// threshold returns the effective minimum score for t.
func (c Config) threshold(t Type) float64 {
	if v, ok := c.Thresholds[t]; ok {
		return v
	}
	return DefaultThreshold
}
