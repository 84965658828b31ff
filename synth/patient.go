package synth

import (
	"math/rand/v2"
	"strconv"
	"time"
	"unicode/utf8"
)

// patient holds one synthetic person and the encounter the record describes.
type patient struct {
	id                  string
	first, middle, last string
	female              bool
	birth, admit, disch time.Time
	age                 int
	street              string
	city                city
	zip                 string
	zip4                string // ZIP+4 form, used in some notes
	phA, phE, phL       string // phone parts, formatted per mention
	email               string
	ssnA, ssnG, ssnS    int
	mrn                 string
	mrnFormat           int
	insurance           string
	race                string
	dx                  diagnosis
	note                string
}

func (p *patient) name() string {
	if p.middle != "" {
		return p.first + " " + p.middle + " " + p.last
	}
	return p.first + " " + p.last
}

func (p *patient) sex() string {
	if p.female {
		return "F"
	}
	return "M"
}

// Race categories with approximate US shares (OMB categories as EHRs record them).
var races = []struct {
	name   string
	weight int
}{
	{"White", 60}, {"Black or African American", 13}, {"Hispanic or Latino", 12}, {"Asian", 6},
	{"American Indian or Alaska Native", 1}, {"Native Hawaiian or Other Pacific Islander", 1},
	{"Two or more races", 3}, {"Other", 2}, {"Unknown", 2},
}

func pickRace(r *rand.Rand) string {
	n := r.IntN(100)
	for _, rc := range races {
		if n < rc.weight {
			return rc.name
		}
		n -= rc.weight
	}
	return "Unknown"
}

var (
	encounterStart = time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC)
	encounterDays  = 11 * 365
)

// adultAge draws an age skewed to the old, as inpatients are; about 6% are over 89.
func drawAge(r *rand.Rand) int {
	switch n := r.IntN(100); {
	case n < 6:
		return 90 + r.IntN(15)
	case n < 12:
		return r.IntN(18)
	case n < 40:
		return 18 + r.IntN(32)
	default:
		return 50 + r.IntN(40)
	}
}

// firstName picks a given name for a person of the given sex and rough age;
// about one in eight is also an English word ("Hope", "Will").
func firstName(r *rand.Rand, female bool, age int) string {
	switch n := r.IntN(32); {
	case n == 31:
		if female {
			return accentFemale[r.IntN(len(accentFemale))]
		}
		return accentMale[r.IntN(len(accentMale))]
	case n < 2:
		if female {
			return wordFemale[r.IntN(len(wordFemale))]
		}
		return wordMale[r.IntN(len(wordMale))]
	case n < 14 && age >= 50:
		if female {
			return olderFemale[r.IntN(len(olderFemale))]
		}
		return olderMale[r.IntN(len(olderMale))]
	}
	if female {
		return femaleNames[r.IntN(len(femaleNames))]
	}
	return maleNames[r.IntN(len(maleNames))]
}

func lastName(r *rand.Rand) string {
	switch n := r.IntN(20); {
	case n == 19:
		return accentSurnames[r.IntN(len(accentSurnames))]
	case n < 2:
		return wordSurnames[r.IntN(len(wordSurnames))]
	case n == 2:
		// Double-barrelled surnames.
		return surnames[r.IntN(len(surnames))] + "-" + surnames[r.IntN(len(surnames))]
	}
	return surnames[r.IntN(len(surnames))]
}

func (g *Generator) newPatient() patient {
	r := g.r
	var p patient
	// Unique within a stream at any length; the tag (low 16 bits of the seed)
	// keeps streams of different seeds apart in practice.
	p.id = string(pad([]byte("P"+g.tag+"-"), g.n, 7))
	p.female = r.IntN(2) == 0
	p.age = drawAge(r)
	p.first = firstName(r, p.female, p.age)
	if r.IntN(3) == 0 {
		p.middle = string(upperAlpha[r.IntN(26)]) + "."
	}
	p.last = lastName(r)
	p.admit = randDate(r, encounterStart, encounterDays)
	p.disch = daysAfter(p.admit, 1+min(r.IntN(8), r.IntN(30)))
	// Birth date: age years before admission, minus up to a year, so ageAt agrees.
	p.birth = p.admit.AddDate(-p.age, 0, -r.IntN(365))
	p.age = ageAt(p.birth, p.admit)
	p.street = streetLine(r)
	p.city = cities[r.IntN(len(cities))]
	p.zip = p.city.zip(r)
	p.zip4 = p.zip + "-" + twoDigits(r.IntN(100)) + twoDigits(r.IntN(100))
	p.phA, p.phE, p.phL = phoneParts(r, p.city.area)
	p.email = email(r, p.first, p.last)
	p.ssnA, p.ssnG, p.ssnS = ssnParts(r)
	p.mrnFormat = r.IntN(7)
	p.mrn = mrn(r, p.mrnFormat)
	p.insurance = healthPlanID(r)
	p.race = pickRace(r)
	p.dx = diagnoses[r.IntN(len(diagnoses))]
	return p
}

// appendRecord writes p as one JSON object. Hand-written (fixed key order,
// no reflection) because generation must reach tens of thousands per second.
func appendRecord(b []byte, p *patient) []byte {
	b = append(b, `{"patient_id":`...)
	b = appendJSONString(b, p.id)
	b = append(b, `,"name":`...)
	b = appendJSONString(b, p.name())
	b = append(b, `,"birth_date":"`...)
	b = isoDate(b, p.birth)
	b = append(b, `","address":`...)
	b = appendJSONString(b, p.street)
	b = append(b, `,"city":`...)
	b = appendJSONString(b, p.city.name)
	b = append(b, `,"state":"`...)
	b = append(b, p.city.state...)
	b = append(b, `","zip":"`...)
	b = append(b, p.zip...)
	b = append(b, `","phone":"`...)
	b = append(b, formatPhone(p.phA, p.phE, p.phL, 2)...)
	b = append(b, `","email":`...)
	b = appendJSONString(b, p.email)
	b = append(b, `,"ssn":"`...)
	b = append(b, formatSSN(p.ssnA, p.ssnG, p.ssnS, 0)...)
	b = append(b, `","mrn":`...)
	b = appendJSONString(b, p.mrn)
	b = append(b, `,"insurance_id":`...)
	b = appendJSONString(b, p.insurance)
	b = append(b, `,"admission_date":"`...)
	b = isoDate(b, p.admit)
	b = append(b, `","discharge_date":"`...)
	b = isoDate(b, p.disch)
	b = append(b, `","age":`...)
	b = strconv.AppendInt(b, int64(p.age), 10)
	b = append(b, `,"sex":"`...)
	b = append(b, p.sex()...)
	b = append(b, `","race":`...)
	b = appendJSONString(b, p.race)
	b = append(b, `,"diagnosis_code":`...)
	b = appendJSONString(b, p.dx.code)
	b = append(b, `,"note":`...)
	b = appendJSONString(b, p.note)
	return append(b, '}')
}

// appendJSONString appends s as a JSON string. s must be valid UTF-8 (all
// generated text is); control characters are escaped.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= utf8.RuneSelf {
			i++
			continue
		}
		if c >= 0x20 && c != '"' && c != '\\' {
			i++
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\n':
			b = append(b, '\\', 'n')
		case '\t':
			b = append(b, '\\', 't')
		case '\r':
			b = append(b, '\\', 'r')
		default:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		}
		i++
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
