package dp

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// window builds rows: 600 F and 400 M, race mostly "w", one "singleton"
// race held by a single record, ages 0..99, two unparsable ages.
func window() ([]string, [][]string) {
	cols := []string{"sex", "race", "age"}
	var rows [][]string
	for i := range 1000 {
		sex := "F"
		if i%5 >= 3 {
			sex = "M"
		}
		race := "w"
		if i%2 == 0 {
			race = "b"
		}
		if i == 7 {
			race = "singleton"
		}
		rows = append(rows, []string{sex, race, strconv.Itoa(i % 100)})
	}
	rows[3][2] = "SECRET-VALUE"
	rows[4][2] = ""
	return cols, rows
}

func releaseConfig() Config {
	return Config{
		Dataset: "adult", Budget: 10, PerRelease: 4, Count: true,
		GroupBy: []string{"sex", "sex, race"},
		Sums:    []Bounded{{Column: "age", Lower: 0, Upper: 100}},
	}
}

func TestReleaseZCDP(t *testing.T) {
	cfg := releaseConfig()
	acct := NewAccountant(cfg)
	cols, rows := window()
	st, err := Release(cfg, acct, cols, rows, SeededSource(1))
	if err != nil {
		t.Fatal(err)
	}
	// 4 queries of rho 1 each: count and histograms have sigma^2 = 1/2, the
	// sum sigma^2 = 100^2/2. 10 sigma is far beyond any honest draw.
	if st.WindowRowsNoisy == nil || math.Abs(float64(*st.WindowRowsNoisy-1000)) > 10 {
		t.Errorf("noisy count %v, want 1000 ± 10", st.WindowRowsNoisy)
	}
	if len(st.Histograms) != 2 {
		t.Fatalf("%d histograms, want 2", len(st.Histograms))
	}
	sex := st.Histograms[0]
	if !cmp.Equal(sex.Columns, []string{"sex"}) || len(sex.Bins) != 2 {
		t.Fatalf("sex histogram %+v", sex)
	}
	for _, b := range sex.Bins {
		want := map[string]int64{"F": 600, "M": 400}[b.Values[0]]
		if math.Abs(float64(b.Count-want)) > 10 {
			t.Errorf("bin %v = %d, want %d ± 10", b.Values, b.Count, want)
		}
	}
	joint := st.Histograms[1]
	if !cmp.Equal(joint.Columns, []string{"sex", "race"}) {
		t.Errorf("joint columns %v", joint.Columns)
	}
	for _, b := range joint.Bins {
		if slices.Contains(b.Values, "singleton") {
			t.Errorf("a key held by one record was published (threshold %d, count %d)", joint.Threshold, b.Count)
		}
	}
	if len(joint.Bins) != 4 {
		t.Errorf("joint histogram has %d bins, want the 4 large ones", len(joint.Bins))
	}
	// True sum: 10 * (0+...+99) minus the two unparsed cells (3 and 4), taken as 0.
	trueSum := 10*4950.0 - 3 - 4
	if len(st.Sums) != 1 || math.Abs(st.Sums[0].Sum-trueSum) > 10*100/math.Sqrt2 {
		t.Errorf("sums %+v, want %v ± 707", st.Sums, trueSum)
	}
	if len(st.Means) != 1 || math.Abs(st.Means[0].Mean-trueSum/1000) > 1 {
		t.Errorf("means %+v, want %v ± 1", st.Means, trueSum/1000)
	}
	if diff := cmp.Diff(map[string]int64{"age": 2}, st.Unparsed); diff != "" {
		t.Errorf("unparsed (-want +got):\n%s", diff)
	}
	if st.Cost.Rho == nil || *st.Cost.Rho != 4 || st.Cost.Epsilon != nil {
		t.Errorf("cost %+v, want rho 4", st.Cost)
	}
	if st.Spent != 4 || st.Remaining != 6 {
		t.Errorf("spent %v remaining %v, want 4 and 6", st.Spent, st.Remaining)
	}
	if st.EpsDelta.Delta != 1e-6+2e-6 || st.EpsDelta.Epsilon != ZCDPToApproxDP(4, 1e-6) {
		t.Errorf("eps_delta %+v", st.EpsDelta)
	}

	js, err := json.Marshal(st)
	if err != nil {
		t.Fatal(err)
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(js, &top); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for k := range top {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	want := []string{"cost", "dataset", "eps_delta", "histograms", "means", "remaining", "spent", "sums", "window_rows_noisy"}
	if diff := cmp.Diff(want, keys); diff != "" {
		t.Errorf("JSON keys (-want +got):\n%s", diff)
	}
	if strings.Contains(string(js), "SECRET") || strings.Contains(string(js), "unparsed") {
		t.Errorf("stats JSON carries cell content or exact unparsed counts: %s", js)
	}
}

func TestReleasePure(t *testing.T) {
	cfg := Config{Dataset: "d", Accounting: Pure, Budget: 1, PerRelease: 0.5, Count: true}
	acct := NewAccountant(cfg)
	cols, rows := window()
	st, err := Release(cfg, acct, cols, rows, SeededSource(2))
	if err != nil {
		t.Fatal(err)
	}
	if st.Cost.Epsilon == nil || *st.Cost.Epsilon != 0.5 || st.Cost.Rho != nil {
		t.Errorf("cost %+v, want epsilon 0.5", st.Cost)
	}
	if st.EpsDelta != (EpsDelta{Epsilon: 0.5}) {
		t.Errorf("eps_delta %+v, want pure 0.5", st.EpsDelta)
	}
	if len(st.Histograms) != 0 || len(st.Sums) != 0 || st.Histograms == nil {
		t.Errorf("unconfigured queries released: %+v", st)
	}
}

func TestReleaseRefusedLeavesBudget(t *testing.T) {
	cfg := releaseConfig()
	cfg.Budget, cfg.PerRelease = 1, 0.4
	acct := NewAccountant(cfg)
	cols, rows := window()
	for i := range 2 {
		if _, err := Release(cfg, acct, cols, rows, SeededSource(uint64(i))); err != nil {
			t.Fatalf("release %d: %v", i, err)
		}
	}
	before := string(acct.State())
	st, err := Release(cfg, acct, cols, rows, SeededSource(3))
	if !errors.Is(err, ErrBudgetExceeded) || st != nil {
		t.Fatalf("third release of 0.4 against 1: stats %v, error %v; want nil and ErrBudgetExceeded", st, err)
	}
	if !strings.Contains(err.Error(), `"adult"`) || !strings.Contains(err.Error(), "0.4") {
		t.Errorf("refusal %q does not name the dataset and the amount", err)
	}
	if string(acct.State()) != before {
		t.Error("refused release changed the ledger")
	}
}

func TestReleaseErrors(t *testing.T) {
	cols, rows := window()
	tests := []struct {
		name string
		cfg  func(*Config)
		acct func(Config) *Accountant
		want error
	}{
		{"unknown group column", func(c *Config) { c.GroupBy = []string{"sex,zip"} }, nil, ErrUnknownColumn},
		{"unknown sum column", func(c *Config) { c.Sums[0].Column = "weight" }, nil, ErrUnknownColumn},
		{"invalid config", func(c *Config) { c.Accounting = "renyi" }, nil, ErrInvalidConfig},
		{"no query", func(c *Config) { c.Count, c.GroupBy, c.Sums = false, nil, nil }, nil, ErrInvalidConfig},
		{"other dataset", nil, func(c Config) *Accountant { c.Dataset = "other"; return NewAccountant(c) }, ErrState},
		{"nil accountant", nil, func(Config) *Accountant { return nil }, ErrState},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := releaseConfig()
			if tc.cfg != nil {
				tc.cfg(&cfg)
			}
			acct := NewAccountant(cfg)
			if tc.acct != nil {
				acct = tc.acct(cfg)
			}
			var before string
			if acct != nil {
				before = string(acct.State())
			}
			_, err := Release(cfg, acct, cols, rows, SeededSource(1))
			if !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
			if strings.Contains(err.Error(), "SECRET") {
				t.Errorf("error carries a cell value: %v", err)
			}
			if acct != nil && string(acct.State()) != before {
				t.Error("failed release changed the ledger")
			}
		})
	}
}

