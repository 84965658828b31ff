package synth

import (
	"math/rand/v2"
	"strconv"
	"strings"
)

const (
	digits      = "0123456789"
	upperAlpha  = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	alnumUpper  = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"
	lowerAlnum  = "abcdefghijklmnopqrstuvwxyz0123456789"
	mbiLetters  = "ACDEFGHJKMNPQRTUVWXY" // Medicare MBI letters: no S, L, O, I, B, Z
	vinAlphabet = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"
)

func randFrom(r *rand.Rand, b []byte, alphabet string, n int) []byte {
	for range n {
		b = append(b, alphabet[r.IntN(len(alphabet))])
	}
	return b
}

func randDigits(r *rand.Rand, n int) string { return string(randFrom(r, nil, digits, n)) }

// ssnParts returns a valid-looking SSN: area 001-899 but not 666, group
// 01-99, serial 0001-9999 (the SSA's never-issued rules).
func ssnParts(r *rand.Rand) (area, group, serial int) {
	area = 1 + r.IntN(899)
	if area == 666 {
		area = 667
	}
	return area, 1 + r.IntN(99), 1 + r.IntN(9999)
}

func pad(b []byte, n, width int) []byte {
	s := strconv.Itoa(n)
	for i := len(s); i < width; i++ {
		b = append(b, '0')
	}
	return append(b, s...)
}

// formatSSN writes an SSN as 123-45-6789, or in notes sometimes 123 45 6789 or 123456789.
func formatSSN(area, group, serial int, style int) string {
	sep := []string{"-", "-", " ", ""}[style%4]
	b := make([]byte, 0, 11)
	b = pad(b, area, 3)
	b = append(b, sep...)
	b = pad(b, group, 2)
	b = append(b, sep...)
	b = pad(b, serial, 4)
	return string(b)
}

// phoneParts returns a NANP number in area: exchange 2xx-9xx, line 0000-9999.
func phoneParts(r *rand.Rand, area string) (string, string, string) {
	ex := strconv.Itoa(200 + r.IntN(800))
	return area, ex, string(randFrom(r, nil, digits, 4))
}

func formatPhone(a, e, l string, style int) string {
	switch style % 7 {
	case 0, 1:
		return "(" + a + ") " + e + "-" + l
	case 2, 3:
		return a + "-" + e + "-" + l
	case 4:
		return a + "." + e + "." + l
	case 5:
		return "+1 " + a + " " + e + " " + l
	default:
		return a + " " + e + " " + l
	}
}

// mrn returns a medical record number in one of several institutional
// shapes; a patient keeps one format.
func mrn(r *rand.Rand, format int) string {
	var b []byte
	switch format % 7 {
	case 0: // 8 digits, zero padded
		b = append(b, '0')
		b = randFrom(r, b, digits, 7)
	case 1: // 7 digits
		b = append(b, byte('1'+r.IntN(9)))
		b = randFrom(r, b, digits, 6)
	case 2: // letter prefix
		b = append(b, "EMBAH"[r.IntN(5)])
		b = randFrom(r, b, digits, 7)
	case 3: // two letters and digits
		b = randFrom(r, b, upperAlpha, 2)
		b = randFrom(r, b, digits, 6)
	case 4: // grouped
		b = randFrom(r, b, digits, 3)
		b = append(b, '-')
		b = randFrom(r, b, digits, 2)
		b = append(b, '-')
		b = randFrom(r, b, digits, 2)
		b = append(b, '-')
		b = randFrom(r, b, digits, 2)
	case 5: // site-year-serial
		b = append(b, "MR-"...)
		b = randFrom(r, b, digits, 2)
		b = append(b, '-')
		b = randFrom(r, b, digits, 6)
	default: // 10 digits
		b = append(b, byte('1'+r.IntN(9)))
		b = randFrom(r, b, digits, 9)
	}
	return string(b)
}

