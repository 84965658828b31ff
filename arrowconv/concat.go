package arrowconv

import (
	"bytes"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/ipc"
)

// Concat joins IPC streams of one schema into a single stream, in order, so
// that the batches of a whole topic become one Arrow, CSV or Parquet output.
func Concat(streams ...[]byte) ([]byte, error) {
	if len(streams) == 1 {
		return streams[0], nil
	}
	var out bytes.Buffer
	var w *ipc.Writer
	var schema *arrow.Schema
	for i, s := range streams {
		rd, err := ipc.NewReader(bytes.NewReader(s))
		if err != nil {
			return nil, fmt.Errorf("reading stream %d: %w: %w", i, err, ErrInput)
		}
		if schema == nil {
			schema = rd.Schema()
			w = ipc.NewWriter(&out, ipc.WithSchema(schema), ipc.WithZstd())
		} else if !schema.Equal(rd.Schema()) {
			rd.Release()
			return nil, fmt.Errorf("stream %d has another schema than stream 0: %w", i, ErrInput)
		}
		for rd.Next() {
			if err := w.Write(rd.RecordBatch()); err != nil {
				rd.Release()
				return nil, fmt.Errorf("joining stream %d: %w", i, err)
			}
		}
		err = rd.Err()
		rd.Release()
		if err != nil {
			return nil, fmt.Errorf("reading stream %d: %w: %w", i, err, ErrInput)
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
