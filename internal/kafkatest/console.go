package kafkatest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// ErrNoScript is returned by KafkaScript when no deploy/kafka/kafka.sh is found above
// the working directory.
var ErrNoScript = errors.New("deploy/kafka/kafka.sh not found in this directory or any parent")

// KafkaScript returns the path of deploy/kafka/kafka.sh, searched from the working
// directory upwards (go test runs in the package's directory, inside the repository).
func KafkaScript() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("finding kafka.sh: getting working directory: %w", err)
	}
	for {
		p := filepath.Join(dir, "deploy", "kafka", "kafka.sh")
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", ErrNoScript
		}
		dir = parent
	}
}

// ConsoleConsumer runs Apache Kafka's own console consumer
// (org.apache.kafka.tools.consumer.ConsoleConsumer, through `kafka.sh console-consumer`)
// against Brokers(t) and returns what it printed on stdout. It is an interop peer that
// no one here wrote: pass --topic, --isolation-level read_committed, --from-beginning,
// --max-messages N and --timeout-ms as the test needs. The process is killed after
// timeout. Tools jars are resolved on first use (scripts/setup.sh does it ahead of time).
func ConsoleConsumer(t testing.TB, timeout time.Duration, args ...string) []byte {
	t.Helper()
	brokers := Brokers(t)
	script, err := KafkaScript()
	if err != nil {
		Unavailable(t, "running the Kafka console consumer: %v", err)
	}
	if _, err := exec.LookPath("java"); err != nil {
		Unavailable(t, "running the Kafka console consumer: java is not on PATH (Kafka's tools need Java 17+): %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmdArgs := append([]string{"console-consumer", "--bootstrap-server", strings.Join(brokers, ",")}, args...)
	cmd := exec.CommandContext(ctx, "bash", append([]string{script}, cmdArgs...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	// A killed script may leave a child holding the output pipes; do not wait for it forever.
	cmd.WaitDelay = 5 * time.Second
	if err := cmd.Run(); err != nil {
		t.Fatalf("running kafka.sh console-consumer %s: %v (after %v)\nstderr:\n%s", strings.Join(args, " "), err, timeout, tail(stderr.String(), 20))
	}
	return stdout.Bytes()
}

// tail keeps the last n lines of s: enough to see why a JVM tool failed.
func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
