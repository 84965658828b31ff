// Package envelope seals byte payloads (research batches, stats, quarantine,
// whole files) so that only named recipients can open them, with encryption
// meant to hold against a future quantum computer.
//
// Construction (format version 1, specified byte by byte in docs/envelope.md):
//
//   - A fresh random 256-bit data key per sealed object.
//   - For each recipient, the data key is wrapped with HPKE (RFC 9180, base
//     mode) using the X-Wing KEM (ML-KEM-768 + X25519, KEM id 0x647a),
//     HKDF-SHA256 and AES-256-GCM. The stanza is byte-compatible with the
//     single-shot HPKE Seal of Go's crypto/hpke.
//   - From the data key and a random header salt, HKDF-SHA256 derives the
//     payload key, a key commitment stored in the header and a header MAC key.
//   - The payload is AES-256-GCM in fixed-size segments (64 KiB by default).
//     Each nonce is a random 7-byte prefix, a 32-bit segment counter and a
//     last-segment flag, so truncation, reordering, swaps and appends fail.
//     Every segment's associated data is the SHA-256 of the whole header,
//     which binds the provenance (offset ranges, schema fingerprint, batch id,
//     worker id, kind).
//
// Provenance is authenticated but NOT secret: it must never carry PHI.
//
// All functions are safe for concurrent use. A Writer or a Reader returned
// by NewWriter or NewReader is not; use one per goroutine.
package envelope
