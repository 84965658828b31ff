package main

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	mrand "math/rand/v2"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/deidstream/deidstream/audit"
	"github.com/deidstream/deidstream/internal/config"
	"github.com/deidstream/deidstream/kafkaconn"
)

// Given names and surnames kept apart, so that "Dr. <surname>" can only be a
// part of the one full name of the patient with that surname.
var (
	killGiven = []string{"James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David",
		"Elizabeth", "William", "Barbara", "Richard", "Susan", "Joseph", "Jessica"}
	killSurnames = []string{"Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis",
		"Rodriguez", "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Taylor"}
)

// killNote is one input record: a note naming two of its patient's people.
type killNote struct {
	patient string
	a, b    int // indexes into the patient's names
}

const killNoteWant = `^Dr\. \[NAME_(\d+)\] saw the patient with Dr\. \[NAME_(\d+)\]\. Dr\. \[NAME_(\d+)\] will follow up\.$`

// A worker killed (SIGKILL) at random moments while it numbers placeholders,
// restarted each time, then run to the end: every name of a patient has one
// placeholder in all the patient's published notes, whichever run published
// them; no placeholder stands for two names; and each patient's numbers are
// 1..k without gaps, so nothing numbered in a window that died was kept.
func TestIntegrationPlaceholderNumberingSurvivesKills(t *testing.T) {
	const patients, namesPer, notesPer, kills = 400, 6, 40, 3
	cfg := integrationConfig(t)
	cfg.Privacy.QuasiIdentifiers = nil // every record published: each one is a check
	cfg.DP.Dataset = ""
	cfg.Window.MaxRecords = 250
	cfg.Kafka.TransactionTimeout = 10 * time.Second // a killed worker's open transaction holds a restart this long
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	conn, _ := cfg.Kafka.Opts()
	if err := produceSynthetic(ctx, conn, cfg.Topics.Input[0], 0, 1, 0); err != nil { // creates the topic
		t.Fatal(err)
	}

	r := mrand.New(mrand.NewPCG(3, 9))
	names := map[string][][2]string{} // patient -> full names
	for p := range patients {
		pid := fmt.Sprintf("PAT-%05d", p)
		for _, s := range r.Perm(len(killSurnames))[:namesPer] {
			names[pid] = append(names[pid], [2]string{killGiven[r.IntN(len(killGiven))], killSurnames[s]})
		}
	}
	// Rounds of one note per patient; each note names two of its patient's people.
	var notes []killNote
	var values [][]byte
	byValue := map[string]killNote{}
	for i := range notesPer {
		for p := range patients {
			pid := fmt.Sprintf("PAT-%05d", p)
			ab := r.Perm(namesPer)
			n := killNote{pid, ab[0], ab[1]}
			a, b := names[pid][n.a], names[pid][n.b]
			v, _ := json.Marshal(map[string]any{"patient_id": pid, "age": 30 + i,
				"note": fmt.Sprintf("Dr. %s %s saw the patient with Dr. %s %s. Dr. %s will follow up.", a[0], a[1], b[0], b[1], a[1])})
			byValue[string(v)] = n
			notes, values = append(notes, n), append(values, v)
		}
	}
	cl, err := kgo.NewClient(conn...)
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	// The feeder keeps at most two rounds ahead of what is committed, a round
	// per 500 ms at most, so the worker is mid-stream when it is killed.
	fed := make(chan error, 1)
	auditTopic := cfg.Topics.Audit // cfg is written below, while the feeder runs
	go func() {
		for i := range notesPer {
			time.Sleep(500 * time.Millisecond)
			for {
				c, err := committedIn(ctx, conn, auditTopic)
				if err != nil {
					fed <- err
					return
				}
				if c >= int64((i-2)*patients) {
					break
				}
				time.Sleep(100 * time.Millisecond)
			}
			for k := i * patients; k < (i+1)*patients; k++ {
				cl.Produce(ctx, &kgo.Record{Topic: cfg.Topics.Input[0], Key: []byte(notes[k].patient), Value: values[k]}, nil)
			}
			if err := cl.Flush(ctx); err != nil {
				fed <- err
				return
			}
		}
		fed <- nil
	}()

	bin := buildWorker(t)
	cfgPath, keys, research := writeRunFiles(t, cfg)
	for i := range kills {
		// Kill once this run has committed a window, at a random moment after:
		// within a window, while publishing, or between windows.
		before := settledIn(ctx, t, cfg)
		cmd := startWorker(t, bin, cfgPath)
		waitFor(t, 2*time.Minute, "the restarted worker to commit a window", func() bool {
			c := settledIn(ctx, t, cfg)
			return c > before || c == int64(len(notes))
		})
		ms, _ := rand.Int(rand.Reader, big.NewInt(1500))
		time.Sleep(time.Duration(ms.Int64()) * time.Millisecond)
		if err := cmd.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		_ = cmd.Wait()
		t.Logf("kill %d: %d of %d records committed so far", i+1, settledIn(ctx, t, cfg), len(notes))
	}
	starts := lifecycleCount(ctx, t, cfg, "start")
	cmd := startWorker(t, bin, cfgPath)
	waitFor(t, 5*time.Minute, "every record to be committed", func() bool { return settledIn(ctx, t, cfg) >= int64(len(notes)) })
	if err := <-fed; err != nil {
		t.Fatal(err)
	}
	// A worker still starting exits 1 on SIGTERM: wait until it runs.
	waitFor(t, 2*time.Minute, "the last worker to start", func() bool { return lifecycleCount(ctx, t, cfg, "start") > starts })
	stopGracefully(t, cmd, 30*time.Second)

	o, err := readOutputs(ctx, cfg, conn, research, keys.Signer.Verifier())
	if err != nil {
		t.Fatal(err)
	}
	checkExactlyOnce(t, o, len(notes))
	in, err := kafkaconn.ReadAll(ctx, conn, cfg.Topics.Input[0])
	if err != nil {
		t.Fatal(err)
	}
	source := map[string]killNote{}
	for _, rec := range in {
		source[fmt.Sprint(rec.Partition, "/", rec.Offset)] = byValue[string(rec.Value)]
	}
	noteCol := -1
	for i, c := range o.columns {
		if c == "note" {
			noteCol = i
		}
	}
	want := regexp.MustCompile(killNoteWant)
	number := map[[2]string]int{}    // patient, name -> placeholder number
	holder := map[[2]string]string{} // patient, number -> name
	checked := 0
	for _, row := range o.rows {
		n, ok := source[fmt.Sprint(row.Partition, "/", row.Offset)]
		if !ok || n.patient == "" {
			t.Fatalf("row %d/%d matches no input", row.Partition, row.Offset)
		}
		m := want.FindStringSubmatch(row.Values[noteCol])
		if m == nil {
			t.Errorf("note of %s not redacted as the template: %q", n.patient, row.Values[noteCol])
			continue
		}
		checked++
		for i, idx := range []int{n.a, n.b, n.a} {
			num, _ := strconv.Atoi(m[i+1])
			full := names[n.patient][idx][0] + " " + names[n.patient][idx][1]
			k := [2]string{n.patient, full}
			if prev, ok := number[k]; ok && prev != num {
				t.Fatalf("patient %s: one name published as [NAME_%d] and [NAME_%d]", n.patient, prev, num)
			}
			number[k] = num
			hk := [2]string{n.patient, strconv.Itoa(num)}
			if prev, ok := holder[hk]; ok && prev != full {
				t.Fatalf("patient %s: [NAME_%d] published for two names", n.patient, num)
			}
			holder[hk] = full
		}
	}
	if checked != len(notes) {
		t.Fatalf("%d of %d notes checked", checked, len(notes))
	}
	highest := map[string]int{}
	for k, num := range number {
		highest[k[0]] = max(highest[k[0]], num)
	}
	for p, h := range highest {
		if distinct := countNames(number, p); h != distinct {
			t.Errorf("patient %s: %d names numbered up to [NAME_%d]: numbers were lost or skipped", p, distinct, h)
		}
	}
}

