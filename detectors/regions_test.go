package detectors

import "testing"

func TestRegions(t *testing.T) {
	tests := []struct {
		text string
		want []string // reported by default; none of them with safe_harbor_places_only
	}{
		{"Estonia was super fun to visit!", []string{"Estonia"}},
		{"I'm glad to hear that New Zealand is moving in that direction.", []string{"New Zealand"}},
		{"She moved here from the Czech Republic in 2019.", []string{"Czech Republic"}},
		{"i'm originally from switzerland", []string{"switzerland"}},
		{"Moved here from Texas; plans to travel to Puerto Rico.", []string{"Texas", "Puerto Rico"}},
		{"Relocated from North Carolina and the UK.", []string{"North Carolina", "UK"}},
		{"Akureyri\nIceland 80296", []string{"Iceland"}},
	}
	def := newEngine(t, DefaultConfig())
	cfg := DefaultConfig()
	cfg.SafeHarborPlacesOnly = true
	minimal := newEngine(t, cfg)
	for _, tc := range tests {
		spans := def.Detect(tc.text)
		for _, w := range tc.want {
			if !covered(spans, tc.text, w) {
				t.Errorf("Detect(%q) = %v: %q not covered", tc.text, spans, w)
			}
		}
		for _, sp := range minimal.Detect(tc.text) {
			for _, w := range tc.want {
				if got := string([]rune(tc.text)[sp.Start:sp.End]); got == w {
					t.Errorf("safe_harbor_places_only: Detect(%q) reported %q", tc.text, got)
				}
			}
		}
	}
}

func TestRegionsLeaveOrdinaryWordsAlone(t *testing.T) {
	// The region rules' own restraint; the learned scorer is judged on the gold sets.
	e := newEngine(t, Config{RulesOnly: true})
	for _, text := range []string{
		"Turkey sandwich at lunch, tolerated well.",
		"India ink preparation negative for cryptococcus.",
		"Congo red stain negative for amyloid.",
		"Allergic to Brazil nuts and balsam of Peru.",
		"Has a pet guinea pig at home.",
		"Ate turkey and fine china plates were used.",
		"US abdomen: no acute findings. Pt is from the us", // ultrasound, and "us"
		"OR time 90 minutes; MA rooming note.",             // abbreviations that are also states
		"States she feels better. United in her wish to go home.",
	} {
		if got := e.Detect(text); len(got) != 0 {
			t.Errorf("Detect(%q) = %v, want no spans", text, got)
		}
	}
}
