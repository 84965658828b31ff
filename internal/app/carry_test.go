package app

import (
	"bytes"
	"context"
	"errors"
	"net"
	"slices"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/deidstream/deidstream/deid"
	"github.com/deidstream/deidstream/privacy"
)

func carryConfig() privacy.Config {
	cfg := privacy.DefaultConfig()
	cfg.QuasiIdentifiers = []privacy.QuasiIdentifier{{Name: "age", Kind: privacy.KindNumeric}, {Name: "sex"}}
	cfg.K = 3
	cfg.Carry = privacy.StreamConfig{MaxDelay: 2}
	return cfg
}

// topicOf is what the carry topic holds after the given writes, as records in offset order.
func topicOf(writes ...[]pipelineState) []*kgo.Record {
	var out []*kgo.Record
	for _, w := range writes {
		for _, r := range w {
			out = append(out, &kgo.Record{Key: r.Key, Value: r.Value})
		}
	}
	return out
}

type pipelineState = struct{ Key, Value []byte }

func states(t *testing.T, c *Carry, limit int) []pipelineState {
	t.Helper()
	recs, err := c.State(limit)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]pipelineState, len(recs))
	for i, r := range recs {
		out[i] = pipelineState{r.Key, r.Value}
	}
	return out
}

// TestCarrySealedStateRestores: rows held by a window go into the state
// sealed (no value in clear, in parts under the record limit), a new Carry
// restores them from those records and releases them with later rows, naming
// their positions as settled; a state that does not open (another secret, a
// part missing) stops the restore instead of losing rows.
func TestCarrySealedStateRestores(t *testing.T) {
	secret := strings.Repeat("ab", 32)
	cols := []string{"age", "sex", "note"}
	pos := func(off int64) deid.OffsetRange {
		return deid.OffsetRange{Topic: "raw", Partition: 1, First: off, Last: off}
	}
	c, err := newCarry(carryConfig(), secret, "w1")
	if err != nil {
		t.Fatal(err)
	}
	res, err := c.Carry(cols, [][]string{{"41", "F", "Jane Roe called"}, {"42", "F", "Jane Roe again"}},
		[]deid.OffsetRange{pos(10), pos(11)}, false)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Held[0] || !res.Held[1] || len(res.Released) != 0 || res.Summary.Out != 2 ||
		len(res.Summary.Held) != 1 || res.Summary.Held[0].First != 10 || res.Summary.Held[0].Last != 11 {
		t.Fatalf("two rows under k=3: %+v, want both held as one range 10-11", res)
	}
	first := states(t, c, 160)
	if len(first) < 2 {
		t.Fatalf("state in %d parts under a 160-byte limit, want several", len(first))
	}
	for _, s := range first {
		if len(s.Value) > 160 || bytes.Contains(s.Value, []byte("Jane")) || bytes.Contains(s.Value, []byte("41")) {
			t.Fatalf("state part %q: over the limit or holding a value in clear", s.Key)
		}
		if !strings.HasPrefix(string(s.Key), "w1/") {
			t.Errorf("state key %q does not name the worker alone", s.Key)
		}
	}
	c.Commit()
	if c.Waiting() != 2 {
		t.Errorf("Waiting() = %d after the commit, want 2", c.Waiting())
	}

	restored := func(secret string, recs []*kgo.Record) (*Carry, error) {
		r, err := newCarry(carryConfig(), secret, "w1")
		if err != nil {
			t.Fatal(err)
		}
		return r, r.restore(recs)
	}
	if _, err := restored(strings.Repeat("cd", 32), topicOf(first)); !errors.Is(err, ErrCarryState) {
		t.Errorf("another secret: %v, want ErrCarryState", err)
	}
	if _, err := restored(secret, topicOf(first[:1])); !errors.Is(err, ErrCarryState) {
		t.Errorf("a part missing: %v, want ErrCarryState", err)
	}
	r, err := restored(secret, topicOf(first))
	if err != nil {
		t.Fatal(err)
	}
	if r.Waiting() != 2 {
		t.Errorf("Waiting() = %d after restore, want 2", r.Waiting())
	}
	// A coarse class (ages 41-43) waits while its rows may.
	if res, err = r.Carry(cols, [][]string{{"43", "F", "n"}}, []deid.OffsetRange{pos(12)}, false); err != nil {
		t.Fatal(err)
	}
	if res.Summary.In != 2 || res.Summary.Out != 3 || len(res.Released) != 0 {
		t.Fatalf("after restore: %+v, want the 2 restored rows carried in, all 3 held", res)
	}
	r.Commit()
	// Then the restored rows' delay runs out: they go, with the newer row for company.
	if res, err = r.Carry(cols, nil, nil, false); err != nil {
		t.Fatal(err)
	}
	if len(res.Released) != 3 || res.Summary.In != 3 || res.Summary.Out != 0 ||
		len(res.Summary.Settled) != 1 || res.Summary.Settled[0].First != 10 || res.Summary.Settled[0].Last != 12 ||
		res.Summary.Waited[1] != 1 || res.Summary.Waited[2] != 2 {
		t.Fatalf("delay expired: %+v, want 3 released, 10-12 settled, waited 2, 2, 1", res)
	}
	// Nothing held: the state's parts are deleted.
	second := states(t, r, 160)
	r.Commit()
	tomb := 0
	for _, s := range second {
		if s.Value == nil {
			tomb++
		}
	}
	if tomb != len(first) || len(second) != tomb {
		t.Errorf("%d records, %d tombstones, want %d tombstones alone (nothing held: every part deleted)", len(second), tomb, len(first))
	}
	again, err := restored(secret, topicOf(first, second))
	if err != nil || len(again.ws.Carried()) != 0 {
		t.Errorf("restore after the state emptied: %v, %d rows held; want none", err, len(again.ws.Carried()))
	}
	if s := states(t, again, 160); len(s) != 0 {
		t.Errorf("nothing held before or after: %d state records, want none", len(s))
	}
}

