package certstore

import (
	"crypto/rand"
	"crypto/sha1"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"software.sslmate.com/src/go-pkcs12"

	"github.com/podpis/podpis/certstore/pfx"
	"github.com/podpis/podpis/internal/gost/gost3410"
	"github.com/podpis/podpis/internal/gost/streebog"
	"github.com/podpis/podpis/internal/testenv"
)

// TestImportGOSTPFX imports .pfx files made by OpenSSL's gost engine (the
// independent peer) and checks the recovered key: the store files it as a
// personal certificate, and the key it unlocks signs a digest that verifies
// against the certificate's public key.
func TestImportGOSTPFX(t *testing.T) {
	openssl := testenv.LookPath(t, "openssl")
	type set struct{ alg, paramset string }
	var sets []set
	for _, p := range []string{"A", "B", "C", "XA", "XB", "TCA", "TCB", "TCC", "TCD"} {
		sets = append(sets, set{"gost2012_256", p})
	}
	for _, p := range []string{"A", "B", "C"} {
		sets = append(sets, set{"gost2012_512", p})
	}
	for _, tc := range sets {
		t.Run(tc.alg+"-"+tc.paramset, func(t *testing.T) {
			dir := t.TempDir()
			run := func(args ...string) {
				t.Helper()
				cmd := exec.Command(openssl, args...)
				cmd.Dir = dir
				if out, err := cmd.CombinedOutput(); err != nil {
					testenv.Missing(t, "openssl %v: %v\n%s", args, err, out)
				}
			}
			const password = "пароль"
			run("genpkey", "-engine", "gost", "-algorithm", tc.alg, "-pkeyopt", "paramset:"+tc.paramset, "-out", "key.pem")
			run("req", "-engine", "gost", "-x509", "-new", "-utf8", "-key", "key.pem", "-subj", "/CN=Иванов ГОСТ/C=RU", "-days", "30", "-out", "cert.pem")
			run("pkcs12", "-engine", "gost", "-export", "-inkey", "key.pem", "-in", "cert.pem", "-out", "k.pfx",
				"-passout", "pass:"+password, "-keypbe", "gost89", "-certpbe", "gost89", "-macalg", "md_gost12_512")

			certPEM, err := os.ReadFile(filepath.Join(dir, "cert.pem"))
			if err != nil {
				t.Fatal(err)
			}
			block, _ := pem.Decode(certPEM)
			sum := sha1.Sum(block.Bytes)
			wantID := hex.EncodeToString(sum[:])

			s := openTestStore(t, nil)
			path := filepath.Join(dir, "k.pfx")
			if _, err := s.ImportFile(path, ImportOptions{Password: fixedPassword("не тот")}); !errors.Is(err, ErrWrongPassword) {
				t.Fatalf("wrong password: %v", err)
			}
			if _, err := s.ImportFile(path, ImportOptions{Password: fixedPassword(password)}); err != nil {
				t.Fatal(err)
			}
			e, err := s.Get(wantID)
			if err != nil {
				t.Fatalf("the certificate's thumbprint is not in the store: %v", err)
			}
			if e.List != ListPersonal || !e.HasKey {
				t.Fatalf("list %s, key %v", e.List, e.HasKey)
			}
			key, err := s.PrivateKey(e.ID, fixedPassword(password))
			if err != nil {
				t.Fatal(err)
			}
			msg := []byte("декларация 3-НДФЛ")
			var digest []byte
			opts := &gost3410.SignerOpts{Hash: gost3410.DigestStreebog256}
			if tc.alg == "gost2012_512" {
				d := streebog.Sum512(msg)
				digest, opts.Hash = d[:], gost3410.DigestStreebog512
			} else {
				d := streebog.Sum256(msg)
				digest = d[:]
			}
			sig, err := key.Sign(rand.Reader, digest, opts)
			if err != nil {
				t.Fatal(err)
			}
			pub, err := publicKey(e.Cert)
			if err != nil {
				t.Fatal(err)
			}
			if !gost3410.Verify(pub.(*gost3410.PublicKey), digest, sig) {
				t.Fatal("a signature by the imported key does not verify with the certificate")
			}
			// And the independent peer agrees, with the certificate alone.
			if err := os.WriteFile(filepath.Join(dir, "digest"), digest, 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, "sig"), sig, 0o600); err != nil {
				t.Fatal(err)
			}
			run("pkeyutl", "-engine", "gost", "-verify", "-certin", "-inkey", "cert.pem", "-in", "digest", "-sigfile", "sig")

			// Round trip: export again; OpenSSL reads the file and finds the
			// same key (compared by its public half) and certificate.
			if _, err := s.ExportPFX(e.ID, fixedPassword(password), "", false); !errors.Is(err, ErrExportPassword) {
				t.Fatalf("export without a password: %v", err)
			}
			out, err := s.ExportPFX(e.ID, fixedPassword(password), "экспорт", true)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, "out.pfx"), out, 0o600); err != nil {
				t.Fatal(err)
			}
			run("pkcs12", "-engine", "gost", "-in", "out.pfx", "-passin", "pass:экспорт", "-nodes", "-nocerts", "-out", "back.pem")
			run("pkcs12", "-engine", "gost", "-in", "out.pfx", "-passin", "pass:экспорт", "-nokeys", "-clcerts", "-out", "backcert.pem")
			run("pkey", "-engine", "gost", "-in", "back.pem", "-pubout", "-out", "back.pub")
			run("pkey", "-engine", "gost", "-in", "key.pem", "-pubout", "-out", "orig.pub")
			back, _ := os.ReadFile(filepath.Join(dir, "back.pub"))
			orig, _ := os.ReadFile(filepath.Join(dir, "orig.pub"))
			if len(orig) == 0 || string(back) != string(orig) {
				t.Fatalf("OpenSSL reads another key from the export:\n%s\nwant\n%s", back, orig)
			}
			backCert, _ := os.ReadFile(filepath.Join(dir, "backcert.pem"))
			if b, _ := pem.Decode(backCert); b == nil || string(b.Bytes) != string(block.Bytes) {
				t.Fatal("OpenSSL reads another certificate from the export")
			}
		})
	}
}

