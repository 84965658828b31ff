package config

import (
	"os"
	"reflect"
	"regexp"
	"testing"
)

// The example is the reference users read: it must parse, and it must show
// every key of the schema (in a value or a comment).
func TestExampleDocumentsEveryKey(t *testing.T) {
	t.Setenv("DEID_SECRET", "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff")
	data, err := os.ReadFile("example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Parse("example.yaml", data); err != nil {
		t.Fatalf("example does not parse: %v", err)
	}
	seen := map[reflect.Type]bool{}
	var walk func(reflect.Type, string)
	walk = func(ty reflect.Type, path string) {
		for ty.Kind() == reflect.Pointer || ty.Kind() == reflect.Slice || ty.Kind() == reflect.Map {
			ty = ty.Elem()
		}
		if ty.Kind() != reflect.Struct || seen[ty] {
			return
		}
		seen[ty] = true
		for key, ft := range yamlFields(ty) {
			if !regexp.MustCompile(`\b` + regexp.QuoteMeta(key) + `:`).Match(data) {
				t.Errorf("example.yaml does not show key %s", join(path, key))
			}
			walk(ft, join(path, key))
		}
	}
	walk(reflect.TypeOf(Config{}), "")
}
