package envelope

import (
	"bytes"
	"errors"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestKindSealerRoutesByKind(t *testing.T) {
	researcher, security := testKey(t, "research"), testKey(t, "security")
	s, err := NewKindSealer([]*PublicKey{researcher.Public()}, []*PublicKey{security.Public()}, WithSegmentSize(100))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		kind          string
		opens, cannot *PrivateKey
	}{
		{KindResearch, researcher, security},
		{KindStats, researcher, security},
		{KindQuarantine, security, researcher},
	}
	var wg sync.WaitGroup
	for _, tc := range tests {
		wg.Go(func() { // concurrent use is part of the contract
			prov := testProv()
			prov.Kind = tc.kind
			sealed, err := s.Seal(pattern(250), prov)
			if err != nil {
				t.Errorf("%s: %v", tc.kind, err)
				return
			}
			if got, p, err := Open(sealed, tc.opens); err != nil || !bytes.Equal(got, pattern(250)) || p.Kind != tc.kind {
				t.Errorf("%s: intended recipient: %v", tc.kind, err)
			}
			if _, _, err := Open(sealed, tc.cannot); !errors.Is(err, ErrNoMatchingKey) {
				t.Errorf("%s: other team opened it or failed oddly: %v", tc.kind, err)
			}
			if h, _ := Inspect(sealed); h.SegmentSize != 100 {
				t.Errorf("%s: options not applied: segment size %d", tc.kind, h.SegmentSize)
			}
		})
	}
	wg.Wait()
	if diff := cmp.Diff([]string{security.KeyID()}, s.KeyIDs(KindQuarantine)); diff != "" {
		t.Errorf("quarantine key ids (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{researcher.KeyID()}, s.KeyIDs(KindStats)); diff != "" {
		t.Errorf("stats key ids (-want +got):\n%s", diff)
	}
	if _, err := s.Seal(nil, Provenance{Kind: KindFile}); !errors.Is(err, ErrRecipients) {
		t.Errorf("kind file: %v, want ErrRecipients", err)
	}
}

func TestNewKindSealerRejects(t *testing.T) {
	k := testKey(t, "a").Public()
	for name, c := range map[string][2][]*PublicKey{
		"no research":   {nil, {k}},
		"no quarantine": {{k}, nil},
		"repeated":      {{k, k}, {k}},
	} {
		if _, err := NewKindSealer(c[0], c[1]); !errors.Is(err, ErrRecipients) {
			t.Errorf("%s: %v, want ErrRecipients", name, err)
		}
	}
}
