// Command privacy measures the privacy package: utility of each cut strategy
// on Adult, growth with table size on synthetic data, and suppression and NCP
// against the privacy-window (batch) size.
//
//	go run ./benchmarks/privacy -mode ablation -data privacy/testdata/adult
//	go run ./benchmarks/privacy -mode scaling -sizes 125000,250000,500000,1000000
//	go run ./benchmarks/privacy -mode batch -data privacy/testdata/adult
package main

import (
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/deidstream/deidstream/privacy"
)

func main() {
	mode := flag.String("mode", "ablation", "ablation, scaling, batch or stream")
	delays := flag.String("delays", "0,1,2,3", "max delays (windows) for -mode stream; 0 is the per-window baseline")
	carryAbove := flag.Float64("carry-above", 0, "class NCP above which a class waits, -mode stream (0: package default)")
	release := flag.String("release", "auto", "release policy of -mode stream: auto, each_window or pooled")
	localSearch := flag.String("local-search", "auto", "privacy.local_search of -mode stream: auto, on or off")
	streamLen := flag.Int("rows", 300000, "rows of the stream used by -mode stream (a prefix, for quick runs)")
	seed := flag.Uint64("seed", 3, "resampling seed of the stream of -mode batch and -mode stream")
	models := flag.String("models", "k,l,t", "models for -mode stream: k (k=5), l (k=5, distinct l=2), t (k=5, t=0.2)")
	data := flag.String("data", "privacy/testdata/adult", "directory with adult.csv and its hierarchies")
	sizes := flag.String("sizes", "125000,250000,500000,1000000", "row counts for -mode scaling")
	reps := flag.Int("reps", 3, "repetitions per figure (the fastest is reported)")
	exact := flag.Int("exact", 0, "candidate cuts scored on every dimension (0: package default)")
	sample := flag.Int("sample", -1, "rows sampled to score a cut in large partitions (-1: package default)")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile to this file")
	flag.Parse()
	if *exact > 0 {
		tuning = append(tuning, privacy.WithExactCuts(*exact))
	}
	if *sample >= 0 {
		tuning = append(tuning, privacy.WithSampleSize(*sample))
	}
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err == nil && pprof.StartCPUProfile(f) == nil {
			defer pprof.StopCPUProfile()
		}
	}
	var err error
	switch *mode {
	case "ablation":
		err = ablation(*data, *reps)
	case "scaling":
		err = scaling(*sizes, *reps)
	case "batch":
		err = batch(*data, *seed)
	case "stream":
		err = streamMode(*data, *delays, *models, *carryAbove, *release, *localSearch, *streamLen, *seed)
	default:
		err = fmt.Errorf("unknown mode %q", *mode)
	}
	if err != nil {
		pprof.StopCPUProfile()
		fmt.Fprintln(os.Stderr, "privacy benchmark:", err)
		os.Exit(1)
	}
}

// tuning holds the -exact and -sample options, applied to every run.
var tuning []privacy.Option

var adultQIs = "age:numeric,sex,race,marital-status,education,native-country,workclass,occupation"

func loadAdult(dir string) (privacy.Table, []privacy.QuasiIdentifier, error) {
	f, err := os.Open(filepath.Join(dir, "adult.csv"))
	if err != nil {
		return privacy.Table{}, nil, err
	}
	defer f.Close()
	t, err := privacy.ReadCSV(f, ";")
	if err != nil {
		return privacy.Table{}, nil, err
	}
	qis, err := privacy.ParseQuasiIdentifiers(adultQIs, dir)
	return t, qis, err
}

