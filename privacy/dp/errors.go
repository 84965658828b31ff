package dp

import "errors"

var (
	// ErrBudgetExceeded means a charge would take a dataset's spend over its
	// budget; the Accountant is left unchanged and nothing is released.
	ErrBudgetExceeded = errors.New("privacy budget exceeded")
	// ErrInvalidConfig means a Config failed validation; the message names the key.
	ErrInvalidConfig = errors.New("invalid dp configuration")
	// ErrInvalidParameter means a sampler parameter is out of its domain
	// (a negative scale, a probability above 1, a malformed rational).
	ErrInvalidParameter = errors.New("invalid sampler parameter")
	// ErrOverflow means a sample does not fit in an int64; with the scales a
	// count or sum uses this does not happen in practice.
	ErrOverflow = errors.New("sample does not fit in int64")
	// ErrState means a stored accountant state is unreadable or belongs to
	// another dataset or accounting mode.
	ErrState = errors.New("invalid accountant state")
	// ErrUnknownColumn means a configured column is absent from the window's columns.
	ErrUnknownColumn = errors.New("unknown column")
)
