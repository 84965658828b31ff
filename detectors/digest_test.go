package detectors

import (
	"bufio"
	"crypto/sha256"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

var updateDigest = flag.Bool("update-digest", false, "rewrite testdata/detect_digest.txt from this build's Detect output")

// TestDetectDigest pins what Detect reports on every text of testdata (the JSONL sets and the
// hand-written notes) under four configurations, as one SHA-256 of the spans per configuration: a
// change meant to be only faster must leave it as it is. A change of rules or model changes it on
// purpose; rewrite it then with
//
//	go test ./detectors -run TestDetectDigest -update-digest
func TestDetectDigest(t *testing.T) {
	texts := digestTexts(t)
	configs := []struct {
		name string
		cfg  Config
	}{
		{"default", DefaultConfig()},
		{"rules_only", Config{RulesOnly: true}},
		{"redact_years_weekdays", Config{RedactYears: true, Weekdays: true}},
		{"allow_deny_thresholds", Config{Allow: []string{"boston", "smith", "the"},
			Deny:       []DenyTerm{{Term: "patient"}, {Term: "blood pressure", Type: Name}},
			Thresholds: map[Type]float64{Name: 0.7, Date: 0.3}, Disabled: []Type{Phone}}},
	}
	var got strings.Builder
	for _, c := range configs {
		e := newEngine(t, c.cfg)
		h := sha256.New()
		spans := 0
		for i, text := range texts {
			for _, s := range e.Detect(text) {
				fmt.Fprintf(h, "%d %d %d %s %v\n", i, s.Start, s.End, s.Type, s.Score)
				spans++
			}
		}
		fmt.Fprintf(&got, "%s %d %x\n", c.name, spans, h.Sum(nil))
	}
	const file = "testdata/detect_digest.txt"
	if *updateDigest {
		if err := os.WriteFile(file, []byte(got.String()), 0o644); err != nil {
			t.Fatalf("writing %s: %v", file, err)
		}
		return
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("reading %s: %v (write it with -update-digest)", file, err)
	}
	if got.String() != string(want) {
		t.Errorf("Detect's output on testdata changed (config, spans, SHA-256):\n got %s\nwant %s"+
			"a change meant to be only faster must keep it; after a rule or model change, rewrite it with -update-digest",
			got.String(), want)
	}
}

// digestTexts are the texts of every JSONL file of testdata and the hand-written notes, in a fixed order.
func digestTexts(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob("testdata/*.jsonl")
	if err != nil || len(files) == 0 {
		t.Fatalf("listing testdata: %v (%d files)", err, len(files))
	}
	slices.Sort(files)
	var texts []string
	for _, p := range files {
		f, err := os.Open(p)
		if err != nil {
			t.Fatalf("opening %s: %v", p, err)
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 1<<20), 1<<24)
		for sc.Scan() {
			var r struct{ Text string }
			if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
				t.Fatalf("reading %s: %v", p, err)
			}
			texts = append(texts, r.Text)
		}
		f.Close()
		if err := sc.Err(); err != nil {
			t.Fatalf("reading %s: %v", p, err)
		}
	}
	for _, p := range []string{"testdata/holdout_notes.txt", "testdata/clinical_gold.txt"} {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatalf("reading %s: %v", p, err)
		}
		texts = append(texts, string(b))
	}
	return append(texts, equivalenceInputs...)
}