// healthPlanID returns a member id: a Medicare MBI (1EG4-TE5-MK73 shape),
// a commercial 3-letter prefix id, or a plain alphanumeric one.
func healthPlanID(r *rand.Rand) string {
	var b []byte
	switch r.IntN(4) {
	case 0: // MBI: C A AN N A AN N A A N N
		b = append(b, byte('1'+r.IntN(9)))
		b = randFrom(r, b, mbiLetters, 1)
		b = randFrom(r, b, mbiLetters+digits, 1)
		b = randFrom(r, b, digits, 1)
		if r.IntN(2) == 0 {
			b = append(b, '-')
		}
		b = randFrom(r, b, mbiLetters, 1)
		b = randFrom(r, b, mbiLetters+digits, 1)
		b = randFrom(r, b, digits, 1)
		if b[4] == '-' {
			b = append(b, '-')
		}
		b = randFrom(r, b, mbiLetters, 2)
		b = randFrom(r, b, digits, 2)
	case 1:
		b = randFrom(r, b, upperAlpha, 3)
		b = randFrom(r, b, digits, 9)
	case 2:
		b = append(b, "WHMU"[r.IntN(4)])
		b = randFrom(r, b, digits, 9)
		if r.IntN(2) == 0 {
			b = append(b, '0', byte('1'+r.IntN(4)))
		}
	default:
		b = randFrom(r, b, alnumUpper, 3)
		b = randFrom(r, b, digits, 6)
		b = append(b, '-')
		b = randFrom(r, b, digits, 2)
	}
	return string(b)
}

