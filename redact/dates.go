package redact

import (
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// A date is parsed into a written form (its tokens, each with a role) so a
// shifted date can be printed back the way it was written: "04-Mar-2019"
// stays "DD-Mon-YYYY", "March 4th" stays "Month Dth", a weekday name follows
// the new date. Times of day are kept as written: the shift is whole days.

type dateRole uint8

const (
	roleKeep      dateRole = iota // separators, "the", "of", times of day
	roleYear                      // 2 or 4 digits
	roleMonth                     // 1 or 2 digits
	roleDay                       // 1 or 2 digits, maybe with an ordinal suffix
	roleMonthName                 // "March", "Mar", "MAR", "Sept"
	roleWeekday                   // "Monday", "Mon"
	roleCompact                   // "20190304": YYYYMMDD
)

type dateTok struct {
	text    string
	role    dateRole
	digits  bool
	ordinal string // suffix after a day ("th"), written as found
	weekday int    // for roleWeekday: 0 = Sunday
}

// dateForm is a parsed date and how it was written. Not safe for concurrent
// mutation; parseDate returns a fresh one per call.
type dateForm struct {
	toks             []dateTok
	year, month, day int
	hasYear, hasDay  bool
	hasMonth         bool
	pad2             bool // two-digit month and day when the written one does not say
	dayFirst         bool // numeric day/month/year, read so because the first number exceeds 12
}

var monthNames = [...]string{"january", "february", "march", "april", "may", "june", "july",
	"august", "september", "october", "november", "december"}

var weekdayNames = [...]string{"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"}

// refYear is used for a date written without a year; a leap year, so Feb 29 parses.
const refYear = 2000

// lookupName matches s (lower case) to a full name or a prefix of at least 3
// letters ("mar", "sept", "tues").
func lookupName(s string, names []string) int {
	if len(s) < 3 {
		return -1
	}
	for i, n := range names {
		if strings.HasPrefix(n, s) {
			return i
		}
	}
	return -1
}

func tokenizeDate(s string) []dateTok {
	toks := make([]dateTok, 0, 8) // most dates have at most 8 tokens
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		j := i + n
		switch {
		case r >= '0' && r <= '9':
			for j < len(s) && s[j] >= '0' && s[j] <= '9' {
				j++
			}
			toks = append(toks, dateTok{text: s[i:j], digits: true})
		case unicode.IsLetter(r):
			for j < len(s) {
				r2, n2 := utf8.DecodeRuneInString(s[j:])
				if !unicode.IsLetter(r2) {
					break
				}
				j += n2
			}
			toks = append(toks, dateTok{text: s[i:j]})
		default:
			toks = append(toks, dateTok{text: s[i:j]})
		}
		i = j
	}
	return toks
}

// parseDate reads the common written forms of a date: ISO (2019-03-04, with or
// without a time), US numeric (3/4/2019, 03-04-19, 3/4), day-first when the
// first number cannot be a month (24/12/2019), compact 20190304, month names
// in any order with optional ordinals and weekday (Monday, March 4th, 2019;
// 4 Mar 2019; 04-Mar-19; the 4th of March), month-year (March 2019, 03/2019)
// and a bare year. It reports false for anything else.
func parseDate(s string) (*dateForm, bool) {
	if len(s) == 0 || len(s) > 64 {
		return nil, false
	}
	f := &dateForm{toks: tokenizeDate(s)}
	toks := f.toks
	var nums []int // indexes of digit tokens that are date parts
	monthName := -1
	for i := range toks {
		t := &toks[i]
		if t.digits {
			if isTimePart(toks, i) {
				continue
			}
			nums = append(nums, i)
			continue
		}
		if !isLetters(t.text) {
			continue
		}
		low := strings.ToLower(t.text)
		if i > 0 && toks[i-1].digits && isOrdinal(toks[i-1].text, low) {
			toks[i-1].ordinal = t.text
			t.role = roleKeep
			t.text = "" // printed with the day
			continue
		}
		if m := lookupName(low, monthNames[:]); m >= 0 && monthName < 0 && (len(low) <= 4 || low == monthNames[m]) {
			t.role = roleMonthName
			monthName = i
			f.month, f.hasMonth = m+1, true
			continue
		}
		if d := lookupName(low, weekdayNames[:]); d >= 0 && (len(low) <= 5 || low == weekdayNames[d]) {
			t.role, t.weekday = roleWeekday, d
			continue
		}
		switch low {
		case "the", "of", "on", "t", "z", "at", "am", "pm", "utc", "gmt":
		default:
			return nil, false // an unknown word: not a date we can rewrite faithfully
		}
	}
	if monthName >= 0 {
		if !assignWithMonthName(f, nums) {
			return nil, false
		}
	} else if !assignNumeric(f, nums) {
		return nil, false
	}
	monthDate := f.hasMonth && (f.hasDay || f.hasYear)
	yearOnly := f.hasYear && !f.hasMonth && !f.hasDay
	if !monthDate && !yearOnly {
		return nil, false
	}
	f.pad2 = monthName < 0 // "2019-12-15" pads, "December 5" does not ...
	for _, t := range f.toks {
		if t.role == roleMonth || t.role == roleDay {
			if t.text[0] == '0' { // ... unless the writer showed otherwise
				f.pad2 = true
			} else if len(t.text) == 1 {
				f.pad2 = false
			}
		}
	}
	if f.hasDay && (f.day < 1 || f.day > daysIn(f.yearOrRef(), f.month)) {
		return nil, false
	}
	return f, true
}

