package pipeline

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"
)

// Errors from decodeObject. They carry no record content, only the class of
// failure; decode maps them to quarantine reason codes.
var (
	// errJSONSyntax: the input is not exactly one JSON value (bad grammar,
	// trailing data, nesting deeper than maxJSONDepth, or empty input).
	errJSONSyntax = errors.New("decoding JSON: syntax error")
	// errJSONNotObject: the input is one valid JSON value but not an object.
	errJSONNotObject = errors.New("decoding JSON: top-level value is not an object")
)

// maxJSONDepth matches encoding/json's scanner limit, so the same inputs are
// rejected and recursion cannot exhaust the stack.
const maxJSONDepth = 10000

// topLevelKeysHint sizes the record map for the usual dozen-plus keys, so it
// is not rehashed twice while filling.
const topLevelKeysHint = 16

// recordMaps holds record maps given back by releaseObject: a new map per
// record, cleared by the runtime and collected again, was a tenth of the
// skeleton worker's CPU.
var recordMaps sync.Pool

// releaseObject gives back a map decodeObject returned, once nothing reads
// it any more; a map of many keys is left to the collector.
func releaseObject(m map[string]any) {
	if m != nil && len(m) <= 4*topLevelKeysHint {
		clear(m)
		recordMaps.Put(m)
	}
}

// decodeObject parses one JSON object in a single pass, producing exactly what
// encoding/json's Decoder with UseNumber produces for the same bytes: strings,
// json.Number (literal text), bool, nil, map[string]any and []any; duplicate
// keys keep the last value. data must be valid UTF-8 (decode checks first),
// and must not change while the result is in use (its strings share it).
// Safe for concurrent use: it keeps no state between calls.
func decodeObject(data []byte) (map[string]any, error) {
	p := jsonParser{data: data}
	p.skipSpace()
	if p.i >= len(p.data) || p.data[p.i] != '{' {
		// Rare: only the reason code matters, so let encoding/json tell a
		// valid non-object from garbage.
		if json.Valid(data) {
			return nil, errJSONNotObject
		}
		return nil, errJSONSyntax
	}
	// The record's bytes back every escape-free key and string value
	// (substrings share them), with no copy: copying each ~1 KB record was a
	// fifth of the skeleton worker's CPU. So data must not change while a
	// value is in use: the worker passes a fetched record's value, whose
	// buffer franz-go never reuses (no decompression pool is configured). A
	// value kept past its window keeps that whole fetched batch alive: what
	// may be kept longer (carry-over rows) is cloned by what keeps it.
	p.src = unsafe.String(unsafe.SliceData(data), len(data))
	obj, ok := p.object(1)
	if !ok {
		return nil, errJSONSyntax
	}
	p.skipSpace()
	if p.i != len(p.data) {
		return nil, errJSONSyntax // trailing data after the object
	}
	return obj, nil
}

// jsonParser walks data once; i is the next unread byte. src is data as a
// string.
type jsonParser struct {
	data []byte
	src  string
	i    int
}

