package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"go.yaml.in/yaml/v3"

	"github.com/deidstream/deidstream/access"
	"github.com/deidstream/deidstream/breakglass"
	"github.com/deidstream/deidstream/internal/app"
	"github.com/deidstream/deidstream/internal/config"
	"github.com/deidstream/deidstream/internal/kafkatest"
	"github.com/deidstream/deidstream/kafkaconn"
)

// kafkaSection is the kafka: section that connects as user over SASL_SSL.
func kafkaSection(t *testing.T, s kafkatest.SASLInfo) kafkaconn.Config {
	t.Helper()
	k := kafkaconn.Defaults()
	k.Brokers = s.Brokers
	k.TLS = kafkaconn.TLS{Enabled: true, CAFile: s.CAFile}
	k.SASL = kafkaconn.SASL{Mechanism: s.Mechanism, Username: s.User, Password: s.Password}
	return k
}

func connOpts(t *testing.T, k kafkaconn.Config) []kgo.Opt {
	t.Helper()
	opts, err := k.Opts()
	if err != nil {
		t.Fatal(err)
	}
	return opts
}

// TestIntegrationACLsLeastPrivilege runs on a broker of its own with the
// StandardAuthorizer on and one SCRAM user per role: `worker acl apply` sets
// the plan (and removes a stray grant), then a worker runs end to end under
// those ACLs, exactly once, and each role can read what its role allows and
// nothing else.
func TestIntegrationACLsLeastPrivilege(t *testing.T) {
	start := time.Now()
	b := kafkatest.StartBroker(t, kafkatest.BrokerOptions{Authorizer: true,
		Users: []string{"worker", "alice", "carol", "secops"}})
	t.Logf("%v: broker started", time.Since(start))
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()

	cfg, err := config.Demo()
	if err != nil {
		t.Fatal(err)
	}
	name := kafkatest.TopicName(t)
	cfg.Kafka = kafkaSection(t, b.User(t, "worker"))
	cfg.Kafka.GroupID = name
	cfg.Kafka.TransactionalIDPrefix = name + "-"
	cfg.Worker.ID = "w1"
	cfg.Topics.Input = []string{name + ".raw"}
	cfg.Topics.Research, cfg.Topics.Audit, cfg.Topics.Quarantine = name+".research", name+".audit", name+".quarantine"
	cfg.Topics.Stats, cfg.Topics.Budget, cfg.Topics.Placeholders = name+".stats", name+".budget", name+".placeholders"
	cfg.Redaction.Secret = strings.Repeat("5e", 32)
	cfg.DP.Budget = 1000
	cfg.Roles = access.Roles{
		Worker:          access.Role{Principals: []string{"User:worker"}},
		Researcher:      access.Role{Principals: []string{"User:alice"}, Recipients: []string{"research.pub"}},
		Auditor:         access.Role{Principals: []string{"User:carol"}},
		SecurityOfficer: access.Role{Principals: []string{"User:secops"}, Recipients: []string{"security.pub"}},
	}
	cfg.BreakGlass.Officers, cfg.BreakGlass.Escrow = []string{"olga", "omar"}, "escrow.json"
	cfg.BreakGlass.Topic = name + ".escrow"
	cfgPath, keys, researchKey := writeRunFiles(t, cfg)
	escrow, _, err := breakglass.NewEscrow(nil, 2, cfg.BreakGlass.Officers)
	if err != nil {
		t.Fatal(err)
	}
	if err := writeJSON(filepath.Join(filepath.Dir(cfgPath), "escrow.json"), escrow, 0o644); err != nil {
		t.Fatal(err)
	}
	keys.Escrow = escrow

	admin := config.Defaults()
	admin.Kafka = kafkaSection(t, b.Admin)
	adminYAML, err := yaml.Marshal(map[string]any{"kafka": admin.Kafka})
	if err != nil {
		t.Fatal(err)
	}
	adminPath := filepath.Join(filepath.Dir(cfgPath), "admin.yaml")
	if err := os.WriteFile(adminPath, adminYAML, 0o600); err != nil {
		t.Fatal(err)
	}
	adminConn := connOpts(t, admin.Kafka)
	adminCl, err := kgo.NewClient(adminConn...)
	if err != nil {
		t.Fatal(err)
	}
	defer adminCl.Close()
	adm := kadm.NewClient(adminCl)

	// The input, made by the admin; a stray grant lets the researcher read it.
	const n = 500
	if err := produceSynthetic(ctx, adminConn, cfg.Topics.Input[0], n, 11, 0.01); err != nil {
		t.Fatal(err)
	}
	if _, err := adm.CreateACLs(ctx, kadm.NewACLs().Topics(cfg.Topics.Input[0]).Allow("User:alice").
		Operations(kadm.OpRead, kadm.OpDescribe)); err != nil {
		t.Fatal(err)
	}

	apply := func(args ...string) string {
		t.Helper()
		var stdout, stderr strings.Builder
		code := dispatch(ctx, stdio{Stdin: strings.NewReader(""), Stdout: &stdout, Stderr: &stderr},
			append([]string{"acl", "apply", "-c", cfgPath, "--admin-config", adminPath}, args...))
		if code != 0 {
			t.Fatalf("worker acl apply %v exited %d:\n%s%s", args, code, stdout.String(), stderr.String())
		}
		return stdout.String()
	}
	planned := len(access.Plan(cfg.Roles, cfg.AccessResources()))
	out := apply("--dry-run")
	if !strings.Contains(out, "to create, 2 to delete, 0 already held") || !strings.Contains(out, "dry run") {
		t.Fatalf("dry run printed:\n%s\nwant %d to create and the 2 stray grants to delete", out, planned)
	}
	if acls, err := access.Existing(ctx, adm, cfg.AccessResources()); err != nil || len(acls) != 2 {
		t.Fatalf("after a dry run the broker holds %d ACLs on our resources (%v), want the 2 stray ones untouched", len(acls), err)
	}
	out = apply()
	t.Logf("worker acl apply:\n%s", out)
	if again := apply(); !strings.Contains(again, "0 to create, 0 to delete") {
		t.Errorf("a second apply is not a no-op:\n%s", again)
	}
	acls, err := access.Existing(ctx, adm, cfg.AccessResources())
	if err != nil {
		t.Fatal(err)
	}
	if len(acls) != planned {
		t.Errorf("the broker holds %d ACLs on our resources, the plan %d", len(acls), planned)
	}

	t.Logf("%v: ACLs applied", time.Since(start))
	// The worker, end to end under its ACLs: it creates its topics, fences,
	// reads back its state, and publishes exactly once.
	reg := prometheus.NewRegistry()
	w, err := app.NewWorker(ctx, cfg, keys, reg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatalf("building the worker under its ACLs: %v", err)
	}
	if _, err := runUntilSettled(ctx, w, reg, n); err != nil {
		t.Fatalf("running the worker under its ACLs: %v", err)
	}
	o, err := readOutputs(ctx, cfg, adminConn, researchKey, keys.Signer.Verifier())
	if err != nil {
		t.Fatal(err)
	}
	checkExactlyOnce(t, o, n)
	if len(o.rows) == 0 {
		t.Fatal("nothing published")
	}
	t.Logf("%v: worker settled and outputs read", time.Since(start))
	if links, _ := escrowCounts(t, ctx, adminConn, cfg.BreakGlass.Topic); links != len(o.rows) {
		t.Fatalf("%d escrow links for %d published rows, want one each, written under the worker's ACLs", links, len(o.rows))
	}

	// A security officer records a break-glass step under their own ACLs
	// (fencing its transactional id, reading and appending to the audit topic).
	secops := *cfg
	secops.Kafka = kafkaSection(t, b.User(t, "secops"))
	secops.Kafka.TransactionalIDPrefix = cfg.Kafka.TransactionalIDPrefix
	b2, err := yaml.Marshal(&secops)
	if err != nil {
		t.Fatal(err)
	}
	secopsPath := filepath.Join(filepath.Dir(cfgPath), "secops.yaml")
	if err := os.WriteFile(secopsPath, b2, 0o600); err != nil {
		t.Fatal(err)
	}
	var bgOut strings.Builder
	if code := dispatch(ctx, stdio{Stdin: strings.NewReader(""), Stdout: &bgOut, Stderr: &bgOut}, []string{"breakglass", "request",
		"-c", secopsPath, "--case", filepath.Join(t.TempDir(), "case"), "--target", "pseudonym:x", "--requester", "sam",
		"--reason", "incidental_finding"}); code != 0 {
		t.Errorf("breakglass request as the security officer exited %d: %s", code, bgOut.String())
	}

	t.Logf("%v: break-glass step recorded", time.Since(start))
	denied := func(err error) bool { return errors.Is(err, kerr.TopicAuthorizationFailed) }
	read := func(user, topic string) error {
		_, err := kafkaconn.ReadAll(ctx, connOpts(t, kafkaSection(t, b.User(t, user))), topic)
		return err
	}
	for _, tc := range []struct {
		user, topic string
		allowed     bool
	}{
		{"alice", cfg.Topics.Research, true},
		{"alice", cfg.Topics.Stats, true},
		{"alice", cfg.Topics.Input[0], false},
		{"alice", cfg.Topics.Quarantine, false},
		{"alice", cfg.Topics.Audit, false},
		{"alice", cfg.BreakGlass.Topic, false},
		{"secops", cfg.BreakGlass.Topic, true},
		{"carol", cfg.BreakGlass.Topic, false},
		{"carol", cfg.Topics.Audit, true},
		{"carol", cfg.Topics.Research, false},
		{"secops", cfg.Topics.Quarantine, true},
		{"secops", cfg.Topics.Research, false},
		{"secops", cfg.Topics.Input[0], false},
		{"worker", cfg.Topics.Research, false},
		{"worker", cfg.Topics.Quarantine, false},
	} {
		err := read(tc.user, tc.topic)
		switch {
		case tc.allowed && err != nil:
			t.Errorf("%s reading %s: %v, want allowed", tc.user, tc.topic, err)
		case !tc.allowed && !denied(err):
			t.Errorf("%s reading %s: error %v, want TOPIC_AUTHORIZATION_FAILED", tc.user, tc.topic, err)
		}
	}

	// Writes: the worker only where it publishes, and the others nowhere.
	// Not idempotent: a principal with no Write at all would be refused at
	// InitProducerID (cluster authorization), before the topic is checked.
	write := func(user, topic string) error {
		cl, err := kgo.NewClient(append(connOpts(t, kafkaSection(t, b.User(t, user))), kgo.RecordRetries(1),
			kgo.DisableIdempotentWrite(), kgo.DefaultProduceTopic(topic))...)
		if err != nil {
			t.Fatal(err)
		}
		defer cl.Close()
		return cl.ProduceSync(ctx, &kgo.Record{Value: []byte("{}")}).FirstErr()
	}
	for _, tc := range []struct{ user, topic string }{
		{"worker", cfg.Topics.Input[0]},
		{"alice", cfg.Topics.Research},
		{"alice", cfg.Topics.Input[0]},
		{"carol", cfg.Topics.Audit},
		{"secops", cfg.Topics.Quarantine},
	} {
		if err := write(tc.user, tc.topic); !denied(err) {
			t.Errorf("%s writing %s: error %v, want TOPIC_AUTHORIZATION_FAILED", tc.user, tc.topic, err)
		}
	}
	// A topic outside the config: the worker may not create it or write to it.
	if err := write("worker", name+".elsewhere"); !denied(err) {
		t.Errorf("worker writing a topic not in its config: error %v, want TOPIC_AUTHORIZATION_FAILED", err)
	}
}
