package privacy

import (
	"errors"
	"testing"
)

func TestConfigValidate(t *testing.T) {
	ok := func() Config {
		c := DefaultConfig()
		c.QuasiIdentifiers = []QuasiIdentifier{{Name: "age", Kind: KindNumeric}, {Name: "sex"}}
		c.Sensitive = "dx"
		return c
	}
	tests := []struct {
		name string
		mod  func(*Config)
		ok   bool
	}{
		{"defaults", func(c *Config) {}, true},
		{"all models", func(c *Config) { c.L, c.LKind, c.C, c.T = 2, LRecursive, 3, 0.2 }, true},
		{"no qis", func(c *Config) { c.QuasiIdentifiers = nil }, false},
		{"unnamed qi", func(c *Config) { c.QuasiIdentifiers[0].Name = "" }, false},
		{"duplicate qi", func(c *Config) { c.QuasiIdentifiers[1].Name = "age" }, false},
		{"bad kind", func(c *Config) { c.QuasiIdentifiers[0].Kind = "text" }, false},
		{"negative k", func(c *Config) { c.K = -1 }, false},
		{"l below 1", func(c *Config) { c.L = 0.5 }, false},
		{"bad l kind", func(c *Config) { c.L, c.LKind = 2, "fuzzy" }, false},
		{"recursive without c", func(c *Config) { c.L, c.LKind = 2, LRecursive }, false},
		{"recursive fractional l", func(c *Config) { c.L, c.LKind, c.C = 2.5, LRecursive, 2 }, false},
		{"t above 1", func(c *Config) { c.T = 1.5 }, false},
		{"suppression above 1", func(c *Config) { c.MaxSuppression = 2 }, false},
		{"l without sensitive", func(c *Config) { c.L, c.Sensitive = 2, "" }, false},
		{"sensitive is a qi", func(c *Config) { c.Sensitive = "sex" }, false},
		{"bad sensitive kind", func(c *Config) { c.SensitiveKind = "ordinal" }, false},
		{"local search everywhere", func(c *Config) { c.LocalSearch = LocalSearchOn }, true},
		{"bad local search", func(c *Config) { c.LocalSearch = "always" }, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := ok()
			tc.mod(&c)
			err := c.Validate()
			if tc.ok && err != nil {
				t.Errorf("unexpected error: %v", err)
			}
			if !tc.ok && !errors.Is(err, ErrInvalidConfig) {
				t.Errorf("err = %v, want ErrInvalidConfig", err)
			}
		})
	}
}
