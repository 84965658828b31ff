package arrowbatch

import "testing"

// BenchmarkEncode encodes a 10,000-row window of ~1 KB rows (the pipeline
// benchmark's shape) as one batch.
func BenchmarkEncode(b *testing.B) {
	s := NewSchema([]string{"note", "code"})
	rows := testRows(10_000, 1000)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Encode(rows); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEncodeChunks encodes such a window as the worker does: in chunks
// of at most 1 MB, in parallel, one after another (so writers and buffers are
// reused from window to window).
func BenchmarkEncodeChunks(b *testing.B) {
	s := NewSchema([]string{"note", "code"})
	rows := testRows(10_000, 1000)
	seal := func(p []byte, _ []Row) (string, []byte, error) { return "id", p, nil }
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.EncodeChunks(rows, 1<<20, seal); err != nil {
			b.Fatal(err)
		}
	}
}
