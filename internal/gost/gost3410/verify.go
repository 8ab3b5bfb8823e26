package gost3410

// Variable-time arithmetic for verification. Everything here works on
// public values only (public key, digest, signature), so it may branch
// and index tables by scalar digits. Points are in Jacobian coordinates
// (x = X/Z^2, y = Y/Z^3, identity Z = 0), whose doubling and mixed
// addition are cheaper than the complete projective formulas; the
// exceptional cases of the addition are handled by explicit branches.

type jacobian struct{ x, y, z fe }

// wNAF widths: the public key's odd multiples are computed per
// verification (2^(w-2) points); the base point's are precomputed once.
const (
	wnafWidthQ = 5
	wnafWidthG = 7
)

func (c *curveParams) jDouble(r, p *jacobian) {
	f := c.fp
	if f.isZero(&p.z) == 1 {
		*r = *p
		return
	}
	var xx, yy, yyyy, zz, s, m, t, y3, z3 fe
	if c.aIsM3 {
		// dbl-2001-b: alpha = 3(X-Z^2)(X+Z^2)
		var a1, a2, beta fe
		f.sqr(&zz, &p.z)
		f.sqr(&yy, &p.y)
		f.mul(&beta, &p.x, &yy)
		f.sub(&a1, &p.x, &zz)
		f.add(&a2, &p.x, &zz)
		f.mul(&m, &a1, &a2)
		f.add(&t, &m, &m)
		f.add(&m, &t, &m)
		// X3 = alpha^2 - 8beta
		var b4, b8, x3 fe
		f.add(&b4, &beta, &beta)
		f.add(&b4, &b4, &b4)
		f.add(&b8, &b4, &b4)
		f.sqr(&x3, &m)
		f.sub(&x3, &x3, &b8)
		// Z3 = (Y+Z)^2 - YY - ZZ
		f.add(&z3, &p.y, &p.z)
		f.sqr(&z3, &z3)
		f.sub(&z3, &z3, &yy)
		f.sub(&z3, &z3, &zz)
		// Y3 = alpha(4beta - X3) - 8YY^2
		f.sqr(&yyyy, &yy)
		f.add(&yyyy, &yyyy, &yyyy)
		f.add(&yyyy, &yyyy, &yyyy)
		f.add(&yyyy, &yyyy, &yyyy)
		f.sub(&t, &b4, &x3)
		f.mul(&y3, &m, &t)
		f.sub(&r.y, &y3, &yyyy)
		r.x, r.z = x3, z3
		return
	}
	// dbl-2007-bl for any a.
	f.sqr(&xx, &p.x)
	f.sqr(&yy, &p.y)
	f.sqr(&yyyy, &yy)
	f.sqr(&zz, &p.z)
	f.add(&s, &p.x, &yy)
	f.sqr(&s, &s)
	f.sub(&s, &s, &xx)
	f.sub(&s, &s, &yyyy)
	f.add(&s, &s, &s)
	f.sqr(&t, &zz)
	c.mulA(&m, &t)
	f.add(&t, &xx, &xx)
	f.add(&t, &t, &xx)
	f.add(&m, &m, &t)
	f.sqr(&t, &m)
	f.sub(&t, &t, &s)
	f.sub(&t, &t, &s) // T = X3
	f.add(&z3, &p.y, &p.z)
	f.sqr(&z3, &z3)
	f.sub(&z3, &z3, &yy)
	f.sub(&z3, &z3, &zz)
	f.sub(&s, &s, &t)
	f.mul(&y3, &m, &s)
	f.add(&yyyy, &yyyy, &yyyy)
	f.add(&yyyy, &yyyy, &yyyy)
	f.add(&yyyy, &yyyy, &yyyy)
	f.sub(&r.y, &y3, &yyyy)
	r.x, r.z = t, z3
}

// jAdd sets r = p + q (add-2007-bl), handling the identity and p = ±q.
func (c *curveParams) jAdd(r, p, q *jacobian) {
	f := c.fp
	if f.isZero(&p.z) == 1 {
		*r = *q
		return
	}
	if f.isZero(&q.z) == 1 {
		*r = *p
		return
	}
	var z1z1, z2z2, u1, u2, s1, s2, h, i, j, rr, v, t fe
	f.sqr(&z1z1, &p.z)
	f.sqr(&z2z2, &q.z)
	f.mul(&u1, &p.x, &z2z2)
	f.mul(&u2, &q.x, &z1z1)
	f.mul(&s1, &p.y, &q.z)
	f.mul(&s1, &s1, &z2z2)
	f.mul(&s2, &q.y, &p.z)
	f.mul(&s2, &s2, &z1z1)
	f.sub(&h, &u2, &u1)
	f.sub(&rr, &s2, &s1)
	if f.isZero(&h) == 1 {
		if f.isZero(&rr) == 1 {
			c.jDouble(r, p)
			return
		}
		*r = jacobian{y: c.fp.one} // p = -q
		return
	}
	f.add(&i, &h, &h)
	f.sqr(&i, &i)
	f.mul(&j, &h, &i)
	f.add(&rr, &rr, &rr)
	f.mul(&v, &u1, &i)
	var x3, y3, z3 fe
	f.sqr(&x3, &rr)
	f.sub(&x3, &x3, &j)
	f.sub(&x3, &x3, &v)
	f.sub(&x3, &x3, &v)
	f.sub(&t, &v, &x3)
	f.mul(&y3, &rr, &t)
	f.mul(&t, &s1, &j)
	f.add(&t, &t, &t)
	f.sub(&y3, &y3, &t)
	f.add(&z3, &p.z, &q.z)
	f.sqr(&z3, &z3)
	f.sub(&z3, &z3, &z1z1)
	f.sub(&z3, &z3, &z2z2)
	f.mul(&z3, &z3, &h)
	r.x, r.y, r.z = x3, y3, z3
}

