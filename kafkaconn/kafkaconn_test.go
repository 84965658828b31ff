package kafkaconn

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestValidate(t *testing.T) {
	for _, tc := range []struct {
		name string
		mod  func(*Config)
		key  string // "" = valid
	}{
		{"defaults", func(*Config) {}, ""},
		{"no brokers", func(c *Config) { c.Brokers = nil }, "kafka.brokers"},
		{"no port", func(c *Config) { c.Brokers = []string{"localhost"} }, "kafka.brokers"},
		{"tiny max message", func(c *Config) { c.MaxMessageBytes = 1000 }, "kafka.max_message_bytes"},
		{"cert without key", func(c *Config) { c.TLS.CertFile = "c.pem" }, "kafka.tls"},
		{"unknown sasl", func(c *Config) { c.SASL.Mechanism = "KERBEROS" }, "kafka.sasl.mechanism"},
		{"scram without user", func(c *Config) { c.SASL.Mechanism = "SCRAM-SHA-512" }, "kafka.sasl.username"},
		{"scram lower case", func(c *Config) { c.SASL = SASL{Mechanism: "scram-sha-256", Username: "u"} }, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := Defaults()
			tc.mod(&c)
			err := c.Validate()
			if tc.key == "" {
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
				return
			}
			if !errors.Is(err, ErrInvalid) || !strings.Contains(fmtErr(err), tc.key) {
				t.Fatalf("error %v: want ErrInvalid naming %s", err, tc.key)
			}
		})
	}
}

func fmtErr(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func TestOptsTLSErrors(t *testing.T) {
	dir := t.TempDir()
	notPEM := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(notPEM, []byte("not a certificate"), 0o600); err != nil {
		t.Fatal(err)
	}
	c := Defaults()
	c.TLS = TLS{Enabled: true, CAFile: notPEM}
	if _, err := c.Opts(); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "kafka.tls.ca_file") {
		t.Errorf("CA file without PEM: %v", err)
	}
	c.TLS.CAFile = filepath.Join(dir, "missing.pem")
	if _, err := c.Opts(); err == nil || !strings.Contains(err.Error(), "kafka.tls.ca_file") {
		t.Errorf("missing CA file: %v", err)
	}
	c.TLS = TLS{}
	c.SASL = SASL{Mechanism: "PLAIN", Username: "u", Password: "p"}
	opts, err := c.Opts()
	if err != nil || len(opts) != 3 {
		t.Errorf("PLAIN: %d options, error %v; want brokers, client id and SASL", len(opts), err)
	}
}
