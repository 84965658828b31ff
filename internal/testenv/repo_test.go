package testenv

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// outsidePaths are the spellings of the workspace's shared folder: a test or
// script that reads one passes here and fails on a fresh clone.
var outsidePaths = []string{"../shared", "/work/shared"}

// readOnlyByBenchmarks are files that name an outside path for a benchmark
// corpus that no Test function reads; each must be removed from this list
// once the file stops naming it.
var readOnlyByBenchmarks = map[string]bool{}

// TestNothingReadsOutsideRepo: tests and the scripts CI runs carry their data
// inside the repository.
func TestNothingReadsOutsideRepo(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("finding the repository root from %s: %v", root, err)
	}
	checked := 0
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if rel == ".git" || rel == ".cache" || strings.HasSuffix(rel, "/testdata") {
				return filepath.SkipDir
			}
			return nil
		}
		isTest := strings.HasSuffix(rel, "_test.go")
		isScript := strings.HasPrefix(rel, "scripts/") || strings.HasPrefix(rel, ".ci/") || rel == "deploy/kafka/kafka.sh"
		if !isTest && !isScript {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		checked++
		if readOnlyByBenchmarks[rel] || rel == "internal/testenv/repo_test.go" {
			return nil
		}
		for i, line := range strings.Split(string(b), "\n") {
			if trimmed := strings.TrimSpace(line); strings.HasPrefix(trimmed, "//") || strings.HasPrefix(trimmed, "#") {
				continue // a comment may credit where a tool or data came from
			}
			for _, p := range outsidePaths {
				if strings.Contains(line, p) {
					t.Errorf("%s:%d names %s, outside the repository: copy the data under testdata/ (with its licence)", rel, i+1, p)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("walking the repository: %v", err)
	}
	if checked < 50 {
		t.Fatalf("checked only %d files: the walk did not see the repository", checked)
	}
}
