package redact

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/deidstream/deidstream/detectors"
)

func TestValidate(t *testing.T) {
	tests := []struct {
		name    string
		edit    func(*Config)
		wantErr error
		wantKey string // must appear in the message
	}{
		{"defaults with hex secret", func(*Config) {}, nil, ""},
		{"raw 32-byte secret", func(c *Config) { c.Secret = strings.Repeat("k", 32) }, nil, ""},
		{"zero values take defaults", func(c *Config) { *c = Config{Secret: testSecret} }, nil, ""},
		{"missing secret", func(c *Config) { c.Secret = "" }, ErrWeakSecret, "secret"},
		{"short secret", func(c *Config) { c.Secret = "short" }, ErrWeakSecret, "secret"},
		{"unexpanded env", func(c *Config) { c.Secret = "${DEID_SECRET}" }, ErrSecretEnv, "DEID_SECRET"},
		{"64 hex zeros", func(c *Config) { c.Secret = strings.Repeat("0", 64) }, ErrWeakSecret, "all zero"},
		{"128 hex zeros", func(c *Config) { c.Secret = strings.Repeat("00", 64) }, ErrWeakSecret, "all zero"},
		{"raw zeros", func(c *Config) { c.Secret = strings.Repeat("0", 33) }, ErrWeakSecret, "all zeros"},
		{"64 characters, not hex", func(c *Config) { c.Secret = strings.Repeat("ab", 8) + "g" + strings.Repeat("c", 47) }, ErrWeakSecret, "character 17 is not hex"},
		{"placeholder of hex length", func(c *Config) { c.Secret = strings.Repeat("changeme", 8) }, ErrWeakSecret, "not hex"},
		{"raw secret with punctuation", func(c *Config) { c.Secret = strings.Repeat("k-", 32) }, nil, ""},
		{"bad default_mode", func(c *Config) { c.DefaultMode = "erase" }, ErrUnknownMode, "default_mode"},
		{"bad mode", func(c *Config) { c.Modes = map[detectors.Type]Mode{detectors.SSN: "x"} }, ErrUnknownMode, "modes[SSN]"},
		{"bad type", func(c *Config) { c.Modes = map[detectors.Type]Mode{"PET": ModeRedact} }, ErrUnknownType, "modes[PET]"},
		{"bad default_action", func(c *Config) { c.DefaultAction = ActionKeep }, ErrUnknownAction, "default_action"},
		{"empty field name", func(c *Config) { c.Fields = []FieldPolicy{{Name: " ", Action: ActionKeep}} }, ErrBadField, "fields[0]"},
		{"duplicate field", func(c *Config) {
			c.Fields = []FieldPolicy{{Name: "a", Action: ActionKeep, Values: []string{"x"}}, {Name: "a", Action: ActionDrop}}
		}, ErrBadField, "fields[1] a"},
		{"bad action", func(c *Config) { c.Fields = []FieldPolicy{{Name: "zip", Action: "zip5"}} }, ErrUnknownAction, "fields[0] zip"},
		{"bad shift", func(c *Config) { c.MaxShiftDays = -3 }, ErrBadShift, "max_shift_days"},
		{"bad method", func(c *Config) { c.Method = "hipaa" }, ErrUnknownMethod, "method"},
		{"date_shift under safe harbor", func(c *Config) {
			c.Fields = []FieldPolicy{{Name: "admit", Action: ActionDateShift}}
		}, ErrNotSafeHarbor, "fields[0] admit"},
		{"date_shift when chosen", func(c *Config) {
			c.Method, c.Fields = MethodDateShifting, []FieldPolicy{{Name: "admit", Action: ActionDateShift}}
		}, nil, ""},
		{"surrogate dates under safe harbor", func(c *Config) { c.DefaultMode = ModeSurrogate }, ErrNotSafeHarbor, "modes[DATE]"},
		{"surrogate with redacted dates", func(c *Config) {
			c.DefaultMode, c.Modes = ModeSurrogate, map[detectors.Type]Mode{detectors.Date: ModeRedact}
		}, nil, ""},
		{"surrogate DATE under safe harbor", func(c *Config) { c.Modes = map[detectors.Type]Mode{detectors.Date: ModeSurrogate} }, ErrNotSafeHarbor, "modes[DATE]"},
		{"keep without a domain", func(c *Config) { c.Fields = []FieldPolicy{{Name: "state", Action: ActionKeep}} }, ErrBadField, "fields[0] state: a keep field"},
		{"keep with a bad pattern", func(c *Config) {
			c.Fields = []FieldPolicy{{Name: "state", Action: ActionKeep, Pattern: "[A-Z"}}
		}, ErrBadField, "fields[0] state: compiling pattern"},
		{"keep with an unknown code system", func(c *Config) {
			c.Fields = []FieldPolicy{{Name: "dx", Action: ActionKeep, CodeSystem: "icd9"}}
		}, ErrBadField, "code_system \"icd9\""},
		{"keep with min above max", func(c *Config) {
			c.Fields = []FieldPolicy{{Name: "n", Action: ActionKeep, Min: ptr(5.0), Max: ptr(1.0)}}
		}, ErrBadField, "min 5 is above max 1"},
		{"keep with a bad on_invalid", func(c *Config) {
			c.Fields = []FieldPolicy{{Name: "n", Action: ActionKeep, Values: []string{"a"}, OnInvalid: "drop"}}
		}, ErrBadField, "on_invalid"},
		{"domain on a non-keep field", func(c *Config) {
			c.Fields = []FieldPolicy{{Name: "zip", Action: ActionZip3, Pattern: "[0-9]+"}}
		}, ErrBadField, "keep fields only"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := testConfig()
			tc.edit(&c)
			err := c.Validate()
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("Validate() = %v, want %v", err, tc.wantErr)
			}
			if err != nil && !strings.Contains(err.Error(), tc.wantKey) {
				t.Errorf("error %q does not name %q", err, tc.wantKey)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

func TestValidateNeverQuotesSecret(t *testing.T) {
	c := testConfig()
	c.Secret = "tooshort-secret"
	err := c.Validate()
	if err == nil || strings.Contains(err.Error(), c.Secret) {
		t.Fatalf("Validate() = %v: want an error that does not quote the secret", err)
	}
}

func TestExpandSecret(t *testing.T) {
	env := map[string]string{"DEID_SECRET": testSecret}
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	tests := []struct {
		in, want string
		wantErr  error
	}{
		{"${DEID_SECRET}", testSecret, nil},
		{"${MISSING}", "${MISSING}", ErrSecretEnv},
		{"literal-${NOT}-expanded", "literal-${NOT}-expanded", nil},
	}
	for _, tc := range tests {
		c := Config{Secret: tc.in}
		err := ExpandSecret(&c, lookup)
		if !errors.Is(err, tc.wantErr) || c.Secret != tc.want {
			t.Errorf("ExpandSecret(%q) = %q, %v; want %q, %v", tc.in, c.Secret, err, tc.want, tc.wantErr)
		}
	}
}

func TestConfigYAML(t *testing.T) {
	doc := `
secret: ` + testSecret + `
patient_field: mrn
default_mode: surrogate
modes: {SSN: reject, DATE: hash}
default_action: drop
max_shift_days: 30
fields:
  - {name: patient_id, action: hash}
  - {name: note, action: scan}
  - {name: birth_date, action: date_year}
  - {name: zip, action: zip3}
  - {name: age, action: age}
  - {name: sex, action: keep, values: [F, M, X]}
  - {name: ssn, action: drop}
`
	var c Config
	dec := yaml.NewDecoder(bytes.NewReader([]byte(doc)))
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil {
		t.Fatalf("decoding: %v", err)
	}
	if err := c.Validate(); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	if c.Modes[detectors.SSN] != ModeReject || c.DefaultMode != ModeSurrogate || c.PatientField != "mrn" ||
		len(c.Fields) != 7 || c.Fields[3].Action != ActionZip3 || c.MaxShiftDays != 30 {
		t.Errorf("decoded %+v", c)
	}
	p, err := NewProcessor(c, fakeDetector{})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"patient_id", "note", "birth_date", "zip", "age", "sex"}
	if got := p.Columns(); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("Columns() = %v, want %v", got, want)
	}
}

func TestNewProcessorErrors(t *testing.T) {
	if _, err := NewProcessor(testConfig(), nil); !errors.Is(err, ErrNoDetector) {
		t.Errorf("nil detector: %v, want ErrNoDetector", err)
	}
	if _, err := NewProcessor(Config{}, fakeDetector{}); !errors.Is(err, ErrWeakSecret) {
		t.Errorf("no secret: %v, want ErrWeakSecret", err)
	}
}

func TestSpecsCoverConfig(t *testing.T) {
	keys := map[string]bool{}
	kinds := map[string]int{}
	for _, s := range Specs() {
		kinds[s.Kind]++
		switch s.Kind {
		case "key":
			keys[s.Name] = true
		case "mode":
			if !Mode(s.Name).valid() {
				t.Errorf("spec lists unknown mode %q", s.Name)
			}
		case "action":
			if !Action(s.Name).valid() {
				t.Errorf("spec lists unknown action %q", s.Name)
			}
		default:
			t.Errorf("spec %q has kind %q", s.Name, s.Kind)
		}
	}
	if kinds["mode"] != 5 || kinds["action"] != 9 {
		t.Errorf("specs list %d modes and %d actions, want 5 and 9", kinds["mode"], kinds["action"])
	}
	// Every yaml key of Config has a spec.
	out, err := yaml.Marshal(testConfig())
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := yaml.Unmarshal(out, &m); err != nil {
		t.Fatal(err)
	}
	for k, v := range m {
		sub, nested := v.(map[string]any)
		if !nested || k == "modes" {
			if !keys[k] {
				t.Errorf("config key %q has no spec", k)
			}
			continue
		}
		for sk := range sub {
			if !keys[k+"."+sk] {
				t.Errorf("config key %s.%s has no spec", k, sk)
			}
		}
	}
}

func TestConfigNeverPrintsSecret(t *testing.T) {
	c := testConfig()
	var buf bytes.Buffer
	slog.New(slog.NewTextHandler(&buf, nil)).Info("config", "redaction", c)
	for name, out := range map[string]string{"slog": buf.String(), "%v": fmt.Sprintf("%v", c), "%+v": fmt.Sprintf("%+v", c)} {
		if strings.Contains(out, testSecret) || !strings.Contains(out, "[redacted]") {
			t.Errorf("%s output exposes the secret or lacks the marker: %s", name, out)
		}
	}
}
