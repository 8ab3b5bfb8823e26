package gost3410

import (
	"math/big"
	"sync"
)

// Twisted Edwards arithmetic for TC26 256-A and 512-C (RFC 7836 A.2:
// u^2 + v^2 = 1 + d·u^2·v^2, e = 1). Keys, signatures and encodings stay in
// the Weierstrass form every standard uses; only the scalar
// multiplications run on the birationally equivalent Edwards curve, where
// they are cheaper and where the addition law is complete: e = 1 is a
// square and d is not (checked by TestEdwardsForm), so the unified
// formulas below are correct for every pair of points, with no exceptional
// case to handle, which keeps the secret-scalar multiplication simply
// constant time.
//
// Points are in extended coordinates (X:Y:Z:T), u = X/Z, v = Y/Z,
// T = X·Y/Z (Hisil, Wong, Carter, Dawson, "Twisted Edwards curves
// revisited", 2008: add-2008-hwcd and dbl-2008-hwcd with a = 1).

type edwardsParams struct {
	d, s, t fe // Edwards d, and the map constants s = (1-d)/4, t = (1+d)/6
	g       edAffine

	tableOnce  sync.Once
	table      []uint64 // window-major; entries j = 0..2^w-1 of (x, y, d·x·y)
	tableWin   int      // uint64 words per window
	vtableOnce sync.Once
	vtable     *[1 << (wnafWidthG - 2)]edAffine
}

// edPoint is a point in extended coordinates.
type edPoint struct{ x, y, z, t fe }

// edAffine is a point with Z = 1 and T pre-multiplied by d: (u, v, d·u·v).
// The identity is (0, 1, 0).
type edAffine struct{ x, y, dt fe }

// edCached is a projective point with T pre-multiplied by d.
type edCached struct{ x, y, z, dt fe }

func newEdwardsParams(c *curveParams, d *big.Int) *edwardsParams {
	p := c.pBig
	f := c.fp
	toM := func(v *big.Int) fe {
		plain := feFromBig(new(big.Int).Mod(v, p))
		var z fe
		f.toMont(&z, &plain)
		return z
	}
	one := big.NewInt(1)
	s := new(big.Int).Sub(one, d)
	s.Mul(s, new(big.Int).ModInverse(big.NewInt(4), p))
	t := new(big.Int).Add(one, d)
	t.Mul(t, new(big.Int).ModInverse(big.NewInt(6), p))
	e := &edwardsParams{d: toM(d), s: toM(s), t: toM(t)}
	gw := point{x: c.gx, y: c.gy, z: f.one}
	g, ok := c.toEdwards(e, &gw)
	if !ok {
		panic("gost3410: base point has no Edwards form")
	}
	e.g = c.edNormalize(e, &g)
	return e
}

// toEdwards maps a Weierstrass point (affine, Z = 1) to extended Edwards
// coordinates: u = (x-t)/y, v = (x-t-s)/(x-t+s), written without
// inversion as (Un·Vd : Vn·Ud : Ud·Vd : Un·Vn). It fails for the few points
// with y = 0 or x-t+s = 0, none of which lies in the subgroup of order q.
func (c *curveParams) toEdwards(e *edwardsParams, w *point) (edPoint, bool) {
	f := c.fp
	var un, vn, vd fe
	f.sub(&un, &w.x, &e.t)
	f.sub(&vn, &un, &e.s)
	f.add(&vd, &un, &e.s)
	ud := &w.y
	var r edPoint
	f.mul(&r.x, &un, &vd)
	f.mul(&r.y, &vn, ud)
	f.mul(&r.z, ud, &vd)
	f.mul(&r.t, &un, &vn)
	return r, f.isZero(&r.z) == 0
}

// fromEdwards maps an Edwards point to homogeneous projective Weierstrass
// coordinates: x = (s(Z+Y) + t(Z-Y))/(Z-Y), y = s(Z+Y)Z/((Z-Y)X), over the
// common denominator (Z-Y)·X. Undefined for u = 0 (the identity and the
// point of order 2), which k·G with 0 < k < q never is. Constant time.
func (c *curveParams) fromEdwards(e *edwardsParams, p *edPoint) point {
	f := c.fp
	var zpy, zmy, szpy, num fe
	f.add(&zpy, &p.z, &p.y)
	f.sub(&zmy, &p.z, &p.y)
	f.mul(&szpy, &e.s, &zpy)
	f.mul(&num, &e.t, &zmy)
	f.add(&num, &num, &szpy)
	var r point
	f.mul(&r.x, &num, &p.x)
	f.mul(&r.y, &szpy, &p.z)
	f.mul(&r.z, &zmy, &p.x)
	return r
}

