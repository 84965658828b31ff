package synth

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Canonical PHI type names used in gold spans (see detectors/types.go).
const (
	tName       = "NAME"
	tLocation   = "LOCATION"
	tDate       = "DATE"
	tAge        = "AGE"
	tPhone      = "PHONE"
	tFax        = "FAX"
	tEmail      = "EMAIL"
	tSSN        = "SSN"
	tMRN        = "MRN"
	tHealthPlan = "HEALTH_PLAN"
	tAccount    = "ACCOUNT"
	tLicense    = "LICENSE"
	tVehicle    = "VEHICLE"
	tDevice     = "DEVICE"
	tURL        = "URL"
	tIP         = "IP"
	tBiometric  = "BIOMETRIC"
	tID         = "ID"
)

// patientSlots write the patient's own identifiers; slots counts them
// per note so every note names its patient.
var patientSlots = map[string]slotFn{
	"name":   slotName,
	"pt":     slotPt,
	"first":  func(n *noteGen) { n.b.phi(n.p.first, tName) },
	"last":   func(n *noteGen) { n.b.phi(n.p.last, tName) },
	"age":    func(n *noteGen) { n.age(n.p.age, true) },
	"dob":    func(n *noteGen) { n.date(n.p.birth) },
	"admit":  func(n *noteGen) { n.date(n.p.admit) },
	"disch":  func(n *noteGen) { n.date(n.p.disch) },
	"date":   func(n *noteGen) { n.date(daysAfter(n.p.admit, n.r.IntN(n.stay()+1))) },
	"pdate":  func(n *noteGen) { n.date(daysAfter(n.p.admit, -60-n.r.IntN(3000))) },
	"fdate":  func(n *noteGen) { n.date(daysAfter(n.p.disch, 7+n.r.IntN(60))) },
	"addr":   slotAddr,
	"street": func(n *noteGen) { n.b.phi(n.p.street, tLocation) },
	"city":   func(n *noteGen) { n.b.phi(n.p.city.name, tLocation) },
	"zip":    func(n *noteGen) { n.b.phi(n.zip(), tLocation) },
	"phone": func(n *noteGen) {
		n.b.phi(formatPhone(n.p.phA, n.p.phE, n.p.phL, n.r.IntN(7)), tPhone)
	},
	"email": func(n *noteGen) { n.b.phi(n.p.email, tEmail) },
	"ssn": func(n *noteGen) {
		n.b.phi(formatSSN(n.p.ssnA, n.p.ssnG, n.p.ssnS, n.r.IntN(4)), tSSN)
	},
	"mrn": func(n *noteGen) { n.b.phi(n.p.mrn, tMRN) },
	"hp":  func(n *noteGen) { n.b.phi(n.p.insurance, tHealthPlan) },
	"acct": func(n *noteGen) {
		kind, v := account(n.r)
		switch kind {
		case "card":
			n.b.lit("card ")
		case "bank":
			n.b.lit("bank acct ")
		default:
			n.b.lit("Acct #")
		}
		n.b.phi(v, tAccount)
	},
	"dl":     func(n *noteGen) { n.b.phi(license(n.r), tLicense) },
	"vin":    func(n *noteGen) { n.b.phi(vin(n.r), tVehicle) },
	"plate":  func(n *noteGen) { n.b.phi(plate(n.r), tVehicle) },
	"serial": func(n *noteGen) { n.b.phi(deviceSerial(n.r), tDevice) },
	"url":    func(n *noteGen) { n.b.phi(url(n.r, orgDomain(n.facilities[0])), tURL) },
	"ip":     func(n *noteGen) { n.b.phi(ipAddr(n.r), tIP) },
	"oid": func(n *noteGen) {
		label, v := otherID(n.r)
		n.b.lit(label + " ")
		n.b.phi(v, tID)
	},
	"bio": func(n *noteGen) {
		label, v := biometric(n.r)
		n.b.lit(label + " ")
		n.b.phi(v, tBiometric)
	},

	"decade": func(n *noteGen) {
		// "in her 90s" reveals an age over 89 as surely as "92" does.
		d := strconv.Itoa(n.p.age/10*10) + "s"
		if n.p.age > 89 {
			n.b.phi(d, tAge)
		} else {
			n.b.lit(d)
		}
	},
	"Pt": func(n *noteGen) {
		if n.chance(20) {
			n.b.lit("The patient")
			return
		}
		slotPtNamed(n)
	},
}

