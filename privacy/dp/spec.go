package dp

// Spec describes one key of the `dp:` configuration section, for
// `worker validate` and the generated config reference (DESIGN convention 2).
type Spec struct {
	Name        string // YAML key; nested keys as "sums[].lower"
	Default     string // as written in YAML
	Description string
}

// Specs lists every key of Config, in reference order.
func Specs() []Spec {
	return []Spec{
		{"dataset", "(required)", "budget key: the ledger's key in the compacted budget topic"},
		{"accounting", ZCDP, "pure (epsilon, discrete Laplace, basic composition) or zcdp (rho, discrete Gaussian, additive)"},
		{"budget", "(required)", "total epsilon (pure) or rho (zcdp) of the dataset; releases beyond it are refused"},
		{"delta", "1e-06", "delta for reporting zcdp spend as (epsilon, delta), and histogram key thresholding"},
		{"per_release", "(required with queries)", "epsilon or rho one window's release spends, split evenly over its queries"},
		{"count", "false", "release the window's noisy record count (also computed when sums are set)"},
		{"group_by", "[]", "histograms, one per entry; an entry is a column or a comma-separated column list"},
		{"sums", "[]", "clipped sums (and means = noisy sum / noisy count) of {column, lower, upper}"},
		{"sums[].lower", "(required)", "lower clipping bound, at most 6 decimal places"},
		{"sums[].upper", "(required)", "upper clipping bound, above lower"},
		{"record_noise", "[]", "per-record local-DP noise on released rows: {column, lower, upper, epsilon}"},
		{"record_noise[].epsilon", "(required)", "epsilon of each perturbed cell (discrete Laplace of scale (upper-lower)/epsilon)"},
	}
}
