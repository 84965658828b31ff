package config

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
)

// ErrInvalid marks a config that cannot be used; the message names file, line, key and why.
var ErrInvalid = errors.New("invalid config")

// Load reads, interpolates, checks and validates a config file.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading config: %w", err)
	}
	cfg, err := parse(path, data)
	if err != nil {
		return nil, err
	}
	cfg.recordLines(path, data)
	cfg.resolvePaths(filepath.Dir(path))
	return cfg, validate(path, cfg)
}

// LoadSections reads a config file for a command that uses only the named
// top-level sections (worker detect, redact, decrypt, audit): unknown keys are
// rejected everywhere, but ${ENV} is interpolated only in those sections, so an
// auditor reading the kafka section needs no DEID_SECRET; nothing is
// validated, the caller validates what it uses.
func LoadSections(path string, sections ...string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading config: %w", err)
	}
	cfg := Defaults()
	if err := decodeStrict(path, data, &cfg, sections...); err != nil {
		return nil, err
	}
	cfg.recordLines(path, data)
	cfg.resolvePaths(filepath.Dir(path))
	return &cfg, nil
}

// Parse is Load on bytes, with paths taken as they are; name is used in messages.
func Parse(name string, data []byte) (*Config, error) {
	cfg, err := parse(name, data)
	if err != nil {
		return nil, err
	}
	return cfg, validate(name, cfg)
}

func parse(name string, data []byte) (*Config, error) {
	cfg := Defaults()
	if err := decodeStrict(name, data, &cfg); err != nil {
		return nil, err
	}
	return &cfg, nil
}

func validate(name string, cfg *Config) error {
	if err := cfg.Validate(); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

// decodeStrict interpolates ${ENV} in scalar values (of the named top-level
// sections only, when any are named), rejects keys that out has no field for,
// and decodes over out's current (default) values.
func decodeStrict(name string, data []byte, out any, sections ...string) error {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return fmt.Errorf("%s: parsing YAML: %v: %w", name, err, ErrInvalid)
	}
	if len(doc.Content) == 0 {
		return nil // empty file: all defaults
	}
	root := doc.Content[0]
	if len(sections) == 0 {
		if err := interpolate(name, root, ""); err != nil {
			return err
		}
	}
	if err := checkKeys(name, root, reflect.TypeOf(out).Elem(), ""); err != nil {
		return err
	}
	if len(sections) > 0 && root.Kind == yaml.MappingNode {
		// Keep only the named sections: the others keep their defaults and are
		// neither interpolated nor decoded.
		var kept []*yaml.Node
		for i := 0; i+1 < len(root.Content); i += 2 {
			if key := root.Content[i].Value; slices.Contains(sections, key) {
				if err := interpolate(name, root.Content[i+1], key); err != nil {
					return err
				}
				kept = append(kept, root.Content[i], root.Content[i+1])
			}
		}
		root.Content = kept
	}
	// Re-encode the interpolated tree so the strict decoder sees final values.
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	if err := enc.Encode(root); err != nil {
		return fmt.Errorf("%s: re-encoding YAML: %w", name, err)
	}
	dec := yaml.NewDecoder(&buf)
	dec.KnownFields(true)
	if err := dec.Decode(out); err != nil {
		return fmt.Errorf("%s: %v: %w", name, err, ErrInvalid)
	}
	return nil
}

var envRef = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)(?::([^}]*))?\}`)

// interpolate replaces ${VAR} and ${VAR:default} in every scalar. An unset
// variable without a default is an error naming the key, never its value.
func interpolate(name string, n *yaml.Node, path string) error {
	switch n.Kind {
	case yaml.ScalarNode:
		if !strings.Contains(n.Value, "${") {
			return nil
		}
		var missing string
		n.Value = envRef.ReplaceAllStringFunc(n.Value, func(m string) string {
			sub := envRef.FindStringSubmatch(m)
			if v, ok := os.LookupEnv(sub[1]); ok {
				return v
			}
			if strings.Contains(m, ":") {
				return sub[2]
			}
			missing = sub[1]
			return ""
		})
		if missing != "" {
			return fmt.Errorf("%s:%d: %s: environment variable %s is not set and has no ${%s:default}: %w",
				name, n.Line, path, missing, missing, ErrInvalid)
		}
		n.Tag = "" // let the decoder re-resolve "8" as an int after substitution
		n.Style = 0
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			if err := interpolate(name, n.Content[i+1], join(path, n.Content[i].Value)); err != nil {
				return err
			}
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			if err := interpolate(name, c, fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkKeys walks the YAML tree beside the Go type and reports the first key
// that has no field, with its line and full path.
func checkKeys(name string, n *yaml.Node, t reflect.Type, path string) error {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case n.Kind == yaml.MappingNode && t.Kind() == reflect.Struct:
		fields := yamlFields(t)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			ft, ok := fields[k.Value]
			if !ok {
				return fmt.Errorf("%s:%d: %s: unknown key (known keys: %s): %w",
					name, k.Line, join(path, k.Value), strings.Join(sortedKeys(fields), ", "), ErrInvalid)
			}
			if err := checkKeys(name, n.Content[i+1], ft, join(path, k.Value)); err != nil {
				return err
			}
		}
	case n.Kind == yaml.MappingNode && t.Kind() == reflect.Map:
		for i := 0; i+1 < len(n.Content); i += 2 {
			if err := checkKeys(name, n.Content[i+1], t.Elem(), join(path, n.Content[i].Value)); err != nil {
				return err
			}
		}
	case n.Kind == yaml.SequenceNode && (t.Kind() == reflect.Slice || t.Kind() == reflect.Array):
		for i, c := range n.Content {
			if err := checkKeys(name, c, t.Elem(), fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
	}
	return nil // type mismatches are reported by the decoder with their line
}

func yamlFields(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("yaml")
		key, opts, _ := strings.Cut(tag, ",")
		if key == "-" || !f.IsExported() {
			continue
		}
		if strings.Contains(opts, "inline") {
			for k, v := range yamlFields(f.Type) {
				out[k] = v
			}
			continue
		}
		if key == "" {
			key = strings.ToLower(f.Name)
		}
		out[key] = f.Type
	}
	return out
}

func sortedKeys(m map[string]reflect.Type) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

//go:embed demo.yaml
var demoYAML []byte

// Demo returns the demo's config: the example policy on the records of
// `worker gen`, used by `worker demo`, the integration tests and benchmarks.
// It has no secret and no keys: callers supply them.
func Demo() (*Config, error) { return Parse("demo.yaml", demoYAML) }
