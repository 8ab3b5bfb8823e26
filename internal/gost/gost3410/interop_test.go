package gost3410

import (
	"bytes"
	"crypto/rand"
	"encoding/pem"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/podpis/podpis/internal/testenv"
)

func runOpenSSL(t *testing.T, bin string, args ...string) ([]byte, error) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	err := cmd.Run()
	return out.Bytes(), err
}

func mustOpenSSL(t *testing.T, bin string, args ...string) []byte {
	t.Helper()
	out, err := runOpenSSL(t, bin, args...)
	if err != nil {
		t.Fatalf("openssl %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

func writeFile(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

func readPEM(t *testing.T, path, typ string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(data)
	if block == nil || block.Type != typ {
		t.Fatalf("%s: no %s PEM block", path, typ)
	}
	return block.Bytes
}

var interopSets = []struct {
	alg, paramset string
	curve         func() *Curve
}{
	{"gost2012_256", "A", CurveCryptoProA},
	{"gost2012_256", "B", CurveCryptoProB},
	{"gost2012_256", "C", CurveCryptoProC},
	{"gost2012_256", "XA", CurveCryptoProXA},
	{"gost2012_256", "XB", CurveCryptoProXB},
	{"gost2012_256", "TCA", CurveTC26_256A},
	{"gost2012_256", "TCB", CurveTC26_256B},
	{"gost2012_256", "TCC", CurveTC26_256C},
	{"gost2012_256", "TCD", CurveTC26_256D},
	{"gost2012_512", "A", CurveTC26_512A},
	{"gost2012_512", "B", CurveTC26_512B},
	{"gost2012_512", "C", CurveTC26_512C},
}

// TestOpenSSLInterop checks, for every parameter set the gost engine
// offers, both directions: an OpenSSL key parsed here signs here and
// OpenSSL verifies, OpenSSL signs and we verify; a key generated here is
// accepted by OpenSSL (same public key), signs with OpenSSL and verifies
// here. Corrupted signatures and wrong digests fail on both sides.
func TestOpenSSLInterop(t *testing.T) {
	bin := testenv.OpenSSLGost(t)
	for _, set := range interopSets {
		t.Run(set.alg+"-"+set.paramset, func(t *testing.T) {
			dir := t.TempDir()
			path := func(name string) string { return filepath.Join(dir, name) }
			want := set.curve()

			// OpenSSL's key, parsed here.
			mustOpenSSL(t, bin, "genpkey", "-engine", "gost", "-algorithm", set.alg,
				"-pkeyopt", "paramset:"+set.paramset, "-out", path("ossl.key"))
			mustOpenSSL(t, bin, "pkey", "-engine", "gost", "-in", path("ossl.key"), "-pubout", "-out", path("ossl.pub"))
			priv, err := ParsePKCS8(readPEM(t, path("ossl.key"), "PRIVATE KEY"))
			if err != nil {
				t.Fatalf("ParsePKCS8: %v", err)
			}
			if priv.Curve != want {
				t.Fatalf("curve %s, want %s", priv.Curve.Name(), want.Name())
			}
			pub, params, err := ParseSPKI(readPEM(t, path("ossl.pub"), "PUBLIC KEY"))
			if err != nil {
				t.Fatalf("ParseSPKI: %v", err)
			}
			if !pub.Equal(&priv.PublicKey) {
				t.Fatal("public key recomputed from OpenSSL's private key differs from OpenSSL's public key")
			}
			if !params.Curve.OID().Equal(want.OID()) {
				t.Fatalf("SPKI parameter set %v, want %v", params.Curve.OID(), want.OID())
			}

			digest := make([]byte, want.Size())
			rand.Read(digest)
			writeFile(t, path("digest"), digest)
			otherDigest := bytes.Clone(digest)
			otherDigest[0] ^= 0x80
			writeFile(t, path("other-digest"), otherDigest)

			opensslVerifies := func(pubFile, sigFile, digestFile string) bool {
				out, err := runOpenSSL(t, bin, "pkeyutl", "-engine", "gost", "-verify", "-pubin",
					"-inkey", pubFile, "-in", digestFile, "-sigfile", sigFile)
				ok := err == nil && strings.Contains(string(out), "Signature Verified Successfully")
				return ok
			}
			opensslSigns := func(keyFile string) []byte {
				mustOpenSSL(t, bin, "pkeyutl", "-engine", "gost", "-sign", "-inkey", keyFile,
					"-in", path("digest"), "-out", path("ossl.sig"))
				sig, err := os.ReadFile(path("ossl.sig"))
				if err != nil {
					t.Fatal(err)
				}
				return sig
			}

			// We sign, OpenSSL verifies.
			sig, err := priv.Sign(rand.Reader, digest, &SignerOpts{Hash: digestFor(want)})
			if err != nil {
				t.Fatal(err)
			}
			writeFile(t, path("our.sig"), sig)
			if !opensslVerifies(path("ossl.pub"), path("our.sig"), path("digest")) {
				t.Fatal("OpenSSL rejects our signature")
			}
			bad := bytes.Clone(sig)
			bad[3] ^= 0x10
			writeFile(t, path("bad.sig"), bad)
			if opensslVerifies(path("ossl.pub"), path("bad.sig"), path("digest")) {
				t.Fatal("OpenSSL accepts our corrupted signature")
			}
			if opensslVerifies(path("ossl.pub"), path("our.sig"), path("other-digest")) {
				t.Fatal("OpenSSL accepts our signature for another digest")
			}

			// OpenSSL signs, we verify.
			osig := opensslSigns(path("ossl.key"))
			if !Verify(pub, digest, osig) {
				t.Fatal("we reject OpenSSL's signature")
			}
			osig[len(osig)-1] ^= 1
			if Verify(pub, digest, osig) {
				t.Fatal("we accept OpenSSL's corrupted signature")
			}
			osig[len(osig)-1] ^= 1
			if Verify(pub, otherDigest, osig) {
				t.Fatal("we accept OpenSSL's signature for another digest")
			}

			// Our key, used by OpenSSL.
			ours, err := GenerateKey(want, rand.Reader)
			if err != nil {
				t.Fatal(err)
			}
			der, err := MarshalPKCS8(ours)
			if err != nil {
				t.Fatal(err)
			}
			writeFile(t, path("our.key"), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
			spki, err := MarshalSPKI(&ours.PublicKey)
			if err != nil {
				t.Fatal(err)
			}
			writeFile(t, path("our.pub"), pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: spki}))
			mustOpenSSL(t, bin, "pkey", "-engine", "gost", "-in", path("our.key"), "-pubout", "-out", path("derived.pub"))
			if derived := readPEM(t, path("derived.pub"), "PUBLIC KEY"); !bytes.Equal(derived, spki) {
				t.Fatal("OpenSSL derives another SubjectPublicKeyInfo from our private key")
			}
			reparsed, err := ParsePKCS8(der)
			if err != nil || !reparsed.Equal(ours) {
				t.Fatalf("MarshalPKCS8/ParsePKCS8 round trip: %v", err)
			}
			osig = opensslSigns(path("our.key"))
			if !Verify(&ours.PublicKey, digest, osig) {
				t.Fatal("we reject OpenSSL's signature made with our key")
			}
			sig, err = ours.Sign(rand.Reader, digest, nil)
			if err != nil {
				t.Fatal(err)
			}
			writeFile(t, path("our2.sig"), sig)
			if !opensslVerifies(path("our.pub"), path("our2.sig"), path("digest")) {
				t.Fatal("OpenSSL rejects our signature made with our key")
			}
			// A wrong key fails on both sides.
			if opensslVerifies(path("ossl.pub"), path("our2.sig"), path("digest")) {
				t.Fatal("OpenSSL accepts our signature under another key")
			}
			if Verify(pub, digest, sig) {
				t.Fatal("we accept a signature under another key")
			}
		})
	}
}

func digestFor(c *Curve) Digest {
	if c.Size() == 64 {
		return DigestStreebog512
	}
	return DigestStreebog256
}

// TestMaskedKeyOpenSSL gives the gost engine a PKCS#8 key in CryptoPro's
// masked form (scalar times inverse masks, then the masks) and checks that
// the engine and ParsePKCS8 unmask it to the same key: the engine's public
// key equals ours, and a signature made here with the parsed key verifies
// in OpenSSL under it.
func TestMaskedKeyOpenSSL(t *testing.T) {
	bin := testenv.OpenSSLGost(t)
	for _, c := range []*Curve{CurveCryptoProA(), CurveTC26_256A(), CurveTC26_512A()} {
		for _, masks := range []int{1, 2} {
			t.Run(fmt.Sprintf("%s-%d", c.Name(), masks), func(t *testing.T) {
				dir := t.TempDir()
				path := func(name string) string { return filepath.Join(dir, name) }
				priv, err := GenerateKey(c, rand.Reader)
				if err != nil {
					t.Fatal(err)
				}
				params, err := MarshalSPKIParams(DefaultSPKIParams(c))
				if err != nil {
					t.Fatal(err)
				}
				der := pkcs8With(keyAlgorithm(c), params, maskedScalar(t, priv, masks))
				writeFile(t, path("masked.key"), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
				mustOpenSSL(t, bin, "pkey", "-engine", "gost", "-in", path("masked.key"), "-pubout", "-out", path("masked.pub"))
				pub, _, err := ParseSPKI(readPEM(t, path("masked.pub"), "PUBLIC KEY"))
				if err != nil {
					t.Fatal(err)
				}
				if !pub.Equal(&priv.PublicKey) {
					t.Fatal("OpenSSL unmasks to another key than the one masked")
				}
				parsed, err := ParsePKCS8(der)
				if err != nil {
					t.Fatal(err)
				}
				if !parsed.Equal(priv) {
					t.Fatal("ParsePKCS8 unmasks to another key")
				}
				digest := make([]byte, c.Size())
				rand.Read(digest)
				sig, err := parsed.Sign(rand.Reader, digest, &SignerOpts{Hash: digestFor(c)})
				if err != nil {
					t.Fatal(err)
				}
				writeFile(t, path("digest"), digest)
				writeFile(t, path("sig"), sig)
				out, err := runOpenSSL(t, bin, "pkeyutl", "-engine", "gost", "-verify", "-pubin",
					"-inkey", path("masked.pub"), "-in", path("digest"), "-sigfile", path("sig"))
				if err != nil || !strings.Contains(string(out), "Signature Verified Successfully") {
					t.Fatalf("OpenSSL rejects the signature of the unmasked key: %v\n%s", err, out)
				}
			})
		}
	}
}
