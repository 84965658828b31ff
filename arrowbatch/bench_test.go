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
