package audit

import (
	"bytes"
	"testing"
)

func FuzzDecodeEntry(f *testing.F) {
	s := testSigner(f, "audit.test", 1)
	for _, m := range simulateRun(f, NewLog(s, "w1", WithClock(fakeClock())), 1) {
		if m.Kind == KindEvent {
			f.Add(m.Value)
		}
	}
	f.Add([]byte(`{"cp":0,"event":{"type":"window"},"prev":"","seq":0}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := DecodeEntry(b)
		if err != nil {
			return
		}
		// Anything accepted is canonical and names a valid worker.
		if !IsCanonical(b) || !isCode(d.WorkerID()) {
			t.Fatalf("accepted a non-canonical or invalid entry: %q", b)
		}
	})
}

func FuzzOpenCheckpoint(f *testing.F) {
	s := testSigner(f, "audit.test", 1)
	v := s.Verifier()
	for _, m := range simulateRun(f, NewLog(s, "w1", WithClock(fakeClock())), 1) {
		if m.Kind == KindCheckpoint {
			f.Add(m.Value)
		}
	}
	f.Add([]byte("deidstream/audit/w\n0\nAAAA\ncheckpoint 0\ntime x\n\n— a AAAA\n— a AAAA\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		c, sigs, err := openCheckpoint(b, v)
		if err != nil {
			return
		}
		if sigs.ed && sigs.ml {
			// A fully verified checkpoint re-encodes to the signed text.
			if !bytes.HasPrefix(b, []byte(c.text()+"\n")) {
				t.Fatalf("verified checkpoint text differs from its re-encoding")
			}
		}
	})
}

func FuzzParseVerifier(f *testing.F) {
	f.Add(testSigner(f, "audit.test", 1).Verifier().MarshalText())
	f.Add([]byte(pubFileHeader + "\na+00000000+AQ==\na+00000000+/w==\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		v, err := ParseVerifier(b)
		if err != nil {
			return
		}
		again, err := ParseVerifier(v.MarshalText())
		if err != nil || again.KeyIDs() != v.KeyIDs() {
			t.Fatalf("verifier does not round trip: %v", err)
		}
	})
}
