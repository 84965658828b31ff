package detectors

import "testing"

func TestRedactYears(t *testing.T) {
	text := "PMH: MI '92, CABG 84, CVA in 94, renal cell ca 1977, s/p AVR 74'. Dx in March of 1993. " +
		"HR 70's, SATS MID 90'S. HOB 30'. 0700->1930 uneventful, at 1930 pt slept. MI 12 hrs ago. Hct 30.2"
	years := []string{"92", "84", "94", "1977", "74"} // "March of 1993" is a date either way
	kept := newEngine(t, DefaultConfig())
	for _, y := range years {
		if got := found(kept, text); got[y] != "" {
			t.Errorf("default config: year %q reported as %s; Safe Harbor keeps years", y, got[y])
		}
	}
	cfg := DefaultConfig()
	cfg.RedactYears = true
	got := found(newEngine(t, cfg), text)
	for _, y := range years {
		if got[y] != Date {
			t.Errorf("redact_years: %q = %q, want DATE (found %v)", y, got[y], got)
		}
	}
	if got["March of 1993"] != Date {
		t.Errorf("redact_years: month and year not one DATE (found %v)", got)
	}
	for _, n := range []string{"70", "90", "30", "1930", "12", "0700"} {
		if got[n] != "" {
			t.Errorf("redact_years: %q reported as %s: a vital-sign decade, feet, a clock time or a duration", n, got[n])
		}
	}
}

func TestWeekdaysAloneAreKeptByDefault(t *testing.T) {
	text := "Plan for trach on Monday. PT WILL GO TO REHAB ON TUESDAY. Seen Fri. Admitted Thursday, March 3, 2014."
	got := found(newEngine(t, DefaultConfig()), text)
	for _, w := range []string{"Monday", "TUESDAY", "Fri"} {
		if got[w] != "" {
			t.Errorf("default config: weekday %q alone reported as %s; it names no date", w, got[w])
		}
	}
	if got["March 3, 2014"] != Date || got["Thursday"] != Date {
		t.Errorf("default config: a date and its weekday not both reported (found %v)", got)
	}
	cfg := DefaultConfig()
	cfg.Weekdays = true
	got = found(newEngine(t, cfg), text)
	if got["Monday"] != Date {
		t.Errorf("weekdays: %q = %q, want DATE (found %v)", "Monday", got["Monday"], got)
	}
}
