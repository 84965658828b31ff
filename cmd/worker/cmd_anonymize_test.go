package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/deidstream/deidstream/privacy"
)

const clinicCSV = `age;sex;diagnosis;outcome
34;F;flu;recovered
36;F;asthma;admitted
35;M;flu;admitted
38;M;copd;recovered
61;F;angina;admitted
64;F;arrhythmia;recovered
66;M;angina;recovered
69;M;arrhythmia;admitted
`

const clinicHierarchy = "flu;respiratory;*\nasthma;respiratory;*\ncopd;respiratory;*\nangina;cardiac;*\narrhythmia;cardiac;*\n"

func TestAnonymizeCommand(t *testing.T) {
	dir := t.TempDir()
	in, out, rep := filepath.Join(dir, "in.csv"), filepath.Join(dir, "out.csv"), filepath.Join(dir, "report.json")
	if err := os.WriteFile(in, []byte(clinicCSV), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "clinic_hierarchy_diagnosis.csv"), []byte(clinicHierarchy), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantK    int
		wantErr  string
	}{
		{"k2", []string{"--k", "2"}, 0, 2, ""},
		{"k2 l2", []string{"--k", "2", "--l", "2"}, 0, 2, ""},
		{"k2 l2 local search", []string{"--k", "2", "--l", "2", "--local-search"}, 0, 2, ""},
		{"k4 t", []string{"--k", "4", "--t", "0.3", "--max-suppression", "0"}, 0, 4, ""},
		{"bad l-kind", []string{"--l", "2", "--l-kind", "fuzzy"}, 1, 0, "l_kind"},
		{"unsatisfiable", []string{"--k", "20"}, 1, 0, "cannot be satisfied"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stderr bytes.Buffer
			args := append([]string{"anonymize", "--in", in, "--out", out, "--qi", "age:numeric,sex,diagnosis",
				"--hierarchies", dir, "--sensitive", "outcome", "--report", rep}, tc.args...)
			code := dispatch(context.Background(), stdio{Stdin: strings.NewReader(""), Stdout: &bytes.Buffer{}, Stderr: &stderr}, args)
			if code != tc.wantCode {
				t.Fatalf("exit %d, want %d; stderr: %s", code, tc.wantCode, stderr.String())
			}
			if tc.wantCode != 0 {
				if !strings.Contains(stderr.String(), tc.wantErr) {
					t.Errorf("stderr %q does not mention %q", stderr.String(), tc.wantErr)
				}
				return
			}
			var r map[string]any
			b, err := os.ReadFile(rep)
			if err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(b, &r); err != nil {
				t.Fatal(err)
			}
			for _, key := range []string{"k", "l", "t", "classes", "suppressed", "ncp", "elapsed_ms", "discernibility", "avg_class_size"} {
				if _, ok := r[key]; !ok {
					t.Errorf("report lacks %q: %s", key, b)
				}
			}
			if int(r["k"].(float64)) < tc.wantK {
				t.Errorf("report k = %v, want >= %d", r["k"], tc.wantK)
			}
			// The output is checked by the independent verifier.
			read := func(p string) privacy.Table {
				f, err := os.Open(p)
				if err != nil {
					t.Fatal(err)
				}
				defer f.Close()
				tab, err := privacy.ReadCSV(f, ";")
				if err != nil {
					t.Fatal(err)
				}
				return tab
			}
			qis, _ := privacy.ParseQuasiIdentifiers("age:numeric,sex,diagnosis", dir)
			cfg := privacy.DefaultConfig()
			cfg.QuasiIdentifiers, cfg.Sensitive, cfg.K = qis, "outcome", tc.wantK
			if _, err := privacy.Verify(read(in), read(out), cfg); err != nil {
				t.Errorf("output fails verification: %v", err)
			}
		})
	}
}

func TestAnonymizeCommandUsage(t *testing.T) {
	var stderr bytes.Buffer
	s := stdio{Stdin: strings.NewReader(""), Stdout: &stderr, Stderr: &stderr}
	if code := dispatch(context.Background(), s, []string{"anonymize", "-h"}); code != 0 {
		t.Errorf("-h exit %d", code)
	}
	for _, flag := range []string{"-in", "-out", "-sep", "-qi", "-hierarchies", "-sensitive", "-k", "-l", "-l-kind", "-recursive-c", "-t", "-max-suppression", "-report"} {
		if !strings.Contains(stderr.String(), flag+" ") {
			t.Errorf("usage lacks %s", flag)
		}
	}
	stderr.Reset()
	if code := dispatch(context.Background(), s, []string{"anonymize", "--in", "x.csv"}); code != 2 {
		t.Errorf("missing flags: exit %d, want 2", code)
	}
}

// TestAnonymizeNamesTheSeparator: a comma-separated file read with the default
// ';' is reported as a separator problem, not as a missing column.
func TestAnonymizeNamesTheSeparator(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.csv")
	if err := os.WriteFile(in, []byte(strings.ReplaceAll(clinicCSV, ";", ",")), 0o600); err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	s := stdio{Stdin: strings.NewReader(""), Stdout: &bytes.Buffer{}, Stderr: &stderr}
	code := dispatch(context.Background(), s, []string{"anonymize", "--in", in, "--out", filepath.Join(dir, "out.csv"), "--qi", "age:numeric,sex"})
	if code != 1 || !strings.Contains(stderr.String(), `pass --sep ","`) {
		t.Errorf("exit %d, stderr %q: want 1 and advice to pass --sep \",\"", code, stderr.String())
	}
	stderr.Reset()
	code = dispatch(context.Background(), s, []string{"anonymize", "--in", in, "--sep", ",", "--out", filepath.Join(dir, "out.csv"), "--qi", "age:numeric,sex", "--k", "2"})
	if code != 0 {
		t.Errorf("with --sep ,: exit %d, stderr %q", code, stderr.String())
	}
}
