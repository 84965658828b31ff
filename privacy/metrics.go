package privacy

import (
	"math"

	"github.com/deidstream/deidstream/deid"
)

// Metrics are the achieved privacy and the utility of a released table.
type Metrics struct {
	// K is the smallest equivalence class (suppressed rows excluded).
	K int `json:"k"`
	// L is the smallest class l under the configured l_kind (distinct when unset).
	L float64 `json:"l"`
	// T is the largest EMD between a class's sensitive distribution and the input's.
	T float64 `json:"t"`
	// Classes is the number of distinct released quasi-identifier tuples.
	Classes int `json:"classes"`
	// Suppressed is the number of rows with "*" in every quasi-identifier.
	Suppressed int `json:"suppressed"`
	// NCP is the normalized certainty penalty in [0,1] (Xu et al. 2006):
	// mean over cells of range/domain-range (numeric) or
	// (leaves-1)/(domain-1) (categorical); a suppressed row costs 1 per cell.
	NCP float64 `json:"ncp"`
	// Discernibility is the sum of squared class sizes plus rows*suppressed.
	Discernibility float64 `json:"discernibility"`
	// AvgClassSize is released rows per class.
	AvgClassSize float64 `json:"avg_class_size"`
	// Models are the figures of the Named models, by name (nil without them).
	Models map[string]float64 `json:"models,omitempty"`
}

// figures measures K, L and T of a release from its classes, whether or not
// those models are on, so that a report says what any release achieves, and
// the figure of each Named model given in code.
type figures struct {
	l     lDiversity
	t     tCloseness
	named []Named
}

func newFigures(cfg Config) figures {
	f := figures{l: lDiversity{kind: cfg.LKind, c: cfg.C}, t: tCloseness{ordered: cfg.SensitiveKind == KindNumeric}}
	for _, m := range cfg.Models {
		if n, ok := m.(Named); ok {
			f.named = append(f.named, n)
		}
	}
	return f
}

// measure sets m.K, m.L, m.T and m.Models (zero and nil without classes).
func (f figures) measure(classes []Class, m *Metrics) {
	if len(classes) == 0 {
		m.K, m.L, m.T, m.Models = 0, 0, 0, nil
		return
	}
	m.K = int(worst(classes, false, func(c Class) float64 { return float64(c.Size) }))
	m.L = worst(classes, false, f.l.measure)
	m.T = worst(classes, true, f.t.emd)
	for _, n := range f.named {
		fig, _ := n.Check(classes) // a class that fails it is the verifier's to report
		if math.IsNaN(fig) || math.IsInf(fig, 0) {
			continue // JSON (the audit event) holds finite numbers only
		}
		if m.Models == nil {
			m.Models = map[string]float64{}
		}
		m.Models[n.Name()] = fig
	}
}

// summary is what an audit event records of a release: the configured
// parameters, and what the verifier measured (m; nil when nothing was released).
func summary(cfg Config, m *Metrics) deid.PrivacySummary {
	s := deid.PrivacySummary{K: cfg.K, L: cfg.L, LKind: cfg.LKind, T: cfg.T}
	if m != nil {
		s.AchievedK, s.AchievedL, s.AchievedT = m.K, m.L, m.T
		s.NCP, s.Classes, s.Models = m.NCP, m.Classes, m.Models
	}
	return s
}
