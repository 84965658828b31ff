package detectors

import "testing"

func TestNamesAfterInLawsAndStepRelatives(t *testing.T) {
	e := newEngine(t, DefaultConfig())
	tests := []struct{ text, want string }{
		{"Hx obtained from pt and her son-in-law Miles. Will follow.", "Miles"},
		{"Consent signed by pt and daughter-in-law Grace.", "Grace"},
		{"Lives with her stepson Frank near the clinic.", "Frank"},
	}
	for _, tc := range tests {
		if spans := e.Detect(tc.text); !covered(spans, tc.text, tc.want) {
			t.Errorf("Detect(%q) = %v, want %q covered", tc.text, spans, tc.want)
		}
	}
	// "in-law" without a name after it stays clear.
	if got := e.Detect("Discussed with the in-law family at bedside."); len(got) != 0 {
		t.Errorf("Detect(in-law family) = %v, want no spans", got)
	}
}
