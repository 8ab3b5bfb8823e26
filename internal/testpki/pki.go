// Package testpki makes test PKIs with the real OpenSSL (and its gost
// engine) at test time: roots, intermediates and end-entity certificates
// in every state a validator must recognise, with their CRLs, issuer
// certificates and OCSP answers published by a server on 127.0.0.1 whose
// URLs the certificates carry. Nothing it makes is committed, and nothing
// is a real person's data.
//
// A PKI is made by New (for one test) or through a Cache (once for the
// subtests of one parent test: OpenSSL takes a few seconds per family).
package testpki

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/podpis/podpis/certstore/cert"
	"github.com/podpis/podpis/internal/testenv"
)

// Family is an algorithm family: every key and signature of a PKI is of it.
type Family string

const (
	GOST256 Family = "gost256" // GOST R 34.10-2012 256-bit, paramset A, Streebog-256
	GOST512 Family = "gost512" // GOST R 34.10-2012 512-bit, paramset A, Streebog-512
	RSA     Family = "rsa2048" // RSA 2048, SHA-256
	ECDSA   Family = "ecdsa-p256"
	// GOST2001 is the legacy GOST R 34.10-2001 (CryptoPro paramset A)
	// signed with GOST R 34.11-94, as CA certificates and CRLs issued
	// before 2019 still are.
	GOST2001 Family = "gost2001"
)

// Families are every family New can make, the legacy one last.
func Families() []Family { return []Family{GOST256, GOST512, RSA, ECDSA, GOST2001} }

// algorithm is how OpenSSL makes a family's keys and signatures.
type algorithm struct {
	genpkey []string // arguments of openssl genpkey
	md      string   // the digest of every signature
}

func (f Family) algorithm() (algorithm, error) {
	switch f {
	case GOST256:
		return algorithm{[]string{"-algorithm", "gost2012_256", "-pkeyopt", "paramset:A"}, "md_gost12_256"}, nil
	case GOST512:
		return algorithm{[]string{"-algorithm", "gost2012_512", "-pkeyopt", "paramset:A"}, "md_gost12_512"}, nil
	case RSA:
		return algorithm{[]string{"-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"}, "sha256"}, nil
	case ECDSA:
		return algorithm{[]string{"-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"}, "sha256"}, nil
	case GOST2001:
		return algorithm{[]string{"-algorithm", "gost2001", "-pkeyopt", "paramset:A"}, "md_gost94"}, nil
	}
	return algorithm{}, fmt.Errorf("testpki: unknown family %q", f)
}

// Names of the end-entity certificates every PKI has (PKI.Leaf). Unless
// said otherwise a leaf is issued by PKI.CA, valid from a month ago for a
// year, with keyUsage digitalSignature and nonRepudiation, a CRL
// distribution point and an AIA caIssuers URL, and no OCSP URL.
const (
	LeafValid         = "valid"
	LeafExpired       = "expired"            // valid from 3 years ago to 1 year ago
	LeafNotYetValid   = "not-yet-valid"      // valid from in a year
	LeafKeyPeriodOver = "key-period-expired" // valid now; privateKeyUsagePeriod ended yesterday
	LeafRevoked       = "revoked"            // in CA's CRL: keyCompromise
	// LeafRevokedDelta is revoked after CA's base CRL was made: only the
	// delta CRL lists it (cessationOfOperation). Both the certificate's
	// freshestCRL and CA's base CRL's name the delta, as Microsoft CAs
	// (which many Russian CAs run) write them.
	LeafRevokedDelta = "revoked-delta"
	// LeafRevokedDeltaInCert is the same under CA2, whose base CRL names
	// no delta: only the certificate's freshestCRL (RFC 5280 4.2.1.15)
	// leads to the delta CRL that lists it (superseded).
	LeafRevokedDeltaInCert = "revoked-delta-in-cert"
	// LeafOCSPGood and LeafOCSPRevoked carry CA's OCSP URL; the revoked
	// one (affiliationChanged) is in CA's CRL too.
	LeafOCSPGood    = "ocsp-good"
	LeafOCSPRevoked = "ocsp-revoked"
	LeafWrongUsage  = "key-encipherment" // keyUsage keyEncipherment only
	// LeafUntrusted is issued by Root2, which is not meant to be trusted
	// (but is certified by Root through Cross).
	LeafUntrusted = "untrusted-root"
	// LeafRollover is issued by CA2: same issuer name as LeafValid's, other key.
	LeafRollover       = "rollover"
	LeafUnderRevokedCA = "under-revoked-ca" // issued by RevokedCA
	// LeafUnderQuirkyCA is valid, issued by QuirkyCA, with a
	// privateKeyUsagePeriod (not over) written with fractional seconds
	// ("…00.876Z"), as some CAs write it.
	LeafUnderQuirkyCA = "under-quirky-ca"
	// LeafLDAPFirst names ldap:// URLs before the http ones in its CRL
	// distribution point and AIA, as many Russian CAs' certificates do.
	LeafLDAPFirst = "ldap-first"
)

