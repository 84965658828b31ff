package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sort"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/deidstream/deidstream/audit"
	"github.com/deidstream/deidstream/envelope"
	"github.com/deidstream/deidstream/internal/app"
	"github.com/deidstream/deidstream/internal/config"
	"github.com/deidstream/deidstream/pipeline"
	"github.com/deidstream/deidstream/privacy/dp"
	"github.com/deidstream/deidstream/synth"
)

func init() {
	register(command{name: "demo", summary: "run the whole job on an in-process Kafka (kfake) with synthetic records and print a summary", run: runDemo})
}

func runDemo(ctx context.Context, s stdio, args []string) int {
	fs := newFlags(s, "demo", "[--records N] [--seed S] [--poison F] [--timeout D] [-v]",
		"Runs the whole job with no external service: an in-process Kafka (kfake), fresh keys, synthetic\n"+
			"records and the real worker; then reads every output back as a researcher and an auditor would\n"+
			"and prints a summary. Exits 1 if a check fails (accounting, audit log, achieved k below k).")
	n := fs.Int("records", 10000, "synthetic `records` to generate")
	seed := fs.Uint64("seed", 1, "generator `seed` (same seed, same records)")
	poison := fs.Float64("poison", 0.01, "`fraction` of bad records (invalid JSON or UTF-8, oversized, wrong types) for quarantine")
	timeout := fs.Duration("timeout", 5*time.Minute, "give up if the worker has not settled every record after this `duration`")
	verbose := fs.Bool("v", false, "show the worker's log on stderr")
	if code, ok := fs.parse(args); !ok {
		return code
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if *verbose {
		log = newLogger(s.Stderr, "debug")
	}
	if err := demo(ctx, s.Stdout, log, *n, *seed, *poison, *timeout); err != nil {
		fmt.Fprintln(s.Stderr, "worker demo:", err)
		return 1
	}
	return 0
}

func demo(ctx context.Context, out io.Writer, log *slog.Logger, n int, seed uint64, poison float64, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cfg, err := config.Demo()
	if err != nil {
		return err
	}
	secret := make([]byte, 32)
	rand.Read(secret)
	cfg.Redaction.Secret = hex.EncodeToString(secret)

	cluster, err := kfake.NewCluster(kfake.NumBrokers(1))
	if err != nil {
		return fmt.Errorf("starting kfake: %w", err)
	}
	defer cluster.Close()
	cfg.Kafka.Brokers = cluster.ListenAddrs()
	conn, err := cfg.Kafka.Opts()
	if err != nil {
		return err
	}
	keys, researchKey, err := demoKeys()
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "deidstream demo: %d synthetic records through the worker on an in-process Kafka (kfake)\n", n)
	start := time.Now()
	gen, err := produceSyntheticStats(ctx, conn, cfg.Topics.Input[0], n, seed, poison)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "  generated and produced in %v\n", time.Since(start).Round(time.Millisecond))

	reg := prometheus.NewRegistry()
	w, err := app.NewWorker(ctx, cfg, keys, reg, log)
	if err != nil {
		return err
	}
	start = time.Now()
	elapsed, err := runUntilSettled(ctx, w, reg, n)
	if err != nil {
		return err
	}
	o, err := readOutputs(ctx, cfg, conn, researchKey, keys.Signer.Verifier())
	if err != nil {
		return err
	}
	return printSummary(out, cfg, o, gen, elapsed)
}

// demoKeys makes fresh in-memory keys: research and security recipients and the audit signer.
func demoKeys() (app.Keys, *envelope.PrivateKey, error) {
	research, err := envelope.GenerateKey(rand.Reader)
	if err != nil {
		return app.Keys{}, nil, err
	}
	security, err := envelope.GenerateKey(rand.Reader)
	if err != nil {
		return app.Keys{}, nil, err
	}
	signer, err := audit.GenerateSigner("demo-audit", rand.Reader)
	if err != nil {
		return app.Keys{}, nil, err
	}
	if err := errors.Join(research.SetName("research"), security.SetName("security")); err != nil {
		return app.Keys{}, nil, err
	}
	return app.Keys{Research: []*envelope.PublicKey{research.Public()},
		Quarantine: []*envelope.PublicKey{security.Public()}, Signer: signer}, research, nil
}

// produceSynthetic creates topic if needed (large enough for the oversized
// poison) and appends n records to it.
func produceSynthetic(ctx context.Context, conn []kgo.Opt, topic string, n int, seed uint64, poison float64) error {
	_, err := produceSyntheticStats(ctx, conn, topic, n, seed, poison)
	return err
}

