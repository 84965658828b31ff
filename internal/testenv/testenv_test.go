package testenv

import "testing"

func TestInCI(t *testing.T) {
	tests := []struct {
		ci   string
		want bool
	}{
		{"", false},
		{"true", true},
		{"1", true},
		{"TRUE", true},
		{"True", true},
		{"yes", true},
		{"on", true},
		{" true\n", true},
		{"false", false},
		{"0", false},
		{"no", false},
		{"off", false},
		{"github", false},
	}
	for _, tc := range tests {
		t.Setenv(EnvCI, tc.ci)
		if got := InCI(); got != tc.want {
			t.Errorf("CI=%q: InCI() = %v, want %v", tc.ci, got, tc.want)
		}
	}
}
