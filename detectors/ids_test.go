package detectors

import "testing"

func TestSerialsWithGluedLabelsAndOneDigit(t *testing.T) {
	e := newEngine(t, DefaultConfig())
	tests := []struct{ text, want string }{
		{"Pacemaker serial SN-MCCRF5ABMT implanted.", "SN-MCCRF5ABMT"},
		{"Device interrogation: SN-VZYP2EKPUV, battery OK.", "SN-VZYP2EKPUV"},
	}
	for _, tc := range tests {
		if got := found(e, tc.text); got[tc.want] != Device {
			t.Errorf("found(%q) = %v, want %q as DEVICE", tc.text, got, tc.want)
		}
	}
	// One digit in a short word is not a code: "COVID-19", "SpO2".
	for _, text := range []string{"COVID-19 negative, SpO2 97% on RA.", "Serial exams: A1c stable."} {
		if got := e.Detect(text); len(got) != 0 {
			t.Errorf("Detect(%q) = %v, want no spans", text, got)
		}
	}
}
