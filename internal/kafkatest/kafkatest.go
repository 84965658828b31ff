// Package kafkatest connects integration tests to the real Apache Kafka broker that
// deploy/kafka/kafka.sh runs (scripts/test.sh starts it and exports its address).
//
// Without the broker's environment a test is skipped, so `go test ./...` works on a
// laptop with nothing running, except when CI=true: then it fails, because in CI an
// integration test that silently skips is a test that silently stopped running.
//
// All functions are safe for concurrent use by parallel tests.
package kafkatest

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sasl/scram"

	"github.com/deidstream/deidstream/internal/testenv"
)

// Environment variables read by this package; `deploy/kafka/kafka.sh env` prints them.
const (
	EnvBrokers       = "DEID_KAFKA_BROKERS"        // plaintext listener, host:port[,host:port]
	EnvSASLBrokers   = "DEID_KAFKA_SASL_BROKERS"   // SASL_SSL listener, host:port[,host:port]
	EnvSASLUser      = "DEID_KAFKA_SASL_USER"      // SCRAM user created when the storage was formatted
	EnvSASLPassword  = "DEID_KAFKA_SASL_PASSWORD"  // its password
	EnvSASLMechanism = "DEID_KAFKA_SASL_MECHANISM" // SCRAM-SHA-256 or SCRAM-SHA-512; default SCRAM-SHA-512
	EnvCAFile        = "DEID_KAFKA_CA_FILE"        // PEM CA that signed the broker's certificate
	EnvCI            = testenv.EnvCI               // truthy ("true", "1", ...) turns every skip for a missing broker into a failure
)

// ErrUnknownMechanism is returned by SASLInfo.ClientOpts for a mechanism other than
// SCRAM-SHA-256 or SCRAM-SHA-512, the mechanisms kafka.sh enables.
var ErrUnknownMechanism = errors.New("unknown SASL mechanism")

// howToStart is the advice every skip or failure for a missing broker gives.
const howToStart = `start the broker and export its address: deploy/kafka/kafka.sh start && eval "$(deploy/kafka/kafka.sh env)" (or run scripts/test.sh)`

// InCI is testenv.InCI, the one rule of the project: missing integration
// prerequisites fail tests instead of skipping them when it is true.
func InCI() bool { return testenv.InCI() }

// Unavailable is testenv.Unavailable: skip, or fail when InCI.
func Unavailable(t testing.TB, format string, args ...any) {
	t.Helper()
	testenv.Unavailable(t, format, args...)
}

// Brokers returns the plaintext listener's address list from DEID_KAFKA_BROKERS.
func Brokers(t testing.TB) []string {
	t.Helper()
	brokers := splitList(os.Getenv(EnvBrokers))
	if len(brokers) == 0 {
		Unavailable(t, "%s is not set: no real Kafka broker for this integration test; %s", EnvBrokers, howToStart)
	}
	return brokers
}

// SASLInfo describes the broker's SASL_SSL listener and the SCRAM user made for tests.
type SASLInfo struct {
	Brokers   []string
	User      string
	Password  string
	Mechanism string // SCRAM-SHA-256 or SCRAM-SHA-512
	CAFile    string // PEM file of the CA that signed the broker certificate
}

// SASL returns the SASL_SSL listener's settings from the DEID_KAFKA_SASL_* variables
// and DEID_KAFKA_CA_FILE.
func SASL(t testing.TB) SASLInfo {
	t.Helper()
	info := SASLInfo{
		Brokers:   splitList(os.Getenv(EnvSASLBrokers)),
		User:      os.Getenv(EnvSASLUser),
		Password:  os.Getenv(EnvSASLPassword),
		Mechanism: os.Getenv(EnvSASLMechanism),
		CAFile:    os.Getenv(EnvCAFile),
	}
	if info.Mechanism == "" {
		info.Mechanism = "SCRAM-SHA-512"
	}
	var missing []string
	if len(info.Brokers) == 0 {
		missing = append(missing, EnvSASLBrokers)
	}
	if info.User == "" {
		missing = append(missing, EnvSASLUser)
	}
	if info.Password == "" {
		missing = append(missing, EnvSASLPassword)
	}
	if info.CAFile == "" {
		missing = append(missing, EnvCAFile)
	}
	if len(missing) > 0 {
		Unavailable(t, "%s not set: no SASL_SSL Kafka listener for this integration test; %s", strings.Join(missing, ", "), howToStart)
	}
	return info
}

