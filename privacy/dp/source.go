package dp

import (
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"io"
	"math/big"
	"math/bits"
	mrand "math/rand/v2"
	"sync"
)

// Source supplies uniformly random 64-bit words to the samplers. The sources
// of this package are safe for concurrent use.
type Source interface {
	// Uint64 returns 64 uniformly random bits.
	Uint64() (uint64, error)
}

// CryptoSource returns a Source reading crypto/rand, the one to use for
// releases.
func CryptoSource() Source { return NewSource(rand.Reader) }

// SeededSource returns a deterministic Source (ChaCha8 keyed by seed). It is
// for tests and `worker dp sample --seed`: noise from a known seed protects
// nothing.
func SeededSource(seed uint64) Source {
	var key [32]byte
	binary.LittleEndian.PutUint64(key[:], seed)
	copy(key[8:], "deidstream/privacy/dp seed")
	return &seededSource{c: mrand.NewChaCha8(key)}
}

type seededSource struct {
	mu sync.Mutex
	c  *mrand.ChaCha8
}

func (s *seededSource) Uint64() (uint64, error) {
	s.mu.Lock()
	v := s.c.Uint64()
	s.mu.Unlock()
	return v, nil
}

// NewSource returns a Source that reads r through a small buffer; each word is
// wiped from the buffer once used, so past noise cannot be read back from memory.
func NewSource(r io.Reader) Source { return &readerSource{r: r, off: len(readerSource{}.buf)} }

type readerSource struct {
	mu  sync.Mutex
	r   io.Reader
	buf [512]byte
	off int
}

func (s *readerSource) Uint64() (uint64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.off+8 > len(s.buf) {
		if _, err := io.ReadFull(s.r, s.buf[:]); err != nil {
			return 0, fmt.Errorf("reading randomness: %w", err)
		}
		s.off = 0
	}
	w := s.buf[s.off : s.off+8]
	v := binary.LittleEndian.Uint64(w)
	clear(w)
	s.off += 8
	return v, nil
}

// rng draws from a Source through a bit reservoir, so a fair coin costs one
// bit and a small uniform 32 bits rather than a whole word. Bits left over
// when a call ends are dropped, which keeps every draw independent. It
// lives for one Sample call and is not shared between goroutines.
type rng struct {
	src  Source
	word uint64
	left uint // unused low bits of word
}

// bits returns k (1 to 64) fresh uniform bits.
func (r *rng) bits(k uint) (uint64, error) {
	if k == 64 {
		return r.src.Uint64()
	}
	if r.left < k {
		w, err := r.src.Uint64()
		if err != nil {
			return 0, err
		}
		r.word, r.left = w, 64
	}
	v := r.word & (1<<k - 1)
	r.word >>= k
	r.left -= k
	return v, nil
}

// uniform64 returns a uniform integer in [0, n), n > 0: powers of two take
// exactly their bits, other sizes use Lemire's multiply-and-reject method on
// 32 or 64 bits (exactly uniform: biased draws are rejected).
func uniform64(r *rng, n uint64) (uint64, error) {
	switch {
	case n&(n-1) == 0:
		if n == 1 {
			return 0, nil
		}
		return r.bits(uint(bits.TrailingZeros64(n)))
	case n <= 1<<32:
		x, err := r.bits(32)
		if err != nil {
			return 0, err
		}
		m := x * n
		if lo := m & (1<<32 - 1); lo < n {
			thresh := (1 << 32) % n
			for lo < thresh {
				if x, err = r.bits(32); err != nil {
					return 0, err
				}
				m = x * n
				lo = m & (1<<32 - 1)
			}
		}
		return m >> 32, nil
	}
	x, err := r.bits(64)
	if err != nil {
		return 0, err
	}
	hi, lo := bits.Mul64(x, n)
	if lo < n {
		thresh := -n % n
		for lo < thresh {
			if x, err = r.bits(64); err != nil {
				return 0, err
			}
			hi, lo = bits.Mul64(x, n)
		}
	}
	return hi, nil
}

// uniformBig returns a uniform integer in [0, n), n > 0. For n that fits in
// 64 bits it consumes exactly what uniform64 does, which keeps the uint64 and
// math/big sampler paths in step.
func uniformBig(r *rng, n *big.Int) (*big.Int, error) {
	if n.IsUint64() {
		v, err := uniform64(r, n.Uint64())
		if err != nil {
			return nil, err
		}
		return new(big.Int).SetUint64(v), nil
	}
	bl := n.BitLen()
	words := make([]big.Word, (bl+bits.UintSize-1)/bits.UintSize)
	top := uint(bl % bits.UintSize)
	v := new(big.Int)
	for {
		for i := range words {
			w, err := r.bits(64)
			if err != nil {
				return nil, err
			}
			words[i] = big.Word(w) // UintSize is 64 on every platform the worker ships for
		}
		if top != 0 {
			words[len(words)-1] &= big.Word(1)<<top - 1
		}
		v.SetBits(words)
		if v.Cmp(n) < 0 {
			return new(big.Int).Set(v), nil
		}
	}
}