// TestCarryLastHoldsNothing: the last window of a bounded run, or a window
// of no input once input idled (pipeline.Config.CarryMaxIdle), releases or
// suppresses every row, the held ones included, and leaves no state.
func TestCarryLastHoldsNothing(t *testing.T) {
	cols := []string{"age", "sex", "note"}
	pos := func(off int64) deid.OffsetRange {
		return deid.OffsetRange{Topic: "raw", Partition: 0, First: off, Last: off}
	}
	c, err := newCarry(carryConfig(), strings.Repeat("ab", 32), "w1")
	if err != nil {
		t.Fatal(err)
	}
	res, err := c.Carry(cols, [][]string{{"41", "F", "a"}, {"42", "F", "b"}}, []deid.OffsetRange{pos(1), pos(2)}, false)
	if err != nil || res.Summary.Out != 2 {
		t.Fatalf("two rows under k=3: %+v, %v; want both held", res, err)
	}
	c.Commit()
	res, err = c.Carry(cols, [][]string{{"43", "F", "c"}}, []deid.OffsetRange{pos(3)}, true)
	if err != nil {
		t.Fatal(err)
	}
	if res.Summary.Out != 0 || res.Held[0] || len(res.Released)+int(res.Summary.Expired) != 3 {
		t.Fatalf("last window: %+v; want the 2 held rows and the new one released or suppressed, none held", res)
	}
	for _, s := range states(t, c, 1<<20) {
		if s.Value != nil {
			t.Errorf("state part %q written after the last window, want only tombstones", s.Key)
		}
	}
	c.Commit()
	// A window of no input.
	if _, err := c.Carry(cols, [][]string{{"44", "M", "d"}}, []deid.OffsetRange{pos(4)}, false); err != nil {
		t.Fatal(err)
	}
	c.Commit()
	if c.Waiting() != 1 {
		t.Fatalf("Waiting() = %d, want the row under k=3 held", c.Waiting())
	}
	if res, err = c.Carry(cols, nil, nil, true); err != nil || res.Summary.In != 1 || res.Summary.Out != 0 ||
		len(res.Released)+int(res.Summary.Expired) != 1 {
		t.Fatalf("window of no input: %+v, %v; want the held row released or suppressed", res, err)
	}
	c.Commit()
	if c.Waiting() != 0 {
		t.Errorf("Waiting() = %d after the window of no input, want 0", c.Waiting())
	}
}

