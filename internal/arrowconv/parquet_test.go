package arrowconv

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"github.com/google/go-cmp/cmp"

	"github.com/deidstream/deidstream/arrowbatch"
	"github.com/deidstream/deidstream/internal/testenv"
)

// researchBatches joins three arrowbatch-encoded batches (the shape decrypt
// --topic produces) and returns the stream with the rows it holds.
func researchBatches(t testing.TB) ([]byte, []arrowbatch.Row) {
	t.Helper()
	s := arrowbatch.NewSchema([]string{"age_band", "zip3"})
	var streams [][]byte
	var all []arrowbatch.Row
	for i := range 3 {
		var rows []arrowbatch.Row
		for j := range i + 2 { // unequal batch sizes: 2, 3, 4 rows
			off := int64(len(all) + len(rows))
			rows = append(rows, arrowbatch.Row{Topic: "research", Partition: int32(i), Offset: off,
				Values: []string{fmt.Sprintf("%d0-%d9", 3+j, 3+j), fmt.Sprintf("0%02d", off)}})
		}
		b, err := s.Encode(rows)
		if err != nil {
			t.Fatal(err)
		}
		streams = append(streams, b)
		all = append(all, rows...)
	}
	joined, err := Concat(streams...)
	if err != nil {
		t.Fatal(err)
	}
	return joined, all
}

// readParquetRows reads a Parquet file back with pqarrow into arrowbatch.Rows.
func readParquetRows(t *testing.T, b []byte) (cols []string, rowGroups int, rows []arrowbatch.Row) {
	t.Helper()
	pf, err := file.NewParquetReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("opening parquet output: %v", err)
	}
	defer pf.Close()
	fr, err := pqarrow.NewFileReader(pf, pqarrow.ArrowReadProperties{}, memory.DefaultAllocator)
	if err != nil {
		t.Fatal(err)
	}
	tbl, err := fr.ReadTable(context.Background())
	if err != nil {
		t.Fatalf("reading parquet table: %v", err)
	}
	defer tbl.Release()
	for _, f := range tbl.Schema().Fields() {
		cols = append(cols, f.Name)
	}
	tr := array.NewTableReader(tbl, -1)
	defer tr.Release()
	for tr.Next() {
		rec := tr.RecordBatch()
		for i := range int(rec.NumRows()) {
			r := arrowbatch.Row{
				Topic:     rec.Column(0).(*array.String).Value(i),
				Partition: rec.Column(1).(*array.Int32).Value(i),
				Offset:    rec.Column(2).(*array.Int64).Value(i),
			}
			for c := 3; c < int(rec.NumCols()); c++ {
				r.Values = append(r.Values, rec.Column(c).(*array.String).Value(i))
			}
			rows = append(rows, r)
		}
	}
	return cols, pf.NumRowGroups(), rows
}

