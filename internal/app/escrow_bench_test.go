package app

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/deidstream/deidstream/breakglass"
	"github.com/deidstream/deidstream/deid"
	"github.com/deidstream/deidstream/envelope"
)

type nopTx struct{}

func (nopTx) Produce(context.Context, *kgo.Record) {}

// BenchmarkEscrow is the worker's cost per published record with
// break-glass on (benchmarks/results/escrow.md): the escrow output as built
// (one data key per window, AES-GCM per link), against sealing every link to
// the escrow key with its own X-Wing encapsulation, in the same run.
func BenchmarkEscrow(b *testing.B) {
	e, _, err := breakglass.NewEscrow(nil, 2, []string{"olga", "omar", "oona"})
	if err != nil {
		b.Fatal(err)
	}
	raw := []byte(`{"patient_id":"P-000123","age":44,"state":"MA","note":"Patient seen today for follow up of hypertension, ` +
		`doing well on current medication, blood pressure 132/84, continue meds and recheck in two weeks."}`)
	src := deid.OffsetRange{Topic: "raw.records", Partition: 1, First: 5, Last: 5}
	released := []string{"9f2c1a", "40-49", "MA", "note"}
	b.Run("data_key_per_window", func(b *testing.B) {
		o := NewEscrowOutput(e, "deid.escrow", "patient_id", []string{"patient_id", "age", "state", "note"})
		for b.Loop() { // one window: nopTx is the same transaction throughout
			if err := o.Escrow(context.Background(), nopTx{}, src, raw, released); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("hpke_per_link", func(b *testing.B) {
		for b.Loop() {
			plain, err := json.Marshal(breakglass.Link{Pseudonym: released[0], Topic: src.Topic, Partition: src.Partition,
				Offset: src.First, PatientKey: "P-000123"})
			if err != nil {
				b.Fatal(err)
			}
			if _, err := envelope.Seal(plain, envelope.Provenance{Kind: envelope.KindFile}, []*envelope.PublicKey{e.Public}); err != nil {
				b.Fatal(err)
			}
		}
	})
}
