package privacy

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"
)

// StreamConfig bounds carry-over: how long a row may wait for company in a
// later window instead of being released in a coarse class or suppressed.
type StreamConfig struct {
	// MaxDelay is the number of later windows a row may wait. 0 disables
	// carry-over: every window is anonymized on its own.
	MaxDelay int `yaml:"max_delay_windows"`
	// MaxCarried bounds the rows held between windows (memory and state
	// size). 0: no bound beyond MaxDelay.
	MaxCarried int `yaml:"max_carried"`
	// CarryAbove is the class NCP above which a class whose rows may still
	// wait is carried instead of released. Default 0.02 (on the streaming
	// benchmark lower is better: waiting rows make tighter classes later).
	CarryAbove float64 `yaml:"carry_above_ncp"`
	// MaxIdle bounds how long rows wait when input stops: once no record
	// has come for this long, the worker loop runs a window of no input
	// that releases or suppresses every row held. 0: held rows wait for
	// input. Read by the worker loop, not by Stream (whose delays count
	// windows).
	MaxIdle time.Duration `yaml:"max_idle"`
	// KeepOnStop keeps the rows held when the worker stops (SIGTERM) in its
	// carry state for its next start with the same worker id, so a restart
	// costs them nothing. false: the stopping worker releases or suppresses
	// them in a last window, so a worker id retired for good strands none.
	// Read by the worker loop, like MaxIdle.
	KeepOnStop bool `yaml:"keep_on_stop"`
	// Release is when rows are released: ReleaseEachWindow, ReleasePooled,
	// or "" / ReleaseAuto (pooled under l-diversity or t-closeness, each
	// window under k alone: what measured best for each).
	Release string `yaml:"release"`
}

// The release policies of StreamConfig.Release.
const (
	ReleaseAuto = "auto"
	// ReleaseEachWindow releases every window the classes that hold a row
	// whose delay expired and the tight classes of the pool; the rest wait.
	ReleaseEachWindow = "each_window"
	// ReleasePooled holds every row until the oldest can wait no longer,
	// then anonymizes and releases the whole pool (max_delay_windows+1
	// windows of rows) at once: no row waits past it. A class needs a row
	// of each sensitive value, and the rows left after earlier releases
	// took the easy company are the hardest to place, so one large pool
	// beats releasing the expiring rows every window under l and t
	// (benchmarks/results/privacy.md); a local search then tightens the
	// pool's classes (refine.go). Under k alone, pooled gains little
	// (0.0932 against 0.0954) and rows wait longer (1.50 windows on average
	// against 1.41): auto keeps each-window release there.
	ReleasePooled = "pooled"
)

// StreamRow is one row of a stream and how many windows it has waited.
// ID is the caller's handle (e.g. an index into its own records); it is
// returned unchanged and never read.
type StreamRow struct {
	ID    uint64
	Row   []string
	Delay int
}

// StreamResult is what one window of a Stream releases.
type StreamResult struct {
	// Released rows, generalized, sorted by their released content, so
	// their order says nothing of when each arrived: publish them in this
	// order. Delay is the number of windows each waited (0: released in its
	// own window); it is for metrics and audit counts, never to be
	// published per row.
	Released []StreamRow
	// Suppressed rows: their delay expired (or the carry bound was reached)
	// and no class could hold them. Row is nil: only the ID is returned.
	Suppressed []StreamRow
	// CarriedIn rows came from earlier windows; CarriedOut rows wait for the
	// next one (held by the Stream until Commit).
	CarriedIn, CarriedOut int
	// MaxDelay is the largest Delay among the released and suppressed rows.
	MaxDelay int
	// Metrics are the independent verifier's, measured on this release
	// (released and suppressed rows; carried rows are not part of it).
	Metrics Metrics
}

