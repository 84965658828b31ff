package audit

import (
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
