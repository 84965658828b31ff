package privacy

import (
	"strconv"
	"strings"
	"time"
)

// release writes the generalized rows and computes the metrics of the
// released table (grouping by released tuple, as a reader would).
func (e *engine) release(t Table, parts []part, supp [][]int32) *Result {
	res := &Result{Rows: make([][]string, e.n), Suppressed: make([]bool, e.n)}
	type class struct {
		size int
		hist []int32
	}
	classes := map[string]*class{}
	scratch := make([]cell, e.q)
	width := 0
	if e.n > 0 {
		width = len(t.Rows[0])
	}
	backing := make([]string, e.n*width) // one allocation for all released rows
	copyRow := func(r int32) []string {
		out := backing[int(r)*width : (int(r)+1)*width : (int(r)+1)*width]
		copy(out, t.Rows[r])
		return out
	}
	labels := make([]string, e.q)
	total := 0.0
	for _, pt := range parts {
		rows, cells := pt.rows, pt.cells
		if cells == nil {
			cells = scratch
			e.summarize(rows, cells)
		}
		for j, c := range cells {
			labels[j] = e.label(j, c)
		}
		total += float64(len(rows)) * e.penSum(cells)
		key := strings.Join(labels, "\x00")
		cl := classes[key]
		if cl == nil {
			cl = &class{hist: make([]int32, e.m)}
			classes[key] = cl
		}
		cl.size += len(rows)
		for _, r := range rows {
			out := copyRow(r)
			for j, c := range e.qiCol {
				out[c] = labels[j]
			}
			res.Rows[r] = out
			cl.hist[e.sens[r]]++
		}
	}
	nsupp := 0
	for _, rows := range supp {
		for _, r := range rows {
			out := copyRow(r)
			for _, c := range e.qiCol {
				out[c] = rootLabel
			}
			res.Rows[r] = out
			res.Suppressed[r] = true
			nsupp++
		}
	}
	m := Metrics{Classes: len(classes), Suppressed: nsupp}
	disc := float64(nsupp) * float64(e.n)
	view := make([]Class, 0, len(classes))
	for _, cl := range classes {
		view = append(view, Class{Size: cl.size, Hist: cl.hist, Global: e.model.global})
		disc += float64(cl.size) * float64(cl.size)
	}
	e.figs.measure(view, &m)
	if len(classes) > 0 {
		m.AvgClassSize = float64(e.n-nsupp) / float64(len(classes))
	}
	total += float64(nsupp * e.q)
	m.NCP = total / float64(e.n*e.q)
	m.Discernibility = disc
	res.Metrics = m
	return res
}

// label renders a QI extent: the value itself, "lo-hi" (numeric),
// "lo..hi" (date, whose values contain dashes) or a hierarchy label.
func (e *engine) label(j int, c cell) string {
	switch e.kind[j] {
	case KindCategorical:
		return e.hier[j].labels[c.lo]
	case KindDate:
		lo := formatDay(e.vals[j][c.lo])
		if c.lo == c.hi {
			return lo
		}
		return lo + ".." + formatDay(e.vals[j][c.hi])
	}
	lo := strconv.FormatFloat(e.vals[j][c.lo], 'f', -1, 64)
	if c.lo == c.hi {
		return lo
	}
	return lo + "-" + strconv.FormatFloat(e.vals[j][c.hi], 'f', -1, 64)
}

func formatDay(d float64) string {
	return time.Unix(int64(d)*86400, 0).UTC().Format(DateLayout)
}
