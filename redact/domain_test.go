package redact

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// keepPolicy keeps five columns, each with a different kind of domain, and the
// real detector behind them.
func keepPolicy(onInvalid string) Config {
	c := testConfig()
	c.Fields = []FieldPolicy{
		{Name: "state", Action: ActionKeep, Values: []string{"TX", "CA"}, OnInvalid: onInvalid},
		{Name: "race", Action: ActionKeep, Values: []string{"Asian", "White"}, OnInvalid: onInvalid},
		{Name: "dx", Action: ActionKeep, CodeSystem: CodeICD10, OnInvalid: onInvalid},
		{Name: "lab", Action: ActionKeep, CodeSystem: CodeLOINC, OnInvalid: onInvalid},
		{Name: "score", Action: ActionKeep, Min: ptr(0.0), Max: ptr(10.0), OnInvalid: onInvalid},
		{Name: "unit", Action: ActionKeep, Pattern: `[^0-9]{1,40}`, OnInvalid: onInvalid},
	}
	return c
}

func TestKeepDomain(t *testing.T) {
	p, err := NewProcessor(keepPolicy(""), realEngine(t))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, rec  string
		want       []string
		wantReject string
	}{
		{"all in domain", `{"state":"TX","race":"White","dx":"I82.401","lab":"2345-7","score":7.5,"unit":"mg/dL"}`,
			[]string{"TX", "White", "I82.401", "2345-7", "7.5", "mg/dL"}, ""},
		// The detector reads "Asian" as a name; the vocabulary says it belongs here.
		{"vocabulary value the detector flags", `{"race":"Asian"}`, []string{"", "Asian", "", "", "", ""}, ""},
		{"name in a state column", `{"state":"John Smith"}`, nil, "field_invalid:state"},
		{"vocabulary is exact", `{"state":"tx"}`, nil, "field_invalid:state"},
		{"SSN in a diagnosis column", `{"dx":"123-45-6789"}`, nil, "field_invalid:dx"},
		{"email in a diagnosis column", `{"dx":"jane@example.org"}`, nil, "field_invalid:dx"},
		{"ICD-10 without its dot part", `{"dx":"E11"}`, []string{"", "", "E11", "", "", ""}, ""},
		{"LOINC with a wrong check digit", `{"lab":"2345-8"}`, nil, "field_invalid:lab"},
		{"number above max", `{"score":11}`, nil, "field_invalid:score"},
		{"not a number", `{"score":"high"}`, nil, "field_invalid:score"},
		{"pattern passes, detector finds an email", `{"unit":"mail jane.roe@example.org"}`, nil, "field_phi:unit"},
		{"pattern passes, detector finds a name", `{"unit":"seen by Dr. Hope Blake"}`, nil, "field_phi:unit"},
		{"pattern fails", `{"unit":"SSN 123-45-6789"}`, nil, "field_invalid:unit"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := p.Process(decode(t, tc.rec))
			if err != nil {
				t.Fatal(err)
			}
			if res.Reject != tc.wantReject {
				t.Fatalf("reject %q, want %q", res.Reject, tc.wantReject)
			}
			if tc.wantReject == "" {
				if d := cmp.Diff(tc.want, res.Values); d != "" {
					t.Errorf("values (-want +got):\n%s", d)
				}
			}
		})
	}
}

func TestKeepWithhold(t *testing.T) {
	p, err := NewProcessor(keepPolicy(OnInvalidWithhold), realEngine(t))
	if err != nil {
		t.Fatal(err)
	}
	res, err := p.Process(decode(t, `{"state":"Jane Roe","race":"White","dx":"123-45-6789","unit":"call Dr. Hope Blake","score":3}`))
	if err != nil {
		t.Fatal(err)
	}
	if res.Reject != "" {
		t.Fatalf("rejected %q; withhold must release the record", res.Reject)
	}
	if d := cmp.Diff([]string{"", "White", "", "", "3", ""}, res.Values); d != "" {
		t.Errorf("values (-want +got):\n%s", d)
	}
	want := map[string]int{"field_invalid:state": 1, "field_invalid:dx": 1, "field_phi:unit": 1}
	if d := cmp.Diff(want, res.Withheld); d != "" {
		t.Errorf("withheld (-want +got):\n%s", d)
	}
	if res.Counts["NAME"] == 0 {
		t.Errorf("PHI counts %v: the name found in unit is not counted", res.Counts)
	}
}

func TestMatchesAll(t *testing.T) {
	for p, want := range map[string]bool{"(?s).*": true, "(?s:.)*": true, "((?s).*)": true, ".*": false, "(?s).+": false, "[A-Z]*": false, "(": false} {
		if got := matchesAll(p); got != want {
			t.Errorf("matchesAll(%q) = %v, want %v", p, got, want)
		}
	}
}
