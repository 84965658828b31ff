// Package kafkaconn turns the `kafka:` config section (brokers, TLS, SASL, ids)
// into franz-go client options, so every command that talks to Kafka connects
// the same way.
package kafkaconn

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sasl/plain"
	"github.com/twmb/franz-go/pkg/sasl/scram"
)

// ErrInvalid marks a Kafka setting that cannot work; the message names the key.
var ErrInvalid = errors.New("invalid kafka setting")

// Config is the `kafka:` section of the worker's config.
type Config struct {
	// Brokers are the seed brokers, host:port. Default ["127.0.0.1:19092"].
	Brokers []string `yaml:"brokers"`
	// ClientID names this client in broker logs and quotas. Default "deidstream".
	ClientID string `yaml:"client_id"`
	// GroupID is the consumer group the workers share. Default "deidstream".
	GroupID string `yaml:"group_id"`
	// TransactionalIDPrefix is joined with the worker id into the transactional id,
	// which must be unique per live worker and stable across its restarts. Default "deidstream-".
	TransactionalIDPrefix string `yaml:"transactional_id_prefix"`
	// TransactionTimeout bounds how long a window's transaction may stay open. Default 60s.
	TransactionTimeout time.Duration `yaml:"transaction_timeout"`
	// SessionTimeout is how long the group waits for a silent member before
	// giving its partitions to others (a killed worker's recovery time). Default 45s.
	SessionTimeout time.Duration `yaml:"session_timeout"`
	// StaticMembership joins the group with the worker id as group.instance.id (KIP-345): a
	// restarted worker takes its partitions back at once instead of waiting session_timeout for
	// its dead self; a worker that stops for good gives its partitions to others only after
	// session_timeout. Default true.
	StaticMembership bool `yaml:"static_membership"`
	// MaxMessageBytes is the largest record value the worker produces; it is
	// lowered to the broker's or topic's limit found at start. Default 1048576 (1 MiB).
	MaxMessageBytes int  `yaml:"max_message_bytes"`
	TLS             TLS  `yaml:"tls"`
	SASL            SASL `yaml:"sasl"`
}

// TLS settings. A CA file verifies the broker; cert and key files authenticate the client (mTLS).
type TLS struct {
	// Enabled turns on TLS. Default false.
	Enabled bool `yaml:"enabled"`
	// CAFile is a PEM bundle of CAs trusted for the brokers; empty uses the system pool.
	CAFile string `yaml:"ca_file"`
	// CertFile and KeyFile are a PEM client certificate and key, both or neither.
	CertFile string `yaml:"cert_file"`
	KeyFile  string `yaml:"key_file"`
	// ServerName overrides the name checked in the broker certificate.
	ServerName string `yaml:"server_name"`
	// InsecureSkipVerify disables broker certificate checks: for tests only. Default false.
	InsecureSkipVerify bool `yaml:"insecure_skip_verify"`
}

// SASL settings. Mechanism is "" (none), PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512.
type SASL struct {
	Mechanism string `yaml:"mechanism"`
	Username  string `yaml:"username"`
	// Password: put ${ENV_VAR} here rather than the secret itself.
	Password string `yaml:"password"`
}

// Defaults returns the defaults documented on each field.
func Defaults() Config {
	return Config{
		Brokers:               []string{"127.0.0.1:19092"},
		ClientID:              "deidstream",
		GroupID:               "deidstream",
		TransactionalIDPrefix: "deidstream-",
		TransactionTimeout:    60 * time.Second,
		SessionTimeout:        45 * time.Second,
		StaticMembership:      true,
		MaxMessageBytes:       1 << 20,
	}
}

// Validate reports the first unusable setting, naming its key under `kafka.`.
func (c Config) Validate() error {
	bad := func(key, why string) error { return fmt.Errorf("kafka.%s: %s: %w", key, why, ErrInvalid) }
	if len(c.Brokers) == 0 {
		return bad("brokers", "at least one broker host:port is required")
	}
	for _, b := range c.Brokers {
		if !strings.Contains(b, ":") {
			return bad("brokers", fmt.Sprintf("%q is not host:port", b))
		}
	}
	if c.MaxMessageBytes < 64<<10 {
		return bad("max_message_bytes", "must be at least 65536")
	}
	if c.SessionTimeout < time.Second {
		return bad("session_timeout", "must be at least 1s (brokers allow 6s and more by default)")
	}
	if c.TransactionTimeout < time.Second {
		return bad("transaction_timeout", "must be at least 1s")
	}
	if (c.TLS.CertFile == "") != (c.TLS.KeyFile == "") {
		return bad("tls", "cert_file and key_file go together")
	}
	switch strings.ToUpper(c.SASL.Mechanism) {
	case "":
	case "PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512":
		if c.SASL.Username == "" {
			return bad("sasl.username", "required with a SASL mechanism")
		}
	default:
		return bad("sasl.mechanism", fmt.Sprintf("%q is not one of PLAIN, SCRAM-SHA-256, SCRAM-SHA-512", c.SASL.Mechanism))
	}
	return nil
}

// Opts returns the client options for connecting: brokers, client id, TLS and SASL.
// Consumer, group and transaction options are the caller's.
func (c Config) Opts() ([]kgo.Opt, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	opts := []kgo.Opt{kgo.SeedBrokers(c.Brokers...), kgo.ClientID(c.ClientID)}
	if c.TLS.Enabled {
		tc, err := c.TLS.config()
		if err != nil {
			return nil, err
		}
		opts = append(opts, kgo.DialTLSConfig(tc))
	}
	switch strings.ToUpper(c.SASL.Mechanism) {
	case "PLAIN":
		opts = append(opts, kgo.SASL(plain.Auth{User: c.SASL.Username, Pass: c.SASL.Password}.AsMechanism()))
	case "SCRAM-SHA-256":
		opts = append(opts, kgo.SASL(scram.Auth{User: c.SASL.Username, Pass: c.SASL.Password}.AsSha256Mechanism()))
	case "SCRAM-SHA-512":
		opts = append(opts, kgo.SASL(scram.Auth{User: c.SASL.Username, Pass: c.SASL.Password}.AsSha512Mechanism()))
	}
	return opts, nil
}

func (t TLS) config() (*tls.Config, error) {
	tc := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: t.ServerName, InsecureSkipVerify: t.InsecureSkipVerify}
	if t.CAFile != "" {
		pem, err := os.ReadFile(t.CAFile)
		if err != nil {
			return nil, fmt.Errorf("kafka.tls.ca_file: reading CA bundle: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("kafka.tls.ca_file: %s holds no PEM certificate: %w", t.CAFile, ErrInvalid)
		}
		tc.RootCAs = pool
	}
	if t.CertFile != "" {
		cert, err := tls.LoadX509KeyPair(t.CertFile, t.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("kafka.tls: loading client certificate: %w", err)
		}
		tc.Certificates = []tls.Certificate{cert}
	}
	return tc, nil
}
