package kafkatest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestTopicName(t *testing.T) {
	legal := regexp.MustCompile(`^[a-zA-Z0-9._-]{1,249}$`)
	tests := []struct {
		name, test, want string
	}{
		{"plain", "TestX", "deidtest-TestX-abc123"},
		{"subtest slash and spaces", "TestX/case one", "deidtest-TestX_case_one-abc123"},
		{"non-ASCII", "TestÄ", "deidtest-Test_-abc123"},
		{"long name is cut", strings.Repeat("a", 400), "deidtest-" + strings.Repeat("a", 249-len("deidtest-")-len("-abc123")) + "-abc123"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := topicName(tc.test, "abc123")
			if got != tc.want {
				t.Errorf("topicName(%q) = %q, want %q", tc.test, got, tc.want)
			}
			if !legal.MatchString(got) {
				t.Errorf("topicName(%q) = %q is not a legal Kafka topic name", tc.test, got)
			}
		})
	}
}

func TestTopicNameUnique(t *testing.T) {
	a, b := TopicName(t), TopicName(t)
	if a == b {
		t.Fatalf("two calls returned the same topic name %q", a)
	}
	if !strings.HasPrefix(a, "deidtest-TestTopicNameUnique-") {
		t.Errorf("TopicName = %q, want the test name in it", a)
	}
}

func TestSplitList(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"", nil},
		{" , ,", nil},
		{"127.0.0.1:19092", []string{"127.0.0.1:19092"}},
		{" a:1, b:2 ,", []string{"a:1", "b:2"}},
	}
	for _, tc := range tests {
		if diff := cmp.Diff(tc.want, splitList(tc.in)); diff != "" {
			t.Errorf("splitList(%q) mismatch (-want +got):\n%s", tc.in, diff)
		}
	}
}

func TestInCI(t *testing.T) {
	tests := []struct {
		ci   string
		want bool
	}{
		{"", false},
		{"true", true},
		{"1", true},
		{"TRUE", true},
		{"false", false},
		{"yes", true}, // the same rule as internal/testenv everywhere
		{"off", false},
	}
	for _, tc := range tests {
		t.Setenv(EnvCI, tc.ci)
		if got := InCI(); got != tc.want {
			t.Errorf("CI=%q: InCI() = %v, want %v", tc.ci, got, tc.want)
		}
	}
}

func TestSASLInfoErrors(t *testing.T) {
	dir := t.TempDir()
	notPEM := filepath.Join(dir, "ca.txt")
	if err := os.WriteFile(notPEM, []byte("not a certificate"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		info    SASLInfo
		wantErr string
		wantIs  error
	}{
		{"missing CA file", SASLInfo{CAFile: filepath.Join(dir, "absent.pem"), Mechanism: "SCRAM-SHA-512"}, "reading Kafka CA file", os.ErrNotExist},
		{"CA file without PEM", SASLInfo{CAFile: notPEM, Mechanism: "SCRAM-SHA-512"}, "no PEM certificate", nil},
		{"unknown mechanism", SASLInfo{CAFile: testCA(t, dir), Mechanism: "PLAIN"}, `mechanism "PLAIN"`, ErrUnknownMechanism},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.info.ClientOpts()
			if err == nil {
				t.Fatal("ClientOpts succeeded, want an error")
			}
			if !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("error %q does not mention %q", err, tc.wantErr)
			}
			if tc.wantIs != nil && !errors.Is(err, tc.wantIs) {
				t.Errorf("error %v is not %v", err, tc.wantIs)
			}
		})
	}
}

func TestSASLInfoClientOpts(t *testing.T) {
	ca := testCA(t, t.TempDir())
	for _, mech := range []string{"SCRAM-SHA-256", "SCRAM-SHA-512", "scram-sha-512"} {
		info := SASLInfo{Brokers: []string{"127.0.0.1:1"}, User: "u", Password: "p", Mechanism: mech, CAFile: ca}
		opts, err := info.ClientOpts()
		if err != nil {
			t.Fatalf("%s: ClientOpts: %v", mech, err)
		}
		// Seed brokers, TLS dialer, SASL mechanism.
		if len(opts) != 3 {
			t.Errorf("%s: got %d options, want 3", mech, len(opts))
		}
	}
}

// testCA writes a freshly generated self-signed CA certificate as PEM and returns its path.
func testCA(t *testing.T, dir string) string {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "kafkatest CA"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// childEnv marks a re-run of this test binary that exercises Brokers and SASL under a
// chosen environment: t.Skip and t.Fatal end the calling test, so they are observed
// from outside, in the child's -test.v output.
const childEnv = "KAFKATEST_CHILD"

func TestChildBrokers(t *testing.T) {
	if os.Getenv(childEnv) != "1" {
		t.Skip("run by TestMissingBrokerSkipsUnlessCI in a child process")
	}
	t.Logf("brokers=%v", Brokers(t))
	t.Logf("sasl=%+v", SASL(t))
}

func TestMissingBrokerSkipsUnlessCI(t *testing.T) {
	tests := []struct {
		name string
		env  []string
		want []string // substrings of the child's output
	}{
		{"unset skips", []string{"CI="}, []string{"--- SKIP: TestChildBrokers", "DEID_KAFKA_BROKERS is not set", "deploy/kafka/kafka.sh start"}},
		{"unset fails in CI", []string{"CI=true"}, []string{"--- FAIL: TestChildBrokers", "DEID_KAFKA_BROKERS is not set", "must not skip in CI"}},
		{"CI=false skips", []string{"CI=false"}, []string{"--- SKIP: TestChildBrokers"}},
		{"brokers without SASL fails in CI", []string{"CI=1", "DEID_KAFKA_BROKERS= a:1, b:2 ,"}, []string{
			"brokers=[a:1 b:2]", "--- FAIL: TestChildBrokers",
			"DEID_KAFKA_SASL_BROKERS, DEID_KAFKA_SASL_USER, DEID_KAFKA_SASL_PASSWORD, DEID_KAFKA_CA_FILE not set",
		}},
		{"all set passes", []string{"CI=true", "DEID_KAFKA_BROKERS=a:1", "DEID_KAFKA_SASL_BROKERS=a:2", "DEID_KAFKA_SASL_USER=u",
			"DEID_KAFKA_SASL_PASSWORD=p", "DEID_KAFKA_CA_FILE=/ca.pem"}, []string{
			"--- PASS: TestChildBrokers", "Mechanism:SCRAM-SHA-512",
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^TestChildBrokers$", "-test.v", "-test.count=1")
			cmd.Env = append(cleanEnv(), childEnv+"=1")
			cmd.Env = append(cmd.Env, tc.env...)
			out, _ := cmd.CombinedOutput() // the exit status is checked through the --- lines
			for _, w := range tc.want {
				if !strings.Contains(string(out), w) {
					t.Errorf("child output lacks %q:\n%s", w, out)
				}
			}
		})
	}
}

// cleanEnv is the environment without the variables this package reads.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "DEID_KAFKA_") || strings.HasPrefix(kv, EnvCI+"=") || strings.HasPrefix(kv, childEnv+"=") {
			continue
		}
		env = append(env, kv)
	}
	return env
}