// produceSyntheticStats is produceSynthetic, returning what the generator made.
func produceSyntheticStats(ctx context.Context, conn []kgo.Opt, topic string, n int, seed uint64, poison float64) (synth.Stats, error) {
	const maxBytes = 4 << 20
	cl, err := kgo.NewClient(append(conn, kgo.ProducerBatchMaxBytes(maxBytes), kgo.ProducerLinger(5*time.Millisecond))...)
	if err != nil {
		return synth.Stats{}, err
	}
	defer cl.Close()
	mb := fmt.Sprint(maxBytes)
	resp, err := kadm.NewClient(cl).CreateTopic(ctx, 3, -1, map[string]*string{"max.message.bytes": &mb}, topic)
	if err == nil {
		err = resp.Err
	}
	if err != nil && !errors.Is(err, kerr.TopicAlreadyExists) {
		return synth.Stats{}, fmt.Errorf("creating input topic %s: %w", topic, err)
	}
	g := synth.NewGenerator(synth.Options{Seed: seed, Poison: poison})
	var perr error
	for range n {
		rec, _ := g.Next()
		cl.Produce(ctx, &kgo.Record{Topic: topic, Value: rec}, func(_ *kgo.Record, err error) {
			if err != nil && perr == nil {
				perr = err
			}
		})
	}
	if err := cl.Flush(ctx); err != nil {
		return g.Stats(), fmt.Errorf("flushing synthetic records: %w", err)
	}
	if perr != nil {
		return g.Stats(), fmt.Errorf("producing synthetic records: %w", perr)
	}
	return g.Stats(), nil
}

// runUntilSettled runs w until n records are published, suppressed or
// quarantined in committed windows, then stops it as SIGTERM would.
func runUntilSettled(ctx context.Context, w *pipeline.Worker, reg prometheus.Gatherer, n int) (time.Duration, error) {
	rctx, stop := context.WithCancel(ctx)
	defer stop()
	errc := make(chan error, 1)
	start := time.Now()
	go func() { errc <- w.Run(rctx) }()
	tick := time.NewTicker(25 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case err := <-errc:
			if err == nil {
				err = errors.New("worker stopped before settling every record")
			}
			return 0, err
		case <-ctx.Done():
			return 0, fmt.Errorf("records not settled in time: %w", ctx.Err())
		case <-tick.C:
			if settledRecords(reg) >= float64(n) {
				elapsed := time.Since(start)
				stop()
				return elapsed, <-errc
			}
		}
	}
}

// settledRecords sums the committed published, suppressed and quarantined counters.
func settledRecords(reg prometheus.Gatherer) float64 {
	return counter(reg, "deid_records_published_total") + counter(reg, "deid_records_suppressed_total") +
		counter(reg, "deid_records_quarantined_total")
}

// decodeReasons are the quarantine reason classes of records the worker could
// not read as the input schema says: what the generator's poison is made to hit.
var decodeReasons = map[string]bool{pipeline.ReasonOversized: true, pipeline.ReasonInvalidUTF8: true,
	pipeline.ReasonInvalidJSON: true, pipeline.ReasonNotObject: true, pipeline.ReasonMissing: true, pipeline.ReasonWrongType: true}

