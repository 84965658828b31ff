// Command chaos runs the worker through faults on a local 3-broker KRaft
// cluster (deploy/kafka/kafka.sh, replication factor 3, min.insync.replicas 2,
// loopback only) and tabulates, for each scenario, the records in, published,
// suppressed, quarantined, lost and duplicated (from `worker audit reconcile`),
// the recovery time and whether the audit log verifies.
//
//	go run ./benchmarks/chaos            # the long form: ~30 minutes
//	go run ./benchmarks/chaos -short     # what CI runs (TestIntegrationChaosShort): ~6 minutes
//	go run ./benchmarks/chaos -run tcp   # only the scenarios whose key matches
//
// Each scenario has topics and a consumer group of its own, three workers
// (separate processes of the real binary) and input at -rate records/s
// (1% malformed) while its faults run; then the input stops, every record is
// waited for, the workers stop (SIGTERM), and reconcile accounts for every
// input offset. Recovery is the longest time from a fault (a kill, or the
// cluster's return) to the next committed window of the worker it hit (of
// every worker, for a broker fault). Exit 1 if any row lost or duplicated a
// record, or failed.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"time"
)

func main() {
	short := flag.Bool("short", false, "the short form: one broker kill, five worker kills, one 90 s outage")
	rate := flag.Int("rate", 200, "input records per second during a scenario")
	outageFor := flag.Duration("outage", 5*time.Minute, "whole-cluster outage of the long form")
	only := flag.String("run", "", "run only the scenarios whose key matches this `regexp` (worker-kills, broker-kill, outage, stall, rolling, rebalance, tcp-stall, tcp-resets, slow-link)")
	keep := flag.Bool("keep", false, "keep the cluster's state, the configs and the worker logs (printed at the end)")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	scenarios := longForm(*outageFor)
	if *short {
		scenarios = shortForm()
	}
	if *only != "" {
		re, err := regexp.Compile(*only)
		if err != nil {
			fmt.Fprintln(os.Stderr, "chaos: -run:", err)
			os.Exit(2)
		}
		scenarios = slices.DeleteFunc(scenarios, func(s scenario) bool { return !re.MatchString(s.key) })
	}
	// The long form reaches the brokers through fault-injecting proxies (for its TCP faults).
	rows, dir, err := runAll(ctx, scenarios, *rate, !*short, os.Stderr)
	if !*keep {
		os.RemoveAll(dir)
	} else {
		fmt.Fprintln(os.Stderr, "chaos: state, configs and worker logs kept in", dir)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "chaos:", err)
		os.Exit(1)
	}
	fmt.Print(table(rows))
	for _, r := range rows {
		if r.Err != nil || r.Lost != 0 || r.Dup != 0 || !r.AuditVerified {
			os.Exit(1)
		}
	}
}

// shortForm is item 7 of issue 11: what CI runs.
func shortForm() []scenario {
	return []scenario{brokerKill(20 * time.Second), workerKills(5), outage(90*time.Second, false, 15)}
}

// longForm is the whole suite.
func longForm(outageFor time.Duration) []scenario {
	return []scenario{
		workerKills(20),
		brokerKill(30 * time.Second),
		outage(outageFor, false, 20),
		outage(time.Minute, true, 15),
		rollingRestart(),
		rebalances(30*time.Second, 10*time.Minute),
		tcpStall(45 * time.Second),
		tcpResets(5*time.Second, time.Minute),
		slowLink(50*time.Millisecond, time.Minute),
	}
}

// runAll starts the cluster, runs every scenario on it, and stops it.
func runAll(ctx context.Context, scenarios []scenario, rate int, proxied bool, log io.Writer) ([]row, string, error) {
	root, err := repoRoot()
	if err != nil {
		return nil, "", err
	}
	dir, err := os.MkdirTemp("", "deid-chaos-")
	if err != nil {
		return nil, "", err
	}
	start := time.Now()
	cl, err := startCluster(ctx, root, dir+"/kafka", 3, proxied, log)
	if err != nil {
		return nil, dir, err
	}
	defer cl.stop()
	fmt.Fprintf(log, "chaos: 3-node cluster up in %v at %s\n", time.Since(start).Round(time.Second), strings.Join(cl.brokers, ","))
	h, err := newHarness(ctx, root, dir, cl, rate, log)
	if err != nil {
		return nil, dir, err
	}
	var rows []row
	for _, s := range scenarios {
		if ctx.Err() != nil {
			break
		}
		h.logf("scenario %q", s.name)
		r := h.execute(ctx, s)
		h.logf("%s", strings.TrimSpace(table([]row{r})))
		rows = append(rows, r)
	}
	return rows, dir, ctx.Err()
}

// table renders rows as a Markdown table.
func table(rows []row) string {
	var b strings.Builder
	b.WriteString("| scenario | records in | published | suppressed | quarantined | lost | duplicated | recovery | audit verified | notes |\n")
	b.WriteString("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |\n")
	for _, r := range rows {
		rec := "never"
		if r.Recovery >= 0 {
			rec = r.Recovery.Round(100 * time.Millisecond).String()
		}
		verified := "yes"
		if !r.AuditVerified {
			verified = "no"
		}
		notes := r.Notes
		if r.Err != nil {
			notes = strings.TrimSpace(notes + " FAILED: " + strings.ReplaceAll(r.Err.Error(), "\n", " "))
		}
		fmt.Fprintf(&b, "| %s | %d | %d | %d | %d | %d | %d | %s | %s | %s |\n", r.Scenario, r.In, r.Published,
			r.Suppressed, r.Quarantined, r.Lost, r.Dup, rec, verified, strings.ReplaceAll(notes, "|", "/"))
	}
	return b.String()
}
