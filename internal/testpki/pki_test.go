package testpki

import (
	"bytes"
	"encoding/base64"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/podpis/podpis/certstore/cert"
)

// TestPKIAsOpenSSLSeesIt checks that every certificate is what its name
// says, with OpenSSL's own verifier as the judge (it knows no
// privateKeyUsagePeriod and, without a purpose, no key usage: those are
// checked on the parsed certificate), and that the URLs the certificates
// carry answer.
func TestPKIAsOpenSSLSeesIt(t *testing.T) {
	for _, f := range Families() {
		t.Run(string(f), func(t *testing.T) {
			t.Parallel()
			p := New(t, Options{Family: f, OCSP: true})
			crls := []string{p.Root.CRLPEM, p.Root2.CRLPEM, p.CA.CRLPEM, p.CA2.CRLPEM, p.RevokedCA.CRLPEM, p.QuirkyCA.CRLPEM}
			verify := func(leaf *Cert, untrusted []*Cert, extra ...string) string {
				args := []string{"verify", "-CAfile", p.Root.PEM, "-crl_check_all"}
				for _, u := range untrusted {
					args = append(args, "-untrusted", u.PEM)
				}
				for _, c := range crls {
					args = append(args, "-CRLfile", c)
				}
				args = append(args, extra...)
				out, _ := p.openssl(append(args, leaf.PEM)...)
				return string(out)
			}
			for _, tc := range []struct {
				leaf      string
				untrusted []*Cert
				extra     []string
				want      string
			}{
				{LeafValid, []*Cert{p.CA}, nil, ": OK"},
				{LeafExpired, []*Cert{p.CA}, nil, "certificate has expired"},
				{LeafNotYetValid, []*Cert{p.CA}, nil, "certificate is not yet valid"},
				{LeafKeyPeriodOver, []*Cert{p.CA}, nil, ": OK"},
				{LeafRevoked, []*Cert{p.CA}, nil, "certificate revoked"},
				{LeafRevokedDelta, []*Cert{p.CA}, nil, ": OK"},
				{LeafRevokedDelta, []*Cert{p.CA}, []string{"-use_deltas", "-CRLfile", p.CA.DeltaCRLPEM}, "certificate revoked"},
				{LeafRevokedDeltaInCert, []*Cert{p.CA2}, nil, ": OK"},
				{LeafRevokedDeltaInCert, []*Cert{p.CA2}, []string{"-use_deltas", "-CRLfile", p.CA2.DeltaCRLPEM}, "certificate revoked"},
				{LeafUnderQuirkyCA, []*Cert{p.QuirkyCA}, nil, ": OK"},
				{LeafOCSPGood, []*Cert{p.CA}, nil, ": OK"},
				{LeafOCSPRevoked, []*Cert{p.CA}, nil, "certificate revoked"},
				{LeafWrongUsage, []*Cert{p.CA}, nil, ": OK"},
				{LeafUntrusted, []*Cert{p.Root2}, nil, "self-signed certificate in certificate chain"},
				{LeafUntrusted, []*Cert{p.Cross}, nil, ": OK"},
				{LeafRollover, []*Cert{p.CA, p.CA2}, nil, ": OK"},
				{LeafValid, []*Cert{p.CA2, p.CA}, nil, ": OK"},
				{LeafRollover, []*Cert{p.CA}, nil, "unable to get local issuer certificate"},
				{LeafUnderRevokedCA, []*Cert{p.RevokedCA}, nil, "certificate revoked"},
				{LeafLDAPFirst, []*Cert{p.CA}, nil, ": OK"},
			} {
				if got := verify(p.Leaf(tc.leaf), tc.untrusted, tc.extra...); !strings.Contains(got, tc.want) {
					t.Errorf("openssl verify %s: got\n%s\nwant %q", tc.leaf, got, tc.want)
				}
			}

			now := time.Now()
			if pk := p.Leaf(LeafKeyPeriodOver).Cert.PrivateKeyNotAfter; pk == nil || !pk.Before(now) {
				t.Errorf("%s: privateKeyUsagePeriod notAfter %v, want one in the past", LeafKeyPeriodOver, pk)
			}
			if pk := p.Leaf(LeafUnderQuirkyCA).Cert.PrivateKeyNotAfter; pk == nil || pk.Nanosecond() != 876e6 || !pk.After(now) {
				t.Errorf("%s: privateKeyUsagePeriod notAfter %v, want one in a year with .876 s", LeafUnderQuirkyCA, pk)
			}
			if c := p.QuirkyCA.Cert; !c.IsCA || !bytes.Contains(c.RawTBSCertificate, []byte{0x30, 0x03, 0x01, 0x01, 0x01}) {
				t.Errorf("quirky-ca: IsCA %v, BOOLEAN 01 kept %v", c.IsCA, bytes.Contains(c.RawTBSCertificate, []byte{0x30, 0x03, 0x01, 0x01, 0x01}))
			}
			if c := p.Leaf(LeafWrongUsage).Cert; !c.HasKeyUsage || c.KeyUsage != cert.KeyUsageKeyEncipherment {
				t.Errorf("%s: key usage %b", LeafWrongUsage, c.KeyUsage)
			}
			if string(p.CA.Cert.RawSubject) != string(p.CA2.Cert.RawSubject) || string(p.CA.Cert.SubjectKeyID) == string(p.CA2.Cert.SubjectKeyID) {
				t.Errorf("CA and CA2 are no key rollover: same subject %v, same key ID %v",
					string(p.CA.Cert.RawSubject) == string(p.CA2.Cert.RawSubject), string(p.CA.Cert.SubjectKeyID) == string(p.CA2.Cert.SubjectKeyID))
			}
			for _, name := range []string{LeafRevoked, LeafOCSPRevoked, LeafRevokedDelta, LeafRevokedDeltaInCert, "revoked-ca"} {
				r := p.Leaf(name).Revoked
				if r == nil || r.At.After(now) || now.Sub(r.At) > time.Hour {
					t.Errorf("%s: revocation %+v", name, r)
				}
			}
			if ocsp := p.Leaf(LeafOCSPGood).Cert.OCSPServers; len(ocsp) != 1 || ocsp[0] != p.Server.PathURL(p.CA.OCSPPath) {
				t.Errorf("%s: OCSP URLs %q", LeafOCSPGood, ocsp)
			}
			if urls := p.Leaf(LeafLDAPFirst).Cert.CRLDistributionPoints; len(urls) != 2 || !strings.HasPrefix(urls[0], "ldap://") {
				t.Errorf("%s: CRL distribution points %q", LeafLDAPFirst, urls)
			}

			// The OCSP responder, asked by OpenSSL's client through the
			// server's proxy, over POST.
			// `openssl ocsp` has no -engine: the engine comes from a config.
			gostConf := OCSPGostConfig(t)
			ask := func(name, want string, trust ...string) {
				t.Helper()
				args := append([]string{"ocsp", "-issuer", p.CA.PEM, "-cert", p.Leaf(name).PEM, "-url", p.Server.PathURL(p.CA.OCSPPath)}, trust...)
				cmd := exec.Command(p.OpenSSL, args...)
				cmd.Env = append(os.Environ(), "OPENSSL_CONF="+gostConf)
				out, _ := cmd.CombinedOutput()
				if !strings.Contains(string(out), want) || !strings.Contains(string(out), "Response verify OK") {
					t.Errorf("openssl ocsp %s: got\n%s\nwant %q", name, out, want)
				}
			}
			for name, want := range map[string]string{LeafOCSPGood: ": good", LeafOCSPRevoked: ": revoked", LeafValid: ": good"} {
				ask(name, want, "-CAfile", p.Root.PEM, "-VAfile", p.CA.PEM)
			}
			// The delegated responder: OpenSSL checks that CA issued it
			// for OCSP signing.
			p.ServeOCSP(t, p.CA, OCSPResponderConfig{ResponderCert: p.OCSPSigner.PEM, ResponderKey: p.OCSPSigner.Key})
			ask(LeafOCSPRevoked, ": revoked", "-CAfile", p.Root.PEM, "-verify_other", p.CA.PEM)
		})
	}
}