// run anonymizes reps times and returns the metrics and the fastest time.
func run(cfg privacy.Config, t privacy.Table, reps int, opts ...privacy.Option) (privacy.Metrics, time.Duration, error) {
	a, err := privacy.NewAnonymizer(cfg, append(opts, tuning...)...)
	if err != nil {
		return privacy.Metrics{}, 0, err
	}
	best := time.Duration(math.MaxInt64)
	var m privacy.Metrics
	for range max(reps, 1) {
		start := time.Now()
		res, err := a.Anonymize(t)
		if err != nil {
			return privacy.Metrics{}, 0, err
		}
		best = min(best, time.Since(start))
		m = res.Metrics
		if _, err := privacy.Verify(t, privacy.Table{Columns: t.Columns, Rows: res.Rows}, cfg); err != nil {
			return m, best, err
		}
	}
	return m, best, nil
}

func ablation(dir string, reps int) error {
	t, qis, err := loadAdult(dir)
	if err != nil {
		return err
	}
	models := []struct {
		name string
		mod  func(*privacy.Config)
		arx  string
	}{
		{"k=5", func(c *privacy.Config) {}, "0.235 global / 0.054 local"},
		{"k=5, distinct l=2", func(c *privacy.Config) { c.L = 2 }, "0.336"},
		{"k=5, t=0.2", func(c *privacy.Config) { c.T = 0.2 }, "0.497"},
	}
	strategies := []struct {
		name string
		opts []privacy.Option
	}{
		{"plain Mondrian: widest dimension, median, strict categorical", []privacy.Option{privacy.WithPlainMondrian()}},
		{"+ cut by NCP gain (11 quantiles, pooled and one-vs-rest children)",
			[]privacy.Option{privacy.WithOutlierSuppression(false), privacy.WithoutRelaxedCuts()}},
		{"+ relaxed cuts (partitions <= 300 rows, or unsplittable)", []privacy.Option{privacy.WithOutlierSuppression(false)}},
		{"+ suppress failing children within budget (default)", nil},
	}
	w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "model\tstrategy\tNCP\tsuppressed\tclasses\tavg class\tms\tARX NCP")
	for _, m := range models {
		var base float64
		for i, s := range strategies {
			cfg := privacy.DefaultConfig()
			cfg.QuasiIdentifiers, cfg.Sensitive = qis, "salary-class"
			m.mod(&cfg)
			met, d, err := run(cfg, t, reps, s.opts...)
			if err != nil {
				return fmt.Errorf("%s, %s: %w", m.name, s.name, err)
			}
			if i == 0 {
				base = met.NCP
			}
			fmt.Fprintf(w, "%s\t%s\t%.4f (x%.2f)\t%d\t%d\t%.1f\t%d\t%s\n", m.name, s.name, met.NCP, met.NCP/base,
				met.Suppressed, met.Classes, met.AvgClassSize, d.Milliseconds(), m.arx)
		}
	}
	return w.Flush()
}