// TLSConfig trusts only the CA in CAFile, so a test proves the broker's certificate chains to it.
func (s SASLInfo) TLSConfig() (*tls.Config, error) {
	pem, err := os.ReadFile(s.CAFile)
	if err != nil {
		return nil, fmt.Errorf("reading Kafka CA file %s: %w", s.CAFile, err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("parsing Kafka CA file %s: no PEM certificate in it", s.CAFile)
	}
	return &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}, nil
}

// ClientOpts returns franz-go options that connect to the SASL_SSL listener: seed
// brokers, TLS verified against CAFile, and SCRAM with Mechanism.
func (s SASLInfo) ClientOpts() ([]kgo.Opt, error) {
	tc, err := s.TLSConfig()
	if err != nil {
		return nil, err
	}
	auth := scram.Auth{User: s.User, Pass: s.Password}
	opts := []kgo.Opt{kgo.SeedBrokers(s.Brokers...), kgo.DialTLSConfig(tc)}
	switch strings.ToUpper(s.Mechanism) {
	case "SCRAM-SHA-256":
		opts = append(opts, kgo.SASL(auth.AsSha256Mechanism()))
	case "SCRAM-SHA-512":
		opts = append(opts, kgo.SASL(auth.AsSha512Mechanism()))
	default:
		return nil, fmt.Errorf("building SASL options for mechanism %q: %w", s.Mechanism, ErrUnknownMechanism)
	}
	return opts, nil
}

// Client returns a franz-go client seeded with Brokers(t) plus opts, closed when the test ends.
func Client(t testing.TB, opts ...kgo.Opt) *kgo.Client {
	t.Helper()
	cl, err := kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers(Brokers(t)...)}, opts...)...)
	if err != nil {
		t.Fatalf("creating Kafka client: %v", err)
	}
	t.Cleanup(cl.Close)
	return cl
}

// Admin returns an admin client on Brokers(t), closed when the test ends.
func Admin(t testing.TB) *kadm.Client {
	t.Helper()
	return kadm.NewClient(Client(t))
}

// Topic creates a topic with a name unique to this test and run, with the given
// partitions and one replica, waits until every partition has a leader, and deletes
// it when the test ends.
func Topic(t testing.TB, admin *kadm.Client, partitions int32) string {
	t.Helper()
	return TopicWithConfigs(t, admin, partitions, nil)
}

// TopicWithConfigs is Topic with topic configs such as "max.message.bytes".
func TopicWithConfigs(t testing.TB, admin *kadm.Client, partitions int32, configs map[string]*string) string {
	t.Helper()
	name := TopicName(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if _, err := admin.CreateTopic(ctx, partitions, 1, configs, name); err != nil {
		t.Fatalf("creating test topic %s: %v", name, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		// A leftover topic does not make the test wrong, and the broker's data is wiped at its next start.
		if _, err := admin.DeleteTopic(ctx, name); err != nil {
			t.Logf("deleting test topic %s: %v", name, err)
		}
	})
	if err := waitForLeaders(ctx, admin, name, partitions); err != nil {
		t.Fatalf("waiting for test topic %s: %v", name, err)
	}
	return name
}

// waitForLeaders polls metadata until the topic has all its partitions, each with a
// leader: right after CreateTopics the broker may not know them yet, and a consumer
// that starts then would see no partitions.
func waitForLeaders(ctx context.Context, admin *kadm.Client, topic string, partitions int32) error {
	for {
		md, err := admin.Metadata(ctx, topic)
		if err == nil && ready(md, topic, partitions) {
			return nil
		}
		select {
		case <-ctx.Done():
			if err == nil {
				err = errors.New("partitions without a leader")
			}
			return fmt.Errorf("polling metadata until %d partitions have leaders: %w (%w)", partitions, ctx.Err(), err)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func ready(md kadm.Metadata, topic string, partitions int32) bool {
	td, ok := md.Topics[topic]
	if !ok || td.Err != nil || int32(len(td.Partitions)) != partitions {
		return false
	}
	for _, p := range td.Partitions {
		if p.Err != nil || p.Leader < 0 {
			return false
		}
	}
	return true
}

// TopicName returns "deidtest-<test name>-<random hex>", legal as a Kafka topic name
// (at most 249 characters of [a-zA-Z0-9._-]) and unique across runs sharing a broker.
func TopicName(t testing.TB) string {
	t.Helper()
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatalf("reading randomness for a topic name: %v", err)
	}
	return topicName(t.Name(), hex.EncodeToString(b[:]))
}

func topicName(testName, suffix string) string {
	const maxLen = 249
	clean := strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '_', r == '-':
			return r
		}
		return '_'
	}, testName)
	prefix := "deidtest-"
	if room := maxLen - len(prefix) - 1 - len(suffix); len(clean) > room {
		clean = clean[:room]
	}
	return prefix + clean + "-" + suffix
}

func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}
