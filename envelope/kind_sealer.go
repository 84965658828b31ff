package envelope

import (
	"fmt"
	"slices"
)

// KindSealer seals each kind of pipeline output to its own recipients:
// research and stats batches to the research recipients, quarantined records
// (raw PHI) to the quarantine recipients, the security team. It is immutable
// and safe for concurrent use.
type KindSealer struct {
	byKind map[string][]*PublicKey
	ids    map[string][]string
	opts   []Option
}

// NewKindSealer checks both recipient lists (non-empty, no repeats within a
// list) and keeps opts for every Seal.
func NewKindSealer(research, quarantine []*PublicKey, opts ...Option) (*KindSealer, error) {
	s := &KindSealer{byKind: map[string][]*PublicKey{}, ids: map[string][]string{}, opts: opts}
	for _, set := range []struct {
		kinds []string
		keys  []*PublicKey
	}{
		{[]string{KindResearch, KindStats}, research},
		{[]string{KindQuarantine}, quarantine},
	} {
		// Validate with the same rules Seal applies, once, up front.
		if _, err := newSealer(Provenance{Kind: set.kinds[0]}, set.keys, opts); err != nil {
			return nil, fmt.Errorf("configuring %s recipients: %w", set.kinds[0], err)
		}
		ids := make([]string, len(set.keys))
		for i, k := range set.keys {
			ids[i] = k.KeyID()
		}
		for _, kind := range set.kinds {
			s.byKind[kind] = slices.Clone(set.keys)
			s.ids[kind] = ids
		}
	}
	return s, nil
}

// Seal seals plain to the recipients of prov.Kind.
func (s *KindSealer) Seal(plain []byte, prov Provenance) ([]byte, error) {
	return s.AppendSeal(nil, plain, prov)
}

// AppendSeal is Seal appending to dst (see the package-level AppendSeal).
func (s *KindSealer) AppendSeal(dst, plain []byte, prov Provenance) ([]byte, error) {
	keys, ok := s.byKind[prov.Kind]
	if !ok {
		return nil, fmt.Errorf("sealing: no recipients configured for kind %q: %w", prov.Kind, ErrRecipients)
	}
	return AppendSeal(dst, plain, prov, keys, s.opts...)
}

// KeyIDs returns the recipient key ids for kind, for audit events; nil for an
// unknown kind. The caller must not modify the slice.
func (s *KindSealer) KeyIDs(kind string) []string { return s.ids[kind] }
