package ocsp_test

import (
	"bytes"
	"errors"
	"os/exec"
	"testing"
	"time"

	"github.com/podpis/podpis/certstore/cert"
	"github.com/podpis/podpis/certstore/ocsp"
	"github.com/podpis/podpis/internal/testenv"
	"github.com/podpis/podpis/internal/testpki"
)

// FuzzParseResponse feeds ParseResponse, and Check on what parses, with
// responses of a real `openssl ocsp` (GOST and RSA), hand-built ones and
// the error statuses.
func FuzzParseResponse(f *testing.F) {
	now := time.Now()
	p := newGoPKI(f, "Go fuzz CA")
	type subject struct {
		issuer *cert.Certificate
		req    *ocsp.Request
	}
	subjects := []subject{{p.ca, mustRequest(f, p.leaf, p.ca, []byte("fuzz-nonce-16byt"))}}

	// Hand-built: signed by the CA and by a delegated responder, and the
	// unsigned field variants of parse_test.go.
	req := subjects[0].req
	f.Add(p.byCA(req, now).der(f))
	responderKey := newKey(f)
	delegated := p.issue(f, responderTemplate("fuzz responder", now.Add(-time.Hour), now.Add(time.Hour), true, nil), responderKey.Public())
	r := p.byCA(req, now)
	r.signer, r.signerCert, r.byKey, r.certs = responderKey, delegated, true, []*cert.Certificate{delegated, p.ca}
	r.singles[0].status, r.singles[0].revokedAt, r.singles[0].reason = ocsp.Revoked, now.Add(-time.Hour), 1
	f.Add(r.der(f))
	f.Add(validParts().der())
	for _, status := range []byte{1, 2, 3, 5, 6} {
		f.Add([]byte{0x30, 0x03, 0x0a, 0x01, status})
	}

	// Real responses, when openssl is here (always in CI).
	if _, err := exec.LookPath("openssl"); err == nil || testenv.InCI() {
		openssl := testenv.OpenSSLGost(f)
		for _, alg := range []string{"gost2012-256", "rsa"} {
			o := newOpenSSLPKI(f, openssl, alg)
			for _, signer := range []string{"ca", "responder"} {
				url := o.responder(f, signer, func(c *testpki.OCSPResponderConfig) { c.ByKey = signer == "responder" })
				for _, leaf := range []string{"good", "revoked", "unknown"} {
					req := mustRequest(f, o.leaves[leaf], o.ca, newNonce(f))
					f.Add(ask(f, url, req).Raw)
					subjects = append(subjects, subject{o.ca, req})
				}
			}
		}
	}

	f.Fuzz(func(t *testing.T, der []byte) {
		r, err := ocsp.ParseResponse(der)
		if err != nil {
			var pe *ocsp.ParseError
			if !errors.As(err, &pe) || pe.Field == "" || pe.Err == nil {
				t.Fatalf("error %v is not a *ParseError with a field", err)
			}
			return
		}
		if !bytes.Equal(r.Raw, der) {
			t.Fatal("Raw is not the input")
		}
		if r.Status == ocsp.Successful {
			if len(r.RawTBS) == 0 || !bytes.Contains(der, r.RawTBS) {
				t.Fatal("RawTBS is not part of the input")
			}
			if (r.ResponderName == nil) == (r.ResponderKeyHash == nil) {
				t.Fatal("not exactly one of ResponderName and ResponderKeyHash")
			}
			for _, s := range r.Responses {
				if s.CertID.SerialNumber == nil || s.Reason < -1 || (s.Status != ocsp.Good && s.Status != ocsp.Revoked && s.Status != ocsp.Unknown) {
					t.Fatalf("bad single response %+v", s)
				}
			}
		}
		for _, s := range subjects {
			got, err := r.Check(s.req, s.issuer, now)
			var ce *ocsp.CheckError
			switch {
			case err != nil && !errors.As(err, &ce):
				t.Fatalf("Check error %v is not a *CheckError", err)
			case err == nil && (got == nil || got.CertID.SerialNumber.Cmp(s.req.CertID.SerialNumber) != 0):
				t.Fatalf("Check accepted an answer about %+v", got)
			}
		}
	})
}
