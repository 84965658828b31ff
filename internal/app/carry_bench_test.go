package app

import (
	"fmt"
	"strings"
	"testing"

	"github.com/deidstream/deidstream/deid"
)

// BenchmarkCarryState times sealing the carry state written with each
// window (JSON, AES-256-GCM, parts under a 1 MiB record limit) for as many
// held rows as a 1,000-row window holds in steady state (about 1,500 on the
// streaming benchmark at delay 3), each with a 1 KiB note; the baseline of
// the same run is the state of 300 held rows.
func BenchmarkCarryState(b *testing.B) {
	cols := []string{"age", "sex", "note"}
	for _, held := range []int{300, 1500} {
		b.Run(fmt.Sprintf("held-%d", held), func(b *testing.B) {
			cfg := carryConfig()
			cfg.K = held + 1 // nothing can be released: every row is held
			c, err := newCarry(cfg, strings.Repeat("ab", 32), "w1")
			if err != nil {
				b.Fatal(err)
			}
			rows := make([][]string, held)
			src := make([]deid.OffsetRange, held)
			for i := range rows {
				rows[i] = []string{fmt.Sprint(20 + i%70), "F", strings.Repeat("n", 1024)}
				src[i] = deid.OffsetRange{Topic: "raw", First: int64(i), Last: int64(i)}
			}
			if _, err := c.Carry(cols, rows, src, false); err != nil {
				b.Fatal(err)
			}
			var bytes, parts int
			for b.Loop() {
				recs, err := c.State(1 << 20)
				if err != nil {
					b.Fatal(err)
				}
				bytes, parts = 0, len(recs)
				for _, r := range recs {
					bytes += len(r.Value)
				}
			}
			b.ReportMetric(float64(bytes), "state-bytes")
			b.ReportMetric(float64(parts), "parts")
		})
	}
}
