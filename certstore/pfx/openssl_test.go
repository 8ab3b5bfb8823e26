package pfx

import (
	"bytes"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/podpis/podpis/certstore/cert"
	"github.com/podpis/podpis/internal/gost/gost3410"

	"github.com/podpis/podpis/internal/testenv"
)

func runOpenSSL(bin string, args ...string) ([]byte, error) {
	cmd := exec.Command(bin, args...)
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	err := cmd.Run()
	return out.Bytes(), err
}

func mustOpenSSL(t testing.TB, bin string, args ...string) []byte {
	t.Helper()
	out, err := runOpenSSL(bin, args...)
	if err != nil {
		t.Fatalf("openssl %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

func readFile(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func writeFile(t testing.TB, path string, data []byte) {
	t.Helper()
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

func pemBlock(t testing.TB, path, typ string) []byte {
	t.Helper()
	rest := readFile(t, path)
	for {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			t.Fatalf("%s: no %s PEM block", path, typ)
		}
		if b.Type == typ {
			return b.Bytes
		}
	}
}

// fixture is a key, its self-signed certificate and a PFX made by OpenSSL.
type fixture struct {
	dir      string
	keyPEM   string
	certPEM  string
	keyDER   []byte // PKCS#8 as OpenSSL wrote it to key.pem
	certDER  []byte
	pfx      []byte
	password string
}

func (f *fixture) path(name string) string { return filepath.Join(f.dir, name) }

// makeFixture runs the RECIPES commands: genpkey, req -x509, pkcs12 -export.
func makeFixture(t testing.TB, bin, alg, paramset, pbe, password string) *fixture {
	t.Helper()
	return makeFixtureMAC(t, bin, alg, paramset, pbe, "md_gost12_512", password)
}

func makeFixtureMAC(t testing.TB, bin, alg, paramset, pbe, macalg, password string) *fixture {
	t.Helper()
	f := &fixture{dir: t.TempDir(), password: password}
	f.keyPEM, f.certPEM = f.path("key.pem"), f.path("cert.pem")
	mustOpenSSL(t, bin, "genpkey", "-engine", "gost", "-algorithm", alg, "-pkeyopt", "paramset:"+paramset, "-out", f.keyPEM)
	mustOpenSSL(t, bin, "req", "-engine", "gost", "-x509", "-new", "-key", f.keyPEM, "-subj", "/CN=Test/C=RU", "-days", "30", "-out", f.certPEM)
	mustOpenSSL(t, bin, "pkcs12", "-engine", "gost", "-export", "-inkey", f.keyPEM, "-in", f.certPEM,
		"-out", f.path("k.pfx"), "-passout", "pass:"+password, "-keypbe", pbe, "-certpbe", pbe, "-macalg", macalg)
	f.keyDER = pemBlock(t, f.keyPEM, "PRIVATE KEY")
	f.certDER = pemBlock(t, f.certPEM, "CERTIFICATE")
	f.pfx = readFile(t, f.path("k.pfx"))
	return f
}

// checkContents asserts the decoded PFX holds exactly the fixture's key and
// certificate, and returns the parsed key.
func checkContents(t *testing.T, f *fixture, c *Contents) *gost3410.PrivateKey {
	t.Helper()
	if len(c.Certificates) != 1 || !bytes.Equal(c.Certificates[0], f.certDER) {
		t.Fatalf("certificates: got %d, want the fixture's one byte for byte", len(c.Certificates))
	}
	if len(c.Keys) != 1 {
		t.Fatalf("keys: got %d, want 1", len(c.Keys))
	}
	if !bytes.Equal(c.Keys[0], f.keyDER) {
		t.Errorf("PKCS#8 differs from the one OpenSSL wrote to key.pem")
	}
	priv, err := gost3410.ParsePKCS8(c.Keys[0])
	if err != nil {
		t.Fatalf("gost3410.ParsePKCS8: %v", err)
	}
	crt, err := cert.Parse(c.Certificates[0])
	if err != nil {
		t.Fatalf("cert.Parse: %v", err)
	}
	pub, _, err := gost3410.ParseSPKI(crt.RawSubjectPublicKeyInfo)
	if err != nil {
		t.Fatalf("gost3410.ParseSPKI: %v", err)
	}
	if !pub.Equal(&priv.PublicKey) {
		t.Fatal("the recovered private key does not match the certificate's public key")
	}
	return priv
}

// opensslVerifiesSignature signs a random digest with priv and has
// `openssl pkeyutl -verify` check it against the certificate.
func opensslVerifiesSignature(t *testing.T, bin string, f *fixture, priv *gost3410.PrivateKey) {
	t.Helper()
	digest := make([]byte, priv.Curve.Size())
	rand.Read(digest)
	hash := gost3410.DigestStreebog256
	if priv.Curve.Size() == 64 {
		hash = gost3410.DigestStreebog512
	}
	sig, err := priv.Sign(rand.Reader, digest, &gost3410.SignerOpts{Hash: hash})
	if err != nil {
		t.Fatalf("Sign: %v", err)
	}
	writeFile(t, f.path("digest"), digest)
	writeFile(t, f.path("sig"), sig)
	out, err := runOpenSSL(bin, "pkeyutl", "-engine", "gost", "-verify", "-certin", "-inkey", f.certPEM,
		"-in", f.path("digest"), "-sigfile", f.path("sig"))
	if err != nil || !strings.Contains(string(out), "Signature Verified Successfully") {
		t.Fatalf("OpenSSL rejects the signature made with the recovered key: %v\n%s", err, out)
	}
	// And a different digest must not verify (the check above means something).
	digest[0] ^= 1
	writeFile(t, f.path("digest2"), digest)
	out, err = runOpenSSL(bin, "pkeyutl", "-engine", "gost", "-verify", "-certin", "-inkey", f.certPEM,
		"-in", f.path("digest2"), "-sigfile", f.path("sig"))
	if err == nil && strings.Contains(string(out), "Signature Verified Successfully") {
		t.Fatal("OpenSSL accepts the signature for another digest")
	}
}

var paramSets = []struct {
	alg, set string
	sign     bool // also sign with the recovered key and verify with OpenSSL
}{
	{"gost2012_256", "A", true},
	{"gost2012_256", "B", false},
	{"gost2012_256", "C", false},
	{"gost2012_256", "XA", false},
	{"gost2012_256", "XB", true},
	{"gost2012_256", "TCA", true},
	{"gost2012_256", "TCB", false},
	{"gost2012_256", "TCC", false},
	{"gost2012_256", "TCD", false},
	{"gost2012_512", "A", true},
	{"gost2012_512", "B", false},
	{"gost2012_512", "C", true},
}

func TestDecodeOpenSSLGost89(t *testing.T) {
	bin := testenv.OpenSSLGost(t)
	for _, ps := range paramSets {
		t.Run(ps.alg+"-"+ps.set, func(t *testing.T) {
			f := makeFixture(t, bin, ps.alg, ps.set, "gost89", "Secret-123")
			if !IsGOST(f.pfx) {
				t.Error("IsGOST = false for a GOST PFX")
			}
			c, err := Decode(f.pfx, f.password)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			priv := checkContents(t, f, c)
			if ps.sign {
				opensslVerifiesSignature(t, bin, f, priv)
			}
			if _, err := Decode(f.pfx, "Secret-124"); !errors.Is(err, ErrWrongPassword) {
				t.Fatalf("wrong password: %v, want ErrWrongPassword", err)
			}
		})
	}
}

func TestDecodeOpenSSLKuznyechik(t *testing.T) {
	bin := testenv.OpenSSLGost(t)
	for _, ps := range []struct{ alg, set string }{{"gost2012_256", "A"}, {"gost2012_256", "TCB"}, {"gost2012_512", "C"}} {
		t.Run(ps.alg+"-"+ps.set, func(t *testing.T) {
			f := makeFixture(t, bin, ps.alg, ps.set, "kuznyechik-ctr-acpkm", "пароль")
			if !IsGOST(f.pfx) {
				t.Error("IsGOST = false for a Kuznyechik PFX")
			}
			c, err := Decode(f.pfx, f.password)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			opensslVerifiesSignature(t, bin, f, checkContents(t, f, c))
			if _, err := Decode(f.pfx, "парол"); !errors.Is(err, ErrWrongPassword) {
				t.Fatalf("wrong password: %v, want ErrWrongPassword", err)
			}
		})
	}
}

// TestDecodeMACDigests covers the other MAC digests the engine writes; the
// TC26 key derivation (tail of 96 PBKDF2 bytes) applies to all of them.
func TestDecodeMACDigests(t *testing.T) {
	bin := testenv.OpenSSLGost(t)
	for _, tc := range []struct{ macalg, pbe string }{
		{"md_gost12_256", "magma-ctr-acpkm"},
		{"md_gost94", "gost89"},
		{"md_gost12_512", "magma-ctr-acpkm"},
	} {
		t.Run(tc.macalg+"-"+tc.pbe, func(t *testing.T) {
			f := makeFixtureMAC(t, bin, "gost2012_256", "B", tc.pbe, tc.macalg, "пароль")
			if !IsGOST(f.pfx) {
				t.Error("IsGOST = false")
			}
			c, err := Decode(f.pfx, f.password)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			checkContents(t, f, c)
			if _, err := Decode(f.pfx, "wrong"); !errors.Is(err, ErrWrongPassword) {
				t.Fatalf("wrong password: %v, want ErrWrongPassword", err)
			}
		})
	}
}

func TestDecodePasswords(t *testing.T) {
	bin := testenv.OpenSSLGost(t)
	for _, pw := range []string{"Secret-123", "пароль", "", "Пароль с пробелами №1"} {
		t.Run(pw, func(t *testing.T) {
			f := makeFixture(t, bin, "gost2012_256", "A", "gost89", pw)
			c, err := Decode(f.pfx, pw)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			checkContents(t, f, c)
			for _, wrong := range []string{pw + "x", "x", "ПАРОЛЬ"} {
				if _, err := Decode(f.pfx, wrong); !errors.Is(err, ErrWrongPassword) {
					t.Fatalf("password %q: %v, want ErrWrongPassword", wrong, err)
				}
			}
		})
	}
}

// TestDecodeGost2001 needs the engine to still make GOST R 34.10-2001 keys.
func TestDecodeGost2001(t *testing.T) {
	bin := testenv.OpenSSLGost(t)
	f := makeFixture(t, bin, "gost2001", "A", "gost89", "пароль")
	c, err := Decode(f.pfx, f.password)
	if err != nil {
		t.Fatalf("Decode: %v", err)
	}
	if len(c.Keys) != 1 || !bytes.Equal(c.Keys[0], f.keyDER) {
		t.Fatal("the 2001 key's PKCS#8 is not the one OpenSSL wrote")
	}
	if len(c.Certificates) != 1 || !bytes.Equal(c.Certificates[0], f.certDER) {
		t.Fatal("the 2001 certificate differs")
	}
}

func TestRoundTripOpenSSL(t *testing.T) {
	bin := testenv.OpenSSLGost(t)
	for _, tc := range []struct{ alg, set, pw string }{
		{"gost2012_256", "A", "Secret-123"},
		{"gost2012_256", "TCA", "пароль"},
		{"gost2012_512", "C", ""},
	} {
		t.Run(tc.alg+"-"+tc.set, func(t *testing.T) {
			f := makeFixture(t, bin, tc.alg, tc.set, "gost89", "unused")
			out, err := Encode(f.keyDER, [][]byte{f.certDER}, tc.pw)
			if err != nil {
				t.Fatalf("Encode: %v", err)
			}
			if !IsGOST(out) {
				t.Error("IsGOST(Encode(...)) = false")
			}
			c, err := Decode(out, tc.pw)
			if err != nil {
				t.Fatalf("Decode(Encode(...)): %v", err)
			}
			checkContents(t, &fixture{keyDER: f.keyDER, certDER: f.certDER}, c)

			ours := f.path("ours.pfx")
			writeFile(t, ours, out)
			info := string(mustOpenSSL(t, bin, "pkcs12", "-engine", "gost", "-info", "-in", ours, "-passin", "pass:"+tc.pw,
				"-nodes", "-out", f.path("dump.pem")))
			// OpenSSL names what it found; the -info lines prove it took the
			// TC26 path, not a fallback.
			for _, want := range []string{"MAC: GOST R 34.11-2012 with 512 bit hash", "PBKDF2, gost89", "PRF id-tc26-hmac-gost-3411-2012-512"} {
				if !strings.Contains(strings.ToLower(info), strings.ToLower(want)) {
					t.Errorf("openssl -info does not mention %s:\n%s", want, info)
				}
			}
			wantPub := mustOpenSSL(t, bin, "pkey", "-engine", "gost", "-in", f.keyPEM, "-pubout")
			gotPub := mustOpenSSL(t, bin, "pkey", "-engine", "gost", "-in", f.path("dump.pem"), "-pubout")
			if !bytes.Equal(wantPub, gotPub) {
				t.Fatalf("OpenSSL reads another key from our PFX:\n%s\nwant\n%s", gotPub, wantPub)
			}
			if got := pemBlock(t, f.path("dump.pem"), "CERTIFICATE"); !bytes.Equal(got, f.certDER) {
				t.Fatal("OpenSSL reads another certificate from our PFX")
			}
			if _, err := runOpenSSL(bin, "pkcs12", "-engine", "gost", "-in", ours, "-passin", "pass:"+tc.pw+"x",
				"-nodes", "-out", f.path("dump2.pem")); err == nil {
				t.Fatal("OpenSSL opens our PFX with a wrong password")
			}
		})
	}
}

func TestIsGOSTAndUnsupportedRSA(t *testing.T) {
	bin := testenv.OpenSSLGost(t)
	dir := t.TempDir()
	p := func(n string) string { return filepath.Join(dir, n) }
	mustOpenSSL(t, bin, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", p("k.pem"),
		"-subj", "/CN=RSA", "-days", "3", "-out", p("c.pem"))
	mustOpenSSL(t, bin, "pkcs12", "-export", "-inkey", p("k.pem"), "-in", p("c.pem"), "-out", p("r.p12"), "-passout", "pass:123")
	rsa := readFile(t, p("r.p12"))
	if IsGOST(rsa) {
		t.Error("IsGOST = true for OpenSSL's default RSA .p12")
	}
	_, err := Decode(rsa, "123")
	var ue *UnsupportedError
	if !errors.Is(err, ErrUnsupported) || !errors.As(err, &ue) || ue.OID == "" {
		t.Fatalf("Decode(RSA .p12) = %v, want ErrUnsupported naming an OID", err)
	}
	for _, junk := range [][]byte{nil, {0x30}, []byte("not a pfx")} {
		if IsGOST(junk) {
			t.Errorf("IsGOST(%q) = true", junk)
		}
	}
}