// Options say what PKI to make.
type Options struct {
	Family Family
	// OCSP starts a real `openssl ocsp` responder for CA, signing with
	// CA's key (TryStartOCSPResponder), behind the server's CA.OCSPPath.
	// Without it that path answers 404 (until ServeOCSP).
	OCSP bool
}

// Revocation is how a certificate was revoked.
type Revocation struct {
	At     time.Time // as OpenSSL recorded it (to the second)
	Reason string    // RFC 5280 name: "keyCompromise", "cACompromise"...
}

// Cert is one certificate of a PKI and its files.
type Cert struct {
	Name    string // its role, unique in the PKI: "root", "ca", "valid"...
	Subject string // in openssl -subj form
	Cert    *cert.Certificate
	PEM     string // file paths
	DER     string
	Key     string
	Issuer  *Cert // nil for a self-signed root
	// Revoked is set once the issuer revoked it.
	Revoked *Revocation

	// What a CA publishes, as server paths (Server.PathURL makes URLs):
	// its certificate (the caIssuers URL of what it issues), its CRL and
	// delta CRL, and its OCSP responder. "" for an end entity.
	AIAPath, CRLPath, DeltaCRLPath, OCSPPath string
	// CRL and DeltaCRL are the files (DER) of the last CRLs published;
	// CRLPEM and DeltaCRLPEM the same in PEM, as `openssl verify
	// -CRLfile` takes them.
	CRL, DeltaCRL, CRLPEM, DeltaCRLPEM string

	ca *caState // the CA's OpenSSL database; nil for an end entity
}

// caState is what `openssl ca` keeps for one issuing key.
type caState struct {
	section    string // the CA section of the config
	dir        string
	baseNumber int64 // crlNumber of the last base CRL; 0 before any
	// deltaInCRL makes the base CRLs name the delta CRL (freshestCRL).
	deltaInCRL bool
}

// PKI is a test PKI of one family.
//
// Root is the trust anchor. CA and CA2 are intermediates under Root with
// the same subject name and different keys (a key rollover); RevokedCA is
// an intermediate Root revoked (cACompromise). QuirkyCA is an
// intermediate whose basicConstraints CA flag is the BOOLEAN 01, not FF
// (not DER, seen in published Russian CA certificates). Root2 is a second
// root, not meant to be trusted, whose subject and key Root certified in
// Cross. OCSPSigner is a delegated OCSP responder of CA (id-kp-OCSPSigning,
// id-pkix-ocsp-nocheck), for ServeOCSP.
type PKI struct {
	Family  Family
	Dir     string // OpenSSL's working folder: config, keys, CA databases
	Config  string // the OpenSSL config file
	OpenSSL string
	Server  *Server

	Root, Root2, Cross, CA, CA2, RevokedCA, QuirkyCA, OCSPSigner *Cert

	alg      algorithm
	mu       sync.Mutex // OpenSSL's CA databases take one writer
	certs    map[string]*Cert
	cas      []*Cert
	ocspStop []func()
}

// Leaf returns the certificate named name (one of the Leaf constants, a
// CA's name such as "revoked-ca", or a Spec.Name given to Issue). It
// panics for an unknown name: that is a mistake in the test.
func (p *PKI) Leaf(name string) *Cert {
	p.mu.Lock()
	defer p.mu.Unlock()
	c, ok := p.certs[name]
	if !ok {
		panic("testpki: no certificate named " + strconv.Quote(name))
	}
	return c
}

