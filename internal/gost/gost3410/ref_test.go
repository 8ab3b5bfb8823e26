package gost3410

import (
	"math/big"
)

// A deliberately simple affine reference implementation on math/big, used
// to check the fixed-limb arithmetic. nil coordinates denote the identity.

type refPoint struct{ x, y *big.Int }

func refAdd(cp CurveParams, p1, p2 refPoint) refPoint {
	p := cp.P
	if p1.x == nil {
		return p2
	}
	if p2.x == nil {
		return p1
	}
	var lambda *big.Int
	if p1.x.Cmp(p2.x) == 0 {
		sum := new(big.Int).Add(p1.y, p2.y)
		if sum.Mod(sum, p).Sign() == 0 {
			return refPoint{}
		}
		// lambda = (3x^2 + a) / 2y
		num := new(big.Int).Mul(p1.x, p1.x)
		num.Mul(num, big.NewInt(3)).Add(num, cp.A)
		den := new(big.Int).Lsh(p1.y, 1)
		den.ModInverse(den.Mod(den, p), p)
		lambda = num.Mul(num, den)
	} else {
		num := new(big.Int).Sub(p2.y, p1.y)
		den := new(big.Int).Sub(p2.x, p1.x)
		den.ModInverse(den.Mod(den, p), p)
		lambda = num.Mul(num, den)
	}
	lambda.Mod(lambda, p)
	x3 := new(big.Int).Mul(lambda, lambda)
	x3.Sub(x3, p1.x).Sub(x3, p2.x).Mod(x3, p)
	y3 := new(big.Int).Sub(p1.x, x3)
	y3.Mul(y3, lambda).Sub(y3, p1.y).Mod(y3, p)
	return refPoint{x3, y3}
}

func refMul(cp CurveParams, k *big.Int, pt refPoint) refPoint {
	acc := refPoint{}
	for i := k.BitLen() - 1; i >= 0; i-- {
		acc = refAdd(cp, acc, acc)
		if k.Bit(i) == 1 {
			acc = refAdd(cp, acc, pt)
		}
	}
	return acc
}

func refOnCurve(cp CurveParams, x, y *big.Int) bool {
	lhs := new(big.Int).Mul(y, y)
	lhs.Mod(lhs, cp.P)
	rhs := new(big.Int).Mul(x, x)
	rhs.Mul(rhs, x)
	ax := new(big.Int).Mul(cp.A, x)
	rhs.Add(rhs, ax).Add(rhs, cp.B).Mod(rhs, cp.P)
	return lhs.Cmp(rhs) == 0
}

// affineBig converts an internal point to big.Int affine coordinates.
func (c *curveParams) affineBig(p *point) refPoint {
	if c.fp.isZero(&p.z) == 1 {
		return refPoint{}
	}
	x, y := c.toAffine(p)
	var xp, yp fe
	c.fp.fromMont(&xp, &x)
	c.fp.fromMont(&yp, &y)
	return refPoint{xp.big(), yp.big()}
}

// scalarMultVartime returns k·p with a 4-bit fixed window and the complete
// formulas: a second, independent multiplication for the tests.
func (c *curveParams) scalarMultVartime(p *point, k *fe) point {
	var mult [16]point
	mult[0] = c.identity()
	mult[1] = *p
	for i := 2; i < 16; i++ {
		c.add(&mult[i], &mult[i-1], p)
	}
	acc := c.identity()
	for i := c.size*8/4 - 1; i >= 0; i-- {
		for range 4 {
			c.double(&acc, &acc)
		}
		if w := (k[i/16] >> (4 * (i % 16))) & 15; w != 0 {
			c.add(&acc, &acc, &mult[w])
		}
	}
	return acc
}
