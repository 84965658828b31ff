package kafkatest

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// BrokerOptions configure a broker of a test's own (StartBroker).
type BrokerOptions struct {
	// Authorizer turns on KRaft's StandardAuthorizer: nothing is allowed
	// without an ACL, except to the super users (the plaintext listener's
	// User:ANONYMOUS and the admin SCRAM user).
	Authorizer bool
	// Users are SCRAM users made at format time, each with a random password.
	Users []string
}

// Broker is a node a test started for itself with deploy/kafka/kafka.sh, in
// a temporary instance directory on free ports, from the repository's jar
// cache and CA. It is stopped when the test ends.
type Broker struct {
	// Plaintext is the PLAINTEXT listener: User:ANONYMOUS, a super user.
	Plaintext []string
	// Admin is the SASL_SSL listener as the admin SCRAM user, a super user.
	Admin     SASLInfo
	passwords map[string]string
}

// StartBroker starts a broker of the test's own, for a test that needs
// settings the shared broker does not have (the authorizer on) or must stop
// it. Without Java, or if kafka.sh fails, the test is skipped (failed in CI).
// Starting takes 8-30 s on 2 cores.
func StartBroker(t testing.TB, opts BrokerOptions) *Broker {
	t.Helper()
	script, err := KafkaScript()
	if err != nil {
		Unavailable(t, "starting a test broker: %v", err)
	}
	if _, err := exec.LookPath("java"); err != nil {
		Unavailable(t, "starting a test broker: java is not on PATH (Kafka needs Java 17+): %v", err)
	}
	ports := freePorts(t, 3)
	dir := t.TempDir()
	env := append(os.Environ(), "KAFKA_INSTANCE_DIR="+dir, "KAFKA_PORT="+ports[0], "KAFKA_SASL_PORT="+ports[1],
		"KAFKA_CONTROLLER_PORT="+ports[2], "KAFKA_SCRAM_USERS="+strings.Join(opts.Users, " "), "KAFKA_HEAP=512m",
		"KAFKA_STOP_TIMEOUT=10")
	if opts.Authorizer {
		env = append(env, "KAFKA_AUTHORIZER=1")
	}
	run := func(timeout time.Duration, args ...string) ([]byte, error) {
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		cmd := exec.CommandContext(ctx, "bash", append([]string{script}, args...)...)
		cmd.Env = env
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		cmd.WaitDelay = 5 * time.Second
		if err := cmd.Run(); err != nil {
			return nil, fmt.Errorf("kafka.sh %s: %w\n%s", strings.Join(args, " "), err, tail(stderr.String(), 30))
		}
		return stdout.Bytes(), nil
	}
	t.Cleanup(func() {
		if _, err := run(time.Minute, "stop"); err != nil {
			t.Errorf("stopping the test broker: %v", err)
		}
	})
	out, err := run(4*time.Minute, "start")
	if err != nil {
		Unavailable(t, "starting a test broker: %v", err)
	}
	exports := map[string]string{} // start prints what `kafka.sh env` prints
	for _, line := range strings.Split(string(out), "\n") {
		if k, v, ok := strings.Cut(strings.TrimPrefix(line, "export "), "="); ok {
			exports[k] = v
		}
	}
	creds, err := readCredentials(filepath.Join(dir, "credentials"))
	if err != nil {
		t.Fatalf("reading the test broker's credentials: %v", err)
	}
	b := &Broker{Plaintext: splitList(exports[EnvBrokers]), passwords: map[string]string{}}
	b.Admin = SASLInfo{Brokers: splitList(exports[EnvSASLBrokers]), User: exports[EnvSASLUser],
		Password: exports[EnvSASLPassword], Mechanism: exports[EnvSASLMechanism], CAFile: exports[EnvCAFile]}
	for _, u := range opts.Users {
		b.passwords[u] = creds["scram."+u]
	}
	return b
}

// User returns the SASL_SSL listener's settings for one of BrokerOptions.Users.
func (b *Broker) User(t testing.TB, name string) SASLInfo {
	t.Helper()
	pw, ok := b.passwords[name]
	if !ok || pw == "" {
		t.Fatalf("the test broker has no SCRAM user %q (BrokerOptions.Users)", name)
	}
	s := b.Admin
	s.User, s.Password = name, pw
	return s
}

// freePorts asks the kernel for n free ports on 127.0.0.1. They are released
// before kafka.sh binds them; kafka.sh refuses to start if one was taken since.
func freePorts(t testing.TB, n int) []string {
	t.Helper()
	var out []string
	var ls []net.Listener
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatalf("finding a free port: %v", err)
		}
		ls = append(ls, l)
		_, port, _ := net.SplitHostPort(l.Addr().String())
		out = append(out, port)
	}
	for _, l := range ls {
		l.Close()
	}
	return out
}

// readCredentials reads kafka.sh's KEY=VALUE credentials file.
func readCredentials(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	out := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), "="); ok {
			out[k] = v
		}
	}
	return out, sc.Err()
}
