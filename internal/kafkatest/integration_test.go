package kafkatest

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sasl/scram"
)

// consume polls cl until it has n records or ctx ends.
func consume(ctx context.Context, t *testing.T, cl *kgo.Client, n int) []*kgo.Record {
	t.Helper()
	var got []*kgo.Record
	for len(got) < n {
		fs := cl.PollFetches(ctx)
		if ctx.Err() != nil {
			t.Fatalf("consumed %d of %d records before %v", len(got), n, ctx.Err())
		}
		fs.EachError(func(topic string, p int32, err error) {
			t.Fatalf("fetching %s[%d]: %v", topic, p, err)
		})
		got = append(got, fs.Records()...)
	}
	return got
}

// TestIntegrationPlaintextRoundTrip produces to every partition of a fresh topic on the
// plaintext listener and reads everything back, in order within each partition.
func TestIntegrationPlaintextRoundTrip(t *testing.T) {
	const partitions, perPartition = 3, 50
	topic := Topic(t, Admin(t), partitions)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	producer := Client(t, kgo.DefaultProduceTopic(topic), kgo.RecordPartitioner(kgo.ManualPartitioner()))
	want := map[int32][]string{}
	var recs []*kgo.Record
	for i := range partitions * perPartition {
		p := int32(i % partitions)
		v := fmt.Sprintf("value-%d", i)
		want[p] = append(want[p], v)
		recs = append(recs, &kgo.Record{Partition: p, Key: []byte(strconv.Itoa(i)), Value: []byte(v)})
	}
	if err := producer.ProduceSync(ctx, recs...).FirstErr(); err != nil {
		t.Fatalf("producing %d records: %v", len(recs), err)
	}

	consumer := Client(t, kgo.ConsumeTopics(topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	got := map[int32][]string{}
	for _, r := range consume(ctx, t, consumer, len(recs)) {
		got[r.Partition] = append(got[r.Partition], string(r.Value))
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("records read back differ (-produced +consumed):\n%s", diff)
	}
}

// TestIntegrationTransactionsReadCommitted checks the broker's transaction support the
// worker relies on: an aborted transaction is invisible under read_committed, a
// committed one is visible, and both are really in the log (read_uncommitted sees them).
func TestIntegrationTransactionsReadCommitted(t *testing.T) {
	topic := Topic(t, Admin(t), 1)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	committed, aborted := writeTransactions(ctx, t, topic, 10)

	readCommitted := Client(t, kgo.ConsumeTopics(topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
		kgo.FetchIsolationLevel(kgo.ReadCommitted()))
	// The aborted records precede the committed ones in the log, so the first ten
	// read_committed records are all committed ones only if the aborted were filtered.
	if diff := cmp.Diff(committed, values(consume(ctx, t, readCommitted, len(committed)))); diff != "" {
		t.Errorf("read_committed (-want +got):\n%s", diff)
	}

	readUncommitted := Client(t, kgo.ConsumeTopics(topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
		kgo.FetchIsolationLevel(kgo.ReadUncommitted()))
	all := append(append([]string{}, aborted...), committed...)
	if diff := cmp.Diff(all, values(consume(ctx, t, readUncommitted, len(all)))); diff != "" {
		t.Errorf("read_uncommitted (-want +got):\n%s", diff)
	}
}

// writeTransactions produces n records in an aborted transaction, then n in a committed
// one, to a single-partition topic, and returns both sets of values in log order.
func writeTransactions(ctx context.Context, t *testing.T, topic string, n int) (committed, aborted []string) {
	t.Helper()
	txn := Client(t, kgo.DefaultProduceTopic(topic), kgo.TransactionalID(topic), kgo.TransactionTimeout(30*time.Second))
	for _, commit := range []bool{false, true} {
		if err := txn.BeginTransaction(); err != nil {
			t.Fatalf("beginning transaction: %v", err)
		}
		var recs []*kgo.Record
		for i := range n {
			v := fmt.Sprintf("aborted-%d", i)
			if commit {
				v = fmt.Sprintf("committed-%d", i)
				committed = append(committed, v)
			} else {
				aborted = append(aborted, v)
			}
			recs = append(recs, kgo.StringRecord(v))
		}
		if err := txn.ProduceSync(ctx, recs...).FirstErr(); err != nil {
			t.Fatalf("producing in a transaction: %v", err)
		}
		if err := txn.EndTransaction(ctx, kgo.TransactionEndTry(commit)); err != nil {
			t.Fatalf("ending transaction (commit=%v): %v", commit, err)
		}
	}
	return committed, aborted
}

func values(recs []*kgo.Record) []string {
	out := make([]string, len(recs))
	for i, r := range recs {
		out[i] = string(r.Value)
	}
	return out
}

// TestIntegrationSASLSCRAM round-trips a record over the SASL_SSL listener with each
// SCRAM mechanism, trusting only the CA kafka.sh made, so the broker's certificate
// chain and its 127.0.0.1 SAN are verified for real.
func TestIntegrationSASLSCRAM(t *testing.T) {
	info := SASL(t)
	admin := Admin(t)
	for _, mech := range []string{"SCRAM-SHA-256", "SCRAM-SHA-512"} {
		t.Run(mech, func(t *testing.T) {
			topic := Topic(t, admin, 1)
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			info := info
			info.Mechanism = mech
			opts, err := info.ClientOpts()
			if err != nil {
				t.Fatal(err)
			}
			cl, err := kgo.NewClient(append(opts, kgo.DefaultProduceTopic(topic), kgo.ConsumeTopics(topic),
				kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))...)
			if err != nil {
				t.Fatalf("creating SASL client: %v", err)
			}
			defer cl.Close()
			want := "over " + mech
			if err := cl.ProduceSync(ctx, kgo.StringRecord(want)).FirstErr(); err != nil {
				t.Fatalf("producing over SASL_SSL with %s: %v", mech, err)
			}
			if got := values(consume(ctx, t, cl, 1)); !cmp.Equal(got, []string{want}) {
				t.Errorf("consumed %q over SASL_SSL, want [%q]", got, want)
			}
		})
	}
}

// TestIntegrationSASLRejects checks that the listener refuses what it should: a wrong
// password, and a client that does not trust the test CA.
func TestIntegrationSASLRejects(t *testing.T) {
	info := SASL(t)
	good, err := info.TLSConfig()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		tls   *tls.Config
		pass  string
		check func(error) bool
	}{
		{"wrong password", good, info.Password + "x", func(err error) bool { return errors.Is(err, kerr.SaslAuthenticationFailed) }},
		{"CA not trusted", &tls.Config{RootCAs: x509.NewCertPool()}, info.Password, func(err error) bool {
			var unknown x509.UnknownAuthorityError
			return errors.As(err, &unknown)
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			auth := scram.Auth{User: info.User, Pass: tc.pass}
			cl, err := kgo.NewClient(kgo.SeedBrokers(info.Brokers...), kgo.DialTLSConfig(tc.tls),
				kgo.SASL(auth.AsSha512Mechanism()), kgo.RequestRetries(0))
			if err != nil {
				t.Fatal(err)
			}
			defer cl.Close()
			err = cl.Ping(ctx)
			if err == nil {
				t.Fatal("Ping succeeded, want the broker to refuse the connection")
			}
			if !tc.check(err) {
				t.Errorf("Ping error %v (%T) is not the expected kind", err, err)
			}
		})
	}
}

// TestIntegrationConsoleConsumer reads a transactional topic with Apache Kafka's own
// console consumer under read_committed: the interop peer other packages' tests use.
func TestIntegrationConsoleConsumer(t *testing.T) {
	topic := Topic(t, Admin(t), 1)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	committed, _ := writeTransactions(ctx, t, topic, 5)

	// Ask for more than were committed: the consumer stops at --timeout-ms, so any
	// aborted record it wrongly delivered would show up.
	out := ConsoleConsumer(t, 2*time.Minute, "--topic", topic, "--from-beginning",
		"--isolation-level", "read_committed", "--max-messages", "20", "--timeout-ms", "5000")
	got := strings.Split(strings.TrimSpace(string(out)), "\n")
	if diff := cmp.Diff(committed, got); diff != "" {
		t.Errorf("console consumer output (-want +got):\n%s", diff)
	}
}
