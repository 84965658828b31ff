package envelope

import (
	"crypto/sha256"
	"encoding/binary"
	"testing"
)

// detRand is a deterministic byte stream for tests: SHA-256(label || counter) blocks.
type detRand struct {
	label string
	ctr   uint64
	buf   []byte
}

func (d *detRand) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		if len(d.buf) == 0 {
			h := sha256.New()
			h.Write([]byte(d.label))
			h.Write(binary.BigEndian.AppendUint64(nil, d.ctr))
			d.ctr++
			d.buf = h.Sum(nil)
		}
		c := copy(p[n:], d.buf)
		d.buf = d.buf[c:]
		n += c
	}
	return n, nil
}

func testKey(t testing.TB, label string) *PrivateKey {
	t.Helper()
	k, err := GenerateKey(&detRand{label: "key " + label})
	if err != nil {
		t.Fatalf("GenerateKey: %v", err)
	}
	if err := k.SetName(label); err != nil {
		t.Fatalf("SetName: %v", err)
	}
	return k
}

func testProv() Provenance {
	return Provenance{
		Ranges: []OffsetRange{
			{Topic: "raw.admissions", Partition: 0, First: 100, Last: 199},
			{Topic: "raw.admissions", Partition: 3, First: 7, Last: 7},
		},
		SchemaFingerprint: "9f86d081884c7d65",
		BatchID:           "batch-000042",
		WorkerID:          "worker-a",
		Kind:              KindResearch,
	}
}

func pattern(n int) []byte {
	b := make([]byte, n)
	(&detRand{label: "plaintext"}).Read(b)
	return b
}

func mustSeal(t testing.TB, pt []byte, recips []*PublicKey, opts ...Option) []byte {
	t.Helper()
	s, err := Seal(pt, testProv(), recips, opts...)
	if err != nil {
		t.Fatalf("Seal: %v", err)
	}
	return s
}
