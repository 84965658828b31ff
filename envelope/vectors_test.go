package envelope

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

var updateVectors = flag.Bool("update-vectors", false, "rewrite testdata/vectors.json")

// vector is one entry of testdata/vectors.json (described in docs/envelope.md).
type vector struct {
	Name           string     `json:"name"`
	RecipientSeeds []string   `json:"recipient_seeds"` // hex 32-byte X-Wing seeds, in stanza order
	Random         string     `json:"random"`          // hex: every byte Seal read from its random source, in order
	SegmentSize    int        `json:"segment_size"`
	Provenance     Provenance `json:"provenance"`
	Plaintext      string     `json:"plaintext"` // hex
	Sealed         string     `json:"sealed"`    // hex
}

func vectorCases(t *testing.T) []vector {
	type in struct {
		name  string
		recip int
		seg   int
		pt    []byte
		prov  Provenance
	}
	ins := []in{
		{"empty payload, one recipient", 1, 64, nil, Provenance{Kind: KindFile}},
		{"three segments, two recipients", 2, 16, []byte("segment one.....segment two.....tail"), testProv()},
		{"exact segments, one recipient", 1, 8, []byte("01234567abcdefgh"), Provenance{Kind: KindStats, BatchID: "b-1", WorkerID: "w-1"}},
	}
	var out []vector
	for i, c := range ins {
		v := vector{Name: c.name, SegmentSize: c.seg, Provenance: c.prov, Plaintext: hex.EncodeToString(c.pt)}
		var pubs []*PublicKey
		for j := range c.recip {
			seed := make([]byte, SeedSize)
			(&detRand{label: "vector key " + string(rune('a'+i)) + string(rune('0'+j))}).Read(seed)
			k, err := privateKeyFromSeed(seed)
			if err != nil {
				t.Fatal(err)
			}
			pubs = append(pubs, k.Public())
			v.RecipientSeeds = append(v.RecipientSeeds, hex.EncodeToString(seed))
		}
		random := make([]byte, dataKeySize+saltSize+noncePrefixLen+64*c.recip)
		(&detRand{label: "vector random " + c.name}).Read(random)
		v.Random = hex.EncodeToString(random)
		sealed, err := Seal(c.pt, c.prov, pubs, WithSegmentSize(c.seg), WithRand(bytes.NewReader(random)))
		if err != nil {
			t.Fatal(err)
		}
		v.Sealed = hex.EncodeToString(sealed)
		out = append(out, v)
	}
	return out
}

func TestVectors(t *testing.T) {
	path := filepath.Join("testdata", "vectors.json")
	if *updateVectors {
		b, err := json.MarshalIndent(vectorCases(t), "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading vectors (regenerate with -update-vectors): %v", err)
	}
	var vs []vector
	if err := json.Unmarshal(b, &vs); err != nil {
		t.Fatal(err)
	}
	if len(vs) < 3 {
		t.Fatalf("%d vectors, want at least 3", len(vs))
	}
	unhex := func(s string) []byte {
		b, err := hex.DecodeString(s)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	for _, v := range vs {
		t.Run(v.Name, func(t *testing.T) {
			sealed, pt := unhex(v.Sealed), unhex(v.Plaintext)
			var keys []*PrivateKey
			var pubs []*PublicKey
			for _, s := range v.RecipientSeeds {
				k, err := privateKeyFromSeed(unhex(s))
				if err != nil {
					t.Fatal(err)
				}
				keys, pubs = append(keys, k), append(pubs, k.Public())
			}
			// Sealing is deterministic given the random stream: the format has not drifted.
			again, err := Seal(pt, v.Provenance, pubs, WithSegmentSize(v.SegmentSize), WithRand(bytes.NewReader(unhex(v.Random))))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(again, sealed) {
				t.Fatal("Seal with the vector's randomness produced different bytes: the format changed (bump Version)")
			}
			for _, k := range keys {
				got, prov, err := Open(sealed, k)
				if err != nil || !bytes.Equal(got, pt) {
					t.Fatalf("Open with key %s: %v", k.KeyID(), err)
				}
				if diff := cmp.Diff(v.Provenance, prov, cmpopts.EquateEmpty()); diff != "" {
					t.Errorf("provenance (-want +got):\n%s", diff)
				}
				if got, reason := specOpen(t, sealed, stdPrivateKey(t, k)); reason != "" || !bytes.Equal(got, pt) {
					t.Errorf("stdlib reader: %s", reason)
				}
			}
		})
	}
}
