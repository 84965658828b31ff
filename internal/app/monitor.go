package app

import (
	"fmt"
	"regexp"
	"unicode/utf8"

	"github.com/deidstream/deidstream/deid"
	"github.com/deidstream/deidstream/detectors"
	"github.com/deidstream/deidstream/internal/config"
	"github.com/deidstream/deidstream/pipeline"
	"github.com/deidstream/deidstream/redact"
)

// Monitor is the residual-PHI monitor behind the pipeline's Monitor port: the
// detector again, every type on at monitor.threshold, over the released
// values of scan and keep columns, and the operator's canaries. What the
// redaction put there itself is not a finding: placeholders ([NAME_1]), hash
// tokens ([NAME:3f2a9c1b0d4e5f60]), and values of the types it replaces by
// surrogates (a surrogate looks like PHI by design). Safe for concurrent use.
type Monitor struct {
	engine    *detectors.Engine
	canary    *redact.CanaryHasher // nil without canaries
	canaries  map[string]bool
	columns   []bool // per released column: inspected
	surrogate map[detectors.Type]bool
}

// ourToken is what the redaction writes in place of PHI: a numbered
// placeholder or a hash token.
var ourToken = regexp.MustCompile(`\[[A-Z_]+(?:_[0-9]+|:[0-9a-f]{16})\]`)

// NewMonitor builds the monitor for the released columns of cfg's field policy.
func NewMonitor(cfg *config.Config, columns []string) (*Monitor, error) {
	strict := cfg.Detection
	strict.Disabled, strict.RulesOnly = nil, false
	strict.Thresholds = make(map[detectors.Type]float64, len(detectors.AllTypes))
	for _, t := range detectors.AllTypes {
		strict.Thresholds[t] = cfg.Monitor.Threshold
	}
	engine, err := detectors.New(strict)
	if err != nil {
		return nil, fmt.Errorf("building the residual-PHI monitor: %w", err)
	}
	m := &Monitor{engine: engine, surrogate: map[detectors.Type]bool{}}
	// Free text, and kept values no domain constrains.
	inspect := map[string]bool{}
	for _, f := range cfg.Redaction.Fields {
		inspect[f.Name] = f.Action == redact.ActionScan || (f.Action == redact.ActionKeep && len(f.Values) == 0 &&
			f.CodeSystem == "" && f.Min == nil && f.Max == nil)
	}
	for _, c := range columns {
		m.columns = append(m.columns, inspect[c])
	}
	for _, t := range detectors.AllTypes {
		mode, ok := cfg.Redaction.Modes[t]
		if !ok {
			mode = cfg.Redaction.DefaultMode
		}
		m.surrogate[t] = mode == redact.ModeSurrogate
	}
	if len(cfg.Monitor.Canaries) > 0 {
		if m.canary, err = redact.NewCanaryHasher(cfg.Redaction); err != nil {
			return nil, fmt.Errorf("building the residual-PHI monitor: %w", err)
		}
		m.canaries = map[string]bool{}
		for _, h := range cfg.Monitor.Canaries {
			m.canaries[h] = true
		}
	}
	return m, nil
}

// Inspect counts the PHI and canaries in one record's released values.
func (m *Monitor) Inspect(values []string) map[string]int {
	var found map[string]int
	add := func(t string, n int) {
		if found == nil {
			found = map[string]int{}
		}
		found[t] += n
	}
	for i, v := range values {
		if i >= len(m.columns) || !m.columns[i] || v == "" {
			continue
		}
		if m.canary != nil {
			if n := m.canary.Find(v, m.canaries); n > 0 {
				add(deid.ResidualCanary, n)
			}
		}
		spans := m.engine.Detect(v)
		if len(spans) == 0 {
			continue
		}
		ours := ourTokens(v)
		for _, s := range spans {
			if !m.surrogate[s.Type] && !overlaps(ours, s) {
				add(string(s.Type), 1)
			}
		}
	}
	return found
}

// ourTokens are the code-point ranges of the placeholders and hash tokens in v.
func ourTokens(v string) [][2]int {
	locs := ourToken.FindAllStringIndex(v, -1)
	out := make([][2]int, len(locs))
	pos, cp := 0, 0
	for i, l := range locs {
		cp += utf8.RuneCountInString(v[pos:l[0]])
		start := cp
		cp += utf8.RuneCountInString(v[l[0]:l[1]])
		out[i], pos = [2]int{start, cp}, l[1]
	}
	return out
}

// overlaps reports whether span s touches one of the ranges: a span made
// (even in part) of a placeholder is the redaction's own output.
func overlaps(ranges [][2]int, s detectors.Span) bool {
	for _, r := range ranges {
		if s.Start < r[1] && r[0] < s.End {
			return true
		}
	}
	return false
}

var _ pipeline.Monitor = (*Monitor)(nil)