// edNormalize returns p with Z = 1 and T = d·u·v (public data only).
func (c *curveParams) edNormalize(e *edwardsParams, p *edPoint) edAffine {
	f := c.fp
	var zi fe
	f.inv(&zi, &p.z)
	var a edAffine
	f.mul(&a.x, &p.x, &zi)
	f.mul(&a.y, &p.y, &zi)
	f.mul(&a.dt, &a.x, &a.y)
	f.mul(&a.dt, &a.dt, &e.d)
	return a
}

func (c *curveParams) edIdentity() edPoint {
	return edPoint{y: c.fp.one, z: c.fp.one}
}

// edAddAffine sets r = p + q for q with Z = 1 (8M). Complete.
func (c *curveParams) edAddAffine(r, p *edPoint, q *edAffine) {
	c.edAddAffineT(r, p, q, true)
}

// edAddAffineT is edAddAffine that skips T (7M) when withT is false, for a
// result that is only doubled next.
func (c *curveParams) edAddAffineT(r, p *edPoint, q *edAffine, withT bool) {
	f := c.fp
	var a, b, cc, e, ff, g, h, t1, t2 fe
	f.mul(&a, &p.x, &q.x)
	f.mul(&b, &p.y, &q.y)
	f.mul(&cc, &p.t, &q.dt)
	f.add(&t1, &p.x, &p.y)
	f.add(&t2, &q.x, &q.y)
	f.mul(&e, &t1, &t2)
	f.sub(&e, &e, &a)
	f.sub(&e, &e, &b)
	f.sub(&ff, &p.z, &cc)
	f.add(&g, &p.z, &cc)
	f.sub(&h, &b, &a)
	f.mul(&r.x, &e, &ff)
	f.mul(&r.y, &g, &h)
	if withT {
		f.mul(&r.t, &e, &h)
	}
	f.mul(&r.z, &ff, &g)
}

// edAddCached sets r = p + q (9M). Complete.
func (c *curveParams) edAddCached(r, p *edPoint, q *edCached) {
	c.edAddCachedT(r, p, q, true)
}

// edAddCachedT is edAddCached that skips T (8M) when withT is false.
func (c *curveParams) edAddCachedT(r, p *edPoint, q *edCached, withT bool) {
	f := c.fp
	var a, b, cc, dd, e, ff, g, h, t1, t2 fe
	f.mul(&a, &p.x, &q.x)
	f.mul(&b, &p.y, &q.y)
	f.mul(&cc, &p.t, &q.dt)
	f.mul(&dd, &p.z, &q.z)
	f.add(&t1, &p.x, &p.y)
	f.add(&t2, &q.x, &q.y)
	f.mul(&e, &t1, &t2)
	f.sub(&e, &e, &a)
	f.sub(&e, &e, &b)
	f.sub(&ff, &dd, &cc)
	f.add(&g, &dd, &cc)
	f.sub(&h, &b, &a)
	f.mul(&r.x, &e, &ff)
	f.mul(&r.y, &g, &h)
	if withT {
		f.mul(&r.t, &e, &h)
	}
	f.mul(&r.z, &ff, &g)
}

// edDouble sets r = 2p (4M + 4S). Complete.
func (c *curveParams) edDouble(r, p *edPoint) {
	c.edDoubleT(r, p, true)
}

// edDoubleT is edDouble that skips T (3M + 4S) when withT is false, for a
// result that is only doubled again (doubling does not read T).
func (c *curveParams) edDoubleT(r, p *edPoint, withT bool) {
	f := c.fp
	var a, b, cc, e, g, ff, h fe
	f.sqr(&a, &p.x)
	f.sqr(&b, &p.y)
	f.sqr(&cc, &p.z)
	f.add(&cc, &cc, &cc)
	f.add(&e, &p.x, &p.y)
	f.sqr(&e, &e)
	f.sub(&e, &e, &a)
	f.sub(&e, &e, &b)
	f.add(&g, &a, &b)
	f.sub(&ff, &g, &cc)
	f.sub(&h, &a, &b)
	f.mul(&r.x, &e, &ff)
	f.mul(&r.y, &g, &h)
	if withT {
		f.mul(&r.t, &e, &h)
	}
	f.mul(&r.z, &ff, &g)
}

