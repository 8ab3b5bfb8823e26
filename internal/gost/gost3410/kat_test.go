package gost3410

import (
	"bytes"
	"encoding/hex"
	"math/big"
	"testing"
)

func hexBig(t *testing.T, s string) *big.Int {
	t.Helper()
	v, ok := new(big.Int).SetString(s, 16)
	if !ok {
		t.Fatalf("bad hex %q", s)
	}
	return v
}

// leBytes returns v as size little-endian bytes: the digest whose GOST
// integer value (little-endian reading) is v.
func leBytes(v *big.Int, size int) []byte {
	b := v.FillBytes(make([]byte, size))
	for i, j := 0, len(b)-1; i < j; i, j = i+1, j-1 {
		b[i], b[j] = b[j], b[i]
	}
	return b
}

// The examples of GOST R 34.10-2012 appendix A (A.1: 256-bit key on the
// test parameter set 1.2.643.2.2.35.0; A.2: 512-bit key on the test set
// 1.2.643.7.1.2.1.2.0), reproduced in RFC 7091 section 7 (7.1 and 7.2):
// private key d, public key Q, e = alpha mod q, nonce k, and the
// resulting r and s.
var katVectors = []struct {
	name       string
	curve      func() *Curve
	d, qx, qy  string
	e, k, r, s string
}{
	{
		name:  "GOST R 34.10-2012 A.1 / RFC 7091 7.1",
		curve: CurveTest256,
		d:     "7A929ADE789BB9BE10ED359DD39A72C11B60961F49397EEE1D19CE9891EC3B28",
		qx:    "7F2B49E270DB6D90D8595BEC458B50C58585BA1D4E9B788F6689DBD8E56FD80B",
		qy:    "26F1B489D6701DD185C8413A977B3CBBAF64D1C593D26627DFFB101A87FF77DA",
		e:     "2DFBC1B372D89A1188C09C52E0EEC61FCE52032AB1022E8E67ECE6672B043EE5",
		k:     "77105C9B20BCD3122823C8CF6FCC7B956DE33814E95B7FE64FED924594DCEAB3",
		r:     "41AA28D2F1AB148280CD9ED56FEDA41974053554A42767B83AD043FD39DC0493",
		s:     "01456C64BA4642A1653C235A98A60249BCD6D3F746B631DF928014F6C5BF9C40",
	},
	{
		name:  "GOST R 34.10-2012 A.2 / RFC 7091 7.2",
		curve: CurveTest512,
		d: "0BA6048AADAE241BA40936D47756D7C93091A0E8514669700EE7508E508B1020" +
			"72E8123B2200A0563322DAD2827E2714A2636B7BFD18AADFC62967821FA18DD4",
		qx: "115DC5BC96760C7B48598D8AB9E740D4C4A85A65BE33C1815B5C320C854621DD" +
			"5A515856D13314AF69BC5B924C8B4DDFF75C45415C1D9DD9DD33612CD530EFE1",
		qy: "37C7C90CD40B0F5621DC3AC1B751CFA0E2634FA0503B3D52639F5D7FB72AFD61" +
			"EA199441D943FFE7F0C70A2759A3CDB84C114E1F9339FDF27F35ECA93677BEEC",
		e: "3754F3CFACC9E0615C4F4A7C4D8DAB531B09B6F9C170C533A71D147035B0C591" +
			"7184EE536593F4414339976C647C5D5A407ADEDB1D560C4FC6777D2972075B8C",
		k: "0359E7F4B1410FEACC570456C6801496946312120B39D019D455986E364F3658" +
			"86748ED7A44B3E794434006011842286212273A6D14CF70EA3AF71BB1AE679F1",
		r: "2F86FA60A081091A23DD795E1E3C689EE512A3C82EE0DCC2643C78EEA8FCACD3" +
			"5492558486B20F1C9EC197C90699850260C93BCBCD9C5C3317E19344E173AE36",
		s: "1081B394696FFE8E6585E7A9362D26B6325F56778AADBC081C0BFBE933D52FF5" +
			"823CE288E8C4F362526080DF7F70CE406A6EEB1F56919CB92A9853BDE73E5B4A",
	},
}

func TestKnownAnswers(t *testing.T) {
	for _, v := range katVectors {
		t.Run(v.name, func(t *testing.T) {
			c := v.curve()
			priv, err := NewPrivateKey(c, hexBig(t, v.d))
			if err != nil {
				t.Fatal(err)
			}
			if priv.X.Cmp(hexBig(t, v.qx)) != 0 || priv.Y.Cmp(hexBig(t, v.qy)) != 0 {
				t.Fatalf("Q = d·G is (%x, %x), want (%s, %s)", priv.X, priv.Y, v.qx, v.qy)
			}
			digest := leBytes(hexBig(t, v.e), c.Size())
			kPlain := feFromBig(hexBig(t, v.k))
			var kM fe
			c.params.fq.toMont(&kM, &kPlain)
			sig, ok := priv.signWithK(digest, &kM)
			if !ok {
				t.Fatal("signWithK refused the example nonce")
			}
			want, err := MarshalSignature(c, hexBig(t, v.r), hexBig(t, v.s))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(sig, want) {
				t.Fatalf("signature\n got %s\nwant %s", hex.EncodeToString(sig), hex.EncodeToString(want))
			}
			pub := &PublicKey{Curve: c, X: hexBig(t, v.qx), Y: hexBig(t, v.qy)}
			if !Verify(pub, digest, want) {
				t.Fatal("the published signature does not verify")
			}
			bad := bytes.Clone(want)
			bad[len(bad)-1] ^= 1
			if Verify(pub, digest, bad) {
				t.Fatal("a corrupted published signature verifies")
			}
		})
	}
}
