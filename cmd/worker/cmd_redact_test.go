package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

const redactInput = `{"id":"a","text":"Call 555-201-3344 about the 3/4/2019 visit.","patient_id":"P1","other":1}
not json
{"id":"b"}

{"id":"c","text":"no identifiers here"}
`

func runRedactCLI(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := dispatch(context.Background(), stdio{strings.NewReader(stdin), &out, &errb}, append([]string{"redact"}, args...))
	return code, out.String(), errb.String()
}

func TestRedactCLIModes(t *testing.T) {
	t.Setenv("DEID_SECRET", strings.Repeat("s", 40))
	tests := []struct {
		mode  string
		textA string // regexp for record a's text
	}{
		{"redact", `^Call \[PHONE_1\] about the \[DATE_1\] visit\.$`},
		{"hash", `^Call \[PHONE:[0-9a-f]{16}\] about the \[DATE:[0-9a-f]{16}\] visit\.$`},
		{"surrogate", `^Call [2-9]\d\d-[2-9]\d\d-\d{4} about the \d{1,2}/\d{1,2}/\d{4} visit\.$`},
		{"detect", `^Call 555-201-3344 about the 3/4/2019 visit\.$`},
	}
	for _, tc := range tests {
		t.Run(tc.mode, func(t *testing.T) {
			code, out, stderr := runRedactCLI(t, redactInput, "--mode", tc.mode)
			if code != 1 || !strings.Contains(stderr, "2 unreadable line(s)") {
				t.Fatalf("exit %d, stderr %q; want 1 and two unreadable lines", code, stderr)
			}
			lines := strings.Split(strings.TrimSpace(out), "\n")
			if len(lines) != 4 {
				t.Fatalf("%d output lines, want 4:\n%s", len(lines), out)
			}
			var a struct{ ID, Text string }
			if err := json.Unmarshal([]byte(lines[0]), &a); err != nil || a.ID != "a" ||
				!regexp.MustCompile(tc.textA).MatchString(a.Text) {
				t.Errorf("line 1 = %s, want id a and text matching %s", lines[0], tc.textA)
			}
			if lines[1] != `{"line":2,"error":"decoding JSON: syntax error at byte 2"}` ||
				lines[2] != `{"line":3,"error":"missing \"id\" or \"text\" string field"}` ||
				lines[3] != `{"id":"c","text":"no identifiers here"}` {
				t.Errorf("lines 2-4:\n%s", strings.Join(lines[1:], "\n"))
			}
			if strings.Contains(stderr, "warning") {
				t.Errorf("warned about the secret although DEID_SECRET is set: %q", stderr)
			}
		})
	}
}

func TestRedactCLISecrets(t *testing.T) {
	in := `{"id":"a","text":"Call 555-201-3344."}` + "\n"
	t.Setenv("DEID_SECRET", "")
	code, out1, stderr := runRedactCLI(t, in, "--mode", "hash")
	if code != 0 || !strings.Contains(stderr, "random per-run secret") {
		t.Fatalf("exit %d stderr %q: want 0 and a warning", code, stderr)
	}
	_, out2, _ := runRedactCLI(t, in, "--mode", "hash")
	if out1 == out2 {
		t.Errorf("two runs with random secrets gave the same hash: %s", out1)
	}
	t.Setenv("DEID_SECRET", strings.Repeat("s", 40))
	_, out3, _ := runRedactCLI(t, in, "--mode", "hash")
	_, out4, _ := runRedactCLI(t, in, "--mode", "hash")
	if out3 != out4 {
		t.Errorf("the same DEID_SECRET gave different hashes: %s vs %s", out3, out4)
	}
}

func TestRedactCLIConfig(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	t.Setenv("MY_KEY", strings.Repeat("m", 40))
	good := write("good.yaml", `
kafka: {brokers: ["x:9092"]}   # other sections are not this command's business
detection:
  disabled: [DATE]
redaction:
  secret: ${MY_KEY}
  modes: {PHONE: hash}
`)
	code, out, stderr := runRedactCLI(t, `{"id":"a","text":"Call 555-201-3344 on 3/4/2019."}`, "-c", good)
	if code != 0 || !regexp.MustCompile(`^\{"id":"a","text":"Call \[PHONE:[0-9a-f]{16}\] on 3/4/2019\."\}\n$`).MatchString(out) {
		t.Errorf("exit %d, out %q, stderr %q", code, out, stderr)
	}
	tests := []struct {
		name, body, wantErr string
	}{
		{"unknown key", "redaction:\n  secrit: x\n", "redaction.secrit: unknown key"},
		{"bad mode", "redaction:\n  secret: " + strings.Repeat("k", 40) + "\n  default_mode: erase\n", "default_mode"},
		{"unset env", "redaction:\n  secret: ${NOT_SET_ANYWHERE}\n", "NOT_SET_ANYWHERE"},
		{"bad detection", "detection:\n  disabled: [PET]\n", "disabled[0]"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := runRedactCLI(t, "", "-c", write(tc.name+".yaml", tc.body))
			if code != 2 || !strings.Contains(stderr, tc.wantErr) {
				t.Errorf("exit %d, stderr %q; want 2 and %q", code, stderr, tc.wantErr)
			}
		})
	}
}

func TestRedactCLIFlags(t *testing.T) {
	if code, stdout, _ := runRedactCLI(t, "", "-h"); code != 0 || !strings.Contains(stdout, "--mode") ||
		!strings.Contains(stdout, "-c, --config FILE") {
		t.Errorf("-h: exit %d, usage %q", code, stdout)
	}
	if code, _, stderr := runRedactCLI(t, "", "--mode", "erase"); code != 2 || !strings.Contains(stderr, "erase") {
		t.Errorf("bad mode: exit %d, stderr %q", code, stderr)
	}
	if code, _, _ := runRedactCLI(t, "", "extra"); code != 2 {
		t.Errorf("extra argument: exit %d, want 2", code)
	}
}

func TestRedactCLIPatientKey(t *testing.T) {
	t.Setenv("DEID_SECRET", strings.Repeat("s", 40))
	in := `{"id":"1","text":"Seen 3/4/2019.","patient_id":"P1"}
{"id":"2","text":"Seen 3/4/2019.","patient_id":"P1"}
{"id":"3","text":"Seen 3/4/2019.","patient_id":"P2"}
`
	code, out, stderr := runRedactCLI(t, in, "--mode", "surrogate")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var texts []string
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		var r struct{ Text string }
		if err := json.Unmarshal([]byte(l), &r); err != nil {
			t.Fatal(err)
		}
		texts = append(texts, r.Text)
	}
	if len(texts) != 3 || texts[0] != texts[1] || texts[0] == texts[2] || texts[0] == "Seen 3/4/2019." {
		t.Errorf("one patient must get one shift, another patient another: %q", texts)
	}
}
