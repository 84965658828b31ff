package audit

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"maps"
	"slices"
	"sort"
	"strings"
	"time"
)

//go:embed report.html.tmpl
var reportTemplate string

var reportTmpl = template.Must(template.New("report").Funcs(template.FuncMap{
	"ts": func(t time.Time) string {
		if t.IsZero() {
			return "—"
		}
		return t.UTC().Format("2006-01-02 15:04:05Z")
	},
	"pct": func(a, b int64) string {
		if b == 0 {
			return "0%"
		}
		return fmt.Sprintf("%.1f%%", 100*float64(a)/float64(b))
	},
	"num": fmtNum,
}).Parse(reportTemplate))

// Compliance is the content of the HTML compliance report for one period.
type Compliance struct {
	Title     string
	Generated time.Time
	From, To  time.Time // the period, half-open [From, To)

	Verification *Report // of the whole log, not only the period
	Findings     []Finding
	MoreFindings int

	Windows                                       int
	RecordsIn, Published, Suppressed, Quarantined int64
	PHITotal                                      int64

	PHIByType        []Bar
	QuarantineBy     []Bar
	PHIChart         template.HTML
	SuppressionChart template.HTML
	PrivacyChart     template.HTML
	QuarantineChart  template.HTML
	Budgets          []BudgetUse
	Keys             []KeyUse
	Lifecycle        []LifecycleRow
	MinAchievedK     int
	MinAchievedL     float64
	HasPrivacy       bool

	// WindowRows are the period's windows, at most maxWindowRows of them.
	WindowRows     []WindowRow
	MoreWindowRows int
	Security       Security
	Configs        []ConfigUse

	lines map[string]lines // the charts over time, by name, for the PDF
}

// lines is one chart over time, as drawn in SVG (lineChart) and in the PDF.
type lines struct {
	ss   []series
	ymax float64
	unit string
}

// chart records a chart over time under name and returns its SVG.
func (c *Compliance) chart(name string, ss []series, ymax float64, unit string) template.HTML {
	if c.lines == nil {
		c.lines = map[string]lines{}
	}
	c.lines[name] = lines{ss, ymax, unit}
	return template.HTML(lineChart(ss, c.From, c.To, ymax, unit)) // built from escaped parts only
}

// BudgetUse is one DP dataset's budget in the period.
type BudgetUse struct {
	Dataset, Accounting string
	Spent, Budget       float64
	Remaining           float64
	Refusals            int
	Chart               template.HTML
}

// KeyUse is one recipient key seen in window events.
type KeyUse struct {
	ID          string
	Windows     int
	First, Last time.Time
}

// LifecycleRow is one lifecycle event in the period.
type LifecycleRow struct {
	Time                     time.Time
	Worker, Type, ConfigHash string
	Detail                   string
}

// maxFindingsShown bounds the findings table.
const maxFindingsShown = 100

// NewCompliance summarizes the events of msgs whose time is in [from, to)
// (zero from or to: unbounded) with the verification report rep of msgs.
// Undecodable events are left out of the figures; rep lists them.
func NewCompliance(msgs []Message, rep *Report, from, to time.Time) *Compliance {
	c := &Compliance{Title: "deidstream audit report", Generated: time.Now().UTC(), Verification: rep}
	if rep != nil {
		c.Findings = rep.Findings
		if n := len(c.Findings); n > maxFindingsShown {
			c.Findings, c.MoreFindings = c.Findings[:maxFindingsShown], n-maxFindingsShown
		}
	}
	var wins []*WindowEvent
	var life []*LifecycleEvent
	var first, last time.Time
	in := func(t time.Time) bool { return (from.IsZero() || !t.Before(from)) && (to.IsZero() || t.Before(to)) }
	for _, m := range msgs {
		if m.Kind != KindEvent {
			continue
		}
		d, err := DecodeEntry(m.Value)
		if err != nil || !in(d.Time()) {
			continue
		}
		if first.IsZero() || d.Time().Before(first) {
			first = d.Time()
		}
		if d.Time().After(last) {
			last = d.Time()
		}
		if d.Lifecycle != nil {
			e := d.Lifecycle
			var det []string
			for _, k := range slices.Sorted(maps.Keys(e.Detail)) {
				det = append(det, k+"="+e.Detail[k])
			}
			if len(e.KeyIDs) > 0 {
				det = append(det, "keys="+strings.Join(e.KeyIDs, ","))
			}
			c.Lifecycle = append(c.Lifecycle, LifecycleRow{e.Time, e.WorkerID, e.Type, e.ConfigHash, strings.Join(det, " ")})
			life = append(life, e)
			continue
		}
		wins = append(wins, d.Window)
	}
	sort.SliceStable(wins, func(i, j int) bool { return wins[i].Time.Before(wins[j].Time) })
	c.From, c.To = from, to
	if c.From.IsZero() {
		c.From = first
	}
	if c.To.IsZero() {
		c.To = last.Add(time.Second)
	}
	c.summarize(wins)
	c.sections(wins, life)
	return c
}

