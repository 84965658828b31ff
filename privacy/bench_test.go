package privacy

import "testing"

// BenchmarkAnonymizeAdult compares the default cuts with plain Mondrian, the
// baseline, and with local_search on, on Adult (8 QIs), reporting NCP next
// to the time.
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
		{"k5/local-search", func(c *Config) { c.LocalSearch = LocalSearchOn }, nil},
		{"k5-l2/local-search", func(c *Config) { c.L, c.LocalSearch = 2, LocalSearchOn }, nil},
		{"k5-t0.2/local-search", func(c *Config) { c.T, c.LocalSearch = 0.2, LocalSearchOn }, nil},
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

// BenchmarkStreamWindow times one 1,000-row window of a Stream (k=5, max
// delay 3) in steady state, carrying what 8 earlier windows of Adult left,
// against the baseline: the Anonymizer on the same 1,000 rows alone.
func BenchmarkStreamWindow(b *testing.B) {
	tab, qis := loadAdult(b)
	cfg := DefaultConfig()
	cfg.QuasiIdentifiers, cfg.Sensitive = qis, "salary-class"
	const size, warm = 1000, 8
	window := func(i int) []StreamRow {
		rows := make([]StreamRow, size)
		for j := range rows {
			rows[j] = StreamRow{ID: uint64(i*size + j), Row: tab.Rows[i*size+j]}
		}
		return rows
	}
	b.Run("anonymizer", func(b *testing.B) {
		a, err := NewAnonymizer(cfg)
		if err != nil {
			b.Fatal(err)
		}
		win := Table{Columns: tab.Columns, Rows: tab.Rows[warm*size : (warm+1)*size]}
		var ncp float64
		for b.Loop() {
			res, err := a.Anonymize(win)
			if err != nil {
				b.Fatal(err)
			}
			ncp = res.Metrics.NCP
		}
		b.ReportMetric(ncp, "ncp")
	})
	b.Run("stream-delay3", func(b *testing.B) {
		s, err := NewStream(cfg, StreamConfig{MaxDelay: 3})
		if err != nil {
			b.Fatal(err)
		}
		for i := range warm {
			if _, err := s.Window(tab.Columns, window(i)); err != nil {
				b.Fatal(err)
			}
			s.Commit()
		}
		rows := window(warm)
		var res StreamResult
		for b.Loop() {
			if res, err = s.Window(tab.Columns, rows); err != nil {
				b.Fatal(err)
			}
			s.Abort() // the next iteration starts from the same state
		}
		b.ReportMetric(res.Metrics.NCP, "ncp")
		b.ReportMetric(float64(res.CarriedIn), "carried-in")
	})
}

// BenchmarkVerifyAdult times the independent verifier on Adult's k=5 release (the worker runs it
// on every window).
func BenchmarkVerifyAdult(b *testing.B) {
	tab, qis := loadAdult(b)
	cfg := DefaultConfig()
	cfg.QuasiIdentifiers, cfg.Sensitive = qis, "salary-class"
	a, err := NewAnonymizer(cfg)
	if err != nil {
		b.Fatal(err)
	}
	res, err := a.Anonymize(tab)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := Verify(tab, Table{Columns: tab.Columns, Rows: res.Rows}, cfg); err != nil {
			b.Fatal(err)
		}
	}
}
