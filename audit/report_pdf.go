package audit

import (
	"fmt"
	"io"
	"strings"
	"time"

	"codeberg.org/go-pdf/fpdf"
)

// WritePDF writes the report as a PDF (A4 landscape), drawn with
// codeberg.org/go-pdf/fpdf: the same sections as the HTML page, the charts
// over time left out (their figures are in the tables), no browser involved.
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

	p.heading("PHI found by type")
	p.muted(fmt.Sprintf("%d finding(s) in the period.", c.PHITotal))
	p.bars(c.PHIByType)

	p.heading("Privacy guarantees")
	if c.HasPrivacy {
		p.muted(fmt.Sprintf("Lowest achieved k in the period: %d; lowest achieved l: %s.", c.MinAchievedK, fmtNum(c.MinAchievedL)))
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
		p.bars([]Bar{{"spent", b.Spent}, {"budget", b.Budget}})
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
