package audit

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestExportRoundTrip(t *testing.T) {
	s := testSigner(t, "audit.test", 1)
	msgs := simulateRun(t, NewLog(s, "w1", WithClock(fakeClock())), 3)
	msgs = append(msgs, Message{Kind: "odd", Value: []byte{0xff, 0x00, '\n'}})
	var buf bytes.Buffer
	if err := WriteExport(&buf, msgs); err != nil {
		t.Fatal(err)
	}
	if n := bytes.Count(buf.Bytes(), []byte("\n")); n != len(msgs) {
		t.Errorf("export has %d lines, want %d", n, len(msgs))
	}
	got, err := ReadExport(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(msgs, got); d != "" {
		t.Errorf("round trip (-want +got):\n%s", d)
	}
}

func TestReadExportErrors(t *testing.T) {
	tests := []struct {
		name, in string
	}{
		{"not json", "{\"kind\":\"event\",\"text\":\"x\"}\nhello\n"},
		{"both", `{"kind":"event","text":"x","value":"eA=="}`},
		{"bad base64", `{"kind":"event","value":"!!"}`},
		{"too long", `{"kind":"event","text":"` + strings.Repeat("a", maxExportLine) + `"}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := ReadExport(strings.NewReader(tc.in)); !errors.Is(err, ErrBadExport) {
				t.Errorf("ReadExport error = %v, want ErrBadExport", err)
			}
		})
	}
}

func FuzzReadExport(f *testing.F) {
	s := testSigner(f, "audit.test", 1)
	var buf bytes.Buffer
	_ = WriteExport(&buf, simulateRun(f, NewLog(s, "w1", WithClock(fakeClock())), 1))
	f.Add(buf.Bytes())
	f.Add([]byte("{\"kind\":\"event\"}\n\n\r\n"))
	f.Add([]byte(`{"kind":"checkpoint","value":"AAEC"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		msgs, err := ReadExport(bytes.NewReader(b))
		if err != nil {
			return
		}
		var out bytes.Buffer
		if err := WriteExport(&out, msgs); err != nil {
			t.Fatal(err)
		}
		again, err := ReadExport(&out)
		if err != nil || !cmp.Equal(msgs, again) {
			t.Fatalf("export does not round trip: %v", err)
		}
	})
}

// FuzzVerify feeds arbitrary messages, seeded from a real log, to Verify:
// it must not panic, and any change to a valid log's bytes must be noticed
// unless it leaves the log bytewise identical.
func FuzzVerify(f *testing.F) {
	s := testSigner(f, "audit.test", 1)
	base := simulateRun(f, NewLog(s, "w1", WithClock(fakeClock())), 2)
	for i := range base {
		f.Add(uint8(i), uint16(0), byte(1), base[i].Kind == KindCheckpoint)
	}
	v := s.Verifier()
	f.Fuzz(func(t *testing.T, idx uint8, at uint16, xor byte, drop bool) {
		msgs := make([]Message, len(base))
		copy(msgs, base)
		i := int(idx) % len(msgs)
		val := bytes.Clone(msgs[i].Value)
		val[int(at)%len(val)] ^= xor
		msgs[i].Value = val
		if drop {
			msgs = append(msgs[:i], msgs[i+1:]...)
		}
		rep, err := Verify(msgs, v)
		if err != nil {
			t.Fatal(err)
		}
		changed := drop || xor != 0
		if changed && rep.OK && !(drop && i == len(base)-1) {
			t.Fatalf("change at message %d (xor %#x at %d, drop %v) not detected", i, xor, at, drop)
		}
		if !changed && !rep.OK {
			t.Fatalf("unchanged log has findings: %s", findingsText(rep))
		}
	})
}
