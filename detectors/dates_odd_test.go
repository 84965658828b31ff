package detectors

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// Mistyped numeric dates are proposed as dates by the rules; the readings written with the same
// characters are not.
func TestOddDates(t *testing.T) {
	cfg := DefaultConfig()
	cfg.RulesOnly = true // the rules' own proposals, not what the scorer learned of them
	e := newEngine(t, cfg)
	dateOver := func(text, want string) (covers, touches bool) {
		bi := strings.Index(text, want)
		s := utf8.RuneCountInString(text[:bi])
		end := s + utf8.RuneCountInString(want)
		for _, sp := range e.Detect(text) {
			if sp.Type == Date && sp.Start < end && s < sp.End {
				touches = true
				covers = covers || sp.Start <= s && end <= sp.End
			}
		}
		return covers, touches
	}
	for _, c := range []struct{ text, want string }{
		{"cxr repeated on 3/14.07 showed clearing", "3/14.07"},
		{"3/14.07\nneuro: alert, oriented", "3/14.07"},
		{"S/P CHEMO 04/02/04/23 AND XRT", "04/02/04/23"},
		{"k 3.1, repleted since12/3/09 per team", "12/3/09"},
		{"labs drawn on4-11-2011 were normal", "4-11-2011"},
		{"went back to IR on 6-9 for embolization", "6-9"},
	} {
		if covers, _ := dateOver(c.text, c.want); !covers {
			t.Errorf("%q: %q not covered by a DATE span", c.text, c.want)
		}
	}
	for _, c := range []struct{ text, want string }{
		{"remains on 2-3 L nc, sats 95", "2-3"},
		{"sleeps on 1-2 pillows", "1-2"},
		{"on 4-6 mcg of levophed", "4-6"},
		{"CO/CI 7/3.45 SVR 900", "7/3.45"},
		{"settings 12/5/10/40 overnight", "/40"}, // "12/5/10" stays what the three-group rule says
		{"changed to ac 600x12/5/40% this am", "600x12/5/40"},
		{"placed on psv5/5/40% at noon", "psv5/5/40"},
		{"weaned on10/5/40% by rt", "on10/5/40"},
		{"dates 10/05/09/30 were entered", "/30"}, // the second before the first
		{"On 3 Jan, 20 mg given", "20"},           // a dose after the date, no year
		{"On 3 Apr, 12 lead EKG done", "12"},
		{"Motor 3/3/5/5 bilaterally", "3/3/5/5"},
		{"Glucose 10/12.50 this am", "10/12.50"},
		{"Weaned on 4-6 and tolerating", "4-6"},
		{"Rates pain 6 on 1-10, medicated", "1-10"},
	} {
		if _, touches := dateOver(c.text, c.want); touches {
			t.Errorf("%q: %q reported as a DATE", c.text, c.want)
		}
	}
}

// An age over 89 opening a line before "s/p" and a word is an age; a number inside a line, or
// before a dose, is not.
func TestAgeOpeningALine(t *testing.T) {
	e := newEngine(t, Config{RulesOnly: true})
	if got := found(e, "See flowsheet\n94 s/p fall with hip fx"); got["94"] != Age {
		t.Errorf("line-opening age: found %v", got)
	}
	for _, text := range []string{"HR 94 s/p fluid bolus", "Plt\n94 s/p 2u plt"} {
		if got := found(e, text); got["94"] == Age {
			t.Errorf("%q: a reading read as an age: found %v", text, got)
		}
	}
}
