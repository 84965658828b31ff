package dp

import "math"

// ZCDPToApproxDP returns an epsilon such that a rho-zCDP mechanism is
// (epsilon, delta)-DP: the smaller of Bun and Steinke's
// rho + 2 sqrt(rho ln(1/delta)) (TCC 2016, Proposition 1.3) and the Renyi
// conversion of Canonne, Kamath and Steinke (2020, Corollary 13),
// alpha rho + (ln(1/delta) + (alpha-1) ln(1-1/alpha) - ln(alpha)) / (alpha-1),
// minimised over a grid of orders alpha > 1. Every alpha gives a valid
// bound, so the grid only costs tightness, never soundness.
func ZCDPToApproxDP(rho, delta float64) float64 {
	if rho <= 0 {
		return 0
	}
	if !(delta > 0 && delta < 1) {
		return math.Inf(1)
	}
	l := math.Log(1 / delta)
	best := rho + 2*math.Sqrt(rho*l)
	// alpha - 1 from 1e-3 to 1e7 on a logarithmic grid.
	const steps = 2000
	for i := 0; i <= steps; i++ {
		a := 1 + math.Pow(10, -3+10*float64(i)/steps)
		e := a*rho + (l+(a-1)*math.Log1p(-1/a)-math.Log(a))/(a-1)
		if e > 0 && e < best {
			best = e
		}
	}
	return best
}
