package detectors

// Check-digit validators. Each takes the matched text and ignores separators
// (spaces, '-', '.') where the identifier is commonly written with them.

// luhnDigits reports whether the digits of s pass the Luhn (mod 10) check used by
// payment cards and NPIs. Non-digit separators are ignored; fewer than 2 digits fail.
func luhnDigits(s string) bool {
	sum, n, double := 0, 0, false
	for i := len(s) - 1; i >= 0; i-- {
		c := s[i]
		if c < '0' || c > '9' {
			if c == ' ' || c == '-' || c == '.' {
				continue
			}
			return false
		}
		d := int(c - '0')
		if double {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
		n++
		double = !double
	}
	return n >= 2 && sum%10 == 0
}

// ibanValid checks an IBAN: 2 letters, 2 check digits, up to 30 alphanumerics,
// spaces allowed, and the ISO 13616 mod-97 remainder of 1.
func ibanValid(s string) bool {
	var buf [40]byte
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ' || c == '-':
			continue
		case c >= 'a' && c <= 'z':
			c -= 'a' - 'A'
		case c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		default:
			return false
		}
		if n == len(buf) {
			return false
		}
		buf[n] = c
		n++
	}
	if n < 15 || n > 34 || !isUpperAlpha(buf[0]) || !isUpperAlpha(buf[1]) || !isDigit(buf[2]) || !isDigit(buf[3]) {
		return false
	}
	rem := 0
	for k := 0; k < n; k++ {
		c := buf[(k+4)%n] // rotate the first four characters to the end
		if isDigit(c) {
			rem = (rem*10 + int(c-'0')) % 97
		} else {
			v := int(c-'A') + 10
			rem = (rem*100 + v) % 97
		}
	}
	return rem == 1
}

// vinValid checks a 17-character vehicle identification number: no I, O or Q, and
// the ISO 3779 / 49 CFR 565 check digit in position 9.
func vinValid(s string) bool {
	if len(s) != 17 {
		return false
	}
	weights := [17]int{8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2}
	sum := 0
	digits := 0
	for i := 0; i < 17; i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' {
			c -= 'a' - 'A'
		}
		var v int
		switch {
		case c >= '0' && c <= '9':
			v = int(c - '0')
			digits++
		case c >= 'A' && c <= 'H':
			v = int(c-'A') + 1
		case c >= 'J' && c <= 'N':
			v = int(c-'J') + 1
		case c == 'P':
			v = 7
		case c == 'R':
			v = 9
		case c >= 'S' && c <= 'Z':
			v = int(c-'S') + 2
		default:
			return false // includes I, O, Q
		}
		sum += v * weights[i]
	}
	if digits < 3 {
		return false // a word, not a VIN
	}
	check := sum % 11
	c := s[8]
	if check == 10 {
		return c == 'X' || c == 'x'
	}
	return int(c-'0') == check
}

// deaValid checks a DEA registration number: 2 letters then 7 digits where
// (d1+d3+d5) + 2*(d2+d4+d6) ends in d7.
func deaValid(s string) bool {
	if len(s) != 9 || !isAlpha(s[0]) || !isAlpha(s[1]) {
		return false
	}
	var d [7]int
	for i := 0; i < 7; i++ {
		c := s[2+i]
		if !isDigit(c) {
			return false
		}
		d[i] = int(c - '0')
	}
	return (d[0]+d[2]+d[4]+2*(d[1]+d[3]+d[5]))%10 == d[6]
}

// npiValid checks a 10-digit National Provider Identifier: Luhn over the
// digits prefixed with the card issuer prefix 80840.
func npiValid(s string) bool {
	if len(s) != 10 || (s[0] != '1' && s[0] != '2') {
		return false
	}
	for i := 0; i < 10; i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return luhnDigits("80840" + s)
}

// ssnValid applies the SSA's rules to 9 digits (separators removed): area not
// 000, 666 or 900-999; group not 00; serial not 0000; and not a well-known
// advertising number.
func ssnValid(area, group, serial string) bool {
	if len(area) != 3 || len(group) != 2 || len(serial) != 4 {
		return false
	}
	if area == "000" || area == "666" || area[0] == '9' || group == "00" || serial == "0000" {
		return false
	}
	switch area + group + serial {
	case "078051120", "219099999", "123456789":
		return false
	}
	return true
}

func isDigit(c byte) bool      { return c >= '0' && c <= '9' }
func isUpperAlpha(c byte) bool { return c >= 'A' && c <= 'Z' }
func isAlpha(c byte) bool      { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') }
