package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const minimal = "topics:\n  input: [raw]\n"

// carryPrivacy is a privacy section whose carry keys follow.
const carryPrivacy = "privacy:\n  quasi_identifiers: [{name: age, kind: numeric}]\n  carry:\n"

func TestParseAppliesDefaultsAndInterpolates(t *testing.T) {
	t.Setenv("DEID_TEST_BROKER", "10.1.2.3:9092")
	t.Setenv("DEID_TEST_PAR", "6")
	cfg, err := Parse("c.yaml", []byte(minimal+`
kafka:
  brokers: ["${DEID_TEST_BROKER}", "${DEID_TEST_UNSET:127.0.0.1:9093}"]
worker:
  parallelism: ${DEID_TEST_PAR}
window:
  max_wait: 2s
`))
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.Kafka.Brokers; len(got) != 2 || got[0] != "10.1.2.3:9092" || got[1] != "127.0.0.1:9093" {
		t.Errorf("brokers %v", got)
	}
	if cfg.Worker.Parallelism != 6 {
		t.Errorf("parallelism %d, want 6 from the environment", cfg.Worker.Parallelism)
	}
	if cfg.Window.MaxWait != 2*time.Second || cfg.Window.MaxRecords != 10000 {
		t.Errorf("window %+v: want max_wait 2s and the default max_records", cfg.Window)
	}
	if cfg.Topics.Placeholders != "deid.placeholders" || cfg.Redaction.Numbering.Scope != "patient" || cfg.Redaction.Numbering.MaxPatients != 100000 {
		t.Errorf("placeholders topic %q, numbering %+v: want the defaults", cfg.Topics.Placeholders, cfg.Redaction.Numbering)
	}
	if cfg.Topics.Research != "deid.research" {
		t.Errorf("research topic %q, want the default", cfg.Topics.Research)
	}
}

