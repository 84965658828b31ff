package audit

import "errors"

// Sentinel errors; callers test them with errors.Is.
var (
	// ErrNotCanonical means a leaf is not in canonical JSON form.
	ErrNotCanonical = errors.New("not canonical JSON")
	// ErrInvalidEvent means an event is missing a required field, has an
	// unknown type, or holds a string that is not a plain code.
	ErrInvalidEvent = errors.New("invalid audit event")
	// ErrAccounting means records in != published + suppressed + quarantined.
	ErrAccounting = errors.New("audit event accounting does not add up")
	// ErrWorkerMismatch means an event names another worker than the log's.
	ErrWorkerMismatch = errors.New("event belongs to another worker")
	// ErrKeyFile means a key file is malformed or does not hold what its name says.
	ErrKeyFile = errors.New("malformed audit key file")
	// ErrKeyExists means a key file already exists; keys are never overwritten.
	ErrKeyExists = errors.New("audit key file already exists")
	// ErrBadCheckpoint means a checkpoint note is malformed or its signatures fail.
	ErrBadCheckpoint = errors.New("bad audit checkpoint")
	// ErrTampered means the audit log failed verification.
	ErrTampered = errors.New("audit log failed verification")
	// ErrNotEmpty means Restore was called on a log that already has entries.
	ErrNotEmpty = errors.New("audit log is not empty")
	// ErrBadExport means an export file line is not a valid message.
	ErrBadExport = errors.New("malformed audit export")
)
