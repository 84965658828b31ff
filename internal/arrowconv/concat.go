package arrowconv

import (
	"bytes"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/ipc"
)

// Concat joins IPC streams of one schema into a single stream, in order, so
// that the batches of a whole topic become one Arrow, CSV or Parquet output.
// Each stream is read through the same length guard as Convert.
func Concat(streams ...[]byte) ([]byte, error) {
	if len(streams) == 1 {
		return streams[0], nil
	}
	var out bytes.Buffer
	var w *ipc.Writer
	var schema *arrow.Schema
	for i, s := range streams {
		err := eachRecord(s, func(sc *arrow.Schema) error {
			if schema == nil {
				schema = sc
				w = ipc.NewWriter(&out, ipc.WithSchema(schema), ipc.WithZstd())
			} else if !schema.Equal(sc) {
				return fmt.Errorf("stream %d has another schema than stream 0: %w", i, ErrInput)
			}
			return nil
		}, func(rec arrow.RecordBatch) error {
			if err := w.Write(rec); err != nil {
				return fmt.Errorf("joining stream %d: %w", i, err)
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("joining stream %d: %w", i, err)
		}
	}
	if w == nil {
		return nil, fmt.Errorf("joining streams: none given: %w", ErrInput)
	}
	if err := w.Close(); err != nil {
		return nil, fmt.Errorf("joining streams: %w", err)
	}
	return out.Bytes(), nil
}
