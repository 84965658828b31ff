package arrowbatch

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"unsafe"

	"github.com/google/go-cmp/cmp"
)

func testRows(n, width int) []Row {
	rows := make([]Row, n)
	for i := range rows {
		rows[i] = Row{Topic: "raw", Partition: int32(i % 3), Offset: int64(i),
			Values: []string{fmt.Sprintf("%0*d", width, i*7919), fmt.Sprintf("v%d", i%13)}}
	}
	return rows
}

func TestEncodeDecodeRoundTrip(t *testing.T) {
	s := NewSchema([]string{"a", "b"})
	rows := testRows(500, 20)
	b, err := s.Encode(rows)
	if err != nil {
		t.Fatal(err)
	}
	cols, got, err := Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"a", "b"}, cols); diff != "" {
		t.Errorf("columns (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(rows, got); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
	// Later batches reuse the IPC writer (which wrote the schema message
	// once): each is still a whole stream, the same bytes as from a new one.
	for i, more := range [][]Row{testRows(3, 5), rows} {
		b2, err := s.Encode(more)
		if err != nil {
			t.Fatal(err)
		}
		if _, got, err := Decode(b2); err != nil || !cmp.Equal(more, got) {
			t.Errorf("batch %d after the first: %v, rows equal %v", i+2, err, cmp.Equal(more, got))
		}
		if i == 1 && string(b2) != string(b) {
			t.Errorf("the same rows encode to %d bytes with a reused writer, %d with a new one", len(b2), len(b))
		}
	}
}

func TestEncodeChunksStaysUnderLimit(t *testing.T) {
	s := NewSchema([]string{"a", "b"})
	rows := testRows(20000, 200) // incompressible digits: several MB
	overhead := 1500             // what a sealer adds
	seal := func(p []byte, _ []Row) (string, []byte, error) {
		return "id", append(make([]byte, overhead), p...), nil
	}
	for _, limit := range []int{64 << 10, 256 << 10, 1 << 20} {
		chunks, err := s.EncodeChunks(rows, limit, seal)
		if err != nil {
			t.Fatal(err)
		}
		var all []Row
		for _, c := range chunks {
			if len(c.Sealed) > limit {
				t.Fatalf("limit %d: chunk of %d bytes", limit, len(c.Sealed))
			}
			_, got, err := Decode(c.Sealed[overhead:])
			if err != nil {
				t.Fatal(err)
			}
			all = append(all, got...)
		}
		if diff := cmp.Diff(rows, all); diff != "" {
			t.Fatalf("limit %d: rows lost, repeated or reordered (-want +got):\n%.2000s", limit, diff)
		}
		t.Logf("limit %d: %d chunks", limit, len(chunks))
	}
}

func TestEncodeChunksRowTooLarge(t *testing.T) {
	s := NewSchema([]string{"a"})
	rows := []Row{{Topic: "raw", Values: []string{strings.Repeat("x", 100)}}}
	_, err := s.EncodeChunks(rows, 200, func(p []byte, _ []Row) (string, []byte, error) { return "id", append(p, make([]byte, 300)...), nil })
	if !errors.Is(err, ErrRowTooLarge) {
		t.Fatalf("got %v, want ErrRowTooLarge", err)
	}
}

func TestSchemaFingerprintDependsOnColumns(t *testing.T) {
	if NewSchema([]string{"a", "b"}).Fingerprint == NewSchema([]string{"ab"}).Fingerprint {
		t.Fatal("different column lists share a fingerprint")
	}
}

// The recycler hands out aligned, zeroed buffers of the size asked, 0 included, and takes back
// only its own.
func TestRecycler(t *testing.T) {
	var r recycler
	for _, n := range []int{0, 1, 64, 65, 1000, 1 << 20} {
		b := r.Allocate(n)
		if len(b) != n || cap(b) != 1<<classOf(n) || n > 0 && uintptr(unsafe.Pointer(&b[0]))%align != 0 {
			t.Fatalf("Allocate(%d): len %d cap %d", n, len(b), cap(b))
		}
		for i := range b {
			b[i] = 0xff
		}
		r.Free(b)
		if again := r.Allocate(n); n > 0 && (&again[0] != &b[0] || slices.ContainsFunc(again, func(x byte) bool { return x != 0 })) {
			t.Fatalf("Allocate(%d) after Free: not the freed buffer, or not zeroed", n)
		}
	}
	r.Free(make([]byte, 100)) // not a class size: ignored
	r.Free(nil)
	small := r.Allocate(10)
	small[9] = 7
	grown := r.Reallocate(5000, small)
	if len(grown) != 5000 || grown[9] != 7 || grown[10] != 0 {
		t.Fatalf("Reallocate: len %d, bytes %d %d: want 5000, the old bytes copied, the rest zero", len(grown), grown[9], grown[10])
	}
}