// jAddAffine sets r = p + q for an affine q (madd-2007-bl), handling the
// identity and p = ±q.
func (c *curveParams) jAddAffine(r, p *jacobian, q *affinePoint) {
	f := c.fp
	if f.isZero(&p.z) == 1 {
		*r = jacobian{x: q.x, y: q.y, z: f.one}
		return
	}
	var z1z1, u2, s2, h, hh, i, j, rr, v, t fe
	f.sqr(&z1z1, &p.z)
	f.mul(&u2, &q.x, &z1z1)
	f.mul(&s2, &q.y, &p.z)
	f.mul(&s2, &s2, &z1z1)
	f.sub(&h, &u2, &p.x)
	f.sub(&rr, &s2, &p.y)
	if f.isZero(&h) == 1 {
		if f.isZero(&rr) == 1 {
			c.jDouble(r, p)
			return
		}
		*r = jacobian{y: c.fp.one}
		return
	}
	f.sqr(&hh, &h)
	f.add(&i, &hh, &hh)
	f.add(&i, &i, &i)
	f.mul(&j, &h, &i)
	f.add(&rr, &rr, &rr)
	f.mul(&v, &p.x, &i)
	var x3, y3, z3 fe
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

func (c *curveParams) jNeg(r, p *jacobian) {
	r.x, r.z = p.x, p.z
	c.fp.neg(&r.y, &p.y)
}

// wnaf returns the width-w non-adjacent form of a plain scalar k (at most
// 64n bits): digits in {0, ±1, ±3, ..., ±(2^(w-1)-1)}, least significant
// first, with at most one non-zero digit in any w consecutive positions.
func wnaf(k *fe, w uint, bitsLen int) []int8 {
	// Work on a copy with one spare limb for the carries of negative digits.
	var v [maxLimbs + 1]uint64
	copy(v[:], k[:])
	out := make([]int8, bitsLen+1)
	window := uint64(1) << w
	mask := window - 1
	for i := 0; i <= bitsLen; i++ {
		if v[0]&1 == 1 {
			d := v[0] & mask
			if d >= window/2 {
				// negative digit: d - 2^w; add 2^w - d to v to clear the window
				out[i] = int8(int64(d) - int64(window))
				add := window - d
				var carry uint64
				v[0], carry = v[0]+add, 0
				if v[0] < add {
					carry = 1
				}
				for j := 1; j < len(v) && carry != 0; j++ {
					v[j]++
					carry = 0
					if v[j] == 0 {
						carry = 1
					}
				}
			} else {
				out[i] = int8(d)
				v[0] -= d
			}
		}
		// v >>= 1
		for j := 0; j < len(v)-1; j++ {
			v[j] = v[j]>>1 | v[j+1]<<63
		}
		v[len(v)-1] >>= 1
	}
	return out
}

// verifyTable holds odd multiples G, 3G, ..., (2^(w-1)-1)G of the base
// point in affine form for the interleaved verification multiplication.
type verifyTable struct {
	odd [1 << (wnafWidthG - 2)]affinePoint
}

func (c *curveParams) verifyTable() *verifyTable {
	c.vtableOnce.Do(func() {
		const count = 1 << (wnafWidthG - 2)
		g := point{x: c.gx, y: c.gy, z: c.fp.one}
		var g2 point
		c.double(&g2, &g)
		proj := make([]point, count)
		proj[0] = g
		for i := 1; i < count; i++ {
			c.add(&proj[i], &proj[i-1], &g2)
		}
		t := &verifyTable{}
		for i := range proj {
			t.odd[i].x, t.odd[i].y = c.toAffine(&proj[i])
		}
		c.vtable = t
	})
	return c.vtable
}

// doubleMultVartime returns u1·G + u2·Q for public scalars with
// interleaved wNAF: one shared chain of doublings, additions of
// precomputed odd multiples of G (affine, mixed addition) and of Q.
func (c *curveParams) doubleMultVartime(u1, u2 *fe, q *point) jacobian {
	bitsLen := c.size * 8
	n1 := wnaf(u1, wnafWidthG, bitsLen)
	n2 := wnaf(u2, wnafWidthQ, bitsLen)
	gt := c.verifyTable()

	// Odd multiples of Q in Jacobian form.
	var qOdd [1 << (wnafWidthQ - 2)]jacobian
	qOdd[0] = jacobian{x: q.x, y: q.y, z: q.z}
	var q2 jacobian
	c.jDouble(&q2, &qOdd[0])
	for i := 1; i < len(qOdd); i++ {
		c.jAdd(&qOdd[i], &qOdd[i-1], &q2)
	}

	acc := jacobian{y: c.fp.one}
	top := len(n1) - 1
	for top >= 0 && n1[top] == 0 && n2[top] == 0 {
		top--
	}
	for i := top; i >= 0; i-- {
		c.jDouble(&acc, &acc)
		if d := n1[i]; d > 0 {
			c.jAddAffine(&acc, &acc, &gt.odd[d/2])
		} else if d < 0 {
			neg := affinePoint{x: gt.odd[(-d)/2].x}
			c.fp.neg(&neg.y, &gt.odd[(-d)/2].y)
			c.jAddAffine(&acc, &acc, &neg)
		}
		if d := n2[i]; d > 0 {
			c.jAdd(&acc, &acc, &qOdd[d/2])
		} else if d < 0 {
			var neg jacobian
			c.jNeg(&neg, &qOdd[(-d)/2])
			c.jAdd(&acc, &acc, &neg)
		}
	}
	return acc
}
