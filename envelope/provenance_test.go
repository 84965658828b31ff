package envelope

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestProvenanceRoundTrip(t *testing.T) {
	tests := []Provenance{
		testProv(),
		{Kind: KindFile},
		{Kind: KindQuarantine, WorkerID: "w", Ranges: []OffsetRange{{Topic: "t", Partition: 1 << 30, First: 0, Last: 1<<62 + 5}}},
		{Kind: KindStats, BatchID: "b", SchemaFingerprint: strings.Repeat("f", 64)},
	}
	for _, p := range tests {
		enc, err := appendProvenance(nil, p)
		if err != nil {
			t.Fatalf("encoding %+v: %v", p, err)
		}
		got, err := parseProvenance(enc)
		if err != nil {
			t.Fatalf("parsing: %v", err)
		}
		if diff := cmp.Diff(p, got, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("round trip (-want +got):\n%s", diff)
		}
	}
}

func TestProvenanceRejects(t *testing.T) {
	long := strings.Repeat("x", 1<<16)
	tests := []struct {
		name string
		p    Provenance
	}{
		{"empty kind", Provenance{}},
		{"unknown kind", Provenance{Kind: "Research"}},
		{"empty topic", Provenance{Kind: KindResearch, Ranges: []OffsetRange{{Topic: ""}}}},
		{"negative partition", Provenance{Kind: KindResearch, Ranges: []OffsetRange{{Topic: "t", Partition: -1}}}},
		{"negative first", Provenance{Kind: KindResearch, Ranges: []OffsetRange{{Topic: "t", First: -1, Last: 0}}}},
		{"last before first", Provenance{Kind: KindResearch, Ranges: []OffsetRange{{Topic: "t", First: 5, Last: 4}}}},
		{"long batch id", Provenance{Kind: KindResearch, BatchID: long}},
		{"invalid utf-8", Provenance{Kind: KindResearch, WorkerID: "\xff"}},
		{"too many ranges", Provenance{Kind: KindResearch, Ranges: make([]OffsetRange, maxRanges+1)}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := appendProvenance(nil, tc.p); !errors.Is(err, ErrProvenance) {
				t.Errorf("error %v, want ErrProvenance", err)
			}
		})
	}
}

func TestParseProvenanceRejectsNonCanonical(t *testing.T) {
	good, _ := appendProvenance(nil, testProv())
	tests := []struct {
		name string
		b    []byte
	}{
		{"empty", nil},
		{"trailing byte", append(append([]byte{}, good...), 0)},
		{"cut short", good[:len(good)-1]},
		{"range count too big", append([]byte{0xff, 0xff}, good[2:]...)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := parseProvenance(tc.b); !errors.Is(err, ErrFormat) {
				t.Errorf("error %v, want ErrFormat", err)
			}
		})
	}
}