// otherSlots write other people's and places' identifiers and clinical text.
var otherSlots = map[string]slotFn{
	// Other people and places.
	"rel":      func(n *noteGen) { n.relative(0) },
	"rel2":     func(n *noteGen) { n.relative(1) },
	"relname":  func(n *noteGen) { n.b.phi(n.relatives[0].first, tName) },
	"relphone": func(n *noteGen) { n.otherPhone(n.p.city.area, tPhone) },
	"relage":   func(n *noteGen) { n.age(55+n.r.IntN(50), false) },
	"dr":       slotDr,
	"attending": func(n *noteGen) {
		c := n.clinicians[0]
		n.b.phi(c.first+" "+c.last, tName)
	},
	"clin": func(n *noteGen) {
		c := n.clinicians[n.r.IntN(len(n.clinicians))]
		if n.chance(30) {
			n.b.phi(initial(c.first)+". "+c.last, tName)
			return
		}
		n.b.phi(c.first+" "+c.last, tName)
	},
	"clinrev": func(n *noteGen) {
		c := n.clinicians[n.r.IntN(len(n.clinicians))]
		n.b.phi(c.last+", "+c.first, tName)
	},
	"nurse": func(n *noteGen) {
		q := newPerson(n.r, 40)
		if n.chance(50) {
			n.b.phi(q.first, tName)
		} else {
			n.b.phi(q.first+" "+q.last, tName)
		}
	},
	"dremail": func(n *noteGen) {
		c := n.clinicians[n.r.IntN(len(n.clinicians))]
		n.b.phi(emailPart(initial(c.first))+emailPart(c.last)+"@"+orgDomain(n.facilities[0]), tEmail)
	},
	"dea":    func(n *noteGen) { n.b.phi(dea(n.r, n.clinicians[0].last[0]), tLicense) },
	"npi":    func(n *noteGen) { n.b.phi(npi(n.r), tID) },
	"fac":    func(n *noteGen) { n.b.phi(n.facilities[0], tLocation) },
	"fac2":   func(n *noteGen) { n.b.phi(n.facilities[1], tLocation) },
	"ocity":  func(n *noteGen) { n.b.phi(cities[n.r.IntN(len(cities))].name, tLocation) },
	"county": func(n *noteGen) { n.b.phi(counties[n.r.IntN(len(counties))], tLocation) },
	"ophone": func(n *noteGen) { n.otherPhone(cities[n.r.IntN(len(cities))].area, tPhone) },
	"fax":    func(n *noteGen) { n.otherPhone(n.p.city.area, tFax) },

	// Clinical, not PHI.
	"he":       func(n *noteGen) { n.b.lit(n.pron("she", "he")) },
	"He":       func(n *noteGen) { n.b.lit(n.pron("She", "He")) },
	"his":      func(n *noteGen) { n.b.lit(n.pron("her", "his")) },
	"His":      func(n *noteGen) { n.b.lit(n.pron("Her", "His")) },
	"him":      func(n *noteGen) { n.b.lit(n.pron("her", "him")) },
	"sexw":     func(n *noteGen) { n.b.lit(n.pron("woman", "man")) },
	"sexl":     func(n *noteGen) { n.b.lit(n.pron("female", "male")) },
	"sex":      func(n *noteGen) { n.b.lit(n.p.sex()) },
	"sym":      func(n *noteGen) { n.b.lit(symptoms[n.r.IntN(len(symptoms))]) },
	"pmh":      slotPMH,
	"med":      func(n *noteGen) { n.b.lit(medLine(n.r)) },
	"meds":     slotMeds,
	"vit":      func(n *noteGen) { n.b.lit(vitals(n.r)) },
	"lab":      func(n *noteGen) { n.b.lit(labValue(n.r)) },
	"labs":     slotLabs,
	"dx":       func(n *noteGen) { n.b.lit(n.p.dx.text) },
	"dxa":      func(n *noteGen) { n.b.lit(n.p.dx.abbr) },
	"icd":      func(n *noteGen) { n.b.lit(n.p.dx.code) },
	"icd2":     func(n *noteGen) { d := diagnoses[n.r.IntN(len(diagnoses))]; n.b.lit(d.code + " " + d.abbr) },
	"year":     func(n *noteGen) { n.b.lit(strconv.Itoa(n.p.admit.Year() - 1 - n.r.IntN(15))) },
	"dur":      func(n *noteGen) { n.b.lit(durations[n.r.IntN(len(durations))]) },
	"n":        func(n *noteGen) { n.b.lit(strconv.Itoa(2 + n.r.IntN(8))) },
	"time":     func(n *noteGen) { n.b.lit(timeOfDay(n.r)) },
	"exam":     func(n *noteGen) { n.b.lit(examFindings[n.r.IntN(len(examFindings))]) },
	"proc":     func(n *noteGen) { n.b.lit(procedures[n.r.IntN(len(procedures))]) },
	"img":      func(n *noteGen) { n.b.lit(imagingFindings[n.r.IntN(len(imagingFindings))]) },
	"allergy":  func(n *noteGen) { n.b.lit(allergies[n.r.IntN(len(allergies))]) },
	"social":   func(n *noteGen) { n.b.lit(socialBits[n.r.IntN(len(socialBits))]) },
	"trap":     func(n *noteGen) { n.b.lit(traps[n.r.IntN(len(traps))]) },
	"pharmacy": func(n *noteGen) { n.b.lit(pharmacyNames[n.r.IntN(len(pharmacyNames))]) },
	"ins":      func(n *noteGen) { n.b.lit(insurers[n.r.IntN(len(insurers))]) },
	"epo":      func(n *noteGen) { n.b.lit(eponyms[n.r.IntN(len(eponyms))]) },
	"country":  func(n *noteGen) { n.b.lit(countries[n.r.IntN(len(countries))]) },
	"state":    func(n *noteGen) { n.b.lit(stateNames[n.r.IntN(len(stateNames))]) },
	"ws":       func(n *noteGen) { n.b.lit(wordSenses[n.r.IntN(len(wordSenses))]) },
	"relemail": func(n *noteGen) {
		q := n.relatives[1]
		n.b.phi(email(n.r, q.first, q.last), tEmail)
	},
	"los": func(n *noteGen) { n.b.lit(strconv.Itoa(n.stay())) },
}

