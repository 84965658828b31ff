package app

import (
	"github.com/deidstream/deidstream/envelope"
	"github.com/deidstream/deidstream/pipeline"
)

// Sealer adapts envelope.KindSealer, which seals research and stats batches to
// the research recipients and quarantined records to the quarantine recipients.
type Sealer struct{ ks *envelope.KindSealer }

// Seal encrypts plain for the recipients of prov.Kind, bound to prov.
func (s Sealer) Seal(plain []byte, prov pipeline.Provenance) ([]byte, error) {
	return s.ks.Seal(plain, envelope.Provenance{Ranges: prov.Ranges, SchemaFingerprint: prov.SchemaFingerprint,
		BatchID: prov.BatchID, WorkerID: prov.WorkerID, Kind: prov.Kind})
}

// KeyIDs are the ids of the keys a kind is sealed to.
func (s Sealer) KeyIDs(kind string) []string { return s.ks.KeyIDs(kind) }
