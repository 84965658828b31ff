package dp

import (
	"errors"
	"math"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

func TestChargeIsExact(t *testing.T) {
	a := NewAccountant(Config{Dataset: "adult", Accounting: Pure, Budget: 1})
	for i := range 10 {
		if err := a.Charge(0.1); err != nil {
			t.Fatalf("charge %d of 0.1 against 1: %v", i+1, err)
		}
	}
	spent, remaining := a.Spent()
	if spent != 1 || remaining != 0 {
		t.Errorf("Spent() = %v, %v; want 1, 0", spent, remaining)
	}
	before := string(a.State())
	err := a.Charge(0.1)
	if !errors.Is(err, ErrBudgetExceeded) {
		t.Fatalf("eleventh charge: got %v, want ErrBudgetExceeded", err)
	}
	for _, want := range []string{`"adult"`, "0.1", "epsilon", "budget of 1"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("refusal %q does not mention %q", err, want)
		}
	}
	if after := string(a.State()); after != before {
		t.Errorf("refused charge changed the state:\n%s\n%s", before, after)
	}
}

func TestStateIsCanonicalAndRestores(t *testing.T) {
	cfg := Config{Dataset: "a<b>&c", Budget: 2}
	a := NewAccountant(cfg)
	if err := a.Charge(0.25); err != nil {
		t.Fatal(err)
	}
	if err := a.Charge(0.5); err != nil {
		t.Fatal(err)
	}
	want := `{"accounting":"zcdp","budget":"2","dataset":"a<b>&c","releases":2,"spent":"3/4","threshold_delta":"0","version":1}`
	if got := string(a.State()); got != want {
		t.Errorf("State() =\n%s\nwant\n%s", got, want)
	}
	b := NewAccountant(cfg)
	if err := b.Restore(a.State()); err != nil {
		t.Fatal(err)
	}
	if got := string(b.State()); got != want {
		t.Errorf("restored State() = %s", got)
	}
	// The configured budget wins over the stored one.
	c := NewAccountant(Config{Dataset: "a<b>&c", Budget: 0.5})
	if err := c.Restore(a.State()); err != nil {
		t.Fatal(err)
	}
	if _, rem := c.Spent(); rem != 0 {
		t.Errorf("remaining after restoring 3/4 under budget 1/2 = %v, want 0", rem)
	}
	if err := c.Charge(0.01); !errors.Is(err, ErrBudgetExceeded) {
		t.Errorf("charge over a lowered budget: %v", err)
	}
}

func TestRestoreRefuses(t *testing.T) {
	good := NewAccountant(Config{Dataset: "d", Budget: 1}).State()
	tests := []struct {
		name  string
		cfg   Config
		state string
	}{
		{"other dataset", Config{Dataset: "e", Budget: 1}, string(good)},
		{"other accounting", Config{Dataset: "d", Accounting: Pure, Budget: 1}, string(good)},
		{"garbage", Config{Dataset: "d", Budget: 1}, "{"},
		{"unknown field", Config{Dataset: "d", Budget: 1}, strings.Replace(string(good), `"version"`, `"x":1,"version"`, 1)},
		{"old version", Config{Dataset: "d", Budget: 1}, strings.Replace(string(good), `"version":1`, `"version":0`, 1)},
		{"negative", Config{Dataset: "d", Budget: 1}, strings.Replace(string(good), `"spent":"0"`, `"spent":"-1"`, 1)},
		{"exponent", Config{Dataset: "d", Budget: 1}, strings.Replace(string(good), `"spent":"0"`, `"spent":"1e999999999"`, 1)},
		{"not canonical", Config{Dataset: "d", Budget: 1}, strings.Replace(string(good), `"spent":"0"`, `"spent":"2/4"`, 1)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := NewAccountant(tc.cfg)
			if err := a.Charge(0.5); err != nil {
				t.Fatal(err)
			}
			before := string(a.State())
			if err := a.Restore([]byte(tc.state)); !errors.Is(err, ErrState) {
				t.Errorf("Restore: got %v, want ErrState", err)
			}
			if after := string(a.State()); after != before {
				t.Errorf("refused Restore changed the state")
			}
		})
	}
}

