package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"github.com/google/go-cmp/cmp"

	"github.com/deidstream/deidstream/arrowbatch"
)

func TestDecryptFormats(t *testing.T) {
	dir := t.TempDir()
	genEnvelopeKeys(t, dir, "r")
	schema := arrow.NewSchema([]arrow.Field{{Name: "zip3", Type: arrow.BinaryTypes.String}, {Name: "n", Type: arrow.PrimitiveTypes.Int64}}, nil)
	var ipcBuf bytes.Buffer
	w := ipc.NewWriter(&ipcBuf, ipc.WithSchema(schema))
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	b.Field(0).(*array.StringBuilder).AppendValues([]string{"021", "100"}, nil)
	b.Field(1).(*array.Int64Builder).AppendValues([]int64{3, 5}, nil)
	rec := b.NewRecordBatch()
	if err := w.Write(rec); err != nil {
		t.Fatal(err)
	}
	w.Close()
	in := filepath.Join(dir, "batch.arrow")
	os.WriteFile(in, ipcBuf.Bytes(), 0o600)
	sealed := filepath.Join(dir, "batch.sealed")
	if code, _, stderr := runEnvelopeCLI(t, "seal", "--recipient", filepath.Join(dir, "r.pub"), "--in", in, "--out", sealed); code != 0 {
		t.Fatal(stderr)
	}
	tests := []struct{ format, want string }{
		{"csv", "zip3,n\n021,3\n100,5\n"},
		{"jsonl", "{\"n\":3,\"zip3\":\"021\"}\n{\"n\":5,\"zip3\":\"100\"}\n"},
		{"arrow", ipcBuf.String()},
	}
	for _, tc := range tests {
		t.Run(tc.format, func(t *testing.T) {
			code, stdout, stderr := runEnvelopeCLI(t, "decrypt", "--key", filepath.Join(dir, "r.key"), "--in", sealed, "--out", "-", "--format", tc.format)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			if tc.format == "jsonl" {
				// Key order inside an object is arrow-go's choice; compare per line loosely.
				if strings.Count(stdout, "\n") != 2 || !strings.Contains(stdout, `"zip3":"021"`) || !strings.Contains(stdout, `"n":5`) {
					t.Errorf("jsonl output %q", stdout)
				}
				return
			}
			if stdout != tc.want {
				t.Errorf("output %q, want %q", stdout, tc.want)
			}
		})
	}
	for _, f := range []string{"xlsx"} {
		out := filepath.Join(dir, "out."+f)
		if code, _, stderr := runEnvelopeCLI(t, "decrypt", "--key", filepath.Join(dir, "r.key"), "--in", sealed, "--out", out, "--format", f); code == 0 || !strings.Contains(stderr, "unsupported") {
			t.Errorf("--format %s: exit %d, %q", f, code, stderr)
		}
		if _, err := os.Stat(out); !os.IsNotExist(err) {
			t.Errorf("--format %s left an output file", f)
		}
	}
	if code, stdout, _ := runEnvelopeCLI(t, "decrypt", "-h"); code != 0 || !strings.Contains(stdout, "--format") || !strings.Contains(stdout, "parquet (Zstd") {
		t.Errorf("decrypt -h: exit %d %q", code, stdout)
	}
	if code, stdout, _ := runEnvelopeCLI(t, "seal", "-h"); code != 0 || !strings.Contains(stdout, "--recipient") {
		t.Errorf("seal -h: exit %d %q", code, stdout)
	}
}

// TestDecryptParquet opens a sealed research batch into a Parquet file and
// reads it back; a tampered envelope leaves no Parquet file behind.
func TestDecryptParquet(t *testing.T) {
	dir := t.TempDir()
	genEnvelopeKeys(t, dir, "r")
	rows := []arrowbatch.Row{
		{Topic: "research", Partition: 0, Offset: 7, Values: []string{"30-39", "021"}},
		{Topic: "research", Partition: 1, Offset: 9, Values: []string{"40-49", "100"}},
	}
	plain, err := arrowbatch.NewSchema([]string{"age_band", "zip3"}).Encode(rows)
	if err != nil {
		t.Fatal(err)
	}
	in := filepath.Join(dir, "batch.arrow")
	if err := os.WriteFile(in, plain, 0o600); err != nil {
		t.Fatal(err)
	}
	sealed := filepath.Join(dir, "batch.sealed")
	if code, _, stderr := runEnvelopeCLI(t, "seal", "--recipient", filepath.Join(dir, "r.pub"), "--in", in, "--out", sealed); code != 0 {
		t.Fatal(stderr)
	}
	out := filepath.Join(dir, "batch.parquet")
	if code, _, stderr := runEnvelopeCLI(t, "decrypt", "--key", filepath.Join(dir, "r.key"), "--in", sealed, "--out", out, "--format", "parquet"); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if st, err := os.Stat(out); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("output %v, %v: want a 0600 file", st, err)
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	pf, err := file.NewParquetReader(f)
	if err != nil {
		t.Fatalf("output is not Parquet: %v", err)
	}
	defer pf.Close()
	fr, err := pqarrow.NewFileReader(pf, pqarrow.ArrowReadProperties{}, memory.DefaultAllocator)
	if err != nil {
		t.Fatal(err)
	}
	tbl, err := fr.ReadTable(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer tbl.Release()
	var cols []string
	for _, fd := range tbl.Schema().Fields() {
		cols = append(cols, fd.Name)
	}
	if diff := cmp.Diff([]string{arrowbatch.ColTopic, arrowbatch.ColPartition, arrowbatch.ColOffset, "age_band", "zip3"}, cols); diff != "" {
		t.Errorf("columns (-want +got):\n%s", diff)
	}
	if tbl.NumRows() != 2 {
		t.Fatalf("%d rows, want 2", tbl.NumRows())
	}
	zip := tbl.Column(4).Data().Chunk(0).(*array.String)
	offs := tbl.Column(2).Data().Chunk(0).(*array.Int64)
	if zip.Value(0) != "021" || zip.Value(1) != "100" || offs.Value(0) != 7 || offs.Value(1) != 9 {
		t.Errorf("read back zip3 %q,%q offsets %d,%d", zip.Value(0), zip.Value(1), offs.Value(0), offs.Value(1))
	}

	b, err := os.ReadFile(sealed)
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)-5] ^= 1
	tampered := filepath.Join(dir, "tampered.sealed")
	if err := os.WriteFile(tampered, b, 0o600); err != nil {
		t.Fatal(err)
	}
	out2 := filepath.Join(dir, "tampered.parquet")
	if code, _, _ := runEnvelopeCLI(t, "decrypt", "--key", filepath.Join(dir, "r.key"), "--in", tampered, "--out", out2, "--format", "parquet"); code == 0 {
		t.Error("a tampered envelope decrypted with exit 0")
	}
	if _, err := os.Stat(out2); !os.IsNotExist(err) {
		t.Error("a tampered envelope left a Parquet file")
	}
}
