package gost3410

import (
	"encoding/asn1"
	"errors"
	"math/big"
	"slices"
	"sync"
)

// curveDef is the textual definition of one elliptic curve in short
// Weierstrass form y^2 = x^3 + a·x + b (mod p) with a base point (x, y) of
// prime order q and the given cofactor. Values are hexadecimal.
//
// Sources: RFC 4357 section 11.4 (CryptoPro A, B, C and the test set of
// GOST R 34.10-2001, repeated in RFC 5832), RFC 7836 appendix A.2 (the
// TC26 sets; the twisted Edwards sets 256-A and 512-C are given there
// also in Weierstrass form with cofactor 4), GOST R 34.10-2012 appendix A
// (the 512-bit example curve, RFC 7091 section 7.2). Every definition is
// checked by TestCurveDefinitions (discriminant, base point on the curve,
// q·G = O) and by the OpenSSL interop tests.
type curveDef struct {
	p, a, b, q, x, y string
	cofactor         int
	// For the twisted Edwards sets (RFC 7836 A.2: e·u^2 + v^2 = 1 +
	// d·u^2·v^2 with e = 1): d and the base point (u, v). The Weierstrass
	// form above is related by s = (e-d)/4, t = (e+d)/6,
	// x = s(1+v)/(1-v) + t, y = s(1+v)/((1-v)u); TestEdwardsForm checks it.
	edD, edU, edV string
}

