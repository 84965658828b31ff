package redact

import (
	"encoding/hex"
	"encoding/json"
	"math"
	"strconv"
	"strings"
)

// restrictedZip3 are the 3-digit ZIP prefixes whose areas held 20,000 people
// or fewer in the 2000 Census, per the HHS Safe Harbor guidance
// (45 CFR 164.514(b)(2)(i)(B)): they are released as "000".
var restrictedZip3 = map[string]bool{
	"036": true, "059": true, "063": true, "102": true, "203": true, "556": true,
	"692": true, "790": true, "821": true, "823": true, "830": true, "831": true,
	"878": true, "879": true, "884": true, "890": true, "893": true,
}

// scalarString renders a JSON scalar as text; objects and arrays report false.
func scalarString(v any) (string, bool) {
	switch v := v.(type) {
	case nil:
		return "", true
	case string:
		return v, true
	case json.Number:
		return v.String(), true
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64), true
	case float32:
		return strconv.FormatFloat(float64(v), 'f', -1, 32), true
	case int:
		return strconv.Itoa(v), true
	case int64:
		return strconv.FormatInt(v, 10), true
	case bool:
		return strconv.FormatBool(v), true
	}
	return "", false
}

// applyField runs a non-scan action on a scalar value. It returns the released
// value, or a reason prefix when the value cannot be generalized safely.
// numeric is true when the JSON value was a number, not a string.
func (p *Processor) applyField(a Action, patient, v string, numeric bool) (string, string) {
	switch a {
	case ActionKeep:
		return v, ""
	case ActionHash:
		var buf [sha256Size]byte
		return hex.EncodeToString(p.fieldKey.sum(buf[:0], v)[:16]), ""
	case ActionDateYear:
		f, ok := parseDate(strings.TrimSpace(v))
		if !ok || !f.hasYear {
			return "", ReasonBadDate
		}
		// A year 90 or more years ago may reveal an age over 89, which Safe
		// Harbor aggregates: all such years become one category.
		if cutoff := p.now().Year() - 90; f.year <= cutoff {
			return "<=" + pad(cutoff, 4), ""
		}
		return pad(f.year, 4), ""
	case ActionDateShift:
		f, ok := parseDate(strings.TrimSpace(v))
		if !ok {
			return "", ReasonBadDate
		}
		return f.shifted(p.sur.shiftDays(patient)), ""
	case ActionZip3:
		return zip3(v, numeric)
	case ActionAge:
		return age(v)
	}
	return "", "" // drop and reject never reach here: they have no column
}

// zip3 keeps the first three digits of a ZIP or ZIP+4. A numeric JSON value
// lost its leading zeros ("02134" -> 2134), so it is padded back to 5 digits.
func zip3(v string, numeric bool) (string, string) {
	v = strings.TrimSpace(v)
	if numeric {
		if len(v) > 5 || strings.ContainsAny(v, ".-eE") {
			return "", ReasonBadZip
		}
		v = strings.Repeat("0", 5-len(v)) + v
	}
	if len(v) < 3 || !isDigits(v[:3]) {
		return "", ReasonBadZip
	}
	if restrictedZip3[v[:3]] {
		return "000", ""
	}
	return v[:3], ""
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// age releases whole years, and "90+" for any age over 89 (Safe Harbor
// aggregates those into one category).
func age(v string) (string, string) {
	v = strings.TrimSpace(v)
	if strings.HasSuffix(v, "+") { // already aggregated upstream: "90+"
		v = strings.TrimSpace(strings.TrimSuffix(v, "+"))
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || math.IsNaN(f) || f < 0 || f > 200 {
		return "", ReasonBadAge
	}
	if f >= 90 {
		return "90+", ""
	}
	return strconv.Itoa(int(f)), ""
}
