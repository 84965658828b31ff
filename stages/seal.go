package stages

import (
	"github.com/deidstream/deidstream/envelope"
	"github.com/deidstream/deidstream/pipeline"
)

// Sealer seals research and stats batches to the research recipients and
// quarantined records to the quarantine recipients (the security team).
type Sealer struct {
	research, quarantine []*envelope.PublicKey
}

// Seal encrypts plain for the recipients of prov.Kind, bound to prov.
func (s *Sealer) Seal(plain []byte, prov pipeline.Provenance) ([]byte, error) {
	ranges := make([]envelope.OffsetRange, len(prov.Ranges))
	for i, r := range prov.Ranges {
		ranges[i] = envelope.OffsetRange{Topic: r.Topic, Partition: r.Partition, First: r.First, Last: r.Last}
	}
	return envelope.Seal(plain, envelope.Provenance{Ranges: ranges, SchemaFingerprint: prov.SchemaFingerprint,
		BatchID: prov.BatchID, WorkerID: prov.WorkerID, Kind: prov.Kind}, s.recipients(prov.Kind))
}

// KeyIDs are the ids of the keys a kind is sealed to.
func (s *Sealer) KeyIDs(kind string) []string {
	var ids []string
	for _, k := range s.recipients(kind) {
		ids = append(ids, k.KeyID())
	}
	return ids
}

func (s *Sealer) recipients(kind string) []*envelope.PublicKey {
	if kind == envelope.KindQuarantine {
		return s.quarantine
	}
	return s.research
}