// lastValues is the compacted view of records: the last value of each key.
func lastValues(recs []*kgo.Record) map[string][]byte {
	last := map[string][]byte{}
	for _, r := range recs {
		last[string(r.Key)] = r.Value
	}
	return last
}

// TestCarryStateIsIncremental: a window writes the rows it newly holds (one
// segment) and the index, not the rows earlier windows hold; the restored
// state has every held row with its delay; a segment goes (tombstones) once
// none of its rows waits; an index naming a missing segment stops the restore.
func TestCarryStateIsIncremental(t *testing.T) {
	secret := strings.Repeat("ab", 32)
	cols := []string{"age", "sex", "note"}
	pos := func(off int64) deid.OffsetRange { return deid.OffsetRange{Topic: "raw", First: off, Last: off} }
	c, err := newCarry(carryConfig(), secret, "w1")
	if err != nil {
		t.Fatal(err)
	}
	window := func(rows [][]string, src []deid.OffsetRange) []pipelineState {
		t.Helper()
		if _, err := c.Carry(cols, rows, src, false); err != nil {
			t.Fatal(err)
		}
		s := states(t, c, 1<<20)
		c.Commit()
		return s
	}
	segments := func(s []pipelineState) (written, deleted int) {
		for _, r := range s {
			if strings.HasPrefix(string(r.Key), "w1/s/") {
				if r.Value == nil {
					deleted++
				} else {
					written++
				}
			}
		}
		return written, deleted
	}
	// Two rows under k=3 wait; then a third, far from them: all three wait.
	first := window([][]string{{"30", "M", "Alan Poe"}, {"50", "M", "Bo Diddley"}}, []deid.OffsetRange{pos(1), pos(2)})
	second := window([][]string{{"70", "F", "Cy Twombly"}}, []deid.OffsetRange{pos(3)})
	if w, d := segments(first); w != 1 || d != 0 {
		t.Errorf("first window: %d segment parts written, %d deleted; want 1, 0", w, d)
	}
	if w, d := segments(second); w != 1 || d != 0 {
		t.Errorf("second window: %d segment parts written, %d deleted; want the new row's segment alone", w, d)
	}
	for _, f := range first {
		for _, s := range second {
			if bytes.Equal(s.Key, f.Key) && strings.HasPrefix(string(s.Key), "w1/s/") {
				t.Errorf("second window rewrote %q", s.Key)
			}
		}
	}
	st, _, err := c.open(lastValues(topicOf(first, second)))
	if err != nil {
		t.Fatal(err)
	}
	delays := map[int64]int{}
	for _, r := range st.Rows {
		delays[r.Src.First] = r.Delay
	}
	if len(st.Rows) != 3 || delays[1] != 1 || delays[2] != 1 || delays[3] != 0 {
		t.Errorf("restored rows by offset and delay: %v, want 1 and 2 waited one window, 3 none", delays)
	}
	// The first segment named by the index is gone: the restore stops.
	var partial []pipelineState
	for _, s := range first {
		if !strings.HasPrefix(string(s.Key), "w1/s/") {
			partial = append(partial, s)
		}
	}
	r, _ := newCarry(carryConfig(), secret, "w1")
	if err := r.restore(topicOf(partial, second)); !errors.Is(err, ErrCarryState) {
		t.Errorf("a segment missing: %v, want ErrCarryState", err)
	}
	// The first rows' delay runs out: all three go, and every part is deleted.
	third := window(nil, nil)
	if w, d := segments(third); w != 0 || d != 2 {
		t.Errorf("nothing held: %d segment parts written, %d deleted; want 0, 2", w, d)
	}
	for _, s := range third {
		if s.Value != nil {
			t.Errorf("nothing held, yet %q written", s.Key)
		}
	}
	if c.Waiting() != 0 {
		t.Errorf("Waiting() = %d, want 0", c.Waiting())
	}
}

