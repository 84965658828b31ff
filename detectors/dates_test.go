package detectors

import (
	"strings"
	"testing"
)

func TestDateFormsBeforeColonsAndInParentheses(t *testing.T) {
	e := newEngine(t, DefaultConfig())
	tests := []struct {
		name, text, want string
	}{
		{"day before a colon", "Labs on Jan. 26th: TSH 3.63, INR 1.2", "Jan. 26th"},
		{"bare day before a colon", "LABS ON MAY 28: MG 1.4, INR 1.6", "MAY 28"},
		{"year before a colon", "Labs on March 8th, 2015: TSH 5.27", "March 8th, 2015"},
		{"month and year in parentheses", "Cook, Jeremy, M.D. (09/2020)", "09/2020"},
		{"clock time still a time", "Seen April 10:16 PM by nursing", "10:16"},
		{"two-digit year after day and month", "Progress Note 21 Apr, 21 0700->1930", "21 Apr, 21"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			spans := e.Detect(tc.text)
			if tc.name == "clock time still a time" {
				// "April 10" must not be read as a date when 10 is the hour of 10:16.
				for _, s := range spans {
					if s.Type == Date && s.End-s.Start == len("April 10") {
						t.Errorf("Detect(%q) = %v: read the hour as a day", tc.text, spans)
					}
				}
				return
			}
			if !covered(spans, tc.text, tc.want) {
				t.Errorf("Detect(%q) = %v, want %q covered", tc.text, spans, tc.want)
			}
		})
	}
	// A phone's area code in parentheses is not a month.
	if got := found(e, "call (617) 555-0142 today"); got["(617) 555-0142"] != Phone {
		t.Errorf("found(phone) = %v, want (617) 555-0142 as PHONE", got)
	}
}

// A month with "of" and its year, a month alone after "in" in any case, and an ordinal day closing
// its clause are dates; an ordinal before a noun is not.
func TestMonthOfYearMonthAfterInAndOrdinalDay(t *testing.T) {
	e := newEngine(t, DefaultConfig())
	cases := []struct{ text, want string }{
		{"LAST DOSE OF ADRIAMYCIN, IN THIS CASE MARCH OF 1993.) THERE IS", "MARCH OF 1993"},
		{"came to GH from home in sept. and went to rehab", "sept"},
		{"cultures drawn from the A-line on the 11th. One set", "11th"},
	}
	for _, c := range cases {
		got := found(e, c.text)
		ok := false
		for k, typ := range got {
			ok = ok || typ == Date && strings.Contains(k, c.want)
		}
		if !ok {
			t.Errorf("%q: %q not reported as DATE (found %v)", c.text, c.want, got)
		}
	}
	for _, text := range []string{"TRANSFUSE WITH THE 3RD UNIT OF PRBCS", "weaned on the 2nd day"} {
		if got := found(e, text); len(got) > 0 {
			t.Errorf("%q: reported %v, want nothing", text, got)
		}
	}
}
