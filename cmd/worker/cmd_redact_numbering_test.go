package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// Lines of one patient share placeholder numbers across the run: the same
// name keeps its number, a part of a name takes the full name's, new names
// continue the count; other patients and lines without a patient start alone.
func TestRedactCLIPatientNumbering(t *testing.T) {
	t.Setenv("DEID_SECRET", strings.Repeat("s", 40))
	in := `{"id":"1","text":"Seen by Dr. Mary Jones with her son Robert Smith. Call 555-201-3344.","patient_id":"P1"}
{"id":"2","text":"Dr. Jones called Robert Smith; Dr. Alice Walker agreed.","patient_id":"P1"}
{"id":"3","text":"Dr. Alice Walker saw Robert Smith.","patient_id":"P2"}
{"id":"4","text":"Dr. Alice Walker saw Robert Smith."}
{"id":"5","text":"Robert Smith, 555-201-3344, and Dr. Alice Walker.","patient_id":"P1"}
`
	want := []string{
		"Seen by Dr. [NAME_1] with her son [NAME_2]. Call [PHONE_1].",
		"Dr. [NAME_1] called [NAME_2]; Dr. [NAME_3] agreed.",
		"Dr. [NAME_1] saw [NAME_2].",
		"Dr. [NAME_1] saw [NAME_2].",
		"[NAME_2], [PHONE_1], and Dr. [NAME_3].",
	}
	code, out, stderr := runRedactCLI(t, in)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != len(want) {
		t.Fatalf("%d lines out, want %d:\n%s", len(lines), len(want), out)
	}
	for i, l := range lines {
		var r struct{ Text string }
		if err := json.Unmarshal([]byte(l), &r); err != nil {
			t.Fatal(err)
		}
		if r.Text != want[i] {
			t.Errorf("line %d: %q, want %q", i+1, r.Text, want[i])
		}
	}
}
