package breakglass

import (
	"errors"
	"fmt"
	"io"
)

// Shamir's secret sharing over GF(2^8), byte by byte: each byte of the
// secret is the constant term of its own random polynomial of degree
// threshold-1, and share x holds every polynomial's value at x (1..255).
// Any threshold shares determine the polynomials by Lagrange interpolation;
// fewer leave every value of each secret byte equally likely.
//
// circl's secretsharing needs github.com/bwesterb/go-ristretto, which this
// project's module mirror does not serve; the scheme is small enough to
// write from its definition.

// gfMul multiplies in GF(2^8) with the AES polynomial x^8+x^4+x^3+x+1,
// without branches or tables that depend on the operands.
func gfMul(a, b byte) byte {
	var p byte
	for range 8 {
		p ^= -(b & 1) & a
		hi := a >> 7
		a = a<<1 ^ -hi&0x1b
		b >>= 1
	}
	return p
}

// gfInv is a^254 = a^-1 (a != 0).
func gfInv(a byte) byte {
	r := byte(1)
	for e := 254; e > 0; e >>= 1 {
		if e&1 == 1 {
			r = gfMul(r, a)
		}
		a = gfMul(a, a)
	}
	return r
}

// split returns n shares (x = 1..n) of secret, threshold of which rebuild it.
func split(rnd io.Reader, secret []byte, threshold, n int) ([][]byte, error) {
	if threshold < 1 || threshold > n || n > 255 {
		return nil, fmt.Errorf("splitting a secret %d of %d: need 1 <= threshold <= n <= 255", threshold, n)
	}
	coef := make([]byte, len(secret)*(threshold-1))
	if _, err := io.ReadFull(rnd, coef); err != nil {
		return nil, fmt.Errorf("splitting a secret: reading randomness: %w", err)
	}
	shares := make([][]byte, n)
	for i := range shares {
		x := byte(i + 1)
		shares[i] = make([]byte, len(secret))
		for j, s := range secret {
			// Horner: ((c_{t-1} x + c_{t-2}) x + ... + c_1) x + s
			var y byte
			for k := threshold - 2; k >= 0; k-- {
				y = gfMul(y, x) ^ coef[j*(threshold-1)+k]
			}
			shares[i][j] = gfMul(y, x) ^ s
		}
	}
	return shares, nil
}

var errShares = errors.New("shares of different lengths or repeated x")

// combine interpolates the shares (xs[i], ys[i]) at 0.
func combine(xs []byte, ys [][]byte) ([]byte, error) {
	for i := range xs {
		if xs[i] == 0 || len(ys[i]) != len(ys[0]) {
			return nil, errShares
		}
		for j := range i {
			if xs[i] == xs[j] {
				return nil, errShares
			}
		}
	}
	out := make([]byte, len(ys[0]))
	for i, xi := range xs {
		// Lagrange basis at 0: prod_{j != i} x_j / (x_j - x_i); minus is xor.
		l := byte(1)
		for j, xj := range xs {
			if j != i {
				l = gfMul(l, gfMul(xj, gfInv(xj^xi)))
			}
		}
		for k := range out {
			out[k] ^= gfMul(l, ys[i][k])
		}
	}
	return out, nil
}
