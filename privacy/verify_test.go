package privacy

import (
	"errors"
	"math/rand/v2"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

func TestVerifyDetectsViolations(t *testing.T) {
	in := loadClinic(t)
	cfg := clinicConfig()
	a, err := NewAnonymizer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	res, err := a.Anonymize(in)
	if err != nil {
		t.Fatal(err)
	}
	clone := func() Table {
		out := Table{Columns: in.Columns}
		for _, r := range res.Rows {
			out.Rows = append(out.Rows, append([]string(nil), r...))
		}
		return out
	}
	tests := []struct {
		name   string
		cfg    func(*Config)
		tamper func(*Table)
		want   error
	}{
		{"k: a row taken out of its class", nil, func(o *Table) { o.Rows[0][0] = "34" }, ErrKAnonymity},
		{"cell not covering its input", nil, func(o *Table) { o.Rows[0][0], o.Rows[1][0] = "40-50", "40-50" }, ErrNotGeneralized},
		{"unknown label", nil, func(o *Table) { o.Rows[0][2], o.Rows[1][2] = "neurological", "neurological" }, ErrNotGeneralized},
		{"non-QI column changed", nil, func(o *Table) { o.Rows[0][4] = "admitted" }, ErrNotGeneralized},
		{"l: class with one outcome", func(c *Config) { c.L = 2 }, nil, ErrLDiversity},
		{"t: class far from the input", func(c *Config) { c.T = 0.2 }, nil, ErrTCloseness},
		{"suppression over the limit", nil, func(o *Table) {
			for _, r := range o.Rows[:2] {
				r[0], r[1], r[2], r[3] = "*", "*", "*", "*"
			}
		}, ErrSuppression},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := clinicConfig()
			if tc.cfg != nil {
				tc.cfg(&c)
			}
			out := clone()
			if tc.tamper != nil {
				tc.tamper(&out)
			}
			_, err := Verify(in, out, c)
			if !errors.Is(err, tc.want) {
				t.Errorf("err = %v, want %v", err, tc.want)
			}
		})
	}
	// The untampered release passes.
	if _, err := Verify(in, clone(), cfg); err != nil {
		t.Errorf("clean release: %v", err)
	}
	// A shape mismatch is reported, not a panic.
	short := clone()
	short.Rows = short.Rows[:3]
	if _, err := Verify(in, short, cfg); !errors.Is(err, ErrNotGeneralized) {
		t.Errorf("short output: err = %v", err)
	}
}

func TestVerifyRecursiveAndOrdered(t *testing.T) {
	in := Table{Columns: []string{"age", "pay"}}
	for _, r := range [][]string{{"30", "1"}, {"31", "1"}, {"32", "2"}, {"33", "3"}, {"50", "1"}, {"51", "2"}, {"52", "3"}, {"53", "3"}} {
		in.Rows = append(in.Rows, r)
	}
	out := Table{Columns: in.Columns}
	for i, r := range in.Rows {
		cell := "30-33"
		if i >= 4 {
			cell = "50-53"
		}
		out.Rows = append(out.Rows, []string{cell, r[1]})
	}
	cfg := DefaultConfig()
	cfg.K = 4
	cfg.QuasiIdentifiers = []QuasiIdentifier{{Name: "age", Kind: KindNumeric}}
	cfg.Sensitive, cfg.SensitiveKind = "pay", KindNumeric
	m, err := Verify(in, out, cfg)
	if err != nil {
		t.Fatal(err)
	}
	// Input distribution of pay 1,2,3: 3/8, 2/8, 3/8; first class 2/4, 1/4, 1/4.
	// Ordered EMD = (|2/4-3/8| + |3/4-5/8|) / 2 = 0.125.
	if diff := m.T - 0.125; diff > 1e-12 || diff < -1e-12 {
		t.Errorf("ordered EMD = %v, want 0.125", m.T)
	}
	// Recursive (c,l): class counts {2,1,1} and {2,1,1}: r1=2 < c*(r2+r3)=c*2 holds for c=1.5 at l=2, and r1 < c*r3 = 1.5 fails at l=3.
	cfg.L, cfg.LKind, cfg.C = 2, LRecursive, 1.5
	if m, err := Verify(in, out, cfg); err != nil || m.L != 2 {
		t.Errorf("recursive: l=%v err=%v, want l=2", m.L, err)
	}
	cfg.C = 0.9
	if _, err := Verify(in, out, cfg); !errors.Is(err, ErrLDiversity) || !strings.Contains(err.Error(), "recursive") {
		t.Errorf("recursive c=0.9: err = %v, want ErrLDiversity", err)
	}
}

// verifyRange reads exactly what the regular expression it replaced matched, to the same numbers.
func TestVerifyRangeMatchesRegexp(t *testing.T) {
	re := regexp.MustCompile(`^\[?\s*(-?\d+(?:\.\d+)?)\s*(?:-|,|\.\.)\s*(-?\d+(?:\.\d+)?)\s*[\])]?$`)
	parts := []string{"", "[", "]", ")", "(", " ", "\t", "-", "--", ",", "..", ".", "...", "3", "30", "-7", "1.5", "1.", ".5", "0.25", "e", "x", "\v"}
	check := func(s string) {
		a, b, ok := verifyRange(s)
		m := re.FindStringSubmatch(s)
		if ok != (m != nil) {
			t.Fatalf("verifyRange(%q) ok %v, the regexp %v", s, ok, m != nil)
		}
		if ok {
			wa, _ := strconv.ParseFloat(m[1], 64)
			wb, _ := strconv.ParseFloat(m[2], 64)
			if a != wa || b != wb {
				t.Fatalf("verifyRange(%q) = %v, %v; the regexp %v, %v", s, a, b, wa, wb)
			}
		}
	}
	for _, s := range []string{"30-39", "[30, 39]", "30..39", "[-5 - 10)", "1.5..2.25", "30--39", "30 - 39 ]", "30-", "-30", "[30]"} {
		check(s)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 200_000 {
		var b strings.Builder
		for range 1 + rng.IntN(7) {
			b.WriteString(parts[rng.IntN(len(parts))])
		}
		check(b.String())
	}
}
