package main

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/deidstream/deidstream/internal/testenv"
)

// The short form of the chaos suite (issue 11, item 7): on a 3-broker cluster
// of its own, a partition leader's broker SIGKILLed, five worker SIGKILLs and
// a 90 s whole-cluster outage, each under a steady input; every record is
// published, suppressed or quarantined exactly once (`worker audit
// reconcile`), the audit log verifies, every worker resumes by itself after
// the outage, says why it is not ready during it, and logs a bounded number
// of lines about it.
func TestIntegrationChaosShort(t *testing.T) {
	if testing.Short() {
		t.Skip("the chaos suite takes minutes")
	}
	for _, need := range []string{"java", "mvn", "openssl"} {
		if _, err := exec.LookPath(need); err != nil {
			testenv.Unavailable(t, "%s is not on PATH: the chaos suite starts its own Kafka cluster (scripts/setup.sh installs what it needs)", need)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	rows, dir, err := runAll(ctx, shortForm(), 200, false, testLog{t})
	defer os.RemoveAll(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("\n%s", table(rows))
	if len(rows) != len(shortForm()) {
		t.Fatalf("%d rows, want %d", len(rows), len(shortForm()))
	}
	for _, r := range rows {
		if r.Err != nil {
			t.Errorf("%s: %v", r.Scenario, r.Err)
		}
		if r.Lost != 0 || r.Dup != 0 || !r.AuditVerified || r.In == 0 || r.In != r.Published+r.Suppressed+r.Quarantined {
			t.Errorf("%s: in %d = published %d + suppressed %d + quarantined %d? lost %d, duplicated %d, audit verified %v",
				r.Scenario, r.In, r.Published, r.Suppressed, r.Quarantined, r.Lost, r.Dup, r.AuditVerified)
		}
		if r.Recovery < 0 {
			t.Errorf("%s: a worker never committed again", r.Scenario)
		}
	}
}

// testLog sends the harness's progress to the test log.
type testLog struct{ t *testing.T }

func (l testLog) Write(b []byte) (int, error) {
	l.t.Log(strings.TrimRight(string(b), "\n"))
	return len(b), nil
}
