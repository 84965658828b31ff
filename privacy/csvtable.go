package privacy

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"unicode/utf8"
)

// ErrCSV means a delimited table could not be read or written.
var ErrCSV = errors.New("malformed delimited table")

func sepRune(sep string) (rune, error) {
	if sep == "" {
		return ';', nil
	}
	r, n := utf8.DecodeRuneInString(sep)
	if n != len(sep) || r == '"' || r == '\n' || r == '\r' {
		return 0, fmt.Errorf("using separator: want one character other than quote or newline: %w", ErrCSV)
	}
	return r, nil
}

// ReadCSV reads a header line and rows separated by sep. Errors give line
// numbers, never cell contents.
func ReadCSV(r io.Reader, sep string) (Table, error) {
	c, err := sepRune(sep)
	if err != nil {
		return Table{}, err
	}
	cr := csv.NewReader(r)
	cr.Comma = c
	cr.ReuseRecord = false
	header, err := cr.Read()
	if err != nil {
		return Table{}, fmt.Errorf("reading header: %w: %w", ErrCSV, scrub(err))
	}
	if len(header) > 0 {
		header[0] = strings.TrimPrefix(header[0], "\ufeff")
	}
	t := Table{Columns: header}
	for {
		row, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return Table{}, fmt.Errorf("reading row %d: %w: %w", len(t.Rows)+1, ErrCSV, scrub(err))
		}
		t.Rows = append(t.Rows, row)
	}
	return t, nil
}

// scrub keeps a csv.ParseError's position and kind but drops nothing else;
// csv errors never quote content, so they pass through otherwise.
func scrub(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return fmt.Errorf("line %d column %d: %w", pe.Line, pe.Column, pe.Err)
	}
	return err
}

// WriteCSV writes t with sep.
func WriteCSV(w io.Writer, t Table, sep string) error {
	c, err := sepRune(sep)
	if err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	cw.Comma = c
	write := func(rec []string) error {
		if len(rec) == 1 && rec[0] == "" {
			// encoding/csv writes a lone empty field as a blank line, which
			// readers skip: quote it so that the row survives.
			cw.Flush()
			if _, err := io.WriteString(w, "\"\"\n"); err != nil {
				return err
			}
			return nil
		}
		return cw.Write(rec)
	}
	if err := write(t.Columns); err != nil {
		return fmt.Errorf("writing header: %w", err)
	}
	for i, r := range t.Rows {
		if err := write(r); err != nil {
			return fmt.Errorf("writing row %d: %w", i+1, err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("writing rows: %w", err)
	}
	return nil
}

// ParseQuasiIdentifiers reads a CLI list "age:numeric,sex,dob:date" (kind
// defaults to categorical) and attaches DIR/*_hierarchy_<column>.csv to each
// categorical column that has one.
func ParseQuasiIdentifiers(spec, hierarchyDir string) ([]QuasiIdentifier, error) {
	var out []QuasiIdentifier
	for _, part := range strings.Split(spec, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		name, kind, _ := strings.Cut(part, ":")
		if kind == "" {
			kind = KindCategorical
		}
		q := QuasiIdentifier{Name: name, Kind: kind}
		if kind == KindCategorical && hierarchyDir != "" {
			matches, err := filepath.Glob(filepath.Join(hierarchyDir, "*_hierarchy_"+globEscape(name)+".csv"))
			if err != nil {
				return nil, fmt.Errorf("finding hierarchy of %s: %w", name, err)
			}
			if len(matches) > 1 {
				return nil, fmt.Errorf("finding hierarchy of %s: %d files match in %s: %w", name, len(matches), hierarchyDir, ErrHierarchy)
			}
			if len(matches) == 1 {
				q.Hierarchy = matches[0]
			}
		}
		out = append(out, q)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("parsing quasi-identifier list: empty: %w", ErrInvalidConfig)
	}
	return out, nil
}

func globEscape(s string) string {
	r := strings.NewReplacer(`*`, `\*`, `?`, `\?`, `[`, `\[`, `\`, `\\`)
	return r.Replace(s)
}
