package envelope

import (
	"bytes"
	"errors"
	"io"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestRoundTrip(t *testing.T) {
	k := testKey(t, "alice")
	tests := []struct {
		name string
		size int
		seg  int
	}{
		{"empty", 0, DefaultSegmentSize},
		{"one byte", 1, DefaultSegmentSize},
		{"exactly one segment", DefaultSegmentSize, DefaultSegmentSize},
		{"one segment plus one", DefaultSegmentSize + 1, DefaultSegmentSize},
		{"many small segments", 37*5 + 3, 37},
		{"many exact segments", 37 * 5, 37},
		{"10 MB", 10_000_000, DefaultSegmentSize},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			pt := pattern(tc.size)
			sealed := mustSeal(t, pt, []*PublicKey{k.Public()}, WithSegmentSize(tc.seg))
			got, prov, err := Open(sealed, k)
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			if !bytes.Equal(got, pt) {
				t.Fatalf("Open returned %d bytes that differ from the %d sealed", len(got), len(pt))
			}
			if diff := cmp.Diff(testProv(), prov); diff != "" {
				t.Errorf("provenance (-want +got):\n%s", diff)
			}
			h, err := Inspect(sealed)
			if err != nil {
				t.Fatalf("Inspect: %v", err)
			}
			if h.PlaintextLen != int64(tc.size) || h.SegmentSize != tc.seg || h.HeaderLen+int(h.PayloadLen) != len(sealed) {
				t.Errorf("Inspect sizes = plain %d seg %d header %d payload %d; want plain %d seg %d total %d",
					h.PlaintextLen, h.SegmentSize, h.HeaderLen, h.PayloadLen, tc.size, tc.seg, len(sealed))
			}

			// The streaming forms produce and accept the same format.
			var buf bytes.Buffer
			w, err := NewWriter(&buf, testProv(), []*PublicKey{k.Public()}, WithSegmentSize(tc.seg))
			if err != nil {
				t.Fatalf("NewWriter: %v", err)
			}
			for rest := pt; len(rest) > 0; {
				n := min(len(rest), 1+len(rest)%7919)
				if _, err := w.Write(rest[:n]); err != nil {
					t.Fatalf("Write: %v", err)
				}
				rest = rest[n:]
			}
			if err := w.Close(); err != nil {
				t.Fatalf("Close: %v", err)
			}
			if buf.Len() != len(sealed) {
				t.Errorf("streamed object is %d bytes, Seal made %d", buf.Len(), len(sealed))
			}
			got, _, err = Open(buf.Bytes(), k)
			if err != nil || !bytes.Equal(got, pt) {
				t.Fatalf("Open(streamed) = %d bytes, %v; want the plaintext", len(got), err)
			}
			r, rprov, err := NewReader(bytes.NewReader(sealed), k)
			if err != nil {
				t.Fatalf("NewReader: %v", err)
			}
			got, err = io.ReadAll(r)
			if err != nil || !bytes.Equal(got, pt) {
				t.Fatalf("NewReader read %d bytes, %v; want the plaintext", len(got), err)
			}
			if diff := cmp.Diff(testProv(), rprov); diff != "" {
				t.Errorf("reader provenance (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSeveralRecipients(t *testing.T) {
	keys := []*PrivateKey{testKey(t, "research-2026"), testKey(t, "research-2027"), testKey(t, "security")}
	var pubs []*PublicKey
	for _, k := range keys {
		pubs = append(pubs, k.Public())
	}
	pt := pattern(1000)
	sealed := mustSeal(t, pt, pubs, WithSegmentSize(100))
	for _, k := range keys {
		got, _, err := Open(sealed, k)
		if err != nil || !bytes.Equal(got, pt) {
			t.Errorf("Open with %s: %d bytes, %v", k.Name(), len(got), err)
		}
	}
	h, err := Inspect(sealed)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{keys[0].KeyID(), keys[1].KeyID(), keys[2].KeyID()}
	if diff := cmp.Diff(want, h.KeyIDs); diff != "" {
		t.Errorf("Inspect key ids (-want +got):\n%s", diff)
	}
}

func TestSealRejects(t *testing.T) {
	k := testKey(t, "alice").Public()
	bad := testProv()
	bad.Kind = "backup"
	badRange := testProv()
	badRange.Ranges[0].Last = 1
	tests := []struct {
		name   string
		prov   Provenance
		recips []*PublicKey
		opts   []Option
		want   error
	}{
		{"no recipients", testProv(), nil, nil, ErrRecipients},
		{"duplicate recipient", testProv(), []*PublicKey{k, k}, nil, ErrRecipients},
		{"nil recipient", testProv(), []*PublicKey{nil}, nil, ErrRecipients},
		{"zero-value recipient", testProv(), []*PublicKey{{}}, nil, ErrRecipients},
		{"unknown kind", bad, []*PublicKey{k}, nil, ErrProvenance},
		{"last before first", badRange, []*PublicKey{k}, nil, ErrProvenance},
		{"zero segment size", testProv(), []*PublicKey{k}, []Option{WithSegmentSize(0)}, ErrFormat},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Seal([]byte("x"), tc.prov, tc.recips, tc.opts...)
			if !errors.Is(err, tc.want) {
				t.Errorf("Seal error = %v, want %v", err, tc.want)
			}
			_, err = NewWriter(io.Discard, tc.prov, tc.recips, tc.opts...)
			if !errors.Is(err, tc.want) {
				t.Errorf("NewWriter error = %v, want %v", err, tc.want)
			}
		})
	}
}

func TestWrongKey(t *testing.T) {
	alice, bob := testKey(t, "alice"), testKey(t, "bob")
	sealed := mustSeal(t, pattern(500), []*PublicKey{alice.Public()})
	if _, _, err := Open(sealed, bob); !errors.Is(err, ErrNoMatchingKey) {
		t.Errorf("Open with the wrong key: %v, want ErrNoMatchingKey", err)
	}
	if _, _, err := NewReader(bytes.NewReader(sealed), bob); !errors.Is(err, ErrNoMatchingKey) {
		t.Errorf("NewReader with the wrong key: %v, want ErrNoMatchingKey", err)
	}
}

// openBoth opens with Open and with NewReader+ReadAll; both must agree.
func openBoth(t *testing.T, sealed []byte, k *PrivateKey) (error, error) {
	t.Helper()
	pt, _, err1 := Open(sealed, k)
	if err1 != nil && pt != nil {
		t.Errorf("Open returned %d bytes of plaintext with error %v", len(pt), err1)
	}
	var err2 error
	if r, _, err := NewReader(bytes.NewReader(sealed), k); err != nil {
		err2 = err
	} else {
		_, err2 = io.ReadAll(r)
	}
	return err1, err2
}

var allSentinels = []error{ErrFormat, ErrVersion, ErrNoMatchingKey, ErrCommitment, ErrHeaderAuth,
	ErrSegmentAuth, ErrTruncated, ErrTrailingData}

func isSentinel(err error) bool {
	for _, s := range allSentinels {
		if errors.Is(err, s) {
			return true
		}
	}
	return false
}

func TestBitFlipEveryPosition(t *testing.T) {
	alice, bob := testKey(t, "alice"), testKey(t, "bob")
	sealed := mustSeal(t, pattern(100), []*PublicKey{bob.Public(), alice.Public()}, WithSegmentSize(32))
	counts := map[string]int{}
	for i := range sealed {
		c := bytes.Clone(sealed)
		c[i] ^= 1 << (i % 8)
		err1, err2 := openBoth(t, c, alice)
		if err1 == nil || err2 == nil {
			t.Fatalf("flipping bit %d of byte %d: Open err %v, reader err %v; want both to fail", i%8, i, err1, err2)
		}
		if !isSentinel(err1) || !isSentinel(err2) {
			t.Fatalf("byte %d: errors %q / %q wrap no documented sentinel", i, err1, err2)
		}
		for _, s := range allSentinels {
			if errors.Is(err1, s) {
				counts[s.Error()]++
			}
		}
	}
	// Each region of the format must be caught by its own check.
	for _, s := range []error{ErrFormat, ErrVersion, ErrNoMatchingKey, ErrCommitment, ErrHeaderAuth, ErrSegmentAuth} {
		if counts[s.Error()] == 0 {
			t.Errorf("no flipped byte was reported as %v; counts %v", s, counts)
		}
	}
}

// segmentBounds returns the offsets where each segment starts, plus the end.
func segmentBounds(t *testing.T, sealed []byte) []int {
	h, err := Inspect(sealed)
	if err != nil {
		t.Fatal(err)
	}
	var b []int
	for off := h.HeaderLen; off < len(sealed); off += h.SegmentSize + tagSize {
		b = append(b, off)
	}
	return append(b, len(sealed))
}

func TestTruncationAtEverySegmentBoundary(t *testing.T) {
	k := testKey(t, "alice")
	sealed := mustSeal(t, pattern(32*6+5), []*PublicKey{k.Public()}, WithSegmentSize(32))
	bounds := segmentBounds(t, sealed)
	if len(bounds) != 8 {
		t.Fatalf("want 7 segments, got bounds %v", bounds)
	}
	for _, cut := range bounds[:len(bounds)-1] {
		err1, err2 := openBoth(t, sealed[:cut], k)
		if !errors.Is(err1, ErrTruncated) || !errors.Is(err2, ErrTruncated) {
			t.Errorf("cut at %d: Open %v, reader %v; want ErrTruncated", cut, err1, err2)
		}
	}
	// Cutting inside the header or a tag is also a truncation.
	for _, cut := range []int{0, 3, 9, bounds[0] - 1, bounds[len(bounds)-1] - 10} {
		err1, err2 := openBoth(t, sealed[:cut], k)
		if !errors.Is(err1, ErrTruncated) && !errors.Is(err1, ErrFormat) || err2 == nil {
			t.Errorf("cut at %d: Open %v, reader %v; want ErrTruncated", cut, err1, err2)
		}
	}
}

func TestSegmentSwapAndAppend(t *testing.T) {
	k := testKey(t, "alice")
	sealed := mustSeal(t, pattern(32*4), []*PublicKey{k.Public()}, WithSegmentSize(32))
	b := segmentBounds(t, sealed)
	seg := func(i int) []byte { return sealed[b[i]:b[i+1]] }
	cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	other := mustSeal(t, pattern(32*4), []*PublicKey{k.Public()}, WithSegmentSize(32))
	ob := segmentBounds(t, other)

	tests := []struct {
		name    string
		mutated []byte
		want    error
		index   int64 // -1: not a SegmentError
	}{
		{"swap 1 and 2", cat(sealed[:b[0]], seg(0), seg(2), seg(1), seg(3)), ErrSegmentAuth, 1},
		{"duplicate segment 0", cat(sealed[:b[0]], seg(0), seg(0), seg(2), seg(3)), ErrSegmentAuth, 1},
		{"drop a middle segment", cat(sealed[:b[0]], seg(0), seg(2), seg(3)), ErrSegmentAuth, 1},
		{"final moved earlier", cat(sealed[:b[0]], seg(0), seg(3)), ErrSegmentAuth, 1},
		{"segment from another object", cat(sealed[:b[0]], seg(0), other[ob[1]:ob[2]], seg(2), seg(3)), ErrSegmentAuth, 1},
		{"append one byte", cat(sealed, []byte{0}), ErrTrailingData, -1},
		{"append final segment again", cat(sealed, seg(3)), ErrTrailingData, -1},
		{"append a full segment", cat(sealed, seg(0)), ErrTrailingData, -1},
		{"append a tag-sized tail", cat(sealed, make([]byte, tagSize)), ErrTrailingData, -1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err1, err2 := openBoth(t, tc.mutated, k)
			for _, err := range []error{err1, err2} {
				if !errors.Is(err, tc.want) {
					t.Errorf("error %v, want %v", err, tc.want)
				}
				var se *SegmentError
				if tc.index >= 0 && (!errors.As(err, &se) || int64(se.Index) != tc.index) {
					t.Errorf("error %v, want a SegmentError at index %d", err, tc.index)
				}
			}
		})
	}
}

func TestReaderNeverReleasesBadSegment(t *testing.T) {
	k := testKey(t, "alice")
	sealed := mustSeal(t, pattern(32*3), []*PublicKey{k.Public()}, WithSegmentSize(32))
	b := segmentBounds(t, sealed)
	sealed[b[1]+3] ^= 0x80 // corrupt segment 1
	r, _, err := NewReader(bytes.NewReader(sealed), k)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(r)
	if !errors.Is(err, ErrSegmentAuth) {
		t.Fatalf("ReadAll error %v, want ErrSegmentAuth", err)
	}
	if !bytes.Equal(got, pattern(32 * 3)[:32]) {
		t.Errorf("reader released %d bytes, want exactly segment 0 (32 bytes)", len(got))
	}
}

func TestWriterCloseTwiceAndWriteAfterClose(t *testing.T) {
	k := testKey(t, "alice")
	var buf bytes.Buffer
	w, err := NewWriter(&buf, testProv(), []*PublicKey{k.Public()})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	n := buf.Len()
	if err := w.Close(); err != nil || buf.Len() != n {
		t.Errorf("second Close: %v, wrote %d more bytes", err, buf.Len()-n)
	}
	if _, err := w.Write([]byte("x")); err == nil {
		t.Error("Write after Close succeeded")
	}
	if got, _, err := Open(buf.Bytes(), k); err != nil || len(got) != 0 {
		t.Errorf("Open(empty stream) = %d bytes, %v", len(got), err)
	}
}

func TestAppendSealReusesBuffer(t *testing.T) {
	k := testKey(t, "alice")
	prefix := []byte("kafka-frame:")
	buf := make([]byte, len(prefix), 1<<20)
	copy(buf, prefix)
	out, err := AppendSeal(buf, pattern(5000), testProv(), []*PublicKey{k.Public()}, WithSegmentSize(1000))
	if err != nil {
		t.Fatal(err)
	}
	if &out[0] != &buf[0] || !bytes.HasPrefix(out, prefix) {
		t.Error("AppendSeal did not append into the caller's buffer")
	}
	dst := append(make([]byte, 0, 8000), "header"...)
	got, _, err := AppendOpen(dst, out[len(prefix):], k)
	if err != nil || !bytes.Equal(got[6:], pattern(5000)) || string(got[:6]) != "header" || &got[0] != &dst[:1][0] {
		t.Errorf("AppendOpen(AppendSeal output) = %d bytes, %v; want the plaintext after dst, in dst's array", len(got), err)
	}
	bad := bytes.Clone(out[len(prefix):])
	bad[len(bad)-1] ^= 1
	if got, _, err := AppendOpen(dst, bad, k); got != nil || !errors.Is(err, ErrSegmentAuth) {
		t.Errorf("AppendOpen(tampered) = %d bytes, %v", len(got), err)
	}
	if string(dst) != "header" {
		t.Errorf("failed AppendOpen changed the caller's bytes: %q", dst)
	}
	cut := out[len(prefix):][:segmentBounds(t, out[len(prefix):])[3]]
	if got, _, err := AppendOpen(dst, cut, k); got != nil || !errors.Is(err, ErrTruncated) || string(dst) != "header" {
		t.Errorf("AppendOpen(truncated) = %d bytes, %v, dst %q; want ErrTruncated and dst untouched", len(got), err, dst)
	}
	if tail := dst[len(dst):cap(dst)]; bytes.Contains(tail, pattern(5000)[:64]) {
		t.Error("AppendOpen left plaintext of earlier segments in dst's spare capacity")
	}
}

func TestSealedSize(t *testing.T) {
	keys := []*PublicKey{testKey(t, "a").Public(), testKey(t, "b").Public()}
	for _, n := range []int{0, 1, 999, 1000, 1001, 5000} {
		for _, r := range []int{1, 2} {
			sealed := mustSeal(t, pattern(n), keys[:r], WithSegmentSize(1000))
			got, err := SealedSize(n, testProv(), r, WithSegmentSize(1000))
			if err != nil || got != len(sealed) {
				t.Errorf("SealedSize(%d, %d recipients) = %d, %v; Seal made %d", n, r, got, err, len(sealed))
			}
		}
	}
	if _, err := SealedSize(10, testProv(), 0); !errors.Is(err, ErrRecipients) {
		t.Errorf("SealedSize with 0 recipients: %v", err)
	}
}

func TestSmallestHeader(t *testing.T) {
	k := testKey(t, "alice")
	sealed := mustSealProv(t, nil, Provenance{Kind: KindFile}, k.Public())
	h, err := Inspect(sealed)
	if err != nil {
		t.Fatal(err)
	}
	if h.HeaderLen != 1326 {
		t.Errorf("smallest header is %d bytes; docs/envelope.md says 1326", h.HeaderLen)
	}
	if _, _, err := Open(sealed, k); err != nil {
		t.Errorf("Open(smallest): %v", err)
	}
}

func mustSealProv(t *testing.T, pt []byte, prov Provenance, recips ...*PublicKey) []byte {
	t.Helper()
	s, err := Seal(pt, prov, recips)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// failAfter accepts n bytes, then fails every write.
type failAfter struct{ n int }

var errDisk = errors.New("disk full")

func (f *failAfter) Write(p []byte) (int, error) {
	if len(p) > f.n {
		return 0, errDisk
	}
	f.n -= len(p)
	return len(p), nil
}

func TestWriterReportsWriteErrors(t *testing.T) {
	k := testKey(t, "alice")
	if _, err := NewWriter(&failAfter{n: 10}, testProv(), []*PublicKey{k.Public()}); !errors.Is(err, errDisk) {
		t.Errorf("NewWriter on a failing writer: %v", err)
	}
	w, err := NewWriter(&failAfter{n: 3000}, testProv(), []*PublicKey{k.Public()}, WithSegmentSize(1000))
	if err != nil {
		t.Fatal(err)
	}
	_, werr := w.Write(pattern(5000)) // the second segment's write fails
	if !errors.Is(werr, errDisk) {
		t.Errorf("Write: %v, want the underlying error", werr)
	}
	if _, err := w.Write([]byte("x")); !errors.Is(err, errDisk) {
		t.Errorf("Write after a failure: %v, want the first error again", err)
	}
	if err := w.Close(); !errors.Is(err, errDisk) {
		t.Errorf("Close after a failure: %v, want the first error", err)
	}
}

type errReader struct {
	r   io.Reader
	err error
}

func (e *errReader) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	if err == io.EOF {
		return n, e.err
	}
	return n, err
}

func TestReaderReportsReadErrors(t *testing.T) {
	k := testKey(t, "alice")
	sealed := mustSeal(t, pattern(3000), []*PublicKey{k.Public()}, WithSegmentSize(1000))
	b := segmentBounds(t, sealed)
	errNet := errors.New("connection reset")
	r, _, err := NewReader(&errReader{r: bytes.NewReader(sealed[:b[1]+10]), err: errNet}, k)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadAll(r); !errors.Is(err, errNet) {
		t.Errorf("ReadAll: %v, want the underlying error", err)
	}
	if _, _, err := NewReader(&errReader{r: bytes.NewReader(sealed[:100]), err: errNet}, k); !errors.Is(err, errNet) {
		t.Errorf("NewReader with a failing header read: %v", err)
	}
}