// TestCarryReadsVersion1State: a whole state written by version 1 (keys
// "<worker>/<part>") is restored, and the next window replaces it.
func TestCarryReadsVersion1State(t *testing.T) {
	secret := strings.Repeat("ab", 32)
	c, err := newCarry(carryConfig(), secret, "w1")
	if err != nil {
		t.Fatal(err)
	}
	plain := `{"columns":["age","sex","note"],"rows":[{"src":{"topic":"raw","partition":0,"first":7,"last":7},"delay":1,"values":["30","M","x"]}]}`
	gen := bytes.Repeat([]byte{9}, 16)
	nonce := make([]byte, c.aead.NonceSize())
	blob := c.aead.Seal(nonce, nonce, []byte(plain), c.aad("", gen))
	v := slices.Concat([]byte(carryMagicV1), gen, []byte{0, 0, 0, 0, 0, 0, 0, 1}, blob)
	if err := c.restore([]*kgo.Record{{Key: []byte("w1/0"), Value: v}}); err != nil {
		t.Fatal(err)
	}
	if c.Waiting() != 1 {
		t.Fatalf("Waiting() = %d after restoring a version 1 state of one row, want 1", c.Waiting())
	}
	if _, err := c.Carry([]string{"age", "sex", "note"}, [][]string{{"31", "M", "y"}}, []deid.OffsetRange{{Topic: "raw", First: 8, Last: 8}}, false); err != nil {
		t.Fatal(err)
	}
	deleted := false
	for _, s := range states(t, c, 1<<20) {
		if string(s.Key) == "w1/0" {
			deleted = s.Value == nil
		}
	}
	if !deleted {
		t.Error("the next window did not delete the version 1 state")
	}
}

// A start reads the carry state back through kafkaWait, which retries only
// what unreachable recognises: Restore's error when no broker answers must
// stay one, or a start during an outage would fail instead of waiting.
func TestCarryRestoreWaitsOutAnOutage(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c := &Carry{worker: "w1"}
	err = c.Restore(ctx, []kgo.Opt{kgo.SeedBrokers(addr)}, "deid.carry")
	if err == nil || !unreachable(err) {
		t.Fatalf("Restore with no broker: %v; want an error kafkaWait retries", err)
	}
}

// The worker's record strings share the fetched batch they were decoded
// from (pipeline's decode does not copy): a row held for later windows must
// be its own copy, or each would keep a whole fetched batch alive.
func TestCarryHeldRowsAreCopies(t *testing.T) {
	c, err := newCarry(carryConfig(), strings.Repeat("ab", 32), "w1")
	if err != nil {
		t.Fatal(err)
	}
	batch := []byte("41F Jane Roe called42")
	view := func(i, j int) string { return unsafe.String(&batch[i], j-i) } // as decode reads a record
	rows := [][]string{{view(0, 2), view(2, 3), view(4, 19)}, {view(19, 21), view(2, 3), view(4, 8)}}
	res, err := c.Carry([]string{"age", "sex", "note"}, rows, []deid.OffsetRange{{Topic: "raw"}, {Topic: "raw"}}, false)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Held[0] || !res.Held[1] {
		t.Fatalf("two rows under k=3: %+v, want both held", res)
	}
	start, end := uintptr(unsafe.Pointer(&batch[0])), uintptr(unsafe.Pointer(&batch[len(batch)-1]))
	for _, r := range c.ws.Next() {
		for _, v := range r.Row {
			if p := uintptr(unsafe.Pointer(unsafe.StringData(v))); p >= start && p <= end {
				t.Fatalf("held row %d keeps %q inside the fetched batch", r.ID, v)
			}
		}
	}
}
