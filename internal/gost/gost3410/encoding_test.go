package gost3410

import (
	"bytes"
	"crypto/rand"
	"encoding/asn1"
	"errors"
	"math/big"
	"testing"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

func oidsDER(oids ...asn1.ObjectIdentifier) []byte {
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		for _, o := range oids {
			b.AddASN1ObjectIdentifier(o)
		}
	})
	return b.BytesOrPanic()
}

func TestSPKIParams(t *testing.T) {
	for name, tc := range map[string]struct {
		der     []byte
		curve   *Curve
		digest  asn1.ObjectIdentifier
		encrypt asn1.ObjectIdentifier
		err     error
	}{
		"short form 512-C": {der: oidsDER(OIDParamSetTC26_512C), curve: CurveTC26_512C()},
		"short form 256-A": {der: oidsDER(OIDParamSetTC26_256A), curve: CurveTC26_256A()},
		"long form CryptoPro-A": {der: oidsDER(OIDParamSetCryptoProA, OIDStreebog256),
			curve: CurveCryptoProA(), digest: OIDStreebog256},
		"long form 512-A": {der: oidsDER(OIDParamSetTC26_512A, OIDStreebog512),
			curve: CurveTC26_512A(), digest: OIDStreebog512},
		"2001 with encryption set": {der: oidsDER(OIDParamSetCryptoProXA, OIDGOST341194CryptoProParamSet, asn1.ObjectIdentifier{1, 2, 643, 2, 2, 31, 1}),
			curve: CurveCryptoProXA(), digest: OIDGOST341194CryptoProParamSet, encrypt: asn1.ObjectIdentifier{1, 2, 643, 2, 2, 31, 1}},
		"absent":            {der: nil, err: ErrParamsAbsent},
		"NULL":              {der: []byte{0x05, 0x00}, err: ErrParamsAbsent},
		"unknown set":       {der: oidsDER(asn1.ObjectIdentifier{1, 2, 3}), err: ErrUnknownParamSet},
		"empty SEQUENCE":    {der: []byte{0x30, 0x00}, err: ErrMalformed},
		"not a SEQUENCE":    {der: []byte{0x06, 0x01, 0x01}, err: ErrMalformed},
		"trailing":          {der: append(oidsDER(OIDParamSetTC26_256A), 0), err: ErrMalformed},
		"digest not an OID": {der: []byte{0x30, 0x0d, 0x06, 0x09, 0x2a, 0x85, 0x03, 0x07, 0x01, 0x02, 0x01, 0x01, 0x01, 0x05, 0x00}, err: ErrMalformed},
		"four OIDs":         {der: oidsDER(OIDParamSetCryptoProA, OIDStreebog256, OIDStreebog256, OIDStreebog256), err: ErrMalformed},
	} {
		t.Run(name, func(t *testing.T) {
			p, err := ParseSPKIParams(tc.der)
			if tc.err != nil {
				var pe *ParseError
				if !errors.Is(err, tc.err) || !errors.As(err, &pe) {
					t.Fatalf("err = %v, want %v as *ParseError", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if p.Curve != tc.curve || !p.Digest.Equal(tc.digest) || !p.Encryption.Equal(tc.encrypt) {
				t.Fatalf("got %v %v %v", p.Curve, p.Digest, p.Encryption)
			}
			again, err := MarshalSPKIParams(*p)
			if err != nil || !bytes.Equal(again, tc.der) {
				t.Fatalf("MarshalSPKIParams round trip: %x, %v", again, err)
			}
		})
	}
}

func TestPublicKeyEncoding(t *testing.T) {
	for _, c := range Curves() {
		priv, _ := GenerateKey(c, rand.Reader)
		der, err := MarshalPublicKey(&priv.PublicKey)
		if err != nil {
			t.Fatal(err)
		}
		pub, err := ParsePublicKey(c, der)
		if err != nil || !pub.Equal(&priv.PublicKey) {
			t.Fatalf("%s: round trip: %v", c.Name(), err)
		}
		// Little-endian X first.
		raw := der[len(der)-2*c.Size():]
		if leToBig(raw[:c.Size()]).Cmp(priv.X) != 0 {
			t.Fatalf("%s: X is not little-endian first", c.Name())
		}
		spki, err := MarshalSPKI(&priv.PublicKey)
		if err != nil {
			t.Fatal(err)
		}
		pub2, params, err := ParseSPKI(spki)
		if err != nil || !pub2.Equal(pub) || params.Curve != c {
			t.Fatalf("%s: SPKI round trip: %v", c.Name(), err)
		}
		bad := bytes.Clone(der)
		bad[len(bad)-1] ^= 1 // Y changes: off the curve
		if _, err := ParsePublicKey(c, bad); !errors.Is(err, ErrInvalidPublicKey) {
			t.Fatalf("%s: off-curve point: %v", c.Name(), err)
		}
		if _, err := ParsePublicKey(c, der[:len(der)-1]); err == nil {
			t.Fatalf("%s: truncated key accepted", c.Name())
		}
	}
	// Coordinates >= p are refused even if they reduce to a curve point.
	c := CurveCryptoProA()
	priv, _ := GenerateKey(c, rand.Reader)
	x := new(big.Int).Add(priv.X, c.Params().P)
	if x.BitLen() <= 256 {
		raw := append(leBytes(x, 32), leBytes(priv.Y, 32)...)
		var b cryptobyte.Builder
		b.AddASN1OctetString(raw)
		if _, err := ParsePublicKey(c, b.BytesOrPanic()); !errors.Is(err, ErrInvalidPublicKey) {
			t.Fatalf("X + p accepted: %v", err)
		}
	}
	// 512-bit key data for a 256-bit curve.
	if _, _, err := ParseSPKI(mustSPKI(t, OIDPublicKey2012_512, oidsDER(OIDParamSetCryptoProA), make([]byte, 66))); !errors.Is(err, ErrMalformed) {
		t.Fatalf("algorithm/curve size mismatch: %v", err)
	}
	if _, _, err := ParseSPKI(mustSPKI(t, asn1.ObjectIdentifier{1, 2, 840, 10045, 2, 1}, oidsDER(OIDParamSetCryptoProA), make([]byte, 66))); !errors.Is(err, ErrUnsupportedKey) {
		t.Fatalf("foreign algorithm: %v", err)
	}
}

func mustSPKI(t *testing.T, alg asn1.ObjectIdentifier, params, key []byte) []byte {
	t.Helper()
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1ObjectIdentifier(alg)
			b.AddBytes(params)
		})
		b.AddASN1BitString(key)
	})
	return b.BytesOrPanic()
}