// luhnDigit returns the Luhn check digit for payload (digits only).
func luhnDigit(payload []byte) byte {
	sum := 0
	double := true
	for i := len(payload) - 1; i >= 0; i-- {
		d := int(payload[i] - '0')
		if double {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return byte('0' + (10-sum%10)%10)
}

// account returns an account identifier: a hospital account number, a
// Luhn-valid card number or a US-style bank account.
func account(r *rand.Rand) (string, string) {
	switch r.IntN(4) {
	case 0, 1:
		return "acct", string(randFrom(r, []byte{byte('1' + r.IntN(9))}, digits, 7+r.IntN(3)))
	case 2:
		b := []byte{"3456"[r.IntN(4)]}
		b = randFrom(r, b, digits, 14)
		b = append(b, luhnDigit(b))
		s := string(b)
		if r.IntN(2) == 0 {
			s = s[0:4] + " " + s[4:8] + " " + s[8:12] + " " + s[12:16]
		}
		return "card", s
	default:
		return "bank", string(randFrom(r, nil, digits, 10+r.IntN(3)))
	}
}

// license returns a state driver's license or professional license number.
func license(r *rand.Rand) string {
	var b []byte
	switch r.IntN(5) {
	case 0: // CA style
		b = randFrom(r, b, upperAlpha, 1)
		b = randFrom(r, b, digits, 7)
	case 1: // FL style
		b = randFrom(r, b, upperAlpha, 1)
		b = randFrom(r, b, digits, 3)
		b = append(b, '-')
		b = randFrom(r, b, digits, 3)
		b = append(b, '-')
		b = randFrom(r, b, digits, 2)
		b = append(b, '-')
		b = randFrom(r, b, digits, 3)
		b = append(b, '-')
		b = randFrom(r, b, digits, 1)
	case 2: // NY style
		b = randFrom(r, b, digits, 9)
	case 3: // nursing / medical licence
		b = append(b, []string{"RN", "MD", "LPN", "PA"}[r.IntN(4)]...)
		b = randFrom(r, b, digits, 6+r.IntN(2))
	default:
		b = randFrom(r, b, upperAlpha, 2)
		b = randFrom(r, b, digits, 6)
	}
	return string(b)
}

// dea returns a DEA registration number with a valid check digit for a
// prescriber whose surname starts with initial.
func dea(r *rand.Rand, initial byte) string {
	b := []byte{"ABFM"[r.IntN(4)], initial}
	if initial < 'A' || initial > 'Z' {
		b[1] = 'X'
	}
	d := make([]int, 6)
	for i := range d {
		d[i] = r.IntN(10)
		b = append(b, byte('0'+d[i]))
	}
	check := (d[0] + d[2] + d[4] + 2*(d[1]+d[3]+d[5])) % 10
	return string(append(b, byte('0'+check)))
}

// npi returns a 10-digit NPI whose check digit is the Luhn digit of 80840+payload.
func npi(r *rand.Rand) string {
	b := []byte{"12"[r.IntN(2)]}
	b = randFrom(r, b, digits, 8)
	full := append([]byte("80840"), b...)
	return string(append(b, luhnDigit(full)))
}

var vinWeights = [17]int{8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2}

func vinValue(c byte) int {
	if c >= '0' && c <= '9' {
		return int(c - '0')
	}
	// ISO 3779 transliteration: A-H 1-8, J-N 1-5, P 7, R 9, S-Z 2-9.
	switch {
	case c <= 'H':
		return int(c-'A') + 1
	case c <= 'N':
		return int(c-'J') + 1
	case c == 'P':
		return 7
	case c == 'R':
		return 9
	default:
		return int(c-'S') + 2
	}
}

// vin returns a 17-character VIN with a valid check digit in position 9.
func vin(r *rand.Rand) string {
	b := []byte{"12345JKLSWYZ"[r.IntN(12)]}
	b = randFrom(r, b, vinAlphabet, 7)
	b = append(b, '0')
	b = randFrom(r, b, vinAlphabet, 1) // model year
	b = randFrom(r, b, vinAlphabet, 1) // plant
	b = randFrom(r, b, digits, 6)      // serial
	sum := 0
	for i, c := range b {
		sum += vinValue(c) * vinWeights[i]
	}
	if m := sum % 11; m == 10 {
		b[8] = 'X'
	} else {
		b[8] = byte('0' + m)
	}
	return string(b)
}

// plate returns a licence plate in one of several state shapes.
func plate(r *rand.Rand) string {
	var b []byte
	switch r.IntN(4) {
	case 0:
		b = randFrom(r, b, "123456789", 1)
		b = randFrom(r, b, upperAlpha, 3)
		b = randFrom(r, b, digits, 3)
	case 1:
		b = randFrom(r, b, upperAlpha, 3)
		b = append(b, '-')
		b = randFrom(r, b, digits, 4)
	case 2:
		b = randFrom(r, b, upperAlpha, 3)
		b = append(b, ' ')
		b = randFrom(r, b, digits, 3)
	default:
		b = randFrom(r, b, digits, 3)
		b = randFrom(r, b, upperAlpha, 2)
		b = randFrom(r, b, digits, 1)
	}
	return string(b)
}

// deviceSerial returns an implant or device serial number, or a GS1 UDI.
func deviceSerial(r *rand.Rand) string {
	var b []byte
	switch r.IntN(4) {
	case 0:
		b = randFrom(r, b, upperAlpha, 3)
		b = randFrom(r, b, digits, 6)
		b = randFrom(r, b, upperAlpha, 1)
	case 1:
		b = randFrom(r, b, upperAlpha, 2)
		b = randFrom(r, b, digits, 7)
		b = append(b, 'X')
	case 2: // GS1 UDI: (01) GTIN (17) expiry (21) serial
		b = append(b, "(01)0"...)
		b = randFrom(r, b, digits, 13)
		b = append(b, "(17)"...)
		b = randFrom(r, b, digits, 6)
		b = append(b, "(21)"...)
		b = randFrom(r, b, alnumUpper, 8)
	default:
		b = append(b, "SN-"...)
		b = randFrom(r, b, alnumUpper, 10)
	}
	return string(b)
}

var emailDomains = []string{"gmail.com", "yahoo.com", "hotmail.com", "outlook.com", "aol.com",
	"icloud.com", "comcast.net", "verizon.net", "protonmail.com", "att.net"}

// email returns an address derived from a person's name, as people choose them.
func email(r *rand.Rand, first, last string) string {
	f, l := emailPart(first), emailPart(last)
	var local string
	switch r.IntN(6) {
	case 0:
		local = f + "." + l
	case 1:
		local = f[:1] + l + strconv.Itoa(r.IntN(100))
	case 2:
		local = f + l[:1] + strconv.Itoa(1940+r.IntN(70))
	case 3:
		local = l + "_" + f
	case 4:
		local = f + strconv.Itoa(r.IntN(1000))
	default:
		local = string(randFrom(r, []byte(f[:1]), lowerAlnum, 5))
	}
	return local + "@" + emailDomains[r.IntN(len(emailDomains))]
}

// emailPart lower-cases s and keeps only letters and digits.
func emailPart(s string) string {
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
			b = append(b, c)
		case c >= 'A' && c <= 'Z':
			b = append(b, c+'a'-'A')
		}
	}
	if len(b) == 0 {
		return "x"
	}
	return string(b)
}

