package app

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/plugin/kprom"

	"github.com/deidstream/deidstream/internal/config"
	"github.com/deidstream/deidstream/pipeline"
)

// NewWorker is StartWorker with no status to report.
func NewWorker(ctx context.Context, cfg *config.Config, keys Keys, reg *prometheus.Registry, log *slog.Logger, extra ...pipeline.Option) (*pipeline.Worker, error) {
	return StartWorker(ctx, cfg, keys, reg, log, nil, extra...)
}

// StartWorker is the one way a worker is built from config, for `worker run`,
// `backfill`, `demo`, the tests and the benchmarks: it checks the topics,
// builds every stage from cfg and keys (restoring the audit log and the DP
// ledger from their topics) and returns the worker with its metrics, the Go
// runtime's and the Kafka client's registered on reg. While Kafka does not
// answer it waits, saying why in status (nil: nowhere but the log).
func StartWorker(ctx context.Context, cfg *config.Config, keys Keys, reg *prometheus.Registry, log *slog.Logger, status *StartStatus, extra ...pipeline.Option) (*pipeline.Worker, error) {
	conn, err := cfg.Kafka.Opts()
	if err != nil {
		return nil, err
	}
	wait := newKafkaWait(log, status)
	pc := PipelineConfig(cfg)
	var limit int
	err = wait.do(ctx, "checking the topics", func(ctx context.Context) (err error) {
		limit, err = pipeline.EnsureTopics(ctx, pc, conn)
		return err
	})
	if err != nil {
		return nil, err
	}
	err = wait.do(ctx, "fencing a previous instance", func(ctx context.Context) error {
		return fencePredecessor(ctx, conn, pc.Kafka, log)
	})
	if err != nil {
		return nil, err
	}
	st, err := build(ctx, cfg, conn, keys, wait)
	if err != nil {
		return nil, err
	}
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	reg.MustRegister(keyMetrics(cfg)...)
	if nb := st.Numbering; nb != nil {
		reg.MustRegister(numberingMetrics(nb)...)
	}
	if st.Carry != nil {
		reg.MustRegister(st.Carry.Collectors()...)
	}
	kp := kprom.NewMetrics("deid_kafka", kprom.Registerer(reg), kprom.Gatherer(reg))
	opts := append(st.options(), pipeline.WithTopicLimit(limit), pipeline.WithLogger(log),
		pipeline.WithMetrics(pipeline.NewMetrics(reg), kp))
	mon, err := NewMonitor(cfg, st.Redactor.Columns())
	if err != nil {
		return nil, err
	}
	opts = append(opts, pipeline.WithMonitor(mon, MonitorSampling(cfg)))
	if keys.Escrow != nil {
		if err := ensureEscrowTopic(ctx, cfg, conn); err != nil {
			return nil, err
		}
		opts = append(opts, pipeline.WithOutputs(pipeline.Outputs{Escrow: NewEscrowOutput(keys.Escrow, cfg.BreakGlass.Topic,
			cfg.Redaction.PatientField, st.Redactor.Columns())}))
	}
	opts = append(opts, extra...)
	w, err := pipeline.New(pc, conn, st.Redactor, st.Sealer, st.Auditor, opts...)
	if err != nil {
		return nil, fmt.Errorf("building worker: %w", err)
	}
	return w, nil
}

// numberingMetrics are the placeholder numbering's series: counts only, no labels.
func numberingMetrics(nb *Numbering) []prometheus.Collector {
	return []prometheus.Collector{
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "deid_placeholder_evictions_total",
			Help: "Patients whose placeholder numbering was evicted to stay within redaction.numbering.max_patients; one that returns restarts at [TYPE_1]."},
			func() float64 { return float64(nb.Evictions()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "deid_placeholder_patients",
			Help: "Patients whose placeholder numbering is held in memory."},
			func() float64 { return float64(nb.Patients()) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "deid_placeholder_unremembered_total",
			Help: "Values numbered but not remembered because their patient already had redaction.numbering.max_values."},
			func() float64 { return float64(nb.Unrecorded()) }),
	}
}

// fencePredecessor registers the worker's transactional id before any state is read back: a
// killed predecessor's open transaction holds the read_committed end of the audit, budget and
// placeholder topics until the broker aborts it, after transaction_timeout. Initializing a
// producer with the same id fences that producer and aborts its transaction at once.
func fencePredecessor(ctx context.Context, conn []kgo.Opt, k pipeline.Kafka, log *slog.Logger) error {
	cl, err := kgo.NewClient(append(conn[:len(conn):len(conn)], kgo.TransactionalID(k.TransactionalID),
		kgo.TransactionTimeout(k.TransactionTimeout))...)
	if err != nil {
		return fmt.Errorf("fencing a previous instance of transactional id %s: %w", k.TransactionalID, err)
	}
	defer cl.Close()
	log.Info("fencing any previous instance of this worker; waiting for the broker to abort its open transaction",
		"transactional_id", k.TransactionalID)
	if _, _, err := cl.ProducerID(ctx); err != nil {
		return fmt.Errorf("fencing a previous instance of transactional id %s (is the broker reachable, and may this "+
			"principal use the id?): %w", k.TransactionalID, err)
	}
	return nil
}

// MonitorSampling is the pipeline's view of the monitor section.
func MonitorSampling(cfg *config.Config) pipeline.Sampling {
	m := cfg.Monitor
	return pipeline.Sampling{Every: m.Every, FirstWindow: m.FirstWindow, Tolerance: m.Tolerance, Halt: m.Action == "halt"}
}