// TestExportPFXRSA: an RSA/ECDSA export is a standard .p12 that imports
// again, into another store, with its password.
func TestExportPFXRSA(t *testing.T) {
	ch := makeChain(t, "Экспорт RSA", true)
	s := openTestStore(t, nil)
	if _, err := s.ImportFile(writeTemp(t, "a.p12", ch.pfx(t, pkcs12.Modern2023, "pw")), ImportOptions{Password: fixedPassword("pw")}); err != nil {
		t.Fatal(err)
	}
	id := thumb(ch.Leaf.Cert)
	if _, err := s.ExportPFX(id, fixedPassword("wrong"), "new", false); !errors.Is(err, ErrWrongPassword) {
		t.Fatalf("wrong container password: %v", err)
	}
	out, err := s.ExportPFX(id, fixedPassword("pw"), "новый", true)
	if err != nil {
		t.Fatal(err)
	}
	other := openTestStore(t, nil)
	res, err := other.Import("out.p12", out, ImportOptions{Password: fixedPassword("новый")})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Added) != 3 {
		t.Fatalf("the export with chain brought %d certificates, want 3", len(res.Added))
	}
	if err := other.CheckPassword(id, "новый"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ExportPFX(thumb(ch.CA.Cert), fixedPassword("pw"), "x", false); !errors.Is(err, ErrNoKey) {
		t.Fatalf("export of a certificate without a key: %v", err)
	}
}

// TestImportGOST2001PFX: a .pfx with a legacy GOST R 34.10-2001 key imports
// (the key is kept and can be exported) but does not sign.
func TestImportGOST2001PFX(t *testing.T) {
	openssl := testenv.LookPath(t, "openssl")
	dir := t.TempDir()
	run := func(args ...string) {
		t.Helper()
		cmd := exec.Command(openssl, args...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			testenv.Missing(t, "openssl %v: %v\n%s", args, err, out)
		}
	}
	run("genpkey", "-engine", "gost", "-algorithm", "gost2001", "-pkeyopt", "paramset:A", "-out", "key.pem")
	run("req", "-engine", "gost", "-x509", "-new", "-key", "key.pem", "-subj", "/CN=Legacy 2001/C=RU",
		"-addext", "basicConstraints=critical,CA:FALSE", "-days", "30", "-out", "cert.pem")
	run("pkcs12", "-engine", "gost", "-export", "-inkey", "key.pem", "-in", "cert.pem", "-out", "k.pfx",
		"-passout", "pass:pw", "-keypbe", "gost89", "-certpbe", "gost89", "-macalg", "md_gost12_512")

	s := openTestStore(t, nil)
	res, err := s.ImportFile(filepath.Join(dir, "k.pfx"), ImportOptions{Password: fixedPassword("pw")})
	if err != nil {
		t.Fatal(err)
	}
	e := res.Added[0]
	if e.List != ListPersonal || !e.HasKey {
		t.Fatalf("2001 certificate in %s, key %v", e.List, e.HasKey)
	}
	if _, err := s.PrivateKey(e.ID, fixedPassword("pw")); !errors.Is(err, ErrLegacyKey) {
		t.Fatalf("unlocking a 2001 key for signing: %v, want ErrLegacyKey", err)
	}
	out, err := s.ExportPFX(e.ID, fixedPassword("pw"), "again", false)
	if err != nil {
		t.Fatal(err)
	}
	other := openTestStore(t, nil)
	if _, err := other.Import("again.pfx", out, ImportOptions{Password: fixedPassword("again")}); err != nil {
		t.Fatalf("the exported 2001 .pfx does not import again: %v", err)
	}
	if err := other.CheckPassword(e.ID, "again"); err != nil {
		t.Fatal(err)
	}
}