func (c *curveParams) edCache(e *edwardsParams, p *edPoint) edCached {
	q := edCached{x: p.x, y: p.y, z: p.z}
	c.fp.mul(&q.dt, &p.t, &e.d)
	return q
}

// Signed windows for the Edwards comb: the scalar is recoded into digits
// d_i in [-2^(w-1), 2^(w-1)] (Booth recoding, computed with masks), so a
// window needs only the entries 0..2^(w-1) and a conditional negation,
// (x, y) -> (-x, y) on the Edwards curve. The complete formulas make
// negative partial sums harmless.
const (
	edWindowBits = 5
	edEntries    = 1<<(edWindowBits-1) + 1 // digits 0..16
)

// edBaseTable returns the fixed-base comb table, built once: window i holds
// j·2^(wi)·G for j = 0..2^(w-1) (entry 0 is the identity), each entry as
// (x, y, d·x·y) of n limbs.
func (c *curveParams) edBaseTable() ([]uint64, int) {
	e := c.ed
	e.tableOnce.Do(func() {
		n := c.fp.n
		// One window more than the bits need: the top digit absorbs the
		// carry of the recoding.
		windows := c.size*8/edWindowBits + 1
		winLen := edEntries * 3 * n
		table := make([]uint64, windows*winLen)
		base := edPoint{x: e.g.x, y: e.g.y, z: c.fp.one}
		c.fp.mul(&base.t, &e.g.x, &e.g.y)
		for i := range windows {
			acc := c.edIdentity()
			baseC := c.edCache(e, &base)
			for j := range edEntries {
				a := c.edNormalize(e, &acc)
				off := i*winLen + j*3*n
				copy(table[off:off+n], a.x[:n])
				copy(table[off+n:off+2*n], a.y[:n])
				copy(table[off+2*n:off+3*n], a.dt[:n])
				c.edAddCached(&acc, &acc, &baseC)
			}
			next := base
			for range edWindowBits {
				c.edDouble(&next, &next)
			}
			base = next // 2^w·base
		}
		e.table, e.tableWin = table, winLen
	})
	return e.table, e.tableWin
}

// boothDigit returns the signed digit of window i of a plain scalar as a
// magnitude (0..2^(w-1)) and a sign bit, computed without branching on the
// scalar: the w+1 bits starting one below the window give the digit
// bits - 2^w·top + low carry, i.e. the standard Booth recoding.
func boothDigit(k *fe, i int) (mag, neg uint64) {
	const w = edWindowBits
	// bits [w·i - 1, w·i + w - 1] of k, with bit -1 = 0
	var in uint64
	if i == 0 {
		in = (k[0] << 1) & (1<<(w+1) - 1)
	} else {
		bit := w*i - 1
		word, shift := bit/64, bit%64
		in = k[word] >> shift
		if shift > 64-(w+1) && word+1 < maxLimbs { // public index
			in |= k[word+1] << (64 - shift)
		}
		in &= 1<<(w+1) - 1
	}
	s := ^((in >> w) - 1) // all ones when the top bit is set
	d := (1 << (w + 1)) - in - 1
	d = (d & s) | (in &^ s)
	d = (d >> 1) + (d & 1)
	return d, s & 1
}

