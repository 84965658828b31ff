package main

import (
	"context"
	"fmt"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/deidstream/deidstream/internal/app"
	"github.com/deidstream/deidstream/internal/config"
	"github.com/deidstream/deidstream/pipeline"
)

func init() {
	register(command{name: "backfill", summary: "re-process the input topics' history up to their current end, exactly once, then stop", run: runBackfill})
}

func runBackfill(ctx context.Context, s stdio, args []string) int {
	fs := newFlags(s, "backfill", "[-c config.yaml] [--group G] [--worker-id ID]",
		"Reads the input topics from the start (or where this group stopped) to their end offsets measured now,\n"+
			"through the same stages and transactions as worker run, then exits 0. Records produced later are\n"+
			"left to the live workers. Run one backfill worker per group; interrupted, the same group resumes.\n"+
			"Progress goes to stderr: a bar on a terminal, a line per window otherwise.")
	var cfgPath, group, id string
	fs.configFlag(&cfgPath, "config.yaml", "config `file`, as for worker run")
	fs.StringVar(&group, "group", "", "consumer `group` of the backfill (default: kafka.group_id + \"-backfill\"); the same group again resumes")
	fs.StringVar(&id, "worker-id", "", "worker `id` of the backfill (default: worker.id + \"-backfill\"); must differ from live workers' ids")
	if code, ok := fs.parse(args); !ok {
		return code
	}
	fail := func(err error) int {
		fmt.Fprintln(s.Stderr, "worker backfill:", err)
		return 1
	}
	cfg, keys, err := loadRunConfig(cfgPath)
	if err != nil {
		return fail(err)
	}
	cfg.Kafka.GroupID = or(group, cfg.Kafka.GroupID+"-backfill")
	cfg.Worker.ID = or(id, cfg.Worker.ID+"-backfill")
	cfg.Ops.Listen = "" // the live worker on this host owns the ops port
	ends, todo, err := endOffsets(ctx, cfg)
	if err != nil {
		return fail(err)
	}
	reg := prometheus.NewRegistry()
	log := newLogger(s.Stderr, cfg.Ops.LogLevel)
	warnInsecure(log, cfg)
	w, err := app.NewWorker(ctx, cfg, keys, reg, log, pipeline.WithStopAt(ends))
	if err != nil {
		return fail(err)
	}
	prog := newProgress(s.Stderr, "worker backfill", "records", todo)
	stop := make(chan struct{})
	watched := make(chan struct{})
	go func() { // the committed counters are the progress: a record counts once its window committed
		defer close(watched)
		t := time.NewTicker(500 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				prog.Set(int64(settledRecords(reg)))
			}
		}
	}()
	err = w.Run(ctx)
	close(stop)
	<-watched
	prog.Set(int64(settledRecords(reg)))
	prog.Done()
	if err != nil {
		return fail(err)
	}
	if ctx.Err() != nil {
		fmt.Fprintln(s.Stderr, "worker backfill: interrupted; run it again with the same group to resume")
		return 1
	}
	fmt.Fprintf(s.Stdout, "backfill done: group %s, worker %s: %.0f records published, %.0f suppressed, %.0f quarantined\n",
		cfg.Kafka.GroupID, cfg.Worker.ID, counter(reg, "deid_records_published_total"),
		counter(reg, "deid_records_suppressed_total"), counter(reg, "deid_records_quarantined_total"))
	return 0
}

// endOffsets lists the input partitions' end offsets now: where the backfill
// stops. A partition the group has already committed to its end (a resumed
// backfill) gets 0: there is nothing left to wait for there. todo is about
// how many records remain, for the progress line (transaction markers take
// offsets too, so it may count a few more than there are).
func endOffsets(ctx context.Context, cfg *config.Config) (ends map[string]map[int32]int64, todo int64, err error) {
	conn, err := cfg.Kafka.Opts()
	if err != nil {
		return nil, 0, err
	}
	cl, err := kgo.NewClient(conn...)
	if err != nil {
		return nil, 0, err
	}
	defer cl.Close()
	adm := kadm.NewClient(cl)
	listed, err := adm.ListEndOffsets(ctx, cfg.Topics.Input...)
	if err == nil {
		err = listed.Error()
	}
	if err != nil {
		return nil, 0, fmt.Errorf("listing end offsets of the input topics: %w", err)
	}
	starts, err := adm.ListStartOffsets(ctx, cfg.Topics.Input...)
	if err == nil {
		err = starts.Error()
	}
	if err != nil {
		return nil, 0, fmt.Errorf("listing start offsets of the input topics: %w", err)
	}
	committed, err := fetchOffsets(ctx, adm, cfg.Kafka.GroupID)
	if err != nil {
		return nil, 0, fmt.Errorf("fetching the committed offsets of group %s: %w", cfg.Kafka.GroupID, err)
	}
	ends = map[string]map[int32]int64{}
	listed.Each(func(o kadm.ListedOffset) {
		if ends[o.Topic] == nil {
			ends[o.Topic] = map[int32]int64{}
		}
		end := o.Offset
		from := int64(0)
		if st, ok := starts.Lookup(o.Topic, o.Partition); ok {
			from = st.Offset
		}
		if c, ok := committed.Lookup(o.Topic, o.Partition); ok {
			from = max(from, c.At)
			if c.At >= end {
				end = 0
			}
		}
		ends[o.Topic][o.Partition] = end
		if end > from {
			todo += end - from
		}
	})
	return ends, todo, nil
}

// fetchOffsets fetches a group's committed offsets, retrying for up to 30 s
// while the group coordinator is not ready (on a new cluster it is created on
// the first lookup).
func fetchOffsets(ctx context.Context, adm *kadm.Client, group string) (kadm.OffsetResponses, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	for {
		offs, err := adm.FetchOffsets(ctx, group)
		if err == nil {
			err = offs.Error()
		}
		if err == nil || !kerr.IsRetriable(err) {
			return offs, err
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("%w (still failing after 30 s)", err)
		case <-time.After(250 * time.Millisecond):
		}
	}
}

// counter sums a counter family of reg.
func counter(reg prometheus.Gatherer, name string) float64 {
	mfs, _ := reg.Gather()
	var sum float64
	for _, mf := range mfs {
		if mf.GetName() == name {
			for _, m := range mf.GetMetric() {
				sum += m.GetCounter().GetValue()
			}
		}
	}
	return sum
}

func or(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
