package dp

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
)

// maxRationalLen bounds ParseRational's input: enough for any sane scale,
// and it keeps a hostile flag from allocating huge integers.
const maxRationalLen = 64

// ParseRational parses a non-negative exact rational written as an integer
// ("3"), a decimal ("2.5") or a fraction of integers ("5/2"), all base 10.
// Signs, exponents and base prefixes are refused.
func ParseRational(s string) (*big.Rat, error) {
	if s == "" || len(s) > maxRationalLen {
		return nil, fmt.Errorf("parsing rational: want 1 to %d characters, got %d: %w", maxRationalLen, len(s), ErrInvalidParameter)
	}
	num, den := s, "1"
	if i := strings.IndexByte(s, '/'); i >= 0 {
		num, den = s[:i], s[i+1:]
	} else if i := strings.IndexByte(s, '.'); i >= 0 {
		num, den = s[:i]+s[i+1:], "1"+strings.Repeat("0", len(s)-i-1)
		if i == 0 || i == len(s)-1 {
			num = "" // ".5" and "2." are refused
		}
	}
	if !digitsOnly(num) || !digitsOnly(den) {
		return nil, fmt.Errorf("parsing rational: want digits, a decimal like 2.5 or a fraction like 5/2: %w", ErrInvalidParameter)
	}
	n, _ := new(big.Int).SetString(num, 10)
	d, _ := new(big.Int).SetString(den, 10)
	if d.Sign() == 0 {
		return nil, fmt.Errorf("parsing rational: zero denominator: %w", ErrInvalidParameter)
	}
	return new(big.Rat).SetFrac(n, d), nil
}

func digitsOnly(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// ratFromFloat reads a configured float64 as the shortest decimal that round
// trips, i.e. the number written in YAML (0.1 is 1/10, not the binary
// 3602879701896397/2^55), so scales stay small rationals on the uint64 path.
func ratFromFloat(f float64) *big.Rat {
	r, ok := new(big.Rat).SetString(strconv.FormatFloat(f, 'g', -1, 64))
	if !ok { // NaN or Inf: Validate rejects them before any use
		return new(big.Rat)
	}
	return r
}

// maxDecimals is the finest grid for fractional bounds.
const maxDecimals = 6

// decimals returns the number of decimal places of f's shortest decimal form.
func decimals(f float64) int {
	s := strconv.FormatFloat(math.Abs(f), 'f', -1, 64)
	if i := strings.IndexByte(s, '.'); i >= 0 {
		return len(s) - i - 1
	}
	return 0
}

// grid maps numeric cells of a bounded column to integers in units of
// 10^-places, clipped to [lo, hi].
type grid struct {
	places int
	unit   float64 // 10^places
	lo, hi int64   // bounds in units
}

func newGrid(lower, upper float64) grid {
	p := max(decimals(lower), decimals(upper))
	u := math.Pow10(p)
	return grid{places: p, unit: u, lo: int64(math.Round(lower * u)), hi: int64(math.Round(upper * u))}
}

// units parses a cell; ok is false when it is not a number (the caller counts
// it), and the value is then the lower bound.
func (g grid) units(cell string) (v int64, ok bool) {
	f, err := strconv.ParseFloat(strings.TrimSpace(cell), 64)
	if (err != nil && !errors.Is(err, strconv.ErrRange)) || math.IsNaN(f) {
		return g.lo, false
	}
	x := math.Round(f * g.unit)
	switch {
	case x <= float64(g.lo):
		return g.lo, true
	case x >= float64(g.hi):
		return g.hi, true
	}
	return int64(x), true
}

// format writes v units as a decimal with the grid's places.
func (g grid) format(v int64) string {
	if g.places == 0 {
		return strconv.FormatInt(v, 10)
	}
	neg := v < 0
	mag := uint64(v)
	if neg {
		mag = -mag
	}
	div := uint64(math.Round(g.unit))
	s := strconv.FormatUint(mag/div, 10) + "." + fmt.Sprintf("%0*d", g.places, mag%div)
	if neg {
		s = "-" + s
	}
	return s
}

// value converts units back to a number for reporting.
func (g grid) value(v float64) float64 { return v / g.unit }
