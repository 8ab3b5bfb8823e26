package ocsp_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/podpis/podpis/certstore/cert"
	"github.com/podpis/podpis/certstore/fetch"
	"github.com/podpis/podpis/certstore/ocsp"
	"github.com/podpis/podpis/internal/testenv"
	"github.com/podpis/podpis/internal/testpki"
)

// opensslPKI is a CA made by openssl at test time, with the leaves and
// responder certificates the tests ask a real `openssl ocsp` about.
type opensslPKI struct {
	openssl, dir string
	conf         string // OPENSSL_CONF loading the gost engine; "" for RSA
	gost         bool   // the keys are GOST R 34.10-2012
	digest       string // -rmd of the responders

	ca        *cert.Certificate
	leaves    map[string]*cert.Certificate // "good", "revoked", "unknown"
	revokedAt time.Time
}

// The extensions of the certificates, as `openssl x509 -extfile` takes them.
const opensslExtensions = `
[ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[leaf]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature, nonRepudiation
[responder]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = OCSPSigning
noCheck = critical, ignored
[noeku]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature
`

func (p *opensslPKI) path(name string) string { return filepath.Join(p.dir, name) }

// run runs openssl in the PKI's folder; it fails the test when openssl does.
func (p *opensslPKI) run(t testing.TB, args ...string) string {
	t.Helper()
	out, err := p.try(args...)
	if err != nil {
		t.Fatalf("openssl %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

func (p *opensslPKI) try(args ...string) (string, error) {
	cmd := exec.Command(p.openssl, args...)
	cmd.Dir = p.dir
	cmd.Env = os.Environ()
	if p.conf != "" {
		cmd.Env = append(cmd.Env, "OPENSSL_CONF="+p.conf)
	}
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func (p *opensslPKI) load(t testing.TB, name string) *cert.Certificate {
	t.Helper()
	data, err := os.ReadFile(p.path(name))
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(data)
	if block == nil {
		t.Fatalf("%s is not PEM", name)
	}
	return parsed(t, block.Bytes)
}

// newOpenSSLPKI makes, with openssl: a CA; leaves good (0x1001), revoked
// (0x1002, keyCompromise) and unknown (0x1003, not in the index); a
// delegated responder (EKU OCSPSigning, critical nocheck); one without the
// EKU; one issued by another CA under the same name; one valid for a day.
//
// alg is "rsa", "gost2012-256" or "gost2012-512".
func newOpenSSLPKI(t testing.TB, openssl string, alg string) *opensslPKI {
	t.Helper()
	p := &opensslPKI{openssl: openssl, dir: t.TempDir(), revokedAt: time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)}
	keyArgs := []string{"genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"}
	switch alg {
	case "gost2012-256":
		p.digest = "md_gost12_256"
		keyArgs = []string{"genpkey", "-algorithm", "gost2012_256", "-pkeyopt", "paramset:A"}
	case "gost2012-512":
		p.digest = "md_gost12_512"
		keyArgs = []string{"genpkey", "-algorithm", "gost2012_512", "-pkeyopt", "paramset:A"}
	}
	if p.digest != "" {
		p.gost, p.conf = true, testpki.OCSPGostConfig(t)
	}
	if err := os.WriteFile(p.path("ext.cnf"), []byte(opensslExtensions), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"ca", "rogue-ca", "leaf", "responder"} {
		p.run(t, append(keyArgs, "-out", key+".key")...)
	}
	for _, ca := range []struct{ name, subject string }{{"ca", "/CN=OCSP test CA/O=Podpis/C=RU"}, {"rogue-ca", "/CN=Rogue CA/C=RU"}} {
		p.run(t, "req", "-new", "-key", ca.name+".key", "-subj", ca.subject, "-out", ca.name+".csr")
		p.run(t, "x509", "-req", "-in", ca.name+".csr", "-key", ca.name+".key", "-days", "30",
			"-extfile", "ext.cnf", "-extensions", "ca", "-out", ca.name+".pem")
	}
	p.run(t, "req", "-new", "-key", "leaf.key", "-subj", "/CN=OCSP test leaf/C=RU", "-out", "leaf.csr")
	p.run(t, "req", "-new", "-key", "responder.key", "-subj", "/CN=OCSP responder/C=RU", "-out", "responder.csr")
	issue := func(out, csr, ca, ext, serial, days string) {
		p.run(t, "x509", "-req", "-in", csr, "-CA", ca+".pem", "-CAkey", ca+".key", "-set_serial", serial, "-days", days,
			"-extfile", "ext.cnf", "-extensions", ext, "-out", out)
	}
	issue("good.pem", "leaf.csr", "ca", "leaf", "0x1001", "30")
	issue("revoked.pem", "leaf.csr", "ca", "leaf", "0x1002", "30")
	issue("unknown.pem", "leaf.csr", "ca", "leaf", "0x1003", "30")
	issue("responder.pem", "responder.csr", "ca", "responder", "0x2001", "30")
	issue("noeku.pem", "responder.csr", "ca", "noeku", "0x2002", "30")
	issue("rogue-responder.pem", "responder.csr", "rogue-ca", "responder", "0x2003", "30")
	issue("short.pem", "responder.csr", "ca", "responder", "0x2004", "1")

	p.ca = p.load(t, "ca.pem")
	p.leaves = map[string]*cert.Certificate{}
	for _, name := range []string{"good", "revoked", "unknown"} {
		p.leaves[name] = p.load(t, name+".pem")
	}
	expiry := time.Now().Add(30 * 24 * time.Hour)
	index := testpki.OCSPIndexLine(false, expiry, time.Time{}, "", "1001", "/CN=OCSP test leaf/C=RU") +
		testpki.OCSPIndexLine(true, expiry, p.revokedAt, "keyCompromise", "1002", "/CN=OCSP test leaf/C=RU")
	if err := os.WriteFile(p.path("index.txt"), []byte(index), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// responder starts `openssl ocsp` signing with cert/key (file base names).
func (p *opensslPKI) responder(t testing.TB, signer string, change func(*testpki.OCSPResponderConfig)) string {
	t.Helper()
	key := "responder.key"
	if signer == "ca" {
		key = "ca.key"
	}
	cfg := testpki.OCSPResponderConfig{
		CACert: p.path("ca.pem"), Index: p.path("index.txt"),
		ResponderCert: p.path(signer + ".pem"), ResponderKey: p.path(key),
		Gost: p.gost, Digest: p.digest, NextUpdateDays: 1,
	}
	if change != nil {
		change(&cfg)
	}
	return testpki.StartOCSPResponder(t, p.openssl, cfg)
}

func newNonce(t testing.TB) []byte {
	t.Helper()
	nonce := make([]byte, 16)
	if _, err := rand.Read(nonce); err != nil {
		t.Fatal(err)
	}
	return nonce
}

// ask posts req to url as a client does and parses the answer.
func ask(t testing.TB, url string, req *ocsp.Request) *ocsp.Response {
	t.Helper()
	body, attempt, err := (&fetch.Client{Timeout: time.Minute}).Post(context.Background(), url, "application/ocsp-request", req.DER)
	if err != nil {
		t.Fatalf("POST %s: %v (%+v)", url, err, attempt)
	}
	return mustParse(t, body)
}

// opensslVerdict is what `openssl ocsp` says of the response der about
// leaf (a file base name): whether the response verifies and the status line.
func (p *opensslPKI) opensslVerdict(t testing.TB, der []byte, leaf string) (verified bool, out string) {
	t.Helper()
	f, err := os.CreateTemp(p.dir, "resp-*.der")
	if err != nil {
		t.Fatal(err)
	}
	f.Write(der)
	f.Close()
	// -no_nonce: with -cert, openssl would make a request of its own
	// and compare nonces with it; opensslNonceAgrees checks ours.
	out, _ = p.try("ocsp", "-respin", f.Name(), "-issuer", "ca.pem", "-cert", leaf+".pem", "-no_nonce", "-CAfile", "ca.pem")
	return strings.Contains(out, "Response verify OK"), out
}

// opensslNonceAgrees reports whether `openssl ocsp` finds that the response
// der verifies and answers the request req, nonce included.
func (p *opensslPKI) opensslNonceAgrees(t testing.TB, req *ocsp.Request, der []byte) (bool, string) {
	t.Helper()
	dir := t.TempDir()
	reqPath, respPath := filepath.Join(dir, "req.der"), filepath.Join(dir, "resp.der")
	if os.WriteFile(reqPath, req.DER, 0o600) != nil || os.WriteFile(respPath, der, 0o600) != nil {
		t.Fatal("cannot write the request and response")
	}
	out, err := p.try("ocsp", "-reqin", reqPath, "-respin", respPath, "-CAfile", "ca.pem")
	return err == nil && strings.Contains(out, "Response verify OK") && !strings.Contains(out, "Nonce"), out
}

func TestOCSPAgainstOpenSSLResponder(t *testing.T) {
	openssl := testenv.OpenSSLGost(t)
	for _, alg := range []string{"rsa", "gost2012-256", "gost2012-512"} {
		t.Run(alg, func(t *testing.T) {
			p := newOpenSSLPKI(t, openssl, alg)
			for _, signer := range []struct {
				name, cert string
				byKey      bool
			}{{"CA itself", "ca", false}, {"delegated", "responder", false}, {"delegated byKey", "responder", true}} {
				t.Run(signer.name, func(t *testing.T) {
					url := p.responder(t, signer.cert, func(c *testpki.OCSPResponderConfig) { c.ByKey = signer.byKey })
					for _, leaf := range []string{"good", "revoked", "unknown"} {
						nonce := newNonce(t)
						req := mustRequest(t, p.leaves[leaf], p.ca, nonce)
						resp := ask(t, url, req)
						got, err := resp.Check(req, p.ca, time.Now())
						if err != nil {
							t.Fatalf("%s: Check: %v", leaf, err)
						}
						if string(got.Status) != leaf {
							t.Errorf("%s: status %s", leaf, got.Status)
						}
						if !bytes.Equal(resp.Nonce, nonce) {
							t.Errorf("%s: nonce %x, sent %x", leaf, resp.Nonce, nonce)
						}
						if signer.byKey != (resp.ResponderKeyHash != nil) || signer.byKey == (resp.ResponderName != nil) {
							t.Errorf("%s: responder name %x key hash %x", leaf, resp.ResponderName, resp.ResponderKeyHash)
						}
						if d := got.NextUpdate.Sub(got.ThisUpdate); d != 24*time.Hour {
							t.Errorf("%s: nextUpdate - thisUpdate = %s, want -ndays 1", leaf, d)
						}
						if leaf == "revoked" && (!got.RevokedAt.Equal(p.revokedAt) || got.Reason != 1) {
							t.Errorf("revoked at %s reason %d, want %s keyCompromise (1)", got.RevokedAt, got.Reason, p.revokedAt)
						}
						if leaf != "revoked" && got.Reason != -1 {
							t.Errorf("%s: reason %d", leaf, got.Reason)
						}
						// OpenSSL reads the very same bytes the same way.
						verified, out := p.opensslVerdict(t, resp.Raw, leaf)
						if !verified || !strings.Contains(out, leaf+".pem: "+leaf) {
							t.Errorf("%s: openssl disagrees:\n%s", leaf, out)
						}
						if ok, out := p.opensslNonceAgrees(t, req, resp.Raw); !ok {
							t.Errorf("%s: openssl finds the response does not answer our request:\n%s", leaf, out)
						}
					}
				})
			}
			t.Run("openssl client", func(t *testing.T) {
				// The openssl client's view of the delegated responder, nonce
				// and all, against ours of the same responder.
				url := p.responder(t, "responder", nil)
				out := p.run(t, "ocsp", "-issuer", "ca.pem", "-cert", "revoked.pem", "-url", url, "-CAfile", "ca.pem", "-nonce", "-resp_text")
				for _, want := range []string{"Response verify OK", "revoked.pem: revoked", "Reason: keyCompromise", "Revocation Time: Mar  4 05:06:07 2025 GMT", "OCSP Nonce"} {
					if !strings.Contains(out, want) {
						t.Errorf("openssl's answer lacks %q:\n%s", want, out)
					}
				}
			})
			t.Run("refused", func(t *testing.T) { testOpenSSLRefusals(t, p) })
			t.Run("request is openssl's", func(t *testing.T) { testRequestIsOpenSSLs(t, p) })
		})
	}
}

// testOpenSSLRefusals checks the answers of the real responder that Check
// must refuse, and that OpenSSL refuses the same ones.
func testOpenSSLRefusals(t *testing.T, p *opensslPKI) {
	now := time.Now()
	tests := []struct {
		name   string
		signer string
		change func(*testpki.OCSPResponderConfig)
		// query returns the response and the request to check it against.
		query          func(t *testing.T, url string) (*ocsp.Response, *ocsp.Request)
		at             time.Time
		reason         string
		opensslRefuses bool // OpenSSL, given the same bytes, must refuse too
	}{
		{name: "responder without OCSPSigning", signer: "noeku", reason: ocsp.ReasonResponderUnauthorised, opensslRefuses: true},
		{name: "responder of another CA", signer: "rogue-responder", reason: ocsp.ReasonResponderUnauthorised, opensslRefuses: true},
		{name: "signature corrupted by openssl -badsig", signer: "ca", change: func(c *testpki.OCSPResponderConfig) { c.BadSignature = true },
			reason: ocsp.ReasonSignature, opensslRefuses: true},
		{name: "delegated signature corrupted", signer: "responder", change: func(c *testpki.OCSPResponderConfig) { c.BadSignature = true },
			reason: ocsp.ReasonSignature, opensslRefuses: true},
		{name: "nonce changed in transit", signer: "responder", query: func(t *testing.T, url string) (*ocsp.Response, *ocsp.Request) {
			req := mustRequest(t, p.leaves["revoked"], p.ca, newNonce(t))
			resp := ask(t, url, req)
			tampered := bytes.Clone(resp.Raw)
			at := bytes.Index(tampered, resp.Nonce)
			tampered[at] ^= 0xff
			resp = mustParse(t, tampered)
			req.Nonce = resp.Nonce // the attacker's nonce matches: only the signature catches it
			return resp, req
		}, reason: ocsp.ReasonSignature, opensslRefuses: true},
		{name: "answer about another serial", signer: "ca", query: func(t *testing.T, url string) (*ocsp.Response, *ocsp.Request) {
			nonce := newNonce(t)
			resp := ask(t, url, mustRequest(t, p.leaves["revoked"], p.ca, nonce))
			return resp, mustRequest(t, p.leaves["good"], p.ca, nonce)
		}, reason: ocsp.ReasonNoAnswer},
		{name: "nonce of another request", signer: "ca", query: func(t *testing.T, url string) (*ocsp.Response, *ocsp.Request) {
			resp := ask(t, url, mustRequest(t, p.leaves["good"], p.ca, newNonce(t)))
			return resp, mustRequest(t, p.leaves["good"], p.ca, newNonce(t))
		}, reason: ocsp.ReasonNonce},
		{name: "stale: checked after nextUpdate", signer: "ca", at: now.Add(72 * time.Hour), reason: ocsp.ReasonStale},
		{name: "stale: checked before thisUpdate", signer: "ca", at: now.Add(-time.Hour), reason: ocsp.ReasonStale},
		{name: "responder certificate expired", signer: "short", change: func(c *testpki.OCSPResponderConfig) { c.NextUpdateDays = 0 },
			at: now.Add(48 * time.Hour), reason: ocsp.ReasonResponderExpired},
		{name: "malformedRequest", signer: "ca", query: func(t *testing.T, url string) (*ocsp.Response, *ocsp.Request) {
			body, _, err := (&fetch.Client{}).Post(context.Background(), url, "application/ocsp-request", []byte("garbage, not DER"))
			if err != nil {
				t.Fatal(err)
			}
			resp := mustParse(t, body)
			if resp.Status != ocsp.MalformedRequest {
				t.Fatalf("status %s, want malformedRequest", resp.Status)
			}
			return resp, mustRequest(t, p.leaves["good"], p.ca, nil)
		}, reason: ocsp.ReasonStatus},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			url := p.responder(t, tt.signer, tt.change)
			query := tt.query
			if query == nil {
				query = func(t *testing.T, url string) (*ocsp.Response, *ocsp.Request) {
					req := mustRequest(t, p.leaves["good"], p.ca, newNonce(t))
					return ask(t, url, req), req
				}
			}
			resp, req := query(t, url)
			at := tt.at
			if at.IsZero() {
				at = time.Now()
			}
			_, err := resp.Check(req, p.ca, at)
			var ce *ocsp.CheckError
			if !errors.As(err, &ce) || ce.Reason != tt.reason {
				t.Fatalf("Check: %v, want reason %q", err, tt.reason)
			}
			t.Logf("refused as expected: %v", err)
			if tt.reason == ocsp.ReasonNonce {
				if ok, out := p.opensslNonceAgrees(t, req, resp.Raw); ok {
					t.Errorf("openssl accepts the nonce Check refuses:\n%s", out)
				}
			}
			if tt.opensslRefuses {
				if verified, out := p.opensslVerdict(t, resp.Raw, "good"); verified {
					t.Errorf("openssl accepts what Check refuses:\n%s", out)
				}
			}
		})
	}
}

// testRequestIsOpenSSLs checks that NewRequest writes, byte for byte,
// the request `openssl ocsp -reqout` writes for the same certificate.
func testRequestIsOpenSSLs(t *testing.T, p *opensslPKI) {
	{
		for _, leaf := range []string{"good", "revoked"} {
			p.run(t, "ocsp", "-issuer", "ca.pem", "-cert", leaf+".pem", "-no_nonce", "-reqout", leaf+".req")
			want, err := os.ReadFile(p.path(leaf + ".req"))
			if err != nil {
				t.Fatal(err)
			}
			got := mustRequest(t, p.leaves[leaf], p.ca, nil)
			if !bytes.Equal(got.DER, want) {
				t.Errorf("%s: request\n% x\nopenssl's\n% x", leaf, got.DER, want)
			}
		}
		// With a nonce, openssl reads our request and finds the same nonce.
		nonce := newNonce(t)
		req := mustRequest(t, p.leaves["good"], p.ca, nonce)
		if err := os.WriteFile(p.path("nonce.req"), req.DER, 0o600); err != nil {
			t.Fatal(err)
		}
		out := p.run(t, "ocsp", "-reqin", "nonce.req", "-req_text")
		wantHex := strings.ToUpper("0410" + hexOf(nonce))
		if !strings.Contains(out, "OCSP Nonce") || !strings.Contains(strings.ReplaceAll(out, " ", ""), wantHex) ||
			!strings.Contains(out, "Serial Number: 1001") {
			t.Errorf("openssl reads our request as\n%s\nwant the nonce extension %s", out, wantHex)
		}
	}
}

func hexOf(b []byte) string {
	const digits = "0123456789abcdef"
	out := make([]byte, 0, 2*len(b))
	for _, c := range b {
		out = append(out, digits[c>>4], digits[c&15])
	}
	return string(out)
}

func TestOCSPNewRequestRefuses(t *testing.T) {
	p := newGoPKI(t, "Go test CA")
	noSerial := *p.leaf
	noSerial.SerialNumber = nil
	for name, call := range map[string]func() (*ocsp.Request, error){
		"no leaf":       func() (*ocsp.Request, error) { return ocsp.NewRequest(nil, p.ca, nil) },
		"no issuer":     func() (*ocsp.Request, error) { return ocsp.NewRequest(p.leaf, nil, nil) },
		"no serial":     func() (*ocsp.Request, error) { return ocsp.NewRequest(&noSerial, p.ca, nil) },
		"empty nonce":   func() (*ocsp.Request, error) { return ocsp.NewRequest(p.leaf, p.ca, []byte{}) },
		"33-byte nonce": func() (*ocsp.Request, error) { return ocsp.NewRequest(p.leaf, p.ca, make([]byte, 33)) },
	} {
		if req, err := call(); err == nil {
			t.Errorf("%s: request % x", name, req.DER)
		}
	}
	req, err := ocsp.NewRequest(p.leaf, p.ca, make([]byte, 32))
	if err != nil || len(req.Nonce) != 32 || req.CertID.SerialNumber.Cmp(big.NewInt(0x4242)) != 0 {
		t.Fatalf("32-byte nonce: %v %+v", err, req)
	}
}