// slots maps template slot names to what they write. PHI slots write through
// noteBuilder.phi; the rest write plain clinical text.
var slots = func() map[string]slotFn {
	m := make(map[string]slotFn, len(patientSlots)+len(otherSlots))
	for k, f := range otherSlots {
		m[k] = f
	}
	for k, f := range patientSlots {
		m[k] = func(n *noteGen) {
			before := len(n.b.spans)
			f(n)
			n.own += len(n.b.spans) - before
		}
	}
	return m
}()

// zip returns the patient's ZIP, one time in ten as ZIP+4.
func (n *noteGen) zip() string {
	if n.chance(10) {
		return n.p.zip4
	}
	return n.p.zip
}

// initial returns the first letter of s (a whole rune, not a byte).
func initial(s string) string {
	_, size := utf8.DecodeRuneInString(s)
	return s[:size]
}

func (n *noteGen) pron(female, male string) string {
	if n.p.female {
		return female
	}
	return male
}

func (n *noteGen) stay() int { return int(n.p.disch.Sub(n.p.admit).Hours() / 24) }

// date writes t in the note's usual style, or now and then another one.
func (n *noteGen) date(t time.Time) {
	style := n.dateStyle
	if n.chance(35) {
		style = n.r.IntN(numDateFormats)
	}
	n.b.phi(formatDate(t, style), tDate)
}

// age writes an age expression; only ages over 89 are PHI, and only the
// number (digits or words) is marked. withNoun picks forms like "67-year-old".
func (n *noteGen) age(a int, patientForm bool) {
	num := strconv.Itoa(a)
	if n.chance(15) {
		num = numberWords(a)
	}
	put := func() {
		if a > 89 {
			n.b.phi(num, tAge)
		} else {
			n.b.lit(num)
		}
	}
	if a < 2 && patientForm {
		n.b.lit(strconv.Itoa(1+n.r.IntN(11)) + " month old")
		return
	}
	if !patientForm {
		put()
		return
	}
	switch n.r.IntN(8) {
	case 0:
		put()
		n.b.lit(" yo")
	case 1:
		put()
		n.b.lit(" y/o")
	case 2:
		put()
		n.b.lit("-year-old")
	case 3:
		put()
		n.b.lit(" year old")
	case 4:
		if num[0] >= '0' && num[0] <= '9' {
			put()
			n.b.lit("yo")
			return
		}
		put()
		n.b.lit(" yo")
	case 5:
		put()
		n.b.lit(" years old")
	case 6:
		put()
		n.b.lit("-yr-old")
	default:
		put()
		n.b.lit(" y.o.")
	}
}