// Stream anonymizes consecutive windows of a stream, carrying the rows that
// only a coarse class (or suppression) could hold into the next window, for
// at most MaxDelay windows. Every row is released exactly once, in a class
// of the window that releases it, and every release is checked by Verify;
// see ARCHITECTURE.md ("Privacy across windows") for what this guarantees across
// releases.
//
// Window computes a release and the rows to carry; Commit makes that carry
// the Stream's state, Abort forgets it (the window is consumed again). A
// Stream is used by one goroutine.
type Stream struct {
	anon    *Anonymizer
	cfg     Config
	sc      StreamConfig
	carried []StreamRow
	next    []StreamRow
	pending bool
}

// NewStream builds a Stream for cfg's models.
func NewStream(cfg Config, sc StreamConfig, opts ...Option) (*Stream, error) {
	if sc.MaxDelay < 0 || sc.MaxCarried < 0 || sc.CarryAbove < 0 || sc.CarryAbove > 1 {
		return nil, fmt.Errorf("creating stream: max_delay_windows, max_carried and carry_above_ncp must be >= 0 (carry_above_ncp <= 1): %w", ErrInvalidConfig)
	}
	if !validRelease(sc.Release) {
		return nil, fmt.Errorf("creating stream: release %q: want %s, %s or %s: %w", sc.Release, ReleaseAuto, ReleaseEachWindow, ReleasePooled, ErrInvalidConfig)
	}
	if sc.CarryAbove == 0 {
		sc.CarryAbove = 0.02
	}
	a, err := NewAnonymizer(cfg, opts...)
	if err != nil {
		return nil, err
	}
	return &Stream{anon: a, cfg: a.Config(), sc: sc}, nil
}

// Carried returns the rows waiting for the next window (the committed state).
func (s *Stream) Carried() []StreamRow { return s.carried }

// Next returns the rows that wait after the last Window once it commits
// (the committed state when no Window is pending).
func (s *Stream) Next() []StreamRow {
	if s.pending {
		return s.next
	}
	return s.carried
}

// Restore replaces the waiting rows, e.g. with state read back at start.
func (s *Stream) Restore(rows []StreamRow) { s.carried, s.next, s.pending = rows, nil, false }

// Commit makes the carry computed by the last Window the Stream's state.
func (s *Stream) Commit() {
	if s.pending {
		s.carried, s.next, s.pending = s.next, nil, false
	}
}

// Abort forgets the last Window: the rows carried into it wait again.
func (s *Stream) Abort() { s.next, s.pending = nil, false }

// Last is Window for the final window of a bounded run (the end of a
// backfill): no later window will come, so nothing waits. Every row, carried
// or new, is released in a class of this window or suppressed, as if each
// row's delay had expired.
func (s *Stream) Last(columns []string, rows []StreamRow) (StreamResult, error) {
	return s.window(columns, rows, 0)
}

// Window anonymizes the waiting rows together with rows (whose Delay is
// ignored: they are new). Rows must be placeable (see WindowAnonymizer).
func (s *Stream) Window(columns []string, rows []StreamRow) (StreamResult, error) {
	return s.window(columns, rows, s.sc.MaxDelay)
}