// synthetic builds n rows over 8 quasi-identifiers (2 numeric, 6 categorical
// with 1-3 level hierarchies) and a 10-value sensitive column, with skewed
// and correlated values so that partitions are uneven.
func synthetic(n int, seed uint64) (privacy.Table, []privacy.Option) {
	rng := rand.New(rand.NewPCG(seed, 7))
	type cat struct {
		name   string
		leaves int
		fan    []int // children per level, root first
	}
	cats := []cat{
		{"sex", 2, nil}, {"race", 5, nil}, {"marital", 7, []int{2}}, {"education", 16, []int{3, 2}},
		{"country", 40, []int{5}}, {"occupation", 14, []int{4}},
	}
	var opts []privacy.Option
	for _, c := range cats {
		var b strings.Builder
		for i := range c.leaves {
			b.WriteString(fmt.Sprintf("%s%d", c.name, i))
			// ancestors: deepest level first
			for lv := len(c.fan) - 1; lv >= 0; lv-- {
				groups := 1
				for _, f := range c.fan[:lv+1] {
					groups *= f
				}
				b.WriteString(fmt.Sprintf(";%s-L%d-%d", c.name, lv, i*groups/c.leaves))
			}
			b.WriteString(";*\n")
		}
		h, err := privacy.ParseHierarchy(strings.NewReader(b.String()), ";")
		if err != nil {
			panic(err)
		}
		opts = append(opts, privacy.WithHierarchy(c.name, h))
	}
	t := privacy.Table{Columns: []string{"age", "hours", "sex", "race", "marital", "education", "country", "occupation", "diagnosis"}}
	zipf := func(k int) int {
		// P(i) ~ 1/(i+1): a few common values and a long tail.
		x := rng.Float64() * math.Log(float64(k)+1)
		return min(k-1, int(math.Exp(x))-1)
	}
	t.Rows = make([][]string, n)
	for i := range n {
		age := 18 + int(math.Abs(rng.NormFloat64())*20)
		age = min(age, 90)
		edu := min(15, zipf(16)+age/30)
		t.Rows[i] = []string{
			strconv.Itoa(age),
			strconv.Itoa(1 + rng.IntN(99)),
			fmt.Sprintf("sex%d", rng.IntN(2)),
			fmt.Sprintf("race%d", zipf(5)),
			fmt.Sprintf("marital%d", min(6, zipf(7)+age/40)),
			fmt.Sprintf("education%d", edu),
			fmt.Sprintf("country%d", zipf(40)),
			fmt.Sprintf("occupation%d", (edu+zipf(14))%14),
			fmt.Sprintf("dx%d", zipf(10)),
		}
	}
	return t, opts
}

// cpuTime is the process's user+system CPU time: on a shared machine it is
// steadier than wall time, which waits for other tenants' work.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func syntheticConfig() privacy.Config {
	cfg := privacy.DefaultConfig()
	cfg.K = 10
	cfg.Sensitive = "diagnosis"
	cfg.QuasiIdentifiers = []privacy.QuasiIdentifier{{Name: "age", Kind: privacy.KindNumeric}, {Name: "hours", Kind: privacy.KindNumeric},
		{Name: "sex"}, {Name: "race"}, {Name: "marital"}, {Name: "education"}, {Name: "country"}, {Name: "occupation"}}
	return cfg
}

func scaling(list string, reps int) error {
	w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "rows\twall ms\tCPU ms\tCPU ns/row\tCPU ns/(row*log2 rows)\tNCP\tsuppressed\tclasses")
	for _, s := range strings.Split(list, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil {
			return fmt.Errorf("parsing -sizes: %w", err)
		}
		t, opts := synthetic(n, 1)
		cfg := syntheticConfig()
		a, err := privacy.NewAnonymizer(cfg, append(opts, tuning...)...)
		if err != nil {
			return err
		}
		best := time.Duration(math.MaxInt64)
		bestCPU := time.Duration(math.MaxInt64)
		var m privacy.Metrics
		for range max(reps, 1) {
			runtime.GC()
			start, cpu0 := time.Now(), cpuTime()
			res, err := a.Anonymize(t)
			if err != nil {
				return err
			}
			best = min(best, time.Since(start))
			bestCPU = min(bestCPU, cpuTime()-cpu0)
			m = res.Metrics
		}
		ns := float64(bestCPU.Nanoseconds())
		fmt.Fprintf(w, "%d\t%d\t%d\t%.0f\t%.1f\t%.4f\t%d\t%d\n", n, best.Milliseconds(), bestCPU.Milliseconds(), ns/float64(n),
			ns/(float64(n)*math.Log2(float64(n))), m.NCP, m.Suppressed, m.Classes)
	}
	return w.Flush()
}

// streamRows is Adult resampled to 300,000 rows with ages jittered by up to
// 2 years, the stream of -mode batch and -mode stream; seed 3 is the one
// of the recorded figures.
func streamRows(t privacy.Table, seed uint64) privacy.Table {
	rng := rand.New(rand.NewPCG(seed, 3))
	const total = 300000
	stream := privacy.Table{Columns: t.Columns, Rows: make([][]string, total)}
	ageCol := 1
	for i := range total {
		r := append([]string(nil), t.Rows[rng.IntN(len(t.Rows))]...)
		age, _ := strconv.Atoi(r[ageCol])
		r[ageCol] = strconv.Itoa(max(17, min(90, age+rng.IntN(5)-2)))
		stream.Rows[i] = r
	}
	return stream
}

