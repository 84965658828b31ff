package audit

import (
	"bytes"
	"slices"
	"testing"
)

// Positions in simulateRun(t, l, 6):
//
//	0 start  1 config  2 cp0  3 w0  4 w1  5 cp1  6 w2  7 w3  8 cp2
//	9 w4  10 w5  11 cp3  12 stop  13 cp4
func TestTamperDetectedByPosition(t *testing.T) {
	s := testSigner(t, "audit.test", 1)
	intruder := testSigner(t, "audit.test", 7) // same name, another key
	base := simulateRun(t, NewLog(s, "worker-1", WithClock(fakeClock())), 6)

	// forged re-signs checkpoint i's text with the intruder's key.
	forged := func(i int) Message {
		c, _, err := openCheckpoint(base[i].Value, s.Verifier())
		if err != nil {
			t.Fatal(err)
		}
		v, err := signCheckpoint(c, intruder)
		if err != nil {
			t.Fatal(err)
		}
		return Message{Kind: KindCheckpoint, Value: v}
	}
	flip := func(t *testing.T, b []byte, old, new string) []byte {
		out := bytes.Replace(b, []byte(old), []byte(new), 1)
		if bytes.Equal(out, b) {
			t.Fatalf("tamper pattern %q not found", old)
		}
		return out
	}

	tests := []struct {
		name   string
		tamper func(*testing.T, []Message) []Message
		check  string
		at     []int // positions that must carry a finding of check
		from   int   // first tampered position: nothing may be blamed before it
	}{
		{"alter event byte", func(t *testing.T, m []Message) []Message {
			m[6].Value = flip(t, m[6].Value, `"SSN":5`, `"SSN":4`)
			return m
		}, CheckChain, []int{6}, 6},
		{"alter event breaks root", func(t *testing.T, m []Message) []Message {
			m[6].Value = flip(t, m[6].Value, `"SSN":5`, `"SSN":4`)
			return m
		}, CheckRoot, []int{8, 11}, 6}, // 11: the later checkpoints, folded
		{"alter event into invalid accounting", func(t *testing.T, m []Message) []Message {
			m[7].Value = flip(t, m[7].Value, `"published":4`, `"published":5`)
			return m
		}, CheckAccounting, []int{7}, 7},
		{"delete event", func(t *testing.T, m []Message) []Message {
			return slices.Delete(m, 6, 7)
		}, CheckSequence, []int{6}, 6},
		{"delete event breaks size", func(t *testing.T, m []Message) []Message {
			return slices.Delete(m, 6, 7)
		}, CheckTreeSize, []int{7}, 6},
		{"insert replayed event", func(t *testing.T, m []Message) []Message {
			return slices.Insert(m, 7, m[3])
		}, CheckSequence, []int{7}, 7},
		{"swap two events", func(t *testing.T, m []Message) []Message {
			m[6], m[7] = m[7], m[6]
			return m
		}, CheckSequence, []int{6, 7}, 6},
		{"swap two events breaks root", func(t *testing.T, m []Message) []Message {
			m[6], m[7] = m[7], m[6]
			return m
		}, CheckRoot, []int{8}, 6},
		{"alter checkpoint size", func(t *testing.T, m []Message) []Message {
			m[8].Value = flip(t, m[8].Value, "\n6\n", "\n5\n")
			return m
		}, CheckSigEd25519, []int{8}, 8},
		{"alter checkpoint size (ML-DSA too)", func(t *testing.T, m []Message) []Message {
			m[8].Value = flip(t, m[8].Value, "\n6\n", "\n5\n")
			return m
		}, CheckSigMLDSA, []int{8}, 8},
		{"drop checkpoint before event", func(t *testing.T, m []Message) []Message {
			return slices.Delete(m, 8, 9)
		}, CheckCPCount, []int{8}, 8},
		{"drop checkpoint before checkpoint", func(t *testing.T, m []Message) []Message {
			m = slices.Delete(m, 11, 12) // stop event (12) now at 11, cp4 at 12
			return m
		}, CheckCPCount, []int{11}, 11},
		{"forged signature", func(t *testing.T, m []Message) []Message {
			m[11] = forged(11)
			return m
		}, CheckSigEd25519, []int{11}, 11},
		{"forged signature ML-DSA", func(t *testing.T, m []Message) []Message {
			m[11] = forged(11)
			return m
		}, CheckSigMLDSA, []int{11}, 11},
		{"unknown kind", func(t *testing.T, m []Message) []Message {
			m[4].Kind = "evnt"
			return m
		}, CheckKind, []int{4}, 4},
		{"event not canonical", func(t *testing.T, m []Message) []Message {
			m[9].Value = append([]byte(" "), m[9].Value...)
			return m
		}, CheckCanonical, []int{9}, 9},
		{"garbled checkpoint", func(t *testing.T, m []Message) []Message {
			m[5].Value = []byte("nonsense")
			return m
		}, CheckCPFormat, []int{5}, 5},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			msgs := make([]Message, len(base))
			for i, m := range base {
				msgs[i] = Message{Kind: m.Kind, Value: slices.Clone(m.Value)}
			}
			rep, err := Verify(tc.tamper(t, msgs), s.Verifier())
			if err != nil {
				t.Fatal(err)
			}
			if rep.OK {
				t.Fatal("tampered log verified OK")
			}
			got := positions(rep, tc.check)
			for _, p := range tc.at {
				if !slices.Contains(got, p) {
					t.Errorf("no %s finding at position %d; findings:\n%s", tc.check, p, findingsText(rep))
				}
			}
			// Nothing is blamed before the first tampered position.
			if first := tc.from; rep.Findings[0].Position < first {
				t.Errorf("finding at position %d, before the tampering at %d:\n%s", rep.Findings[0].Position, first, findingsText(rep))
			}
		})
	}
}

func findingsText(rep *Report) string {
	var b bytes.Buffer
	for _, f := range rep.Findings {
		b.WriteString("  " + f.String() + "\n")
	}
	return b.String()
}

func TestVerifyWrongKey(t *testing.T) {
	s := testSigner(t, "audit.test", 1)
	msgs := simulateRun(t, NewLog(s, "w1", WithClock(fakeClock())), 2)
	rep, _ := Verify(msgs, testSigner(t, "audit.test", 9).Verifier())
	if rep.OK || len(positions(rep, CheckSigEd25519)) != 3 || len(positions(rep, CheckSigMLDSA)) != 3 {
		t.Errorf("wrong key: findings\n%s", findingsText(rep))
	}
}
