package pipeline

import (
	"os/exec"
	"strings"
	"testing"
)

// TestPipelineImportsNoLibrary: the loop knows its ports, franz-go and the
// Arrow codec, never the libraries behind the ports nor the application's
// config. `go list -deps` lists every package it builds with, transitively.
func TestPipelineImportsNoLibrary(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	const mod = "github.com/deidstream/deidstream/"
	forbidden := []string{"detectors", "privacy", "redact", "envelope", "audit", "config", "internal/config", "internal/app", "stages"}
	for _, pkg := range strings.Fields(string(out)) {
		rel, ok := strings.CutPrefix(pkg, mod)
		if !ok {
			continue
		}
		for _, f := range forbidden {
			if rel == f || strings.HasPrefix(rel, f+"/") {
				t.Errorf("pipeline depends on %s", pkg)
			}
		}
	}
}
