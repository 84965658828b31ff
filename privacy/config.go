package privacy

import (
	"math"
	"time"
)

// QI kinds.
const (
	KindNumeric     = "numeric"
	KindCategorical = "categorical"
	KindDate        = "date"
)

// DateLayout is the only date format date quasi-identifiers accept.
const DateLayout = "2006-01-02"

// QuasiIdentifier is one column an attacker may link on.
type QuasiIdentifier struct {
	Name string `yaml:"name"`
	// Kind is numeric, categorical or date. Default categorical.
	Kind string `yaml:"kind"`
	// Hierarchy is an ARX-format CSV (value;level1;...;*) for a categorical
	// column. Empty: a flat hierarchy (value or "*"). Ignored for numeric and
	// date columns, which are generalized to ranges.
	Hierarchy string `yaml:"hierarchy"`
}

// Config selects the privacy models. Start from DefaultConfig so that omitted
// YAML fields keep their defaults.
type Config struct {
	QuasiIdentifiers []QuasiIdentifier `yaml:"quasi_identifiers"`
	// Sensitive is the column l-diversity and t-closeness protect. Required
	// when L or T is set.
	Sensitive string `yaml:"sensitive"`
	// SensitiveKind is categorical (equal-distance EMD) or numeric (ordered
	// EMD) for t-closeness. Default categorical.
	SensitiveKind string `yaml:"sensitive_kind"`
	// K is the minimum equivalence-class size. Default 5; 0 or 1 disables.
	K int `yaml:"k"`
	// L is the l-diversity parameter. Default 0 (off).
	L float64 `yaml:"l"`
	// LKind is distinct, entropy or recursive. Default distinct.
	LKind string `yaml:"l_kind"`
	// C is the c of recursive (c,l)-diversity. Default 0; required > 0 for recursive.
	C float64 `yaml:"c"`
	// T is the t-closeness bound on EMD, in (0,1]. Default 0 (off).
	T float64 `yaml:"t"`
	// MaxSuppression is the fraction of rows that may be suppressed, in [0,1]. Default 0.1.
	MaxSuppression float64 `yaml:"max_suppression"`
	// Separator is the hierarchy CSV separator. Default ";".
	Separator string `yaml:"separator"`
	// LocalSearch is where the local search (refine.go) tightens the
	// classes Mondrian cut: LocalSearchAuto ("" too) in pooled stream
	// releases only, LocalSearchOn in every anonymization (whole tables and
	// each window alone as well: lower NCP for several times the CPU), or
	// LocalSearchOff nowhere.
	LocalSearch string `yaml:"local_search"`
	// Carry lets a row that only a coarse class (or suppression) could hold
	// wait for company in a later window (Stream). Default off
	// (max_delay_windows 0): every window is anonymized on its own.
	Carry StreamConfig `yaml:"carry"`
	// Models are further models, given in code: checked by the anonymizer
	// and the verifier after those the fields above configure.
	Models []Model `yaml:"-" json:"-"`
}

// The places of Config.LocalSearch.
const (
	LocalSearchAuto = "auto"
	LocalSearchOn   = "on"
	LocalSearchOff  = "off"
)

// DefaultConfig returns the documented defaults: k=5, distinct l off, t off,
// 10% suppression, ";" separator, carry-over off (its max_idle 1m once on).
func DefaultConfig() Config {
	return Config{K: 5, LKind: LDistinct, SensitiveKind: KindCategorical, MaxSuppression: 0.1, Separator: ";",
		Carry: StreamConfig{MaxIdle: time.Minute}}
}

// withDefaults fills empty string fields; numeric zeros are meaningful.
func (c Config) withDefaults() Config {
	if c.LKind == "" {
		c.LKind = LDistinct
	}
	if c.SensitiveKind == "" {
		c.SensitiveKind = KindCategorical
	}
	if c.Separator == "" {
		c.Separator = ";"
	}
	for i := range c.QuasiIdentifiers {
		if c.QuasiIdentifiers[i].Kind == "" {
			c.QuasiIdentifiers[i].Kind = KindCategorical
		}
	}
	return c
}

// Validate reports the first inconsistent field, wrapping ErrInvalidConfig.
func (c Config) Validate() error {
	c = c.withDefaults()
	if len(c.QuasiIdentifiers) == 0 {
		return invalid("no quasi_identifiers")
	}
	seen := map[string]bool{}
	for i, q := range c.QuasiIdentifiers {
		if q.Name == "" {
			return invalid("quasi_identifiers[%d] has no name", i)
		}
		if seen[q.Name] {
			return invalid("quasi-identifier %q listed twice", q.Name)
		}
		seen[q.Name] = true
		switch q.Kind {
		case KindNumeric, KindCategorical, KindDate:
		default:
			return invalid("quasi-identifier %q: kind %q is not numeric, categorical or date", q.Name, q.Kind)
		}
	}
	models, err := c.models()
	if err != nil {
		return err
	}
	if s := c.Carry; s.MaxDelay < 0 || s.MaxCarried < 0 || s.MaxIdle < 0 || !(s.CarryAbove >= 0 && s.CarryAbove <= 1) {
		return invalid("carry: max_delay_windows (%d), max_carried (%d) and max_idle (%v) must be >= 0, carry_above_ncp (%v) in [0,1]",
			s.MaxDelay, s.MaxCarried, s.MaxIdle, s.CarryAbove)
	}
	if !validRelease(c.Carry.Release) {
		return invalid("carry: release %q: want %s, %s or %s", c.Carry.Release, ReleaseAuto, ReleaseEachWindow, ReleasePooled)
	}
	switch c.LocalSearch {
	case "", LocalSearchAuto, LocalSearchOn, LocalSearchOff:
	default:
		return invalid("local_search %q: want %s, %s or %s", c.LocalSearch, LocalSearchAuto, LocalSearchOn, LocalSearchOff)
	}
	if c.MaxSuppression < 0 || c.MaxSuppression > 1 || math.IsNaN(c.MaxSuppression) {
		return invalid("max_suppression=%v must be a fraction in [0,1]", c.MaxSuppression)
	}
	if c.Sensitive == "" && newPredicate(models).readsSensitive() {
		return invalid("a model given in Config.Models reads the sensitive column, and none is set")
	}
	if seen[c.Sensitive] {
		return invalid("sensitive column %q is also a quasi-identifier", c.Sensitive)
	}
	return nil
}
