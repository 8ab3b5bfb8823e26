package gost3410

import (
	"crypto/rand"
	"math/big"
	"testing"
)

// TestCurveDefinitions checks every parameter set: non-singular curve,
// base point on the curve, q prime, q·G = O, and h·q within the Hasse
// bound of p+1 (so the stated cofactor is the real one).
func TestCurveDefinitions(t *testing.T) {
	for _, c := range Curves() {
		t.Run(c.Name(), func(t *testing.T) {
			cp := c.Params()
			if !cp.P.ProbablyPrime(32) || !cp.Q.ProbablyPrime(32) {
				t.Fatal("p or q is not prime")
			}
			if cp.P.BitLen() > c.BitSize() || cp.P.BitLen() < c.BitSize()-1 {
				t.Fatalf("p has %d bits for a %d-bit curve", cp.P.BitLen(), c.BitSize())
			}
			// 4a^3 + 27b^2 != 0 mod p
			d := new(big.Int).Exp(cp.A, big.NewInt(3), cp.P)
			d.Mul(d, big.NewInt(4))
			b2 := new(big.Int).Mul(cp.B, cp.B)
			d.Add(d, b2.Mul(b2, big.NewInt(27))).Mod(d, cp.P)
			if d.Sign() == 0 {
				t.Fatal("singular curve")
			}
			if !refOnCurve(cp, cp.X, cp.Y) {
				t.Fatal("base point not on the curve (reference)")
			}
			c2 := c.params
			if !c2.onCurve(&c2.gx, &c2.gy) {
				t.Fatal("base point not on the curve (limbs)")
			}
			if got := refMul(cp, cp.Q, refPoint{cp.X, cp.Y}); got.x != nil {
				t.Fatal("q·G != O (reference)")
			}
			g := point{x: c2.gx, y: c2.gy, z: c2.fp.one}
			qf := feFromBig(cp.Q)
			if r := c2.scalarMultVartime(&g, &qf); c2.fp.isZero(&r.z) != 1 {
				t.Fatal("q·G != O (limbs)")
			}
			// Hasse: |h·q - (p+1)| <= 2·sqrt(p)
			n := new(big.Int).Mul(cp.Q, big.NewInt(int64(cp.Cofactor)))
			diff := n.Sub(n, new(big.Int).Add(cp.P, big.NewInt(1)))
			diff.Abs(diff)
			bound := new(big.Int).Sqrt(cp.P)
			bound.Lsh(bound, 1).Add(bound, big.NewInt(2))
			if diff.Cmp(bound) > 0 {
				t.Fatalf("h·q is not within the Hasse bound of p+1")
			}
		})
	}
}

// TestArithmeticAgainstReference compares fixed-base, variable-base and
// double-scalar multiplication with the math/big reference on every curve.
func TestArithmeticAgainstReference(t *testing.T) {
	for _, c := range Curves() {
		t.Run(c.Name(), func(t *testing.T) {
			cp := c.Params()
			c2 := c.params
			gRef := refPoint{cp.X, cp.Y}
			g := point{x: c2.gx, y: c2.gy, z: c2.fp.one}
			scalars := []*big.Int{big.NewInt(1), big.NewInt(2), big.NewInt(15), big.NewInt(16),
				new(big.Int).Sub(cp.Q, big.NewInt(1)), new(big.Int).Sub(cp.Q, big.NewInt(2)),
				// windows full of ones and window borders, for the signed recoding
				big.NewInt(31), big.NewInt(32), big.NewInt(33), big.NewInt(0x210),
				new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 200), big.NewInt(1)),
				new(big.Int).Lsh(big.NewInt(1), uint(cp.Q.BitLen()-1)),
				new(big.Int).Sub(cp.Q, new(big.Int).Lsh(big.NewInt(1), 50)),
				new(big.Int).Rsh(new(big.Int).Mul(cp.Q, big.NewInt(2)), 2)}
			pattern := new(big.Int)
			for i := 0; i < cp.Q.BitLen()-2; i += 5 {
				pattern.SetBit(pattern, i+4, 1)
			}
			scalars = append(scalars, pattern)
			for range 4 {
				k, _ := rand.Int(rand.Reader, cp.Q)
				scalars = append(scalars, k)
			}
			for _, k := range scalars {
				want := refMul(cp, k, gRef)
				kf := feFromBig(k)
				for name, got := range map[string]point{
					"baseMult":          c2.baseMult(&kf),
					"scalarMultVartime": c2.scalarMultVartime(&g, &kf),
				} {
					gotRef := c2.affineBig(&got)
					if gotRef.x == nil || gotRef.x.Cmp(want.x) != 0 || gotRef.y.Cmp(want.y) != 0 {
						t.Fatalf("%s(%x) differs from the reference", name, k)
					}
				}
			}
		})
	}
}

