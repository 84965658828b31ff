package envelope_test

import (
	"fmt"

	"github.com/deidstream/deidstream/envelope"
)

func Example() {
	research, _ := envelope.GenerateKey(nil) // normally LoadPrivateKey / LoadPublicKeys
	prov := envelope.Provenance{
		Kind:     envelope.KindResearch,
		BatchID:  "batch-000042",
		WorkerID: "worker-a",
		Ranges:   []envelope.OffsetRange{{Topic: "raw.admissions", Partition: 0, First: 100, Last: 199}},
	}
	sealed, err := envelope.Seal([]byte("arrow ipc bytes"), prov, []*envelope.PublicKey{research.Public()})
	if err != nil {
		panic(err)
	}
	h, _ := envelope.Inspect(sealed) // no key needed, not yet authenticated
	fmt.Println(len(h.KeyIDs), h.Segments, h.PlaintextLen)

	plain, got, err := envelope.Open(sealed, research)
	fmt.Println(string(plain), got.BatchID, err)

	sealed[len(sealed)-1] ^= 1
	_, _, err = envelope.Open(sealed, research)
	fmt.Println(err)
	// Output:
	// 1 1 15
	// arrow ipc bytes batch-000042 <nil>
	// opening envelope: envelope: payload segment authentication failed: segment 0: altered, reordered or from another object
}
