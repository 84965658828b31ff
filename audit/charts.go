package audit

import (
	"fmt"
	"html"
	"math"
	"strings"
	"time"
)

// Inline SVG charts for the compliance report: no scripts, no external
// assets, every label escaped (labels are codes, but the report must not
// trust its input).

var palette = []string{"#2563eb", "#dc2626", "#16a34a", "#d97706", "#7c3aed", "#0891b2", "#db2777", "#4b5563", "#65a30d", "#9333ea"}

type point struct {
	x time.Time
	y float64
}

type series struct {
	name   string
	points []point
	dashed bool
}

const (
	chartW, chartH               = 1120, 250
	padL, padR, padT, padB       = 64, 180, 28, 36
	plotW, plotH                 = chartW - padL - padR, chartH - padT - padB
	barRowH, barLabelW, barValsW = 26, 220, 90
)

// niceMax rounds v up to 1, 2 or 5 times a power of ten.
func niceMax(v float64) float64 {
	if v <= 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 1.2, 1.5, 2, 2.5, 5, 10} {
		if m*p >= v {
			return m * p
		}
	}
	return 10 * p
}

func fmtNum(v float64) string {
	if v == math.Trunc(v) && math.Abs(v) < 1e15 {
		return fmt.Sprintf("%d", int64(v))
	}
	return strings.TrimRight(strings.TrimRight(fmt.Sprintf("%.3f", v), "0"), ".")
}

// lineChart draws series against time. ymax 0 means from the data.
func lineChart(ss []series, from, to time.Time, ymax float64, unit string) string {
	var b strings.Builder
	fmt.Fprintf(&b, `<svg width="%d" height="%d" viewBox="0 0 %d %d" role="img">`, chartW, chartH, chartW, chartH)
	if ymax == 0 {
		for _, s := range ss {
			for _, p := range s.points {
				ymax = max(ymax, p.y)
			}
		}
	}
	ymax = niceMax(ymax)
	span := to.Sub(from).Seconds()
	if span <= 0 {
		span = 1
	}
	x := func(t time.Time) float64 { return padL + plotW*math.Min(1, math.Max(0, t.Sub(from).Seconds()/span)) }
	y := func(v float64) float64 { return padT + plotH*(1-math.Min(1, math.Max(0, v/ymax))) }
	// Grid and y labels.
	for i := 0; i <= 4; i++ {
		v := ymax * float64(i) / 4
		fmt.Fprintf(&b, `<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" class="grid"/>`, padL, padL+plotW, y(v), y(v))
		fmt.Fprintf(&b, `<text x="%d" y="%.1f" class="ylab">%s</text>`, padL-6, y(v)+4, html.EscapeString(fmtNum(v)))
	}
	if unit != "" {
		fmt.Fprintf(&b, `<text x="%d" y="12" class="unit">%s</text>`, padL-40, html.EscapeString(unit))
	}
	// Time labels.
	layout := "01-02 15:04"
	if span < 3*3600 {
		layout = "15:04:05"
	}
	for i := 0; i <= 5; i++ {
		t := from.Add(time.Duration(float64(i) / 5 * span * float64(time.Second)))
		anchor := "middle"
		if i == 0 {
			anchor = "start"
		} else if i == 5 {
			anchor = "end"
		}
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" class="xlab" text-anchor="%s">%s</text>`, x(t), chartH-12, anchor, t.UTC().Format(layout))
	}
	fmt.Fprintf(&b, `<line x1="%d" x2="%d" y1="%d" y2="%d" class="axis"/>`, padL, padL+plotW, padT+plotH, padT+plotH)
	for i, s := range ss {
		color := palette[i%len(palette)]
		dash := ""
		if s.dashed {
			dash = ` stroke-dasharray="6 4"`
		}
		if len(s.points) > 1 {
			var pts []string
			for _, p := range s.points {
				pts = append(pts, fmt.Sprintf("%.1f,%.1f", x(p.x), y(p.y)))
			}
			fmt.Fprintf(&b, `<polyline fill="none" stroke="%s" stroke-width="2"%s points="%s"/>`, color, dash, strings.Join(pts, " "))
		}
		if len(s.points) <= 40 && !s.dashed {
			for _, p := range s.points {
				fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="3" fill="%s"/>`, x(p.x), y(p.y), color)
			}
		}
		ly := padT + 14 + i*18
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="12" height="12" fill="%s"/>`, chartW-padR+16, ly-10, color)
		fmt.Fprintf(&b, `<text x="%d" y="%d" class="legend">%s</text>`, chartW-padR+34, ly, html.EscapeString(s.name))
	}
	b.WriteString(`</svg>`)
	return b.String()
}

// Bar is one labeled count of a bar chart or table.
type Bar struct {
	Label string
	Value float64
}

// barChart draws horizontal bars, largest first as given.
func barChart(bars []Bar) string {
	if len(bars) == 0 {
		return `<p class="muted">None in this period.</p>`
	}
	h := len(bars)*barRowH + 8
	w := chartW
	var b strings.Builder
	fmt.Fprintf(&b, `<svg width="%d" height="%d" viewBox="0 0 %d %d" role="img">`, w, h, w, h)
	var top float64
	for _, r := range bars {
		top = max(top, r.Value)
	}
	top = niceMax(top)
	avail := float64(w - barLabelW - barValsW)
	for i, r := range bars {
		y := 4 + i*barRowH
		bw := avail * r.Value / top
		fmt.Fprintf(&b, `<text x="%d" y="%d" class="blab">%s</text>`, barLabelW-8, y+17, html.EscapeString(r.Label))
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%.1f" height="%d" fill="%s" rx="2"/>`, barLabelW, y+3, math.Max(bw, 1), barRowH-8, palette[i%len(palette)])
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" class="bval">%s</text>`, float64(barLabelW)+bw+6, y+17, html.EscapeString(fmtNum(r.Value)))
	}
	b.WriteString(`</svg>`)
	return b.String()
}
