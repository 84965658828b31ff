// Package deploy holds the files a user runs the worker with; this test checks
// docker-compose.yml's structure, since no container engine runs where the
// tests do (the stack itself is untested here).
package deploy

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

type composeFile struct {
	Services map[string]service `yaml:"services"`
	Volumes  map[string]any     `yaml:"volumes"`
}

type service struct {
	Image       string                       `yaml:"image"`
	Build       any                          `yaml:"build"`
	Restart     string                       `yaml:"restart"`
	User        string                       `yaml:"user"`
	Entrypoint  []string                     `yaml:"entrypoint"`
	Command     []string                     `yaml:"command"`
	Environment map[string]string            `yaml:"environment"`
	Ports       []string                     `yaml:"ports"`
	Volumes     []string                     `yaml:"volumes"`
	DependsOn   map[string]map[string]string `yaml:"depends_on"`
	Healthcheck *struct {
		Test        []string `yaml:"test"`
		Interval    string   `yaml:"interval"`
		Timeout     string   `yaml:"timeout"`
		Retries     int      `yaml:"retries"`
		StartPeriod string   `yaml:"start_period"`
	} `yaml:"healthcheck"`
}

func loadCompose(t *testing.T) composeFile {
	t.Helper()
	b, err := os.ReadFile("../docker-compose.yml")
	if err != nil {
		t.Fatal(err)
	}
	var c composeFile
	dec := yaml.NewDecoder(strings.NewReader(string(b)))
	dec.KnownFields(true) // a key this test does not know is a key it does not check
	if err := dec.Decode(&c); err != nil {
		t.Fatalf("parsing docker-compose.yml: %v", err)
	}
	return c
}

func TestComposeStructure(t *testing.T) {
	c := loadCompose(t)
	oneShot := map[string]bool{"topics": true, "keys": true}
	for _, name := range []string{"kafka", "topics", "keys", "worker", "prometheus", "grafana"} {
		s, ok := c.Services[name]
		if !ok {
			t.Fatalf("no %s service", name)
		}
		if oneShot[name] {
			if s.Restart != "no" {
				t.Errorf("%s runs once: restart %q, want \"no\"", name, s.Restart)
			}
			continue
		}
		if s.Restart != "unless-stopped" {
			t.Errorf("%s: restart %q, want unless-stopped", name, s.Restart)
		}
		if s.Healthcheck == nil || len(s.Healthcheck.Test) < 2 || s.Healthcheck.Test[0] != "CMD" {
			t.Errorf("%s: no CMD healthcheck", name)
		}
		for _, p := range s.Ports {
			if !strings.HasPrefix(p, "127.0.0.1:") {
				t.Errorf("%s publishes %q beyond 127.0.0.1", name, p)
			}
		}
	}

	w := c.Services["worker"]
	for dep, cond := range map[string]string{"kafka": "service_healthy", "topics": "service_completed_successfully",
		"keys": "service_completed_successfully"} {
		if w.DependsOn[dep]["condition"] != cond {
			t.Errorf("worker depends on %s with %q, want %s", dep, w.DependsOn[dep]["condition"], cond)
		}
	}
	// The distroless image has no shell: the healthcheck runs the worker binary's own command.
	if hc := w.Healthcheck.Test; len(hc) < 3 || hc[1] != "/worker" || hc[2] != "healthcheck" {
		t.Errorf("worker healthcheck %v: want the worker's healthcheck command", hc)
	}
	if !slices.Contains(w.Command, "-c") || !slices.Contains(w.Volumes, "./deploy/config.yaml:/etc/deidstream/config.yaml:ro") {
		t.Errorf("worker does not run with deploy/config.yaml: command %v volumes %v", w.Command, w.Volumes)
	}
	if !strings.Contains(w.Environment["DEID_SECRET"], ":?") {
		t.Errorf("worker starts without DEID_SECRET: %q", w.Environment["DEID_SECRET"])
	}

	// Keys reach the worker through a volume the keys service chowns to distroless nonroot.
	k := c.Services["keys"]
	if !slices.Contains(w.Volumes, "worker-keys:/etc/deidstream/keys:ro") || !slices.Contains(k.Volumes, "worker-keys:/keys") ||
		!slices.Contains(k.Volumes, "./keys:/host-keys:ro") {
		t.Errorf("keys volume not shared: keys %v, worker %v", k.Volumes, w.Volumes)
	}
	script := strings.Join(k.Command, " ")
	for _, want := range []string{"chown 65532:65532", "chmod 0400 /keys/audit.key", "research.pub", "security.pub"} {
		if !strings.Contains(script, want) {
			t.Errorf("keys service does not %q: %s", want, script)
		}
	}
	if _, ok := c.Volumes["worker-keys"]; !ok {
		t.Error("volume worker-keys is not declared")
	}

	// Kafka: a host listener on 127.0.0.1 that is both published and advertised.
	env := c.Services["kafka"].Environment
	m := regexp.MustCompile(`HOST://127\.0\.0\.1:(\d+)`).FindStringSubmatch(env["KAFKA_ADVERTISED_LISTENERS"])
	if m == nil {
		t.Fatalf("kafka advertises no 127.0.0.1 listener: %q", env["KAFKA_ADVERTISED_LISTENERS"])
	}
	if !slices.Contains(c.Services["kafka"].Ports, "127.0.0.1:"+m[1]+":"+m[1]) || !strings.Contains(env["KAFKA_LISTENERS"], "HOST://:"+m[1]) {
		t.Errorf("host listener %s is advertised but not listened on and published: %q %v", m[1], env["KAFKA_LISTENERS"], c.Services["kafka"].Ports)
	}
}

// TestComposeCreatesTheInputTopics: the topics service creates every input
// topic of the config the worker runs with.
func TestComposeCreatesTheInputTopics(t *testing.T) {
	c := loadCompose(t)
	b, err := os.ReadFile("config.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var cfg struct {
		Topics struct {
			Input []string `yaml:"input"`
		} `yaml:"topics"`
		Ops struct {
			Listen string `yaml:"listen"`
		} `yaml:"ops"`
	}
	if err := yaml.Unmarshal(b, &cfg); err != nil {
		t.Fatal(err)
	}
	args := strings.Join(c.Services["topics"].Command, " ")
	for _, in := range cfg.Topics.Input {
		if !strings.Contains(args, "--topic "+in) || !strings.Contains(args, "--create") {
			t.Errorf("topics service does not create input topic %s: %s", in, args)
		}
	}
	// The worker's healthcheck asks the port its ops endpoint listens on.
	_, port, _ := strings.Cut(cfg.Ops.Listen, ":")
	if hc := strings.Join(c.Services["worker"].Healthcheck.Test, " "); !strings.Contains(hc, "127.0.0.1:"+port+"/") {
		t.Errorf("worker healthcheck %q does not ask ops.listen %q", hc, cfg.Ops.Listen)
	}
}

// TestGitignoreKeepsSecretsOut: the files README.md has a user make (keys/,
// config.yaml) cannot be committed by accident.
func TestGitignoreKeepsSecretsOut(t *testing.T) {
	b, err := os.ReadFile("../.gitignore")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(b), "\n")
	for _, want := range []string{"/keys/", "/config.yaml", "*.key"} {
		if !slices.Contains(lines, want) {
			t.Errorf(".gitignore lacks %q", want)
		}
	}
}
