// Package testenv is the one rule every test uses to decide whether it runs in
// CI: there, a missing prerequisite (a broker, Java, pyarrow, test data) fails
// the test instead of skipping it, because in CI a test that silently skips is
// a test that silently stopped running.
package testenv

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

// EnvCI is the variable CI systems set ("true" on most, "1" on some).
const EnvCI = "CI"

// InCI reports whether CI is set to a truthy value: 1, t, true, y, yes, on, in
// any case. Anything else, including unset and "false", is not CI.
func InCI() bool {
	switch strings.ToLower(strings.TrimSpace(os.Getenv(EnvCI))) {
	case "1", "t", "true", "y", "yes", "on":
		return true
	}
	return false
}

// Unavailable skips the test, or fails it when InCI, explaining what is
// missing and how to provide it.
func Unavailable(t testing.TB, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if InCI() {
		t.Fatalf("%s, and %s=%s: tests must not skip in CI", msg, EnvCI, os.Getenv(EnvCI))
	}
	t.Skip(msg)
}
