package arrowconv

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/deidstream/deidstream/sinks"
)

func TestConcatKeepsEveryRowInOrder(t *testing.T) {
	s := sinks.NewSchema([]string{"a"})
	var streams [][]byte
	for i := range 3 {
		b, err := s.Encode([]sinks.Row{{Topic: "t", Offset: int64(2 * i), Values: []string{"x"}}, {Topic: "t", Offset: int64(2*i + 1), Values: []string{"y"}}})
		if err != nil {
			t.Fatal(err)
		}
		streams = append(streams, b)
	}
	joined, err := Concat(streams...)
	if err != nil {
		t.Fatal(err)
	}
	_, rows, err := sinks.Decode(joined)
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
	other, _ := sinks.NewSchema([]string{"b"}).Encode(nil)
	if _, err := Concat(streams[0], other); !errors.Is(err, ErrInput) {
		t.Errorf("mixed schemas: %v, want ErrInput", err)
	}
}
