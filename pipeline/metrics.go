package pipeline

import (
	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the worker's own series. Labels are topic, stage, reason class
// and PHI type only: never anything taken from a record.
type Metrics struct {
	RecordsIn     *prometheus.CounterVec   // topic
	Published     prometheus.Counter       //
	Suppressed    prometheus.Counter       //
	Quarantined   *prometheus.CounterVec   // reason
	PHI           *prometheus.CounterVec   // type
	Withheld      *prometheus.CounterVec   // reason
	Windows       *prometheus.CounterVec   // result: committed, aborted
	BatchRows     prometheus.Histogram     // rows per research batch
	WindowRecords prometheus.Histogram     // records per window
	StageSeconds  *prometheus.HistogramVec // stage
	Lag           *prometheus.GaugeVec     // topic: records behind the high watermark
	DPRefusals    prometheus.Counter
	DPRemaining   *prometheus.GaugeVec // dataset: remaining budget / budget, after the last committed release
	LastCommit    prometheus.Gauge     // unix time of the last committed window
	KAchieved     prometheus.Gauge     // k the privacy models achieved in the last committed window with released rows
	AheadRecords  prometheus.Gauge     // records of the next window polled while the current one publishes
	// The residual-PHI monitor's, counted when a window is published (before
	// it commits, so a halted window counts too).
	ResidualInspected prometheus.Counter
	ResidualFindings  *prometheus.CounterVec // type
	CanaryHits        prometheus.Counter
	// Kafka's reachability, as the worker sees it (pipeline/health.go).
	Ready            prometheus.Gauge   // 1 when /readyz answers 200
	KafkaUnreachable prometheus.Gauge   // seconds since a broker last answered, during an outage; 0 otherwise
	KafkaOutages     prometheus.Counter // outages begun
	SessionRestarts  prometheus.Counter // Kafka sessions replaced after a transaction could not be ended
}

// NewMetrics registers the worker's series on reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		RecordsIn: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "deid_records_in_total",
			Help: "Input records consumed, by topic."}, []string{"topic"}),
		Published: prometheus.NewCounter(prometheus.CounterOpts{Name: "deid_records_published_total",
			Help: "Records released in research batches (committed windows)."}),
		Suppressed: prometheus.NewCounter(prometheus.CounterOpts{Name: "deid_records_suppressed_total",
			Help: "Records withheld by the privacy models (committed windows)."}),
		Quarantined: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "deid_records_quarantined_total",
			Help: "Records sent to quarantine (committed windows), by reason class."}, []string{"reason"}),
		PHI: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "deid_phi_detected_total",
			Help: "PHI detections (committed windows), by type."}, []string{"type"}),
		Withheld: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "deid_values_withheld_total",
			Help: "Kept values released empty because they failed their field's domain or held PHI (on_invalid: withhold; committed windows), by reason class."}, []string{"reason"}),
		Windows: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "deid_windows_total",
			Help: "Privacy windows ended, by result."}, []string{"result"}),
		BatchRows: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "deid_batch_rows",
			Help: "Rows per published research batch.", Buckets: prometheus.ExponentialBuckets(1, 4, 10)}),
		WindowRecords: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "deid_window_records",
			Help: "Input records per privacy window.", Buckets: prometheus.ExponentialBuckets(1, 4, 10)}),
		StageSeconds: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "deid_stage_seconds",
			Help:    "Time spent per window in each stage.",
			Buckets: prometheus.ExponentialBuckets(0.0005, 4, 10)}, []string{"stage"}),
		Lag: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "deid_consumer_lag",
			Help: "Records behind the high watermark on the partitions this worker holds, by topic."}, []string{"topic"}),
		DPRefusals: prometheus.NewCounter(prometheus.CounterOpts{Name: "deid_dp_refusals_total",
			Help: "DP releases refused because the privacy budget would be exceeded."}),
		DPRemaining: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "deid_dp_budget_remaining_ratio",
			Help: "Share of the dataset's DP budget still unspent after the last committed release (dp.dataset: one per worker)."}, []string{"dataset"}),
		LastCommit: prometheus.NewGauge(prometheus.GaugeOpts{Name: "deid_window_last_commit_timestamp_seconds",
			Help: "Unix time of the last committed window; 0 before the first."}),
		KAchieved: prometheus.NewGauge(prometheus.GaugeOpts{Name: "deid_privacy_k_achieved",
			Help: "Smallest equivalence class (k) the privacy models achieved in the last committed window that released rows; 0 before one (or without privacy models)."}),
		ResidualInspected: prometheus.NewCounter(prometheus.CounterOpts{Name: "deid_residual_records_inspected_total",
			Help: "Released records the residual-PHI monitor inspected (monitor.every, monitor.first_window)."}),
		ResidualFindings: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "deid_residual_phi_findings_total",
			Help: "PHI the residual-PHI monitor found in released records (outside placeholders and surrogates), by type."}, []string{"type"}),
		CanaryHits: prometheus.NewCounter(prometheus.CounterOpts{Name: "deid_canary_hits_total",
			Help: "Planted canary identifiers (monitor.canaries) seen in released records: each one is a breach."}),
		AheadRecords: prometheus.NewGauge(prometheus.GaugeOpts{Name: "deid_window_ahead_records",
			Help: "Records of the next window consumed, and being detected, while the current window publishes and commits; 0 between."}),
		Ready: prometheus.NewGauge(prometheus.GaugeOpts{Name: "deid_worker_ready",
			Help: "1 when the worker is ready (Kafka answers, partitions assigned), else 0: /readyz says why."}),
		KafkaUnreachable: prometheus.NewGauge(prometheus.GaugeOpts{Name: "deid_kafka_unreachable_seconds",
			Help: "During a Kafka outage (a failure, then no broker answering for 10 s), seconds since a broker last answered; 0 otherwise."}),
		KafkaOutages: prometheus.NewCounter(prometheus.CounterOpts{Name: "deid_kafka_outages_total",
			Help: "Kafka outages the worker waited out (or is waiting out)."}),
		SessionRestarts: prometheus.NewCounter(prometheus.CounterOpts{Name: "deid_kafka_session_restarts_total",
			Help: "Kafka sessions (consumer group member and transactional producer) replaced because a window's transaction could not be ended."}),
	}
	reg.MustRegister(m.RecordsIn, m.Published, m.Suppressed, m.Quarantined, m.PHI, m.Withheld, m.Windows,
		m.BatchRows, m.WindowRecords, m.StageSeconds, m.Lag, m.DPRefusals, m.DPRemaining, m.LastCommit, m.KAchieved, m.AheadRecords,
		m.ResidualInspected, m.ResidualFindings, m.CanaryHits, m.Ready, m.KafkaUnreachable, m.KafkaOutages, m.SessionRestarts)
	// Both results exist from the start, so "no commit for N minutes" and
	// abort rates are defined before the first window ends.
	m.Windows.WithLabelValues("committed")
	m.Windows.WithLabelValues("aborted")
	return m
}
