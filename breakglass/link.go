package breakglass

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"

	"github.com/deidstream/deidstream/envelope"
)

// Link is what is escrowed for one released record: its pseudonym and
// where it came from. PatientKey is PHI: it exists only sealed, and in the
// memory of an authorised `open`.
type Link struct {
	Pseudonym  string `json:"pseudonym"`
	Topic      string `json:"topic"`
	Partition  int32  `json:"partition"`
	Offset     int64  `json:"offset"`
	PatientKey string `json:"patient_key"`
}

// Source names the source record as a request's target does: "topic/partition/offset".
func (l Link) Source() string { return fmt.Sprintf("%s/%d/%d", l.Topic, l.Partition, l.Offset) }

// Tag is the lookup key of an escrow record for a target ("pseudonym:P" or
// "record:topic/partition/offset"): a hash bound to the escrow, so the one
// record a grant opens is found without opening any other, and so audit
// events name the target without holding it.
func Tag(escrowID, target string) string {
	h := sha256.Sum256([]byte("deidstream breakglass tag v1\x00" + escrowID + "\x00" + target))
	return hex.EncodeToString(h[:16])
}

// HeaderSourceTag is the Kafka header of an escrow record holding its SourceTag.
const HeaderSourceTag = "deid-escrow-source"

// Record is one sealed escrow record, as the worker would produce it to the
// escrow topic: Kafka key PseudonymTag, header HeaderSourceTag.
type Record struct {
	PseudonymTag, SourceTag string
	Sealed                  []byte
}

// Seal escrows l to e: only Threshold officers together can open it.
func Seal(e *Escrow, l Link) (Record, error) {
	plain, err := json.Marshal(l)
	if err != nil {
		return Record{}, fmt.Errorf("encoding escrow link: %w", err)
	}
	sealed, err := envelope.Seal(plain, envelope.Provenance{Kind: envelope.KindFile}, []*envelope.PublicKey{e.Public})
	clear(plain)
	if err != nil {
		return Record{}, fmt.Errorf("sealing escrow link: %w", err)
	}
	return Record{PseudonymTag: Tag(e.ID, "pseudonym:"+l.Pseudonym), SourceTag: Tag(e.ID, "record:"+l.Source()), Sealed: sealed}, nil
}

func openLink(key *envelope.PrivateKey, r Record) (Link, error) {
	plain, _, err := envelope.Open(r.Sealed, key)
	if err != nil {
		return Link{}, fmt.Errorf("opening escrow record: %w", err)
	}
	defer clear(plain)
	var l Link
	if err := json.Unmarshal(plain, &l); err != nil {
		return Link{}, fmt.Errorf("decoding escrow record: %w", ErrEscrowFormat)
	}
	return l, nil
}
