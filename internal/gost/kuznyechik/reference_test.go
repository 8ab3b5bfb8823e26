package kuznyechik

// A direct, slow transcription of the transformations of GOST R 34.12-2015
// section 4 (RFC 7801 section 4), used to check the generated tables and the
// fast round function against the definition.

// refLCoeffs are the coefficients of l(a15, ..., a0), a15 first
// (GOST R 34.12-2015 section 4.1.2; RFC 7801 section 4.2).
var refLCoeffs = [16]byte{148, 32, 133, 16, 194, 192, 1, 251, 1, 192, 194, 16, 133, 32, 148, 1}

// refGFMul multiplies in GF(2^8) = GF(2)[x]/(x^8 + x^7 + x^6 + x + 1).
func refGFMul(a, b byte) byte {
	var p byte
	for i := 0; i < 8; i++ {
		if b&1 == 1 {
			p ^= a
		}
		carry := a&0x80 != 0
		a <<= 1
		if carry {
			a ^= 0xc3
		}
		b >>= 1
	}
	return p
}

func refS(b [16]byte) [16]byte {
	for i := range b {
		b[i] = pi[b[i]]
	}
	return b
}

func refSInv(b [16]byte) [16]byte {
	for i := range b {
		b[i] = piInv[b[i]]
	}
	return b
}

func refR(b [16]byte) [16]byte {
	var x byte
	for i, c := range refLCoeffs {
		x ^= refGFMul(b[i], c)
	}
	var out [16]byte
	out[0] = x
	copy(out[1:], b[:15])
	return out
}

func refRInv(b [16]byte) [16]byte {
	var rot [16]byte
	copy(rot[:15], b[1:])
	rot[15] = b[0]
	var x byte
	for i, c := range refLCoeffs {
		x ^= refGFMul(rot[i], c)
	}
	var out [16]byte
	copy(out[:15], b[1:])
	out[15] = x
	return out
}

func refL(b [16]byte) [16]byte {
	for i := 0; i < 16; i++ {
		b = refR(b)
	}
	return b
}

func refLInv(b [16]byte) [16]byte {
	for i := 0; i < 16; i++ {
		b = refRInv(b)
	}
	return b
}

func refXor(a, b [16]byte) [16]byte {
	for i := range a {
		a[i] ^= b[i]
	}
	return a
}

// refKeySchedule derives K_1..K_10 as in section 4.3 with the C_i computed
// from their definition C_i = L(Vec_128(i)).
func refKeySchedule(key [32]byte) [10][16]byte {
	var k [10][16]byte
	var a1, a0 [16]byte
	copy(a1[:], key[:16])
	copy(a0[:], key[16:])
	k[0], k[1] = a1, a0
	for i := 0; i < 4; i++ {
		for j := 1; j <= 8; j++ {
			var v [16]byte
			v[15] = byte(8*i + j)
			ci := refL(v)
			a1, a0 = refXor(refL(refS(refXor(a1, ci))), a0), a1
		}
		k[2*i+2], k[2*i+3] = a1, a0
	}
	return k
}

func refEncrypt(key [32]byte, p [16]byte) [16]byte {
	k := refKeySchedule(key)
	for i := 0; i < 9; i++ {
		p = refL(refS(refXor(p, k[i])))
	}
	return refXor(p, k[9])
}

func refDecrypt(key [32]byte, c [16]byte) [16]byte {
	k := refKeySchedule(key)
	c = refXor(c, k[9])
	for i := 8; i >= 0; i-- {
		c = refXor(refSInv(refLInv(c)), k[i])
	}
	return c
}
