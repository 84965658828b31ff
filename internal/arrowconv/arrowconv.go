// Package arrowconv converts an Arrow IPC stream (the plaintext of a research
// batch) into the formats `worker decrypt --format` offers. It works in memory
// and writes only to the given io.Writer: decrypted PHI never reaches a temp file.
//
// Convert is safe for concurrent use.
package arrowconv

import (
	"bytes"
	stdcsv "encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/csv"
	"github.com/apache/arrow-go/v18/arrow/ipc"
)

// Formats Convert accepts.
const (
	FormatArrow   = "arrow"   // the IPC stream bytes, unchanged
	FormatJSONL   = "jsonl"   // one JSON object per row
	FormatCSV     = "csv"     // header line, then one line per row
	FormatParquet = "parquet" // Zstd-compressed, one row group per record batch
)

var (
	// ErrUnsupportedFormat: the format name is not one of Formats().
	ErrUnsupportedFormat = errors.New("arrowconv: unsupported output format")
	// ErrInput: the input is not a readable Arrow IPC stream, declares lengths
	// its size cannot hold, or holds column types the format cannot represent.
	ErrInput = errors.New("arrowconv: unreadable Arrow IPC input")
)

// Formats lists the formats Convert can write, for flag help.
func Formats() []string { return []string{FormatArrow, FormatJSONL, FormatCSV, FormatParquet} }

// Convert writes arrowIPC to w in format. Errors never quote cell values.
func Convert(w io.Writer, arrowIPC []byte, format string) error {
	switch format {
	case FormatArrow:
		if err := checkStream(arrowIPC); err != nil {
			return err
		}
		if _, err := w.Write(arrowIPC); err != nil {
			return fmt.Errorf("writing arrow output: %w", err)
		}
		return nil
	case FormatJSONL:
		return eachRecord(arrowIPC, nil, func(rec arrow.RecordBatch) error {
			if err := array.RecordToJSON(rec, w); err != nil {
				return fmt.Errorf("writing jsonl output: %w", err)
			}
			return nil
		})
	case FormatCSV:
		return convertCSV(w, arrowIPC)
	case FormatParquet:
		return convertParquet(w, arrowIPC)
	default:
		return fmt.Errorf("converting to %q: want one of %s: %w", format, strings.Join(Formats(), ", "), ErrUnsupportedFormat)
	}
}

// checkStream reads the whole stream so a damaged one is reported, not copied.
func checkStream(b []byte) error {
	return eachRecord(b, nil, func(arrow.RecordBatch) error { return nil })
}

// eachRecord calls fn for every record batch; start (if set) gets the schema first.
func eachRecord(b []byte, start func(*arrow.Schema) error, fn func(arrow.RecordBatch) error) (err error) {
	defer func() {
		// arrow-go (reader and parquet writer) panics on some malformed
		// streams, as does the length guard; report without the panic value,
		// which could quote buffer contents.
		if r := recover(); r != nil {
			err = fmt.Errorf("reading arrow stream: arrow-go panicked on malformed input: %w", ErrInput)
		}
	}()
	if err := checkSchemaMessages(b); err != nil {
		return fmt.Errorf("reading arrow stream: %w: %w", ErrInput, err)
	}
	limit := int64(len(b))
	rd, err := ipc.NewReader(bytes.NewReader(b), ipc.WithAllocator(newBoundedAllocator(len(b))),
		ipc.WithMetadataSizeLimit(limit), ipc.WithBodySizeLimit(limit))
	if err != nil {
		return fmt.Errorf("reading arrow stream schema: %w: %w", ErrInput, err)
	}
	defer rd.Release()
	if start != nil {
		if err := start(rd.Schema()); err != nil {
			return err
		}
	}
	for rd.Next() {
		if err := fn(rd.RecordBatch()); err != nil {
			return err
		}
	}
	if err := rd.Err(); err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("reading arrow record batch: %w: %w", ErrInput, err)
	}
	return nil
}

func convertCSV(w io.Writer, b []byte) error {
	var cw *csv.Writer
	var schema *arrow.Schema
	batches := 0
	err := eachRecord(b, func(s *arrow.Schema) error {
		for _, f := range s.Fields() {
			if !csvType(f.Type) {
				return fmt.Errorf("converting to csv: column %q has type %s, which csv cannot hold (use jsonl or arrow): %w", f.Name, f.Type, ErrInput)
			}
		}
		cw = csv.NewWriter(w, s, csv.WithHeader(true), csv.WithNullWriter(""))
		schema = s
		return nil
	}, func(rec arrow.RecordBatch) error {
		batches++
		if err := cw.Write(rec); err != nil {
			return fmt.Errorf("writing csv output: %w", err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if cw == nil {
		return fmt.Errorf("converting to csv: stream has no schema: %w", ErrInput)
	}
	if batches == 0 {
		// arrow-go writes the header with the first batch; a stream without batches still gets one.
		hw := stdcsv.NewWriter(w)
		names := make([]string, 0, schema.NumFields())
		for _, f := range schema.Fields() {
			names = append(names, f.Name)
		}
		if err := hw.Write(names); err != nil {
			return fmt.Errorf("writing csv header: %w", err)
		}
		hw.Flush()
		if err := hw.Error(); err != nil {
			return fmt.Errorf("writing csv header: %w", err)
		}
		return nil
	}
	if err := cw.Flush(); err != nil {
		return fmt.Errorf("writing csv output: %w", err)
	}
	return cw.Error()
}

// csvType reports whether arrow-go's csv writer supports t (it panics otherwise).
func csvType(t arrow.DataType) bool {
	switch t.ID() {
	case arrow.BOOL, arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64,
		arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.UINT64,
		arrow.FLOAT16, arrow.FLOAT32, arrow.FLOAT64,
		arrow.STRING, arrow.LARGE_STRING, arrow.BINARY, arrow.LARGE_BINARY,
		arrow.DATE32, arrow.DATE64, arrow.TIMESTAMP:
		return true
	}
	return false
}
