package sigalg

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/podpis/podpis/certstore/cert"
	"github.com/podpis/podpis/certstore/oid"
	"github.com/podpis/podpis/internal/gost/gost3410"
	"github.com/podpis/podpis/internal/testenv"
)

// keyPair is a certificate with its private key, made by OpenSSL (GOST) or
// Go (RSA, ECDSA) at test time.
type keyPair struct {
	name string
	cert *cert.Certificate
	key  crypto.Signer
}

func run(t *testing.T, dir string, name string, args ...string) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s %v: %v\n%s", name, args, err, out)
	}
}

func readPEM(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(data)
	if block == nil {
		t.Fatalf("%s: no PEM block", path)
	}
	return block.Bytes
}

// opensslPair makes a self-signed certificate with OpenSSL's gost engine
// (or plain OpenSSL for RSA-PSS); extra are more `openssl req` options.
func opensslPair(t *testing.T, openssl, algorithm, paramset string, extra ...string) (*cert.Certificate, []byte) {
	t.Helper()
	dir := t.TempDir()
	args := []string{"genpkey", "-engine", "gost", "-algorithm", algorithm, "-out", "key.pem"}
	if paramset != "" {
		args = append(args, "-pkeyopt", paramset)
	}
	run(t, dir, openssl, args...)
	run(t, dir, openssl, append([]string{"req", "-engine", "gost", "-x509", "-new", "-key", "key.pem",
		"-subj", "/CN=sigalg " + algorithm + "/C=RU", "-days", "30", "-out", "cert.pem"}, extra...)...)
	c, err := cert.Parse(readPEM(t, filepath.Join(dir, "cert.pem")))
	if err != nil {
		t.Fatal(err)
	}
	return c, readPEM(t, filepath.Join(dir, "key.pem"))
}

func gostPair(t *testing.T, openssl, algorithm, paramset string) keyPair {
	c, keyDER := opensslPair(t, openssl, algorithm, paramset)
	key, err := gost3410.ParsePKCS8(keyDER)
	if err != nil {
		t.Fatal(err)
	}
	return keyPair{name: algorithm + " " + paramset, cert: c, key: key}
}

// goPair makes a self-signed certificate for a Go key with crypto/x509.
func goPair(t *testing.T, name string, key crypto.Signer) keyPair {
	t.Helper()
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(7),
		Subject:      pkix.Name{CommonName: name},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	c, err := cert.Parse(der)
	if err != nil {
		t.Fatal(err)
	}
	return keyPair{name: name, cert: c, key: key}
}

func allPairs(t *testing.T) []keyPair {
	openssl := testenv.OpenSSLGost(t)
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	p256, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	p384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	return []keyPair{
		gostPair(t, openssl, "gost2012_256", "paramset:A"),
		gostPair(t, openssl, "gost2012_256", "paramset:TCA"),
		gostPair(t, openssl, "gost2012_256", "paramset:B"),
		gostPair(t, openssl, "gost2012_512", "paramset:A"),
		gostPair(t, openssl, "gost2012_512", "paramset:C"),
		goPair(t, "RSA-2048", rsaKey),
		goPair(t, "ECDSA P-256", p256),
		goPair(t, "ECDSA P-384", p384),
	}
}

func TestForChoosesTheKeysAlgorithms(t *testing.T) {
	pairs := allPairs(t)
	want := map[string][2]asn1.ObjectIdentifier{
		"gost2012_256 paramset:A":   {oid.Streebog256, oid.GOST2012_256Streebog},
		"gost2012_256 paramset:TCA": {oid.Streebog256, oid.GOST2012_256Streebog},
		"gost2012_256 paramset:B":   {oid.Streebog256, oid.GOST2012_256Streebog},
		"gost2012_512 paramset:A":   {oid.Streebog512, oid.GOST2012_512Streebog},
		"gost2012_512 paramset:C":   {oid.Streebog512, oid.GOST2012_512Streebog},
		"RSA-2048":                  {oid.SHA256, oid.RSAEncryption},
		"ECDSA P-256":               {oid.SHA256, oid.ECDSAWithSHA256},
		"ECDSA P-384":               {oid.SHA384, oid.ECDSAWithSHA384},
	}
	for _, p := range pairs {
		choice, err := For(p.cert)
		if err != nil {
			t.Fatalf("%s: %v", p.name, err)
		}
		if w := want[p.name]; !choice.Digest.OID.Equal(w[0]) || !choice.Signature.OID.Equal(w[1]) {
			t.Errorf("%s: For = %v / %v, want %v / %v", p.name, choice.Digest.OID, choice.Signature.OID, w[0], w[1])
		}
	}
}

