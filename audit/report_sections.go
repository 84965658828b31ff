package audit

import (
	"maps"
	"slices"
	"time"
)

// WindowRow is one window's privacy guarantees in the report.
type WindowRow struct {
	Time                                time.Time
	Worker                              string
	Window                              uint64
	RecordsIn, Published, Suppressed    int64
	Quarantined                         int64
	K, AchievedK                        int
	L, AchievedL, T, AchievedT          float64
	HasPrivacy, HasDP                   bool
	DPDataset, DPUnit                   string
	DPSpent, DPRemaining                float64
	DPRefused                           bool
	ResidualInspected, ResidualFindings int64
	ResidualCanaries                    int64
}

// Security counts what the security officer reads first.
type Security struct {
	QuarantineReasons                       []Bar
	KeyRotations, BudgetRefusals            int
	ResidualInspected, ResidualFindings     int64
	Canaries                                int64
	BreakGlassRequests, Approvals, Openings int
	Events                                  []LifecycleRow // key rotations, refusals, break-glass steps
}

// ConfigUse is one configuration (or policy) hash seen in the period.
type ConfigUse struct {
	Hash        string
	Kind        string // "config" (lifecycle events) or "policy" (window events)
	Workers     []string
	First, Last time.Time
}

// maxWindowRows bounds the per-window table; the charts and totals cover every window.
const maxWindowRows = 500

// securityTypes are the lifecycle events listed under security events.
var securityTypes = map[string]bool{TypeKeyRotation: true, TypeBudgetRefused: true,
	TypeBreakGlassRequest: true, TypeBreakGlassApprove: true, TypeBreakGlassOpen: true}

// sections fills the per-window table, the security events and the
// configurations in force from the period's windows and lifecycle events.
func (c *Compliance) sections(wins []*WindowEvent, life []*LifecycleEvent) {
	configs := map[string]*ConfigUse{}
	seen := func(hash, kind, worker string, t time.Time) {
		if hash == "" {
			return
		}
		u := configs[kind+"\x00"+hash]
		if u == nil {
			u = &ConfigUse{Hash: hash, Kind: kind, First: t}
			configs[kind+"\x00"+hash] = u
		}
		if !slices.Contains(u.Workers, worker) {
			u.Workers = append(u.Workers, worker)
		}
		u.First, u.Last = minTime(u.First, t), maxTime(u.Last, t)
	}
	for _, w := range wins {
		seen(w.PolicyHash, "policy", w.WorkerID, w.Time)
		if r := w.Residual; r != nil {
			c.Security.ResidualInspected += r.Inspected
			c.Security.Canaries += r.Canaries
			for _, n := range r.Findings {
				c.Security.ResidualFindings += n
			}
		}
		if len(c.WindowRows) == maxWindowRows {
			c.MoreWindowRows++
			continue
		}
		row := WindowRow{Time: w.Time, Worker: w.WorkerID, Window: w.Window, RecordsIn: w.RecordsIn, Published: w.Published,
			Suppressed: w.Suppressed, Quarantined: w.Quarantined}
		if p := w.Privacy; p != nil {
			row.HasPrivacy = true
			row.K, row.AchievedK, row.L, row.AchievedL, row.T, row.AchievedT = p.K, p.AchievedK, p.L, p.AchievedL, p.T, p.AchievedT
		}
		if d := w.DP; d != nil {
			row.HasDP = true
			row.DPDataset, row.DPUnit, row.DPSpent, row.DPRemaining, row.DPRefused = d.Dataset, d.Accounting, d.Spent, d.Remaining, d.Refused
		}
		if r := w.Residual; r != nil {
			row.ResidualInspected, row.ResidualCanaries = r.Inspected, r.Canaries
			for _, n := range r.Findings {
				row.ResidualFindings += n
			}
		}
		c.WindowRows = append(c.WindowRows, row)
	}
	for _, e := range life {
		seen(e.ConfigHash, "config", e.WorkerID, e.Time)
		switch e.Type {
		case TypeKeyRotation:
			c.Security.KeyRotations++
		case TypeBudgetRefused:
			c.Security.BudgetRefusals++
		case TypeBreakGlassRequest:
			c.Security.BreakGlassRequests++
		case TypeBreakGlassApprove:
			c.Security.Approvals++
		case TypeBreakGlassOpen:
			c.Security.Openings++
		}
	}
	for _, r := range c.Lifecycle {
		if securityTypes[r.Type] {
			c.Security.Events = append(c.Security.Events, r)
		}
	}
	c.Security.QuarantineReasons = c.QuarantineBy
	for _, k := range slices.Sorted(maps.Keys(configs)) {
		c.Configs = append(c.Configs, *configs[k])
	}
}

func minTime(a, b time.Time) time.Time {
	if a.IsZero() || b.Before(a) {
		return b
	}
	return a
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
