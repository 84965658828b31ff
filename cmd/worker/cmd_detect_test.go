package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func runDetectCLI(t *testing.T, in string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := dispatch(context.Background(), stdio{Stdin: strings.NewReader(in), Stdout: &out, Stderr: &errb},
		append([]string{"detect"}, args...))
	return code, out.String(), errb.String()
}

func TestDetectCLI(t *testing.T) {
	in := `{"id":"a","text":"Pt seen by Dr. Alvarez. MRN: 1234567.","other":1}
not json with secret Alvarez
{"id":"b"}

{"id":"c","text":"nothing here"}
{"id":"d","text":"é Dr. Núñez"}
`
	code, out, stderr := runDetectCLI(t, in)
	if code != 1 {
		t.Fatalf("exit %d, want 1 (stderr %q)", code, stderr)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 5 {
		t.Fatalf("got %d output lines, want 5:\n%s", len(lines), out)
	}
	var a struct {
		ID    string `json:"id"`
		Spans []struct {
			Start, End int
			Type       string
			Score      float64
		} `json:"spans"`
	}
	if err := json.Unmarshal([]byte(lines[0]), &a); err != nil || a.ID != "a" || len(a.Spans) != 2 {
		t.Fatalf("line 1 = %s (err %v), want id a with 2 spans", lines[0], err)
	}
	if a.Spans[1].Type != "MRN" || a.Spans[1].Start != 29 || a.Spans[1].End != 36 {
		t.Errorf("MRN span = %+v, want [29,36)", a.Spans[1])
	}
	if !strings.Contains(lines[1], `"line":2`) || strings.Contains(lines[1], "Alvarez") {
		t.Errorf("bad-JSON line = %s, want line 2 and no record content", lines[1])
	}
	if !strings.Contains(lines[2], `"line":3`) {
		t.Errorf("missing-text line = %s, want line 3", lines[2])
	}
	if lines[3] != `{"id":"c","spans":[]}` {
		t.Errorf("empty result = %s", lines[3])
	}
	if !strings.Contains(lines[4], `"start":6,"end":11`) {
		t.Errorf("code-point offsets wrong: %s", lines[4])
	}
	if strings.Contains(stderr, "Alvarez") {
		t.Errorf("stderr leaks record content: %q", stderr)
	}
}

func TestDetectCLIConfig(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.yaml")
	os.WriteFile(good, []byte("kafka:\n  brokers: [x]\ndetection:\n  disabled: [MRN]\n  deny:\n    - {term: zebra, type: LOCATION}\n"), 0o600)
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(bad, []byte("detection:\n  thresholdz: {}\n"), 0o600)
	badType := filepath.Join(dir, "badtype.yaml")
	os.WriteFile(badType, []byte("detection:\n  disabled: [PET]\n"), 0o600)

	code, out, stderr := runDetectCLI(t, `{"id":"1","text":"MRN: 1234567 at zebra"}`+"\n", "-c", good)
	if code != 0 || strings.Contains(out, "MRN") || !strings.Contains(out, "LOCATION") {
		t.Fatalf("exit %d out %s stderr %s: want MRN disabled and zebra denied", code, out, stderr)
	}
	for _, p := range []string{bad, badType, filepath.Join(dir, "missing.yaml")} {
		if code, _, stderr := runDetectCLI(t, "", "-c", p); code != 2 || stderr == "" {
			t.Errorf("-c %s: exit %d stderr %q, want 2 with a message", filepath.Base(p), code, stderr)
		}
	}
	if code, stdout, _ := runDetectCLI(t, "", "-h"); code != 0 || !strings.Contains(stdout, "-c, --config FILE") {
		t.Errorf("-h: exit %d stdout %q", code, stdout)
	}
}
