package gost3410

//go:generate go run gen_field.go

import (
	"math/big"
	"math/bits"
)

// maxLimbs is the number of 64-bit limbs of the largest modulus (512 bits).
// Every element uses the same fixed-size array so that one implementation
// serves the 256-bit and the 512-bit curves; a field only ever touches its
// first n limbs, the rest stay zero.
const maxLimbs = 8

// fe is an element of a prime field (or of the scalar ring mod q), stored
// as little-endian 64-bit limbs. Unless a name says otherwise, elements are
// in the field's internal form (Montgomery form x·R mod m with R = 2^(64n),
// or plain for the special moduli where R is taken as 1) and fully
// reduced (< m).
type fe [maxLimbs]uint64

// field is arithmetic modulo an odd modulus m of n limbs, in Montgomery
// form, or in plain form for the special moduli (see newField). The same
// type is used for coordinates (mod p) and for scalars
// (mod q), so scalar arithmetic in Sign is as constant-time as point
// arithmetic.
//
// Constant time: no function here branches on or indexes memory by the
// value of an element. Loops run over n, the public size of the modulus;
// conditional subtractions are done with masks computed from carries.
type field struct {
	n     int // limbs in use: 4 or 8
	kind  fieldKind
	pmC   uint64 // c of a pseudo-Mersenne modulus 2^(64n) - c
	m     fe     // the modulus
	mInv  uint64 // -m^-1 mod 2^64
	r2    fe     // R^2 mod m, converts into Montgomery form
	r3    fe     // R^3 mod m, used to reduce double-width values
	one   fe     // R mod m: 1 in Montgomery form
	bits  int    // bit length of m
	mBig  *big.Int
	mExp2 fe // m-2 (plain), the Fermat inversion exponent
}

// fieldKind selects the multiplication routine.
type fieldKind int

const (
	kindGeneric fieldKind = iota
	kindMont4             // Montgomery, unrolled for 4 limbs
	kindMont8             // Montgomery, 8 limbs
	kindPM4               // pseudo-Mersenne 2^256 - c, plain representation
	kindPM8               // pseudo-Mersenne 2^512 - c, plain representation
	kindPP4               // 2^255 + c, plain representation
	kindPP8               // 2^511 + c, plain representation
)

// newField prepares arithmetic mod m with n limbs. A modulus 2^(64n) - c
// with small c gets the faster pseudo-Mersenne reduction; its elements are
// then kept plain, which the rest of the code does not notice because the
// "Montgomery" constants become R = 1 (one = 1, r2 = 1, r3 = 2^(64n) mod m).
func newField(m *big.Int, n int) *field {
	f := &field{n: n, bits: m.BitLen(), mBig: new(big.Int).Set(m)}
	f.m = feFromBig(m)
	r := new(big.Int).Lsh(big.NewInt(1), uint(64*n))
	half := new(big.Int).Rsh(r, 1)
	pm := new(big.Int).Sub(r, m)    // m = 2^(64n) - c
	pp := new(big.Int).Sub(m, half) // m = 2^(64n-1) + c
	if (pm.Sign() > 0 && pm.BitLen() < 31) || (pp.Sign() > 0 && pp.BitLen() < 31) {
		c := pm
		f.kind = kindPM4
		if pm.Sign() <= 0 || pm.BitLen() >= 31 {
			c = pp
			f.kind = kindPP4
		}
		if n == 8 {
			f.kind++
		}
		f.pmC = c.Uint64()
		f.one = fe{1}
		f.r2 = fe{1}
		f.r3 = feFromBig(new(big.Int).Mod(r, m))
		f.mExp2 = feFromBig(new(big.Int).Sub(m, big.NewInt(2)))
		return f
	}
	switch n {
	case 4:
		f.kind = kindMont4
	case 8:
		f.kind = kindMont8
	}
	// Newton iteration for m^-1 mod 2^64: each step doubles the correct bits.
	inv := uint64(1)
	for range 6 {
		inv *= 2 - f.m[0]*inv
	}
	f.mInv = -inv
	f.one = feFromBig(new(big.Int).Mod(r, m))
	r2 := new(big.Int).Mul(r, r)
	f.r2 = feFromBig(r2.Mod(r2, m))
	r3 := new(big.Int).Mul(r2, r)
	f.r3 = feFromBig(r3.Mod(r3, m))
	f.mExp2 = feFromBig(new(big.Int).Sub(m, big.NewInt(2)))
	return f
}