// A Cache makes a PKI once; it outlives the subtest that made it.
func TestCache(t *testing.T) {
	c := NewCache(t)
	var first *PKI
	t.Run("makes", func(t *testing.T) { first = c.Get(t, Options{Family: ECDSA}) })
	t.Run("reuses", func(t *testing.T) {
		p := c.Get(t, Options{Family: ECDSA})
		if p != first {
			t.Fatal("a second PKI was made")
		}
		// The server outlived the subtest that started it.
		resp, err := http.Get(p.Server.PathURL(p.CA.AIAPath))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 || !bytes.Equal(body, p.CA.Cert.Raw) {
			t.Fatalf("AIA answered %s with %d bytes", resp.Status, len(body))
		}
	})
}

// The proxy passes an OCSP GET (RFC 6960 A.1: the base64 request in the
// path, URL-escaped) to the responder as it came.
func TestOCSPOverGET(t *testing.T) {
	p := New(t, Options{Family: GOST256, OCSP: true})
	reqPath := filepath.Join(t.TempDir(), "req.der")
	cmd := exec.Command(p.OpenSSL, "ocsp", "-issuer", p.CA.PEM, "-cert", p.Leaf(LeafOCSPRevoked).PEM, "-no_nonce", "-reqout", reqPath)
	cmd.Env = append(os.Environ(), "OPENSSL_CONF="+OCSPGostConfig(t))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	der, err := os.ReadFile(reqPath)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(p.Server.PathURL(p.CA.OCSPPath) + "/" + url.PathEscape(base64.StdEncoding.EncodeToString(der)))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	// OCSPResponse { responseStatus successful (0), responseBytes ... }
	if resp.StatusCode != 200 || len(body) < 5 || body[0] != 0x30 || !bytes.Contains(body[:min(len(body), 8)], []byte{0x0a, 0x01, 0x00}) {
		t.Fatalf("GET answered %s: % x", resp.Status, body[:min(len(body), 16)])
	}
}