func TestConcurrentChargesNeverOverspend(t *testing.T) {
	a := NewAccountant(Config{Dataset: "d", Budget: 0.5})
	var ok atomic.Int64
	var wg sync.WaitGroup
	for range 100 {
		wg.Go(func() {
			if a.Charge(0.01) == nil {
				ok.Add(1)
			}
		})
	}
	wg.Wait()
	if ok.Load() != 50 {
		t.Errorf("%d charges of 0.01 fit a budget of 0.5, want 50", ok.Load())
	}
}

func TestZCDPToApproxDP(t *testing.T) {
	tests := []struct{ rho, delta float64 }{{0.01, 1e-6}, {0.1, 1e-6}, {1, 1e-6}, {1, 1e-9}, {10, 1e-5}}
	for _, tc := range tests {
		got := ZCDPToApproxDP(tc.rho, tc.delta)
		bs := tc.rho + 2*math.Sqrt(tc.rho*math.Log(1/tc.delta))
		if !(got <= bs) || got < tc.rho {
			t.Errorf("ZCDPToApproxDP(%v, %v) = %v, want in [rho, Bun-Steinke %v]", tc.rho, tc.delta, got, bs)
		}
		// The Renyi conversion is strictly tighter than Bun-Steinke here.
		if got > 0.97*bs {
			t.Errorf("ZCDPToApproxDP(%v, %v) = %v, not tighter than Bun-Steinke %v", tc.rho, tc.delta, got, bs)
		}
		if smaller := ZCDPToApproxDP(tc.rho/2, tc.delta); smaller >= got {
			t.Errorf("epsilon not increasing in rho: %v at %v, %v at %v", smaller, tc.rho/2, got, tc.rho)
		}
	}
	if ZCDPToApproxDP(0, 1e-6) != 0 || !math.IsInf(ZCDPToApproxDP(1, 0), 1) {
		t.Error("edge cases: rho 0 must cost 0 and delta 0 must be infinite")
	}
}

func TestEpsDelta(t *testing.T) {
	p := NewAccountant(Config{Dataset: "d", Accounting: Pure, Budget: 1})
	_ = p.Charge(0.3)
	if got := p.EpsDelta(); got != (EpsDelta{Epsilon: 0.3}) {
		t.Errorf("pure EpsDelta = %+v", got)
	}
	z := NewAccountant(Config{Dataset: "d", Budget: 1, Delta: 1e-5})
	_ = z.Charge(0.5)
	if got := z.EpsDelta(); got.Delta != 1e-5 || got.Epsilon != ZCDPToApproxDP(0.5, 1e-5) {
		t.Errorf("zcdp EpsDelta = %+v", got)
	}
}

func FuzzRestore(f *testing.F) {
	f.Add(string(NewAccountant(Config{Dataset: "d", Budget: 1}).State()))
	f.Add(`{"accounting":"zcdp","budget":"1","dataset":"d","releases":3,"spent":"1/3","threshold_delta":"1/1000000","version":1}`)
	f.Add(`{"spent":"0x10"}`)
	f.Fuzz(func(t *testing.T, state string) {
		a := NewAccountant(Config{Dataset: "d", Budget: 1})
		before := string(a.State())
		if err := a.Restore([]byte(state)); err != nil {
			if !errors.Is(err, ErrState) {
				t.Fatalf("error %v does not wrap ErrState", err)
			}
			if string(a.State()) != before {
				t.Fatal("failed Restore changed the state")
			}
			return
		}
		// An accepted state is canonical: it restores to itself.
		b := NewAccountant(Config{Dataset: "d", Budget: 1})
		if err := b.Restore(a.State()); err != nil || string(b.State()) != string(a.State()) {
			t.Fatalf("accepted state does not round-trip: %v", err)
		}
	})
}