// feFromBig converts a non-negative integer below 2^512 to limbs (plain,
// not Montgomery). Used only for public values.
func feFromBig(x *big.Int) fe {
	var buf [8 * maxLimbs]byte
	x.FillBytes(buf[:])
	return feFromBE(buf[:])
}

// feFromBE reads big-endian bytes (at most 64) into limbs.
func feFromBE(b []byte) fe {
	var z fe
	for i := range b {
		pos := len(b) - 1 - i // byte significance
		z[pos/8] |= uint64(b[i]) << (8 * (pos % 8))
	}
	return z
}

// feFromLE reads little-endian bytes (at most 64) into limbs.
func feFromLE(b []byte) fe {
	var z fe
	for i := range b {
		z[i/8] |= uint64(b[i]) << (8 * (i % 8))
	}
	return z
}

// putBE writes the low len(b) bytes of z big-endian into b.
func (z *fe) putBE(b []byte) {
	for i := range b {
		pos := len(b) - 1 - i
		b[i] = byte(z[pos/8] >> (8 * (pos % 8)))
	}
}

// putLE writes the low len(b) bytes of z little-endian into b.
func (z *fe) putLE(b []byte) {
	for i := range b {
		b[i] = byte(z[i/8] >> (8 * (i % 8)))
	}
}

func (z *fe) big() *big.Int {
	var buf [8 * maxLimbs]byte
	z.putBE(buf[:])
	return new(big.Int).SetBytes(buf[:])
}

// mul sets z = x·y·R^-1 mod m (Montgomery multiplication, CIOS method).
// z may alias x or y.
func (f *field) mul(z, x, y *fe) {
	switch f.kind {
	case kindMont4:
		mul4(z, x, y, &f.m, f.mInv)
	case kindMont8:
		mul8(z, x, y, &f.m, f.mInv)
	case kindPM4:
		mulPM4(z, x, y, f.pmC)
	case kindPM8:
		mulPM8(z, x, y, f.pmC)
	case kindPP4:
		mulPP4(z, x, y, f.pmC)
	case kindPP8:
		mulPP8(z, x, y, f.pmC)
	default:
		f.mulGeneric(z, x, y)
	}
}

func (f *field) mulGeneric(z, x, y *fe) {
	n := f.n
	var t [maxLimbs + 2]uint64
	for i := 0; i < n; i++ {
		// t += x·y[i]
		var c, cc uint64
		yi := y[i]
		for j := 0; j < n; j++ {
			hi, lo := bits.Mul64(x[j], yi)
			lo, cc = bits.Add64(lo, t[j], 0)
			hi += cc
			lo, cc = bits.Add64(lo, c, 0)
			hi += cc
			t[j] = lo
			c = hi
		}
		t[n], cc = bits.Add64(t[n], c, 0)
		t[n+1] = cc
		// t = (t + u·m) / 2^64 with u chosen so the low limb vanishes.
		u := t[0] * f.mInv
		hi, lo := bits.Mul64(u, f.m[0])
		_, cc = bits.Add64(lo, t[0], 0)
		c = hi + cc
		for j := 1; j < n; j++ {
			hi, lo = bits.Mul64(u, f.m[j])
			lo, cc = bits.Add64(lo, t[j], 0)
			hi += cc
			lo, cc = bits.Add64(lo, c, 0)
			hi += cc
			t[j-1] = lo
			c = hi
		}
		t[n-1], cc = bits.Add64(t[n], c, 0)
		t[n] = t[n+1] + cc
	}
	// Here t < 2m; subtract m once if t >= m, selecting by mask.
	var d fe
	var b uint64
	for j := 0; j < n; j++ {
		d[j], b = bits.Sub64(t[j], f.m[j], b)
	}
	_, b = bits.Sub64(t[n], 0, b)
	mask := -b // all ones when t < m (the subtraction borrowed)
	for j := 0; j < n; j++ {
		z[j] = (t[j] & mask) | (d[j] &^ mask)
	}
}

