package audit

import (
	"fmt"
	"io"
	"strings"
	"time"

	"codeberg.org/go-pdf/fpdf"
)

// WritePDF writes the report as a PDF (A4 landscape), drawn with
// codeberg.org/go-pdf/fpdf: the same sections and charts as the HTML page,
// no browser involved.
func (c *Compliance) WritePDF(w io.Writer) error {
	p := &pdfDoc{f: fpdf.New("L", "mm", "A4", "")}
	f := p.f
	f.SetTitle(c.Title, false)
	f.SetCreator("deidstream worker audit report", false)
	f.SetCreationDate(c.Generated)
	f.SetMargins(12, 12, 12)
	f.SetAutoPageBreak(false, 12)
	f.AliasNbPages("{nb}")
	p.tr = f.UnicodeTranslatorFromDescriptor("") // cp1252: the core fonts' encoding
	f.SetFooterFunc(func() {
		f.SetY(-10)
		f.SetFont("Helvetica", "", 8)
		f.SetTextColor(107, 114, 128)
		f.CellFormat(0, 4, p.tr(fmt.Sprintf("%s, %s to %s - page %d of {nb}", c.Title, pdfTime(c.From), pdfTime(c.To), f.PageNo())), "", 0, "C", false, 0, "")
	})
	f.AddPage()

	f.SetFont("Helvetica", "B", 18)
	f.CellFormat(0, 9, p.tr(c.Title), "", 1, "L", false, 0, "")
	p.muted(fmt.Sprintf("Period %s to %s, generated %s. No record content appears in the audit log or this report: counts, codes and key ids only.",
		pdfTime(c.From), pdfTime(c.To), pdfTime(c.Generated)))

	p.heading("Verification")
	switch v := c.Verification; {
	case v == nil:
		p.banner(false, "Not verified: no public key was given.")
	case v.OK:
		p.banner(true, "Log verified: every event is sealed by checkpoints with valid Ed25519 and ML-DSA-65 signatures, or listed as unsealed below.")
	default:
		p.banner(false, fmt.Sprintf("Verification FAILED: %d finding(s). The figures below include events that may have been altered.", len(v.Findings)))
	}
	if v := c.Verification; v != nil {
		p.muted(fmt.Sprintf("Checked over all %d message(s) of the log, not only this period.", v.Messages))
		var rows [][]string
		for _, wl := range v.Workers {
			last := "none"
			if l := wl.Last; l != nil {
				last = fmt.Sprintf("#%d size %d at %s", l.Seq, l.Size, pdfTime(l.Time))
			}
			rows = append(rows, []string{wl.WorkerID, fmt.Sprint(wl.Events), fmt.Sprint(wl.Checkpoints), fmt.Sprint(wl.Sealed),
				fmt.Sprint(len(wl.UnsealedTail)), last})
		}
		p.table([]string{"Log (worker)", "Events", "Checkpoints", "Sealed", "Unsealed tail", "Last checkpoint"},
			[]float64{70, 25, 28, 25, 28, 97}, "LRRRRL", rows)
		if len(c.Findings) > 0 {
			rows = rows[:0]
			for _, fd := range c.Findings {
				rows = append(rows, []string{fmt.Sprint(fd.Position), fmt.Sprint(fd.Seq), fd.WorkerID, fd.Check, fd.Detail})
			}
			p.table([]string{"Position", "Seq", "Worker", "Check", "Detail"}, []float64{22, 18, 55, 50, 128}, "RRLLL", rows)
			if c.MoreFindings > 0 {
				p.muted(fmt.Sprintf("... and %d more (run worker audit verify for all).", c.MoreFindings))
			}
		}
	}

	p.heading("Records processed")
	p.table([]string{"Windows", "Records in", "Published", "Suppressed", "Quarantined"}, []float64{54.6, 54.6, 54.6, 54.6, 54.6}, "RRRRR",
		[][]string{{fmt.Sprint(c.Windows), fmt.Sprint(c.RecordsIn), countPct(c.Published, c.RecordsIn),
			countPct(c.Suppressed, c.RecordsIn), countPct(c.Quarantined, c.RecordsIn)}})
	p.lineChart("Suppression and quarantine rate", c.lines["rates"], c.From, c.To)

	p.heading("PHI found by type")
	p.muted(fmt.Sprintf("%d finding(s) in the period.", c.PHITotal))
	p.bars(c.PHIByType)
	p.lineChart("PHI found by type over time", c.lines["phi"], c.From, c.To)

	p.heading("Privacy guarantees")
	if c.HasPrivacy {
		p.muted(fmt.Sprintf("Lowest achieved k in the period: %d; lowest achieved l: %s.", c.MinAchievedK, fmtNum(c.MinAchievedL)))
		p.lineChart("Achieved k-anonymity and l-diversity", c.lines["privacy"], c.From, c.To)
	} else {
		p.muted("No privacy model ran in this period.")
	}
	for _, b := range c.Budgets {
		refused := ""
		if b.Refusals > 0 {
			refused = fmt.Sprintf(", %d release(s) refused", b.Refusals)
		}
		p.muted(fmt.Sprintf("DP dataset %s (%s): spent %s of %s, %s left%s.", b.Dataset, b.Accounting, fmtNum(b.Spent),
			fmtNum(b.Budget), fmtNum(b.Remaining), refused))
		p.lineChart("Privacy budget spent against its limit: "+b.Dataset, c.lines["budget:"+b.Dataset], c.From, c.To)
	}
	var rows [][]string
	for _, r := range c.WindowRows {
		k, l, t, spent, left := "-", "-", "-", "-", "-"
		if r.HasPrivacy {
			k = fmt.Sprintf("%d (%d)", r.AchievedK, r.K)
			if r.L > 0 {
				l = fmt.Sprintf("%s (%s)", fmtNum(r.AchievedL), fmtNum(r.L))
			}
			if r.T > 0 {
				t = fmt.Sprintf("%s (%s)", fmtNum(r.AchievedT), fmtNum(r.T))
			}
		}
		if r.HasDP {
			spent, left = fmtNum(r.DPSpent)+" "+r.DPUnit, fmtNum(r.DPRemaining)
			if r.DPRefused {
				spent += " refused"
			}
		}
		residual := "-"
		if r.ResidualInspected > 0 {
			residual = fmt.Sprintf("%d in %d", r.ResidualFindings, r.ResidualInspected)
			if r.ResidualCanaries > 0 {
				residual += fmt.Sprintf(", %d canary", r.ResidualCanaries)
			}
		}
		rows = append(rows, []string{pdfTime(r.Time), r.Worker, fmt.Sprint(r.Window), fmt.Sprint(r.RecordsIn), fmt.Sprint(r.Published),
			fmt.Sprint(r.Suppressed), fmt.Sprint(r.Quarantined), k, l, t, spent, left, residual})
	}
	if len(rows) > 0 {
		p.muted("Per window: achieved (required) k, l and t; DP spent and left in the accounting's unit; residual-PHI findings in the records inspected.")
		p.table([]string{"Time", "Worker", "Window", "In", "Publ.", "Suppr.", "Quar.", "k (req.)", "l (req.)", "t (req.)", "DP spent", "DP left", "Residual"},
			[]float64{34, 36, 14, 14, 14, 14, 14, 20, 22, 22, 25, 16, 28}, "LLRRRRRRRRRRR", rows)
		if c.MoreWindowRows > 0 {
			p.muted(fmt.Sprintf("... and %d more window(s); the totals above cover every window.", c.MoreWindowRows))
		}
	}

	p.heading("Security events")
	s := c.Security
	canaries := ""
	if s.Canaries > 0 {
		canaries = fmt.Sprintf(", %d canary", s.Canaries)
	}
	p.table([]string{"Key rotations", "Budget refusals", "Residual-PHI findings", "Break-glass requests", "Approvals", "Openings"},
		[]float64{40, 40, 60, 45, 44, 44}, "RRRRRR", [][]string{{fmt.Sprint(s.KeyRotations), fmt.Sprint(s.BudgetRefusals),
			fmt.Sprintf("%d in %d inspected%s", s.ResidualFindings, s.ResidualInspected, canaries), fmt.Sprint(s.BreakGlassRequests),
			fmt.Sprint(s.Approvals), fmt.Sprint(s.Openings)}})
	p.muted("Quarantine by reason:")
	p.bars(s.QuarantineReasons)
	rows = rows[:0]
	for _, e := range s.Events {
		rows = append(rows, []string{pdfTime(e.Time), e.Worker, e.Type, e.Detail})
	}
	if len(rows) > 0 {
		p.table([]string{"Time", "Log", "Event", "Detail"}, []float64{36, 40, 40, 157}, "LLLL", rows)
	}

	p.heading("Configuration in force")
	rows = rows[:0]
	for _, u := range c.Configs {
		rows = append(rows, []string{u.Hash, u.Kind, strings.Join(u.Workers, " "), pdfTime(u.First), pdfTime(u.Last)})
	}
	if len(rows) > 0 {
		p.table([]string{"Hash", "Of", "Workers", "First seen", "Last seen"}, []float64{110, 20, 71, 36, 36}, "LLLLL", rows)
	} else {
		p.muted("No configuration hash recorded in this period.")
	}

	if err := f.Output(w); err != nil {
		return fmt.Errorf("rendering audit report as PDF: %w", err)
	}
	return nil
}

