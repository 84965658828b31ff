package privacy

import (
	"math"
	"math/rand/v2"
	"testing"
)

// adultEngine encodes the first n Adult rows for k=5.
func adultEngine(t *testing.T, n int) *engine {
	t.Helper()
	tab, qis := loadAdult(t)
	tab.Rows = tab.Rows[:n]
	cfg := DefaultConfig()
	cfg.QuasiIdentifiers, cfg.Sensitive = qis, "salary-class"
	a, err := NewAnonymizer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	e, err := a.encode(tab)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// The bucket index skips buckets by a lower bound: it must find a row as
// cheap as a scan of every free row does, for any cells and bonuses.
func TestBucketIndexNearestMatchesScan(t *testing.T) {
	e := adultEngine(t, 3000)
	rows := make([]int32, e.n)
	for i := range rows {
		rows[i] = int32(i)
	}
	x := newBucketIndex(e, rows)
	if len(x.keyQIs) == 0 || len(x.rows) < 2 {
		t.Fatalf("index has %d key QIs and %d buckets: nothing to skip", len(x.keyQIs), len(x.rows))
	}
	rng := rand.New(rand.NewPCG(1, 2))
	bonus := make([]float64, e.n)
	delay := make([]int, e.n)
	for _, r := range rows {
		bonus[r], delay[r] = rng.Float64()*2, rng.IntN(4) // wide: buckets must be skipped by bonus too
		x.bonus[x.of[r]] = max(x.bonus[x.of[r]], bonus[r])
	}
	cells := make([]cell, e.q)
	tab := e.newCostTable()
	for trial := range 300 {
		// Cells of 1 to 6 random rows; take some rows so the search must
		// skip them.
		e.point(cells, rows[rng.IntN(len(rows))])
		for range rng.IntN(6) {
			r := rows[rng.IntN(len(rows))]
			for j := range cells {
				cells[j] = e.extend(j, cells[j], r)
			}
		}
		if r := int32(rng.IntN(e.n)); x.free(r) && trial%2 == 0 {
			x.take(r)
		}
		e.fill(tab, cells)
		got := x.nearest(tab, bonus, delay)
		want, wantCost := int32(-1), math.Inf(1)
		for _, r := range rows {
			if !x.free(r) {
				continue
			}
			if c := e.addCost(cells, r) - bonus[r]; c < wantCost-1e-12 {
				want, wantCost = r, c
			}
		}
		if got < 0 || !x.free(got) {
			t.Fatalf("trial %d: nearest returned %d, not a free row", trial, got)
		}
		if gotCost := e.addCost(cells, got) - bonus[got]; math.Abs(gotCost-wantCost) > 1e-9 {
			t.Fatalf("trial %d: nearest row costs %.6f, a scan finds row %d at %.6f", trial, gotCost, want, wantCost)
		}
	}
}

// isolation is the cost of each row's (k-1)th nearest row, as a scan of
// every other row finds it.
func TestIsolationMatchesScan(t *testing.T) {
	e := adultEngine(t, 800)
	rows := make([]int32, e.n)
	for i := range rows {
		rows[i] = int32(i)
	}
	const k = 5
	iso := newBucketIndex(e, rows).isolation(k)
	cells := make([]cell, e.q)
	nonzero := 0
	for _, r := range rows {
		e.point(cells, r)
		var d []float64
		for _, o := range rows {
			if o != r {
				d = append(d, e.addCost(cells, o))
			}
		}
		// (k-1)th smallest by selection.
		for i := range k - 1 {
			for j := i + 1; j < len(d); j++ {
				if d[j] < d[i] {
					d[i], d[j] = d[j], d[i]
				}
			}
		}
		if math.Abs(iso[r]-d[k-2]) > 1e-9 {
			t.Fatalf("row %d: isolation %.6f, a scan finds %.6f", r, iso[r], d[k-2])
		}
		if iso[r] > 0 {
			nonzero++
		}
	}
	if nonzero == 0 {
		t.Fatal("every row has isolation 0: the test checks nothing")
	}
}
