package cert

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"testing"

	"github.com/podpis/podpis/certstore/oid"
)

func FuzzParse(f *testing.F) {
	rsaKey, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		f.Fatal(err)
	}
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		f.Fatal(err)
	}
	_, edKey, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		f.Fatal(err)
	}
	// Certificates as crypto/x509 writes them, CA and leaf for each key type.
	for _, chain := range [][2][]byte{
		pair(generatedChain(f, rsaKey)),
		pair(generatedChain(f, ecKey)),
		pair(generatedChain(f, edKey)),
	} {
		f.Add(chain[0])
		f.Add(chain[1])
	}
	// The hand-built tolerance fixtures.
	f.Add(russianParts().assemble())
	f.Add(v1Parts().assemble())
	gost512 := russianParts()
	gost512.spki = gostSPKI(oid.GOST2012_512, 128, oid.ParamSetTC26_512A)
	f.Add(gost512.assemble())
	postal := russianParts()
	postal.subject = nameOf(set(atv(oid.PostalAddress, seq(utf8Element("a"), seq(tlv(tagBMPString, []byte{0, 0x41}))))))
	f.Add(postal.assemble())

	f.Fuzz(func(t *testing.T, der []byte) {
		c, err := Parse(der)
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) || pe.Field == "" || pe.Err == nil {
				t.Fatalf("error %v is not a *ParseError with a field", err)
			}
			return
		}
		if !bytes.Equal(c.Raw, der) {
			t.Fatal("Raw is not the whole input")
		}
		if !sameMemory(c.RawTBSCertificate, der) || len(c.RawTBSCertificate) == 0 {
			t.Fatal("RawTBSCertificate is not a sub-slice of the input")
		}
		for _, raw := range [][]byte{c.RawIssuer, c.RawSubject, c.RawSubjectPublicKeyInfo} {
			if !sameMemory(raw, c.RawTBSCertificate) {
				t.Fatal("a raw field is not inside RawTBSCertificate")
			}
		}
		if len(c.Thumbprint()) != 40 {
			t.Fatalf("Thumbprint = %q", c.Thumbprint())
		}
		_ = c.Subject.String()
		_ = c.Issuer.String()
		_ = c.Subject.CommonName()
		_ = c.PublicKeyInfo()
		_ = c.UnhandledCriticalExtensions()
		_ = c.IsSelfSigned()
		if c.Version < 1 || c.Version > 3 || c.SerialNumber == nil {
			t.Fatalf("version %d serial %v", c.Version, c.SerialNumber)
		}
	})
}

func pair(a, b []byte) [2][]byte { return [2][]byte{a, b} }
