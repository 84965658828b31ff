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
	Pending     int // input records after every window: not yet processed
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
// and that the totals match the window events'. Records carried to a later window by streaming
// anonymization count where they end up.
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
	}
	ranges := map[tp][]span{}
	var wantPub, wantSup, wantQuar int64
	for _, w := range windows {
		wantPub += w.Published
		wantSup += w.Suppressed
		wantQuar += w.Quarantined
		for _, in := range w.Inputs {
			k := tp{in.Topic, in.Partition}
			ranges[k] = append(ranges[k], span{in.First, in.Last, w.Window})
		}
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
	inWindow := func(p Position) bool {
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
		return i < len(rs) && rs[i].first <= p.Offset && p.Offset <= rs[i].last
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
	pub, quar := count(published, "published"), count(quarantined, "quarantined")
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
		switch np, nq := pub[p], quar[p]; {
		case np > 0 && nq > 0:
			problem("%s both published and quarantined", p)
		case np > 0:
			r.Published++
		case nq > 0:
			r.Quarantined++
		default:
			r.Suppressed++
		}
	}
	for _, c := range []struct {
		what      string
		got, want int64
	}{{"published", int64(r.Published), wantPub}, {"quarantined", int64(r.Quarantined), wantQuar},
		{"suppressed", int64(r.Suppressed), wantSup}} {
		if c.got != c.want {
			problem("%d input records %s, the window events say %d", c.got, c.what, c.want)
		}
	}
	return r
}
