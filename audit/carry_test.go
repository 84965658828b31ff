package audit

import (
	"errors"
	"testing"

	"github.com/deidstream/deidstream/deid"
)

// TestCarryEventInTheLog: a carry-over window event enters the log, decodes
// back whole (canonical form), and one whose carry counts do not add up is refused.
func TestCarryEventInTheLog(t *testing.T) {
	l := NewLog(testSigner(t, "w", 1), "w")
	ev := WindowEvent{Window: 1, RecordsIn: 150, Published: 140, Suppressed: 1, Quarantined: 1,
		Inputs: []InputRange{{Topic: "raw", First: 0, Last: 149}},
		Carry: &deid.CarrySummary{In: 4, Out: 12, Max: 3, Expired: 1, Waited: []int64{137, 2, 1, 1},
			Held:    []InputRange{{Topic: "raw", First: 140, Last: 149}, {Topic: "raw", First: 3, Last: 3}},
			Settled: []InputRange{{Topic: "old", First: 7, Last: 9}}}}
	m, err := l.Append(ev)
	if err != nil {
		t.Fatal(err)
	}
	d, err := DecodeEntry(m.Value)
	if err != nil {
		t.Fatal(err)
	}
	if c := d.Window.Carry; c == nil || c.Out != 12 || len(c.Held) != 2 || c.Waited[3] != 1 {
		t.Errorf("decoded carry %+v, want what was appended", c)
	}
	for name, change := range map[string]func(*WindowEvent){
		"a row lost":            func(e *WindowEvent) { e.Carry.Out = 11 },
		"settled not counted":   func(e *WindowEvent) { e.Carry.Settled = nil },
		"waited not the output": func(e *WindowEvent) { e.Carry.Waited = []int64{137} },
	} {
		bad := ev
		c := *ev.Carry
		bad.Carry = &c
		change(&bad)
		if _, err := l.Append(bad); !errors.Is(err, ErrAccounting) {
			t.Errorf("%s: %v, want ErrAccounting", name, err)
		}
	}
}
