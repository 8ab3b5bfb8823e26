package gost3410

// Point arithmetic.
//
//   - Homogeneous projective coordinates (X:Y:Z), x = X/Z, y = Y/Z, identity
//     (0:1:0), with the complete addition formulas of Renes, Costello and
//     Batina ("Complete addition formulas for prime order elliptic curves",
//     EUROCRYPT 2016, algorithm 1): one branch-free formula for every pair
//     of inputs. Used to build the base point tables, where simplicity
//     matters more than speed. The formulas are complete on groups of odd
//     order; on the cofactor-4 curves (TC26 256-A, 512-C) all points added
//     here are multiples of the base point, in the subgroup of odd order q,
//     where the exceptional pairs (which differ by a point of order 2)
//     cannot occur.
//   - Signing and key generation (secret scalars): baseMult, a fixed-base
//     comb over those tables with Jacobian mixed additions, full table scans
//     and masked selections; see its comment for why the incomplete formula
//     is safe there.
//   - Verification (public data only): verify.go, Jacobian coordinates with
//     variable-time interleaved wNAF.

type point struct{ x, y, z fe }

type affinePoint struct{ x, y fe }

func (c *curveParams) identity() point {
	return point{y: c.fp.one}
}

// mulA sets z = a·x.
func (c *curveParams) mulA(z, x *fe) {
	if c.aIsM3 { // the branch is on a public curve constant
		var t fe
		c.fp.add(&t, x, x)
		c.fp.add(&t, &t, x)
		c.fp.neg(z, &t)
		return
	}
	c.fp.mul(z, x, &c.a)
}

// add sets r = p + q (RCB algorithm 1, any a). r may alias p or q.
func (c *curveParams) add(r, p, q *point) {
	f := c.fp
	var t0, t1, t2, t3, t4, t5, x3, y3, z3 fe
	f.mul(&t0, &p.x, &q.x)
	f.mul(&t1, &p.y, &q.y)
	f.mul(&t2, &p.z, &q.z)
	f.add(&t3, &p.x, &p.y)
	f.add(&t4, &q.x, &q.y)
	f.mul(&t3, &t3, &t4)
	f.add(&t4, &t0, &t1)
	f.sub(&t3, &t3, &t4) // t3 = X1Y2 + X2Y1
	f.add(&t4, &p.x, &p.z)
	f.add(&t5, &q.x, &q.z)
	f.mul(&t4, &t4, &t5)
	f.add(&t5, &t0, &t2)
	f.sub(&t4, &t4, &t5) // t4 = X1Z2 + X2Z1
	f.add(&t5, &p.y, &p.z)
	f.add(&x3, &q.y, &q.z)
	f.mul(&t5, &t5, &x3)
	f.add(&x3, &t1, &t2)
	f.sub(&t5, &t5, &x3) // t5 = Y1Z2 + Y2Z1
	c.addTail(r, &t0, &t1, &t2, &t3, &t4, &t5, &x3, &y3, &z3)
}

// addTail is the common second half of RCB algorithms 1 and 2, given
// t0 = X1X2, t1 = Y1Y2, t2 = Z1Z2, t3 = X1Y2+X2Y1, t4 = X1Z2+X2Z1,
// t5 = Y1Z2+Y2Z1.
func (c *curveParams) addTail(r *point, t0, t1, t2, t3, t4, t5, x3, y3, z3 *fe) {
	f := c.fp
	c.mulA(z3, t4)
	f.mul(x3, &c.b3, t2)
	f.add(z3, x3, z3)
	f.sub(x3, t1, z3)
	f.add(z3, t1, z3)
	f.mul(y3, x3, z3)
	f.add(t1, t0, t0)
	f.add(t1, t1, t0)
	c.mulA(t2, t2)
	f.mul(t4, &c.b3, t4)
	f.add(t1, t1, t2)
	f.sub(t2, t0, t2)
	c.mulA(t2, t2)
	f.add(t4, t4, t2)
	f.mul(t0, t1, t4)
	f.add(y3, y3, t0)
	f.mul(t0, t5, t4)
	f.mul(x3, t3, x3)
	f.sub(x3, x3, t0)
	f.mul(t0, t3, t1)
	f.mul(z3, t5, z3)
	f.add(z3, z3, t0)
	r.x, r.y, r.z = *x3, *y3, *z3
}

