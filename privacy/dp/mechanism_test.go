package dp

import (
	"math/big"
	"testing"
)

// TestThresholdBoundsSingletons measures how often a key held by one record
// (count 1 + noise) reaches the histogram threshold: at most delta, with
// delta large enough to measure.
func TestThresholdBoundsSingletons(t *testing.T) {
	const delta, draws = 0.01, 100000
	for _, tc := range []struct {
		name       string
		accounting string
		cost       *big.Rat
	}{
		{"laplace eps 1", Pure, big.NewRat(1, 1)},
		{"laplace eps 1/10", Pure, big.NewRat(1, 10)},
		{"gaussian rho 1/2", ZCDP, big.NewRat(1, 2)},
		{"gaussian rho 1/50", ZCDP, big.NewRat(1, 50)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n, err := calibrate(tc.accounting, 1, tc.cost)
			if err != nil {
				t.Fatal(err)
			}
			tau := threshold(n, delta)
			src := SeededSource(21)
			pass := 0
			for range draws {
				z, err := n.Sample(src)
				if err != nil {
					t.Fatal(err)
				}
				if 1+z >= tau {
					pass++
				}
			}
			if got := float64(pass) / draws; got > delta {
				t.Errorf("threshold %d: singleton published with frequency %.4f > delta %v", tau, got, delta)
			}
			// Not needlessly high either: three below it, singletons pass more often than delta.
			loose := 0
			for range draws {
				z, _ := n.Sample(src)
				if 1+z >= tau-3 {
					loose++
				}
			}
			if got := float64(loose) / draws; got <= delta {
				t.Errorf("threshold %d is loose: at %d singletons pass with frequency %.4f", tau, tau-3, got)
			}
		})
	}
}

func TestCalibrateScales(t *testing.T) {
	n, _ := calibrate(Pure, 5, big.NewRat(1, 2))
	if got := n.(*DiscreteLaplace).Scale(); got.Cmp(big.NewRat(10, 1)) != 0 {
		t.Errorf("pure, sensitivity 5, epsilon 1/2: scale %v, want 10", got)
	}
	g, _ := calibrate(ZCDP, 5, big.NewRat(1, 2))
	if got := g.(*DiscreteGaussian).Sigma2(); got.Cmp(big.NewRat(25, 1)) != 0 {
		t.Errorf("zcdp, sensitivity 5, rho 1/2: sigma^2 %v, want 25", got)
	}
	if _, err := calibrate(Pure, 0, big.NewRat(1, 1)); err == nil {
		t.Error("zero sensitivity accepted")
	}
}