// pdfDoc keeps the drawing helpers of one document.
type pdfDoc struct {
	f  *fpdf.Fpdf
	tr func(string) string
}

const pdfBottom = 16 // mm kept free at the foot of each page

// room starts a new page unless h mm fit above the footer.
func (p *pdfDoc) room(h float64) bool {
	_, ph := p.f.GetPageSize()
	if p.f.GetY()+h > ph-pdfBottom {
		p.f.AddPage()
		return true
	}
	return false
}

func (p *pdfDoc) heading(s string) {
	p.room(30) // never a heading alone at the foot of a page
	p.f.Ln(4)
	p.f.SetFont("Helvetica", "B", 13)
	p.f.SetTextColor(17, 24, 39)
	p.f.CellFormat(0, 8, p.tr(s), "B", 1, "L", false, 0, "")
	p.f.Ln(1.5)
}

func (p *pdfDoc) muted(s string) {
	p.room(6)
	p.f.SetFont("Helvetica", "", 9)
	p.f.SetTextColor(75, 85, 99)
	p.f.MultiCell(0, 4.6, p.tr(s), "", "L", false)
	p.f.Ln(1)
}

func (p *pdfDoc) banner(ok bool, s string) {
	p.room(10)
	if ok {
		p.f.SetFillColor(220, 252, 231)
		p.f.SetTextColor(20, 83, 45)
	} else {
		p.f.SetFillColor(254, 226, 226)
		p.f.SetTextColor(127, 29, 29)
	}
	p.f.SetFont("Helvetica", "B", 10.5)
	p.f.MultiCell(0, 7, p.tr(s), "", "L", true)
	p.f.Ln(1.5)
}