func (c *Compliance) summarize(wins []*WindowEvent) {
	phi := map[string]int64{}
	quar := map[string]int64{}
	keys := map[string]*KeyUse{}
	budgets := map[string]*BudgetUse{}
	var budgetPts = map[string][]point{}
	c.MinAchievedK = -1
	for _, w := range wins {
		c.Windows++
		c.RecordsIn += w.RecordsIn
		c.Published += w.Published
		c.Suppressed += w.Suppressed
		c.Quarantined += w.Quarantined
		for k, n := range w.PHICounts {
			phi[k] += n
			c.PHITotal += n
		}
		for k, n := range w.QuarantineReasons {
			quar[k] += n
		}
		for _, id := range w.KeyIDs {
			ku := keys[id]
			if ku == nil {
				ku = &KeyUse{ID: id, First: w.Time}
				keys[id] = ku
			}
			ku.Windows++
			ku.Last = w.Time
		}
		if p := w.Privacy; p != nil {
			c.HasPrivacy = true
			if c.MinAchievedK < 0 || p.AchievedK < c.MinAchievedK {
				c.MinAchievedK = p.AchievedK
			}
			if c.MinAchievedL == 0 || p.AchievedL < c.MinAchievedL {
				c.MinAchievedL = p.AchievedL
			}
		}
		if d := w.DP; d != nil {
			b := budgets[d.Dataset]
			if b == nil {
				b = &BudgetUse{Dataset: d.Dataset, Accounting: d.Accounting}
				budgets[d.Dataset] = b
			}
			b.Spent, b.Budget, b.Remaining = d.Spent, d.Budget, d.Remaining
			if d.Refused {
				b.Refusals++
			}
			budgetPts[d.Dataset] = append(budgetPts[d.Dataset], point{w.Time, d.Spent})
		}
	}
	c.PHIByType = sortedBars(phi)
	c.QuarantineBy = sortedBars(quar)
	c.QuarantineChart = template.HTML(barChart(c.QuarantineBy)) // built from escaped parts only
	for _, id := range slices.Sorted(maps.Keys(keys)) {
		c.Keys = append(c.Keys, *keys[id])
	}
	for _, ds := range slices.Sorted(maps.Keys(budgets)) {
		b := budgets[ds]
		pts := budgetPts[ds]
		limit := []point{{c.From, b.Budget}, {c.To, b.Budget}}
		b.Chart = c.chart("budget:"+ds, []series{{name: "spent", points: pts}, {name: "budget", points: limit, dashed: true}},
			b.Budget*1.1, b.Accounting)
		c.Budgets = append(c.Budgets, *b)
	}

	buckets := bucketize(wins, c.From, c.To)
	var phiSeries []series
	for _, typ := range c.PHIByType {
		s := series{name: typ.Label}
		for _, bk := range buckets {
			var n int64
			for _, w := range bk.wins {
				n += w.PHICounts[typ.Label]
			}
			s.points = append(s.points, point{bk.at, float64(n)})
		}
		phiSeries = append(phiSeries, s)
	}
	if len(phiSeries) > len(palette) { // keep the chart readable: top types only
		phiSeries = phiSeries[:len(palette)]
	}
	c.PHIChart = c.chart("phi", phiSeries, 0, "findings")

	supp := series{name: "suppressed %"}
	quarS := series{name: "quarantined %"}
	ak := series{name: "achieved k (min)"}
	al := series{name: "achieved l (min)"}
	rk := series{name: "required k", dashed: true}
	for _, bk := range buckets {
		var in, sup, q int64
		minK, minL, reqK := -1.0, -1.0, 0.0
		for _, w := range bk.wins {
			in, sup, q = in+w.RecordsIn, sup+w.Suppressed, q+w.Quarantined
			if p := w.Privacy; p != nil {
				if minK < 0 || float64(p.AchievedK) < minK {
					minK = float64(p.AchievedK)
				}
				if minL < 0 || p.AchievedL < minL {
					minL = p.AchievedL
				}
				reqK = max(reqK, float64(p.K))
			}
		}
		if in > 0 {
			supp.points = append(supp.points, point{bk.at, 100 * float64(sup) / float64(in)})
			quarS.points = append(quarS.points, point{bk.at, 100 * float64(q) / float64(in)})
		}
		if minK >= 0 {
			ak.points = append(ak.points, point{bk.at, minK})
			al.points = append(al.points, point{bk.at, minL})
			rk.points = append(rk.points, point{bk.at, reqK})
		}
	}
	c.SuppressionChart = c.chart("rates", []series{supp, quarS}, 0, "% of records")
	if c.HasPrivacy {
		c.PrivacyChart = c.chart("privacy", []series{ak, al, rk}, 0, "class size")
	}
}

func sortedBars(m map[string]int64) []Bar {
	var out []Bar
	for k, v := range m {
		out = append(out, Bar{k, float64(v)})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Value != out[j].Value {
			return out[i].Value > out[j].Value
		}
		return out[i].Label < out[j].Label
	})
	return out
}

type bucket struct {
	at   time.Time
	wins []*WindowEvent
}

// maxBuckets is how many points a time chart gets at most; with fewer
// windows every window is a point.
const maxBuckets = 48

func bucketize(wins []*WindowEvent, from, to time.Time) []bucket {
	if len(wins) <= maxBuckets {
		out := make([]bucket, len(wins))
		for i, w := range wins {
			out[i] = bucket{w.Time, []*WindowEvent{w}}
		}
		return out
	}
	step := to.Sub(from) / maxBuckets
	if step <= 0 {
		step = time.Second
	}
	out := make([]bucket, maxBuckets)
	for i := range out {
		out[i].at = from.Add(step*time.Duration(i) + step/2)
	}
	for _, w := range wins {
		i := min(max(int(w.Time.Sub(from)/step), 0), maxBuckets-1)
		out[i].wins = append(out[i].wins, w)
	}
	return out
}

// WriteHTML writes the report as one self-contained HTML page: inline CSS
// and SVG, no scripts, no external references.
func (c *Compliance) WriteHTML(w io.Writer) error {
	if err := reportTmpl.Execute(w, c); err != nil {
		return fmt.Errorf("rendering audit report: %w", err)
	}
	return nil
}
