package arrowconv

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/deidstream/deidstream/arrowbatch"
)

// BenchmarkConvert converts 8 batches of 2,000 research rows (provenance plus
// six generalized string columns) to each format; jsonl and csv are the
// baselines for parquet. Bytes/op is the Arrow IPC input size.
func BenchmarkConvert(b *testing.B) {
	s := arrowbatch.NewSchema([]string{"age_band", "zip3", "sex", "admit_month", "dx_chapter", "note"})
	var streams [][]byte
	for batch := range 8 {
		rows := make([]arrowbatch.Row, 2000)
		for i := range rows {
			off := int64(batch*len(rows) + i)
			rows[i] = arrowbatch.Row{Topic: "research", Partition: int32(batch % 3), Offset: off, Values: []string{
				fmt.Sprintf("%d0-%d9", 2+i%6, 2+i%6), fmt.Sprintf("%03d", i%900), []string{"F", "M"}[i%2],
				fmt.Sprintf("2026-%02d", 1+i%12), fmt.Sprintf("chapter %d", i%21), fmt.Sprintf("[NAME] seen for [CONDITION] visit %d", i),
			}}
		}
		enc, err := s.Encode(rows)
		if err != nil {
			b.Fatal(err)
		}
		streams = append(streams, enc)
	}
	in, err := Concat(streams...)
	if err != nil {
		b.Fatal(err)
	}
	for _, format := range []string{FormatJSONL, FormatCSV, FormatParquet} {
		b.Run(format, func(b *testing.B) {
			var out bytes.Buffer
			b.SetBytes(int64(len(in)))
			b.ReportAllocs()
			for b.Loop() {
				out.Reset()
				if err := Convert(&out, in, format); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(out.Len()), "out-bytes")
		})
	}
}