// table draws rows under a header that is repeated on every page the table
// runs onto; a cell too wide for its column is cut with "...".
func (p *pdfDoc) table(head []string, widths []float64, align string, rows [][]string) {
	const h = 6
	header := func() {
		p.f.SetFont("Helvetica", "B", 8.5)
		p.f.SetFillColor(243, 244, 246)
		p.f.SetTextColor(17, 24, 39)
		for i, t := range head {
			p.f.CellFormat(widths[i], h, p.fit(t, widths[i]), "B", 0, string(align[i]), true, 0, "")
		}
		p.f.Ln(h)
		p.f.SetFont("Helvetica", "", 8.5)
	}
	p.room(2 * h)
	header()
	for _, r := range rows {
		if p.room(h) {
			header()
		}
		for i, t := range r {
			p.f.CellFormat(widths[i], h, p.fit(t, widths[i]), "B", 0, string(align[i]), false, 0, "")
		}
		p.f.Ln(h)
	}
	p.f.Ln(2)
}

// fit cuts s so it fits w mm of the current font, with cell padding.
func (p *pdfDoc) fit(s string, w float64) string {
	s = p.tr(s)
	if p.f.GetStringWidth(s)+2 <= w {
		return s
	}
	for len(s) > 0 && p.f.GetStringWidth(s+"...")+2 > w {
		s = s[:len(s)-1]
	}
	return s + "..."
}

// bars draws a horizontal bar chart: label, bar scaled to the largest value, value.
func (p *pdfDoc) bars(bs []Bar) {
	if len(bs) == 0 {
		p.muted("None in this period.")
		return
	}
	const h, labelW, valueW = 5.5, 60, 30
	pw, _ := p.f.GetPageSize()
	l, _, r, _ := p.f.GetMargins()
	barW := pw - l - r - labelW - valueW
	var top float64
	for _, b := range bs {
		top = max(top, b.Value)
	}
	p.room(min(float64(len(bs))*h, 60)) // a short chart is not split across pages
	p.f.SetFont("Helvetica", "", 8.5)
	p.f.SetTextColor(55, 65, 81)
	for _, b := range bs {
		p.room(h)
		y := p.f.GetY()
		p.f.CellFormat(labelW, h, p.fit(b.Label, labelW), "", 0, "R", false, 0, "")
		if top > 0 {
			p.f.SetFillColor(37, 99, 235)
			p.f.Rect(l+labelW+1, y+1, max(barW*b.Value/top, 0.3), h-2, "F")
		}
		p.f.SetX(l + labelW + barW + 2)
		p.f.CellFormat(valueW-2, h, fmtNum(b.Value), "", 1, "L", false, 0, "")
	}
	p.f.Ln(2)
}

