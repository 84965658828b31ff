// Package dp releases differentially private statistics of a privacy window
// and keeps the privacy budget of each dataset.
//
// # Samplers
//
// Noise is drawn exactly, following Canonne, Kamath and Steinke, "The Discrete
// Gaussian for Differential Privacy" (NeurIPS 2020): Bernoulli(p) for rational
// p, Bernoulli(exp(-gamma)) for rational gamma, the geometric distribution
// with parameter exp(-gamma), the discrete Laplace distribution with rational
// scale and the discrete Gaussian distribution with rational variance
// parameter sigma^2. Every decision is an integer comparison of a uniform
// integer against a rational threshold: no floating point touches the noise,
// so the floating-point attacks of Mironov ("On Significance of the Least
// Significant Bits for Differential Privacy", CCS 2012) do not apply. The
// arithmetic runs on uint64 while it is exact and switches to math/big as soon
// as a product would overflow; both paths consume randomness identically, so
// a seed gives the same samples on either (tested).
//
// Randomness comes from a Source: CryptoSource (crypto/rand) in production,
// SeededSource for tests and `worker dp sample --seed` only.
//
// # Mechanisms and guarantees
//
// Neighbouring windows differ by adding or removing one record. A count and
// each histogram have sensitivity 1 (one record moves one cell by one); a
// clipped sum with bounds [lower, upper] has sensitivity max(|lower|, |upper|).
// Under pure accounting a query with budget epsilon gets discrete Laplace
// noise of scale sensitivity/epsilon and is epsilon-DP; under zCDP a query
// with budget rho gets discrete Gaussian noise with sigma^2 =
// sensitivity^2/(2 rho) and is rho-zCDP (CKS 2020, Theorems 14 and 15).
// Release splits Config.PerRelease evenly over its queries, so a window costs
// exactly PerRelease by basic (pure) or additive (zCDP) composition.
//
// Histogram keys are the values seen in the window, so their presence itself
// depends on the data. Release therefore publishes a key only when its noisy
// count reaches a threshold chosen so that a key held by a single record is
// published with probability at most Config.Delta. That makes histograms
// (epsilon, Delta)-DP under pure accounting and adds Delta to the delta of the
// zCDP conversion (see Stats.EpsDelta); this is the usual price of releasing
// an unknown domain.
//
// A mean is post-processing: noisy sum divided by the window's noisy count
// (clamped to at least 1), so it costs nothing beyond the two.
//
// Fractional bounds are handled on a decimal grid: values are clipped, then
// rounded to the grid of the bounds' finest decimal place (at most 6), so all
// noise stays integer in grid units. A cell that does not parse as a number is
// treated as the lower bound and counted (never reported by value).
//
// Per-record noise (PerturbRows) is local DP; see PerturbRows for the exact
// guarantee. It is not charged to the Accountant, whose budget covers the
// aggregate releases of a dataset.
//
// # Accountant
//
// The Accountant holds a dataset's spend as an exact rational, so ten releases
// of 0.1 exhaust a budget of 1 exactly. Its state is canonical JSON, stored by
// the pipeline in a compacted topic keyed by dataset and written in the same
// transaction as the release. zCDP spend is reported as (epsilon, delta) with
// the tighter of Bun and Steinke (TCC 2016, Proposition 1.3),
// eps = rho + 2 sqrt(rho ln(1/delta)), and the Renyi conversion of CKS 2020
// (Corollary 13), minimised over the Renyi order.
//
// Releaser wraps Release for the pipeline: Commit keeps a window's charge
// once its transaction committed, Abort restores the ledger from before it.
// One Accountant per dataset must have a single writer: workers of one
// consumer group that release for the same dataset would each restore the
// same ledger and could together overspend it, so give each worker its own
// dataset name (and budget share) or route a dataset's releases to one worker.
package dp