// TestFieldAgainstBig checks the Montgomery arithmetic on random values.
func TestFieldAgainstBig(t *testing.T) {
	for _, c := range Curves() {
		for _, f := range []*field{c.params.fp, c.params.fq} {
			m := f.mBig
			mMinus := func(d int64) *big.Int { return new(big.Int).Sub(m, big.NewInt(d)) }
			edge := [][2]*big.Int{{mMinus(1), mMinus(1)}, {mMinus(1), big.NewInt(1)}, {big.NewInt(0), mMinus(1)},
				{mMinus(2), mMinus(3)}, {new(big.Int).Rsh(m, 1), mMinus(1)}}
			for i := range 200 + len(edge) {
				a, _ := rand.Int(rand.Reader, m)
				b, _ := rand.Int(rand.Reader, m)
				if i < len(edge) {
					a, b = edge[i][0], edge[i][1]
				}
				af, bf := feFromBig(a), feFromBig(b)
				var am, bm, r, rp fe
				f.toMont(&am, &af)
				f.toMont(&bm, &bf)
				check := func(op string, z *fe, want *big.Int) {
					t.Helper()
					f.fromMont(&rp, z)
					if rp.big().Cmp(want.Mod(want, m)) != 0 {
						t.Fatalf("%s: %s(%x, %x) wrong", c.Name(), op, a, b)
					}
				}
				f.mul(&r, &am, &bm)
				check("mul", &r, new(big.Int).Mul(a, b))
				f.add(&r, &am, &bm)
				check("add", &r, new(big.Int).Add(a, b))
				f.sub(&r, &am, &bm)
				check("sub", &r, new(big.Int).Sub(a, b))
				f.neg(&r, &am)
				check("neg", &r, new(big.Int).Neg(a))
				if a.Sign() != 0 {
					f.inv(&r, &am)
					check("inv", &r, new(big.Int).ModInverse(a, m))
				}
				f.sqr(&r, &am)
				check("sqr", &r, new(big.Int).Mul(a, a))
				if f.kind == kindMont4 || f.kind == kindMont8 {
					var gm, g fe
					f.mulGeneric(&gm, &am, &bm)
					f.mul(&g, &am, &bm)
					if gm != g {
						t.Fatal("mulGeneric and mul disagree")
					}
				}
			}
		}
	}
}