// Certs returns every certificate, by name.
func (p *PKI) Certs() []*Cert {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]*Cert, 0, len(p.certs))
	for _, c := range p.certs {
		out = append(out, c)
	}
	slices.SortFunc(out, func(a, b *Cert) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// New makes a PKI of o.Family for t: OpenSSL writes it in t's temporary
// folder and the server stops when t ends. The OpenSSL gost engine is
// required (testenv.OpenSSLGost).
func New(t testing.TB, o Options) *PKI {
	t.Helper()
	openssl := testenv.OpenSSLGost(t)
	p, err := build(t, openssl, o)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// Cache makes each PKI once for the tests run under one parent test: the
// PKIs, their files and servers live until the parent ends.
type Cache struct {
	parent testing.TB
	mu     sync.Mutex
	made   map[Options]*cached
}

type cached struct {
	once sync.Once
	pki  *PKI
	err  error
}

// NewCache returns a Cache whose PKIs live as long as parent.
func NewCache(parent testing.TB) *Cache {
	return &Cache{parent: parent, made: map[Options]*cached{}}
}

// Get returns the PKI for o, making it on first use; a failure to make it
// fails t (and every later Get of o).
func (c *Cache) Get(t testing.TB, o Options) *PKI {
	t.Helper()
	openssl := testenv.OpenSSLGost(t)
	c.mu.Lock()
	e := c.made[o]
	if e == nil {
		e = &cached{}
		c.made[o] = e
	}
	c.mu.Unlock()
	e.once.Do(func() { e.pki, e.err = build(c.parent, openssl, o) })
	if e.err != nil {
		t.Fatal(e.err)
	}
	return e.pki
}

// build makes the PKI. lifetime owns the folder and the server; build
// never ends it, so a Cache may build from any test.
func build(lifetime testing.TB, openssl string, o Options) (*PKI, error) {
	alg, err := o.Family.algorithm()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "testpki-"+string(o.Family)+"-")
	if err != nil {
		return nil, fmt.Errorf("testpki: %w", err)
	}
	lifetime.Cleanup(func() { os.RemoveAll(dir) })
	srv, err := startServer(lifetime)
	if err != nil {
		return nil, err
	}
	p := &PKI{
		Family:  o.Family,
		Dir:     dir,
		Config:  filepath.Join(dir, "openssl.cnf"),
		OpenSSL: openssl,
		Server:  srv,
		alg:     alg,
		certs:   map[string]*Cert{},
	}
	for _, sub := range []string{"certs", "keys", "ca", "ext"} {
		if err := os.Mkdir(filepath.Join(dir, sub), 0o700); err != nil {
			return nil, fmt.Errorf("testpki: %w", err)
		}
	}
	if err := p.writeConfig(); err != nil {
		return nil, fmt.Errorf("testpki: %w", err)
	}
	if err := p.standard(); err != nil {
		return nil, fmt.Errorf("testpki: %s: %w", o.Family, err)
	}
	if o.OCSP {
		if err := p.startOCSP(lifetime, p.CA); err != nil {
			return nil, fmt.Errorf("testpki: %s: OCSP responder: %w", o.Family, err)
		}
	}
	return p, nil
}

// standard makes the certificates the Leaf constants name, revokes what
// must be revoked and publishes the CRLs.
func (p *PKI) standard() error {
	now := time.Now().UTC().Truncate(time.Second)
	years := func(n int) time.Time { return now.AddDate(n, 0, 0) }
	family := string(p.Family)
	var err error
	must := func(c *Cert, e error) *Cert {
		if err == nil {
			err = e
		}
		return c
	}
	ca := func(name, subject string, issuer *Cert) *Cert {
		return must(p.issue(Spec{Name: name, Subject: subject, Issuer: issuer, CA: true, NotBefore: years(-5), NotAfter: years(10)}))
	}
	p.Root = must(p.issue(Spec{Name: "root", Subject: "/CN=Тестовый головной УЦ " + family + "/O=Podpis Test/C=RU", CA: true, NotBefore: years(-6), NotAfter: years(15)}))
	p.Root2 = must(p.issue(Spec{Name: "root2", Subject: "/CN=Непроверенный УЦ " + family + "/O=Podpis Test/C=RU", CA: true, NotBefore: years(-6), NotAfter: years(15)}))
	if err != nil {
		return err
	}
	p.Cross = must(p.issue(Spec{Name: "cross", Subject: p.Root2.Subject, Issuer: p.Root, CA: true, Key: p.Root2, NotBefore: years(-1), NotAfter: years(5)}))
	intermediate := "/CN=Тестовый УЦ " + family + "/O=Podpis Test/C=RU"
	p.CA = ca("ca", intermediate, p.Root)
	p.CA2 = ca("ca2", intermediate, p.Root)
	p.RevokedCA = ca("revoked-ca", "/CN=Отозванный УЦ "+family+"/O=Podpis Test/C=RU", p.Root)
	p.QuirkyCA = must(p.issue(Spec{Name: "quirky-ca", Subject: "/CN=Своеобразный УЦ " + family + "/O=Podpis Test/C=RU", Issuer: p.Root, CA: true,
		NotBefore: years(-5), NotAfter: years(10), BasicConstraintsDER: "critical,DER:3003010101"}))
	if err != nil {
		return err
	}
	leaves := []Spec{
		{Name: LeafValid},
		{Name: LeafExpired, NotBefore: years(-3), NotAfter: years(-1)},
		{Name: LeafNotYetValid, NotBefore: years(1), NotAfter: years(2)},
		{Name: LeafKeyPeriodOver, NotBefore: years(-1), NotAfter: years(1), PrivateKeyNotBefore: years(-1), PrivateKeyNotAfter: now.AddDate(0, 0, -1)},
		{Name: LeafRevoked},
		{Name: LeafRevokedDelta, DeltaCRL: true},
		{Name: LeafRevokedDeltaInCert, Issuer: p.CA2, DeltaCRL: true},
		{Name: LeafOCSPGood, OCSP: true},
		{Name: LeafOCSPRevoked, OCSP: true},
		{Name: LeafWrongUsage, KeyUsage: "critical,keyEncipherment"},
		{Name: LeafUntrusted, Issuer: p.Root2},
		{Name: LeafRollover, Issuer: p.CA2},
		{Name: LeafUnderRevokedCA, Issuer: p.RevokedCA},
		{Name: LeafUnderQuirkyCA, Issuer: p.QuirkyCA, PrivateKeyNotBefore: years(-1), PrivateKeyNotAfter: years(1), PrivateKeyFraction: true},
		{Name: LeafLDAPFirst,
			ExtraCDP: []string{"ldap://127.0.0.1/cn=" + family + ",o=Podpis%20Test?certificateRevocationList?base?objectClass=cRLDistributionPoint"},
			ExtraAIA: []string{"ldap://127.0.0.1/cn=" + family + ",o=Podpis%20Test?cACertificate?base?objectClass=certificationAuthority"}},
	}
	for _, s := range leaves {
		if s.Issuer == nil {
			s.Issuer = p.CA
		}
		must(p.issue(s))
	}
	p.OCSPSigner = must(p.issue(Spec{Name: "ocsp-signer", Issuer: p.CA, KeyUsage: "critical,digitalSignature",
		ExtKeyUsage: "critical,OCSPSigning", Extensions: []string{"noCheck = ignored"}}))
	if err != nil {
		return err
	}
	for _, r := range []struct {
		name, reason string
	}{
		{LeafRevoked, "keyCompromise"},
		{LeafOCSPRevoked, "affiliationChanged"},
		{"revoked-ca", "cACompromise"},
	} {
		if err := p.revoke(p.certs[r.name], r.reason); err != nil {
			return err
		}
	}
	p.CA.ca.deltaInCRL = true
	for _, c := range p.cas {
		if err := p.publishCRL(c); err != nil {
			return err
		}
	}
	// The delta CRLs come after the base ones, so only they list these.
	if err := p.revoke(p.certs[LeafRevokedDelta], "cessationOfOperation"); err != nil {
		return err
	}
	if err := p.revoke(p.certs[LeafRevokedDeltaInCert], "superseded"); err != nil {
		return err
	}
	if err := p.publishDeltaCRL(p.CA); err != nil {
		return err
	}
	return p.publishDeltaCRL(p.CA2)
}

// Spec describes a certificate to Issue.
type Spec struct {
	// Name is unique in the PKI: files and URL paths are named after it.
	Name string
	// Subject in openssl -subj form; "" means CN=<Name> <family>, O, C=RU.
	Subject string
	// Issuer is the CA that signs; nil makes a self-signed root.
	Issuer *Cert
	// CA makes a CA certificate: basicConstraints CA (pathlen 0 below a
	// root), keyCertSign and cRLSign. Unless Key is set it gets its own key
	// and OpenSSL database, and publishes its certificate and CRL.
	CA bool
	// Key reuses the key (and, for a CA, the database) of another
	// certificate: a cross-certificate or a re-issue. nil means a new key
	// for a CA and the PKI's shared end-entity key otherwise (the
	// validator does not care whose key a leaf has, and RSA keys are slow
	// to make).
	Key *Cert
	// Validity; zero means a month ago and a year from now.
	NotBefore, NotAfter time.Time
	// KeyUsage as OpenSSL's keyUsage value; "" means
	// "critical,digitalSignature,nonRepudiation" (ignored for a CA).
	KeyUsage string
	// ExtKeyUsage as OpenSSL's extendedKeyUsage value; "" means
	// "clientAuth,emailProtection", as Russian qualified certificates
	// have (ignored for a CA).
	ExtKeyUsage string
	// PrivateKeyUsagePeriod (2.5.29.16) bounds; both zero means none.
	PrivateKeyNotBefore, PrivateKeyNotAfter time.Time
	// PrivateKeyFraction writes its times with milliseconds
	// ("20250101000000.876Z"), as some CAs do.
	PrivateKeyFraction bool
	// BasicConstraintsDER replaces a CA's basicConstraints with this
	// OpenSSL raw value ("critical,DER:3003010101": the CA flag as the
	// BOOLEAN 01), for certificates real CAs encoded loosely.
	BasicConstraintsDER string
	// OCSP adds the issuer's OCSP URL to the AIA.
	OCSP bool
	// DeltaCRL adds freshestCRL naming the issuer's delta CRL.
	DeltaCRL bool
	// ExtraCDP and ExtraAIA are URLs listed before the PKI's own in the
	// CRL distribution point and AIA caIssuers.
	ExtraCDP, ExtraAIA []string
	// Extensions are more lines of the OpenSSL extension section.
	Extensions []string
}

// Issue makes a certificate as spec says. Call it before the CRLs it
// should appear in are published again (Revoke does that).
func (p *PKI) Issue(t testing.TB, spec Spec) *Cert {
	t.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	c, err := p.issue(spec)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// Revoke revokes c (reason is an RFC 5280 name such as "keyCompromise")
// and publishes its issuer's CRL again.
func (p *PKI) Revoke(t testing.TB, c *Cert, reason string) {
	t.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.revoke(c, reason); err != nil {
		t.Fatal(err)
	}
	if err := p.publishCRL(c.Issuer); err != nil {
		t.Fatal(err)
	}
}

func (p *PKI) issue(s Spec) (*Cert, error) {
	if s.Name == "" || strings.ContainsAny(s.Name, "/\\ ") {
		return nil, fmt.Errorf("bad certificate name %q", s.Name)
	}
	if _, dup := p.certs[s.Name]; dup {
		return nil, fmt.Errorf("certificate %q made twice", s.Name)
	}
	if s.Subject == "" {
		s.Subject = "/CN=" + s.Name + " " + string(p.Family) + "/O=Podpis Test/C=RU"
	}
	if s.NotBefore.IsZero() {
		s.NotBefore = time.Now().AddDate(0, -1, 0)
	}
	if s.NotAfter.IsZero() {
		s.NotAfter = time.Now().AddDate(1, 0, 0)
	}
	c := &Cert{
		Name:    s.Name,
		Subject: s.Subject,
		Issuer:  s.Issuer,
		PEM:     filepath.Join(p.Dir, "certs", s.Name+".pem"),
		DER:     filepath.Join(p.Dir, "certs", s.Name+".der"),
	}
	var csr string
	switch {
	case s.Key != nil:
		c.Key = s.Key.Key
		csr = filepath.Join(p.Dir, "keys", s.Key.Name+".csr")
		if s.CA {
			c.ca = s.Key.ca
			c.CRLPath, c.DeltaCRLPath, c.OCSPPath = s.Key.CRLPath, s.Key.DeltaCRLPath, s.Key.OCSPPath
		}
	case s.CA:
		c.Key = filepath.Join(p.Dir, "keys", s.Name+".key")
		csr = filepath.Join(p.Dir, "keys", s.Name+".csr")
		if err := p.newKey(c.Key, csr); err != nil {
			return nil, err
		}
	default:
		c.Key = filepath.Join(p.Dir, "keys", "ee.key")
		csr = filepath.Join(p.Dir, "keys", "ee.csr")
		if _, err := os.Stat(csr); errors.Is(err, os.ErrNotExist) {
			if err := p.newKey(c.Key, csr); err != nil {
				return nil, err
			}
		}
	}
	if s.CA {
		c.AIAPath = "/aia/" + s.Name + ".crt"
	}
	if s.CA && s.Key == nil {
		if err := p.newCA(c); err != nil {
			return nil, err
		}
	}
	ext := filepath.Join(p.Dir, "ext", s.Name+".cnf")
	if err := os.WriteFile(ext, []byte(p.extensions(s)), 0o600); err != nil {
		return nil, err
	}
	signer := s.Issuer
	args := []string{"ca", "-batch", "-notext", "-utf8", "-preserveDN", "-md", p.alg.md,
		"-in", csr, "-subj", s.Subject, "-out", c.PEM,
		"-startdate", opensslTime(s.NotBefore), "-enddate", opensslTime(s.NotAfter),
		"-extfile", ext, "-extensions", "ext"}
	if signer == nil {
		signer = c
		args = append(args, "-selfsign", "-keyfile", c.Key)
	}
	args = append(args, "-name", signer.ca.section)
	if _, err := p.openssl(args...); err != nil {
		return nil, err
	}
	der, err := pemFile(c.PEM, "CERTIFICATE")
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(c.DER, der, 0o600); err != nil {
		return nil, err
	}
	if c.Cert, err = cert.Parse(der); err != nil {
		return nil, fmt.Errorf("%s: OpenSSL made a certificate cert.Parse rejects: %w", s.Name, err)
	}
	if c.AIAPath != "" {
		p.Server.Handle(c.AIAPath, der, "application/pkix-cert")
	}
	p.certs[s.Name] = c
	return c, nil
}

// extensions is the OpenSSL extension section [ext] of s.
func (p *PKI) extensions(s Spec) string {
	var b strings.Builder
	line := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	line("[ext]")
	line("subjectKeyIdentifier = hash")
	switch {
	case s.CA && s.BasicConstraintsDER != "":
		line("2.5.29.19 = %s", s.BasicConstraintsDER)
		line("keyUsage = critical,keyCertSign,cRLSign")
	case s.CA && s.Issuer == nil:
		line("basicConstraints = critical,CA:TRUE")
		line("keyUsage = critical,keyCertSign,cRLSign")
	case s.CA:
		line("basicConstraints = critical,CA:TRUE,pathlen:0")
		line("keyUsage = critical,keyCertSign,cRLSign")
	default:
		usage := s.KeyUsage
		if usage == "" {
			usage = "critical,digitalSignature,nonRepudiation"
		}
		line("basicConstraints = CA:FALSE")
		line("keyUsage = %s", usage)
		eku := s.ExtKeyUsage
		if eku == "" {
			eku = "clientAuth,emailProtection"
		}
		line("extendedKeyUsage = %s", eku)
	}
	var sections strings.Builder
	if s.Issuer != nil {
		// Sections, not inline lists: real CDP and AIA LDAP URLs have
		// commas, which an inline list would split.
		line("authorityKeyIdentifier = keyid")
		line("crlDistributionPoints = cdp")
		fmt.Fprintf(&sections, "[cdp]\nfullname = @cdp_names\n[cdp_names]\n")
		for i, u := range append(slices.Clone(s.ExtraCDP), p.Server.PathURL(s.Issuer.CRLPath)) {
			fmt.Fprintf(&sections, "URI.%d = %s\n", i, u)
		}
		line("authorityInfoAccess = @aia")
		fmt.Fprintf(&sections, "[aia]\n")
		if s.OCSP {
			fmt.Fprintf(&sections, "OCSP;URI.0 = %s\n", p.Server.PathURL(s.Issuer.OCSPPath))
		}
		for i, u := range append(slices.Clone(s.ExtraAIA), p.Server.PathURL(s.Issuer.AIAPath)) {
			fmt.Fprintf(&sections, "caIssuers;URI.%d = %s\n", i, u)
		}
		if s.DeltaCRL {
			line("freshestCRL = URI:%s", p.Server.PathURL(s.Issuer.DeltaCRLPath))
		}
	}
	if !s.PrivateKeyNotBefore.IsZero() || !s.PrivateKeyNotAfter.IsZero() {
		line("2.5.29.16 = DER:%s", privateKeyUsagePeriod(s.PrivateKeyNotBefore, s.PrivateKeyNotAfter, s.PrivateKeyFraction))
	}
	for _, l := range s.Extensions {
		line("%s", l)
	}
	return b.String() + sections.String()
}

// privateKeyUsagePeriod is the DER of the extension's value, hex:
// SEQUENCE { notBefore [0] IMPLICIT GeneralizedTime OPTIONAL,
// notAfter [1] IMPLICIT GeneralizedTime OPTIONAL } (RFC 3280 4.2.1.4),
// which OpenSSL's config cannot spell otherwise.
func privateKeyUsagePeriod(notBefore, notAfter time.Time, fraction bool) string {
	layout := "20060102150405Z"
	if fraction {
		layout = "20060102150405.000Z"
	}
	var body []byte
	for i, t := range []time.Time{notBefore, notAfter} {
		if t.IsZero() {
			continue
		}
		if fraction {
			t = t.Truncate(time.Second).Add(876 * time.Millisecond)
		}
		g := t.UTC().Format(layout)
		body = append(body, 0x80|byte(i), byte(len(g)))
		body = append(body, g...)
	}
	return hex.EncodeToString(append([]byte{0x30, byte(len(body))}, body...))
}

// newKey makes a key of the family and a request for it (whose subject
// does not matter: `openssl ca -subj` sets it).
func (p *PKI) newKey(key, csr string) error {
	args := append([]string{"genpkey"}, p.alg.genpkey...)
	if _, err := p.openssl(append(args, "-out", key)...); err != nil {
		return err
	}
	_, err := p.openssl("req", "-new", "-key", key, "-subj", "/CN=request", "-out", csr)
	return err
}

// newCA makes c's OpenSSL database and its section of the config.
func (p *PKI) newCA(c *Cert) error {
	st := &caState{section: "ca_" + c.Name, dir: filepath.Join(p.Dir, "ca", c.Name)}
	if err := os.MkdirAll(filepath.Join(st.dir, "issued"), 0o700); err != nil {
		return err
	}
	// Serials start at a random-looking 64-bit value per CA, as real CAs'
	// do, so serials of different CAs differ.
	sum := sha256.Sum256([]byte(string(p.Family) + "/" + c.Name))
	serial := fmt.Sprintf("%016X", binary.BigEndian.Uint64(sum[:])&0x3fffffffffffffff|0x1000000000000000)
	files := map[string]string{
		"index.txt":      "",
		"index.txt.attr": "unique_subject = no\n",
		"serial":         serial + "\n",
		"crlnumber":      "01\n",
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(st.dir, name), []byte(data), 0o600); err != nil {
			return err
		}
	}
	c.ca = st
	c.CRLPath = "/crl/" + c.Name + ".crl"
	c.DeltaCRLPath = "/crl/" + c.Name + "-delta.crl"
	c.OCSPPath = "/ocsp/" + c.Name
	p.cas = append(p.cas, c)
	return p.writeConfig()
}

// writeConfig writes the OpenSSL config: one CA section per CA, the CRL
// extensions, and the delta CRL extensions of each CA.
func (p *PKI) writeConfig() error {
	var b strings.Builder
	b.WriteString(`# Made by internal/testpki.
[req]
distinguished_name = req_dn
string_mask = utf8only
utf8 = yes
[req_dn]
commonName = Common Name

[policy_any]
commonName = supplied
countryName = optional
organizationName = optional
organizationalUnitName = optional

`)
	for _, c := range p.cas {
		st := c.ca
		freshest := ""
		if st.deltaInCRL {
			freshest = "freshestCRL = URI:" + p.Server.PathURL(c.DeltaCRLPath) + "\n"
		}
		fmt.Fprintf(&b, `
[%s]
database = %s/index.txt
new_certs_dir = %s/issued
serial = %s/serial
crlnumber = %s/crlnumber
certificate = %s
private_key = %s
default_md = %s
default_crl_days = 30
policy = policy_any
preserve = yes
unique_subject = no
utf8 = yes
string_mask = utf8only
copy_extensions = none
email_in_dn = no
crl_extensions = %s_crl

[%s_crl]
authorityKeyIdentifier = keyid:always
%s
[%s_delta]
authorityKeyIdentifier = keyid:always
2.5.29.27 = critical,DER:%s
`, st.section, st.dir, st.dir, st.dir, st.dir, c.PEM, c.Key, p.alg.md, st.section,
			st.section, freshest, st.section, derInteger(st.baseNumber))
	}
	return os.WriteFile(p.Config, []byte(b.String()), 0o600)
}

// derInteger is the DER of a small non-negative INTEGER, hex.
func derInteger(n int64) string {
	content := new(big.Int).SetInt64(n).Bytes()
	if len(content) == 0 || content[0]&0x80 != 0 {
		content = append([]byte{0}, content...)
	}
	return hex.EncodeToString(append([]byte{0x02, byte(len(content))}, content...))
}

// opensslReasons are the -crl_reason spellings that differ from RFC 5280's.
var opensslReasons = map[string]string{"cACompromise": "CACompromise"}

func (p *PKI) revoke(c *Cert, reason string) error {
	if c == nil || c.Issuer == nil {
		return errors.New("revoke: no certificate or a self-signed one")
	}
	arg := reason
	if o, ok := opensslReasons[reason]; ok {
		arg = o
	}
	if _, err := p.openssl("ca", "-name", c.Issuer.ca.section, "-revoke", c.PEM, "-crl_reason", arg); err != nil {
		return err
	}
	at, err := revocationTime(filepath.Join(c.Issuer.ca.dir, "index.txt"), c.Cert.SerialNumber)
	if err != nil {
		return err
	}
	c.Revoked = &Revocation{At: at, Reason: reason}
	return nil
}

// revocationTime reads when OpenSSL's database says serial was revoked.
// A line is: status, expiry, "revocation[,reason]", serial (hex), file, subject.
func revocationTime(index string, serial *big.Int) (time.Time, error) {
	data, err := os.ReadFile(index)
	if err != nil {
		return time.Time{}, err
	}
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Split(line, "\t")
		if len(f) < 4 || f[0] != "R" {
			continue
		}
		s, ok := new(big.Int).SetString(f[3], 16)
		if !ok || s.Cmp(serial) != 0 {
			continue
		}
		when, _, _ := strings.Cut(f[2], ",")
		layout := "060102150405Z"
		if len(when) == len("20060102150405Z") {
			layout = "20060102150405Z"
		}
		return time.Parse(layout, when)
	}
	return time.Time{}, fmt.Errorf("%s: serial %X is not revoked", index, serial)
}

