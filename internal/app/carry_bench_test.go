package app

import (
	"fmt"
	"strings"
	"testing"

	"github.com/deidstream/deidstream/deid"
)

// BenchmarkCarryState times sealing the carry state written with one window
// (JSON, AES-256-GCM, parts under a 1 MiB record limit), rows with a 1 KiB
// note, near the steady state of a 1,000-row window at delay 3 on the
// streaming benchmark (k=5: rows wait 1.41 windows on average, at most
// 2,439 held): 1,500 rows held before the window, 500 or 1,000 of its own
// newly held. incremental is what the worker writes (the new rows' segment
// and the index); whole, the baseline of the same run, is every held row
// sealed again (what version 1 wrote with each window).
func BenchmarkCarryState(b *testing.B) {
	const heldBefore = 1500
	cols := []string{"age", "sex", "note"}
	rows := func(n, from int) ([][]string, []deid.OffsetRange) {
		rs := make([][]string, n)
		src := make([]deid.OffsetRange, n)
		for i := range rs {
			rs[i] = []string{fmt.Sprint(20 + (from+i)%70), "F", strings.Repeat("n", 1024)}
			src[i] = deid.OffsetRange{Topic: "raw", First: int64(from + i), Last: int64(from + i)}
		}
		return rs, src
	}
	for _, fresh := range []int{500, 1000} {
		for _, mode := range []string{"whole", "incremental"} {
			b.Run(fmt.Sprintf("new-%d/%s", fresh, mode), func(b *testing.B) {
				cfg := carryConfig()
				cfg.K = heldBefore + fresh + 1 // nothing can be released: every row is held
				cfg.Carry.MaxDelay = 10
				c, err := newCarry(cfg, strings.Repeat("ab", 32), "w1")
				if err != nil {
					b.Fatal(err)
				}
				before, bsrc := rows(heldBefore, 0)
				if mode == "incremental" {
					if _, err := c.Carry(cols, before, bsrc, false); err != nil {
						b.Fatal(err)
					}
					if _, err := c.State(1 << 20); err != nil {
						b.Fatal(err)
					}
					c.Commit()
					before, bsrc = nil, nil
				}
				now, nsrc := rows(fresh, heldBefore)
				if _, err := c.Carry(cols, append(before, now...), append(bsrc, nsrc...), false); err != nil {
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
}
