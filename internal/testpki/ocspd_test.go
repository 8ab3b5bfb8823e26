package testpki_test

import (
	"bytes"
	"encoding/base64"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/podpis/podpis/internal/testenv"
	"github.com/podpis/podpis/internal/testpki"
)

// ocspdCA is a CA made by openssl for the responder tests: its files and
// those of one leaf.
type ocspdCA struct {
	dir, conf               string // conf: OPENSSL_CONF for GOST, "" for RSA
	caCert, caKey, leafCert string
}

// run runs openssl in the CA's folder and fails the test with its output.
func (ca *ocspdCA) run(t *testing.T, openssl string, args ...string) string {
	t.Helper()
	cmd := exec.Command(openssl, args...)
	cmd.Dir = ca.dir
	cmd.Env = os.Environ()
	if ca.conf != "" {
		cmd.Env = append(cmd.Env, "OPENSSL_CONF="+ca.conf)
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("openssl %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// newOCSPDCA makes a CA (RSA, or GOST 2012-256 when gost) and a leaf with
// serial 0x1001, and an index.txt saying nothing yet.
func newOCSPDCA(t *testing.T, openssl string, gost bool) *ocspdCA {
	t.Helper()
	ca := &ocspdCA{dir: t.TempDir()}
	keyArgs := []string{"genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"}
	if gost {
		ca.conf = testpki.OCSPGostConfig(t)
		keyArgs = []string{"genpkey", "-algorithm", "gost2012_256", "-pkeyopt", "paramset:A"}
	}
	ca.run(t, openssl, append(keyArgs, "-out", "ca.key")...)
	ca.run(t, openssl, append(keyArgs, "-out", "leaf.key")...)
	ca.run(t, openssl, "req", "-x509", "-new", "-key", "ca.key", "-subj", "/CN=ocspd test CA/C=RU", "-days", "30",
		"-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign", "-out", "ca.pem")
	ca.run(t, openssl, "req", "-new", "-key", "leaf.key", "-subj", "/CN=ocspd leaf", "-out", "leaf.csr")
	ca.run(t, openssl, "x509", "-req", "-in", "leaf.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-set_serial", "0x1001", "-days", "10", "-out", "leaf.pem")
	ca.caCert, ca.caKey, ca.leafCert = filepath.Join(ca.dir, "ca.pem"), filepath.Join(ca.dir, "ca.key"), filepath.Join(ca.dir, "leaf.pem")
	ca.writeIndex(t, "")
	return ca
}

func (ca *ocspdCA) index() string { return filepath.Join(ca.dir, "index.txt") }

func (ca *ocspdCA) writeIndex(t *testing.T, lines string) {
	t.Helper()
	if err := os.WriteFile(ca.index(), []byte(lines), 0o600); err != nil {
		t.Fatal(err)
	}
}

// ask queries url about the leaf with the openssl client (an independent
// peer of the helper) and returns its verdict text.
func (ca *ocspdCA) ask(t *testing.T, openssl, url string) string {
	t.Helper()
	return ca.run(t, openssl, "ocsp", "-issuer", ca.caCert, "-cert", ca.leafCert, "-url", url, "-CAfile", ca.caCert, "-nonce")
}

func TestOCSPResponderAnswersFromIndex(t *testing.T) {
	openssl := testenv.OpenSSLGost(t)
	for _, gost := range []bool{false, true} {
		name := "rsa"
		cfgDigest := ""
		if gost {
			name, cfgDigest = "gost2012-256", "md_gost12_256"
		}
		t.Run(name, func(t *testing.T) {
			ca := newOCSPDCA(t, openssl, gost)
			url := testpki.StartOCSPResponder(t, openssl, testpki.OCSPResponderConfig{
				CACert: ca.caCert, Index: ca.index(), ResponderCert: ca.caCert, ResponderKey: ca.caKey,
				Gost: gost, Digest: cfgDigest, NextUpdateDays: 1,
			})
			if !strings.HasPrefix(url, "http://127.0.0.1:") || strings.HasSuffix(url, "/") {
				t.Fatalf("URL %q, want http://127.0.0.1:PORT", url)
			}

			// Not in the index: unknown.
			out := ca.ask(t, openssl, url)
			if !strings.Contains(out, "leaf.pem: unknown") || !strings.Contains(out, "Response verify OK") {
				t.Fatalf("empty index: openssl says\n%s", out)
			}
			// The index is read for each request: a change shows at once.
			expiry := time.Now().Add(240 * time.Hour)
			ca.writeIndex(t, testpki.OCSPIndexLine(false, expiry, time.Time{}, "", "1001", "/CN=ocspd leaf"))
			if out := ca.ask(t, openssl, url); !strings.Contains(out, "leaf.pem: good") {
				t.Fatalf("valid in the index: openssl says\n%s", out)
			}
			revokedAt := time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)
			ca.writeIndex(t, testpki.OCSPIndexLine(true, expiry, revokedAt, "keyCompromise", "1001", "/CN=ocspd leaf"))
			out = ca.ask(t, openssl, url)
			for _, want := range []string{"leaf.pem: revoked", "Reason: keyCompromise", "Revocation Time: Mar  4 05:06:07 2025 GMT", "Next Update:"} {
				if !strings.Contains(out, want) {
					t.Errorf("revoked: openssl's answer lacks %q:\n%s", want, out)
				}
			}
		})
	}
}

func TestOCSPResponderGetAndMalformed(t *testing.T) {
	openssl := testenv.OpenSSLGost(t)
	ca := newOCSPDCA(t, openssl, false)
	url := testpki.StartOCSPResponder(t, openssl, testpki.OCSPResponderConfig{
		CACert: ca.caCert, Index: ca.index(), ResponderCert: ca.caCert, ResponderKey: ca.caKey,
	})
	ca.run(t, openssl, "ocsp", "-issuer", ca.caCert, "-cert", ca.leafCert, "-no_nonce", "-reqout", "req.der")
	req, err := os.ReadFile(filepath.Join(ca.dir, "req.der"))
	if err != nil {
		t.Fatal(err)
	}

	// GET with the URL-encoded base64 of the request (RFC 6960 A.1).
	get := url + "/" + urlEncode(base64.StdEncoding.EncodeToString(req))
	resp, err := http.Get(get)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/ocsp-response" {
		t.Fatalf("GET: %s %q", resp.Status, resp.Header.Get("Content-Type"))
	}
	if err := os.WriteFile(filepath.Join(ca.dir, "resp.der"), body, 0o600); err != nil {
		t.Fatal(err)
	}
	out := ca.run(t, openssl, "ocsp", "-respin", "resp.der", "-issuer", ca.caCert, "-cert", ca.leafCert, "-CAfile", ca.caCert)
	if !strings.Contains(out, "leaf.pem: unknown") {
		t.Fatalf("GET answer, as openssl reads it:\n%s", out)
	}

	// What openssl cannot read is answered malformedRequest, as
	// `openssl ocsp -port` does.
	resp, err = http.Post(url, "application/ocsp-request", bytes.NewReader([]byte("not an OCSP request")))
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if want := []byte{0x30, 0x03, 0x0a, 0x01, 0x01}; resp.StatusCode != http.StatusOK || !bytes.Equal(body, want) {
		t.Fatalf("garbage request: %s % x, want 200 % x", resp.Status, body, want)
	}
}

func urlEncode(s string) string { return url.PathEscape(s) }

func TestOCSPResponderStopsWithTheTest(t *testing.T) {
	openssl := testenv.OpenSSLGost(t)
	ca := newOCSPDCA(t, openssl, false)
	var addr string
	t.Run("serve", func(t *testing.T) {
		url := testpki.StartOCSPResponder(t, openssl, testpki.OCSPResponderConfig{
			CACert: ca.caCert, Index: ca.index(), ResponderCert: ca.caCert, ResponderKey: ca.caKey,
		})
		addr = strings.TrimPrefix(url, "http://")
		if out := ca.ask(t, openssl, url); !strings.Contains(out, "unknown") {
			t.Fatalf("openssl says\n%s", out)
		}
	})
	if conn, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		conn.Close()
		t.Fatalf("the responder at %s still accepts connections after its test ended", addr)
	}
}