// TestImportMaskedGOSTKey: a .pfx whose key bag holds the key in CryptoPro's
// masked form (the scalar times the inverse of a mask, then the mask) is
// imported, and the key it unlocks is the certificate's. OpenSSL makes the
// key and certificate; the masked bag is ours, because OpenSSL re-encodes
// keys unmasked (gost3410's TestMaskedKeyOpenSSL checks the engine reads the
// masked form the same way).
func TestImportMaskedGOSTKey(t *testing.T) {
	openssl := testenv.OpenSSLGost(t)
	dir := t.TempDir()
	run := func(args ...string) {
		t.Helper()
		cmd := exec.Command(openssl, args...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("openssl %v: %v\n%s", args, err, out)
		}
	}
	run("genpkey", "-engine", "gost", "-algorithm", "gost2012_256", "-pkeyopt", "paramset:A", "-out", "key.pem")
	run("req", "-engine", "gost", "-x509", "-new", "-key", "key.pem", "-subj", "/CN=Masked/C=RU", "-days", "30", "-out", "cert.pem")
	keyPEM, _ := os.ReadFile(filepath.Join(dir, "key.pem"))
	certPEM, _ := os.ReadFile(filepath.Join(dir, "cert.pem"))
	kb, _ := pem.Decode(keyPEM)
	cb, _ := pem.Decode(certPEM)
	if kb == nil || cb == nil {
		t.Fatal("no PEM from openssl")
	}
	priv, err := gost3410.ParsePKCS8(kb.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	// Rebuild the PKCS#8 with the masked scalar in place of the plain one.
	in := cryptobyte.String(kb.Bytes)
	var info, alg cryptobyte.String
	var version int64
	if !in.ReadASN1(&info, cbasn1.SEQUENCE) || !info.ReadASN1Int64WithTag(&version, cbasn1.INTEGER) ||
		!info.ReadASN1Element(&alg, cbasn1.SEQUENCE) {
		t.Fatal("cannot read OpenSSL's PKCS#8")
	}
	q := priv.Curve.Params().Q
	mask, _ := rand.Int(rand.Reader, q)
	mask.Add(mask, big.NewInt(1)).Mod(mask, q)
	masked := new(big.Int).Mul(priv.D(), new(big.Int).ModInverse(mask, q))
	masked.Mod(masked, q)
	le := func(v *big.Int) []byte {
		b := v.FillBytes(make([]byte, 32))
		slices.Reverse(b)
		return b
	}
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1Int64(version)
		b.AddBytes(alg)
		b.AddASN1OctetString(append(le(masked), le(mask)...))
	})
	pfxData, err := pfx.Encode(b.BytesOrPanic(), [][]byte{cb.Bytes}, "маска")
	if err != nil {
		t.Fatal(err)
	}
	s := openTestStore(t, nil)
	res, err := s.Import("masked.pfx", pfxData, ImportOptions{Password: fixedPassword("маска")})
	if err != nil {
		t.Fatal(err)
	}
	sum := sha1.Sum(cb.Bytes)
	id := hex.EncodeToString(sum[:])
	key, err := s.PrivateKey(id, fixedPassword("маска"))
	if err != nil {
		t.Fatalf("import %+v; key: %v", res, err)
	}
	if !key.(*gost3410.PrivateKey).Equal(priv) {
		t.Fatal("the unmasked key is not OpenSSL's key")
	}
}