// double sets r = 2p.
func (c *curveParams) double(r, p *point) {
	c.add(r, p, p)
}

// ctEq returns 1 if a == b and 0 otherwise, for values below 2^63,
// without branching.
func ctEq(a, b uint64) uint64 {
	return ((a ^ b) - 1) >> 63
}

// toAffine returns the affine coordinates (Montgomery form) of p, which
// must not be the identity. Constant time (inversion by a fixed exponent).
func (c *curveParams) toAffine(p *point) (x, y fe) {
	var zi fe
	c.fp.inv(&zi, &p.z)
	c.fp.mul(&x, &p.x, &zi)
	c.fp.mul(&y, &p.y, &zi)
	return x, y
}

// onCurve reports whether affine (x, y), in Montgomery form, satisfies
// y^2 = x^3 + a·x + b. Used on public data only.
func (c *curveParams) onCurve(x, y *fe) bool {
	f := c.fp
	var lhs, rhs, t, b fe
	f.sqr(&lhs, y)
	f.sqr(&rhs, x)
	f.mul(&rhs, &rhs, x)
	c.mulA(&t, x)
	f.add(&rhs, &rhs, &t)
	// b = b3 / 3 is not stored; compare 3·lhs with 3·(x^3+ax) + b3.
	var l3, r3 fe
	f.add(&l3, &lhs, &lhs)
	f.add(&l3, &l3, &lhs)
	f.add(&r3, &rhs, &rhs)
	f.add(&r3, &r3, &rhs)
	b = c.b3
	f.add(&r3, &r3, &b)
	return f.equal(&l3, &r3) == 1
}

// Base point table for the fixed-base scalar multiplication.
//
// The scalar k (at most 64n bits) is cut into w-bit windows k_i, and
// k·G = Σ k_i·2^(w·i)·G. table[i][j-1] holds j·2^(w·i)·G in affine form
// for j = 1..2^w-1, so k·G needs one mixed addition per window and no
// doubling at all.
const baseWindow = 5

type baseTable struct {
	windows int
	winLen  int      // uint64 words per window: (2^w-1) entries of x, y
	data    []uint64 // window-major, then entry, then x and y (n limbs each)
}

func (c *curveParams) baseTable() *baseTable {
	c.tableOnce.Do(func() { c.table = c.buildBaseTable() })
	return c.table
}

func (c *curveParams) buildBaseTable() *baseTable {
	const per = (1 << baseWindow) - 1
	n := c.fp.n
	windows := (c.size*8 + baseWindow - 1) / baseWindow
	t := &baseTable{windows: windows, winLen: per * 2 * n}
	t.data = make([]uint64, windows*t.winLen)
	proj := make([]point, windows*per)
	g := point{x: c.gx, y: c.gy, z: c.fp.one}
	base := g // 2^(w·i)·G
	for i := range windows {
		acc := base
		for j := range per {
			proj[i*per+j] = acc
			c.add(&acc, &acc, &base)
		}
		// acc = 2^w·base now: the next window's base.
		base = acc
	}
	// Batch inversion (Montgomery's trick): one inversion for all Z.
	f := c.fp
	prefix := make([]fe, len(proj))
	run := f.one
	for i := range proj {
		prefix[i] = run
		f.mul(&run, &run, &proj[i].z)
	}
	var inv fe
	f.inv(&inv, &run)
	for i := len(proj) - 1; i >= 0; i-- {
		var zi, x, y fe
		f.mul(&zi, &inv, &prefix[i])
		f.mul(&inv, &inv, &proj[i].z)
		f.mul(&x, &proj[i].x, &zi)
		f.mul(&y, &proj[i].y, &zi)
		off := i * 2 * n // entries are consecutive across windows
		copy(t.data[off:off+n], x[:n])
		copy(t.data[off+n:off+2*n], y[:n])
	}
	return t
}

// window returns the i-th w-bit window of a plain scalar.
func window(k *fe, i int) uint64 {
	bit := i * baseWindow
	word, shift := bit/64, bit%64
	w := k[word] >> shift
	// A window may straddle two limbs; the branch is on the public index.
	if shift > 64-baseWindow && word+1 < maxLimbs {
		w |= k[word+1] << (64 - shift)
	}
	return w & ((1 << baseWindow) - 1)
}

