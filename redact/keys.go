package redact

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"hash"
	"sync"
)

// keyed is an HMAC-SHA256 with one sub-key, pooled so concurrent callers do
// not rebuild the HMAC state per value. Safe for concurrent use.
type keyed struct{ pool sync.Pool }

// Sub-key labels: each use of the secret gets its own key, so a hash token
// never reveals a surrogate seed or a date offset.
const (
	labelHash      = "deidstream/redact/v1/hash"
	labelSurrogate = "deidstream/redact/v1/surrogate"
	labelShift     = "deidstream/redact/v1/date-shift"
	labelField     = "deidstream/redact/v1/field-hash"

	labelNumberPatient = "deidstream/redact/v1/numbering-patient"
	labelNumberValue   = "deidstream/redact/v1/numbering-value"
	labelNumberWord    = "deidstream/redact/v1/numbering-word"
)

func newKeyed(secret []byte, label string) *keyed {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(label))
	sub := m.Sum(nil)
	k := &keyed{}
	k.pool.New = func() any { return &keyedState{h: hmac.New(sha256.New, sub)} }
	return k
}

// keyedState is one pooled HMAC and the buffer its input is assembled in,
// so a sum allocates nothing per part.
type keyedState struct {
	h   hash.Hash
	buf []byte
}

// sum returns HMAC(sub-key, len-prefixed parts), so ("ab","c") and ("a","bc") differ.
func (k *keyed) sum(dst []byte, parts ...string) []byte {
	s := k.pool.Get().(*keyedState)
	s.h.Reset()
	b := s.buf[:0]
	for _, p := range parts {
		b = binary.BigEndian.AppendUint32(b, uint32(len(p)))
		b = append(b, p...)
	}
	s.h.Write(b)
	dst = s.h.Sum(dst)
	if cap(b) <= 4<<10 { // keep the pool small whatever one value's size
		s.buf = b
	}
	k.pool.Put(s)
	return dst
}

// stream is a deterministic sequence of choices drawn from one HMAC output,
// re-keyed by counter when exhausted. Not safe for concurrent use.
type stream struct {
	k     *keyed
	parts []string
	buf   []byte
	pos   int
	round int
}

func newStream(k *keyed, parts ...string) *stream {
	s := &stream{k: k, parts: parts}
	s.buf = k.sum(nil, parts...)
	return s
}

func (s *stream) byte() byte {
	if s.pos == len(s.buf) {
		s.round++
		var c [4]byte
		binary.BigEndian.PutUint32(c[:], uint32(s.round))
		s.buf = s.k.sum(s.buf[:0], append(append([]string{}, s.parts...), string(c[:]))...)
		s.pos = 0
	}
	b := s.buf[s.pos]
	s.pos++
	return b
}

// intn returns a value in [0, n) for n >= 1; the bias of 32-bit modulo is
// irrelevant for choosing surrogates.
func (s *stream) intn(n int) int {
	if n <= 1 {
		return 0
	}
	v := uint32(s.byte())<<24 | uint32(s.byte())<<16 | uint32(s.byte())<<8 | uint32(s.byte())
	return int(v % uint32(n))
}
