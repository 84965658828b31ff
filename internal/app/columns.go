package app

import (
	"errors"
	"fmt"
	"strings"

	"github.com/deidstream/deidstream/internal/config"
)

// ErrColumns means a privacy or DP setting names a column the redaction
// policy does not release, or combines columns in a way that breaks a model.
var ErrColumns = errors.New("invalid column reference")

// CheckColumns checks, before any record is read, that every column the
// privacy and DP sections name is an output column, and that no column gets
// per-record noise after k-anonymity has grouped it (which would split classes).
func CheckColumns(cfg *config.Config, columns []string) error {
	have := map[string]bool{}
	for _, c := range columns {
		have[c] = true
	}
	bad := func(key, col string) error {
		return fmt.Errorf("%s: %q is not an output column of redaction.fields (%s): %w", key, col, strings.Join(columns, ", "), ErrColumns)
	}
	qi := map[string]bool{}
	if cfg.PrivacyEnabled() {
		for _, q := range cfg.Privacy.QuasiIdentifiers {
			if !have[q.Name] {
				return bad("privacy.quasi_identifiers", q.Name)
			}
			qi[q.Name] = true
		}
		if s := cfg.Privacy.Sensitive; s != "" && !have[s] {
			return bad("privacy.sensitive", s)
		}
	}
	if !cfg.DPEnabled() {
		return nil
	}
	for _, g := range cfg.DP.GroupBy {
		for _, c := range strings.Split(g, ",") {
			if c = strings.TrimSpace(c); !have[c] {
				return bad("dp.group_by", c)
			}
		}
	}
	for _, s := range cfg.DP.Sums {
		if !have[s.Column] {
			return bad("dp.sums", s.Column)
		}
	}
	for _, r := range cfg.DP.RecordNoise {
		if !have[r.Column] {
			return bad("dp.record_noise", r.Column)
		}
		if qi[r.Column] {
			return fmt.Errorf("dp.record_noise: %q is also a quasi-identifier: noise added after anonymizing would split its classes: %w", r.Column, ErrColumns)
		}
	}
	return nil
}
