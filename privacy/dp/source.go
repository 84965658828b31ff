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

// uniform64 returns a uniform integer in [0, n), n > 0, by Lemire's
// multiply-and-reject method (exactly uniform: biased draws are rejected).
func uniform64(src Source, n uint64) (uint64, error) {
	x, err := src.Uint64()
	if err != nil {
		return 0, err
	}
	hi, lo := bits.Mul64(x, n)
	if lo < n {
		thresh := -n % n
		for lo < thresh {
			if x, err = src.Uint64(); err != nil {
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
func uniformBig(src Source, n *big.Int) (*big.Int, error) {
	if n.IsUint64() {
		v, err := uniform64(src, n.Uint64())
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
			w, err := src.Uint64()
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
