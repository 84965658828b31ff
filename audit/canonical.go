package audit

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Canonical returns the canonical JSON encoding of v, the only form in which
// events enter the log, so the same event always hashes the same.
//
// The rule: no insignificant whitespace; object keys sorted by their UTF-8
// bytes, each at most once; strings as encoding/json writes them without
// HTML escaping (only ", \ and control characters escaped); integers in plain
// decimal without leading zeros or "-0"; other numbers as encoding/json
// writes a float64 (shortest form that round-trips, exponent only outside
// [1e-6, 1e21)); NaN and infinities are rejected.
func Canonical(v any) ([]byte, error) {
	var raw bytes.Buffer
	enc := json.NewEncoder(&raw)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("encoding to JSON: %w", err)
	}
	return canonicalize(raw.Bytes())
}

// IsCanonical reports whether b is exactly its own canonical form.
func IsCanonical(b []byte) bool {
	c, err := canonicalize(b)
	return err == nil && bytes.Equal(c, b)
}

// canonicalize rewrites one JSON value in canonical form.
func canonicalize(b []byte) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("parsing JSON: %w", ErrNotCanonical)
	}
	if _, err := dec.Token(); err == nil {
		return nil, fmt.Errorf("parsing JSON: trailing data: %w", ErrNotCanonical)
	}
	var out bytes.Buffer
	if err := writeCanonical(&out, v); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

func writeCanonical(w *bytes.Buffer, v any) error {
	switch x := v.(type) {
	case nil:
		w.WriteString("null")
	case bool:
		w.WriteString(strconv.FormatBool(x))
	case string:
		writeString(w, x)
	case json.Number:
		n, err := canonicalNumber(string(x))
		if err != nil {
			return err
		}
		w.WriteString(n)
	case []any:
		w.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				w.WriteByte(',')
			}
			if err := writeCanonical(w, e); err != nil {
				return err
			}
		}
		w.WriteByte(']')
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		w.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				w.WriteByte(',')
			}
			writeString(w, k)
			w.WriteByte(':')
			if err := writeCanonical(w, x[k]); err != nil {
				return err
			}
		}
		w.WriteByte('}')
	default:
		return fmt.Errorf("encoding %T: %w", v, ErrNotCanonical)
	}
	return nil
}

func writeString(w *bytes.Buffer, s string) {
	if plainASCII(s) { // the common case: codes and names need no escaping
		w.WriteByte('"')
		w.WriteString(s)
		w.WriteByte('"')
		return
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a Go string always encodes
	w.Write(bytes.TrimSuffix(b.Bytes(), []byte("\n")))
}

// canonicalNumber formats a JSON number literal: integers that fit int64
// stay exact, everything else goes through float64.
func canonicalNumber(lit string) (string, error) {
	if !strings.ContainsAny(lit, ".eE") {
		if i, err := strconv.ParseInt(lit, 10, 64); err == nil {
			return strconv.FormatInt(i, 10), nil
		}
	}
	f, err := strconv.ParseFloat(lit, 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return "", fmt.Errorf("number out of range: %w", ErrNotCanonical)
	}
	if f == math.Trunc(f) && math.Abs(f) < 1<<53 {
		return strconv.FormatInt(int64(f), 10), nil
	}
	b, err := json.Marshal(f)
	if err != nil {
		return "", fmt.Errorf("formatting number: %w", ErrNotCanonical)
	}
	return string(b), nil
}

// plainASCII reports whether s is printable ASCII without '"' or '\\',
// which encoding/json writes unchanged.
func plainASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}