// TestReleaseNoiseCalibration checks the noise of a count over many
// releases has the variance its calibration promises: discrete Laplace of
// scale 1/epsilon (pure) and discrete Gaussian with sigma^2 = 1/(2 rho).
func TestReleaseNoiseCalibration(t *testing.T) {
	const n = 4000
	tests := []struct {
		accounting string
		cost       float64
		variance   float64
	}{
		{Pure, 0.5, lapVariance(2)},
		{ZCDP, 0.125, gaussVariance(4)},
	}
	cols, rows := []string{"x"}, make([][]string, 50)
	for _, tc := range tests {
		t.Run(tc.accounting, func(t *testing.T) {
			cfg := Config{Dataset: "d", Accounting: tc.accounting, Budget: n, PerRelease: tc.cost, Count: true}
			acct := NewAccountant(cfg)
			src := SeededSource(8)
			var sum, sum2 float64
			for range n {
				st, err := Release(cfg, acct, cols, rows, src)
				if err != nil {
					t.Fatal(err)
				}
				z := float64(*st.WindowRowsNoisy - 50)
				sum += z
				sum2 += z * z
			}
			mean, v := sum/n, sum2/n-(sum/n)*(sum/n)
			if math.Abs(mean) > 5*math.Sqrt(tc.variance/n) || math.Abs(v/tc.variance-1) > 0.1 {
				t.Errorf("noise mean %.3f, variance %.3f; want 0 and %.3f", mean, v, tc.variance)
			}
		})
	}
}

func lapVariance(scale float64) float64 {
	q := math.Exp(-1 / scale)
	return 2 * q / ((1 - q) * (1 - q))
}

func gaussVariance(sigma2 float64) float64 {
	p := gaussianPMF(sigma2)
	var v float64
	for x := int64(-200); x <= 200; x++ {
		v += float64(x*x) * p(x)
	}
	return v
}