var (
	defTest256 = curveDef{
		p:        "8000000000000000000000000000000000000000000000000000000000000431",
		a:        "7",
		b:        "5FBFF498AA938CE739B8E022FBAFEF40563F6E6A3472FC2A514C0CE9DAE23B7E",
		q:        "8000000000000000000000000000000150FE8A1892976154C59CFC193ACCF5B3",
		x:        "2",
		y:        "08E2A8A0E65147D4BD6316030E16D19C85C97F0A9CA267122B96ABBCEA7E8FC8",
		cofactor: 1,
	}
	defCryptoProA = curveDef{
		p:        "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFD97",
		a:        "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFD94",
		b:        "A6",
		q:        "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF6C611070995AD10045841B09B761B893",
		x:        "1",
		y:        "8D91E471E0989CDA27DF505A453F2B7635294F2DDF23E3B122ACC99C9E9F1E14",
		cofactor: 1,
	}
	defCryptoProB = curveDef{
		p:        "8000000000000000000000000000000000000000000000000000000000000C99",
		a:        "8000000000000000000000000000000000000000000000000000000000000C96",
		b:        "3E1AF419A269A5F866A7D3C25C3DF80AE979259373FF2B182F49D4CE7E1BBC8B",
		q:        "800000000000000000000000000000015F700CFFF1A624E5E497161BCC8A198F",
		x:        "1",
		y:        "3FA8124359F96680B83D1C3EB2C070E5C545C9858D03ECFB744BF8D717717EFC",
		cofactor: 1,
	}
	defCryptoProC = curveDef{
		p:        "9B9F605F5A858107AB1EC85E6B41C8AACF846E86789051D37998F7B9022D759B",
		a:        "9B9F605F5A858107AB1EC85E6B41C8AACF846E86789051D37998F7B9022D7598",
		b:        "805A",
		q:        "9B9F605F5A858107AB1EC85E6B41C8AA582CA3511EDDFB74F02F3A6598980BB9",
		x:        "0",
		y:        "41ECE55743711A8C3CBF3783CD08C0EE4D4DC440D4641A8F366E550DFDB3BB67",
		cofactor: 1,
	}
	// TC26 256-A is the twisted Edwards curve u^2+v^2 = 1 + d·u^2·v^2
	// (RFC 7836 A.2) given here in its Weierstrass form.
	defTC26256A = curveDef{
		p:        "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFD97",
		a:        "C2173F1513981673AF4892C23035A27CE25E2013BF95AA33B22C656F277E7335",
		b:        "295F9BAE7428ED9CCC20E7C359A9D41A22FCCD9108E17BF7BA9337A6F8AE9513",
		q:        "400000000000000000000000000000000FD8CDDFC87B6635C115AF556C360C67",
		x:        "91E38443A5E82C0D880923425712B2BB658B9196932E02C78B2582FE742DAA28",
		y:        "32879423AB1A0375895786C4BB46E9565FDE0B5344766740AF268ADB32322E5C",
		cofactor: 4,
		edD:      "0605F6B7C183FA81578BC39CFAD518132B9DF62897009AF7E522C32D6DC7BFFB",
		edU:      "D",
		edV:      "60CA1E32AA475B348488C38FAB07649CE7EF8DBE87F22E81F92B2592DBA300E7",
	}
	defTest512 = curveDef{
		p: "4531ACD1FE0023C7550D267B6B2FEE80922B14B2FFB90F04D4EB7C09B5D2D15D" +
			"F1D852741AF4704A0458047E80E4546D35B8336FAC224DD81664BBF528BE6373",
		a: "7",
		b: "1CFF0806A31116DA29D8CFA54E57EB748BC5F377E49400FDD788B649ECA1AC43" +
			"61834013B2AD7322480A89CA58E0CF74BC9E540C2ADD6897FAD0A3084F302ADC",
		q: "4531ACD1FE0023C7550D267B6B2FEE80922B14B2FFB90F04D4EB7C09B5D2D15D" +
			"A82F2D7ECB1DBAC719905C5EECC423F1D86E25EDBE23C595D644AAF187E6E6DF",
		x: "24D19CC64572EE30F396BF6EBBFD7A6C5213B3B3D7057CC825F91093A68CD762" +
			"FD60611262CD838DC6B60AA7EEE804E28BC849977FAC33B4B530F1B120248A9A",
		y: "2BB312A43BD2CE6E0D020613C857ACDDCFBF061E91E5F2C3F32447C259F39B2C" +
			"83AB156D77F1496BF7EB3351E1EE4E43DC1A18B91B24640B6DBB92CB1ADD371E",
		cofactor: 1,
	}
	defTC26512A = curveDef{
		p: "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF" +
			"FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFDC7",
		a: "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF" +
			"FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFDC4",
		b: "E8C2505DEDFC86DDC1BD0B2B6667F1DA34B82574761CB0E879BD081CFD0B6265" +
			"EE3CB090F30D27614CB4574010DA90DD862EF9D4EBEE4761503190785A71C760",
		q: "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF" +
			"27E69532F48D89116FF22B8D4E0560609B4B38ABFAD2B85DCACDB1411F10B275",
		x: "3",
		y: "7503CFE87A836AE3A61B8816E25450E6CE5E1C93ACF1ABC1778064FDCBEFA921" +
			"DF1626BE4FD036E93D75E6A50E3A41E98028FE5FC235F5B889A589CB5215F2A4",
		cofactor: 1,
	}
	defTC26512B = curveDef{
		p: "8000000000000000000000000000000000000000000000000000000000000000" +
			"000000000000000000000000000000000000000000000000000000000000006F",
		a: "8000000000000000000000000000000000000000000000000000000000000000" +
			"000000000000000000000000000000000000000000000000000000000000006C",
		b: "687D1B459DC841457E3E06CF6F5E2517B97C7D614AF138BCBF85DC806C4B289F" +
			"3E965D2DB1416D217F8B276FAD1AB69C50F78BEE1FA3106EFB8CCBC7C5140116",
		q: "8000000000000000000000000000000000000000000000000000000000000001" +
			"49A1EC142565A545ACFDB77BD9D40CFA8B996712101BEA0EC6346C54374F25BD",
		x: "2",
		y: "1A8F7EDA389B094C2C071E3647A8940F3C123B697578C213BE6DD9E6C8EC7335" +
			"DCB228FD1EDF4A39152CBCAAF8C0398828041055F94CEEEC7E21340780FE41BD",
		cofactor: 1,
	}
	// TC26 512-C is the twisted Edwards curve of RFC 7836 A.2 in its
	// Weierstrass form.
	defTC26512C = curveDef{
		p: "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF" +
			"FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFDC7",
		a: "DC9203E514A721875485A529D2C722FB187BC8980EB866644DE41C68E1430645" +
			"46E861C0E2C9EDD92ADE71F46FCF50FF2AD97F951FDA9F2A2EB6546F39689BD3",
		b: "B4C4EE28CEBC6C2C8AC12952CF37F16AC7EFB6A9F69F4B57FFDA2E4F0DE5ADE0" +
			"38CBC2FFF719D2C18DE0284B8BFEF3B52B8CC7A5F5BF0A3C8D2319A5312557E1",
		q: "3FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF" +
			"C98CDBA46506AB004C33A9FF5147502CC8EDA9E7A769A12694623CEF47F023ED",
		x: "E2E31EDFC23DE7BDEBE241CE593EF5DE2295B7A9CBAEF021D385F7074CEA043A" +
			"A27272A7AE602BF2A7B9033DB9ED3610C6FB85487EAE97AAC5BC7928C1950148",
		y: "F5CE40D95B5EB899ABBCCFF5911CB8577939804D6527378B8C108C3D2090FF9B" +
			"E18E2D33E3021ED2EF32D85822423B6304F726AA854BAE07D0396E9A9ADDC40F",
		cofactor: 4,
		edD: "9E4F5D8C017D8D9F13A5CF3CDF5BFE4DAB402D54198E31EBDE28A0621050439C" +
			"A6B39E0A515C06B304E2CE43E79E369E91A0CFC2BC2A22B4CA302DBB33EE7550",
		edU: "12",
		edV: "469AF79D1FB1F5E16B99592B77A01E2A0FDFB0D01794368D9A56117F7B386695" +
			"22DD4B650CF789EEBF068C5D139732F0905622C04B2BAAE7600303EE73001A3D",
	}
)

