package audit

import (
	"bytes"
	"encoding/json"
	"math"
	"testing"
)

func TestCanonical(t *testing.T) {
	tests := []struct {
		name string
		in   any
		want string
	}{
		{"sorted keys", map[string]any{"b": 1, "a": 2, "A": 3}, `{"A":3,"a":2,"b":1}`},
		{"nested", map[string]any{"z": []any{map[string]any{"y": true, "x": nil}}}, `{"z":[{"x":null,"y":true}]}`},
		{"no html escape", map[string]string{"k": "<a&b>"}, `{"k":"<a&b>"}`},
		{"control escaped", "a\nb\u0001", `"a\nb\u0001"`},
		{"integral float", 2.0, `2`},
		{"fraction", 0.1, `0.1`},
		{"small", 1e-7, `1e-7`},
		{"large int64", int64(math.MaxInt64), `9223372036854775807`},
		{"negative zero", math.Copysign(0, -1), `0`},
		{"struct order", struct {
			B int `json:"b"`
			A int `json:"a"`
		}{1, 2}, `{"a":2,"b":1}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Canonical(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tc.want {
				t.Errorf("Canonical = %s, want %s", got, tc.want)
			}
			if !IsCanonical(got) {
				t.Errorf("output is not canonical by IsCanonical")
			}
		})
	}
	if _, err := Canonical(math.NaN()); err == nil {
		t.Error("NaN encoded without error")
	}
}

func TestIsCanonical(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{`{"a":1,"b":2}`, true},
		{`{"b":2,"a":1}`, false},
		{`{"a":1, "b":2}`, false},
		{`{"a":1.0}`, false},
		{`{"a":1e2}`, false},
		{`{"a":1,"a":1}`, false},
		{`{"a":"\u003c"}`, false},
		{`{"a":1}` + "\n", false},
		{`{"a":1}{}`, false},
		{`[]`, true},
		{``, false},
	}
	for _, tc := range tests {
		if got := IsCanonical([]byte(tc.in)); got != tc.want {
			t.Errorf("IsCanonical(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

// FuzzCanonical checks that canonical form is a fixed point and keeps the value.
func FuzzCanonical(f *testing.F) {
	for _, s := range []string{`{"b":[1,2.5,"x"],"a":null}`, `1e400`, `"\ud800"`, `{"a":{"a":{}}}`, `-0.0`, `12345678901234567890`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := canonicalize(b)
		if err != nil {
			return
		}
		c2, err := canonicalize(c)
		if err != nil || string(c2) != string(c) {
			t.Fatalf("not a fixed point: %q -> %q -> %q (%v)", b, c, c2, err)
		}
		var v1, v2 any
		if json.Unmarshal(b, &v1) == nil && json.Unmarshal(c, &v2) != nil {
			t.Fatalf("canonical form does not parse: %q", c)
		}
	})
}

// TestEntryEncoding checks the hand-written entry encoding of Append is the
// canonical form.
func TestEntryEncoding(t *testing.T) {
	l := NewLog(testSigner(t, "audit.test", 1), "w1", WithClock(fakeClock()))
	for i := range 3 {
		m, err := l.Append(&WindowEvent{Window: uint64(i), PHICounts: map[string]int64{"SSN": 1}})
		if err != nil {
			t.Fatal(err)
		}
		if !IsCanonical(m.Value) {
			t.Errorf("entry %d is not canonical: %s", i, m.Value)
		}
		if i == 1 {
			if _, err := l.Checkpoint(); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func TestWriteStringMatchesEncodingJSON(t *testing.T) {
	for _, s := range []string{"", "abc", "a\"b", "a\\b", "tab\t", "\u2028", "é", "\x7f", "<&>", "\xff"} {
		var fast bytes.Buffer
		writeString(&fast, s)
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		_ = enc.Encode(s)
		want := bytes.TrimSuffix(b.Bytes(), []byte("\n"))
		if !bytes.Equal(fast.Bytes(), want) {
			t.Errorf("writeString(%q) = %s, want %s", s, fast.Bytes(), want)
		}
	}
}

// TestEventStructsCanonical holds the fast path of Append true: a fully
// populated event encodes canonically, including awkward floats.
func TestEventStructsCanonical(t *testing.T) {
	negZero := math.Copysign(0, -1)
	l := NewLog(testSigner(t, "audit.test", 1), "w1", WithClock(fakeClock()))
	ev := benchEvent()
	ev.Outputs = []OutputRange{{Topic: "deid.research", Partition: 2, First: 7, Last: 9}}
	ev.Privacy.AchievedT, ev.Privacy.T, ev.Privacy.NCP = negZero, 1e-9, 1e21
	ev.DP.Spent, ev.DP.Refused = negZero, true
	events := []any{ev, &LifecycleEvent{Type: TypeKeyRotation, ConfigHash: "h", KeyIDs: []string{"a", "b"}, Detail: map[string]string{"z": "1", "a": "2"}}}
	for _, e := range events {
		m, err := l.Append(e)
		if err != nil {
			t.Fatal(err)
		}
		var entry Entry
		if err := json.Unmarshal(m.Value, &entry); err != nil {
			t.Fatal(err)
		}
		if !IsCanonical(entry.Event) {
			c, _ := canonicalize(entry.Event)
			t.Errorf("%T does not encode canonically:\n got %s\nwant %s", e, entry.Event, c)
		}
	}
	if ev.DP.Spent != 0 || !math.Signbit(ev.DP.Spent) {
		t.Error("Append changed the caller's DP struct")
	}
}
