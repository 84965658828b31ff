package privacy

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
)

// betaLikeness is a model written in this test file only (basic
// beta-likeness, Cao and Karras 2012): no sensitive value is more than
// (1+beta) times as frequent in a class as in the input. That it is honoured
// by the anonymizer and the stream, and checked by the verifier, with no other
// file touched, is what shows the Model port is one.
type betaLikeness struct{ beta float64 }

var errBetaLikeness = errors.New("beta-likeness violated")

// gain is the largest relative gain in frequency of a value in c.
func (m betaLikeness) gain(c Class) float64 {
	g := 0.0
	for i, p := range c.Global {
		if p > 0 {
			g = max(g, (float64(c.Hist[i])/float64(c.Size)-p)/p)
		}
	}
	return g
}

func (m betaLikeness) Holds(c Class) bool { return m.gain(c) <= m.beta+tolerance }

// Name makes it Named: its figure is in Metrics.Models and the audit event.
func (m betaLikeness) Name() string { return "beta_likeness" }

func (m betaLikeness) Check(classes []Class) (float64, error) {
	g := worst(classes, true, m.gain)
	if g > m.beta+tolerance {
		return g, fmt.Errorf("a class has a relative gain of %.4f, want at most %g: %w", g, m.beta, errBetaLikeness)
	}
	return g, nil
}

// releaseGain recomputes the largest gain of a release from its text cells,
// sharing nothing with the model: classes by QI labels, suppressed rows out.
func releaseGain(in, out Table, qis []QuasiIdentifier, sensitive string) float64 {
	col := map[string]int{}
	for i, c := range out.Columns {
		col[c] = i
	}
	s := col[sensitive]
	global := map[string]float64{}
	for _, r := range in.Rows {
		global[r[s]] += 1 / float64(len(in.Rows))
	}
	type class struct {
		n      int
		counts map[string]int
	}
	classes := map[string]*class{}
	for _, r := range out.Rows {
		var key []string
		for _, q := range qis {
			key = append(key, r[col[q.Name]])
		}
		if strings.Trim(strings.Join(key, ""), "*") == "" {
			continue
		}
		k := strings.Join(key, "\x00")
		if classes[k] == nil {
			classes[k] = &class{counts: map[string]int{}}
		}
		classes[k].n++
		classes[k].counts[r[s]]++
	}
	worst := 0.0
	for _, c := range classes {
		for v, n := range c.counts {
			worst = max(worst, (float64(n)/float64(c.n)-global[v])/global[v])
		}
	}
	return worst
}

func TestModelGivenInCode(t *testing.T) {
	tab, qis := loadAdult(t)
	tab.Rows = tab.Rows[:6000]
	cfg := DefaultConfig()
	cfg.QuasiIdentifiers, cfg.Sensitive = qis, "salary-class"
	const beta = 0.5

	// k=5 alone leaves classes far above the bound: the model has work to do.
	plain := anonymizeAndVerify(t, cfg, tab)
	if g := releaseGain(tab, Table{Columns: tab.Columns, Rows: plain.Rows}, qis, cfg.Sensitive); g <= beta {
		t.Fatalf("k=5 alone: largest gain %.3f already within beta=%v; the test proves nothing", g, beta)
	}
	with := cfg
	with.Models = []Model{betaLikeness{beta}}
	// The verifier checks it: the k=5 release fails it.
	if _, err := Verify(tab, Table{Columns: tab.Columns, Rows: plain.Rows}, with); !errors.Is(err, errBetaLikeness) {
		t.Errorf("Verify of the k-only release under beta-likeness: err = %v, want errBetaLikeness", err)
	}

	// The anonymizer honours it, and the verifier accepts its release.
	res := anonymizeAndVerify(t, with, tab)
	if g := releaseGain(tab, Table{Columns: tab.Columns, Rows: res.Rows}, qis, cfg.Sensitive); g > beta+1e-9 {
		t.Errorf("with beta-likeness: largest gain %.4f, want at most %v", g, beta)
	}
	if res.Metrics.K < 5 {
		t.Errorf("with beta-likeness: k = %d, want at least 5", res.Metrics.K)
	}
	// Its figure is measured and goes to the audit event's privacy summary.
	g := releaseGain(tab, Table{Columns: tab.Columns, Rows: res.Rows}, qis, cfg.Sensitive)
	if got, ok := res.Metrics.Models["beta_likeness"]; !ok || math.Abs(got-g) > 1e-9 {
		t.Errorf("Metrics.Models = %v, want beta_likeness %.6f (recomputed from the release)", res.Metrics.Models, g)
	}
	if b, err := json.Marshal(summary(with, &res.Metrics)); err != nil || !strings.Contains(string(b), `"models":{"beta_likeness":`) {
		t.Errorf("audit summary %s (%v): want the model's figure under its name", b, err)
	}
	if b, _ := json.Marshal(summary(cfg, &plain.Metrics)); strings.Contains(string(b), `"models"`) {
		t.Errorf("audit summary without a named model: %s, want no models field (earlier events unchanged)", b)
	}
	t.Logf("k=5: NCP %.4f; k=5 + beta=%v: NCP %.4f, %d suppressed", plain.Metrics.NCP, beta, res.Metrics.NCP, res.Metrics.Suppressed)

	// So does a stream: each window's release is verified with the model.
	s, err := NewStream(with, StreamConfig{MaxDelay: 1})
	if err != nil {
		t.Fatal(err)
	}
	released := 0
	for w := range 3 {
		var rows []StreamRow
		for i, r := range tab.Rows[w*1000 : (w+1)*1000] {
			rows = append(rows, StreamRow{ID: uint64(w*1000 + i), Row: r})
		}
		out, err := s.Window(tab.Columns, rows)
		if err != nil {
			t.Fatalf("stream window %d: %v", w, err)
		}
		s.Commit()
		released += len(out.Released)
	}
	if released < 2000 {
		t.Errorf("stream released %d of 3000 rows in 3 windows, want most", released)
	}

	// A model that reads the sensitive column needs one.
	bad := with
	bad.Sensitive = ""
	if err := bad.Validate(); !errors.Is(err, ErrInvalidConfig) {
		t.Errorf("beta-likeness without a sensitive column: err = %v, want ErrInvalidConfig", err)
	}
}