// publishCRL makes ca's CRL and serves it at ca.CRLPath.
func (p *PKI) publishCRL(ca *Cert) error {
	number, err := nextCRLNumber(ca.ca.dir)
	if err != nil {
		return err
	}
	if err := p.writeConfig(); err != nil { // deltaInCRL may have changed
		return err
	}
	out := filepath.Join(ca.ca.dir, "crl.pem")
	if _, err := p.openssl("ca", "-gencrl", "-name", ca.ca.section, "-md", p.alg.md, "-out", out); err != nil {
		return err
	}
	ca.ca.baseNumber = number
	ca.CRLPEM = out
	ca.CRL, err = p.serveCRL(out, ca.CRLPath)
	if err != nil {
		return err
	}
	return p.writeConfig()
}

// publishDeltaCRL makes a delta CRL on ca's last base CRL: OpenSSL lists
// everything its database has revoked, which a delta may (RFC 5280
// 5.2.4), and marks it with deltaCRLIndicator.
func (p *PKI) publishDeltaCRL(ca *Cert) error {
	if ca.ca.baseNumber == 0 {
		return errors.New("delta CRL before a base CRL")
	}
	out := filepath.Join(ca.ca.dir, "delta.pem")
	if _, err := p.openssl("ca", "-gencrl", "-name", ca.ca.section, "-crlexts", ca.ca.section+"_delta", "-md", p.alg.md, "-out", out); err != nil {
		return err
	}
	var err error
	ca.DeltaCRLPEM = out
	ca.DeltaCRL, err = p.serveCRL(out, ca.DeltaCRLPath)
	return err
}