func pkcs8With(alg asn1.ObjectIdentifier, params []byte, key []byte) []byte {
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1Int64(0)
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1ObjectIdentifier(alg)
			b.AddBytes(params)
		})
		b.AddASN1OctetString(key)
	})
	return b.BytesOrPanic()
}

// maskedScalar returns priv's scalar in CryptoPro's masked form: d·m1^-1·…
// ·mk^-1 mod q followed by the k random masks, each little-endian.
func maskedScalar(t testing.TB, priv *PrivateKey, masks int) []byte {
	t.Helper()
	q := priv.Curve.Params().Q
	size := priv.Curve.Size()
	masked := new(big.Int).Set(priv.D())
	var tail []byte
	for range masks {
		m, err := rand.Int(rand.Reader, new(big.Int).Sub(q, big.NewInt(1)))
		if err != nil {
			t.Fatal(err)
		}
		m.Add(m, big.NewInt(1)) // in [1, q-1]
		masked.Mul(masked, new(big.Int).ModInverse(m, q)).Mod(masked, q)
		tail = append(tail, leBytes(m, size)...)
	}
	return append(leBytes(masked, size), tail...)
}

func TestPKCS8Forms(t *testing.T) {
	c := CurveCryptoProA()
	priv, _ := GenerateKey(c, rand.Reader)
	params := oidsDER(OIDParamSetCryptoProA, OIDStreebog256)
	le := leBytes(priv.D(), 32)
	// 31 raw bytes: too short for a scalar. Its first byte must not be an
	// INTEGER or OCTET STRING tag, or the parser rightly reads a TLV (and
	// reports it malformed): with a random key that happened 1 run in 256.
	short := append([]byte{0x55}, le[1:31]...)
	var octet, integer cryptobyte.Builder
	octet.AddASN1OctetString(le)
	integer.AddASN1BigInt(priv.D())
	for name, tc := range map[string]struct {
		der []byte
		err error
	}{
		"raw little-endian":   {der: pkcs8With(OIDPublicKey2012_256, params, le)},
		"OCTET STRING":        {der: pkcs8With(OIDPublicKey2012_256, params, octet.BytesOrPanic())},
		"INTEGER":             {der: pkcs8With(OIDPublicKey2012_256, params, integer.BytesOrPanic())},
		"masked, one mask":    {der: pkcs8With(OIDPublicKey2012_256, params, maskedScalar(t, priv, 1))},
		"masked, three masks": {der: pkcs8With(OIDPublicKey2012_256, params, maskedScalar(t, priv, 3))},
		"masked to zero":      {der: pkcs8With(OIDPublicKey2012_256, params, make([]byte, 64)), err: ErrInvalidPrivateKey},
		"2001 key":            {der: pkcs8With(OIDPublicKey2001, params, le), err: ErrUnsupportedKey},
		"zero scalar":         {der: pkcs8With(OIDPublicKey2012_256, params, make([]byte, 32)), err: ErrInvalidPrivateKey},
		"scalar q":            {der: pkcs8With(OIDPublicKey2012_256, params, leBytes(c.Params().Q, 32)), err: ErrInvalidPrivateKey},
		"short scalar":        {der: pkcs8With(OIDPublicKey2012_256, params, short), err: ErrInvalidPrivateKey},
		"no params":           {der: pkcs8With(OIDPublicKey2012_256, nil, le), err: ErrParamsAbsent},
		"NULL params":         {der: pkcs8With(OIDPublicKey2012_256, []byte{5, 0}, le), err: ErrParamsAbsent},
		"512 alg, 256 curve":  {der: pkcs8With(OIDPublicKey2012_512, params, le), err: ErrMalformed},
		"garbage":             {der: []byte{0x30, 0x03, 0x02, 0x01}, err: ErrMalformed},
		"trailing element":    {der: appendInside(pkcs8With(OIDPublicKey2012_256, params, le), []byte{0x05, 0x00}), err: ErrMalformed},
		"with attributes":     {der: appendInside(pkcs8With(OIDPublicKey2012_256, params, le), []byte{0xa0, 0x00})},
	} {
		t.Run(name, func(t *testing.T) {
			got, err := ParsePKCS8(tc.der)
			if tc.err != nil {
				if !errors.Is(err, tc.err) {
					t.Fatalf("err = %v, want %v", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !got.Equal(priv) {
				t.Fatal("parsed another key")
			}
		})
	}
}

func TestSignatureHelpers(t *testing.T) {
	c := CurveTC26_512B()
	r, s := big.NewInt(5), big.NewInt(7)
	sig, err := MarshalSignature(c, r, s)
	if err != nil || len(sig) != 128 || sig[63] != 7 || sig[127] != 5 {
		t.Fatalf("MarshalSignature: %x %v", sig, err)
	}
	r2, s2, err := ParseSignature(c, sig)
	if err != nil || r2.Cmp(r) != 0 || s2.Cmp(s) != 0 {
		t.Fatal("ParseSignature round trip")
	}
	if _, _, err := ParseSignature(c, sig[1:]); !errors.Is(err, ErrMalformed) {
		t.Fatal("short signature accepted")
	}
	if _, err := MarshalSignature(c, c.Params().Q, s); err == nil {
		t.Fatal("r = q accepted")
	}
}

// appendInside appends extra to the contents of the outer SEQUENCE (short
// or 0x81/0x82 long form length).
func appendInside(der, extra []byte) []byte {
	var b cryptobyte.Builder
	s := cryptobyte.String(der)
	var body cryptobyte.String
	if !s.ReadASN1(&body, cbasn1.SEQUENCE) {
		panic("not a SEQUENCE")
	}
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddBytes(body)
		b.AddBytes(extra)
	})
	return b.BytesOrPanic()
}
