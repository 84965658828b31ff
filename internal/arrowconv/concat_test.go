package arrowconv

import (
	"bytes"
	"errors"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/deidstream/deidstream/arrowbatch"
)

func TestConcatKeepsEveryRowInOrder(t *testing.T) {
	s := arrowbatch.NewSchema([]string{"a"})
	var streams [][]byte
	for i := range 3 {
		b, err := s.Encode([]arrowbatch.Row{{Topic: "t", Offset: int64(2 * i), Values: []string{"x"}}, {Topic: "t", Offset: int64(2*i + 1), Values: []string{"y"}}})
		if err != nil {
			t.Fatal(err)
		}
		streams = append(streams, b)
	}
	joined, err := Concat(streams...)
	if err != nil {
		t.Fatal(err)
	}
	_, rows, err := arrowbatch.Decode(joined)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range rows {
		if r.Offset != int64(i) {
			t.Fatalf("row %d has offset %d", i, r.Offset)
		}
	}
	if len(rows) != 6 {
		t.Fatalf("%d rows, want 6", len(rows))
	}
	var csv bytes.Buffer
	if err := Convert(&csv, joined, FormatCSV); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(csv.String(), "_source_topic"); n != 1 {
		t.Errorf("csv has %d header lines, want 1", n)
	}
	other, _ := arrowbatch.NewSchema([]string{"b"}).Encode(nil)
	if _, err := Concat(streams[0], other); !errors.Is(err, ErrInput) {
		t.Errorf("mixed schemas: %v, want ErrInput", err)
	}
}

// A hostile stream among several is refused by the length guard, not read.
func TestConcatGuardsEveryStream(t *testing.T) {
	good, err := arrowbatch.NewSchema([]string{"a"}).Encode([]arrowbatch.Row{{Topic: "t", Values: []string{"x"}}})
	if err != nil {
		t.Fatal(err)
	}
	crash, err := os.ReadFile("testdata/fuzz/FuzzConvert/c7a2a9682110ce61")
	if err != nil {
		t.Fatal(err)
	}
	// The corpus file holds the input as a Go literal on its second line.
	lit := strings.TrimSpace(strings.SplitN(string(crash), "\n", 2)[1])
	lit = strings.TrimSuffix(strings.TrimPrefix(lit, "[]byte("), ")")
	hostile, err := strconv.Unquote(lit)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Concat(good, []byte(hostile)); !errors.Is(err, ErrInput) {
		t.Fatalf("hostile stream: %v, want ErrInput", err)
	}
}
