// Command pipeline measures the worker against a bare franz-go pipe on the
// same broker in the same run: records/s for ~1 KB JSON records, as a ratio.
//
//	go run ./benchmarks/pipeline -brokers 127.0.0.1:19092 -records 200000
//
// The bare pipe is the floor any exactly-once worker pays: a
// GroupTransactSession that reads records read_committed and writes each one
// unchanged to an output topic, one transaction per poll of up to -window
// records. The worker runs its stage graph with -stages:
//   - skeleton: decode, window, Arrow encode, seal, audit with pass-through
//     detection and no privacy models (what issue 2 calls the skeleton);
//   - full: the configured detection, redaction, k-anonymity, envelope and audit.
//
// Beside each time it prints the CPU this process used over the timed part and
// how busy the whole machine was (the broker shares it): a run with the
// machine near 100 % busy is bound by CPU, not by waiting on the broker.
//
// -monitor-rounds N then runs the worker 2N more times on the same input,
// alternating the residual-PHI monitor off and at its default sample (every
// 100th record, first window not inspected whole), and prints their ratio:
//
//	go run ./benchmarks/pipeline -brokers 127.0.0.1:19092 -records 50000 -stages full -monitor-rounds 3
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

func main() {
	brokers := flag.String("brokers", "127.0.0.1:19092", "Kafka brokers, comma-separated")
	records := flag.Int("records", 200000, "records per run")
	size := flag.Int("size", 1024, "approximate record size in bytes")
	window := flag.Int("window", 10000, "records per transaction (both sides)")
	partitions := flag.Int("partitions", 3, "input topic partitions")
	stages := flag.String("stages", "skeleton", "worker stages: skeleton or full")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the worker's run to this file")
	monitor := flag.String("monitor", "default", "residual-PHI monitor of the worker's run: default, sample or off")
	rounds := flag.Int("monitor-rounds", 0, "then compare the monitor off and at its sample over this many alternating rounds")
	flag.Parse()
	conn := []kgo.Opt{kgo.SeedBrokers(strings.Split(*brokers, ",")...)}
	ctx := context.Background()

	run := fmt.Sprintf("bench-%d", time.Now().UnixNano())
	in := run + "-in"
	must(createTopics(ctx, conn, int32(*partitions), in, run+"-bare-out", run+"-warm-out"))
	start := time.Now()
	must(produce(ctx, conn, in, *records, *size))
	log.Printf("produced %d records of ~%d B in %v", *records, *size, time.Since(start).Round(time.Millisecond))

	// One untimed pass of the bare pipe first: on a broker just started the first transactional pipe ran
	// at half the speed of the next ones (151k against 287k-369k records/s, 2026-12-04), and the worker,
	// timed after it, would gain from the warming it did.
	_, _, err := barePipe(ctx, conn, in, run+"-warm-out", run+"-warm", *records, *window)
	must(err)
	bare, bareCPU, err := barePipe(ctx, conn, in, run+"-bare-out", run+"-bare", *records, *window)
	must(err)
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		must(err)
		must(pprof.StartCPUProfile(f))
	}
	worker, workerCPU, err := runWorker(ctx, strings.Split(*brokers, ","), run, in, *records, *window, *stages, *monitor)
	pprof.StopCPUProfile()
	must(err)
	fmt.Printf("records=%d size=%dB window=%d partitions=%d stages=%s\n", *records, *size, *window, *partitions, *stages)
	fmt.Printf("bare franz-go transactional pipe: %8.0f records/s (%v)\n", float64(*records)/bare.Seconds(), bare.Round(time.Millisecond))
	fmt.Printf("deidstream worker (%s):%s %8.0f records/s (%v)\n", *stages, strings.Repeat(" ", max(0, 10-len(*stages))),
		float64(*records)/worker.Seconds(), worker.Round(time.Millisecond))
	fmt.Printf("ratio worker/bare: %.2f\n", bare.Seconds()/worker.Seconds())
	// With the machine near 100 % busy over the timed part, a faster run
	// needs less CPU, not more overlap of the worker's stages.
	fmt.Printf("CPU, bare pipe: %s\nCPU, worker: %s\n", bareCPU, workerCPU)
	if *rounds > 0 {
		compareMonitor(ctx, strings.Split(*brokers, ","), run, in, *records, *window, *stages, *rounds)
	}
}