var (
	ones = []string{"zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
		"eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"}
	tens = []string{"", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"}
)

// numberWords spells 0-119 as a clinician would: "ninety-one".
func numberWords(a int) string {
	switch {
	case a < 20:
		return ones[a]
	case a >= 100:
		rest := a - 100
		if rest == 0 {
			return "one hundred"
		}
		return "one hundred " + numberWords(rest)
	case a%10 == 0:
		return tens[a/10]
	}
	return tens[a/10] + "-" + ones[a%10]
}

func slotName(n *noteGen) {
	p := n.p
	switch n.r.IntN(7) {
	case 0:
		n.b.phi(p.last+", "+p.first, tName)
	case 1:
		n.b.phi(strings.ToUpper(p.last)+", "+strings.ToUpper(p.first), tName)
	case 2:
		if p.middle != "" {
			n.b.phi(p.first+" "+p.middle+" "+p.last, tName)
			return
		}
		n.b.phi(p.first+" "+p.last, tName)
	default:
		n.b.phi(p.first+" "+p.last, tName)
	}
}

// slotPt refers to the patient in running text: "Mr. Smith", "John", "John
// Smith" or plain "the patient".
func slotPt(n *noteGen) {
	if n.chance(20) {
		n.b.lit("the patient")
		return
	}
	slotPtNamed(n)
}

func slotPtNamed(n *noteGen) {
	p := n.p
	switch x := n.r.IntN(8); {
	case x < 4:
		switch {
		case !p.female:
			n.b.lit("Mr. ")
		case n.chance(50):
			n.b.lit("Mrs. ")
		default:
			n.b.lit("Ms. ")
		}
		n.b.phi(p.last, tName)
	case x < 6:
		n.b.phi(p.first, tName)
	default:
		n.b.phi(p.first+" "+p.last, tName)
	}
}

func slotDr(n *noteGen) {
	c := n.clinicians[n.r.IntN(len(n.clinicians))]
	switch n.r.IntN(8) {
	case 0:
		n.b.lit("Dr ")
		n.b.phi(c.last, tName)
	case 1:
		n.b.lit("Dr. ")
		n.b.phi(c.first+" "+c.last, tName)
	case 2:
		n.b.lit("Doctor ")
		n.b.phi(c.last, tName)
	default:
		n.b.lit("Dr. ")
		n.b.phi(c.last, tName)
	}
}

func (n *noteGen) relative(i int) {
	q := n.relatives[i]
	n.b.lit(q.relation + " ")
	switch n.r.IntN(3) {
	case 0:
		n.b.phi(q.first+" "+q.last, tName)
	default:
		n.b.phi(q.first, tName)
	}
}

func (n *noteGen) otherPhone(area, typ string) {
	a, e, l := phoneParts(n.r, area)
	n.b.phi(formatPhone(a, e, l, n.r.IntN(7)), typ)
}

// slotAddr writes "221 Maple Ave, Quincy, MA 02169": street, city and ZIP are
// PHI, the state is not.
func slotAddr(n *noteGen) {
	p := n.p
	sep := ", "
	if n.chance(25) {
		sep = "\n"
	}
	n.b.phi(p.street, tLocation)
	n.b.lit(sep)
	n.b.phi(p.city.name, tLocation)
	n.b.lit(", " + p.city.state + " ")
	n.b.phi(n.zip(), tLocation)
}

func slotPMH(n *noteGen) {
	k := 2 + n.r.IntN(3)
	for i := range k {
		if i > 0 {
			n.b.lit(", ")
		}
		n.b.lit(conditions[n.r.IntN(len(conditions))])
	}
}

func slotMeds(n *noteGen) {
	k := 2 + n.r.IntN(4)
	sep := ", "
	if n.chance(50) {
		sep = "\n- "
		n.b.lit("- ")
	}
	for i := range k {
		if i > 0 {
			n.b.lit(sep)
		}
		n.b.lit(medLine(n.r))
	}
}

func slotLabs(n *noteGen) {
	k := 3 + n.r.IntN(4)
	for i := range k {
		if i > 0 {
			n.b.lit(", ")
		}
		n.b.lit(labValue(n.r))
	}
}