// Sign then VerifyDigest for every key, under every signatureAlgorithm a
// real signer may name for it; a changed digest or signature fails.
func TestSignVerifyRoundTrip(t *testing.T) {
	for _, p := range allPairs(t) {
		choice, err := For(p.cert)
		if err != nil {
			t.Fatal(err)
		}
		digest, err := Sum(choice.Digest.OID, []byte("документ "+p.name))
		if err != nil {
			t.Fatal(err)
		}
		sig, err := Sign(nil, p.key, choice.Digest.OID, digest)
		if err != nil {
			t.Fatalf("%s: Sign: %v", p.name, err)
		}
		names := []asn1.ObjectIdentifier{choice.Signature.OID, p.cert.PublicKeyAlgorithm}
		if p.cert.PublicKeyAlgorithm.Equal(oid.RSAEncryption) {
			names = append(names, oid.SHA256WithRSA)
		}
		for _, name := range names {
			alg := Identifier{OID: name}
			if err := VerifyDigest(p.cert, alg, choice.Digest.OID, digest, sig); err != nil {
				t.Errorf("%s named %s: %v", p.name, oid.ShortName(name), err)
			}
			tampered := bytes.Clone(digest)
			tampered[0] ^= 1
			if err := VerifyDigest(p.cert, alg, choice.Digest.OID, tampered, sig); !errors.Is(err, ErrSignatureInvalid) {
				t.Errorf("%s: changed digest gives %v, want ErrSignatureInvalid", p.name, err)
			}
			badSig := bytes.Clone(sig)
			badSig[len(badSig)/2] ^= 0x40
			if err := VerifyDigest(p.cert, alg, choice.Digest.OID, digest, badSig); !errors.Is(err, ErrSignatureInvalid) {
				t.Errorf("%s: changed signature gives %v, want ErrSignatureInvalid", p.name, err)
			}
		}
		// Every self-signed certificate is checked by its own key.
		if err := CheckCertificateSignature(p.cert, p.cert); err != nil {
			t.Errorf("%s: own certificate: %v", p.name, err)
		}
	}
}

func TestMismatchedAlgorithmsAreUnsupported(t *testing.T) {
	pairs := allPairs(t)
	gost256, rsaPair := pairs[0], pairs[5]
	cases := []struct {
		name   string
		c      *cert.Certificate
		sigAlg asn1.ObjectIdentifier
		digest asn1.ObjectIdentifier
	}{
		{"GOST key, RSA algorithm", gost256.cert, oid.SHA256WithRSA, oid.SHA256},
		{"GOST-256 key, 512 algorithm", gost256.cert, oid.GOST2012_512Streebog, oid.Streebog512},
		{"GOST key, SHA-256 digest", gost256.cert, oid.GOST2012_256Streebog, oid.SHA256},
		{"RSA key, GOST algorithm", rsaPair.cert, oid.GOST2012_256Streebog, oid.Streebog256},
		{"RSA sha256WithRSA, SHA-1 digest", rsaPair.cert, oid.SHA256WithRSA, oid.SHA1},
		{"RSA key, Streebog digest", rsaPair.cert, oid.RSAEncryption, oid.Streebog256},
		{"unknown algorithm", rsaPair.cert, asn1.ObjectIdentifier{1, 2, 3, 4}, oid.SHA256},
	}
	for _, tc := range cases {
		err := VerifyDigest(tc.c, Identifier{OID: tc.sigAlg}, tc.digest, make([]byte, 32), make([]byte, 64))
		var unsupported *UnsupportedError
		if !errors.As(err, &unsupported) {
			t.Errorf("%s: %v, want *UnsupportedError", tc.name, err)
		} else if unsupported.Code() != "sig-unsupported-algorithm" || unsupported.Params()["OID"] == "" {
			t.Errorf("%s: code %q params %v", tc.name, unsupported.Code(), unsupported.Params())
		}
	}
	if _, err := NewHash(asn1.ObjectIdentifier{1, 2, 3}); err == nil {
		t.Error("NewHash of an unknown OID succeeded")
	}
}