func isLetters(s string) bool {
	for _, r := range s {
		if !unicode.IsLetter(r) {
			return false
		}
	}
	return s != ""
}

// isTimePart reports digits next to ':' (10:30, +07:00) or followed by a
// fraction after ':' groups: times of day are not shifted.
func isTimePart(toks []dateTok, i int) bool {
	return (i+1 < len(toks) && toks[i+1].text == ":") || (i > 0 && toks[i-1].text == ":") ||
		(i > 1 && toks[i-1].text == "." && isTimePart(toks, i-2))
}

func isOrdinal(num, suffix string) bool {
	n, err := strconv.Atoi(num)
	if err != nil || len(num) > 2 {
		return false
	}
	return suffix == ordinalSuffix(n)
}

func ordinalSuffix(n int) string {
	if n%100 >= 11 && n%100 <= 13 {
		return "th"
	}
	switch n % 10 {
	case 1:
		return "st"
	case 2:
		return "nd"
	case 3:
		return "rd"
	}
	return "th"
}

func assignWithMonthName(f *dateForm, nums []int) bool {
	for _, i := range nums {
		t := &f.toks[i]
		v, _ := strconv.Atoi(t.text)
		switch {
		case t.ordinal != "" && !f.hasDay:
			t.role, f.day, f.hasDay = roleDay, v, true
		case len(t.text) == 4 && !f.hasYear:
			t.role, f.year, f.hasYear = roleYear, v, true
		case len(t.text) <= 2 && !f.hasDay && v >= 1 && v <= 31 && !apostropheBefore(f.toks, i):
			t.role, f.day, f.hasDay = roleDay, v, true
		case len(t.text) == 2 && !f.hasYear:
			t.role, f.year, f.hasYear = roleYear, expandYear(v), true
		default:
			return false
		}
	}
	return true
}

func apostropheBefore(toks []dateTok, i int) bool {
	return i > 0 && (toks[i-1].text == "'" || toks[i-1].text == "’")
}

func assignNumeric(f *dateForm, nums []int) bool {
	v := make([]int, len(nums))
	w := make([]int, len(nums))
	for k, i := range nums {
		if f.toks[i].ordinal != "" {
			return false // "3rd/1": ordinals go with month names only
		}
		v[k], _ = strconv.Atoi(f.toks[i].text)
		w[k] = len(f.toks[i].text)
	}
	set := func(k int, r dateRole) {
		f.toks[nums[k]].role = r
		switch r {
		case roleYear:
			f.year, f.hasYear = v[k], true
			if w[k] == 2 {
				f.year = expandYear(v[k])
			}
		case roleMonth:
			f.month, f.hasMonth = v[k], true
		case roleDay:
			f.day, f.hasDay = v[k], true
		}
	}
	yearWidth := func(k int) bool { return w[k] == 4 || w[k] == 2 }
	switch len(nums) {
	case 1:
		switch {
		case w[0] == 8: // YYYYMMDD
			t := f.toks[nums[0]].text
			f.toks[nums[0]].role = roleCompact
			f.year, _ = strconv.Atoi(t[:4])
			f.month, _ = strconv.Atoi(t[4:6])
			f.day, _ = strconv.Atoi(t[6:])
			f.hasYear, f.hasMonth, f.hasDay = true, true, true
		case w[0] == 4 && v[0] >= 1800 && v[0] <= 2200:
			set(0, roleYear)
		default:
			return false
		}
	case 2:
		switch {
		case w[0] == 4 && w[1] <= 2: // 2019-03
			set(0, roleYear)
			set(1, roleMonth)
		case w[1] == 4 && w[0] <= 2: // 03/2019
			set(0, roleMonth)
			set(1, roleYear)
		case w[0] <= 2 && w[1] <= 2: // 3/4
			set(0, roleMonth)
			set(1, roleDay)
		default:
			return false
		}
	case 3:
		switch {
		case w[0] == 4 && w[1] <= 2 && w[2] <= 2: // ISO
			set(0, roleYear)
			set(1, roleMonth)
			set(2, roleDay)
		case w[0] <= 2 && w[1] <= 2 && yearWidth(2) && v[0] <= 12: // US month first
			set(0, roleMonth)
			set(1, roleDay)
			set(2, roleYear)
		case w[0] <= 2 && w[1] <= 2 && yearWidth(2) && v[1] <= 12: // day first
			f.dayFirst = true
			set(0, roleDay)
			set(1, roleMonth)
			set(2, roleYear)
		default:
			return false
		}
	default:
		return false
	}
	return !f.hasMonth || (f.month >= 1 && f.month <= 12)
}

