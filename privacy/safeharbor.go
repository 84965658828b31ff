package privacy

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Safe Harbor (45 CFR 164.514(b)(2)) field transforms, usable on their own.

// ErrSafeHarborInput means a value handed to a Safe Harbor transform has the
// wrong shape (not a date, age or ZIP code).
var ErrSafeHarborInput = errors.New("value not transformable under Safe Harbor")

// restrictedZIP3 are the 3-digit ZIP prefixes whose areas held 20,000 people or
// fewer in the 2000 Census, per the HHS de-identification guidance; Safe Harbor
// requires "000" for them.
var restrictedZIP3 = map[string]bool{
	"036": true, "059": true, "063": true, "102": true, "203": true, "556": true,
	"692": true, "790": true, "821": true, "823": true, "830": true, "831": true,
	"878": true, "879": true, "884": true, "890": true, "893": true,
}

var dateLayouts = []string{DateLayout, time.RFC3339, "2006-01-02 15:04:05", "2006/01/02", "01/02/2006", "20060102"}

// DateToYear keeps only the year of a date (ISO 8601, RFC 3339, YYYY/MM/DD,
// MM/DD/YYYY or YYYYMMDD).
func DateToYear(s string) (string, error) {
	s = strings.TrimSpace(s)
	for _, layout := range dateLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return strconv.Itoa(t.Year()), nil
		}
	}
	return "", fmt.Errorf("reducing date to year: not a recognised date layout: %w", ErrSafeHarborInput)
}

// AgeTopCode returns the age as text, or "90+" for ages over 89.
func AgeTopCode(age int) string {
	if age > 89 {
		return "90+"
	}
	return strconv.Itoa(age)
}

// AgeTopCodeString is AgeTopCode for a textual age (whole or fractional years).
func AgeTopCodeString(s string) (string, error) {
	v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || v < 0 {
		return "", fmt.Errorf("top-coding age: not a non-negative number: %w", ErrSafeHarborInput)
	}
	if v >= 90 {
		return "90+", nil
	}
	return strings.TrimSpace(s), nil
}

// ZIP3 reduces a 5-digit ZIP or ZIP+4 to its first three digits, or "000" for
// the restricted prefixes.
func ZIP3(zip string) (string, error) {
	zip = strings.TrimSpace(zip)
	if i := strings.IndexByte(zip, '-'); i >= 0 {
		zip = zip[:i]
	}
	if len(zip) != 5 && len(zip) != 9 {
		return "", fmt.Errorf("truncating ZIP code: want 5 or 9 digits, got %d characters: %w", len(zip), ErrSafeHarborInput)
	}
	for i := 0; i < len(zip); i++ {
		if zip[i] < '0' || zip[i] > '9' {
			return "", fmt.Errorf("truncating ZIP code: non-digit at position %d: %w", i+1, ErrSafeHarborInput)
		}
	}
	if restrictedZIP3[zip[:3]] {
		return "000", nil
	}
	return zip[:3], nil
}