func (f *field) sqr(z, x *fe) {
	switch f.kind {
	case kindPM4:
		sqrPM4(z, x, f.pmC)
	case kindPM8:
		sqrPM8(z, x, f.pmC)
	case kindPP4:
		sqrPP4(z, x, f.pmC)
	case kindPP8:
		sqrPP8(z, x, f.pmC)
	default:
		f.mul(z, x, x)
	}
}

// add sets z = x + y mod m.
func (f *field) add(z, x, y *fe) {
	switch f.n {
	case 4:
		add4(z, x, y, &f.m)
		return
	case 8:
		add8(z, x, y, &f.m)
		return
	}
	n := f.n
	var s, d fe
	var c, b uint64
	for j := 0; j < n; j++ {
		s[j], c = bits.Add64(x[j], y[j], c)
	}
	for j := 0; j < n; j++ {
		d[j], b = bits.Sub64(s[j], f.m[j], b)
	}
	// Keep s only when the sum did not carry out and s - m borrowed.
	_, b = bits.Sub64(c, 0, b)
	mask := -b
	for j := 0; j < n; j++ {
		z[j] = (s[j] & mask) | (d[j] &^ mask)
	}
}

// sub sets z = x - y mod m.
func (f *field) sub(z, x, y *fe) {
	switch f.n {
	case 4:
		sub4(z, x, y, &f.m)
		return
	case 8:
		sub8(z, x, y, &f.m)
		return
	}
	n := f.n
	var d fe
	var b, c uint64
	for j := 0; j < n; j++ {
		d[j], b = bits.Sub64(x[j], y[j], b)
	}
	mask := -b // add m back when the subtraction borrowed
	for j := 0; j < n; j++ {
		z[j], c = bits.Add64(d[j], f.m[j]&mask, c)
	}
}

// neg sets z = -x mod m (0 stays 0).
func (f *field) neg(z, x *fe) {
	var zero fe
	f.sub(z, &zero, x)
}

// isZero returns 1 if x == 0 and 0 otherwise, without branching.
func (f *field) isZero(x *fe) uint64 {
	var acc uint64
	for j := 0; j < f.n; j++ {
		acc |= x[j]
	}
	// acc|-acc has its top bit set exactly when acc != 0.
	return 1 ^ ((acc | -acc) >> 63)
}

// equal returns 1 if x == y and 0 otherwise, without branching.
func (f *field) equal(x, y *fe) uint64 {
	var acc uint64
	for j := 0; j < f.n; j++ {
		acc |= x[j] ^ y[j]
	}
	return 1 ^ ((acc | -acc) >> 63)
}

// lessThanM reports whether a plain value x is below the modulus.
// Constant time.
func (f *field) lessThanM(x *fe) uint64 {
	var b uint64
	for j := 0; j < f.n; j++ {
		_, b = bits.Sub64(x[j], f.m[j], b)
	}
	for j := f.n; j < maxLimbs; j++ {
		_, b = bits.Sub64(0, x[j], b)
	}
	return b
}

// sel sets z = a if bit == 1 and z = b if bit == 0 (bit must be 0 or 1).
func sel(z, a, b *fe, bit uint64) {
	mask := -bit
	for j := range z {
		z[j] = (a[j] & mask) | (b[j] &^ mask)
	}
}

// sel is the package-level sel limited to the limbs in use.
func (f *field) sel(z, a, b *fe, bit uint64) {
	mask := -bit
	for j := 0; j < f.n; j++ {
		z[j] = (a[j] & mask) | (b[j] &^ mask)
	}
}

// toMont converts a plain value below m into Montgomery form.
func (f *field) toMont(z, x *fe) { f.mul(z, x, &f.r2) }

