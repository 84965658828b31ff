// Package redact turns detected PHI into released values: per-type handling
// modes for free text (detect, redact, surrogate, hash, reject) and an ordered
// per-field policy for structured records (drop, keep, hash, scan, date_year,
// date_shift, zip3, age, reject). The Processor is the record-level stage the
// pipeline calls; RedactText serves `worker redact`.
//
// Consistency: placeholders are numbered per distinct value across all
// scanned fields of a record ("[NAME_1]" everywhere for one person) and, when
// the record has a patient key and numbering.scope is patient, across every
// record of the patient: the Numbering remembers each patient's values by
// keyed HMACs, and its state follows the caller's transactions.
// Surrogates and the date offset are derived with HMAC-SHA256 from the secret
// and the patient key, so the same value of the same patient gets the same
// surrogate in every record, and all dates of a patient move by the same
// number of days. Hash tokens are keyed by the secret only, so they link the
// same value across records and patients.
//
// PHI safety: nothing in this package puts record content in an error, a
// reject reason, a log or a panic. Reasons carry PHI types and configured
// field names only; the secret never appears in errors or in printed configs.
package redact