func TestValidate(t *testing.T) {
	ok := releaseConfig()
	if err := ok.Validate(); err != nil {
		t.Fatalf("valid config: %v", err)
	}
	tests := []struct {
		name string
		mod  func(*Config)
		key  string
	}{
		{"dataset", func(c *Config) { c.Dataset = " " }, "dp.dataset"},
		{"accounting", func(c *Config) { c.Accounting = "rdp" }, "dp.accounting"},
		{"budget", func(c *Config) { c.Budget = 0 }, "dp.budget"},
		{"budget inf", func(c *Config) { c.Budget = math.Inf(1) }, "dp.budget"},
		{"delta", func(c *Config) { c.Delta = 1 }, "dp.delta"},
		{"per_release", func(c *Config) { c.PerRelease = 0 }, "dp.per_release"},
		{"per_release above budget", func(c *Config) { c.PerRelease = 11 }, "dp.per_release"},
		{"group_by", func(c *Config) { c.GroupBy = []string{"sex,"} }, "dp.group_by[0]"},
		{"sum bounds", func(c *Config) { c.Sums[0].Upper = -1 }, "dp.sums[0].upper"},
		{"sum column", func(c *Config) { c.Sums[0].Column = "" }, "dp.sums[0].column"},
		{"sum decimals", func(c *Config) { c.Sums[0].Lower = 0.1234567 }, "dp.sums[0].lower"},
		{"sum too large", func(c *Config) { c.Sums[0].Upper = 1e13 }, "dp.sums[0].upper"},
		{"record epsilon", func(c *Config) {
			c.RecordNoise = []RecordNoise{{Column: "age", Lower: 0, Upper: 1}}
		}, "dp.record_noise[0].epsilon"},
		{"record bounds", func(c *Config) {
			c.RecordNoise = []RecordNoise{{Column: "age", Lower: 0, Upper: math.NaN(), Epsilon: 1}}
		}, "dp.record_noise[0].upper"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := releaseConfig()
			tc.mod(&c)
			err := c.Validate()
			if !errors.Is(err, ErrInvalidConfig) || !strings.Contains(err.Error(), tc.key) {
				t.Errorf("Validate() = %v, want ErrInvalidConfig naming %s", err, tc.key)
			}
		})
	}
	if d := (Config{}).WithDefaults(); d.Accounting != ZCDP || d.Delta != DefaultDelta {
		t.Errorf("defaults %+v", d)
	}
}

func TestGrid(t *testing.T) {
	g := newGrid(-5.5, 10)
	if g.places != 1 || g.lo != -55 || g.hi != 100 {
		t.Fatalf("grid %+v", g)
	}
	tests := []struct {
		cell string
		want int64
		ok   bool
	}{
		{"3", 30, true}, {" 3.14 ", 31, true}, {"-7", -55, true}, {"1e9", 100, true}, {"-Inf", -55, true},
		{"1e999", 100, true}, {"NaN", -55, false}, {"abc", -55, false}, {"", -55, false}, {"9.96", 100, true},
	}
	for _, tc := range tests {
		if v, ok := g.units(tc.cell); v != tc.want || ok != tc.ok {
			t.Errorf("units(%q) = %d, %v; want %d, %v", tc.cell, v, ok, tc.want, tc.ok)
		}
	}
	for v, want := range map[int64]string{31: "3.1", -55: "-5.5", 0: "0.0", -3: "-0.3", 100: "10.0"} {
		if got := g.format(v); got != want {
			t.Errorf("format(%d) = %q, want %q", v, got, want)
		}
	}
	if got := newGrid(0, 100).format(-12); got != "-12" {
		t.Errorf("integer grid format(-12) = %q", got)
	}
}

func FuzzGridUnits(f *testing.F) {
	for _, s := range []string{"1", "-2.5", "1e400", "NaN", "0x1p-2", "  7 ", "inf"} {
		f.Add(s, -5.5, 10.25)
	}
	f.Fuzz(func(t *testing.T, cell string, lo, hi float64) {
		if err := (Config{Dataset: "d", Budget: 1, PerRelease: 1, Sums: []Bounded{{Column: "c", Lower: lo, Upper: hi}}}).Validate(); err != nil {
			return
		}
		g := newGrid(lo, hi)
		v, _ := g.units(cell)
		if v < g.lo || v > g.hi {
			t.Fatalf("units(%q) = %d outside [%d, %d]", cell, v, g.lo, g.hi)
		}
		back, ok := g.units(g.format(v))
		if !ok || back != v {
			t.Fatalf("format(%d) = %q parses back to %d, %v", v, g.format(v), back, ok)
		}
	})
}

func ExampleRelease() {
	cfg := Config{Dataset: "clinic", Accounting: Pure, Budget: 1, PerRelease: 0.5, Count: true}
	acct := NewAccountant(cfg)
	rows := [][]string{{"F"}, {"M"}, {"F"}}
	st, err := Release(cfg, acct, []string{"sex"}, rows, SeededSource(1)) // CryptoSource() in production
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(*st.Cost.Epsilon, st.Spent, st.Remaining)
	// Output: 0.5 0.5 0.5
}
