package kafkaconn

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/deidstream/deidstream/internal/kafkatest"
)

// The worker's own settings path (Config -> Opts) over SASL_SSL with SCRAM:
// topics are checked and created, a record goes through read_committed; a
// wrong password and an untrusted CA fail.
func TestIntegrationSASLSCRAMOverTLS(t *testing.T) {
	info := kafkatest.SASL(t)
	c := Defaults()
	c.Brokers = info.Brokers
	c.TLS = TLS{Enabled: true, CAFile: info.CAFile}
	c.SASL = SASL{Mechanism: info.Mechanism, Username: info.User, Password: info.Password}
	opts, err := c.Opts()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	topic := kafkatest.TopicName(t)
	cl, err := kgo.NewClient(append(opts, kgo.DefaultProduceTopic(topic))...)
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	adm := kadm.NewClient(cl)
	defer adm.DeleteTopics(context.Background(), topic)
	limit, err := EnsureTopics(ctx, adm, true, TopicSpec{Name: topic, Partitions: 1})
	if err != nil {
		t.Fatalf("ensuring a topic over SASL_SSL: %v", err)
	}
	if limit < 1<<20 {
		t.Errorf("max.message.bytes %d, want the broker default (about 1 MiB)", limit)
	}
	if err := cl.ProduceSync(ctx, &kgo.Record{Value: []byte("over tls")}).FirstErr(); err != nil {
		t.Fatalf("producing over SASL_SSL: %v", err)
	}
	recs, err := ReadAll(ctx, opts, topic)
	if err != nil || len(recs) != 1 || string(recs[0].Value) != "over tls" {
		t.Fatalf("reading back over SASL_SSL: %d records, %v", len(recs), err)
	}

	// A wrong password must fail, and say it was authentication.
	bad := c
	bad.SASL.Password = "wrong-" + c.SASL.Password
	badOpts, _ := bad.Opts()
	if _, err := ReadAll(ctx, append(badOpts, kgo.RequestRetries(0)), topic); err == nil || !strings.Contains(strings.ToLower(err.Error()), "sasl") {
		t.Errorf("wrong password: got %v, want a SASL authentication error", err)
	}
	// A CA that did not sign the broker certificate must fail the handshake.
	other := filepath.Join(t.TempDir(), "other-ca.pem")
	if err := os.WriteFile(other, selfSignedCA(t), 0o600); err != nil {
		t.Fatal(err)
	}
	untrusted := c
	untrusted.TLS.CAFile = other
	uOpts, err := untrusted.Opts()
	if err != nil {
		t.Fatal(err)
	}
	sctx, scancel := context.WithTimeout(ctx, 10*time.Second)
	defer scancel()
	if _, err := ReadAll(sctx, uOpts, topic); err == nil {
		t.Error("a CA that did not sign the broker's certificate was accepted")
	}
}

// selfSignedCA makes a CA unrelated to the test broker's, as PEM.
func selfSignedCA(t *testing.T) []byte {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "other CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}
