package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/deidstream/deidstream/detectors"
	"github.com/deidstream/deidstream/internal/config"
)

func init() {
	register(command{name: "detect", summary: "find PHI spans in JSONL {id,text} records on stdin", run: runDetect})
}

// maxDetectLine bounds one input line (a record); longer lines are reported as errors.
const maxDetectLine = 64 << 20

func runDetect(ctx context.Context, s stdio, args []string) int {
	fs := newFlags(s, "detect", "[-c config.yaml] < in.jsonl > out.jsonl",
		"Reads {\"id\",\"text\"} lines; prints {\"id\",\"spans\":[{start,end,type,score}]} per line (code-point offsets).")
	var cfgPath string
	fs.configFlag(&cfgPath, "", "config `file` whose detection: section configures the detectors (default: built-in defaults)")
	if code, ok := fs.parse(args); !ok {
		return code
	}
	cfg := detectors.DefaultConfig()
	if cfgPath != "" {
		var err error
		if cfg, err = loadDetectionConfig(cfgPath); err != nil {
			fmt.Fprintf(s.Stderr, "worker detect: %v\n", err)
			return 2
		}
	}
	eng, err := detectors.New(cfg)
	if err != nil {
		fmt.Fprintf(s.Stderr, "worker detect: %v\n", err)
		return 2
	}
	failed, err := detectStream(ctx, eng, s.Stdin, s.Stdout)
	if err != nil {
		fmt.Fprintf(s.Stderr, "worker detect: %v\n", err)
		return 1
	}
	if failed > 0 {
		fmt.Fprintf(s.Stderr, "worker detect: %d unreadable line(s)\n", failed)
		return 1
	}
	return 0
}

// loadDetectionConfig reads the `detection:` section of a worker config file.
func loadDetectionConfig(path string) (detectors.Config, error) {
	c, err := config.LoadSections(path, "detection")
	if err != nil {
		return detectors.Config{}, err
	}
	if err := c.Detection.Validate(); err != nil {
		return c.Detection, fmt.Errorf("validating config %s: detection: %w", path, err)
	}
	return c.Detection, nil
}

type detectIn struct {
	ID   *string `json:"id"`
	Text *string `json:"text"`
}

type detectOut struct {
	ID    string           `json:"id"`
	Spans []detectors.Span `json:"spans"`
}

type lineError struct {
	Line  int    `json:"line"`
	Error string `json:"error"`
}

// detectStream processes JSONL records in order. It returns the number of
// unreadable lines; the error is for failures of the streams themselves.
// Error messages never quote record content.
func detectStream(ctx context.Context, eng *detectors.Engine, in io.Reader, out io.Writer) (int, error) {
	return eachJSONLine(ctx, in, out, func(lineNo int, line []byte) any {
		var rec detectIn
		if err := json.Unmarshal(line, &rec); err != nil {
			return lineError{Line: lineNo, Error: "decoding JSON: " + jsonErrorKind(err)}
		}
		if rec.ID == nil || rec.Text == nil {
			return lineError{Line: lineNo, Error: "missing \"id\" or \"text\" string field"}
		}
		spans := eng.Detect(*rec.Text)
		if spans == nil {
			spans = []detectors.Span{}
		}
		return detectOut{ID: *rec.ID, Spans: spans}
	})
}

// eachJSONLine reads JSONL from in and writes, per non-blank line, the value fn
// returns as one JSON line to out, in order. A line over maxDetectLine bytes
// gets a lineError without calling fn. It returns how many lineErrors were
// written; the error is for failures of the streams themselves.
func eachJSONLine(ctx context.Context, in io.Reader, out io.Writer, fn func(lineNo int, line []byte) any) (int, error) {
	br := bufio.NewReaderSize(in, 1<<20)
	bw := bufio.NewWriterSize(out, 1<<16)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	failed, lineNo := 0, 0
	for {
		if err := ctx.Err(); err != nil {
			bw.Flush()
			return failed, fmt.Errorf("reading input: %w", err)
		}
		line, tooLong, err := readLine(br, maxDetectLine)
		if err != nil && !errors.Is(err, io.EOF) {
			bw.Flush()
			return failed, fmt.Errorf("reading input line %d: %w", lineNo+1, err)
		}
		if len(line) == 0 && !tooLong && errors.Is(err, io.EOF) {
			break
		}
		var rec any
		switch {
		case tooLong:
			lineNo++
			rec = lineError{Line: lineNo, Error: fmt.Sprintf("line longer than %d bytes", maxDetectLine)}
		case len(bytes.TrimSpace(line)) == 0:
			// Blank lines carry no record (common at file ends).
		default:
			lineNo++
			rec = fn(lineNo, line)
		}
		if _, bad := rec.(lineError); bad {
			failed++
		}
		if rec != nil {
			if werr := enc.Encode(rec); werr != nil {
				return failed, fmt.Errorf("writing output: %w", werr)
			}
		}
		if errors.Is(err, io.EOF) {
			break
		}
	}
	if err := bw.Flush(); err != nil {
		return failed, fmt.Errorf("writing output: %w", err)
	}
	return failed, nil
}

// readLine reads one line without its newline; a line over max bytes is
// consumed and reported as tooLong.
func readLine(br *bufio.Reader, max int) (line []byte, tooLong bool, err error) {
	for {
		chunk, e := br.ReadSlice('\n')
		if len(line)+len(chunk) > max {
			tooLong = true
			line = line[:0]
		} else if !tooLong {
			line = append(line, chunk...)
		}
		if errors.Is(e, bufio.ErrBufferFull) {
			continue
		}
		if n := len(line); n > 0 && line[n-1] == '\n' {
			line = line[:n-1]
		}
		return line, tooLong, e
	}
}

// jsonErrorKind describes a JSON decoding error without quoting input bytes.
func jsonErrorKind(err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return fmt.Sprintf("syntax error at byte %d", se.Offset)
	case errors.As(err, &te) && te.Field == "":
		return "line is not a JSON object"
	case errors.As(err, &te):
		return fmt.Sprintf("field %q must be a string", te.Field)
	default:
		return "invalid JSON"
	}
}