// window is Window with rows waiting at most maxDelay windows (0: none waits).
func (s *Stream) window(columns []string, rows []StreamRow, maxDelay int) (StreamResult, error) {
	all := make([]StreamRow, 0, len(s.carried)+len(rows))
	for _, r := range s.carried {
		r.Delay++
		all = append(all, r)
	}
	for _, r := range rows {
		r.Delay = 0
		all = append(all, r)
	}
	out := StreamResult{CarriedIn: len(s.carried)}
	t := Table{Columns: columns, Rows: make([][]string, len(all))}
	for i, r := range all {
		t.Rows[i] = r.Row
	}
	e, err := s.anon.encode(t)
	if err != nil {
		return StreamResult{}, fmt.Errorf("anonymizing stream window: %w", err)
	}
	rows32 := make([]int32, e.n)
	delay := make([]int, e.n)
	var first []int32 // rows that may wait no longer
	for i := range rows32 {
		rows32[i], delay[i] = int32(i), all[i].Delay
		if all[i].Delay >= maxDelay {
			first = append(first, int32(i))
		}
	}
	carry := maxDelay > 0
	pooled := carry && s.pooled(e)
	if pooled && len(first) == 0 && (s.sc.MaxCarried == 0 || len(all) <= s.sc.MaxCarried) {
		// The pool waits for its oldest rows to expire. It was encoded all
		// the same: a row that cannot be anonymized fails the window that
		// brought it, not a later one.
		s.next = append(s.next[:0:0], all...)
		out.CarriedOut = len(s.next)
		s.pending = true
		return out, nil
	}
	if pooled {
		for i := range delay {
			delay[i] = maxDelay // the whole pool goes now: a row left out joins a class
		}
	}
	if carry && s.sc.MaxCarried == 0 && (pooled || e.model.diversityOnly()) {
		// Rows set aside wait (or join a class once expired); with a bound on
		// the rows carried they could be suppressed for want of room instead.
		e.maxSupp = max(e.maxSupp, int(poolSetAside*float64(e.n)))
	}
	var parts []part
	var supp [][]int32
	rest := rows32
	if e.n > 0 && e.kMemberFits() {
		// Rows that must go now take their closest company from the whole
		// pool; with carry-over the others wait unless Mondrian finds them
		// a tight class below.
		parts, rest = e.kMember(rows32, first, delay, maxDelay > 0)
	}
	if len(rest) > 0 {
		mp, ms, err := e.partitionRows(rest, s.anon.opts)
		if errors.Is(err, ErrUnsatisfiable) {
			mp, ms, err = nil, [][]int32{rest}, nil
		}
		if err != nil {
			return StreamResult{}, fmt.Errorf("anonymizing stream window: %w", err)
		}
		parts, supp = append(parts, mp...), ms
	}
	if carry {
		supp = e.joinExpired(parts, supp, delay, maxDelay)
	}
	if pooled && s.cfg.LocalSearch != LocalSearchOff {
		// Every class goes now: local search can only tighten them (refine.go).
		parts = e.improve(parts, rest, s.anon.opts, improveRunRows)
	}
	// Parts that render to one label tuple form one released class: decide
	// for them together, or a carried part would shrink a released class.
	groups := map[string]*group{}
	var keys []string
	labels := make([]string, e.q)
	for i := range parts {
		cells := parts[i].cells
		if cells == nil {
			cells = make([]cell, e.q)
			e.summarize(parts[i].rows, cells)
			parts[i].cells = cells
		}
		for j, c := range cells {
			labels[j] = e.label(j, c)
		}
		key := strings.Join(labels, "\x00")
		g := groups[key]
		if g == nil {
			g = &group{}
			groups[key] = g
			keys = append(keys, key)
		}
		g.parts = append(g.parts, i)
		g.rows += len(parts[i].rows)
		g.pen += float64(len(parts[i].rows)) * e.penSum(cells)
		for _, r := range parts[i].rows {
			if all[r].Delay >= maxDelay {
				g.forced = true
			}
		}
	}
	room := len(all) // rows that may still be carried
	if s.sc.MaxCarried > 0 {
		room = s.sc.MaxCarried
	}
	// Carry the coarsest classes first, while there is room.
	sort.SliceStable(keys, func(a, b int) bool {
		ga, gb := groups[keys[a]], groups[keys[b]]
		return ga.pen/float64(ga.rows) > gb.pen/float64(gb.rows)
	})
	if pooled {
		maxDelay = 0 // none waits past a pooled release
	}
	res, err := s.decide(e, t, all, parts, supp, groups, keys, room, maxDelay, out, !pooled)
	if err != nil && !pooled {
		// Carried classes shift the release's sensitive distribution, which
		// t-closeness (any model reading Class.Global) measures against:
		// release this window without carrying classes, verified again.
		res, err = s.decide(e, t, all, parts, supp, groups, keys, room, maxDelay, out, false)
	}
	if err != nil {
		s.Abort()
		return StreamResult{}, err
	}
	return res, nil
}

