// Package privacy turns a table into one that meets k-anonymity and, on
// request, l-diversity and t-closeness, by local recoding: a multidimensional
// Mondrian partition whose cuts are chosen by information-loss gain and
// checked against every configured model, followed by per-class generalization
// to the tightest range or hierarchy label. It also holds the Safe Harbor
// transforms and an independent verifier of released tables.
//
// No error, panic or log line produced here contains a record value: errors
// name columns, hierarchy files, line and row numbers only.
package privacy

import "errors"

// Sentinel errors. Every error returned by this package wraps one of these.
var (
	// ErrInvalidConfig means a Config field is out of range or inconsistent.
	ErrInvalidConfig = errors.New("invalid privacy config")
	// ErrHierarchy means a hierarchy file could not be read or is malformed.
	ErrHierarchy = errors.New("invalid hierarchy")
	// ErrValueNotInHierarchy means a data value of a categorical
	// quasi-identifier is not a leaf of that column's hierarchy.
	ErrValueNotInHierarchy = errors.New("value not covered by hierarchy")
	// ErrMissingColumn means a configured column is absent from the table.
	ErrMissingColumn = errors.New("column missing from table")
	// ErrBadValue means a numeric or date quasi-identifier cell does not parse.
	ErrBadValue = errors.New("unparsable quasi-identifier value")
	// ErrUnsatisfiable means the table as a whole cannot meet the models
	// (too few rows, or too few distinct sensitive values) within the
	// suppression limit.
	ErrUnsatisfiable = errors.New("privacy models cannot be satisfied")

	// Verifier outcomes: each names the violated model.
	ErrKAnonymity     = errors.New("k-anonymity violated")
	ErrLDiversity     = errors.New("l-diversity violated")
	ErrTCloseness     = errors.New("t-closeness violated")
	ErrSuppression    = errors.New("suppression limit exceeded")
	ErrNotGeneralized = errors.New("released cell does not cover its input value")
)