func countNames(number map[[2]string]int, patient string) int {
	n := 0
	for k := range number {
		if k[0] == patient {
			n++
		}
	}
	return n
}

// lifecycleCount counts the lifecycle events of one type in the audit log.
func lifecycleCount(ctx context.Context, t *testing.T, cfg *config.Config, kind string) int {
	conn, _ := cfg.Kafka.Opts()
	msgs, err := audit.ReadTopic(ctx, cfg.Topics.Audit, conn...)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, m := range msgs {
		if d, err := audit.DecodeEntry(m.Value); err == nil && d.Lifecycle != nil && d.Lifecycle.Type == kind {
			n++
		}
	}
	return n
}

// committedIn is settledIn for a goroutine: the records in committed windows.
func committedIn(ctx context.Context, conn []kgo.Opt, auditTopic string) (int64, error) {
	msgs, err := audit.ReadTopic(ctx, auditTopic, conn...)
	if errors.Is(err, kerr.UnknownTopicOrPartition) {
		return 0, nil // the worker has not created it yet
	}
	if err != nil {
		return 0, err
	}
	var in int64
	for _, m := range msgs {
		if d, err := audit.DecodeEntry(m.Value); err == nil && d.Window != nil {
			in += d.Window.RecordsIn
		}
	}
	return in, nil
}