// orgDomain turns a facility name into a plausible web domain.
func orgDomain(facility string) string {
	var b []byte
	for i := 0; i < len(facility); i++ {
		c := facility[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
			b = append(b, c)
		case c >= 'A' && c <= 'Z':
			b = append(b, c+'a'-'A')
		}
		if len(b) >= 18 {
			break
		}
	}
	return string(b) + ".org"
}

func url(r *rand.Rand, domain string) string {
	switch r.IntN(4) {
	case 0:
		return "https://www." + domain
	case 1:
		return "https://mychart." + domain + "/patient/" + randDigits(r, 6)
	case 2:
		return "www." + domain + "/portal"
	default:
		return "http://" + domain + "/records?id=" + randDigits(r, 8)
	}
}

func ipAddr(r *rand.Rand) string {
	if r.IntN(6) == 0 {
		const hx = "0123456789abcdef"
		b := []byte("2001:db8:")
		b = randFrom(r, b, hx, 4)
		b = append(b, "::"...)
		b = randFrom(r, b, hx, 1+r.IntN(4))
		return string(b)
	}
	var b []byte
	switch r.IntN(3) {
	case 0:
		b = append(b, "10."...)
	case 1:
		b = append(b, "192.168."...)
	default:
		b = strconv.AppendInt(b, int64(11+r.IntN(212)), 10)
		b = append(b, '.')
	}
	for strings.Count(string(b), ".") < 3 {
		b = strconv.AppendInt(b, int64(r.IntN(256)), 10)
		b = append(b, '.')
	}
	return string(strconv.AppendInt(b, int64(1+r.IntN(254)), 10))
}

// otherID returns a label and an identifier for the ID type: accession,
// claim, study subject and similar numbers.
func otherID(r *rand.Rand) (label, id string) {
	switch r.IntN(6) {
	case 0:
		return "Accession #", "RA-" + randDigits(r, 7)
	case 1:
		return "Claim no.", string(randFrom(r, []byte("CLM"), digits, 9))
	case 2:
		return "Study subject ID", randDigits(r, 4) + "-" + randDigits(r, 3) + "-" + randDigits(r, 3)
	case 3:
		return "Encounter #", randDigits(r, 10)
	case 4:
		return "Specimen ID", string(randFrom(r, []byte("S"), digits, 2)) + "-" + randDigits(r, 5)
	default:
		return "Employee ID", string(randFrom(r, []byte("E"), digits, 6))
	}
}

// biometric returns a label and the identifier of an enrolled biometric template.
func biometric(r *rand.Rand) (label, id string) {
	labels := []string{"fingerprint template", "retinal scan ID", "voiceprint ID", "palm vein enrollment", "facial geometry hash"}
	l := labels[r.IntN(len(labels))]
	if r.IntN(2) == 0 {
		return l, string(randFrom(r, []byte("BIO-"), alnumUpper, 10))
	}
	return l, string(randFrom(r, nil, "0123456789abcdef", 16))
}
