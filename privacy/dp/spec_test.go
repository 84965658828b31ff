package dp

import (
	"reflect"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.yaml.in/yaml/v3"
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

func TestConfigYAML(t *testing.T) {
	const doc = `
dataset: adult
accounting: pure
budget: 3
per_release: 0.5
count: true
group_by: [sex, "sex,race"]
sums:
  - {column: age, lower: 17, upper: 90}
record_noise:
  - {column: hours, lower: 0, upper: 99.5, epsilon: 1}
`
	var c Config
	dec := yaml.NewDecoder(strings.NewReader(doc))
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil {
		t.Fatal(err)
	}
	want := Config{
		Dataset: "adult", Accounting: Pure, Budget: 3, PerRelease: 0.5, Count: true,
		GroupBy:     []string{"sex", "sex,race"},
		Sums:        []Bounded{{Column: "age", Lower: 17, Upper: 90}},
		RecordNoise: []RecordNoise{{Column: "hours", Lower: 0, Upper: 99.5, Epsilon: 1}},
	}
	if diff := cmp.Diff(want, c); diff != "" {
		t.Errorf("decoded config (-want +got):\n%s", diff)
	}
	if err := c.Validate(); err != nil {
		t.Error(err)
	}
}