// OpenSSL-made certificates of every signature kind verify with
// CheckCertificateSignature: GOST 2012 256/512, legacy GOST 2001 with
// GOST R 34.11-94, RSA PKCS #1 v1.5 with SHA-1/256/384/512, RSA-PSS, ECDSA.
func TestOpenSSLCertificateSignatures(t *testing.T) {
	openssl := testenv.OpenSSLGost(t)
	cases := []struct {
		name, algorithm, paramset string
		extra                     []string
		wantSigAlg                asn1.ObjectIdentifier
	}{
		{"GOST-256 A", "gost2012_256", "paramset:A", nil, oid.GOST2012_256Streebog},
		{"GOST-256 TCA", "gost2012_256", "paramset:TCA", nil, oid.GOST2012_256Streebog},
		{"GOST-512 A", "gost2012_512", "paramset:A", nil, oid.GOST2012_512Streebog},
		{"GOST-2001 A", "gost2001", "paramset:A", nil, oid.GOST2001WithGOST3411_94},
		{"RSA SHA-256", "RSA", "rsa_keygen_bits:2048", []string{"-sha256"}, oid.SHA256WithRSA},
		{"RSA SHA-1", "RSA", "rsa_keygen_bits:2048", []string{"-sha1"}, oid.SHA1WithRSA},
		{"RSA SHA-384", "RSA", "rsa_keygen_bits:2048", []string{"-sha384"}, oid.SHA384WithRSA},
		{"RSA SHA-512", "RSA", "rsa_keygen_bits:2048", []string{"-sha512"}, oid.SHA512WithRSA},
		{"RSA-PSS SHA-256", "RSA", "rsa_keygen_bits:2048", []string{"-sha256", "-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:32"}, oid.RSASSAPSS},
		{"RSA-PSS SHA-384 max salt", "RSA", "rsa_keygen_bits:2048", []string{"-sha384", "-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:-2"}, oid.RSASSAPSS},
		{"ECDSA P-256", "EC", "ec_paramgen_curve:P-256", []string{"-sha256"}, oid.ECDSAWithSHA256},
		{"ECDSA P-384", "EC", "ec_paramgen_curve:P-384", []string{"-sha384"}, oid.ECDSAWithSHA384},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := opensslPair(t, openssl, tc.algorithm, tc.paramset, tc.extra...)
			if !c.SignatureAlgorithm.Equal(tc.wantSigAlg) {
				t.Fatalf("OpenSSL wrote %s, want %s", c.SignatureAlgorithm, tc.wantSigAlg)
			}
			if err := CheckCertificateSignature(c, c); err != nil {
				t.Fatal(err)
			}
			// A flipped bit in the signed part fails.
			tampered := *c
			tbs := bytes.Clone(c.RawTBSCertificate)
			tbs[len(tbs)-5] ^= 1
			tampered.RawTBSCertificate = tbs
			if err := CheckCertificateSignature(&tampered, c); !errors.Is(err, ErrSignatureInvalid) {
				t.Fatalf("tampered certificate: %v, want ErrSignatureInvalid", err)
			}
		})
	}
}

func TestGOST2001KeysCannotSign(t *testing.T) {
	openssl := testenv.OpenSSLGost(t)
	c, _ := opensslPair(t, openssl, "gost2001", "paramset:A")
	var unsupported *UnsupportedError
	if _, err := For(c); !errors.As(err, &unsupported) || unsupported.Role != RoleSigningKey {
		t.Fatalf("For(GOST 2001) = %v, want an unsupported signing key", err)
	}
}

// The PSS parameter parser refuses what it cannot honour.
func TestPSSParams(t *testing.T) {
	mustDER := func(v any) []byte {
		b, err := asn1.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	type algID struct {
		Algorithm  asn1.ObjectIdentifier
		Parameters asn1.RawValue `asn1:"optional"`
	}
	sha256ID := algID{Algorithm: oid.SHA256}
	mgf := func(h asn1.ObjectIdentifier) algID {
		return algID{Algorithm: oid.MGF1, Parameters: asn1.RawValue{FullBytes: mustDER(algID{Algorithm: h})}}
	}
	type pss struct {
		Hash    algID `asn1:"explicit,tag:0,optional"`
		MGF     algID `asn1:"explicit,tag:1,optional"`
		Salt    int   `asn1:"explicit,tag:2,optional,default:20"`
		Trailer int   `asn1:"explicit,tag:3,optional,default:1"`
	}
	good := mustDER(pss{Hash: sha256ID, MGF: mgf(oid.SHA256), Salt: 32, Trailer: 1})
	h, opts, err := parsePSSParams(good)
	if err != nil || !h.Equal(oid.SHA256) || opts.SaltLength != 32 || opts.Hash != crypto.SHA256 {
		t.Fatalf("good params: %v %+v %v", h, opts, err)
	}
	if h, opts, err := parsePSSParams(mustDER(struct{}{})); err != nil || !h.Equal(oid.SHA1) || opts.SaltLength != 20 {
		t.Fatalf("default params: %v %+v %v", h, opts, err)
	}
	for name, params := range map[string][]byte{
		"MGF hash differs": mustDER(pss{Hash: sha256ID, MGF: mgf(oid.SHA1), Salt: 32, Trailer: 1}),
		"trailer 2":        mustDER(pss{Hash: sha256ID, MGF: mgf(oid.SHA256), Salt: 32, Trailer: 2}),
		"not a sequence":   {0x05, 0x00},
		"garbage":          {0x30, 0x03, 0xa0, 0x01, 0x00},
	} {
		if _, _, err := parsePSSParams(params); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