func TestConvertParquetRoundTrip(t *testing.T) {
	in, want := researchBatches(t)
	var out bytes.Buffer
	if err := Convert(&out, in, FormatParquet); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(out.Bytes(), []byte("PAR1")) || !bytes.HasSuffix(out.Bytes(), []byte("PAR1")) {
		t.Fatalf("output is not framed by the Parquet magic PAR1")
	}
	cols, groups, got := readParquetRows(t, out.Bytes())
	wantCols := []string{arrowbatch.ColTopic, arrowbatch.ColPartition, arrowbatch.ColOffset, "age_band", "zip3"}
	if diff := cmp.Diff(wantCols, cols); diff != "" {
		t.Errorf("columns (-want +got):\n%s", diff)
	}
	if groups != 3 {
		t.Errorf("%d row groups, want one per input batch (3)", groups)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
}

func TestConvertParquetKeepsNullsAndEmptyStream(t *testing.T) {
	// rowsStream has a nullable string column with nulls in every batch.
	var out bytes.Buffer
	if err := Convert(&out, rowsStream(t, 2), FormatParquet); err != nil {
		t.Fatal(err)
	}
	pf, err := file.NewParquetReader(bytes.NewReader(out.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	fr, err := pqarrow.NewFileReader(pf, pqarrow.ArrowReadProperties{}, memory.DefaultAllocator)
	if err != nil {
		t.Fatal(err)
	}
	tbl, err := fr.ReadTable(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer tbl.Release()
	if tbl.NumRows() != 4 || tbl.Column(0).NullN() != 2 {
		t.Errorf("read back %d rows with %d nulls in age_band, want 4 rows with 2 nulls", tbl.NumRows(), tbl.Column(0).NullN())
	}
	if !arrow.TypeEqual(tbl.Schema().Field(1).Type, arrow.PrimitiveTypes.Int64) {
		t.Errorf("count column read back as %s, want int64", tbl.Schema().Field(1).Type)
	}
	pf.Close()

	out.Reset()
	if err := Convert(&out, rowsStream(t, 0), FormatParquet); err != nil {
		t.Fatal(err)
	}
	pf, err = file.NewParquetReader(bytes.NewReader(out.Bytes()))
	if err != nil {
		t.Fatalf("empty stream gave an unreadable parquet file: %v", err)
	}
	defer pf.Close()
	if pf.NumRows() != 0 || pf.MetaData().Schema.NumColumns() != 2 {
		t.Errorf("empty stream: %d rows, %d columns; want 0 rows, 2 columns", pf.NumRows(), pf.MetaData().Schema.NumColumns())
	}
}

// failingWriter fails after limit bytes, like a full disk.
type failingWriter struct{ limit int }

var errDiskFull = errors.New("disk full")

func (f *failingWriter) Write(p []byte) (int, error) {
	if len(p) > f.limit {
		return 0, errDiskFull
	}
	f.limit -= len(p)
	return len(p), nil
}

func TestConvertParquetReportsWriteFailure(t *testing.T) {
	in, _ := researchBatches(t)
	err := Convert(&failingWriter{limit: 10}, in, FormatParquet)
	if !errors.Is(err, errDiskFull) || errors.Is(err, ErrInput) {
		t.Errorf("error %v: want the writer's failure, not ErrInput", err)
	}
	if err := Convert(&bytes.Buffer{}, in[:len(in)/2], FormatParquet); !errors.Is(err, ErrInput) {
		t.Errorf("truncated input: error %v, want ErrInput", err)
	}
}

// TestParquetReadByPyarrow checks the file against an implementation no one
// here wrote: Arrow C++ through pyarrow.
func TestParquetReadByPyarrow(t *testing.T) {
	if _, err := exec.LookPath("python3"); err != nil || exec.Command("python3", "-c", "import pyarrow.parquet").Run() != nil {
		testenv.Unavailable(t, "pyarrow not installed (python3 -c 'import pyarrow.parquet' failed; scripts/setup.sh installs it): skipping the Parquet interop check")
	}
	in, want := researchBatches(t)
	var out bytes.Buffer
	if err := Convert(&out, in, FormatParquet); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "batch.parquet") // synthetic rows, not PHI
	if err := os.WriteFile(path, out.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	const script = `
import sys, pyarrow.parquet as pq
f = pq.ParquetFile(sys.argv[1])
t = f.read()
print(",".join(t.column_names))
print(f.metadata.num_row_groups, f.metadata.row_group(0).column(0).compression)
for r in t.to_pylist():
    print("|".join(str(r[c]) for c in t.column_names))
`
	cmd := exec.Command("python3", "-c", script, path)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	got, err := cmd.Output()
	if err != nil {
		t.Fatalf("pyarrow could not read the file: %v\n%s", err, stderr.String())
	}
	var lines []string
	lines = append(lines, "_source_topic,_source_partition,_source_offset,age_band,zip3", "3 ZSTD")
	for _, r := range want {
		lines = append(lines, fmt.Sprintf("%s|%d|%d|%s", r.Topic, r.Partition, r.Offset, strings.Join(r.Values, "|")))
	}
	if diff := cmp.Diff(lines, strings.Split(strings.TrimSpace(string(got)), "\n")); diff != "" {
		t.Errorf("pyarrow's reading (-want +got):\n%s", diff)
	}
}
