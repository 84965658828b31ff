// Package audit is deidstream's tamper-evident audit log.
//
// Every window and lifecycle event of a worker becomes a leaf of an RFC 6962
// Merkle tree (golang.org/x/mod/sumdb/tlog), one tree per worker. The worker
// periodically publishes a checkpoint: the tree size and root hash as a
// signed note (golang.org/x/mod/sumdb/note) carrying two signatures, Ed25519
// and ML-DSA-65, so the log stays verifiable if either scheme falls.
//
// # Leaves
//
// A leaf is the canonical JSON (see Canonical) of an Entry:
//
//	{"cp":C,"event":{...},"prev":"<base64 leaf hash of seq-1>","seq":N}
//
// seq is the leaf index, prev chains each leaf to its predecessor ("" for
// seq 0) and cp counts the checkpoints issued before the leaf. The tree alone
// says that something changed between two checkpoints; seq and prev say
// where, so Verify can report an altered, deleted, inserted or reordered
// event by its position, and cp makes a dropped checkpoint visible.
//
// # Checkpoints
//
// A checkpoint is a signed note whose text follows the C2SP tlog-checkpoint
// layout plus two extension lines:
//
//	deidstream/audit/<worker id>       origin: one log per worker
//	<tree size>                        decimal
//	<root hash>                        base64 of the RFC 6962 tree hash
//	checkpoint <n>                     0-based checkpoint counter
//	time <RFC 3339 UTC>                when it was signed
//
// followed by a blank line and two signature lines, "— <name> <base64>":
// first Ed25519 exactly as sumdb/note defines it, then ML-DSA-65. For the
// ML-DSA-65 line this package defines the following, in the spirit of the
// note format: the encoded public key is the byte 0xff, the ASCII label
// "ML-DSA-65" and the 1952-byte public key; its key hash is, as for any note
// key, the first 4 bytes (big endian) of SHA-256(name || "\n" || encoded
// key); the signature is FIPS 204 ML-DSA-65 (hedged) over the note text with
// the context string "deidstream audit checkpoint v1". Both lines use the
// same key name; the key hash tells them apart.
//
// # Messages
//
// Append and Checkpoint return Messages the pipeline publishes on the audit
// topic in the same transaction as the window's outputs: Kind in the Kafka
// header "kind" ("event" or "checkpoint"), Value as the record value and the
// worker id as the key, so one worker's log stays in one partition, in order.
//
// No event ever holds a record's content: only codes, counts, topic and
// column names, key ids and hashes. Append enforces it where it can by
// accepting only code-like strings in maps and details.
package audit
