package synth

import (
	"math/rand/v2"
	"strconv"
	"time"
)

var (
	monthNames = [12]string{"January", "February", "March", "April", "May", "June", "July",
		"August", "September", "October", "November", "December"}
	monthAbbr = [12]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}
	weekdays  = [7]string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"}
)

func ordinal(d int) string {
	s := strconv.Itoa(d)
	switch {
	case d%100 >= 11 && d%100 <= 13:
		return s + "th"
	case d%10 == 1:
		return s + "st"
	case d%10 == 2:
		return s + "nd"
	case d%10 == 3:
		return s + "rd"
	}
	return s + "th"
}

// isoDate formats t as YYYY-MM-DD without going through time.Format.
func isoDate(b []byte, t time.Time) []byte {
	y, m, d := t.Date()
	b = pad(b, y, 4)
	b = append(b, '-')
	b = pad(b, int(m), 2)
	b = append(b, '-')
	return pad(b, d, 2)
}

// numDateFormats is the number of written forms formatDate knows.
const numDateFormats = 22

// formatDate writes t in one of the common written forms (style picks one):
// 3/4/2019, 03/04/2019, 03-04-19, 2019-03-04, March 4th, March 4, 2019,
// 4 Mar 2019, 04-Mar-2019, the 4th of March, Jan. 5, 3/4, March 2019 and more.
// The whole expression is the date: callers mark all of it.
func formatDate(t time.Time, style int) string {
	y, mo, d := t.Date()
	m := int(mo)
	b := make([]byte, 0, 24)
	switch style % numDateFormats {
	case 0: // 3/4/2019
		b = strconv.AppendInt(b, int64(m), 10)
		b = append(b, '/')
		b = strconv.AppendInt(b, int64(d), 10)
		b = append(b, '/')
		b = strconv.AppendInt(b, int64(y), 10)
	case 1: // 03/04/2019
		b = pad(b, m, 2)
		b = append(b, '/')
		b = pad(b, d, 2)
		b = append(b, '/')
		b = pad(b, y, 4)
	case 2: // 03-04-19
		b = pad(b, m, 2)
		b = append(b, '-')
		b = pad(b, d, 2)
		b = append(b, '-')
		b = pad(b, y%100, 2)
	case 3: // 2019-03-04
		b = isoDate(b, t)
	case 4: // March 4th
		b = append(b, monthNames[m-1]...)
		b = append(b, ' ')
		b = append(b, ordinal(d)...)
	case 5: // March 4, 2019
		b = append(b, monthNames[m-1]...)
		b = append(b, ' ')
		b = strconv.AppendInt(b, int64(d), 10)
		b = append(b, ", "...)
		b = strconv.AppendInt(b, int64(y), 10)
	case 6: // 4 Mar 2019
		b = strconv.AppendInt(b, int64(d), 10)
		b = append(b, ' ')
		b = append(b, monthAbbr[m-1]...)
		b = append(b, ' ')
		b = strconv.AppendInt(b, int64(y), 10)
	case 7: // 04-Mar-2019
		b = pad(b, d, 2)
		b = append(b, '-')
		b = append(b, monthAbbr[m-1]...)
		b = append(b, '-')
		b = strconv.AppendInt(b, int64(y), 10)
	case 8: // the 4th of March
		b = append(b, "the "...)
		b = append(b, ordinal(d)...)
		b = append(b, " of "...)
		b = append(b, monthNames[m-1]...)
	case 9: // Jan. 5
		b = append(b, monthAbbr[m-1]...)
		if m != 5 {
			b = append(b, '.')
		}
		b = append(b, ' ')
		b = strconv.AppendInt(b, int64(d), 10)
	case 10: // 3/4
		b = strconv.AppendInt(b, int64(m), 10)
		b = append(b, '/')
		b = strconv.AppendInt(b, int64(d), 10)
	case 11: // March 2019
		b = append(b, monthNames[m-1]...)
		b = append(b, ' ')
		b = strconv.AppendInt(b, int64(y), 10)
	case 12: // March 4th, 2019
		b = append(b, monthNames[m-1]...)
		b = append(b, ' ')
		b = append(b, ordinal(d)...)
		b = append(b, ", "...)
		b = strconv.AppendInt(b, int64(y), 10)
	case 13: // 4-MAR-19
		b = strconv.AppendInt(b, int64(d), 10)
		b = append(b, '-')
		for _, c := range []byte(monthAbbr[m-1]) {
			b = append(b, c&^0x20)
		}
		b = append(b, '-')
		b = pad(b, y%100, 2)
	case 14: // 03.04.2019
		b = pad(b, m, 2)
		b = append(b, '.')
		b = pad(b, d, 2)
		b = append(b, '.')
		b = strconv.AppendInt(b, int64(y), 10)
	case 15: // Mar 4
		b = append(b, monthAbbr[m-1]...)
		b = append(b, ' ')
		b = strconv.AppendInt(b, int64(d), 10)
	case 16: // 4th March 2019
		b = append(b, ordinal(d)...)
		b = append(b, ' ')
		b = append(b, monthNames[m-1]...)
		b = append(b, ' ')
		b = strconv.AppendInt(b, int64(y), 10)
	case 17: // 20190304
		b = pad(b, y, 4)
		b = pad(b, m, 2)
		b = pad(b, d, 2)
	case 18: // 3/4/19
		b = strconv.AppendInt(b, int64(m), 10)
		b = append(b, '/')
		b = strconv.AppendInt(b, int64(d), 10)
		b = append(b, '/')
		b = pad(b, y%100, 2)
	case 19: // Monday, March 4, 2019
		b = append(b, weekdays[t.Weekday()]...)
		b = append(b, ", "...)
		b = append(b, monthNames[m-1]...)
		b = append(b, ' ')
		b = strconv.AppendInt(b, int64(d), 10)
		b = append(b, ", "...)
		b = strconv.AppendInt(b, int64(y), 10)
	case 20: // 03/2019 (month and year)
		b = pad(b, m, 2)
		b = append(b, '/')
		b = strconv.AppendInt(b, int64(y), 10)
	default: // Mar. 4th
		b = append(b, monthAbbr[m-1]...)
		if m != 5 {
			b = append(b, '.')
		}
		b = append(b, ' ')
		b = append(b, ordinal(d)...)
	}
	return string(b)
}

// timeOfDay returns "14:32", "0830" or "2:15 PM": clock times are not PHI.
func timeOfDay(r *rand.Rand) string {
	h, m := r.IntN(24), r.IntN(60)
	switch r.IntN(3) {
	case 0:
		return twoDigits(h) + ":" + twoDigits(m)
	case 1:
		return twoDigits(h) + twoDigits(m)
	default:
		ap := "AM"
		if h >= 12 {
			ap = "PM"
		}
		h12 := h % 12
		if h12 == 0 {
			h12 = 12
		}
		return strconv.Itoa(h12) + ":" + twoDigits(m) + " " + ap
	}
}

// daysAfter returns t shifted by n days (n may be negative).
func daysAfter(t time.Time, n int) time.Time { return t.AddDate(0, 0, n) }

// randDate returns a random day in [from, from+spanDays).
func randDate(r *rand.Rand, from time.Time, spanDays int) time.Time {
	return from.AddDate(0, 0, r.IntN(spanDays))
}

// ageAt returns whole years between birth and t.
func ageAt(birth, t time.Time) int {
	by, bm, bd := birth.Date()
	y, m, d := t.Date()
	age := y - by
	if m < bm || (m == bm && d < bd) {
		age--
	}
	return age
}
