package redact

import (
	"encoding/hex"
	"fmt"
	"strings"
	"unicode"
)

// labelCanary keys the hashes of operator canaries apart from every other use of the secret.
const labelCanary = "deidstream/redact/v1/canary"

// MaxCanaryWords is the most words a canary identifier may have.
const MaxCanaryWords = 4

// CanaryHasher hashes canary identifiers with the redaction secret, so a
// config can name them without holding them in clear. Safe for concurrent use.
type CanaryHasher struct{ k *keyed }

// NewCanaryHasher keys a hasher with cfg's secret (already expanded).
func NewCanaryHasher(cfg Config) (*CanaryHasher, error) {
	secret, err := cfg.secretKey()
	if err != nil {
		return nil, err
	}
	return &CanaryHasher{newKeyed(secret, labelCanary)}, nil
}

// Hash is the keyed hash of a canary (64 hex digits): of its words, lower
// case, letters and digits only, so "Zeb Quixby", "zeb  quixby" and
// "Zeb-Quixby" are one canary. It refuses a value of no word or of more than
// MaxCanaryWords words.
func (c *CanaryHasher) Hash(value string) (string, error) {
	ws := CanaryWords(value)
	if len(ws) == 0 || len(ws) > MaxCanaryWords {
		return "", fmt.Errorf("hashing canary: %d words, want 1 to %d", len(ws), MaxCanaryWords)
	}
	return c.hashWords(ws), nil
}

func (c *CanaryHasher) hashWords(ws []string) string {
	var buf [sha256Size]byte
	return hex.EncodeToString(c.k.sum(buf[:0], strings.Join(ws, " ")))
}

// Find counts the occurrences in text of the canaries whose hashes are in
// set: every run of 1 to MaxCanaryWords consecutive words is hashed and looked up.
func (c *CanaryHasher) Find(text string, set map[string]bool) int {
	ws := CanaryWords(text)
	n := 0
	for i := range ws {
		for j := i + 1; j <= min(len(ws), i+MaxCanaryWords); j++ {
			if set[c.hashWords(ws[i:j])] {
				n++
			}
		}
	}
	return n
}

// CanaryWords splits text into its words, lower case: runs of letters and digits.
func CanaryWords(text string) []string {
	return strings.FieldsFunc(strings.ToLower(text), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}