// lineChart draws a chart over time as the SVG one does: grid, time axis,
// one colour per series (dashed for limits), legend on the right.
func (p *pdfDoc) lineChart(title string, l lines, from, to time.Time) {
	if len(l.ss) == 0 {
		return
	}
	const h, labelW, legendW = 58.0, 14.0, 48.0
	p.room(h + 6)
	p.f.SetFont("Helvetica", "B", 9)
	p.f.SetTextColor(55, 65, 81)
	p.f.CellFormat(0, 5, p.tr(title), "", 1, "L", false, 0, "")
	pw, _ := p.f.GetPageSize()
	left, _, right, _ := p.f.GetMargins()
	x0, y0 := left+labelW, p.f.GetY()+6
	w, ph := pw-left-right-labelW-legendW, h-16
	ymax := l.ymax
	if ymax == 0 {
		for _, s := range l.ss {
			for _, pt := range s.points {
				ymax = max(ymax, pt.y)
			}
		}
	}
	ymax = niceMax(ymax)
	span := to.Sub(from).Seconds()
	if span <= 0 {
		span = 1
	}
	x := func(t time.Time) float64 { return x0 + w*min(1, max(0, t.Sub(from).Seconds()/span)) }
	y := func(v float64) float64 { return y0 + ph*(1-min(1, max(0, v/ymax))) }
	p.f.SetFont("Helvetica", "", 7)
	p.f.SetLineWidth(0.15)
	p.f.SetDrawColor(229, 231, 235)
	for i := 0; i <= 4; i++ {
		v := ymax * float64(i) / 4
		p.f.Line(x0, y(v), x0+w, y(v))
		p.f.SetXY(left, y(v)-2)
		p.f.CellFormat(labelW-1.5, 4, fmtNum(v), "", 0, "R", false, 0, "")
	}
	layout := "01-02 15:04"
	if span < 3*3600 {
		layout = "15:04:05"
	}
	for i := 0; i <= 5; i++ {
		t := from.Add(time.Duration(float64(i) / 5 * span * float64(time.Second)))
		p.f.SetXY(x(t)-12, y0+ph+1)
		p.f.CellFormat(24, 4, t.UTC().Format(layout), "", 0, "C", false, 0, "")
	}
	p.f.Text(left, y0-3.5, p.tr(l.unit))
	for i, s := range l.ss {
		r, g, b := hexRGB(palette[i%len(palette)])
		p.f.SetDrawColor(r, g, b)
		p.f.SetFillColor(r, g, b)
		p.f.SetLineWidth(0.5)
		if s.dashed {
			p.f.SetDashPattern([]float64{2, 1.3}, 0)
		}
		for j := 1; j < len(s.points); j++ {
			a, c := s.points[j-1], s.points[j]
			p.f.Line(x(a.x), y(a.y), x(c.x), y(c.y))
		}
		p.f.SetDashPattern(nil, 0)
		if len(s.points) <= 40 && !s.dashed {
			for _, pt := range s.points {
				p.f.Circle(x(pt.x), y(pt.y), 0.6, "F")
			}
		}
		ly := y0 + 2 + float64(i)*5
		p.f.Rect(x0+w+5, ly, 3, 3, "F")
		p.f.SetXY(x0+w+9.5, ly-0.5)
		p.f.CellFormat(legendW-10, 4, p.fit(s.name, legendW-10), "", 0, "L", false, 0, "")
	}
	p.f.SetLineWidth(0.2)
	p.f.SetDrawColor(0, 0, 0)
	p.f.SetXY(left, y0+h-8)
}

// hexRGB reads a palette colour "#rrggbb".
func hexRGB(h string) (r, g, b int) {
	fmt.Sscanf(h, "#%02x%02x%02x", &r, &g, &b)
	return r, g, b
}

func pdfTime(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format("2006-01-02 15:04:05Z")
}

func countPct(a, b int64) string {
	if b == 0 {
		return fmt.Sprint(a)
	}
	return fmt.Sprintf("%d (%.1f%%)", a, 100*float64(a)/float64(b))
}
