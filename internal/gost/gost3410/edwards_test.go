package gost3410

import (
	"crypto/rand"
	"math/big"
	"testing"
)

// TestEdwardsForm checks the Edwards data of TC26 256-A and 512-C against
// the Weierstrass data: a = s^2 - 3t^2, b = 2t^3 - t·s^2 for s = (1-d)/4,
// t = (1+d)/6 (RFC 7836 A.2), the base point maps to the RFC's (u, v), and
// d is a non-square, which makes the Edwards addition law complete.
func TestEdwardsForm(t *testing.T) {
	for _, c := range []*Curve{CurveTC26_256A(), CurveTC26_512C()} {
		cp := c.params
		def := cp.def
		p := cp.pBig
		mod := func(v *big.Int) *big.Int { return v.Mod(v, p) }
		d := mustHex(def.edD)
		s := mod(new(big.Int).Mul(new(big.Int).Sub(big.NewInt(1), d), new(big.Int).ModInverse(big.NewInt(4), p)))
		tt := mod(new(big.Int).Mul(new(big.Int).Add(big.NewInt(1), d), new(big.Int).ModInverse(big.NewInt(6), p)))
		a := mod(new(big.Int).Sub(new(big.Int).Mul(s, s), new(big.Int).Mul(big.NewInt(3), new(big.Int).Mul(tt, tt))))
		b := mod(new(big.Int).Sub(new(big.Int).Mul(big.NewInt(2), new(big.Int).Exp(tt, big.NewInt(3), p)), new(big.Int).Mul(tt, new(big.Int).Mul(s, s))))
		if a.Cmp(mustHex(def.a)) != 0 || b.Cmp(mustHex(def.b)) != 0 {
			t.Fatalf("%s: Weierstrass a, b do not follow from the Edwards d", c.Name())
		}
		if big.Jacobi(d, p) != -1 {
			t.Fatalf("%s: d is a square: the Edwards addition law would not be complete", c.Name())
		}
		var u, v fe
		cp.fp.fromMont(&u, &cp.ed.g.x)
		cp.fp.fromMont(&v, &cp.ed.g.y)
		if u.big().Cmp(mustHex(def.edU)) != 0 || v.big().Cmp(mustHex(def.edV)) != 0 {
			t.Fatalf("%s: base point maps to (%x, %x), RFC 7836 gives (%s, %s)", c.Name(), u.big(), v.big(), def.edU, def.edV)
		}
	}
}

// TestEdwardsDoubleMult compares the Edwards verification multiplication
// with the math/big reference, including results at the identity.
func TestEdwardsDoubleMult(t *testing.T) {
	for _, c := range []*Curve{CurveTC26_256A(), CurveTC26_512C()} {
		cp := c.Params()
		c2 := c.params
		gRef := refPoint{cp.X, cp.Y}
		qm1 := new(big.Int).Sub(cp.Q, big.NewInt(1))
		rnd := func() *big.Int { k, _ := rand.Int(rand.Reader, cp.Q); return k }
		cases := [][3]*big.Int{
			{big.NewInt(1), big.NewInt(1), big.NewInt(1)},
			{big.NewInt(1), big.NewInt(1), qm1},
			{big.NewInt(21), qm1, big.NewInt(21)},
			{big.NewInt(0), rnd(), rnd()},
			{rnd(), big.NewInt(0), rnd()},
			{rnd(), rnd(), rnd()}, {rnd(), rnd(), rnd()}, {rnd(), rnd(), rnd()},
		}
		for _, k := range cases {
			qRef := refMul(cp, k[2], gRef)
			want := refAdd(cp, refMul(cp, k[0], gRef), refMul(cp, k[1], qRef))
			var q point
			qx, qy := feFromBig(qRef.x), feFromBig(qRef.y)
			c2.fp.toMont(&q.x, &qx)
			c2.fp.toMont(&q.y, &qy)
			q.z = c2.fp.one
			qe, ok := c2.toEdwards(c2.ed, &q)
			if !ok {
				t.Fatal("toEdwards failed")
			}
			u1, u2 := feFromBig(k[0]), feFromBig(k[1])
			res := c2.edDoubleMultVartime(&u1, &u2, &qe)
			var zmy fe
			c2.fp.sub(&zmy, &res.z, &res.y)
			if want.x == nil {
				if c2.fp.isZero(&zmy) != 1 || c2.fp.isZero(&res.x) != 1 {
					t.Fatalf("%s: expected the identity", c.Name())
				}
				continue
			}
			w := c2.fromEdwards(c2.ed, &res)
			got := c2.affineBig(&w)
			if got.x == nil || got.x.Cmp(want.x) != 0 || got.y.Cmp(want.y) != 0 {
				t.Fatalf("%s: u1=%x u2=%x q=%x: wrong result", c.Name(), k[0], k[1], k[2])
			}
		}
	}
}

// TestSubgroupCheck: on the cofactor-4 curves, ParsePublicKey refuses a
// point of the curve outside the subgroup of order q (a key plus a point of
// order 2 or 4), which Verify's arithmetic would otherwise accept as input.
func TestSubgroupCheck(t *testing.T) {
	for _, c := range []*Curve{CurveTC26_256A(), CurveTC26_512C()} {
		cp := c.Params()
		priv, _ := GenerateKey(c, rand.Reader)
		good, _ := MarshalPublicKey(&priv.PublicKey)
		if _, err := ParsePublicKey(c, good); err != nil {
			t.Fatalf("%s: valid key refused: %v", c.Name(), err)
		}
		// Any curve point P with q·P != O (most points: the subgroup is a
		// quarter of the curve).
		x := big.NewInt(2)
		for {
			rhs := new(big.Int).Exp(x, big.NewInt(3), cp.P)
			rhs.Add(rhs, new(big.Int).Mul(cp.A, x)).Add(rhs, cp.B).Mod(rhs, cp.P)
			y := new(big.Int).ModSqrt(rhs, cp.P)
			if y != nil && refMul(cp, cp.Q, refPoint{x, y}).x != nil {
				bad := &PublicKey{Curve: c, X: x, Y: y}
				der, err := MarshalPublicKey(bad)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := ParsePublicKey(c, der); err == nil {
					t.Fatalf("%s: point outside the subgroup accepted", c.Name())
				}
				break
			}
			x.Add(x, big.NewInt(1))
		}
	}
}
