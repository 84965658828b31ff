package pipeline

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"unicode/utf8"
)

// Quarantine reason codes. A code may carry a configured field name after a
// colon ("missing_field:note"), never record content.
const (
	ReasonOversized   = "oversized"
	ReasonInvalidUTF8 = "invalid_utf8"
	ReasonInvalidJSON = "invalid_json"
	ReasonNotObject   = "not_object"
	ReasonMissing     = "missing_field"
	ReasonWrongType   = "wrong_type"
	ReasonProcessing  = "processing_error"
)

// schema is the input check from config: size, required fields, JSON types.
type schema struct {
	maxBytes int
	required []string
	types    []fieldType // sorted by field, so a record always gets the same reason
}

type fieldType struct{ field, want string }

func newSchema(maxBytes int, required []string, types map[string]string) schema {
	s := schema{maxBytes: maxBytes, required: required}
	for f, t := range types {
		s.types = append(s.types, fieldType{f, t})
	}
	slices.SortFunc(s.types, func(a, b fieldType) int { return strings.Compare(a.field, b.field) })
	return s
}

// decode parses one raw record, or returns the reason it must be quarantined.
// The record's strings share raw: it must not change while they are in use.
func (s *schema) decode(raw []byte) (map[string]any, string) {
	if len(raw) > s.maxBytes {
		return nil, ReasonOversized
	}
	if !utf8.Valid(raw) {
		// encoding/json would silently replace bad bytes; refuse them instead.
		return nil, ReasonInvalidUTF8
	}
	rec, err := decodeObject(raw)
	switch {
	case errors.Is(err, errJSONNotObject):
		return nil, ReasonNotObject
	case err != nil:
		return nil, ReasonInvalidJSON
	}
	if reason := s.check(rec); reason != "" {
		releaseObject(rec)
		return nil, reason
	}
	return rec, ""
}

// check applies the required fields and JSON types to a decoded record.
func (s *schema) check(rec map[string]any) string {
	for _, f := range s.required {
		if rec[f] == nil {
			return ReasonMissing + ":" + f
		}
	}
	for _, ft := range s.types {
		if v, present := rec[ft.field]; present && v != nil && !isType(v, ft.want) {
			return ReasonWrongType + ":" + ft.field
		}
	}
	return ""
}

func isType(v any, want string) bool {
	switch v := v.(type) {
	case string:
		return want == "string"
	case json.Number:
		if want == "number" {
			return true
		}
		_, err := v.Int64()
		return want == "integer" && err == nil
	case bool:
		return want == "boolean"
	case map[string]any:
		return want == "object"
	case []any:
		return want == "array"
	}
	return false
}

// reasonClass is the code without its field name, for metric labels.
func reasonClass(code string) string {
	class, _, _ := strings.Cut(code, ":")
	return class
}