func TestParseErrorsNameFileLineAndKey(t *testing.T) {
	for _, tc := range []struct {
		name, yaml string
		want       []string
	}{
		{"unknown key", minimal + "window:\n  max_recods: 5\n", []string{"c.yaml:4", "window.max_recods", "unknown key", "max_records"}},
		{"unknown nested key", minimal + "kafka:\n  sasl:\n    mech: PLAIN\n", []string{"c.yaml:5", "kafka.sasl.mech"}},
		{"unset env", minimal + "kafka:\n  sasl:\n    password: ${DEID_TEST_NOPE}\n", []string{"c.yaml:5", "kafka.sasl.password", "DEID_TEST_NOPE"}},
		{"bad type", minimal + "window:\n  max_records: many\n", []string{"c.yaml", "line 4"}},
		{"no input", "window:\n  max_records: 5\n", []string{"topics.input"}},
		{"bad sasl", minimal + "kafka:\n  sasl:\n    mechanism: GSSAPI\n", []string{"kafka.sasl.mechanism", "GSSAPI"}},
		{"same topic twice", minimal + "topics:\n  input: [raw]\n  audit: raw\n", []string{"topics"}},
		{"window outlives txn", minimal + "window:\n  max_wait: 90s\n", []string{"window.max_wait", "transaction_timeout"}},
		{"bad json type", minimal + "input:\n  types: {age: int}\n", []string{"input.types.age"}},
		{"detect mode", minimal + "redaction:\n  modes: {NAME: detect}\n", []string{"redaction.modes.NAME", "PHI"}},
		{"record over message", minimal + "input:\n  max_record_bytes: 1048576\n", []string{"input.max_record_bytes"}},
		{"placeholders is the budget", "topics:\n  input: [raw]\n  placeholders: deid.budget\n", []string{"topics.placeholders", "topics.budget"}},
		{"placeholder table over message", minimal + "kafka:\n  max_message_bytes: 262144\ninput:\n  max_record_bytes: 1000\n" +
			"redaction:\n  numbering:\n    max_values: 4096\n", []string{"redaction.numbering.max_values", "kafka.max_message_bytes"}},
		{"unknown numbering key", minimal + "redaction:\n  numbering:\n    max_patient: 5\n", []string{"redaction.numbering.max_patient", "max_patients"}},
		{"slash in worker id", "worker:\n  id: a/index\n" + minimal, []string{"worker.id", "'/'"}},
		{"unknown carry release", minimal + carryPrivacy + "    max_delay_windows: 3\n    release: sometimes\n", []string{"privacy", "release", "sometimes"}},
		{"negative carry delay", minimal + carryPrivacy + "    max_delay_windows: -1\n", []string{"privacy", "max_delay_windows"}},
		{"carry above ncp over 1", minimal + carryPrivacy + "    max_delay_windows: 3\n    carry_above_ncp: 2\n", []string{"privacy", "carry_above_ncp"}},
		{"carry topic is the budget", "topics:\n  input: [raw]\n  carry: deid.budget\n" + carryPrivacy + "    max_delay_windows: 3\n", []string{"topics.carry", "topics.budget"}},
		{"carry with break-glass", minimal + carryPrivacy + "    max_delay_windows: 3\nbreakglass:\n  officers: [a, b]\n  threshold: 2\n",
			[]string{"privacy.carry.max_delay_windows", "break-glass"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("c.yaml", []byte(tc.yaml))
			if err == nil {
				t.Fatal("no error")
			}
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("error %v does not wrap ErrInvalid", err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

func TestEnvValuesAreNotReparsedAsYAML(t *testing.T) {
	t.Setenv("DEID_TEST_TRICKY", "a: b\nkafka: {brokers: [evil:1]}")
	cfg, err := Parse("c.yaml", []byte(minimal+"worker:\n  id: ${DEID_TEST_TRICKY}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Worker.ID != "a: b\nkafka: {brokers: [evil:1]}" || cfg.Kafka.Brokers[0] == "evil:1" {
		t.Errorf("environment value changed the document's structure: id %q brokers %v", cfg.Worker.ID, cfg.Kafka.Brokers)
	}
}

func TestLoadSectionsLeavesOtherSectionsAlone(t *testing.T) {
	path := t.TempDir() + "/c.yaml"
	doc := minimal + "kafka:\n  brokers: [\"${DEID_TEST_B:10.0.0.1:9092}\"]\nredaction:\n  secret: ${DEID_TEST_UNSET_SECRET}\nworker:\n  parallelism: ${DEID_TEST_UNSET_PAR}\n"
	if err := os.WriteFile(path, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := LoadSections(path, "kafka")
	if err != nil {
		t.Fatalf("a section the command does not use stopped it: %v", err)
	}
	if cfg.Kafka.Brokers[0] != "10.0.0.1:9092" {
		t.Errorf("kafka section not interpolated: %v", cfg.Kafka.Brokers)
	}
	if _, err := LoadSections(path, "redaction"); err == nil || !strings.Contains(err.Error(), "DEID_TEST_UNSET_SECRET") {
		t.Errorf("the named section's unset variable was not reported: %v", err)
	}
	if err := os.WriteFile(path, []byte(doc+"kafak: {}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadSections(path, "kafka"); err == nil || !strings.Contains(err.Error(), "kafak") {
		t.Errorf("an unknown key outside the named sections was not reported: %v", err)
	}
}

// TestWarningsNameInsecureSettings: PLAIN without TLS and secrets written in the file are named
// with their line; the same settings from the environment over TLS are not.
func TestWarningsNameInsecureSettings(t *testing.T) {
	t.Setenv("DEID_TEST_PW", "hunter2hunter2")
	dir := t.TempDir()
	load := func(kafka string) []string {
		t.Helper()
		path := filepath.Join(dir, "c.yaml")
		if err := os.WriteFile(path, []byte(minimal+kafka), 0o600); err != nil {
			t.Fatal(err)
		}
		cfg, err := Load(path)
		if err != nil {
			t.Fatal(err)
		}
		return cfg.Warnings()
	}
	w := load("kafka:\n  sasl: {mechanism: PLAIN, username: u, password: hunter2hunter2}\n")
	if len(w) != 2 || !strings.Contains(w[0], "c.yaml:4: kafka.sasl.mechanism: PLAIN without kafka.tls.enabled") ||
		!strings.Contains(w[1], "kafka.sasl.password: the secret is written in the config file") {
		t.Errorf("Warnings() = %q, want PLAIN without TLS and the literal password, with lines", w)
	}
	for _, s := range w {
		if strings.Contains(s, "hunter2") {
			t.Errorf("warning %q holds the secret", s)
		}
	}
	if w := load("kafka:\n  tls: {enabled: true}\n  sasl: {mechanism: PLAIN, username: u, password: \"${DEID_TEST_PW}\"}\n"); len(w) != 0 {
		t.Errorf("Warnings() = %q, want none for PLAIN over TLS with the password from the environment", w)
	}
}

// Load resolves the roles' key files like keys.*, so a security officer
// listed with the research key is caught however the paths are written.
func TestLoadRejectsBrokenSeparationOfDuties(t *testing.T) {
	dir := t.TempDir()
	write := func(roles string) string {
		p := filepath.Join(dir, "c.yaml")
		body := minimal + "keys:\n  research: [keys/research.pub]\n  quarantine: [keys/security.pub]\nroles:\n" + roles
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	ok := "  worker: {principals: [User:w]}\n  researcher: {principals: [User:r], recipients: [keys/research.pub]}\n" +
		"  security_officer: {principals: [User:s], recipients: [./keys/security.pub]}\n"
	cfg, err := Load(write(ok))
	if err != nil {
		t.Fatalf("least-privilege roles rejected: %v", err)
	}
	if got := cfg.Roles.Researcher.Recipients[0]; got != filepath.Join(dir, "keys/research.pub") {
		t.Errorf("researcher recipient %q, want it resolved against the config's folder", got)
	}
	_, err = Load(write("  worker: {principals: [User:w]}\n  security_officer: {principals: [User:s], recipients: [keys/security.pub, ./keys/research.pub]}\n"))
	if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "roles.security_officer.recipients[1]") ||
		!strings.Contains(err.Error(), "User:s is security_officer: it may read raw PHI") {
		t.Errorf("security officer holding the research key: error %v, want both violations named", err)
	}
	_, err = Load(write("  researcher: {principals: [User:r]}\n"))
	if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "roles.worker.principals") {
		t.Errorf("roles without the worker: error %v, want roles.worker.principals named", err)
	}
}

// TestCarryTurnsOnItsTopic: privacy.carry with a delay uses topics.carry
// (default deid.carry), and the worker role is granted it.
func TestCarryTurnsOnItsTopic(t *testing.T) {
	cfg, err := Parse("c.yaml", []byte(minimal+carryPrivacy+"    max_delay_windows: 3\n"))
	if err != nil {
		t.Fatal(err)
	}
	if !cfg.CarryEnabled() || cfg.Privacy.Carry.MaxDelay != 3 || cfg.Topics.Carry != "deid.carry" {
		t.Fatalf("carry enabled %v, %+v, topic %q", cfg.CarryEnabled(), cfg.Privacy.Carry, cfg.Topics.Carry)
	}
	if r := cfg.AccessResources(); r.Carry != "deid.carry" {
		t.Errorf("access resources name carry topic %q, want deid.carry", r.Carry)
	}
	off, err := Parse("c.yaml", []byte(minimal+carryPrivacy+"    max_delay_windows: 0\n"))
	if err != nil || off.CarryEnabled() || off.AccessResources().Carry != "" {
		t.Errorf("delay 0: %v, carry enabled %v; want off, no carry topic granted", err, off.CarryEnabled())
	}
}
