package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/deidstream/deidstream/envelope"
)

func TestSealDecryptFile(t *testing.T) {
	dir := t.TempDir()
	genEnvelopeKeys(t, dir, "alice")
	genEnvelopeKeys(t, dir, "bob")
	genEnvelopeKeys(t, dir, "mallory")
	in := filepath.Join(dir, "notes.txt")
	plain := bytes.Repeat([]byte("patient notes: 0123456789abcdef\n"), 3*2048) // exactly 3 segments of 64 KiB
	if err := os.WriteFile(in, plain, 0o600); err != nil {
		t.Fatal(err)
	}
	sealed := filepath.Join(dir, "notes.sealed")
	if code, _, stderr := runEnvelopeCLI(t, "seal", "--recipient", filepath.Join(dir, "alice.pub"), "--recipient", filepath.Join(dir, "bob.pub"), "--in", in, "--out", sealed); code != 0 {
		t.Fatalf("seal: exit %d: %s", code, stderr)
	}
	if code, _, _ := runEnvelopeCLI(t, "seal", "--recipient", filepath.Join(dir, "alice.pub"), "--in", in, "--out", sealed); code == 0 {
		t.Error("seal over an existing output succeeded")
	}
	for _, who := range []string{"alice", "bob"} {
		out := filepath.Join(dir, who+".txt")
		if code, _, stderr := runEnvelopeCLI(t, "decrypt", "--key", filepath.Join(dir, who+".key"), "--in", sealed, "--out", out); code != 0 {
			t.Fatalf("decrypt as %s: exit %d: %s", who, code, stderr)
		}
		got, _ := os.ReadFile(out)
		if !bytes.Equal(got, plain) {
			t.Errorf("%s decrypted %d bytes that differ from the %d sealed", who, len(got), len(plain))
		}
		if st, _ := os.Stat(out); st.Mode().Perm() != 0o600 {
			t.Errorf("plaintext output mode %v, want 0600", st.Mode().Perm())
		}
	}

	good, _ := os.ReadFile(sealed)
	h, err := envelope.Inspect(good)
	if err != nil || h.Segments != 3 {
		t.Fatalf("Inspect: %d segments, %v; want 3", h.Segments, err)
	}
	flipped := bytes.Clone(good)
	flipped[len(flipped)-100] ^= 1
	tests := []struct {
		name, key string
		sealed    []byte
		want      string
	}{
		{"wrong key", "mallory", good, "no recipient stanza opens"},
		{"flipped payload bit", "alice", flipped, "segment"},
		{"truncated", "alice", good[:h.HeaderLen+2*(h.SegmentSize+16)], "truncated"},
		{"appended", "alice", append(bytes.Clone(good), 1, 2, 3), "after the final segment"},
		{"reordered", "alice", swapSegments(good, h.HeaderLen, h.SegmentSize+16), "segment 0"},
		{"not an envelope", "alice", plain, "malformed"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			bad := filepath.Join(dir, "bad.sealed")
			os.Remove(bad)
			if err := os.WriteFile(bad, tc.sealed, 0o600); err != nil {
				t.Fatal(err)
			}
			out := filepath.Join(dir, "should-not-exist")
			code, _, stderr := runEnvelopeCLI(t, "decrypt", "--key", filepath.Join(dir, tc.key+".key"), "--in", bad, "--out", out)
			if code == 0 {
				t.Fatal("decrypt succeeded")
			}
			if !strings.Contains(stderr, tc.want) {
				t.Errorf("stderr %q does not name the failed check (%q)", stderr, tc.want)
			}
			if _, err := os.Stat(out); !os.IsNotExist(err) {
				t.Errorf("output file exists after a failed decrypt: %v", err)
			}
			if strings.Contains(stderr, "patient notes") {
				t.Error("stderr quotes plaintext")
			}
		})
	}
}

// swapSegments exchanges the first two sealed segments.
func swapSegments(sealed []byte, headerLen, segLen int) []byte {
	out := bytes.Clone(sealed)
	a, b := out[headerLen:headerLen+segLen], sealed[headerLen+segLen:headerLen+2*segLen]
	copy(out[headerLen+segLen:], a)
	copy(out[headerLen:], b)
	return out
}
