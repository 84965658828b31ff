package main

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// helpInvocations is every command and subcommand's -h.
func helpInvocations() [][]string {
	var out [][]string
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	groups := map[string][]string{"keys": {"gen"}, "audit": {"keygen", "export", "verify", "report"}, "dp": {"sample"},
		"acl": {"plan", "apply"}, "breakglass": {"init", "request", "approve", "open"}}
	for _, n := range names {
		out = append(out, []string{n, "-h"})
		for _, sub := range groups[n] {
			out = append(out, []string{n, sub, "-h"})
		}
	}
	return out
}

// readsConfig are the commands that take a config file: each takes -c and --config.
var readsConfig = map[string]bool{"run": true, "backfill": true, "validate": true, "detect": true, "redact": true,
	"decrypt": true, "gen": true, "audit export": true, "audit verify": true, "audit report": true,
	"acl plan": true, "acl apply": true, "breakglass init": true, "breakglass request": true, "breakglass approve": true,
	"breakglass open": true}

// TestEveryHelpIsComplete: every -h exits 0 and prints, on stdout, a usage
// line, what the command does and every flag with a placeholder, with no
// back-quote or "string"/"value" left where a placeholder belongs; a command
// that reads a config shows "-c, --config FILE".
func TestEveryHelpIsComplete(t *testing.T) {
	for _, args := range helpInvocations() {
		name := strings.Join(args[:len(args)-1], " ")
		t.Run(name, func(t *testing.T) {
			code, out, errs := runWorker(t, args...)
			if code != 0 {
				t.Fatalf("exit %d; stderr %q", code, errs)
			}
			if !strings.HasPrefix(out, "usage: worker "+name) {
				t.Errorf("help does not start with the usage line:\n%s", out)
			}
			if strings.Contains(out, "`") || strings.Contains(out, " string ") || strings.Contains(out, " value ") {
				t.Errorf("help has an unresolved placeholder:\n%s", out)
			}
			if _, group := map[string]bool{"keys": true, "audit": true, "dp": true, "acl": true, "breakglass": true}[name]; !group && !strings.Contains(out, "flags:") {
				t.Errorf("help lists no flags:\n%s", out)
			}
			if readsConfig[name] && !strings.Contains(out, "-c, --config FILE") {
				t.Errorf("reads a config but help lacks -c, --config FILE:\n%s", out)
			}
		})
	}
	// A group's help shows every subcommand's flags.
	if _, out, _ := runWorker(t, "keys", "-h"); !strings.Contains(out, "--name NAME") || !strings.Contains(out, "--out DIRECTORY") {
		t.Errorf("keys -h does not show keys gen's flags:\n%s", out)
	}
}

// TestConfigFlagForms: -c FILE, --config FILE, -config=FILE and --config=FILE
// name the same file in every form.
func TestConfigFlagForms(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "absent.yaml")
	for _, form := range [][]string{{"-c", missing}, {"--config", missing}, {"-config=" + missing}, {"--config=" + missing}, {"-c=" + missing}} {
		for _, cmd := range [][]string{{"validate"}, {"run"}, {"backfill"}, {"audit", "export"}} {
			args := append(append([]string{}, cmd...), form...)
			code, _, errs := runWorker(t, args...)
			if code == 0 || !strings.Contains(errs, "absent.yaml") {
				t.Errorf("%v: exit %d, stderr %q: want the named config to be read (and missing)", args, code, errs)
			}
		}
	}
}

// TestUsageErrors: an unknown flag or a stray argument exits 2 with the usage on stderr.
func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{{"validate", "--nope"}, {"run", "extra"}, {"gen", "--count", "-1"}, {"keys", "gen"}, {"decrypt", "--key", "k"}} {
		code, out, errs := runWorker(t, args...)
		if code != 2 || !strings.Contains(errs, "usage: worker") || out != "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q: want 2 and the usage on stderr", args, code, out, errs)
		}
	}
}

// TestReadmeCommandsParse: every `./worker ...` line of README.md names a
// command and flags the CLI accepts (checked with -h appended: parsing only).
func TestReadmeCommandsParse(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if !strings.HasPrefix(line, "./worker ") {
			continue
		}
		if i := strings.Index(line, " #"); i > 0 {
			line = line[:i]
		}
		args := strings.Fields(strings.TrimPrefix(line, "./worker "))
		if code, _, errs := runWorker(t, append(args, "-h")...); code != 0 {
			t.Errorf("README: %q: exit %d: %s", line, code, errs)
		}
		n++
	}
	if n < 8 {
		t.Errorf("found %d ./worker lines in README.md: the README changed shape", n)
	}
}
