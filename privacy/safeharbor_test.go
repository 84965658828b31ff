package privacy

import (
	"errors"
	"testing"
)

func TestSafeHarbor(t *testing.T) {
	tests := []struct {
		name    string
		fn      func(string) (string, error)
		in      string
		want    string
		wantErr bool
	}{
		{"iso date", DateToYear, "1961-07-04", "1961", false},
		{"rfc3339", DateToYear, "2001-02-03T04:05:06Z", "2001", false},
		{"us date", DateToYear, "07/04/1961", "1961", false},
		{"compact date", DateToYear, "19610704", "1961", false},
		{"not a date", DateToYear, "yesterday", "", true},
		{"age 89 kept", AgeTopCodeString, "89", "89", false},
		{"age 90 top-coded", AgeTopCodeString, "90", "90+", false},
		{"age 104.5 top-coded", AgeTopCodeString, "104.5", "90+", false},
		{"negative age", AgeTopCodeString, "-1", "", true},
		{"zip", ZIP3, "02139", "021", false},
		{"zip+4", ZIP3, "02139-4307", "021", false},
		{"restricted zip", ZIP3, "03601", "000", false},
		{"restricted zip 893", ZIP3, "89301", "000", false},
		{"short zip", ZIP3, "0213", "", true},
		{"letters", ZIP3, "0213A", "", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.fn(tc.in)
			if tc.wantErr {
				if !errors.Is(err, ErrSafeHarborInput) {
					t.Errorf("err = %v, want ErrSafeHarborInput", err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Errorf("got %q, %v; want %q", got, err, tc.want)
			}
		})
	}
	if AgeTopCode(95) != "90+" || AgeTopCode(42) != "42" {
		t.Errorf("AgeTopCode: %q %q", AgeTopCode(95), AgeTopCode(42))
	}
}