// serveCRL converts a PEM CRL to DER beside it and serves it at path.
func (p *PKI) serveCRL(pemPath, path string) (string, error) {
	der, err := pemFile(pemPath, "X509 CRL")
	if err != nil {
		return "", err
	}
	derPath := strings.TrimSuffix(pemPath, ".pem") + ".crl"
	if err := os.WriteFile(derPath, der, 0o600); err != nil {
		return "", err
	}
	p.Server.Handle(path, der, "application/pkix-crl")
	return derPath, nil
}

func nextCRLNumber(dir string) (int64, error) {
	data, err := os.ReadFile(filepath.Join(dir, "crlnumber"))
	if err != nil {
		return 0, err
	}
	return strconv.ParseInt(strings.TrimSpace(string(data)), 16, 64)
}

// RunOpenSSL runs OpenSSL in the PKI's folder as the PKI itself does:
// with the gost engine for the commands that take -engine, and the PKI's
// config for ca and req (so `ca -name ca_<Cert.Name>` is a CA's
// database). It returns the combined output, and an error that includes
// it when OpenSSL fails (as `openssl verify` does for a bad chain).
func (p *PKI) RunOpenSSL(args ...string) ([]byte, error) { return p.openssl(args...) }

func (p *PKI) openssl(args ...string) ([]byte, error) {
	full := args
	switch args[0] {
	case "ca", "req":
		full = append([]string{args[0], "-engine", "gost"}, args[1:]...)
		full = append(full, "-config", p.Config)
	case "genpkey", "x509", "cms", "pkey", "verify":
		full = append([]string{args[0], "-engine", "gost"}, args[1:]...)
	}
	cmd := exec.Command(p.OpenSSL, full...)
	cmd.Dir = p.Dir
	cmd.Env = append(os.Environ(), "OPENSSL_CONF="+p.Config)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return out, fmt.Errorf("openssl %s: %w\n%s", strings.Join(full, " "), err, out)
	}
	return out, nil
}

// opensslTime is the form -startdate and -enddate take.
func opensslTime(t time.Time) string { return t.UTC().Format("20060102150405Z") }

func pemFile(path, blockType string) ([]byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	for {
		var block *pem.Block
		block, data = pem.Decode(data)
		if block == nil {
			return nil, fmt.Errorf("%s: no %s PEM block", path, blockType)
		}
		if block.Type == blockType {
			return bytes.Clone(block.Bytes), nil
		}
	}
}
