package dp

import (
	"reflect"
	"strings"
	"testing"
)

// TestSpecsCoverConfig keeps Specs in step with Config's yaml keys.
func TestSpecsCoverConfig(t *testing.T) {
	names := map[string]bool{}
	for _, s := range Specs() {
		names[s.Name] = true
		if s.Description == "" || s.Default == "" {
			t.Errorf("spec %q lacks a default or description", s.Name)
		}
	}
	typ := reflect.TypeFor[Config]()
	for i := range typ.NumField() {
		key := strings.Split(typ.Field(i).Tag.Get("yaml"), ",")[0]
		if !names[key] {
			t.Errorf("Config key %q has no Spec", key)
		}
	}
}
