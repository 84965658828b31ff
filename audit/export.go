package audit

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"
)

// maxExportLine bounds one export line, so a corrupt file cannot exhaust memory.
const maxExportLine = 16 << 20

// exportLine is one line of a JSONL export. Text holds the value when it is
// valid UTF-8 (events and checkpoints always are), so an export is readable;
// Value (base64) holds anything else byte for byte.
type exportLine struct {
	Kind  string `json:"kind"`
	Text  string `json:"text,omitempty"`
	Value []byte `json:"value,omitempty"`
}

// WriteExport writes msgs as JSON lines, one message per line, in order.
func WriteExport(w io.Writer, msgs []Message) error {
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	for i, m := range msgs {
		l := exportLine{Kind: m.Kind}
		if utf8.Valid(m.Value) {
			l.Text = string(m.Value)
		} else {
			l.Value = m.Value
		}
		if err := enc.Encode(&l); err != nil {
			return fmt.Errorf("writing export line %d: %w", i+1, err)
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("writing export: %w", err)
	}
	return nil
}

// ReadExport reads a file written by WriteExport. Blank lines are skipped.
func ReadExport(r io.Reader) ([]Message, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	var msgs []Message
	for n := 1; ; n++ {
		line, err := readLine(br)
		if errors.Is(err, io.EOF) && len(line) == 0 {
			return msgs, nil
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("reading export line %d: %w", n, err)
		}
		if len(line) == 0 {
			continue
		}
		var l exportLine
		if err := json.Unmarshal(line, &l); err != nil {
			return nil, fmt.Errorf("reading export line %d: not a JSON message: %w", n, ErrBadExport)
		}
		if l.Text != "" && l.Value != nil {
			return nil, fmt.Errorf("reading export line %d: both text and value set: %w", n, ErrBadExport)
		}
		m := Message{Kind: l.Kind, Value: l.Value}
		if l.Text != "" {
			m.Value = []byte(l.Text)
		}
		msgs = append(msgs, m)
	}
}

// readLine returns the next line without its newline, refusing lines
// longer than maxExportLine.
func readLine(br *bufio.Reader) ([]byte, error) {
	var line []byte
	for {
		chunk, err := br.ReadSlice('\n')
		line = append(line, chunk...)
		if len(line) > maxExportLine {
			return nil, fmt.Errorf("line longer than %d bytes: %w", maxExportLine, ErrBadExport)
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if len(line) > 0 && line[len(line)-1] == '\n' {
			line = line[:len(line)-1]
		}
		if len(line) > 0 && line[len(line)-1] == '\r' {
			line = line[:len(line)-1]
		}
		return line, err
	}
}
