package envelope

// Fuzz with a bounded minimizer: minimizing a 1.5 KB envelope at the default
// (60 s per input) stalls a short run.
//
//	go test -run '^$' -fuzz FuzzInspect -fuzztime 20s -fuzzminimizetime 20x ./envelope

import (
	"bytes"
	"io"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// FuzzOpen: no input panics, and nothing but the real object opens. Each
// run decapsulates X-Wing, which is very slow under fuzz instrumentation;
// FuzzInspect and FuzzOpenPayload cover the parsers at full speed.
func FuzzOpen(f *testing.F) {
	k := testKey(f, "fuzz")
	// Deterministic so every fuzz worker process builds the same object.
	good := mustSeal(f, pattern(70), []*PublicKey{k.Public()}, WithSegmentSize(32), WithRand(&detRand{label: "fuzz"}))
	f.Add(good)
	f.Add(good[:len(good)-1])
	f.Add(good[:9])
	f.Add([]byte("DSEV\x01\x00\x00\x00\x00"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		pt, _, err := Open(b, k)
		if err == nil && !bytes.Equal(b, good) {
			// Any other accepted input would be a forgery.
			t.Fatalf("Open accepted a %d-byte input that is not the sealed object", len(b))
		}
		if err != nil && pt != nil {
			t.Fatal("Open returned plaintext with an error")
		}
		if r, _, err := NewReader(bytes.NewReader(b), k); err == nil {
			got, err := io.ReadAll(r)
			if err == nil && !bytes.Equal(b, good) {
				t.Fatalf("Reader accepted a forgery of %d bytes (%d plaintext)", len(b), len(got))
			}
		}
		_, _ = Inspect(b)
	})
}

// FuzzParseProvenance: whatever parses re-encodes to the same bytes (canonical).
func FuzzParseProvenance(f *testing.F) {
	good, _ := appendProvenance(nil, testProv())
	f.Add(good)
	empty, _ := appendProvenance(nil, Provenance{Kind: KindFile})
	f.Add(empty)
	f.Add([]byte{0, 1, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := parseProvenance(b)
		if err != nil {
			return
		}
		again, err := appendProvenance(nil, p)
		if err != nil {
			t.Fatalf("parsed provenance does not re-encode: %v", err)
		}
		if !bytes.Equal(again, b) {
			t.Fatal("parsed provenance re-encodes to different bytes")
		}
		p2, _ := parseProvenance(again)
		if diff := cmp.Diff(p, p2, cmpopts.EquateEmpty()); diff != "" {
			t.Fatal(diff)
		}
	})
}

// FuzzParseKey: no panic; a parsed key re-marshals to text that parses to the same id.
func FuzzParseKey(f *testing.F) {
	k := testKey(f, "fuzz")
	pub, _ := k.Public().MarshalText()
	priv, _ := k.MarshalText()
	f.Add(pub)
	f.Add(priv)
	f.Add([]byte("deidstream-envelope public-key v1\nname: a\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if p, err := ParsePublicKey(b); err == nil {
			txt, _ := p.MarshalText()
			p2, err := ParsePublicKey(txt)
			if err != nil || p2.KeyID() != p.KeyID() {
				t.Fatalf("re-marshaled public key does not parse back: %v", err)
			}
		}
		if s, err := ParsePrivateKey(b); err == nil {
			txt, _ := s.MarshalText()
			s2, err := ParsePrivateKey(txt)
			if err != nil || s2.KeyID() != s.KeyID() {
				t.Fatalf("re-marshaled private key does not parse back: %v", err)
			}
		}
	})
}

// FuzzInspect: the header parser never panics and what it accepts is self-consistent.
func FuzzInspect(f *testing.F) {
	k := testKey(f, "fuzz")
	good := mustSeal(f, pattern(70), []*PublicKey{k.Public()}, WithSegmentSize(32), WithRand(&detRand{label: "fuzz"}))
	f.Add(good)
	f.Add(good[:200])
	f.Add([]byte("DSEV\x01\x00\x00\x05\x00"))
	f.Fuzz(func(t *testing.T, b []byte) {
		h, err := Inspect(b)
		if err != nil {
			return
		}
		if h.HeaderLen+int(h.PayloadLen) != len(b) || h.PlaintextLen+h.Segments*tagSize != h.PayloadLen || len(h.KeyIDs) == 0 {
			t.Fatalf("inconsistent sizes: %+v for %d bytes", h, len(b))
		}
	})
}

// FuzzOpenPayload: segment parsing under a fixed valid header; only the
// real payload authenticates, and nothing is returned with an error.
func FuzzOpenPayload(f *testing.F) {
	k := testKey(f, "fuzz")
	good := mustSeal(f, pattern(70), []*PublicKey{k.Public()}, WithSegmentSize(32), WithRand(&detRand{label: "fuzz"}))
	hl, _ := readPrefix(good)
	h, err := parseHeader(good[:hl])
	if err != nil {
		f.Fatal(err)
	}
	sc, err := openHeader(h, k)
	if err != nil {
		f.Fatal(err)
	}
	payload := good[hl:]
	f.Add(payload)
	f.Add(payload[:48])
	f.Add(append(bytes.Clone(payload), 0))
	f.Fuzz(func(t *testing.T, b []byte) {
		pt, err := openPayload(nil, sc, h.segmentSize, b)
		if err != nil {
			if pt != nil {
				t.Fatal("plaintext returned with an error")
			}
			return
		}
		if !bytes.Equal(b, payload) || !bytes.Equal(pt, pattern(70)) {
			t.Fatalf("a %d-byte payload that is not the sealed one authenticated", len(b))
		}
	})
}
