package audit

import (
	"github.com/deidstream/deidstream/deid"

	"strings"
	"testing"
)

func TestReconcile(t *testing.T) {
	pos := func(off ...int64) []Position {
		var ps []Position
		for _, o := range off {
			ps = append(ps, Position{"raw", 0, o})
		}
		return ps
	}
	win := func(n uint64, first, last, pub, sup, quar int64) *WindowEvent {
		return &WindowEvent{Window: n, Inputs: []InputRange{{Topic: "raw", Partition: 0, First: first, Last: last}},
			Published: pub, Suppressed: sup, Quarantined: quar}
	}
	// Offsets 0-9 in two windows; offset 5 is a transaction marker (never read); 10-11 pending.
	input := pos(0, 1, 2, 3, 4, 6, 7, 8, 9, 10, 11)
	windows := []*WindowEvent{win(1, 0, 4, 3, 1, 1), win(2, 5, 9, 4, 0, 0)}
	good := Reconcile(windows, input, pos(0, 1, 3, 6, 7, 8, 9), pos(2))
	if !good.OK() || good.Consumed != 9 || good.Published != 7 || good.Quarantined != 1 || good.Suppressed != 1 || good.Pending != 2 {
		t.Fatalf("clean log: %+v", good)
	}
	for _, tc := range []struct {
		name                   string
		windows                []*WindowEvent
		published, quarantined []Position
		want                   string
	}{
		{"published twice", windows, pos(0, 1, 3, 6, 7, 8, 9, 9), pos(2), "raw/0/9 published twice"},
		{"published and quarantined", windows, pos(0, 1, 2, 3, 6, 7, 8, 9), pos(2), "raw/0/2 both published and quarantined"},
		{"published by no window", windows, pos(0, 1, 3, 6, 7, 8, 9, 11), pos(2), "raw/0/11 published but consumed by no window"},
		{"overlapping windows", []*WindowEvent{win(1, 0, 4, 3, 1, 1), win(2, 4, 9, 4, 0, 0)}, pos(0, 1, 3, 6, 7, 8, 9), pos(2),
			"offsets 4-4 consumed by window 1 and again by window 2"},
		{"a gap", []*WindowEvent{win(1, 0, 3, 3, 0, 1), win(2, 6, 9, 4, 0, 0)}, pos(0, 1, 3, 6, 7, 8, 9), pos(2), "raw/0/4 is in no window"},
		{"a lost record", windows, pos(0, 1, 3, 6, 7, 8), pos(2), "6 input records published, the window events say 7"},
	} {
		r := Reconcile(tc.windows, input, tc.published, tc.quarantined)
		if r.OK() || !strings.Contains(strings.Join(r.Problems, "\n"), tc.want) {
			t.Errorf("%s: problems %q, want one containing %q", tc.name, r.Problems, tc.want)
		}
	}
}

// TestReconcileCarry: records held by a carry window are settled by exactly
// one later window of the same worker, or still held by its last state.
func TestReconcileCarry(t *testing.T) {
	rg := func(first, last int64) []InputRange {
		return []InputRange{{Topic: "raw", Partition: 0, First: first, Last: last}}
	}
	pos := func(off ...int64) []Position {
		var ps []Position
		for _, o := range off {
			ps = append(ps, Position{"raw", 0, o})
		}
		return ps
	}
	anon := func(n int) []Position { // published rows without a source
		ps := make([]Position, n)
		for i := range ps {
			ps[i] = Position{Partition: -1, Offset: -1}
		}
		return ps
	}
	// Window 1 (0-4): 2 quarantined, 1 and 3 held, 0 and 4 published.
	// Window 2 (5-9): holds 7; settles 5, 6, 8, 9 and the held 1 and 3: 5 published, 1 suppressed.
	// Window 3 (10-11): holds 7 still (carried in and out), publishes 10, 11.
	w := func(n uint64, in []InputRange, recIn, pub, sup, quar int64, c *deid.CarrySummary) *WindowEvent {
		return &WindowEvent{WorkerID: "w1", Window: n, Inputs: in, RecordsIn: recIn, Published: pub, Suppressed: sup, Quarantined: quar, Carry: c}
	}
	windows := func() []*WindowEvent {
		return []*WindowEvent{
			w(1, rg(0, 4), 5, 2, 0, 1, &deid.CarrySummary{Held: []InputRange{rg(1, 1)[0], rg(3, 3)[0]}, Out: 2, Waited: []int64{2}}),
			w(2, rg(5, 9), 5, 5, 1, 0, &deid.CarrySummary{Held: rg(7, 7), Settled: []InputRange{rg(1, 1)[0], rg(3, 3)[0]}, In: 2, Out: 1, Waited: []int64{4, 2}}),
			w(3, rg(10, 11), 2, 2, 0, 0, &deid.CarrySummary{In: 1, Out: 1, Waited: []int64{2}}),
		}
	}
	input := pos(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11)
	for _, e := range windows() {
		if err := e.validateCarry(); err != nil {
			t.Fatalf("window %d: %v", e.Window, err)
		}
	}
	good := Reconcile(windows(), input, anon(9), pos(2))
	if !good.OK() || good.Consumed != 12 || good.Settled != 10 || good.Quarantined != 1 || good.Carried != 1 || good.Published != 0 {
		t.Fatalf("clean carry log: %+v", good)
	}
	for _, tc := range []struct {
		name   string
		change func([]*WindowEvent) []*WindowEvent
		pub    []Position
		want   string
	}{
		{"settled twice", func(ws []*WindowEvent) []*WindowEvent {
			ws[2].Carry.Settled = rg(1, 1)
			return ws
		}, anon(9), "raw/0/1 settled twice"},
		{"settled without being held", func(ws []*WindowEvent) []*WindowEvent {
			ws[1].Carry.Settled = []InputRange{rg(1, 1)[0], rg(4, 4)[0]}
			return ws
		}, anon(9), "raw/0/4 settled by window 2 of w1 but held by no earlier window"},
		{"settled by another worker", func(ws []*WindowEvent) []*WindowEvent {
			ws[1].WorkerID = "w2"
			return ws
		}, anon(9), "raw/0/1 held by w1 but settled by window 2 of w2"},
		{"a held record lost", func(ws []*WindowEvent) []*WindowEvent {
			ws[2].Carry.Out = 0
			return ws
		}, anon(9), "1 input records held for a later window, the window events say 0"},
		{"a row published twice", func(ws []*WindowEvent) []*WindowEvent { return ws }, anon(10),
			"10 input records published without a source (carry windows), the window events say 9"},
		{"a held record published with its source", func(ws []*WindowEvent) []*WindowEvent { return ws },
			append(anon(8), pos(7)...), "raw/0/7 published with its source by carry window 2"},
	} {
		r := Reconcile(tc.change(windows()), input, tc.pub, pos(2))
		if r.OK() || !strings.Contains(strings.Join(r.Problems, "\n"), tc.want) {
			t.Errorf("%s: problems %q, want one containing %q", tc.name, r.Problems, tc.want)
		}
	}
}
