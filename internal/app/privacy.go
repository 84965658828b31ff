package app

import (
	"github.com/deidstream/deidstream/pipeline"
	"github.com/deidstream/deidstream/privacy"
)

// Privacy adapts privacy.WindowAnonymizer to the pipeline's Anonymizer port.
type Privacy struct{ w *privacy.WindowAnonymizer }

func newPrivacy(cfg privacy.Config) (*Privacy, error) {
	w, err := privacy.NewWindowAnonymizer(cfg)
	if err != nil {
		return nil, err
	}
	return &Privacy{w}, nil
}

// Anonymize applies the configured models to the window's rows.
func (p *Privacy) Anonymize(columns []string, rows [][]string) (pipeline.Anonymized, error) {
	r, err := p.w.Anonymize(columns, rows)
	if err != nil {
		return pipeline.Anonymized{}, err
	}
	return pipeline.Anonymized{Rows: r.Rows, Suppressed: r.Suppressed, Achieved: r.Summary}, nil
}