// expandYear reads a two-digit year as 1950-2049.
func expandYear(yy int) int {
	if yy < 50 {
		return 2000 + yy
	}
	return 1900 + yy
}

func (f *dateForm) yearOrRef() int {
	if f.hasYear {
		return f.year
	}
	return refYear
}

func daysIn(year, month int) int {
	if month < 1 || month > 12 {
		return 0
	}
	return time.Date(year, time.Month(month)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// shifted returns the date written in the same form, moved by days. A bare
// year is returned unchanged (a year alone is not PHI); a month-year moves as
// the 15th of its month so nearby intervals stay about right.
func (f *dateForm) shifted(days int) string {
	if !f.hasMonth {
		return f.format(f.year, 0, 0, 0)
	}
	d := f.day
	if !f.hasDay {
		d = 15
	}
	t := time.Date(f.yearOrRef(), time.Month(f.month), d, 12, 0, 0, 0, time.UTC).AddDate(0, 0, days)
	return f.format(t.Year(), int(t.Month()), t.Day(), days)
}

// format prints the form with new values; zero month/day keep the original.
// A weekday name moves by the same days, so a date written without its year
// (or with a wrong weekday) keeps the writer's weekday relation.
func (f *dateForm) format(year, month, day, days int) string {
	var b strings.Builder
	for _, t := range f.toks {
		switch t.role {
		case roleYear:
			if len(t.text) == 2 {
				b.WriteString(pad(year%100, 2))
			} else {
				b.WriteString(pad(year, len(t.text)))
			}
		case roleMonth:
			b.WriteString(f.padPart(orElse(month, f.month), t.text))
		case roleDay:
			dd := orElse(day, f.day)
			b.WriteString(f.padPart(dd, t.text))
			if t.ordinal != "" {
				b.WriteString(matchCase(ordinalSuffix(dd), t.ordinal))
			}
		case roleMonthName:
			b.WriteString(nameLike(monthNames[orElse(month, f.month)-1], t.text, monthNames[:]))
		case roleWeekday:
			if f.hasDay {
				wd := ((t.weekday+days)%7 + 7) % 7
				b.WriteString(nameLike(weekdayNames[wd], t.text, weekdayNames[:]))
			} else {
				b.WriteString(t.text)
			}
		case roleCompact:
			b.WriteString(pad(year, 4) + pad(orElse(month, f.month), 2) + pad(orElse(day, f.day), 2))
		default:
			b.WriteString(t.text)
		}
	}
	return b.String()
}

// padPart writes a month or day number as orig was written: "04" zero-pads,
// "4" does not, "12" follows the form's style.
func (f *dateForm) padPart(n int, orig string) string {
	if orig[0] == '0' || (len(orig) == 2 && f.pad2) {
		return pad(n, 2)
	}
	return strconv.Itoa(n)
}

func orElse(v, d int) int {
	if v == 0 {
		return d
	}
	return v
}

// pad prints n with at least width digits when the original had a leading zero's width.
func pad(n, width int) string {
	s := strconv.Itoa(n)
	for len(s) < width {
		s = "0" + s
	}
	return s
}

// nameLike writes full (a month or weekday name) the way orig was written:
// in full when orig was a full name of names, else abbreviated to 3 letters
// (or to orig's length when orig abbreviates this same name: "Sept", "Tues"),
// in orig's case.
func nameLike(full, orig string, names []string) string {
	low := strings.ToLower(orig)
	out := full
	isFull := false
	for _, n := range names {
		if n == low {
			isFull = true
		}
	}
	if !isFull {
		out = full[:3]
		if len(low) > 3 && len(low) < len(full) && strings.HasPrefix(full, low) {
			out = full[:len(low)]
		}
	}
	return matchCase(out, orig)
}

// matchCase gives s the case shape of like: UPPER, lower or Title.
func matchCase(s, like string) string {
	switch caseShape(like) {
	case shapeUpper:
		return strings.ToUpper(s)
	case shapeTitle:
		_, n := utf8.DecodeRuneInString(s)
		return strings.ToUpper(s[:n]) + strings.ToLower(s[n:])
	}
	return strings.ToLower(s)
}

type shape uint8

const (
	shapeLower shape = iota
	shapeUpper
	shapeTitle
)

func caseShape(s string) shape {
	upper, lower, first := 0, 0, true
	firstUpper := false
	for _, r := range s {
		if unicode.IsUpper(r) {
			upper++
			if first {
				firstUpper = true
			}
		} else if unicode.IsLower(r) {
			lower++
		}
		if unicode.IsLetter(r) {
			first = false
		}
	}
	switch {
	case upper > 0 && lower == 0 && (upper > 1 || utf8.RuneCountInString(s) == 1):
		return shapeUpper
	case firstUpper:
		return shapeTitle
	}
	return shapeLower
}