// edBaseMult returns k·G for a secret plain scalar k as a projective
// Weierstrass point. Constant time: per window one full table scan
// (scanE4/scanE8), one masked negation and one complete addition,
// whatever the digit (digit 0 adds the identity like any other point).
func (c *curveParams) edBaseMult(k *fe) point {
	e := c.ed
	f := c.fp
	table, winLen := c.edBaseTable()
	acc := c.edIdentity()
	windows := len(table) / winLen
	for i := range windows {
		mag, neg := boothDigit(k, i)
		var v [3]fe
		win := table[i*winLen : (i+1)*winLen]
		if f.n == 4 {
			scanE4(&v, win, mag)
		} else {
			scanE8(&v, win, mag)
		}
		entry := edAffine{x: v[0], y: v[1], dt: v[2]}
		var nx, ndt fe
		f.neg(&nx, &entry.x)
		f.neg(&ndt, &entry.dt)
		f.sel(&entry.x, &nx, &entry.x, neg)
		f.sel(&entry.dt, &ndt, &entry.dt, neg)
		c.edAddAffine(&acc, &acc, &entry)
	}
	return c.fromEdwards(e, &acc)
}

// edVerifyTable returns the odd multiples G, 3G, ... of the base point for
// the interleaved verification multiplication, built once.
func (c *curveParams) edVerifyTable() *[1 << (wnafWidthG - 2)]edAffine {
	e := c.ed
	e.vtableOnce.Do(func() {
		t := new([1 << (wnafWidthG - 2)]edAffine)
		g := edPoint{x: e.g.x, y: e.g.y, z: c.fp.one}
		c.fp.mul(&g.t, &e.g.x, &e.g.y)
		var g2 edPoint
		c.edDouble(&g2, &g)
		g2c := c.edCache(e, &g2)
		acc := g
		for i := range t {
			t[i] = c.edNormalize(e, &acc)
			c.edAddCached(&acc, &acc, &g2c)
		}
		e.vtable = t
	})
	return e.vtable
}

// edDoubleMultVartime returns u1·G + u2·Q for public scalars (verification).
func (c *curveParams) edDoubleMultVartime(u1, u2 *fe, q *edPoint) edPoint {
	e := c.ed
	f := c.fp
	bitsLen := c.size * 8
	n1 := wnaf(u1, wnafWidthG, bitsLen)
	n2 := wnaf(u2, wnafWidthQ, bitsLen)
	gt := c.edVerifyTable()

	var qOdd [1 << (wnafWidthQ - 2)]edCached
	var q2 edPoint
	c.edDouble(&q2, q)
	q2c := c.edCache(e, &q2)
	acc := *q
	for i := range qOdd {
		qOdd[i] = c.edCache(e, &acc)
		c.edAddCached(&acc, &acc, &q2c)
	}

	acc = c.edIdentity()
	top := len(n1) - 1
	for top >= 0 && n1[top] == 0 && n2[top] == 0 {
		top--
	}
	for i := top; i >= 0; i-- {
		// T is needed only by an addition that follows (digits are public):
		// after the doubling when a digit is non-zero, after the first
		// addition when the second digit is non-zero too.
		d1, d2 := n1[i], n2[i]
		c.edDoubleT(&acc, &acc, d1 != 0 || d2 != 0)
		if d1 != 0 {
			entry := gt[abs8(d1)/2]
			if d1 < 0 {
				f.neg(&entry.x, &entry.x)
				f.neg(&entry.dt, &entry.dt)
			}
			c.edAddAffineT(&acc, &acc, &entry, d2 != 0)
		}
		if d2 != 0 {
			entry := qOdd[abs8(d2)/2]
			if d2 < 0 {
				f.neg(&entry.x, &entry.x)
				f.neg(&entry.dt, &entry.dt)
			}
			c.edAddCachedT(&acc, &acc, &entry, false)
		}
	}
	return acc
}

// inSubgroup reports whether the (public) affine point p lies in the
// subgroup of order q. Only the cofactor-4 curves have other points; there
// q·P is computed on the Edwards form, whose formulas are complete for
// every point of the curve, including those of small order.
func (c *curveParams) inSubgroup(p *point) bool {
	if c.cofactor == 1 {
		return true
	}
	pe, ok := c.toEdwards(c.ed, p)
	if !ok {
		return false // y = 0 or x-t+s = 0: points of order 2 or 4
	}
	var zero fe
	q := feFromBig(c.qBig)
	r := c.edDoubleMultVartime(&zero, &q, &pe)
	var zmy fe
	c.fp.sub(&zmy, &r.z, &r.y)
	return c.fp.isZero(&r.x) == 1 && c.fp.isZero(&zmy) == 1
}

func abs8(d int8) int {
	if d < 0 {
		return -int(d)
	}
	return int(d)
}
