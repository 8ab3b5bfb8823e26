package streebog

import (
	"encoding/hex"
	"slices"

	"github.com/podpis/podpis/internal/gost/streebog/internal/spec"
)

// referenceHash is GOST R 34.11-2012 written the way section 8 of RFC 6986
// describes it, straight from the printed constants and with none of the
// package's shortcuts: values are byte arrays written most significant byte
// first as the standard prints them, the message is the number whose
// little-endian bytes are msg and is eaten from its least significant end,
// and S, P and L are applied byte by byte and bit by bit. It is slow and
// only checks the fast code (tables, word order, counters).
func referenceHash(msg []byte, size int) []byte {
	pi, tau, a := spec.Pi(), spec.Tau(), spec.A()
	var consts [12][64]byte
	for i, c := range spec.C() {
		b, err := hex.DecodeString(c)
		if err != nil || len(b) != 64 {
			panic("bad constant " + c)
		}
		copy(consts[i][:], b)
	}

	type vec = [64]byte // index 0 is the most significant byte
	xor := func(x, y vec) (r vec) {
		for i := range r {
			r[i] = x[i] ^ y[i]
		}
		return r
	}
	s := func(x vec) (r vec) {
		for i := range r {
			r[i] = pi[x[i]]
		}
		return r
	}
	// P(a_63 || ... || a_0) = a_tau(63) || ... || a_tau(0), where a_i is the
	// byte i places above the least significant one, at index 63-i here.
	p := func(x vec) (r vec) {
		for i := 0; i < 64; i++ {
			r[63-i] = x[63-int(tau[i])]
		}
		return r
	}
	// l(b_63 ... b_0) = XOR of b_(63-i) * A_i, applied to each 64-bit word.
	l := func(x vec) (r vec) {
		for w := 0; w < 8; w++ {
			var in, out uint64
			for k := 0; k < 8; k++ {
				in = in<<8 | uint64(x[8*w+k])
			}
			for i := 0; i < 64; i++ {
				if in>>(63-i)&1 == 1 {
					out ^= a[i]
				}
			}
			for k := 7; k >= 0; k-- {
				r[8*w+k] = byte(out)
				out >>= 8
			}
		}
		return r
	}
	lps := func(x vec) vec { return l(p(s(x))) }
	add := func(x, y vec) (r vec) {
		var carry uint
		for i := 63; i >= 0; i-- {
			sum := uint(x[i]) + uint(y[i]) + carry
			r[i], carry = byte(sum), sum>>8
		}
		return r
	}
	e := func(k, m vec) vec {
		state := xor(k, m)
		for i := 0; i < 12; i++ {
			state = lps(state)
			k = lps(xor(k, consts[i]))
			state = xor(state, k)
		}
		return state
	}
	g := func(n, h, m vec) vec { return xor(xor(e(lps(xor(h, n)), m), h), m) }
	number := func(v uint64) (r vec) {
		for i := 63; v != 0; i-- {
			r[i] = byte(v)
			v >>= 8
		}
		return r
	}

	var h, n, sigma vec
	if size == Size256 {
		for i := range h {
			h[i] = 0x01
		}
	}
	m := slices.Clone(msg)
	slices.Reverse(m) // now most significant byte first, as printed
	for len(m) >= 64 {
		var block vec
		copy(block[:], m[len(m)-64:])
		h = g(n, h, block)
		n = add(n, number(512))
		sigma = add(sigma, block)
		m = m[:len(m)-64]
	}
	var block vec // 0^(511-|M|) || 1 || M
	copy(block[64-len(m):], m)
	block[63-len(m)] = 0x01
	h = g(n, h, block)
	n = add(n, number(uint64(8*len(m))))
	sigma = add(sigma, block)
	var zero vec
	h = g(zero, h, n)
	h = g(zero, h, sigma)

	out := slices.Clone(h[:size]) // MSB_256 for the short variant
	slices.Reverse(out)           // digest bytes least significant first
	return out
}
