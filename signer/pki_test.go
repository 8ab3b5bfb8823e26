package signer

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/podpis/podpis/certstore/cert"
	"github.com/podpis/podpis/certstore/validate"
	"github.com/podpis/podpis/internal/gost/gost3410"
	"github.com/podpis/podpis/internal/testenv"
)

// A two-level PKI made by OpenSSL at test time: a root CA and a leaf
// certificate it issued, for each kind of key. Nothing is committed.

type keyKind struct {
	name      string
	algorithm string // openssl genpkey -algorithm
	pkeyopt   string
}

var (
	kindGOST256A   = keyKind{"gost256-A", "gost2012_256", "paramset:A"}
	kindGOST256TCA = keyKind{"gost256-TCA", "gost2012_256", "paramset:TCA"}
	kindGOST512A   = keyKind{"gost512-A", "gost2012_512", "paramset:A"}
	kindRSA        = keyKind{"rsa2048", "RSA", "rsa_keygen_bits:2048"}
	kindP256       = keyKind{"ecdsa-p256", "EC", "ec_paramgen_curve:P-256"}
	kindP384       = keyKind{"ecdsa-p384", "EC", "ec_paramgen_curve:P-384"}
	kindGOST2001   = keyKind{"gost2001-A", "gost2001", "paramset:A"}
)

// signingKinds are the keys Podpis signs with.
var signingKinds = []keyKind{kindGOST256A, kindGOST256TCA, kindGOST512A, kindRSA, kindP256, kindP384}

type pki struct {
	kind      keyKind
	dir       string
	openssl   string
	rootPEM   string // path
	leafPEM   string
	leafKey   string
	root      *cert.Certificate
	leaf      *cert.Certificate
	key       Key
	chainOpts VerifyOptions // StoreChain with the root trusted
}

// pkiCache keeps the files of one PKI per kind and options for the whole
// test binary (in memory: each test writes its own copy), as making keys
// with OpenSSL costs up to a second each.
var pkiCache sync.Map

type pkiOptions struct {
	leafKeyUsage string // the leaf's keyUsage; "" means digitalSignature,nonRepudiation
	subject      string
}

func newPKI(t testing.TB, kind keyKind) *pki {
	return newPKIWith(t, kind, pkiOptions{})
}

func newPKIWith(t testing.TB, kind keyKind, o pkiOptions) *pki {
	t.Helper()
	openssl := testenv.OpenSSLGost(t)
	if o.leafKeyUsage == "" {
		o.leafKeyUsage = "critical,digitalSignature,nonRepudiation"
	}
	if o.subject == "" {
		o.subject = "/CN=Иванов Иван " + kind.name + "/C=RU"
	}
	cacheKey := kind.name + "|" + o.leafKeyUsage + "|" + o.subject
	files, ok := pkiCache.Load(cacheKey)
	if !ok {
		files = makePKIFiles(t, openssl, kind, o)
		pkiCache.Store(cacheKey, files)
	}
	// Each test gets its own copy of the files in its own folder.
	p := &pki{kind: kind, dir: t.TempDir(), openssl: openssl}
	for name, data := range files.(map[string][]byte) {
		if err := os.WriteFile(filepath.Join(p.dir, name), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	p.rootPEM, p.leafPEM, p.leafKey = filepath.Join(p.dir, "root.pem"), filepath.Join(p.dir, "leaf.pem"), filepath.Join(p.dir, "leaf.key")
	p.root = parseCertFile(t, p.rootPEM)
	p.leaf = parseCertFile(t, p.leafPEM)
	if kind != kindGOST2001 {
		p.key = Key{Certificate: p.leaf, Signer: parseKeyFile(t, p.leafKey)}
	}
	p.chainOpts = VerifyOptions{Chain: Validator{Options: validate.Options{Roots: []*cert.Certificate{p.root}}}}
	return p
}

// makePKIFiles runs OpenSSL in a scratch folder and returns the files
// (root.pem, leaf.pem, leaf.key) it made.
func makePKIFiles(t testing.TB, openssl string, kind keyKind, o pkiOptions) map[string][]byte {
	t.Helper()
	dir, err := os.MkdirTemp("", "podpis-signer-pki-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	p := &pki{kind: kind, dir: dir, openssl: openssl}
	genkey := func(out string) {
		p.run(t, "genpkey", "-engine", "gost", "-algorithm", kind.algorithm, "-pkeyopt", kind.pkeyopt, "-out", out)
	}
	genkey("root.key")
	p.run(t, "req", "-engine", "gost", "-x509", "-new", "-key", "root.key", "-utf8", "-subj", "/CN=Тестовый УЦ "+kind.name+"/O=Podpis Test/C=RU",
		"-days", "3650", "-out", "root.pem",
		"-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
		"-addext", "subjectKeyIdentifier=hash")
	genkey("leaf.key")
	p.run(t, "req", "-engine", "gost", "-new", "-key", "leaf.key", "-utf8", "-subj", o.subject, "-out", "leaf.csr")
	ext := "keyUsage=" + o.leafKeyUsage + "\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n"
	if err := os.WriteFile(filepath.Join(dir, "leaf.ext"), []byte(ext), 0o600); err != nil {
		t.Fatal(err)
	}
	p.run(t, "x509", "-engine", "gost", "-req", "-in", "leaf.csr", "-CA", "root.pem", "-CAkey", "root.key",
		"-CAcreateserial", "-days", "365", "-extfile", "leaf.ext", "-out", "leaf.pem")
	files := map[string][]byte{}
	for _, name := range []string{"root.pem", "leaf.pem", "leaf.key"} {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		files[name] = data
	}
	return files
}

func (p *pki) run(t testing.TB, args ...string) []byte {
	t.Helper()
	out, err := p.try(args...)
	if err != nil {
		t.Fatalf("openssl %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

func (p *pki) try(args ...string) ([]byte, error) {
	cmd := exec.Command(p.openssl, args...)
	cmd.Dir = p.dir
	return cmd.CombinedOutput()
}

// write puts data in a fresh file of the test's own folder and returns its path.
func (p *pki) write(t testing.TB, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// opensslVerify runs `openssl cms -verify -binary` on sig (DER unless
// inform says otherwise) against the root, with content for a detached
// signature, and reports whether OpenSSL accepted it (with its output).
func (p *pki) opensslVerify(t testing.TB, sigPath, contentPath, inform string) (bool, string) {
	t.Helper()
	args := []string{"cms", "-engine", "gost", "-verify", "-binary", "-inform", inform, "-in", sigPath, "-CAfile", p.rootPEM, "-out", os.DevNull}
	if contentPath != "" {
		args = append(args, "-content", contentPath)
	}
	out, err := p.try(args...)
	return err == nil, string(out)
}

func parseCertFile(t testing.TB, path string) *cert.Certificate {
	t.Helper()
	c, err := cert.Parse(pemBytes(t, path))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func pemBytes(t testing.TB, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(data)
	if block == nil {
		t.Fatalf("%s: no PEM", path)
	}
	return bytes.Clone(block.Bytes)
}

func parseKeyFile(t testing.TB, path string) crypto.Signer {
	t.Helper()
	der := pemBytes(t, path)
	if k, err := gost3410.ParsePKCS8(der); err == nil {
		return k
	}
	k, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return k.(crypto.Signer)
}

func readFile(t testing.TB, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}