func TestOCSPResponderRefusesBadConfig(t *testing.T) {
	openssl := testenv.OpenSSLGost(t)
	ca := newOCSPDCA(t, openssl, false)
	cases := map[string]testpki.OCSPResponderConfig{
		"no index":  {CACert: ca.caCert, ResponderCert: ca.caCert, ResponderKey: ca.caKey},
		"no such":   {CACert: ca.caCert, Index: filepath.Join(ca.dir, "missing.txt"), ResponderCert: ca.caCert, ResponderKey: ca.caKey},
		"wrong key": {CACert: ca.caCert, Index: ca.index(), ResponderCert: ca.caCert, ResponderKey: filepath.Join(ca.dir, "leaf.key")},
	}
	for name, cfg := range cases {
		t.Run(name, func(t *testing.T) {
			if url, err := testpki.TryStartOCSPResponder(t, openssl, cfg); err == nil {
				t.Fatalf("started at %s", url)
			}
		})
	}
}

func TestOCSPIndexLine(t *testing.T) {
	expiry := time.Date(2030, 12, 31, 0, 0, 0, 0, time.UTC)
	revoked := time.Date(2025, 1, 2, 3, 4, 5, 0, time.FixedZone("MSK", 3*3600))
	tests := []struct {
		got, want string
	}{
		{testpki.OCSPIndexLine(false, expiry, time.Time{}, "", "1001", "/CN=a"), "V\t301231000000Z\t\t1001\tunknown\t/CN=a\n"},
		{testpki.OCSPIndexLine(true, expiry, revoked, "keyCompromise", "abc", "/CN=b"), "R\t301231000000Z\t250102000405Z,keyCompromise\t0ABC\tunknown\t/CN=b\n"},
		{testpki.OCSPIndexLine(true, time.Date(2051, 1, 1, 0, 0, 0, 0, time.UTC), revoked, "", "01", "/CN=c"), "R\t20510101000000Z\t250102000405Z\t01\tunknown\t/CN=c\n"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}