// streamMode runs privacy.Stream over the stream of -mode batch in
// 1,000-row windows, for each max delay (0: every window on its own, the
// baseline of the same run), and reports the row-weighted NCP measured by
// Verify on each release, suppression, the largest delay and time per window.
func streamMode(dir, delays, only string, carryAbove float64, release, localSearch string, rows int, seed uint64) error {
	t, qis, err := loadAdult(dir)
	if err != nil {
		return err
	}
	stream := streamRows(t, seed)
	stream.Rows = stream.Rows[:min(rows, len(stream.Rows))]
	models := []struct {
		key, name string
		mod       func(*privacy.Config)
	}{
		{"k", "k=5", func(c *privacy.Config) {}},
		{"l", "k=5, distinct l=2", func(c *privacy.Config) { c.L = 2 }},
		{"t", "k=5, t=0.2", func(c *privacy.Config) { c.T = 0.2 }},
	}
	const size = 1000
	w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "model\tmax delay\tsuppressed %\tNCP\tNCP ratio\tmax delay seen\tmean delay\tmax carried\tms per window\tms ratio")
	for _, m := range models {
		if !strings.Contains(only, m.key) {
			continue
		}
		cfg := privacy.DefaultConfig()
		cfg.QuasiIdentifiers, cfg.Sensitive, cfg.LocalSearch = qis, "salary-class", localSearch
		m.mod(&cfg)
		// Before: every window anonymized on its own by the Anonymizer (what
		// the worker did before carry-over), the baseline of the ratios.
		a, err := privacy.NewAnonymizer(cfg, tuning...)
		if err != nil {
			return err
		}
		var baseNCP, baseMS float64
		var bsupp int
		var belapsed time.Duration
		for off := 0; off < len(stream.Rows); off += size {
			win := privacy.Table{Columns: stream.Columns, Rows: stream.Rows[off : off+size]}
			start := time.Now()
			res, err := a.Anonymize(win)
			if err != nil {
				return err
			}
			belapsed += time.Since(start)
			if _, err := privacy.Verify(win, privacy.Table{Columns: win.Columns, Rows: res.Rows}, cfg); err != nil {
				return err
			}
			bsupp += res.Metrics.Suppressed
			baseNCP += res.Metrics.NCP * size
		}
		baseNCP /= float64(len(stream.Rows))
		baseMS = float64(belapsed.Microseconds()) / 1000 / float64(len(stream.Rows)/size)
		fmt.Fprintf(w, "%s\tbefore (Anonymizer per window)\t%.2f\t%.4f\tx1.00\t0\t0.00\t0\t%.1f\tx1.0\n", m.name,
			100*float64(bsupp)/float64(len(stream.Rows)), baseNCP, baseMS)
		for _, ds := range strings.Split(delays, ",") {
			d, err := strconv.Atoi(ds)
			if err != nil {
				return err
			}
			s, err := privacy.NewStream(cfg, privacy.StreamConfig{MaxDelay: d, CarryAbove: carryAbove, Release: release}, tuning...)
			if err != nil {
				return err
			}
			var supp, released, maxDelay, maxCarried, delaySum int
			var ncp float64
			var elapsed time.Duration
			windows := 0
			for off := 0; off <= len(stream.Rows); off += size {
				var rows []privacy.StreamRow
				for i := off; i < min(off+size, len(stream.Rows)); i++ {
					rows = append(rows, privacy.StreamRow{ID: uint64(i), Row: stream.Rows[i]})
				}
				if off == len(stream.Rows) { // end of stream: flush what waits
					s2, err := privacy.NewStream(cfg, privacy.StreamConfig{}, tuning...)
					if err != nil {
						return err
					}
					carried := s.Carried()
					s = s2
					rows = carried
					if len(rows) == 0 {
						break
					}
				}
				start := time.Now()
				res, err := s.Window(stream.Columns, rows)
				if err != nil {
					return fmt.Errorf("%s, window %d: %w", m.name, windows, err)
				}
				s.Commit()
				elapsed += time.Since(start)
				n := len(res.Released) + len(res.Suppressed)
				supp += len(res.Suppressed)
				released += n
				ncp += res.Metrics.NCP * float64(n)
				maxDelay = max(maxDelay, res.MaxDelay)
				maxCarried = max(maxCarried, res.CarriedOut)
				for _, r := range res.Released {
					delaySum += r.Delay
				}
				windows++
			}
			if released != len(stream.Rows) {
				return fmt.Errorf("%s: %d rows released or suppressed of %d", m.name, released, len(stream.Rows))
			}
			ms := float64(elapsed.Microseconds()) / 1000 / float64(windows)
			fmt.Fprintf(w, "%s\t%d\t%.2f\t%.4f\tx%.2f\t%d\t%.2f\t%d\t%.1f\tx%.1f\n", m.name, d, 100*float64(supp)/float64(released),
				ncp/float64(released), ncp/float64(released)/baseNCP, maxDelay, float64(delaySum)/float64(released), maxCarried, ms, ms/baseMS)
		}
	}
	return w.Flush()
}

