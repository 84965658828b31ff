package app

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/deidstream/deidstream/deid"
)

// TestCarryStateSurvivesAbortsAndRestarts runs windows that commit, abort or
// crash (a new Carry restored from what the topic committed) at random, with
// the state split into many parts: after every restart the restored rows are
// exactly the rows the last committed window held, with their delays; every
// input row is settled (released or suppressed) exactly once; no row waits
// more than max_delay_windows windows.
func TestCarryStateSurvivesAbortsAndRestarts(t *testing.T) {
	secret := strings.Repeat("ab", 32)
	cols := []string{"age", "sex", "note"}
	cfg := carryConfig()
	for seed := range uint64(20) {
		rng := rand.New(rand.NewPCG(seed, 7))
		c, err := newCarry(cfg, secret, "w1")
		if err != nil {
			t.Fatal(err)
		}
		var topic []*kgo.Record
		settled := map[int64]int{}          // offset -> times settled by a committed window
		committedHeld := map[int64]string{} // offset -> delay and values, as the last committed window left them
		restoredRows := 0
		off := int64(0)
		for step := range 60 {
			n := rng.IntN(5)
			rows := make([][]string, n)
			src := make([]deid.OffsetRange, n)
			for i := range n {
				age := fmt.Sprint(20 + rng.IntN(70))
				if rng.IntN(8) == 0 {
					age = "90+" // top-coded: held as given
				}
				rows[i] = []string{age, []string{"F", "M"}[rng.IntN(2)], fmt.Sprint("note ", off+int64(i))}
				src[i] = deid.OffsetRange{Topic: "raw", First: off + int64(i), Last: off + int64(i)}
			}
			last := step == 59
			res, err := c.Carry(cols, rows, src, last)
			if err != nil {
				t.Fatalf("seed %d step %d: %v", seed, step, err)
			}
			recs, err := c.State(300)
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range recs {
				if len(s.Value) > 300 || strings.Contains(string(s.Value), "note") {
					t.Fatalf("seed %d step %d: state part %q of %d bytes: over the limit or holding a value in clear", seed, step, s.Key, len(s.Value))
				}
			}
			switch r := rng.IntN(10); {
			case r < 2 && !last: // aborted: consumed again next step
				c.Abort()
				continue
			case r < 3 && !last: // crash after publishing, before the commit: the successor restores
				c, err = newCarry(cfg, secret, "w1")
				if err != nil {
					t.Fatal(err)
				}
				if err := c.restore(topic); err != nil {
					t.Fatalf("seed %d step %d: restore after a crash: %v", seed, step, err)
				}
				restoredRows += checkRestored(t, c, committedHeld, seed, step)
				continue
			}
			for _, s := range recs {
				topic = append(topic, &kgo.Record{Key: s.Key, Value: s.Value})
			}
			c.Commit()
			off += int64(n)
			for _, s := range res.Summary.Settled {
				for o := s.First; o <= s.Last; o++ {
					settled[o]++
				}
			}
			for i, h := range res.Held {
				if !h { // released or suppressed in its own window
					settled[src[i].First]++
				}
			}
			committedHeld = held(c)
			for _, r := range c.ws.Carried() {
				if r.Delay >= cfg.Carry.MaxDelay {
					t.Errorf("seed %d step %d: row %d held with delay %d, max %d", seed, step, c.src[r.ID].First, r.Delay, cfg.Carry.MaxDelay)
				}
			}
			if rng.IntN(4) == 0 { // a restart after the commit
				c, err = newCarry(cfg, secret, "w1")
				if err != nil {
					t.Fatal(err)
				}
				if err := c.restore(topic); err != nil {
					t.Fatalf("seed %d step %d: restore after a restart: %v", seed, step, err)
				}
				restoredRows += checkRestored(t, c, committedHeld, seed, step)
			}
		}
		t.Logf("seed %d: %d offsets, %d state records, %d rows restored", seed, off, len(topic), restoredRows)
		for o := range off {
			if settled[o] != 1 {
				t.Errorf("seed %d: offset %d settled %d times, want once", seed, o, settled[o])
			}
		}
	}
}

// held is the rows c holds (committed), by offset: delay and values.
func held(c *Carry) map[int64]string {
	out := map[int64]string{}
	for _, r := range c.ws.Carried() {
		out[c.src[r.ID].First] = fmt.Sprint(r.Delay, r.Row)
	}
	return out
}

// checkRestored fails unless c, just restored, holds want; it returns how many rows it holds.
func checkRestored(t *testing.T, c *Carry, want map[int64]string, seed uint64, step int) int {
	t.Helper()
	got := held(c)
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("seed %d step %d: restored rows (offset: delay values) %v, want %v", seed, step, got, want)
	}
	return len(got)
}
