package arrowconv

import (
	"fmt"
	"io"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
)

// parquetProps: Zstd at its default level is a good size/speed trade for
// research extracts; the Arrow schema is stored in the file metadata so types
// Parquet lacks (large_string, timestamp units) read back as written.
func parquetProps() (*parquet.WriterProperties, pqarrow.ArrowWriterProperties) {
	return parquet.NewWriterProperties(
			parquet.WithCompression(compress.Codecs.Zstd),
			parquet.WithCreatedBy("deidstream"),
		),
		pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema())
}

// sinkWriter remembers whether a failure came from the destination, so a
// full disk is not reported as bad input.
type sinkWriter struct {
	w   io.Writer
	err error
}

func (s *sinkWriter) Write(p []byte) (int, error) {
	n, err := s.w.Write(p)
	if err != nil && s.err == nil {
		s.err = err
	}
	return n, err
}

// convertParquet writes one row group per input record batch (pqarrow splits
// a batch only past the 64 Mi-row default limit). pqarrow's errors name
// columns and types, never cell values.
func convertParquet(w io.Writer, b []byte) error {
	sink := &sinkWriter{w: w}
	var fw *pqarrow.FileWriter
	fail := func(stage string, err error) error {
		if sink.err != nil {
			return fmt.Errorf("writing parquet output: %w", sink.err)
		}
		return fmt.Errorf("%s: %w: %w", stage, ErrInput, err)
	}
	err := eachRecord(b, func(s *arrow.Schema) error {
		props, arrProps := parquetProps()
		var err error
		if fw, err = pqarrow.NewFileWriter(s, sink, props, arrProps); err != nil {
			return fail("converting schema to parquet", err)
		}
		return nil
	}, func(rec arrow.RecordBatch) error {
		if err := fw.Write(rec); err != nil {
			return fail("writing parquet row group", err)
		}
		return nil
	})
	if err != nil {
		if fw != nil {
			// Release the writer's buffers; the output is abandoned anyway.
			_ = fw.Close()
		}
		return err
	}
	if fw == nil {
		return fmt.Errorf("converting to parquet: stream has no schema: %w", ErrInput)
	}
	if err := fw.Close(); err != nil {
		return fail("closing parquet file", err)
	}
	return nil
}
