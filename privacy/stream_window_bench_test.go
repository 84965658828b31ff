package privacy

import "testing"

// BenchmarkWindowStreamWindow times what the worker runs per window with
// carry-over: a 1,000-row window of a WindowStream (the window's rules over
// Stream: placement, top-coding) in steady state, against the bare Stream on
// the same rows (the baseline of this run, as in BenchmarkStreamWindow).
func BenchmarkWindowStreamWindow(b *testing.B) {
	tab, qis := loadAdult(b)
	cfg := DefaultConfig()
	cfg.QuasiIdentifiers, cfg.Sensitive = qis, "salary-class"
	cfg.Carry = StreamConfig{MaxDelay: 3}
	const size, warm = 1000, 8
	window := func(i int) []StreamRow {
		rows := make([]StreamRow, size)
		for j := range rows {
			rows[j] = StreamRow{ID: uint64(i*size + j + 1), Row: tab.Rows[i*size+j]}
		}
		return rows
	}
	b.Run("stream", func(b *testing.B) {
		s, err := NewStream(cfg, cfg.Carry)
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
		for b.Loop() {
			if _, err := s.Window(tab.Columns, rows); err != nil {
				b.Fatal(err)
			}
			s.Abort()
		}
	})
	b.Run("window-stream", func(b *testing.B) {
		ws, err := NewWindowStream(cfg)
		if err != nil {
			b.Fatal(err)
		}
		for i := range warm {
			if _, err := ws.Window(tab.Columns, window(i)); err != nil {
				b.Fatal(err)
			}
			ws.Commit()
		}
		rows := window(warm)
		var res StreamWindow
		for b.Loop() {
			if res, err = ws.Window(tab.Columns, rows); err != nil {
				b.Fatal(err)
			}
			ws.Abort()
		}
		var waited, maxDelay int
		for _, r := range append(res.Released, res.Suppressed...) {
			waited += r.Delay
			maxDelay = max(maxDelay, r.Delay)
		}
		b.ReportMetric(res.Summary.NCP, "ncp")
		b.ReportMetric(float64(res.CarriedIn), "carried-in")
		b.ReportMetric(float64(len(res.Suppressed)), "suppressed")
		b.ReportMetric(float64(maxDelay), "max-delay")
	})
}
