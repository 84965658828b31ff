package privacy

import "testing"

// BenchmarkAnonymizeAdult compares the default cuts with plain Mondrian, the
// baseline, on Adult (8 QIs), reporting NCP next to the time.
func BenchmarkAnonymizeAdult(b *testing.B) {
	tab, qis := loadAdult(b)
	for _, bc := range []struct {
		name string
		mod  func(*Config)
		opts []Option
	}{
		{"k5/plain", func(c *Config) {}, []Option{WithPlainMondrian()}},
		{"k5/default", func(c *Config) {}, nil},
		{"k5-l2/plain", func(c *Config) { c.L = 2 }, []Option{WithPlainMondrian()}},
		{"k5-l2/default", func(c *Config) { c.L = 2 }, nil},
		{"k5-t0.2/plain", func(c *Config) { c.T = 0.2 }, []Option{WithPlainMondrian()}},
		{"k5-t0.2/default", func(c *Config) { c.T = 0.2 }, nil},
	} {
		b.Run(bc.name, func(b *testing.B) {
			cfg := DefaultConfig()
			cfg.QuasiIdentifiers, cfg.Sensitive = qis, "salary-class"
			bc.mod(&cfg)
			a, err := NewAnonymizer(cfg, bc.opts...)
			if err != nil {
				b.Fatal(err)
			}
			var ncp float64
			for b.Loop() {
				res, err := a.Anonymize(tab)
				if err != nil {
					b.Fatal(err)
				}
				ncp = res.Metrics.NCP
			}
			b.ReportMetric(ncp, "ncp")
		})
	}
}
