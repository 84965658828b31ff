package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/deidstream/deidstream/internal/app"
	"github.com/deidstream/deidstream/internal/config"
	"github.com/deidstream/deidstream/internal/kafkatest"
	"github.com/deidstream/deidstream/pipeline"
)

// integrationConfig is the demo policy on the real broker, with topics and a
// group of the test's own.
func integrationConfig(t *testing.T) *config.Config {
	t.Helper()
	cfg, err := config.Demo()
	if err != nil {
		t.Fatal(err)
	}
	name := kafkatest.TopicName(t)
	cfg.Kafka.Brokers = kafkatest.Brokers(t)
	cfg.Kafka.GroupID = name
	cfg.Worker.ID = name + "-w"
	cfg.Topics.Input = []string{name + ".raw"}
	cfg.Topics.Research, cfg.Topics.Audit, cfg.Topics.Quarantine = name+".research", name+".audit", name+".quarantine"
	cfg.Topics.Stats, cfg.Topics.Budget, cfg.Topics.Placeholders = name+".stats", name+".budget", name+".placeholders"
	cfg.Redaction.Secret = strings.Repeat("5e", 32)
	cfg.DP.Budget = 1000 // never refuse in these tests
	adm := kafkatest.Admin(t)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		adm.DeleteTopics(ctx, append(cfg.Topics.Input, cfg.Topics.Research, cfg.Topics.Audit,
			cfg.Topics.Quarantine, cfg.Topics.Stats, cfg.Topics.Budget, cfg.Topics.Placeholders)...)
	})
	return cfg
}

// checkExactlyOnce asserts that every input record is accounted for once:
// published (by offset, once, in order per partition), suppressed, or quarantined.
func checkExactlyOnce(t *testing.T, o *outputs, n int) {
	t.Helper()
	in, pub, sup, quar := o.totals()
	if in != int64(n) {
		t.Errorf("audit events count %d records in, want %d", in, n)
	}
	if in != pub+sup+quar {
		t.Errorf("accounting: in %d != published %d + suppressed %d + quarantined %d", in, pub, sup, quar)
	}
	if int(pub) != len(o.rows) {
		t.Errorf("audit says %d published, research topic holds %d rows", pub, len(o.rows))
	}
	var q int
	for _, c := range o.quarantined {
		q += c
	}
	if int64(q) != quar {
		t.Errorf("audit says %d quarantined, quarantine topic holds %d records", quar, q)
	}
	if d := o.duplicates(); d != 0 {
		t.Errorf("%d input offsets published more than once", d)
	}
	last := map[int32]int64{}
	for _, r := range o.rows {
		if l, ok := last[r.Partition]; ok && r.Offset <= l {
			t.Fatalf("partition %d: offset %d published after %d", r.Partition, r.Offset, l)
		}
		last[r.Partition] = r.Offset
	}
	if !o.report.OK {
		t.Errorf("audit log does not verify: %v", o.report.Findings)
	}
	windows := map[string]bool{} // a window number is a worker's own
	for _, w := range o.windows {
		k := fmt.Sprintf("%s/%d", w.WorkerID, w.Window)
		if windows[k] {
			t.Errorf("window number %d of %s used twice: numbers must stay unique across restarts", w.Window, w.WorkerID)
		}
		windows[k] = true
	}
}

func TestIntegrationExactlyOnce100k(t *testing.T) {
	n := 100_000
	if raceEnabled {
		n = 10_000
	}
	cfg := integrationConfig(t)
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	conn, err := cfg.Kafka.Opts()
	if err != nil {
		t.Fatal(err)
	}
	if err := produceSynthetic(ctx, conn, cfg.Topics.Input[0], n, 7, 0.01); err != nil {
		t.Fatal(err)
	}
	cfgPath, keys, researchKey := writeRunFiles(t, cfg)
	reg := prometheus.NewRegistry()
	w, err := app.NewWorker(ctx, cfg, keys, reg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	elapsed, err := runUntilSettled(ctx, w, reg, n)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d records settled in %v (%.0f records/s)", n, elapsed, float64(n)/elapsed.Seconds())
	o, err := readOutputs(ctx, cfg, conn, researchKey, keys.Signer.Verifier())
	if err != nil {
		t.Fatal(err)
	}
	checkExactlyOnce(t, o, n)
	for _, reason := range []string{pipeline.ReasonInvalidJSON, pipeline.ReasonInvalidUTF8, pipeline.ReasonOversized, "wrong_type:age"} {
		if o.quarantined[reason] == 0 {
			t.Errorf("no record quarantined as %s (reasons %v)", reason, o.quarantined)
		}
	}
	for _, w := range o.windows {
		if w.Privacy == nil || w.Privacy.AchievedK < cfg.Privacy.K {
			t.Fatalf("window %d: achieved privacy %+v, want k >= %d", w.Window, w.Privacy, cfg.Privacy.K)
		}
	}

	// Interop: Kafka's own console consumer sees every research batch, read_committed.
	printed := kafkatest.ConsoleConsumer(t, 2*time.Minute, "--topic", cfg.Topics.Research, "--from-beginning",
		"--isolation-level", "read_committed", "--max-messages", fmt.Sprint(o.batches), "--timeout-ms", "30000",
		"--property", "print.value=false", "--property", "print.headers=true")
	if got := strings.Count(string(printed), "deid-kind:research"); got != o.batches {
		t.Errorf("console consumer printed %d research batches, want %d:\n%.500s", got, o.batches, printed)
	}
	// `worker decrypt --topic` joins every batch into one Arrow file, and
	// pyarrow (an Arrow reader no one here wrote) reads every row of it.
	arrowFile := filepath.Join(t.TempDir(), "research.arrows")
	keyFile := filepath.Join(filepath.Dir(cfgPath), "research.key")
	var stderr strings.Builder
	if code := dispatch(ctx, stdio{Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: &stderr},
		[]string{"decrypt", "--key", keyFile, "--topic", cfg.Topics.Research, "-c", cfgPath, "--format", "arrow", "--out", arrowFile}); code != 0 {
		t.Fatalf("worker decrypt --topic exited %d: %s", code, stderr.String())
	}
	checkPyarrowReads(t, arrowFile, len(o.rows))
}

// checkPyarrowReads has pyarrow read an Arrow IPC file and count its rows.
func checkPyarrowReads(t *testing.T, path string, rows int) {
	t.Helper()
	if exec.Command("python3", "-c", "import pyarrow").Run() != nil {
		kafkatest.Unavailable(t, "pyarrow is not installed (scripts/setup.sh installs it)")
	}
	out, err := exec.Command("python3", "-c", `import sys, pyarrow.ipc as ipc
t = ipc.open_stream(open(sys.argv[1], "rb")).read_all()
print(t.num_rows, ",".join(t.column_names))`, path).CombinedOutput()
	if err != nil {
		t.Fatalf("pyarrow could not read the decrypted topic: %v\n%s", err, out)
	}
	fields := strings.Fields(string(out))
	if len(fields) != 2 || fields[0] != fmt.Sprint(rows) || !strings.HasPrefix(fields[1], "_source_topic,_source_partition,_source_offset,patient_id") {
		t.Errorf("pyarrow read %q, want %d rows and the research schema", out, rows)
	}
}
