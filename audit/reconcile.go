package audit

import (
	"cmp"
	"fmt"
	"slices"
)

// Position is one input record: topic, partition, offset.
type Position struct {
	Topic     string
	Partition int32
	Offset    int64
}

func (p Position) String() string { return fmt.Sprintf("%s/%d/%d", p.Topic, p.Partition, p.Offset) }

// Reconciliation accounts for every input record a worker's audit log says it consumed.
type Reconciliation struct {
	Windows     int // window events read
	Consumed    int // input records inside some window's input ranges
	Published   int // consumed records published once
	Quarantined int // consumed records quarantined once
	Suppressed  int // consumed records neither published nor quarantined: suppressed by their window
	// Settled are consumed records of carry-over windows (privacy.carry)
	// published or suppressed, by their own window or the later one that
	// settled them: which of the two is not said (research rows of those
	// windows carry no source offset), the counts are checked against the events.
	Settled int
	Carried int // consumed records still held for a later window (the last carry state)
	Pending int // input records after every window: not yet processed
	// Problems name each record or window that breaks exactly-once, by position (never content).
	Problems []string
}

// OK reports no problem.
func (r *Reconciliation) OK() bool { return len(r.Problems) == 0 }

// maxProblems bounds the problems listed; the count says how many there were.
const maxProblems = 50

// Reconcile proves, from the window events and what the topics hold, that every input record
// was consumed by exactly one window and then published exactly once, quarantined exactly once,
// or suppressed: input lists the committed input records (offsets the read saw, so transaction
// markers are not counted as missing), published the source positions of research rows and
// quarantined those of quarantined records. It checks that window input ranges never overlap,
// that no record between a partition's first and last consumed offset is outside every window,
// that nothing is published or quarantined twice, or both, or without a window that consumed it,
// and that the totals match the window events'.
//
// Records carried to a later window by streaming anonymization (events with Carry) count where
// they end up: each held record must be settled by exactly one later window of the same worker,
// or be held still by that worker's last carry state. Research rows of carry windows have no
// source (a published position with a negative offset): they are counted, per all carry windows,
// against the events' published totals.
func Reconcile(windows []*WindowEvent, input, published, quarantined []Position) *Reconciliation {
	r := &Reconciliation{Windows: len(windows)}
	problem := func(format string, a ...any) {
		if len(r.Problems) < maxProblems {
			r.Problems = append(r.Problems, fmt.Sprintf(format, a...))
		} else if len(r.Problems) == maxProblems {
			r.Problems = append(r.Problems, "more problems not listed")
		}
	}
	type tp struct {
		topic string
		part  int32
	}
	type span struct {
		first, last int64
		window      uint64
		worker      string
		carry       bool // a carry-over window's
	}
	ranges := map[tp][]span{}
	var wantPub, wantSup, wantQuar, wantSettled, wantAnon, wantCarried int64
	c := newCarries()
	for _, w := range windows {
		wantQuar += w.Quarantined
		if w.Carry != nil {
			wantSettled += w.Published + w.Suppressed
			wantAnon += w.Published
			for _, p := range c.window(w) {
				problem("%s", p)
			}
		} else {
			wantPub += w.Published
			wantSup += w.Suppressed
		}
		for _, in := range w.Inputs {
			k := tp{in.Topic, in.Partition}
			ranges[k] = append(ranges[k], span{in.First, in.Last, w.Window, w.WorkerID, w.Carry != nil})
		}
	}
	for _, out := range c.lastOut {
		wantCarried += out
	}
	for k, rs := range ranges {
		slices.SortFunc(rs, func(a, b span) int { return cmp.Compare(a.first, b.first) })
		for i := 1; i < len(rs); i++ {
			if rs[i].first <= rs[i-1].last {
				problem("%s/%d: offsets %d-%d consumed by window %d and again by window %d",
					k.topic, k.part, rs[i].first, min(rs[i].last, rs[i-1].last), rs[i-1].window, rs[i].window)
			}
		}
	}
	window := func(p Position) (span, bool) {
		rs := ranges[tp{p.Topic, p.Partition}]
		i, _ := slices.BinarySearchFunc(rs, p.Offset, func(s span, off int64) int {
			switch {
			case s.last < off:
				return -1
			case s.first > off:
				return 1
			}
			return 0
		})
		if i < len(rs) && rs[i].first <= p.Offset && p.Offset <= rs[i].last {
			return rs[i], true
		}
		return span{}, false
	}
	inWindow := func(p Position) bool {
		_, ok := window(p)
		return ok
	}
	var anon int64 // published rows without a source: carry windows'
	positioned := published[:0:0]
	for _, p := range published {
		if p.Offset < 0 {
			anon++
		} else {
			positioned = append(positioned, p)
		}
	}
	count := func(ps []Position, what string) map[Position]int {
		n := make(map[Position]int, len(ps))
		for _, p := range ps {
			if n[p]++; n[p] == 2 {
				problem("%s %s twice", p, what)
			}
			if n[p] == 1 && !inWindow(p) {
				problem("%s %s but consumed by no window", p, what)
			}
		}
		return n
	}
	pub, quar := count(positioned, "published"), count(quarantined, "quarantined")
	for _, p := range input {
		rs := ranges[tp{p.Topic, p.Partition}]
		switch {
		case len(rs) == 0 || p.Offset > rs[len(rs)-1].last:
			r.Pending++
			continue
		case p.Offset < rs[0].first:
			continue // before the first window of the log: an earlier log's, or trimmed by retention
		case !inWindow(p):
			problem("%s is in no window: skipped", p)
			continue
		}
		r.Consumed++
		s, _ := window(p)
		_, isHeld := c.held[p]
		switch np, nq := pub[p], quar[p]; {
		case np > 0 && nq > 0:
			problem("%s both published and quarantined", p)
		case np > 0 && s.carry:
			problem("%s published with its source by carry window %d", p, s.window)
		case (np > 0 || nq > 0) && isHeld:
			problem("%s held for a later window and also published or quarantined", p)
		case np > 0:
			r.Published++
		case nq > 0:
			r.Quarantined++
		case isHeld && c.held[p].settled:
			r.Settled++
		case isHeld:
			r.Carried++
		case s.carry:
			r.Settled++
		default:
			r.Suppressed++
		}
	}
	for p, h := range c.held {
		if s, ok := window(p); !ok || s.window != h.window || s.worker != h.worker {
			problem("%s held by window %d of %s, which did not consume it", p, h.window, h.worker)
		}
	}
	for _, c := range []struct {
		what      string
		got, want int64
	}{{"published", int64(r.Published), wantPub}, {"quarantined", int64(r.Quarantined), wantQuar},
		{"suppressed", int64(r.Suppressed), wantSup}, {"settled by carry windows", int64(r.Settled), wantSettled},
		{"published without a source (carry windows)", anon, wantAnon}, {"held for a later window", int64(r.Carried), wantCarried}} {
		if c.got != c.want {
			problem("%d input records %s, the window events say %d", c.got, c.what, c.want)
		}
	}
	return r
}

