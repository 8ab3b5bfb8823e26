package gost3410

import (
	"crypto/rand"
	"testing"
)

var benchCurves = []struct {
	name  string
	curve func() *Curve
}{
	{"CryptoProA-256", CurveCryptoProA},
	{"TC26-256-A", CurveTC26_256A},
	{"CryptoProB-256", CurveCryptoProB},
	{"CryptoProC-256", CurveCryptoProC},
	{"TC26-512-A", CurveTC26_512A},
	{"TC26-512-B", CurveTC26_512B},
	{"TC26-512-C", CurveTC26_512C},
}

func BenchmarkSign(b *testing.B) {
	for _, bc := range benchCurves {
		b.Run(bc.name, func(b *testing.B) {
			c := bc.curve()
			priv, _ := GenerateKey(c, rand.Reader)
			digest := make([]byte, c.Size())
			rand.Read(digest)
			priv.Sign(rand.Reader, digest, nil) // builds the base table
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				if _, err := priv.Sign(rand.Reader, digest, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkVerify(b *testing.B) {
	for _, bc := range benchCurves {
		b.Run(bc.name, func(b *testing.B) {
			c := bc.curve()
			priv, _ := GenerateKey(c, rand.Reader)
			digest := make([]byte, c.Size())
			rand.Read(digest)
			sig, _ := priv.Sign(rand.Reader, digest, nil)
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				if !Verify(&priv.PublicKey, digest, sig) {
					b.Fatal("verify failed")
				}
			}
		})
	}
}

func BenchmarkFieldMul(b *testing.B) {
	for _, bc := range benchCurves {
		f := bc.curve().params.fp
		b.Run(bc.name+"/mul", func(b *testing.B) {
			x, y := f.r2, f.r3
			for b.Loop() {
				f.mul(&x, &x, &y)
			}
		})
		b.Run(bc.name+"/sqr", func(b *testing.B) {
			x := f.r3
			for b.Loop() {
				f.sqr(&x, &x)
			}
		})
	}
}
