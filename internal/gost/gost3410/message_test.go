package gost3410

import (
	"crypto/rand"
	"errors"
	"hash"
	"os"
	"path/filepath"
	"testing"

	"github.com/podpis/podpis/internal/gost/gost341194"
	"github.com/podpis/podpis/internal/gost/streebog"

	"github.com/podpis/podpis/internal/testenv"
)

// TestOpenSSLMessageSignatures signs whole messages with `openssl dgst`,
// which hashes them itself, and checks the signatures here over our own
// Streebog / GOST R 34.11-94 digests (and the reverse for 2012 keys). This
// pins the digest convention: the hash output bytes as OpenSSL produces
// them are the digest Sign and Verify take. For GOST R 34.10-2001 keys
// (verify-only here) OpenSSL signs with GOST R 34.11-94 and we verify.
func TestOpenSSLMessageSignatures(t *testing.T) {
	bin := testenv.OpenSSLGost(t)
	for _, tc := range []struct {
		alg, paramset, md string
		newHash           func() hash.Hash
		legacy            bool
	}{
		{"gost2012_256", "A", "md_gost12_256", streebog.New256, false},
		{"gost2012_256", "TCA", "md_gost12_256", streebog.New256, false},
		{"gost2012_512", "A", "md_gost12_512", streebog.New512, false},
		{"gost2012_512", "C", "md_gost12_512", streebog.New512, false},
		{"gost2001", "A", "md_gost94", gost341194.NewCryptoPro, true},
		{"gost2001", "B", "md_gost94", gost341194.NewCryptoPro, true},
		{"gost2001", "C", "md_gost94", gost341194.NewCryptoPro, true},
		{"gost2001", "XA", "md_gost94", gost341194.NewCryptoPro, true},
		{"gost2001", "XB", "md_gost94", gost341194.NewCryptoPro, true},
	} {
		t.Run(tc.alg+"-"+tc.paramset, func(t *testing.T) {
			dir := t.TempDir()
			path := func(name string) string { return filepath.Join(dir, name) }
			msg := make([]byte, 1000+int(tc.paramset[0]))
			rand.Read(msg)
			writeFile(t, path("msg"), msg)
			mustOpenSSL(t, bin, "genpkey", "-engine", "gost", "-algorithm", tc.alg,
				"-pkeyopt", "paramset:"+tc.paramset, "-out", path("key.pem"))
			mustOpenSSL(t, bin, "pkey", "-engine", "gost", "-in", path("key.pem"), "-pubout", "-out", path("pub.pem"))
			pub, _, err := ParseSPKI(readPEM(t, path("pub.pem"), "PUBLIC KEY"))
			if err != nil {
				t.Fatalf("ParseSPKI: %v", err)
			}
			h := tc.newHash()
			h.Write(msg)
			digest := h.Sum(nil)

			mustOpenSSL(t, bin, "dgst", "-engine", "gost", "-"+tc.md, "-sign", path("key.pem"),
				"-out", path("msg.sig"), path("msg"))
			sig, err := os.ReadFile(path("msg.sig"))
			if err != nil {
				t.Fatal(err)
			}
			if !Verify(pub, digest, sig) {
				t.Fatal("OpenSSL's message signature does not verify over our digest")
			}
			msg[0] ^= 1
			h.Reset()
			h.Write(msg)
			if Verify(pub, h.Sum(nil), sig) {
				t.Fatal("verifies for a changed message")
			}
			msg[0] ^= 1

			priv, err := ParsePKCS8(readPEM(t, path("key.pem"), "PRIVATE KEY"))
			if tc.legacy {
				if !errors.Is(err, ErrUnsupportedKey) {
					t.Fatalf("2001 private key: err = %v, want ErrUnsupportedKey", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			ours, err := priv.Sign(rand.Reader, digest, nil)
			if err != nil {
				t.Fatal(err)
			}
			writeFile(t, path("our.sig"), ours)
			out, err := runOpenSSL(t, bin, "dgst", "-engine", "gost", "-"+tc.md, "-verify", path("pub.pem"),
				"-signature", path("our.sig"), path("msg"))
			if err != nil {
				t.Fatalf("OpenSSL rejects our message signature: %v\n%s", err, out)
			}
		})
	}
}