func printSummary(out io.Writer, cfg *config.Config, o *outputs, gen synth.Stats, elapsed time.Duration) error {
	n := gen.Records
	in, pub, sup, quar := o.totals()
	phi := map[string]int64{}
	minK, maxNCP, kWindows := int(^uint(0)>>1), 0.0, 0
	for _, w := range o.windows {
		for t, c := range w.PHICounts {
			phi[t] += c
		}
		if w.Privacy != nil && w.Published > 0 { // a window withheld whole releases no class
			minK, maxNCP, kWindows = min(minK, w.Privacy.AchievedK), max(maxNCP, w.Privacy.NCP), kWindows+1
		}
	}
	var spent, budget float64
	if len(o.windows) > 0 {
		if last := o.windows[len(o.windows)-1]; last.DP != nil {
			spent, budget = last.DP.Spent, last.DP.Budget
		}
	}
	var quarCount, atDecode int
	for r, c := range o.quarantined {
		quarCount += c
		if class, _, _ := strings.Cut(r, ":"); decodeReasons[class] {
			atDecode += c
		}
	}
	ok := func(b bool) string {
		if b {
			return "ok"
		}
		return "FAILED"
	}
	accounting := in == int64(n) && in == pub+sup+quar && int(pub) == len(o.rows) && int(quar) == quarCount && o.duplicates() == 0
	kOK := !cfg.PrivacyEnabled() || pub == 0 || (kWindows > 0 && minK >= cfg.Privacy.K)
	fmt.Fprintf(out, "  records in            %d\n", in)
	fmt.Fprintf(out, "  published             %d rows in %d sealed Arrow batches over %d windows\n", pub, o.batches, len(o.windows))
	fmt.Fprintf(out, "  suppressed            %d (k-anonymity, k=%d)\n", sup, cfg.Privacy.K)
	fmt.Fprintf(out, "  quarantined           %d %s\n", quar, countList(o.quarantined))
	fmt.Fprintf(out, "                        %s\n", explainQuarantine(gen, atDecode, quarCount-atDecode))
	fmt.Fprintf(out, "  accounting            %s: in = published + suppressed + quarantined, no input offset twice\n", ok(accounting))
	fmt.Fprintf(out, "  throughput            %.0f records/s (%v from start to last commit)\n", float64(n)/elapsed.Seconds(), elapsed.Round(time.Millisecond))
	fmt.Fprintf(out, "  PHI found             %s\n", countList(phi))
	if cfg.PrivacyEnabled() {
		if kWindows == 0 {
			fmt.Fprintf(out, "  privacy               %s: no window released rows to check k=%d on\n", ok(kOK), cfg.Privacy.K)
		} else {
			fmt.Fprintf(out, "  privacy               %s: achieved k >= %d in every window (configured k=%d), NCP <= %.3f\n", ok(kOK), minK, cfg.Privacy.K, maxNCP)
		}
	}
	if cfg.DPEnabled() {
		fmt.Fprintf(out, "  DP statistics         %d sealed releases, %s\n", o.stats, budgetWords(cfg.DP.WithDefaults().Accounting, spent, budget))
	}
	fmt.Fprintf(out, "  audit log             %s: %d messages, signed checkpoints verified (Ed25519 + ML-DSA-65)\n", ok(o.report.OK), o.report.Messages)
	if len(o.rows) > 0 {
		fmt.Fprintln(out, "  first published row (synthetic data):")
		r := o.rows[0]
		for i, c := range o.columns {
			v := r.Values[i]
			if len(v) > 240 {
				v = v[:240] + "..."
			}
			fmt.Fprintf(out, "    %-15s %s\n", c, strings.ReplaceAll(v, "\n", " "))
		}
	}
	if !accounting || !o.report.OK || !kOK {
		return errors.New("the outputs did not check out (see FAILED above)")
	}
	return nil
}

// budgetWords names what the DP budget is counted in: epsilon under pure DP,
// rho under zCDP.
func budgetWords(accounting string, spent, budget float64) string {
	unit := "rho"
	if accounting == dp.Pure {
		unit = "epsilon"
	}
	return fmt.Sprintf("%s spent %.2f of %.2f (%s accounting)", unit, spent, budget, accounting)
}

// explainQuarantine relates the quarantine count to the generator's poison:
// poison that breaks the input schema is quarantined at decode; poison whose
// only fault is a wrong type in a field the schema does not type (a name
// written as a number) is readable, and the policy drops that field, so it is
// published; records the field policy refuses are quarantined on top.
func explainQuarantine(gen synth.Stats, atDecode, byPolicy int) string {
	kinds := make([]string, 0, len(synth.PoisonKinds))
	for i, k := range synth.PoisonKinds {
		kinds = append(kinds, fmt.Sprintf("%s %d", k, gen.PoisonByKind[i]))
	}
	s := fmt.Sprintf("the generator made %d poison records (%s); %d failed the input schema", gen.Poison, strings.Join(kinds, ", "), atDecode)
	if readable := gen.Poison - atDecode; readable > 0 {
		s += fmt.Sprintf("; readable and published: %d (a wrong type in a field the schema does not type and the policy drops)", readable)
	}
	if byPolicy > 0 {
		s += fmt.Sprintf("; %d more refused by the field policy", byPolicy)
	}
	return s
}

// countList formats counts largest first: "NAME 120, DATE 80".
func countList[V int | int64](m map[string]V) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return m[keys[i]] > m[keys[j]] || m[keys[i]] == m[keys[j]] && keys[i] < keys[j] })
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s %d", k, m[k])
	}
	return strings.Join(parts, ", ")
}
