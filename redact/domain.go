package redact

import (
	"fmt"
	"math"
	"regexp"
	"regexp/syntax"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/deidstream/deidstream/detectors"
)

// A keep field releases its value as written, so it must say what it holds: a
// value outside that domain, or one the detector finds PHI in, is not released.
// A keep column without a domain would be a hole in the policy (a name written
// into a state column would come out verbatim), so Validate requires one.

// Reason prefixes for keep fields (reason codes carry the field name only).
const (
	ReasonInvalidValue = "field_invalid" // a kept value is outside the field's declared domain
	ReasonPHIInValue   = "field_phi"     // the detector found PHI in a kept value
)

// Where a kept value that fails goes (FieldPolicy.OnInvalid).
const (
	// OnInvalidQuarantine quarantines the whole record (the default).
	OnInvalidQuarantine = "quarantine"
	// OnInvalidWithhold releases the record with this value empty, counted in
	// Result.Withheld by reason.
	OnInvalidWithhold = "withhold"
)

// Code systems a keep field may declare (FieldPolicy.CodeSystem).
const (
	// CodeICD10 is an ICD-10 / ICD-10-CM diagnosis code: a letter, two
	// characters (digit, digit or letter), then optionally "." and 1-4 letters
	// or digits: "I82.401", "J45.901", "U07.1", "E11".
	CodeICD10 = "icd10"
	// CodeLOINC is a LOINC code: 1-7 digits, "-", and its mod-10 check digit: "2345-7".
	CodeLOINC = "loinc"
)

var (
	icd10Code = regexp.MustCompile(`^[A-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?$`)
	loincCode = regexp.MustCompile(`^([0-9]{1,7})-([0-9])$`)
)

// ErrBadDomain means a keep field's domain is missing or malformed.
var ErrBadDomain = fmt.Errorf("invalid keep domain: %w", ErrBadField)

// domain is a keep field's compiled checks.
type domain struct {
	values   map[string]bool
	pattern  *regexp.Regexp
	code     string
	min, max *float64
	withhold bool
}

// hasDomain reports whether f declares anything its values are checked against.
func (f FieldPolicy) hasDomain() bool {
	return len(f.Values) > 0 || f.Pattern != "" || f.CodeSystem != "" || f.Min != nil || f.Max != nil
}

// compileDomain checks and compiles f's domain; key names f in errors.
func compileDomain(key string, f FieldPolicy) (*domain, error) {
	if f.Action != ActionKeep {
		if f.hasDomain() || f.OnInvalid != "" {
			return nil, fmt.Errorf("validating %s: values, pattern, code_system, min, max and on_invalid apply to keep fields only: %w", key, ErrBadDomain)
		}
		return nil, nil
	}
	if !f.hasDomain() {
		return nil, fmt.Errorf("validating %s: a keep field releases values as written, so it must declare what they are "+
			"(values: [...], pattern, code_system: icd10|loinc, or min/max): %w", key, ErrBadDomain)
	}
	d := &domain{code: f.CodeSystem, min: f.Min, max: f.Max}
	switch f.OnInvalid {
	case "", OnInvalidQuarantine:
	case OnInvalidWithhold:
		d.withhold = true
	default:
		return nil, fmt.Errorf("validating %s: on_invalid %q (want quarantine or withhold): %w", key, f.OnInvalid, ErrBadDomain)
	}
	if len(f.Values) > 0 {
		d.values = make(map[string]bool, len(f.Values))
		for _, v := range f.Values {
			d.values[v] = true
		}
	}
	if f.Pattern != "" {
		re, err := regexp.Compile(`^(?:` + f.Pattern + `)$`)
		if err != nil {
			return nil, fmt.Errorf("validating %s: compiling pattern: %w: %w", key, err, ErrBadDomain)
		}
		if !matchesAll(f.Pattern) {
			d.pattern = re // "(?s).*" is not tested: Go's matcher would walk every byte of the value to say yes
		}
	}
	switch f.CodeSystem {
	case "", CodeICD10, CodeLOINC:
	default:
		return nil, fmt.Errorf("validating %s: code_system %q (want icd10 or loinc): %w", key, f.CodeSystem, ErrBadDomain)
	}
	if f.Min != nil && f.Max != nil && *f.Min > *f.Max {
		return nil, fmt.Errorf("validating %s: min %g is above max %g: %w", key, *f.Min, *f.Max, ErrBadDomain)
	}
	return d, nil
}

// matchesAll reports a pattern that every string matches: "(?s).*", "(?s:.)*".
func matchesAll(pattern string) bool {
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return false
	}
	re = re.Simplify()
	for re.Op == syntax.OpCapture && len(re.Sub) == 1 {
		re = re.Sub[0]
	}
	return re.Op == syntax.OpStar && len(re.Sub) == 1 && re.Sub[0].Op == syntax.OpAnyChar
}

// contains reports whether v is in the domain: every declared check passes.
func (d *domain) contains(v string) bool {
	if d.values != nil && !d.values[v] {
		return false
	}
	if d.pattern != nil && !d.pattern.MatchString(v) {
		return false
	}
	switch d.code {
	case CodeICD10:
		if !icd10Code.MatchString(v) {
			return false
		}
	case CodeLOINC:
		if !validLOINC(v) {
			return false
		}
	}
	if d.min != nil || d.max != nil {
		n, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil || math.IsNaN(n) || math.IsInf(n, 0) ||
			(d.min != nil && n < *d.min) || (d.max != nil && n > *d.max) {
			return false
		}
	}
	return true
}

// validLOINC checks a LOINC code's shape and its mod-10 check digit (the
// Luhn-style algorithm LOINC documents: double every other digit from the right
// of the number part).
func validLOINC(v string) bool {
	m := loincCode.FindStringSubmatch(v)
	if m == nil {
		return false
	}
	num := m[1]
	sum := 0
	for i := 0; i < len(num); i++ {
		d := int(num[len(num)-1-i] - '0')
		if i%2 == 0 {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return strconv.Itoa((10-sum%10)%10) == m[2]
}

// checkKept returns the reason prefix a kept value fails with, or "". A value
// of a declared vocabulary is released whatever the detector thinks of it
// ("Asian" reads as a name): the vocabulary is the reviewed list of what may
// appear there. Any other value is scanned, and any detection fails it.
func (p *Processor) checkKept(d *domain, v string, st *recordState) string {
	if !d.contains(v) {
		return ReasonInvalidValue
	}
	if d.values != nil {
		return ""
	}
	if !utf8.ValidString(v) { // checked first: ValidString reads eight ASCII bytes at a time
		v = strings.ToValidUTF8(v, "\uFFFD")
	}
	spans := p.det.Detect(v)
	for _, s := range spans {
		if st.counts == nil {
			st.counts = map[detectors.Type]int{}
		}
		st.counts[s.Type]++
	}
	if len(spans) > 0 {
		return ReasonPHIInValue
	}
	return ""
}