// held is where a carried record was held, and whether a later window settled it.
type held struct {
	worker  string
	window  uint64
	settled bool
}

// carries follows the carry state of each worker through its carry windows, in log order.
type carries struct {
	held    map[Position]*held
	lastOut map[string]int64 // worker -> rows held after its last carry window
}

func newCarries() *carries {
	return &carries{held: map[Position]*held{}, lastOut: map[string]int64{}}
}

// window takes one carry window's held and settled positions and returns what breaks exactly-once.
func (c *carries) window(w *WindowEvent) []string {
	var problems []string
	positions := func(rs []InputRange, f func(Position)) {
		for _, rg := range rs {
			for off := rg.First; off <= rg.Last; off++ {
				f(Position{rg.Topic, rg.Partition, off})
			}
		}
	}
	positions(w.Carry.Settled, func(p Position) {
		switch h := c.held[p]; {
		case h == nil:
			problems = append(problems, fmt.Sprintf("%s settled by window %d of %s but held by no earlier window", p, w.Window, w.WorkerID))
		case h.worker != w.WorkerID:
			problems = append(problems, fmt.Sprintf("%s held by %s but settled by window %d of %s", p, h.worker, w.Window, w.WorkerID))
		case h.settled:
			problems = append(problems, fmt.Sprintf("%s settled twice (again by window %d of %s)", p, w.Window, w.WorkerID))
		default:
			h.settled = true
		}
	})
	positions(w.Carry.Held, func(p Position) {
		if h := c.held[p]; h != nil {
			problems = append(problems, fmt.Sprintf("%s held by window %d of %s and again by window %d of %s", p, h.window, h.worker, w.Window, w.WorkerID))
			return
		}
		c.held[p] = &held{worker: w.WorkerID, window: w.Window}
	})
	c.lastOut[w.WorkerID] = w.Carry.Out
	return problems
}