// TestDoubleMultAgainstReference checks the verification multiplication
// u1·G + u2·Q, including the exceptional cases of the Jacobian formulas
// (Q = ±G, results at the identity).
func TestDoubleMultAgainstReference(t *testing.T) {
	for _, c := range Curves() {
		t.Run(c.Name(), func(t *testing.T) {
			cp := c.Params()
			c2 := c.params
			gRef := refPoint{cp.X, cp.Y}
			qm1 := new(big.Int).Sub(cp.Q, big.NewInt(1))
			rnd := func() *big.Int { k, _ := rand.Int(rand.Reader, cp.Q); return k }
			type tc struct{ u1, u2, qk *big.Int }
			cases := []tc{
				{big.NewInt(1), big.NewInt(1), big.NewInt(1)}, // G + G
				{big.NewInt(1), big.NewInt(1), qm1},           // G - G
				{big.NewInt(5), big.NewInt(3), big.NewInt(7)}, // 26G
				{big.NewInt(0), rnd(), rnd()},                 // u1 = 0
				{rnd(), big.NewInt(0), rnd()},                 // u2 = 0
				{qm1, qm1, big.NewInt(1)},                     // -2G
				{big.NewInt(21), qm1, big.NewInt(21)},         // O
				{rnd(), rnd(), rnd()}, {rnd(), rnd(), rnd()}, {rnd(), rnd(), rnd()},
			}
			for _, k := range cases {
				qRef := refMul(cp, k.qk, gRef)
				want := refAdd(cp, refMul(cp, k.u1, gRef), refMul(cp, k.u2, qRef))
				var q point
				qx, qy := feFromBig(qRef.x), feFromBig(qRef.y)
				c2.fp.toMont(&q.x, &qx)
				c2.fp.toMont(&q.y, &qy)
				q.z = c2.fp.one
				u1, u2 := feFromBig(k.u1), feFromBig(k.u2)
				j := c2.doubleMultVartime(&u1, &u2, &q)
				var got refPoint
				if c2.fp.isZero(&j.z) == 0 {
					// affine from Jacobian
					var zi, zi2, x, y fe
					c2.fp.inv(&zi, &j.z)
					c2.fp.sqr(&zi2, &zi)
					c2.fp.mul(&x, &j.x, &zi2)
					c2.fp.mul(&zi2, &zi2, &zi)
					c2.fp.mul(&y, &j.y, &zi2)
					c2.fp.fromMont(&x, &x)
					c2.fp.fromMont(&y, &y)
					got = refPoint{x.big(), y.big()}
				}
				if (want.x == nil) != (got.x == nil) || (want.x != nil && (want.x.Cmp(got.x) != 0 || want.y.Cmp(got.y) != 0)) {
					t.Fatalf("u1=%x u2=%x q=%x: wrong result", k.u1, k.u2, k.qk)
				}
			}
		})
	}
}

// TestReduceEdgeCases drives the special reductions with double-width
// values chosen to reach their rare carry paths, against math/big.
func TestReduceEdgeCases(t *testing.T) {
	for _, c := range Curves() {
		f := c.params.fp
		if f.kind != kindPM4 && f.kind != kindPM8 && f.kind != kindPP4 && f.kind != kindPP8 {
			continue
		}
		n := f.n
		var values [][]uint64
		all := func(v uint64) []uint64 {
			s := make([]uint64, 2*n)
			for i := range s {
				s[i] = v
			}
			return s
		}
		values = append(values, all(0), all(^uint64(0)), all(1<<63))
		// Low half just below 2^(64n), high half small: sums that wrap.
		for h := uint64(0); h < 40; h++ {
			v := all(^uint64(0))
			for i := n; i < 2*n; i++ {
				v[i] = 0
			}
			v[n] = h
			values = append(values, v)
			w := all(0)
			w[n] = h
			values = append(values, w)
			u := all(^uint64(0))
			u[0] -= h * f.pmC
			u[n] = h
			for i := n + 1; i < 2*n; i++ {
				u[i] = 0
			}
			values = append(values, u)
		}
		for range 300 {
			v := make([]uint64, 2*n)
			for i := range v {
				var b [8]byte
				rand.Read(b[:])
				for _, x := range b {
					v[i] = v[i]<<8 | uint64(x)
				}
				// Bias towards all-ones and zero limbs.
				switch b[0] % 4 {
				case 0:
					v[i] = ^uint64(0)
				case 1:
					v[i] = 0
				}
			}
			values = append(values, v)
		}
		for _, v := range values {
			want := new(big.Int)
			for i := 2*n - 1; i >= 0; i-- {
				want.Lsh(want, 64).Or(want, new(big.Int).SetUint64(v[i]))
			}
			want.Mod(want, f.mBig)
			var z fe
			switch f.kind {
			case kindPM4:
				reducePM4(&z, (*[8]uint64)(v), f.pmC)
			case kindPM8:
				reducePM8(&z, (*[16]uint64)(v), f.pmC)
			case kindPP4:
				reducePP4(&z, (*[8]uint64)(v), f.pmC)
			case kindPP8:
				reducePP8(&z, (*[16]uint64)(v), f.pmC)
			}
			if z.big().Cmp(want) != 0 {
				t.Fatalf("%s: reduce(%x) = %x, want %x", c.Name(), v, z.big(), want)
			}
		}
	}
}
