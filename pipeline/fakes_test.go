package pipeline

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/deidstream/deidstream/deid"
	"github.com/deidstream/deidstream/kafkaconn"
)

// Test doubles for the stages, so the pipeline is tested alone; the real
// stages are tested in their packages and together in cmd/worker.

type fakeRedactor struct{}

func (fakeRedactor) Columns() []string { return []string{"id", "group"} }

func (fakeRedactor) Process(rec map[string]any) (Redacted, error) {
	if rec["reject"] == true {
		return Redacted{Reject: "phi_rejected_type:SSN"}, nil
	}
	return Redacted{Values: []string{fmt.Sprint(rec["id"]), fmt.Sprint(rec["group"])}, PHI: map[string]int{"NAME": 1}}, nil
}

// fakeAnonymizer suppresses rows whose group is "rare".
type fakeAnonymizer struct{}

func (fakeAnonymizer) Anonymize(_ []string, rows [][]string) (Anonymized, error) {
	out := Anonymized{Rows: make([][]string, len(rows)), Suppressed: make([]bool, len(rows)), Achieved: deid.PrivacySummary{AchievedK: 2}}
	for i, r := range rows {
		out.Suppressed[i] = r[1] == "rare"
		out.Rows[i] = []string{r[0], "*"}
	}
	return out, nil
}

// fakeSealer marks payloads instead of encrypting them.
type fakeSealer struct{}

const fakeSeal = "SEALED:"

func (fakeSealer) Seal(p []byte, prov deid.Provenance) ([]byte, error) {
	return append([]byte(fakeSeal+prov.Kind+":"), p...), nil
}
func (fakeSealer) KeyIDs(kind string) []string { return []string{kind + "-key"} }

func unseal(b []byte) (kind string, plain []byte) {
	rest := strings.TrimPrefix(string(b), fakeSeal)
	kind, body, _ := strings.Cut(rest, ":")
	return kind, []byte(body)
}

// fakeAuditor writes events as JSON and tracks commits and aborts.
type fakeAuditor struct {
	mu                          sync.Mutex
	pending, committed, aborted int
}

func (a *fakeAuditor) LastWindow() uint64 { return 0 }

// kept is how many events the auditor holds as committed.
func (a *fakeAuditor) kept() int { a.mu.Lock(); defer a.mu.Unlock(); return a.committed }

// readAudit reads the committed events of cfg's audit topic.
func readAudit(t *testing.T, conn []kgo.Opt, cfg Config) []*kgo.Record {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	audit, err := kafkaconn.ReadAll(ctx, conn, cfg.Topics.Audit)
	if err != nil {
		t.Fatal(err)
	}
	return audit
}

func (a *fakeAuditor) Window(ev *WindowEvent) ([]AuditMessage, error) {
	a.mu.Lock()
	a.pending++
	a.mu.Unlock()
	b, err := json.Marshal(ev)
	return []AuditMessage{{Kind: "event", Value: b}}, err
}

func (a *fakeAuditor) Lifecycle(kind string, _ map[string]string) ([]AuditMessage, error) {
	a.mu.Lock()
	a.pending++
	a.mu.Unlock()
	return []AuditMessage{{Kind: "event", Value: []byte(`{"Type":"` + kind + `"}`)}}, nil
}

func (a *fakeAuditor) Commit() { a.mu.Lock(); a.committed += a.pending; a.pending = 0; a.mu.Unlock() }
func (a *fakeAuditor) Abort()  { a.mu.Lock(); a.aborted += a.pending; a.pending = 0; a.mu.Unlock() }
