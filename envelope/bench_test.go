package envelope

import (
	"crypto/aes"
	"crypto/cipher"
	"fmt"
	"testing"

	"github.com/cloudflare/circl/kem/xwing"
)

// Run with: go test -run '^$' -bench . -benchtime 20x ./envelope/
// BenchmarkRawAESGCM is the baseline the envelope is compared against: one
// AES-256-GCM call over the same bytes, no KEM, no segmenting.

var benchSizes = []int{1 << 20, 16 << 20}

func BenchmarkRawAESGCM(b *testing.B) {
	block, _ := aes.NewCipher(make([]byte, 32))
	gcm, _ := cipher.NewGCM(block)
	nonce := make([]byte, 12)
	for _, n := range benchSizes {
		pt := pattern(n)
		out := make([]byte, 0, n+16)
		b.Run(fmt.Sprintf("seal/%dMiB", n>>20), func(b *testing.B) {
			b.SetBytes(int64(n))
			for b.Loop() {
				out = gcm.Seal(out[:0], nonce, pt, nil)
			}
		})
		b.Run(fmt.Sprintf("seal-alloc/%dMiB", n>>20), func(b *testing.B) {
			b.SetBytes(int64(n))
			for b.Loop() {
				_ = gcm.Seal(make([]byte, 0, n+16), nonce, pt, nil)
			}
		})
		ct := gcm.Seal(nil, nonce, pt, nil)
		b.Run(fmt.Sprintf("open/%dMiB", n>>20), func(b *testing.B) {
			b.SetBytes(int64(n))
			for b.Loop() {
				if _, err := gcm.Open(out[:0], nonce, ct, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkEnvelope(b *testing.B) {
	k := testKey(b, "bench")
	recips := []*PublicKey{k.Public()}
	for _, n := range benchSizes {
		pt := pattern(n)
		b.Run(fmt.Sprintf("seal/%dMiB", n>>20), func(b *testing.B) {
			b.SetBytes(int64(n))
			for b.Loop() {
				if _, err := Seal(pt, testProv(), recips); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("append-seal/%dMiB", n>>20), func(b *testing.B) {
			b.SetBytes(int64(n))
			var buf []byte
			for b.Loop() {
				var err error
				if buf, err = AppendSeal(buf[:0], pt, testProv(), recips); err != nil {
					b.Fatal(err)
				}
			}
		})
		sealed := mustSeal(b, pt, recips)
		b.Run(fmt.Sprintf("open/%dMiB", n>>20), func(b *testing.B) {
			b.SetBytes(int64(n))
			for b.Loop() {
				if _, _, err := Open(sealed, k); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("append-open/%dMiB", n>>20), func(b *testing.B) {
			b.SetBytes(int64(n))
			var buf []byte
			for b.Loop() {
				var err error
				if buf, _, err = AppendOpen(buf[:0], sealed, k); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkKEM is the per-recipient cost of a batch: one X-Wing
// encapsulation to seal, one decapsulation to open.
func BenchmarkKEM(b *testing.B) {
	k := testKey(b, "bench")
	scheme := xwing.Scheme()
	b.Run("encap", func(b *testing.B) {
		for b.Loop() {
			if _, _, err := scheme.Encapsulate(k.pub.pk); err != nil {
				b.Fatal(err)
			}
		}
	})
	ct, _, _ := scheme.Encapsulate(k.pub.pk)
	b.Run("decap", func(b *testing.B) {
		for b.Loop() {
			if _, err := scheme.Decapsulate(k.sk, ct); err != nil {
				b.Fatal(err)
			}
		}
	})
	// Whole stanza: HPKE setup + key schedule + AES-GCM of the data key.
	dk := pattern(32)
	b.Run("wrap-stanza", func(b *testing.B) {
		for b.Loop() {
			if _, err := wrapDataKey(k.pub, dk, nil); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("seal-empty-3-recipients", func(b *testing.B) {
		r := []*PublicKey{testKey(b, "a").Public(), testKey(b, "b").Public(), testKey(b, "c").Public()}
		for b.Loop() {
			if _, err := Seal(nil, testProv(), r); err != nil {
				b.Fatal(err)
			}
		}
	})
}