func validRelease(r string) bool {
	return r == "" || r == ReleaseAuto || r == ReleaseEachWindow || r == ReleasePooled
}

// pooled reports whether the stream releases its whole pool at once (see
// ReleasePooled).
func (s *Stream) pooled(e *engine) bool {
	switch s.sc.Release {
	case ReleasePooled:
		return true
	case ReleaseEachWindow:
		return false
	}
	return len(e.model.rest) > 0
}

// decide splits a window into released classes, suppressed rows and
// carried rows (none unless carryClasses), and verifies the release.
func (s *Stream) decide(e *engine, t Table, all []StreamRow, parts []part, supp [][]int32, groups map[string]*group,
	keys []string, room, maxDelay int, out StreamResult, carryClasses bool) (StreamResult, error) {
	columns := t.Columns
	carry := make([]bool, len(all))
	nextCarry := 0
	for _, rs := range supp { // rows no class held: wait if they may
		for _, r := range rs {
			if carryClasses && all[r].Delay < maxDelay && nextCarry < room {
				carry[r] = true
				nextCarry++
			}
		}
	}
	var released []part
	var relSupp []int32
	for _, k := range keys {
		g := groups[k]
		ncp := g.pen / float64(g.rows*max(e.q, 1))
		if carryClasses && !g.forced && ncp > s.sc.CarryAbove && nextCarry+g.rows <= room {
			for _, p := range g.parts {
				for _, r := range parts[p].rows {
					carry[r] = true
				}
			}
			nextCarry += g.rows
			continue
		}
		for _, p := range g.parts {
			released = append(released, parts[p])
		}
	}
	for _, rs := range supp {
		for _, r := range rs {
			if !carry[r] {
				relSupp = append(relSupp, r)
			}
		}
	}
	res := e.release(t, released, [][]int32{relSupp})
	in := Table{Columns: columns}
	rel := Table{Columns: columns}
	for _, p := range released {
		for _, r := range p.rows {
			in.Rows = append(in.Rows, t.Rows[r])
			rel.Rows = append(rel.Rows, res.Rows[r])
			out.Released = append(out.Released, StreamRow{ID: all[r].ID, Row: res.Rows[r], Delay: all[r].Delay})
			out.MaxDelay = max(out.MaxDelay, all[r].Delay)
		}
	}
	for _, r := range relSupp {
		in.Rows = append(in.Rows, t.Rows[r])
		rel.Rows = append(rel.Rows, res.Rows[r])
		out.Suppressed = append(out.Suppressed, StreamRow{ID: all[r].ID, Delay: all[r].Delay})
		out.MaxDelay = max(out.MaxDelay, all[r].Delay)
	}
	slices.SortFunc(out.Released, func(a, b StreamRow) int { return slices.Compare(a.Row, b.Row) })
	s.next = s.next[:0:0]
	for i, c := range carry {
		if c {
			s.next = append(s.next, all[i])
		}
	}
	out.CarriedOut = len(s.next)
	s.pending = true
	if len(out.Released) == 0 {
		return out, nil // nothing released: nothing to verify
	}
	// Rows suppressed here are those whose delay expired: bounded by the
	// delay, counted and audited, not by max_suppression of this release
	// (a small release with many expired rows would otherwise stop the stream).
	vcfg := s.cfg
	vcfg.MaxSuppression = 1
	m, err := Verify(in, rel, vcfg)
	if err != nil {
		return StreamResult{}, fmt.Errorf("verifying stream window: %w", err)
	}
	out.Metrics = m
	return out, nil
}

// group is the parts of a window that render to one label tuple.
type group struct {
	parts  []int
	rows   int
	pen    float64 // summed cell penalty over rows
	forced bool    // holds a row whose delay expired
}