// skipSpace skips the four whitespace bytes the JSON grammar allows.
func (p *jsonParser) skipSpace() {
	for p.i < len(p.data) {
		switch p.data[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

// object parses an object whose '{' is at p.i; depth counts it.
func (p *jsonParser) object(depth int) (map[string]any, bool) {
	p.i++ // '{'
	var m map[string]any
	if depth == 1 {
		m, _ = recordMaps.Get().(map[string]any)
		if m == nil {
			m = make(map[string]any, topLevelKeysHint)
		}
	} else {
		m = make(map[string]any)
	}
	p.skipSpace()
	if p.i < len(p.data) && p.data[p.i] == '}' {
		p.i++
		return m, true
	}
	for {
		if p.i >= len(p.data) || p.data[p.i] != '"' {
			return nil, false
		}
		key, ok := p.str()
		if !ok {
			return nil, false
		}
		p.skipSpace()
		if p.i >= len(p.data) || p.data[p.i] != ':' {
			return nil, false
		}
		p.i++
		p.skipSpace()
		v, ok := p.value(depth)
		if !ok {
			return nil, false
		}
		m[key] = v
		p.skipSpace()
		if p.i >= len(p.data) {
			return nil, false
		}
		switch p.data[p.i] {
		case ',':
			p.i++
			p.skipSpace()
		case '}':
			p.i++
			return m, true
		default:
			return nil, false
		}
	}
}

// array parses an array whose '[' is at p.i; depth counts it.
func (p *jsonParser) array(depth int) ([]any, bool) {
	p.i++ // '['
	a := []any{}
	p.skipSpace()
	if p.i < len(p.data) && p.data[p.i] == ']' {
		p.i++
		return a, true
	}
	for {
		v, ok := p.value(depth)
		if !ok {
			return nil, false
		}
		a = append(a, v)
		p.skipSpace()
		if p.i >= len(p.data) {
			return nil, false
		}
		switch p.data[p.i] {
		case ',':
			p.i++
			p.skipSpace()
		case ']':
			p.i++
			return a, true
		default:
			return nil, false
		}
	}
}

// value parses any value at p.i (whitespace already skipped) inside a
// container at the given depth.
func (p *jsonParser) value(depth int) (any, bool) {
	if p.i >= len(p.data) {
		return nil, false
	}
	switch c := p.data[p.i]; {
	case c == '"':
		s, ok := p.str()
		return s, ok
	case c == '-' || ('0' <= c && c <= '9'):
		return p.number()
	case c == '{':
		if depth >= maxJSONDepth {
			return nil, false
		}
		m, ok := p.object(depth + 1)
		return m, ok
	case c == '[':
		if depth >= maxJSONDepth {
			return nil, false
		}
		a, ok := p.array(depth + 1)
		return a, ok
	case c == 't':
		return true, p.literal("true")
	case c == 'f':
		return false, p.literal("false")
	case c == 'n':
		return nil, p.literal("null")
	}
	return nil, false
}

// literal consumes word if it is next.
func (p *jsonParser) literal(word string) bool {
	if len(p.data)-p.i < len(word) || string(p.data[p.i:p.i+len(word)]) != word {
		return false
	}
	p.i += len(word)
	return true
}

// number validates -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? and keeps
// its text, as UseNumber does. What follows is checked by the caller.
func (p *jsonParser) number() (any, bool) {
	d, start := p.data, p.i
	i := start
	if d[i] == '-' {
		i++
	}
	switch {
	case i < len(d) && d[i] == '0':
		i++
	case i < len(d) && '1' <= d[i] && d[i] <= '9':
		i = skipDigits(d, i+1)
	default:
		return nil, false
	}
	if i < len(d) && d[i] == '.' {
		j := skipDigits(d, i+1)
		if j == i+1 {
			return nil, false
		}
		i = j
	}
	if i < len(d) && (d[i] == 'e' || d[i] == 'E') {
		i++
		if i < len(d) && (d[i] == '+' || d[i] == '-') {
			i++
		}
		j := skipDigits(d, i)
		if j == i {
			return nil, false
		}
		i = j
	}
	p.i = i
	return json.Number(d[start:i]), true
}

func skipDigits(d []byte, i int) int {
	for i < len(d) && '0' <= d[i] && d[i] <= '9' {
		i++
	}
	return i
}

const (
	swarOnes  = 0x0101010101010101
	swarHighs = 0x8080808080808080
)

// plainRun reports whether none of the 8 bytes in w is '"', '\\' or a
// control byte (< 0x20), the bytes that end the fast string scan, so the
// long clinical note is scanned a word at a time.
func plainRun(w uint64) bool {
	quote := w ^ (swarOnes * '"')
	slash := w ^ (swarOnes * '\\')
	// A byte b is zero, or below 0x20, exactly when b - k borrows into bit 7
	// while b itself has bit 7 clear.
	hit := ((quote - swarOnes) & ^quote) |
		((slash - swarOnes) & ^slash) |
		((w - swarOnes*0x20) & ^w)
	return hit&swarHighs == 0
}

// str parses a string whose opening quote is at p.i. The first scan finds the
// closing quote (stepping over escapes) and rejects raw control bytes;
// strings without escapes, nearly all, are then copied once.
func (p *jsonParser) str() (string, bool) {
	d := p.data
	start := p.i + 1
	firstEsc := -1
	i := start
	for {
		for i+8 <= len(d) && plainRun(binary.LittleEndian.Uint64(d[i:])) {
			i += 8
		}
		if i >= len(d) {
			return "", false
		}
		switch c := d[i]; {
		case c == '"':
			p.i = i + 1
			if firstEsc < 0 {
				return p.src[start:i], true
			}
			return unescape(d[start:i], firstEsc-start)
		case c == '\\':
			if firstEsc < 0 {
				firstEsc = i
			}
			i++ // the escaped byte cannot close the string; unescape checks it
		case c < 0x20:
			return "", false
		}
		i++
	}
}

// unescape decodes the body of a string (without quotes, no raw control
// bytes) whose first backslash is at esc. \u escapes follow encoding/json: a
// valid surrogate pair joins into one rune, any other surrogate becomes
// U+FFFD. The output is never longer than the input, so one allocation
// suffices.
func unescape(body []byte, esc int) (string, bool) {
	var b strings.Builder
	b.Grow(len(body))
	b.Write(body[:esc])
	i := esc
	for i < len(body) {
		if body[i] != '\\' {
			run := i
			for i < len(body) && body[i] != '\\' {
				i++
			}
			b.Write(body[run:i])
			continue
		}
		if i+1 >= len(body) {
			return "", false
		}
		switch e := body[i+1]; e {
		case '"', '\\', '/':
			b.WriteByte(e)
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'u':
			r, ok := hex4(body, i+2)
			if !ok {
				return "", false
			}
			i += 6
			if utf16.IsSurrogate(r) {
				// Only a following \uXXXX that completes a valid pair is
				// consumed; otherwise it is decoded on its own next round.
				if r2, ok := hex4u(body, i); ok {
					if pair := utf16.DecodeRune(r, r2); pair != utf8.RuneError {
						b.WriteRune(pair)
						i += 6
						continue
					}
				}
				r = utf8.RuneError
			}
			b.WriteRune(r)
			continue
		default:
			return "", false
		}
		i += 2
	}
	return b.String(), true
}

// hex4u reads `\uXXXX` at i.
func hex4u(d []byte, i int) (rune, bool) {
	if i+1 >= len(d) || d[i] != '\\' || d[i+1] != 'u' {
		return 0, false
	}
	return hex4(d, i+2)
}

// hex4 reads four hex digits at i.
func hex4(d []byte, i int) (rune, bool) {
	if i+4 > len(d) {
		return 0, false
	}
	var r rune
	for _, c := range d[i : i+4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			c = c - 'A' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}