// fromMont converts out of Montgomery form.
func (f *field) fromMont(z, x *fe) {
	one := fe{1}
	f.mul(z, x, &one)
}

// reduceWide sets z to (hi·2^(64n) + lo) mod m in Montgomery form, for
// plain hi and lo of n limbs each. Used to reduce hash output and the
// double-width nonce material mod q without bias worth mentioning and in
// constant time: lo·R^2·R^-1 = lo·R and hi·R^3·R^-1 = hi·R·R.
func (f *field) reduceWide(z, hi, lo *fe) {
	var a, b fe
	f.mul(&a, lo, &f.r2)
	f.mul(&b, hi, &f.r3)
	f.add(z, &a, &b)
}

// reduce sets z to x mod m in Montgomery form, for a plain x of n limbs.
func (f *field) reduce(z, x *fe) {
	f.mul(z, x, &f.r2)
}

// inv sets z = x^-1 mod m (Montgomery in, Montgomery out) as x^(m-2)
// (Fermat). The exponent is the public modulus, so the sequence of
// squarings and multiplications is the same for every x, and nothing is
// indexed by x: constant time. Inverse of 0 is 0.
func (f *field) inv(z, x *fe) {
	switch f.kind {
	case kindPM4, kindPM8:
		f.invPseudoMersenne(z, x)
	case kindPP4, kindPP8:
		f.invBinary(z, x)
	default:
		f.invWindow(z, x)
	}
}

// invPseudoMersenne computes x^(m-2) for m = 2^N - c, where
// m - 2 = (2^a - 1)·2^b + low with b = bitlen(c+2), a = N - b,
// low = 2^b - c - 2: first x^(2^a - 1) by the doubling chain
// x^(2^k-1) -> x^(2^2k-1) (a-1 squarings, about 2·log2(a) multiplications),
// then b more squarings with the bits of low. About N squarings and 20
// multiplications instead of the N/4 multiplications of a 4-bit window.
func (f *field) invPseudoMersenne(z, x *fe) {
	n := 64 * f.n
	b := bits.Len64(f.pmC + 2)
	a := n - b
	low := uint64(1)<<b - (f.pmC + 2)
	t := *x // x^(2^k - 1) with k = 1
	k := 1
	for i := bits.Len(uint(a)) - 2; i >= 0; i-- {
		u := t
		for range k {
			f.sqr(&u, &u)
		}
		f.mul(&t, &u, &t)
		k *= 2
		if (a>>i)&1 == 1 {
			f.sqr(&t, &t)
			f.mul(&t, &t, x)
			k++
		}
	}
	for i := b - 1; i >= 0; i-- {
		f.sqr(&t, &t)
		if (low>>i)&1 == 1 {
			f.mul(&t, &t, x)
		}
	}
	*z = t
}

// invBinary computes x^(m-2) left to right, one bit at a time: for
// m = 2^(N-1) + c the exponent has only a few set bits.
func (f *field) invBinary(z, x *fe) {
	top := f.bits - 1 // m-2 has the same top bit as m
	t := *x
	for i := top - 1; i >= 0; i-- {
		f.sqr(&t, &t)
		if (f.mExp2[i/64]>>(i%64))&1 == 1 {
			f.mul(&t, &t, x)
		}
	}
	*z = t
}

// invWindow computes x^(m-2) with a fixed 4-bit window.
func (f *field) invWindow(z, x *fe) {
	var table [16]fe
	table[0] = f.one
	table[1] = *x
	for i := 2; i < 16; i++ {
		f.mul(&table[i], &table[i-1], x)
	}
	acc := f.one
	for i := f.n*64/4 - 1; i >= 0; i-- {
		for range 4 {
			f.sqr(&acc, &acc)
		}
		w := (f.mExp2[i/16] >> (4 * (i % 16))) & 15
		if w != 0 { // w is a digit of the public exponent
			f.mul(&acc, &acc, &table[w])
		}
	}
	*z = acc
}