// batch anonymizes a stream in windows of 1k, 10k and 100k rows and reports
// the row-weighted suppression rate and NCP. The stream is Adult resampled
// to 300,000 rows with ages jittered by up to 2 years (Adult itself has 30,162).
func batch(dir string, seed uint64) error {
	t, qis, err := loadAdult(dir)
	if err != nil {
		return err
	}
	stream := streamRows(t, seed)
	total := len(stream.Rows)
	models := []struct {
		name string
		mod  func(*privacy.Config)
	}{
		{"k=5", func(c *privacy.Config) {}},
		{"k=5, distinct l=2", func(c *privacy.Config) { c.L = 2 }},
		{"k=5, t=0.2", func(c *privacy.Config) { c.T = 0.2 }},
	}
	w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "model\tbatch rows\tbatches\tsuppressed %\tNCP\tms per batch")
	for _, m := range models {
		cfg := privacy.DefaultConfig()
		cfg.QuasiIdentifiers, cfg.Sensitive = qis, "salary-class"
		m.mod(&cfg)
		a, err := privacy.NewAnonymizer(cfg, tuning...)
		if err != nil {
			return err
		}
		for _, size := range []int{1000, 10000, 100000} {
			var supp, rows int
			var ncp float64
			var elapsed time.Duration
			batches := 0
			for off := 0; off+size <= total; off += size {
				win := privacy.Table{Columns: stream.Columns, Rows: stream.Rows[off : off+size]}
				start := time.Now()
				res, err := a.Anonymize(win)
				if err != nil {
					return fmt.Errorf("%s, batch %d: %w", m.name, batches, err)
				}
				elapsed += time.Since(start)
				if _, err := privacy.Verify(win, privacy.Table{Columns: win.Columns, Rows: res.Rows}, cfg); err != nil {
					return fmt.Errorf("%s, batch %d: %w", m.name, batches, err)
				}
				supp += res.Metrics.Suppressed
				ncp += res.Metrics.NCP * float64(size)
				rows += size
				batches++
			}
			fmt.Fprintf(w, "%s\t%d\t%d\t%.2f\t%.4f\t%.1f\n", m.name, size, batches, 100*float64(supp)/float64(rows),
				ncp/float64(rows), float64(elapsed.Milliseconds())/float64(batches))
		}
	}
	return w.Flush()
}