// baseMult returns k·G for a secret plain scalar k with 0 < k < q.
//
// Constant time: every window does the same work. The table entry is
// found by reading all 2^w-1 entries of the window and keeping the one
// whose index matches, with masks (scanJ4/scanJ8); the addition is always
// performed and its result discarded by a masked selection when the window
// is zero.
//
// The accumulator is in Jacobian coordinates and the table entries are
// affine, so each window costs one mixed addition (madd-2007-bl), cheaper
// than the complete formulas. That formula is wrong only when the
// accumulator is the identity or equals ±(the entry); the first case is
// tracked with a mask (acc is the identity until the first non-zero
// window) and the second cannot happen: before window i the accumulator is
// m·G with 0 <= m < 2^(wi), the entry is d·2^(wi)·G with d > 0, and
// m ± d·2^(wi) is never 0 mod q because 0 < m + d·2^(wi) <= k < q and
// -q < m - d·2^(wi) < 0.
func (c *curveParams) baseMult(k *fe) point {
	if c.ed != nil {
		return c.edBaseMult(k)
	}
	t := c.baseTable()
	f := c.fp
	var acc jacobian
	accIsO := uint64(1)
	for i := range t.windows {
		w := window(k, i)
		var xy [2]fe
		win := t.data[i*t.winLen : (i+1)*t.winLen]
		if f.n == 4 {
			scanJ4(&xy, win, w)
		} else {
			scanJ8(&xy, win, w)
		}
		e := affinePoint{x: xy[0], y: xy[1]}
		var sum jacobian
		c.jAddAffineCT(&sum, &acc, &e)
		// When acc is the identity the sum is just the entry.
		f.sel(&sum.x, &e.x, &sum.x, accIsO)
		f.sel(&sum.y, &e.y, &sum.y, accIsO)
		f.sel(&sum.z, &f.one, &sum.z, accIsO)
		nonZero := 1 ^ ctEq(w, 0)
		f.sel(&acc.x, &sum.x, &acc.x, nonZero)
		f.sel(&acc.y, &sum.y, &acc.y, nonZero)
		f.sel(&acc.z, &sum.z, &acc.z, nonZero)
		accIsO &= 1 ^ nonZero
	}
	// Jacobian (X, Y, Z) to homogeneous projective (X·Z, Y, Z^3).
	var r point
	var z2 fe
	f.mul(&r.x, &acc.x, &acc.z)
	r.y = acc.y
	f.sqr(&z2, &acc.z)
	f.mul(&r.z, &z2, &acc.z)
	return r
}

// jAddAffineCT sets r = p + q (madd-2007-bl) without any branch; the
// result is meaningful only when p is not the identity and p != ±q (see
// baseMult for why that holds there).
func (c *curveParams) jAddAffineCT(r, p *jacobian, q *affinePoint) {
	f := c.fp
	var z1z1, u2, s2, h, hh, i, j, rr, v, t, x3, y3, z3 fe
	f.sqr(&z1z1, &p.z)
	f.mul(&u2, &q.x, &z1z1)
	f.mul(&s2, &q.y, &p.z)
	f.mul(&s2, &s2, &z1z1)
	f.sub(&h, &u2, &p.x)
	f.sub(&rr, &s2, &p.y)
	f.sqr(&hh, &h)
	f.add(&i, &hh, &hh)
	f.add(&i, &i, &i)
	f.mul(&j, &h, &i)
	f.add(&rr, &rr, &rr)
	f.mul(&v, &p.x, &i)
	f.sqr(&x3, &rr)
	f.sub(&x3, &x3, &j)
	f.sub(&x3, &x3, &v)
	f.sub(&x3, &x3, &v)
	f.sub(&t, &v, &x3)
	f.mul(&y3, &rr, &t)
	f.mul(&t, &p.y, &j)
	f.add(&t, &t, &t)
	f.sub(&y3, &y3, &t)
	f.add(&z3, &p.z, &h)
	f.sqr(&z3, &z3)
	f.sub(&z3, &z3, &z1z1)
	f.sub(&z3, &z3, &hh)
	r.x, r.y, r.z = x3, y3, z3
}