// curveParams is the arithmetic of one curve, shared by every parameter
// set OID that names the same curve (CryptoPro A = XchA = TC26 256-B...).
// It is immutable after construction except for the base point table,
// which is computed once on first use (sync.Once) and read-only after.
type curveParams struct {
	def      *curveDef
	size     int // bytes per coordinate and per scalar: 32 or 64
	fp       *field
	fq       *field
	a, b3    fe   // a and 3·b in Montgomery form (mod p)
	aIsM3    bool // a == -3: the cheaper multiplication by a
	gx, gy   fe   // base point, Montgomery form
	cofactor int
	pBig     *big.Int
	qBig     *big.Int

	tableOnce sync.Once
	table     *baseTable

	vtableOnce sync.Once
	vtable     *verifyTable

	// ed is set for the twisted Edwards parameter sets, whose arithmetic
	// then runs in Edwards form (edwards.go); nil otherwise.
	ed *edwardsParams
}

func mustHex(s string) *big.Int {
	v, ok := new(big.Int).SetString(s, 16)
	if !ok {
		panic("gost3410: bad curve constant " + s)
	}
	return v
}

func newCurveParams(d *curveDef, size int) *curveParams {
	n := size / 8
	p, q := mustHex(d.p), mustHex(d.q)
	c := &curveParams{def: d, size: size, cofactor: d.cofactor, pBig: p, qBig: q}
	c.fp = newField(p, n)
	c.fq = newField(q, n)
	toM := func(s string) fe {
		v := feFromBig(new(big.Int).Mod(mustHex(s), p))
		var z fe
		c.fp.toMont(&z, &v)
		return z
	}
	c.a = toM(d.a)
	b3 := new(big.Int).Mul(mustHex(d.b), big.NewInt(3))
	c.b3 = toM(b3.Mod(b3, p).Text(16))
	c.aIsM3 = new(big.Int).Sub(p, big.NewInt(3)).Cmp(mustHex(d.a)) == 0
	c.gx, c.gy = toM(d.x), toM(d.y)
	if d.edD != "" {
		c.ed = newEdwardsParams(c, mustHex(d.edD))
	}
	return c
}

// Curve is a GOST R 34.10 parameter set: an elliptic curve with a base
// point, named by its OID. Several OIDs denote the same curve (for example
// id-GostR3410-2001-CryptoPro-A-ParamSet, -XchA- and
// id-tc26-gost-3410-12-256-paramSetB); each is its own Curve so that a key
// keeps the OID it was issued with, and they share their arithmetic.
type Curve struct {
	name   string
	oid    asn1.ObjectIdentifier
	params *curveParams
}

// Name is the ASN.1 name of the parameter set OID, e.g.
// "id-tc26-gost-3410-2012-256-paramSetA".
func (c *Curve) Name() string {
	if c == nil {
		return ""
	}
	return c.name
}

// OID identifies the parameter set in publicKeyParamSet (a fresh copy).
func (c *Curve) OID() asn1.ObjectIdentifier {
	if c == nil {
		return nil
	}
	return slices.Clone(c.oid)
}

// valid reports whether c is one of the package's parameter sets (and not
// a nil or zero Curve made elsewhere).
func (c *Curve) valid() bool { return c != nil && c.params != nil }

var errNoCurve = errors.New("gost3410: no curve (use one of the package's parameter sets)")

// BitSize is 256 or 512: the size of the field, of the key, and of each
// half of the signature.
func (c *Curve) BitSize() int { return c.Size() * 8 }

// Size is BitSize in bytes.
func (c *Curve) Size() int {
	if !c.valid() {
		return 0
	}
	return c.params.size
}

// Cofactor is 1 for the classic curves and 4 for the twisted Edwards sets
// TC26 256-A and 512-C.
func (c *Curve) Cofactor() int {
	if !c.valid() {
		return 0
	}
	return c.params.cofactor
}

// CurveParams are the public constants of a curve in short Weierstrass
// form, as fresh copies.
type CurveParams struct {
	P, A, B, Q, X, Y *big.Int
	Cofactor         int
}

// Params returns the curve's constants.
func (c *Curve) Params() CurveParams {
	if !c.valid() {
		return CurveParams{}
	}
	d := c.params.def
	return CurveParams{
		P: mustHex(d.p), A: mustHex(d.a), B: mustHex(d.b), Q: mustHex(d.q),
		X: mustHex(d.x), Y: mustHex(d.y), Cofactor: d.cofactor,
	}
}

// String returns the parameter set name.
func (c *Curve) String() string { return c.Name() }
