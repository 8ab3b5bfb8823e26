package gost3410

import (
	"crypto/rand"
	"testing"
)

func FuzzParsePublicKey(f *testing.F) {
	for _, c := range []*Curve{CurveCryptoProA(), CurveTC26_512C()} {
		priv, _ := GenerateKey(c, rand.Reader)
		der, _ := MarshalPublicKey(&priv.PublicKey)
		f.Add(der)
		spki, _ := MarshalSPKI(&priv.PublicKey)
		f.Add(spki)
	}
	f.Add([]byte{0x04, 0x00})
	f.Add([]byte{0x04, 0x40})
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, c := range Curves() {
			pub, err := ParsePublicKey(c, data)
			if err == nil {
				if _, err := pub.point(); err != nil {
					t.Fatal("ParsePublicKey accepted a point that is not on the curve")
				}
				again, err := MarshalPublicKey(pub)
				if err != nil || string(again) != string(data) {
					t.Fatal("accepted public key does not re-encode to the same bytes")
				}
			}
		}
		if pub, _, err := ParseSPKI(data); err == nil {
			if _, err := pub.point(); err != nil {
				t.Fatal("ParseSPKI accepted an invalid point")
			}
		}
		_, _ = ParsePKCS8(data)
	})
}

func FuzzParseSPKIParams(f *testing.F) {
	f.Add(oidsDER(OIDParamSetTC26_256A))
	f.Add(oidsDER(OIDParamSetCryptoProA, OIDStreebog256))
	f.Add(oidsDER(OIDParamSetCryptoProXB, OIDGOST341194CryptoProParamSet, OIDParamSetTest256))
	f.Add([]byte{0x05, 0x00})
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := ParseSPKIParams(data)
		if err != nil {
			return
		}
		if p.Curve == nil {
			t.Fatal("no curve without error")
		}
		if _, err := MarshalSPKIParams(*p); err != nil {
			t.Fatalf("accepted parameters do not re-encode: %v", err)
		}
	})
}

// fuzzKeys are fixed keys (derived from constant scalars, not secrets)
// for the signature fuzzer.
func fuzzKeys() []*PrivateKey {
	var keys []*PrivateKey
	for _, c := range []*Curve{CurveCryptoProA(), CurveTC26_256A(), CurveTC26_512A()} {
		k, _ := GenerateKey(c, constReader(7))
		keys = append(keys, k)
	}
	return keys
}

func FuzzParseSignature(f *testing.F) {
	keys := fuzzKeys()
	for _, k := range keys {
		d := make([]byte, k.Curve.Size())
		sig, _ := k.Sign(constReader(1), d, nil)
		f.Add(d, sig)
	}
	f.Add([]byte{}, []byte{})
	f.Fuzz(func(t *testing.T, digest, sig []byte) {
		for _, k := range keys {
			r, s, err := ParseSignature(k.Curve, sig)
			ok := Verify(&k.PublicKey, digest, sig)
			if ok && err != nil {
				t.Fatalf("Verify accepts a signature ParseSignature rejects: %v", err)
			}
			if err == nil {
				again, err := MarshalSignature(k.Curve, r, s)
				if err != nil || string(again) != string(sig) {
					t.Fatal("signature does not re-encode")
				}
			}
		}
	})
}
