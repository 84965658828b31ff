// Package app is the one wiring place: it builds a worker from the
// application's config (NewWorker), and holds the adapters from the
// detection, redaction, privacy, DP, envelope and audit libraries to the
// pipeline's ports.
package app

import (
	"github.com/deidstream/deidstream/pipeline"
	"github.com/deidstream/deidstream/redact"
)

// Redaction runs detection and the field policy on each record.
type Redaction struct{ p *redact.Processor }

// Columns are the policy's output columns.
func (r Redaction) Columns() []string { return r.p.Columns() }

// Process redacts one record.
func (r Redaction) Process(rec map[string]any) (pipeline.Redacted, error) {
	res, err := r.p.Process(rec)
	if err != nil {
		return pipeline.Redacted{}, err
	}
	var phi map[string]int // nil for the many records with no PHI: no map per record
	if len(res.Counts) > 0 {
		phi = make(map[string]int, len(res.Counts))
		for t, n := range res.Counts {
			phi[string(t)] = n
		}
	}
	return pipeline.Redacted{Values: res.Values, PHI: phi, Reject: res.Reject, Withheld: res.Withheld}, nil
}

// Numbering adapts the redaction's patient-scoped placeholder numbering to
// the pipeline's port, whose Commit and Abort follow the window's transaction.
type Numbering struct{ *redact.Numbering }

// Changed returns the tables the open window changed, for topics.placeholders.
func (n Numbering) Changed() []pipeline.StateRecord {
	recs := n.Numbering.Changed()
	out := make([]pipeline.StateRecord, len(recs))
	for i, r := range recs {
		out[i] = pipeline.StateRecord{Key: r.Key, Value: r.Value}
	}
	return out
}