// compareMonitor runs the worker alternately without and with the
// residual-PHI monitor's sampling on the same input, each run in a group of
// its own, and prints the throughput of each and the ratio of the totals.
func compareMonitor(ctx context.Context, brokers []string, run, in string, n, window int, stages string, rounds int) {
	total := map[string]time.Duration{}
	for r := range rounds {
		for _, m := range []string{"off", "sample"} {
			d, _, err := runWorker(ctx, brokers, fmt.Sprintf("%s-%s-%d", run, m, r), in, n, window, stages, m)
			must(err)
			total[m] += d
			fmt.Printf("round %d monitor %-6s %8.0f records/s (%v)\n", r+1, m, float64(n)/d.Seconds(), d.Round(time.Millisecond))
		}
	}
	fmt.Printf("monitor at its sample / off, records/s over %d rounds: %.3f\n", rounds, total["off"].Seconds()/total["sample"].Seconds())
}

func must(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchmark failed:", err)
		os.Exit(1)
	}
}

func createTopics(ctx context.Context, conn []kgo.Opt, partitions int32, topics ...string) error {
	cl, err := kgo.NewClient(conn...)
	if err != nil {
		return err
	}
	defer cl.Close()
	resp, err := kadm.NewClient(cl).CreateTopics(ctx, partitions, -1, nil, topics...)
	if err != nil {
		return fmt.Errorf("creating topics: %w", err)
	}
	return resp.Error()
}

// produce writes n JSON records of about size bytes, shaped like patient records.
func produce(ctx context.Context, conn []kgo.Opt, topic string, n, size int) error {
	cl, err := kgo.NewClient(append(conn, kgo.ProducerLinger(5*time.Millisecond))...)
	if err != nil {
		return err
	}
	defer cl.Close()
	for i := range n {
		cl.Produce(ctx, &kgo.Record{Topic: topic, Value: benchRecord(i, size)}, nil)
	}
	return cl.Flush(ctx)
}

var words = strings.Fields("patient presents with chest pain shortness of breath history of hypertension " +
	"diabetes mellitus type two on metformin lisinopril follow up in clinic vitals stable afebrile")

func benchRecord(i, size int) []byte {
	var note strings.Builder
	for j := 0; note.Len() < size-220; j++ {
		note.WriteString(words[(i*7+j*13)%len(words)])
		note.WriteByte(' ')
	}
	return fmt.Appendf(nil, `{"patient_id":"P%07d","age":%d,"sex":"%s","zip":"%05d","diagnosis_code":"E11.%d","note":%q}`,
		i, 20+i%70, []string{"F", "M"}[i%2], 10000+(i*37)%89999, i%10, note.String())
}

// barePipe copies n records from in to out exactly once and returns how long
// it took and the CPU it used, both from the first record polled.
func barePipe(ctx context.Context, conn []kgo.Opt, in, out, group string, n, window int) (time.Duration, string, error) {
	sess, err := kgo.NewGroupTransactSession(append(conn,
		kgo.ConsumerGroup(group), kgo.ConsumeTopics(in), kgo.TransactionalID(group),
		kgo.FetchIsolationLevel(kgo.ReadCommitted()), kgo.RequireStableFetchOffsets(),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))...)
	if err != nil {
		return 0, "", err
	}
	defer sess.Close()
	var start time.Time
	var mark cpuMark
	done := 0
	for done < n {
		fs := sess.PollRecords(ctx, window)
		if err := fs.Err0(); err != nil {
			return 0, "", err
		}
		if fs.NumRecords() == 0 {
			continue
		}
		if start.IsZero() {
			start, mark = time.Now(), markCPU()
		}
		if err := sess.Begin(); err != nil {
			return 0, "", err
		}
		fs.EachRecord(func(r *kgo.Record) {
			sess.Produce(ctx, &kgo.Record{Topic: out, Value: r.Value}, nil)
			done++
		})
		if ok, err := sess.End(ctx, kgo.TryCommit); err != nil || !ok {
			return 0, "", fmt.Errorf("bare pipe transaction not committed: %v", err)
		}
	}
	return time.Since(start), mark.since(), nil
}
