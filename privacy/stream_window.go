package privacy

import (
	"errors"
	"fmt"
	"slices"

	"github.com/deidstream/deidstream/deid"
)

// WindowStream is a Stream under a stream window's rules (WindowAnonymizer):
// a row whose quasi-identifier no class can hold is suppressed in the window
// it arrives in, and top-coded values ("90+") are anonymized as their base
// and marked again on the release. It is what a worker with carry-over uses.
// Like Stream, Commit or Abort follows every Window; one goroutine uses it.
type WindowStream struct {
	w *WindowAnonymizer
	s *Stream
	// top holds the top-coded cells of the rows in the pool (new and carried).
	top map[uint64][]topCell
	// restored rows (Restore) are placed again by the next Window, under its
	// columns and hierarchies; those that no longer fit are suppressed then.
	restored     []StreamRow
	restoredCols []string
}

// topCell is a cell read from "base+".
type topCell struct {
	col  int
	base string
}

// StreamWindow is what one window of a WindowStream releases.
type StreamWindow struct {
	// Released rows, generalized, in content order (publish them so);
	// Delay is for counts only, never to be published per row.
	Released []StreamRow
	// Suppressed rows (ID and Delay only): new rows no class can hold
	// (Delay 0), and carried rows whose delay expired with no class.
	Suppressed []StreamRow
	// CarriedIn rows came from earlier windows (restored ones that no longer
	// fit included); CarriedOut (Carried after Commit) are those that wait still.
	CarriedIn, CarriedOut int
	// Summary is the configured parameters and what Verify measured on the release.
	Summary deid.PrivacySummary
}

// NewWindowStream builds a WindowStream for cfg's models and cfg.Carry.
func NewWindowStream(cfg Config) (*WindowStream, error) {
	w, err := NewWindowAnonymizer(cfg)
	if err != nil {
		return nil, err
	}
	s, err := NewStream(cfg, cfg.Carry)
	if err != nil {
		return nil, err
	}
	return &WindowStream{w: w, s: s, top: map[uint64][]topCell{}}, nil
}

// Window anonymizes rows (with IDs unique in the stream, never reused) together
// with the rows earlier windows carried.
func (ws *WindowStream) Window(columns []string, rows []StreamRow) (StreamWindow, error) {
	return ws.window(columns, rows, false)
}

// Last is Window for the final window of a bounded run: nothing is carried
// out (Stream.Last).
func (ws *WindowStream) Last(columns []string, rows []StreamRow) (StreamWindow, error) {
	return ws.window(columns, rows, true)
}

func (ws *WindowStream) window(columns []string, rows []StreamRow, last bool) (StreamWindow, error) {
	idx, err := ws.w.columnIndex(columns)
	if err != nil {
		return StreamWindow{}, err
	}
	out := StreamWindow{Summary: summary(ws.w.cfg, nil)}
	if ws.restored != nil {
		// Placed again on every attempt until a window commits: an aborted one leaves them as restored.
		var keep []StreamRow
		for _, r := range ws.restored {
			if row, cells, ok := ws.place(r.Row, idx, slices.Equal(columns, ws.restoredCols)); ok {
				ws.top[r.ID] = cells
				keep = append(keep, StreamRow{ID: r.ID, Row: row, Delay: r.Delay})
			} else {
				out.Suppressed = append(out.Suppressed, StreamRow{ID: r.ID, Delay: r.Delay + 1})
				out.CarriedIn++
			}
		}
		ws.s.Restore(keep)
	}
	placed := make([]StreamRow, 0, len(rows))
	for _, r := range rows {
		row, cells, ok := ws.place(r.Row, idx, true)
		if !ok {
			out.Suppressed = append(out.Suppressed, StreamRow{ID: r.ID})
			continue
		}
		if cells != nil {
			ws.top[r.ID] = cells
		}
		placed = append(placed, StreamRow{ID: r.ID, Row: row})
	}
	if len(placed) == 0 && len(ws.s.Carried()) == 0 {
		ws.s.Abort()
		return out, nil
	}
	top := topCoded{}
	for _, r := range slices.Concat(placed, ws.s.Carried()) {
		for _, c := range ws.top[r.ID] {
			top.add(c.col, c.base)
		}
	}
	anonymize := ws.s.Window
	if last {
		anonymize = ws.s.Last
	}
	res, err := anonymize(columns, placed)
	if err != nil {
		return StreamWindow{}, err
	}
	out.Released, out.CarriedOut = res.Released, res.CarriedOut
	out.CarriedIn += res.CarriedIn
	out.Suppressed = append(out.Suppressed, res.Suppressed...)
	rel := make([][]string, len(res.Released))
	for i, r := range res.Released {
		rel[i] = r.Row
	}
	top.mark(rel)
	if len(res.Released) > 0 {
		out.Summary = summary(ws.w.cfg, &res.Metrics)
	}
	return out, nil
}

