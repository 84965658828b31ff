// Package deid is the vocabulary the worker's packages share: values that
// cross from one package to another (offset ranges, privacy and DP
// summaries) and the names of the Kafka headers, each defined once. It
// imports nothing of the project, so every package may import it.
//
// Every value here is metadata (offsets, counts, parameters, codes, ids),
// never record content: each may appear in an audit event, a header or a
// provenance, none of which is encrypted.
package deid

// OffsetRange is a contiguous run of offsets of one input partition, both
// ends inclusive. It is the window's inputs in the pipeline, a sealed
// object's provenance in the envelope, and an event's inputs in the audit log.
type OffsetRange struct {
	First     int64  `json:"first"`
	Last      int64  `json:"last"`
	Partition int32  `json:"partition"`
	Topic     string `json:"topic"`
}

// Provenance says where a sealed object came from: the pipeline gives it
// with every payload it seals, the envelope binds it to the ciphertext
// (authenticated, NOT encrypted: never put PHI in it).
type Provenance struct {
	Ranges            []OffsetRange
	SchemaFingerprint string
	BatchID           string
	WorkerID          string
	Kind              string // KindResearch, KindStats, KindQuarantine or KindFile
}

// What an output record or a sealed object holds: the deid-kind header's
// values, and (research, stats, quarantine, file) a provenance's Kind.
const (
	KindResearch     = "research"
	KindStats        = "stats"
	KindQuarantine   = "quarantine"
	KindFile         = "file" // a file sealed by `worker seal`
	KindBudget       = "budget"
	KindPlaceholders = "placeholders"
	KindCarry        = "carry" // the sealed carry-over state (privacy.carry)
)

// PrivacySummary is a window's privacy models: the parameters they were
// asked for and what the verifier measured on the released rows. It is what
// an audit event records (JSON keys in the audit log's canonical form).
type PrivacySummary struct {
	AchievedK int     `json:"achieved_k"`
	AchievedL float64 `json:"achieved_l"`
	AchievedT float64 `json:"achieved_t"`
	Classes   int     `json:"classes"` // equivalence classes
	K         int     `json:"k"`
	L         float64 `json:"l"`
	LKind     string  `json:"l_kind"` // distinct, entropy or recursive
	// Models are the figures of models given in code that name themselves
	// (privacy.Named), by name: what each measured of the release's worst class.
	Models map[string]float64 `json:"models,omitempty"`
	NCP    float64            `json:"ncp"` // normalized certainty penalty, 0..1
	T      float64            `json:"t"`
}

// DPSummary is a window's differential privacy accounting for one dataset.
type DPSummary struct {
	Accounting string  `json:"accounting"` // pure or zcdp
	Budget     float64 `json:"budget"`
	Dataset    string  `json:"dataset"`
	Refused    bool    `json:"refused"` // the budget would have been exceeded: nothing released or charged
	Remaining  float64 `json:"remaining"`
	Spent      float64 `json:"spent"` // cumulative, in the accounting's unit
}

// ResidualSummary is what a window's residual-PHI monitor saw in the released
// rows it sampled: how many it inspected and what it found there, counts by
// PHI type (and CANARY for planted canaries), never content.
type ResidualSummary struct {
	Canaries  int64            `json:"canaries"`
	Findings  map[string]int64 `json:"findings"`  // PHI type -> findings outside placeholders and surrogates
	Inspected int64            `json:"inspected"` // released records inspected
}

// ResidualCanary is the finding type of a planted canary in a residual-PHI monitor's counts.
const ResidualCanary = "CANARY"

// Kafka record headers. They carry codes, ids and counts, never record content.
const (
	HeaderKind   = "deid-kind"   // research, stats, quarantine, budget, placeholders
	HeaderBatch  = "deid-batch"  // batch id, also in the envelope's provenance
	HeaderSchema = "deid-schema" // schema fingerprint of a research batch
	HeaderRows   = "deid-rows"   // rows in a research batch
	HeaderReason = "deid-reason" // quarantine reason code
	HeaderSource = "deid-source" // quarantined record's topic/partition/offset
	HeaderPart   = "deid-part"   // "i/n" when a quarantined record is split to fit

	// HeaderAuditKind is the audit topic's header: "event" or "checkpoint".
	HeaderAuditKind = "kind"
)

// CarrySummary is a window's privacy carry-over (privacy.carry): rows whose
// only class was coarse wait for a later window of the same worker instead
// of being suppressed. Counts and input positions only; which released row
// was carried is never said (the research rows carry no source offset).
type CarrySummary struct { // fields in JSON key order: the audit log's canonical form
	// Expired counts rows of earlier windows suppressed here: their delay ran
	// out with no class to hold them, or, read back at start, they no longer
	// fit the columns or hierarchies (part of the window's suppressed count).
	Expired int64 `json:"expired"`
	// Held are this window's inputs held for a later window: neither
	// published nor suppressed by this one.
	Held []OffsetRange `json:"held"`
	In   int64         `json:"in"`        // rows earlier windows held, carried into this one
	Max  int           `json:"max_delay"` // the configured max_delay_windows
	Out  int64         `json:"out"`       // rows held after this window (its Held and earlier ones)
	// Settled are inputs of earlier windows released or suppressed by this one.
	Settled []OffsetRange `json:"settled"`
	// Waited[d] counts the rows this window released or suppressed after
	// waiting d windows (index 0: rows of this window).
	Waited []int64 `json:"waited"`
}

// Count is the number of offsets in ranges.
func Count(ranges []OffsetRange) int64 {
	var n int64
	for _, r := range ranges {
		n += r.Last - r.First + 1
	}
	return n
}
