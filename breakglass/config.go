package breakglass

import (
	"fmt"
	"slices"
	"time"
)

// Config is the `breakglass:` section of the worker's config.
type Config struct {
	// Escrow is the public escrow file (`worker breakglass init`): the key
	// links are sealed to and the hashes that check each officer's share.
	Escrow string `yaml:"escrow"`
	// Threshold is M, the officers who must approve an opening. Default 2.
	Threshold int `yaml:"threshold"`
	// Officers are the N officers holding a share, by name. Default none (off).
	Officers []string `yaml:"officers"`
	// AccessDuration is how long a grant opens its one link after the
	// approval that reached the threshold. Default 1h.
	AccessDuration time.Duration `yaml:"access_duration"`
	// Topic holds the sealed escrow records, keyed by the pseudonym's tag.
	// Default "deid.escrow".
	Topic string `yaml:"topic"`
}

// DefaultConfig is the section's defaults: off until officers are named.
func DefaultConfig() Config {
	return Config{Threshold: 2, AccessDuration: time.Hour, Topic: "deid.escrow"}
}

// Enabled reports whether officers are named.
func (c Config) Enabled() bool { return len(c.Officers) > 0 }

// Validate checks M and N; off is valid.
func (c Config) Validate() error {
	if !c.Enabled() {
		return nil
	}
	bad := func(key, why string) error { return fmt.Errorf("breakglass.%s: %s: %w", key, why, ErrEscrowFormat) }
	if c.Threshold < 2 || c.Threshold > len(c.Officers) {
		return bad("threshold", fmt.Sprintf("%d of %d officers: need 2 <= threshold <= officers, so no single person can open the escrow", c.Threshold, len(c.Officers)))
	}
	for i, o := range c.Officers {
		if o == "" || slices.Contains(c.Officers[:i], o) {
			return bad(fmt.Sprintf("officers[%d]", i), "names must be non-empty and distinct")
		}
	}
	if c.AccessDuration <= 0 {
		return bad("access_duration", "must be positive, e.g. 1h")
	}
	if c.Topic == "" {
		return bad("topic", "must name a topic")
	}
	return nil
}

// Matches checks that an escrow file is the one this config describes.
func (c Config) Matches(e *Escrow) error {
	if e.Threshold != c.Threshold || !slices.Equal(e.Officers, c.Officers) {
		return fmt.Errorf("escrow %s is %d of %v, the config says %d of %v: %w", e.ID, e.Threshold, e.Officers,
			c.Threshold, c.Officers, ErrEscrowFormat)
	}
	return nil
}
