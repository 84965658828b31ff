package arrowconv

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/google/go-cmp/cmp"
)

// stream builds an IPC stream of nBatches batches of two rows each.
func stream(t testing.TB, schema *arrow.Schema, nBatches int, build func(*array.RecordBuilder, int)) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := ipc.NewWriter(&buf, ipc.WithSchema(schema), ipc.WithZstd())
	for i := range nBatches {
		b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
		build(b, i)
		rec := b.NewRecordBatch()
		if err := w.Write(rec); err != nil {
			t.Fatal(err)
		}
		rec.Release()
		b.Release()
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

var rowsSchema = arrow.NewSchema([]arrow.Field{
	{Name: "age_band", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "count", Type: arrow.PrimitiveTypes.Int64},
}, nil)

func rowsStream(t testing.TB, batches int) []byte {
	return stream(t, rowsSchema, batches, func(b *array.RecordBuilder, i int) {
		s := b.Field(0).(*array.StringBuilder)
		s.Append("40-49")
		s.AppendNull()
		n := b.Field(1).(*array.Int64Builder)
		n.AppendValues([]int64{int64(10 * i), int64(10*i + 1)}, nil)
	})
}

func TestConvert(t *testing.T) {
	in := rowsStream(t, 2)
	tests := []struct {
		format string
		want   string
	}{
		{FormatCSV, "age_band,count\n40-49,0\n,1\n40-49,10\n,11\n"},
		{FormatJSONL, `{"age_band":"40-49","count":0}` + "\n" + `{"age_band":null,"count":1}` + "\n" +
			`{"age_band":"40-49","count":10}` + "\n" + `{"age_band":null,"count":11}` + "\n"},
		{FormatArrow, string(in)},
	}
	for _, tc := range tests {
		t.Run(tc.format, func(t *testing.T) {
			var out bytes.Buffer
			if err := Convert(&out, in, tc.format); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, out.String()); diff != "" {
				t.Errorf("output (-want +got):\n%s", diff)
			}
		})
	}
}

func TestConvertEmptyStreamCSVHasHeader(t *testing.T) {
	var out bytes.Buffer
	if err := Convert(&out, rowsStream(t, 0), FormatCSV); err != nil {
		t.Fatal(err)
	}
	if out.String() != "age_band,count\n" {
		t.Errorf("empty stream as csv = %q, want just the header", out.String())
	}
}

func TestConvertRejects(t *testing.T) {
	nested := arrow.NewSchema([]arrow.Field{{Name: "codes", Type: arrow.ListOf(arrow.BinaryTypes.String)}}, nil)
	nestedIn := stream(t, nested, 1, func(b *array.RecordBuilder, _ int) {
		l := b.Field(0).(*array.ListBuilder)
		l.Append(true)
		l.ValueBuilder().(*array.StringBuilder).Append("E11")
	})
	good := rowsStream(t, 1)
	tests := []struct {
		name   string
		in     []byte
		format string
		want   error
	}{
		{"unknown format", good, "xlsx", ErrUnsupportedFormat},
		{"garbage as parquet", []byte("not arrow at all"), FormatParquet, ErrInput},
		{"truncated stream as parquet", good[:len(good)/2], FormatParquet, ErrInput},
		{"garbage as arrow", []byte("not arrow at all"), FormatArrow, ErrInput},
		{"garbage as jsonl", []byte("not arrow at all"), FormatJSONL, ErrInput},
		{"truncated stream", good[:len(good)/2], FormatJSONL, ErrInput},
		{"nested column as csv", nestedIn, FormatCSV, ErrInput},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := Convert(&bytes.Buffer{}, tc.in, tc.format)
			if !errors.Is(err, tc.want) {
				t.Errorf("error %v, want %v", err, tc.want)
			}
			if err != nil && strings.Contains(err.Error(), "E11") {
				t.Errorf("error quotes a cell value: %v", err)
			}
		})
	}
	// jsonl handles the nested column csv cannot.
	var out bytes.Buffer
	if err := Convert(&out, nestedIn, FormatJSONL); err != nil || out.String() != `{"codes":["E11"]}`+"\n" {
		t.Errorf("nested as jsonl = %q, %v", out.String(), err)
	}
}

func FuzzConvert(f *testing.F) {
	good := rowsStream(f, 2)
	f.Add(good)
	f.Add(good[:40])
	f.Add([]byte{0xff, 0xff, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, format := range Formats() {
			var out bytes.Buffer
			if err := Convert(&out, b, format); err != nil && !errors.Is(err, ErrInput) {
				t.Fatalf("%s: error %v wraps neither sentinel", format, err)
			}
		}
	})
}
