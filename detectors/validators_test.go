package detectors

import "testing"

func TestValidators(t *testing.T) {
	tests := []struct {
		name string
		fn   func(string) bool
		in   string
		want bool
	}{
		{"luhn visa", luhnDigits, "4111 1111 1111 1111", true},
		{"luhn bad", luhnDigits, "4111 1111 1111 1112", false},
		{"luhn letters", luhnDigits, "4111a", false},
		{"luhn short", luhnDigits, "0", false},
		{"iban de", ibanValid, "DE89 3704 0044 0532 0130 00", true},
		{"iban gb", ibanValid, "GB82WEST12345698765432", true},
		{"iban bad check", ibanValid, "DE88 3704 0044 0532 0130 00", false},
		{"iban short", ibanValid, "DE89", false},
		{"iban lower", ibanValid, "gb82west12345698765432", true},
		{"vin", vinValid, "1HGCM82633A004352", true},
		{"vin bad check", vinValid, "1HGCM82643A004352", false},
		{"vin with O", vinValid, "1HGCM82633O004352", false},
		{"vin short", vinValid, "1HGCM82633A00435", false},
		{"dea", deaValid, "AM1234563", true},
		{"dea bad", deaValid, "AM1234564", false},
		{"dea shape", deaValid, "A11234563", false},
		{"npi", npiValid, "1234567893", true},
		{"npi bad", npiValid, "1234567890", false},
		{"npi prefix", npiValid, "3234567893", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.fn(tc.in); got != tc.want {
				t.Fatalf("%s(%q) = %v, want %v", tc.name, tc.in, got, tc.want)
			}
		})
	}
}

func TestSSNRules(t *testing.T) {
	tests := []struct {
		a, g, s string
		want    bool
	}{
		{"123", "45", "6781", true},
		{"000", "45", "6781", false},
		{"666", "45", "6781", false},
		{"912", "45", "6781", false},
		{"123", "00", "6781", false},
		{"123", "45", "0000", false},
		{"078", "05", "1120", false},
		{"12", "45", "6781", false},
	}
	for _, tc := range tests {
		if got := ssnValid(tc.a, tc.g, tc.s); got != tc.want {
			t.Errorf("ssnValid(%s-%s-%s) = %v, want %v", tc.a, tc.g, tc.s, got, tc.want)
		}
	}
}
