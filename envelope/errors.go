package envelope

import (
	"errors"
	"fmt"
)

// Sentinel errors. Every failure of Open, NewReader and Inspect wraps exactly
// one of them, so callers (and the CLI) can say which check failed.
var (
	// ErrFormat: the bytes are not a well-formed envelope (bad magic, header
	// length or field encoding, malformed provenance).
	ErrFormat = errors.New("envelope: malformed")
	// ErrVersion: the format version or an algorithm suite id is not supported.
	ErrVersion = errors.New("envelope: unsupported format version or algorithm suite")
	// ErrNoMatchingKey: no recipient stanza opens with the given private key
	// (wrong key, or the stanza for this key was altered).
	ErrNoMatchingKey = errors.New("envelope: no recipient stanza opens with this key")
	// ErrCommitment: the data key does not match the key commitment in the
	// header (the header was altered, or a stanza wraps a different key).
	ErrCommitment = errors.New("envelope: key commitment mismatch")
	// ErrHeaderAuth: the header MAC does not verify (header or provenance altered).
	ErrHeaderAuth = errors.New("envelope: header authentication failed")
	// ErrSegmentAuth: a payload segment does not authenticate (altered,
	// reordered or swapped). The wrapping *SegmentError carries the index.
	ErrSegmentAuth = errors.New("envelope: payload segment authentication failed")
	// ErrTruncated: the object ends early: inside the header, inside a
	// segment tag, or at a segment boundary before the final segment.
	ErrTruncated = errors.New("envelope: truncated")
	// ErrTrailingData: data follows the final segment.
	ErrTrailingData = errors.New("envelope: data after the final segment")
	// ErrRecipients: the recipient list is empty, too long, or repeats a key.
	ErrRecipients = errors.New("envelope: invalid recipient list")
	// ErrProvenance: the provenance cannot be encoded (unknown kind, bad
	// offsets, a field longer than the format allows, invalid UTF-8).
	ErrProvenance = errors.New("envelope: invalid provenance")
	// ErrKeyFormat: a key file is not in the format MarshalText writes, or its
	// key id line does not match the key it holds.
	ErrKeyFormat = errors.New("envelope: malformed key file")
	// ErrTooLarge: the payload needs more segments than the 32-bit counter allows.
	ErrTooLarge = errors.New("envelope: payload too large for the segment counter")
)

// SegmentError reports which payload segment failed; it unwraps to ErrSegmentAuth.
type SegmentError struct {
	Index  uint64 // 0-based segment index
	Reason string // fixed text, never payload content
}

func (e *SegmentError) Error() string {
	if e.Reason == "" {
		return fmt.Sprintf("%v: segment %d", ErrSegmentAuth, e.Index)
	}
	return fmt.Sprintf("%v: segment %d: %s", ErrSegmentAuth, e.Index, e.Reason)
}

func (e *SegmentError) Unwrap() error { return ErrSegmentAuth }
