package redact

import (
	"strings"
	"testing"
	"time"
)

func TestParseDateShift(t *testing.T) {
	tests := []struct {
		in   string
		days int
		want string
		year int // 0: not written
	}{
		{"2019-03-04", 10, "2019-03-14", 2019},
		{"2019-03-04T10:30:00Z", -4, "2019-02-28T10:30:00Z", 2019},
		{"2019-03-04 10:30", 1, "2019-03-05 10:30", 2019},
		{"3/4/2019", 30, "4/3/2019", 2019},
		{"03/04/2019", 30, "04/03/2019", 2019},
		{"03-04-19", 365, "03-03-20", 2019},
		{"24/12/2019", 8, "01/01/2020", 2019},
		{"20190304", -5, "20190227", 2019},
		{"3/4", 1, "3/5", 0},
		{"March 4, 2019", 31, "April 4, 2019", 2019},
		{"March 4th", 1, "March 5th", 0},
		{"March 1st", 1, "March 2nd", 0},
		{"the 4th of March", 19, "the 23rd of March", 0},
		{"04-Mar-2019", 61, "04-May-2019", 2019},
		{"4 MAR 19", -4, "28 FEB 19", 2019},
		{"Sept 3, 2019", 30, "Oct 3, 2019", 2019},
		{"Mon, March 4, 2019", 1, "Tue, March 5, 2019", 2019},
		{"Monday March 4th 2019", 7, "Monday March 11th 2019", 2019},
		{"March 2019", 31, "April 2019", 2019},
		{"03/2019", -60, "01/2019", 2019},
		{"2019", 100, "2019", 2019},
		{"Feb 29", 1, "Mar 1", 0},
		{"Dec 31, '19", 1, "Jan 1, '20", 2019},
	}
	for _, tc := range tests {
		f, ok := parseDate(tc.in)
		if !ok {
			t.Errorf("parseDate(%q) failed", tc.in)
			continue
		}
		if got := f.shifted(tc.days); got != tc.want {
			t.Errorf("parseDate(%q).shifted(%d) = %q, want %q", tc.in, tc.days, got, tc.want)
		}
		if got := f.shifted(0); got != tc.in {
			t.Errorf("parseDate(%q).shifted(0) = %q, want the input back", tc.in, got)
		}
		if tc.year != 0 && f.year != tc.year {
			t.Errorf("parseDate(%q).year = %d, want %d", tc.in, f.year, tc.year)
		}
		if (tc.year != 0) != f.hasYear {
			t.Errorf("parseDate(%q).hasYear = %v", tc.in, f.hasYear)
		}
	}
}

func TestParseDateRejects(t *testing.T) {
	for _, in := range []string{"", "yesterday", "13/13/2019", "2019-02-30", "Feb 30", "12345",
		"March", "4th", "1/2/3/4", "next Monday", "10:30", "March 4 at noon"} {
		if f, ok := parseDate(in); ok {
			t.Errorf("parseDate(%q) = %+v, want failure", in, f)
		}
	}
}

// TestShiftKeepsIntervals checks the promise of date shifting: the days
// between two dates of a patient are the same after the shift.
func TestShiftKeepsIntervals(t *testing.T) {
	layout := "2006-01-02"
	for _, days := range []int{-365, -31, -1, 1, 29, 365} {
		a, _ := parseDate("2019-02-27")
		b, _ := parseDate("03/15/2020")
		sa, sb := a.shifted(days), b.shifted(days)
		ta, err1 := time.Parse(layout, sa)
		tb, err2 := time.Parse("01/02/2006", sb)
		if err1 != nil || err2 != nil {
			t.Fatalf("shifted dates do not parse: %q %q", sa, sb)
		}
		if got := tb.Sub(ta).Hours() / 24; got != 382 {
			t.Errorf("shift %d: interval %v days, want 382", days, got)
		}
	}
}

func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"2019-03-04", "3/4/19", "the 4th of March", "Mon, 04-Mar-2019 10:30",
		"20190304", "March 2019", "Sept 3rd, '19", "29 février 2020", "0000-01-01"} {
		f.Add(s, 17)
	}
	f.Fuzz(func(t *testing.T, s string, days int) {
		days %= 4000
		d, ok := parseDate(s)
		if !ok {
			return
		}
		if got := d.shifted(0); !strings.EqualFold(got, s) { // mixed case "MAy" comes back "May"
			t.Fatalf("shifted(0) = %q, want %q", got, s)
		}
		out := d.shifted(days)
		if d.dayFirst {
			return // "17/1/2019" shifted to "6/1/2019" reads month-first again: ambiguity of the form itself
		}
		d2, ok := parseDate(out)
		if !ok {
			if d.yearOrRef()+days/365 < 10 || d.yearOrRef() > 9000 {
				return // years outside 4 digits cannot keep their form
			}
			t.Fatalf("shifted form %q of %q does not parse", out, s)
		}
		if d.hasDay && d2.hasMonth {
			t1 := time.Date(d.yearOrRef(), time.Month(d.month), d.day, 0, 0, 0, 0, time.UTC)
			t2 := time.Date(d2.yearOrRef(), time.Month(d2.month), d2.day, 0, 0, 0, 0, time.UTC)
			if d.hasYear && len(s) > 0 && t2.Sub(t1).Hours()/24 != float64(days) && !twoDigitYear(d) {
				t.Fatalf("%q shifted by %d is %q", s, days, out)
			}
		}
	})
}

func twoDigitYear(d *dateForm) bool {
	for _, tk := range d.toks {
		if tk.role == roleYear && len(tk.text) == 2 {
			return true
		}
	}
	return false
}