// place is placeRow with the row's top-coded cells; fits false places nothing.
func (ws *WindowStream) place(r []string, idx []int, fits bool) ([]string, []topCell, bool) {
	if !fits || slices.ContainsFunc(idx, func(c int) bool { return c >= len(r) }) {
		return nil, nil, false
	}
	t := topCoded{}
	row, ok := ws.w.placeRow(r, idx, t)
	if !ok {
		return nil, nil, false
	}
	var cells []topCell
	for c, bases := range t {
		for b := range bases {
			cells = append(cells, topCell{c, b})
		}
	}
	return row, cells, true
}

// Commit makes the last Window's carry the state; Abort forgets it.
func (ws *WindowStream) Commit() {
	ws.s.Commit()
	ws.restored, ws.restoredCols = nil, nil
	ws.prune()
}

// Abort forgets the last Window: the rows carried into it wait again.
func (ws *WindowStream) Abort() {
	ws.s.Abort()
	ws.prune()
}

// prune keeps the top-coded cells of the rows still held.
func (ws *WindowStream) prune() {
	keep := make(map[uint64][]topCell, len(ws.top))
	for _, rs := range [][]StreamRow{ws.s.Carried(), ws.restored} {
		for _, r := range rs {
			if c, ok := ws.top[r.ID]; ok {
				keep[r.ID] = c
			}
		}
	}
	ws.top = keep
}

// Carried returns the rows waiting for the next window as they were given
// (top-coded values with their "+"), with their delays: the committed state.
func (ws *WindowStream) Carried() []StreamRow {
	if ws.restored != nil {
		return ws.restored
	}
	return ws.given(ws.s.Carried())
}

// Next returns, like Carried, the rows that wait after the last Window once
// it commits: the state to write with that window.
func (ws *WindowStream) Next() []StreamRow { return ws.given(ws.s.Next()) }

// given writes the "+" back on the top-coded cells of rows.
func (ws *WindowStream) given(rows []StreamRow) []StreamRow {
	out := make([]StreamRow, len(rows))
	for i, r := range rows {
		out[i] = r
		if cells := ws.top[r.ID]; cells != nil {
			out[i].Row = slices.Clone(r.Row)
			for _, c := range cells {
				out[i].Row[c.col] = c.base + "+"
			}
		}
	}
	return out
}

// Restore replaces the waiting rows with rows (as Carried returns them)
// kept under columns, e.g. state read back at start. The next Window places
// them again; a row that no longer fits (other columns or hierarchies) is
// suppressed by it, counted with the expired ones.
func (ws *WindowStream) Restore(columns []string, rows []StreamRow) {
	ws.s.Restore(nil)
	ws.top = map[uint64][]topCell{}
	ws.restored, ws.restoredCols = slices.Clone(rows), slices.Clone(columns)
	if ws.restored == nil {
		ws.restored = []StreamRow{}
	}
}

// VerifyRelease checks one release on its own, from its released rows alone
// (no input needed): every class of equal quasi-identifier labels holds
// every configured model (k, each kind of l, t, Config.Models). Rows with
// "*" in every quasi-identifier are suppressed: they count in the release's
// sensitive distribution, in no class. It is what a reader of the research
// topic can check of a carry-over release, whose rows carry no source to
// match them with their input.
//
// t-closeness is measured against the distribution of the rows given. The
// stream's own check also counts the rows of the window it suppressed and
// did not publish, so on the published rows alone a release may pass one
// check and fail the other by at most those rows' weight.
func VerifyRelease(release Table, cfg Config) (Metrics, error) {
	cfg = cfg.withDefaults()
	if err := cfg.Validate(); err != nil {
		return Metrics{}, fmt.Errorf("verifying release: %w", err)
	}
	var qi []int
	for _, q := range cfg.QuasiIdentifiers {
		i := slices.Index(release.Columns, q.Name)
		if i < 0 {
			return Metrics{}, fmt.Errorf("verifying release: quasi-identifier %s: %w", q.Name, ErrMissingColumn)
		}
		qi = append(qi, i)
	}
	sens := slices.Index(release.Columns, cfg.Sensitive)
	if sens < 0 && cfg.Sensitive != "" && (cfg.L > 0 || cfg.T > 0 || len(cfg.Models) > 0) {
		return Metrics{}, fmt.Errorf("verifying release: sensitive column %s: %w", cfg.Sensitive, ErrMissingColumn)
	}
	for r, row := range release.Rows {
		if len(row) != len(release.Columns) {
			return Metrics{}, fmt.Errorf("verifying release: row %d has %d cells, the release %d columns: %w",
				r+1, len(row), len(release.Columns), ErrNotGeneralized)
		}
	}
	tally := newClassTally(sensitiveCodes(release, release, sens, cfg.SensitiveKind == KindNumeric))
	labels := make([]string, len(qi))
	suppressed := 0
	for _, r := range release.Rows {
		all := true
		for j, c := range qi {
			labels[j] = r[c]
			all = all && r[c] == "*"
		}
		if all {
			suppressed++
			continue
		}
		tally.add(labels, r, sens)
	}
	classes := tally.classes()
	m := Metrics{Classes: len(classes), Suppressed: suppressed}
	failed, err := judge(cfg, classes, &m)
	if err != nil {
		return Metrics{}, fmt.Errorf("verifying release: %w", err)
	}
	if len(failed) > 0 {
		return m, fmt.Errorf("verifying release: %w", errors.Join(failed...))
	}
	return m, nil
}
