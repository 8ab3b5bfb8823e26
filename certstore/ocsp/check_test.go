package ocsp_test

import (
	"crypto/ecdsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/podpis/podpis/certstore/cert"
	"github.com/podpis/podpis/certstore/ocsp"
	"github.com/podpis/podpis/certstore/oid"
)

// TestOCSPCheckHandBuilt covers every rule of Check on responses built
// here, where every time and field can be set exactly; the real responder
// is in openssl_test.go.
func TestOCSPCheckHandBuilt(t *testing.T) {
	p := newGoPKI(t, "Go test CA")
	rogue := newGoPKI(t, "Rogue CA")
	now := time.Now().Truncate(time.Second)
	nonce := []byte("0123456789abcdef")
	hour := time.Hour

	responderKey := newKey(t)
	delegated := p.issue(t, responderTemplate("OCSP responder", now.Add(-hour), now.Add(24*hour), true, nil), responderKey.Public())
	noEKU := p.issue(t, responderTemplate("OCSP responder without EKU", now.Add(-hour), now.Add(24*hour), false, nil), responderKey.Public())
	expired := p.issue(t, responderTemplate("expired OCSP responder", now.Add(-48*hour), now.Add(-24*hour), true, nil), responderKey.Public())
	notYet := p.issue(t, responderTemplate("future OCSP responder", now.Add(24*hour), now.Add(48*hour), true, nil), responderKey.Public())
	criticalUnknown := p.issue(t, responderTemplate("OCSP responder with a critical oddity", now.Add(-hour), now.Add(24*hour), true,
		[]pkix.Extension{{Id: asn1.ObjectIdentifier{1, 2, 3, 4}, Critical: true, Value: []byte{0x05, 0x00}}}), responderKey.Public())
	criticalNoCheck := withCriticalNoCheck(t, p, now, responderKey)
	foreign := rogue.issue(t, responderTemplate("OCSP responder", now.Add(-hour), now.Add(24*hour), true, nil), responderKey.Public())
	// A renewal of the CA certificate: the same key under another name.
	renewal := p.issue(t, renewalTemplate(now), p.caKey.Public())

	delegatedBy := func(c *cert.Certificate, byKey bool) func(req *ocsp.Request) response {
		return func(req *ocsp.Request) response {
			r := p.byCA(req, now)
			r.signer, r.signerCert, r.byKey, r.certs = responderKey, c, byKey, []*cert.Certificate{c}
			return r
		}
	}
	tests := []struct {
		name     string
		build    func(req *ocsp.Request) response
		raw      []byte // instead of build
		reqNonce []byte
		at       time.Time
		reason   string // "" when Check must succeed
		status   ocsp.CertStatus
		check    func(t *testing.T, s *ocsp.SingleResponse)
	}{
		{name: "CA signs, byName", build: func(req *ocsp.Request) response { return p.byCA(req, now) }, status: ocsp.Good},
		{name: "CA signs, byKey", build: func(req *ocsp.Request) response { r := p.byCA(req, now); r.byKey = true; return r }, status: ocsp.Good},
		{name: "CA signs and includes itself", build: func(req *ocsp.Request) response {
			r := p.byCA(req, now)
			r.certs = []*cert.Certificate{p.ca}
			return r
		}, status: ocsp.Good},
		{name: "CA renewal certificate of the same key", build: func(req *ocsp.Request) response {
			r := p.byCA(req, now)
			r.signerCert, r.certs = renewal, []*cert.Certificate{renewal}
			return r
		}, status: ocsp.Good},
		{name: "delegated, byName", build: delegatedBy(delegated, false), status: ocsp.Good},
		{name: "delegated, byKey", build: delegatedBy(delegated, true), status: ocsp.Good},
		{name: "delegated, critical nocheck honoured", build: delegatedBy(criticalNoCheck, false), status: ocsp.Good},
		{name: "delegated without OCSPSigning", build: delegatedBy(noEKU, false), reason: ocsp.ReasonResponderUnauthorised},
		{name: "delegated by another CA", build: delegatedBy(foreign, false), reason: ocsp.ReasonResponderUnauthorised},
		{name: "delegated with an unknown critical extension", build: delegatedBy(criticalUnknown, false), reason: ocsp.ReasonResponderUnauthorised},
		{name: "delegated expired", build: delegatedBy(expired, false), reason: ocsp.ReasonResponderExpired},
		{name: "delegated not yet valid", build: delegatedBy(notYet, true), reason: ocsp.ReasonResponderExpired},
		{name: "delegated, its certificate left out", build: func(req *ocsp.Request) response {
			r := delegatedBy(delegated, false)(req)
			r.certs = nil
			return r
		}, reason: ocsp.ReasonResponderUnauthorised},
		{name: "a foreign responder of the same name before the authorised one", build: func(req *ocsp.Request) response {
			r := delegatedBy(delegated, false)(req)
			r.certs = []*cert.Certificate{foreign, delegated}
			return r
		}, status: ocsp.Good},
		{name: "names the CA, signed by another key", build: func(req *ocsp.Request) response {
			r := p.byCA(req, now)
			r.signer = rogue.caKey
			return r
		}, reason: ocsp.ReasonSignature},
		{name: "a CA of the same name signs", build: func(req *ocsp.Request) response {
			twin := newGoPKI(t, "Go test CA")
			r := p.byCA(req, now)
			r.signer, r.signerCert = twin.caKey, twin.ca
			return r
		}, reason: ocsp.ReasonSignature},
		{name: "the wrong CA signs as itself", build: func(req *ocsp.Request) response {
			r := p.byCA(req, now)
			r.signer, r.signerCert = rogue.caKey, rogue.ca
			return r
		}, reason: ocsp.ReasonResponderUnauthorised},
		{name: "nonce echoed", reqNonce: nonce, build: func(req *ocsp.Request) response { return p.byCA(req, now) }, status: ocsp.Good},
		{name: "nonce differs", reqNonce: nonce, build: func(req *ocsp.Request) response {
			r := p.byCA(req, now)
			r.nonceExt = octetString([]byte("fedcba9876543210"))
			return r
		}, reason: ocsp.ReasonNonce},
		{name: "nonce bare, as before RFC 8954", reqNonce: nonce, build: func(req *ocsp.Request) response {
			r := p.byCA(req, now)
			r.nonceExt = nonce
			return r
		}, status: ocsp.Good},
		{name: "no nonce in a pre-produced response", reqNonce: nonce, build: func(req *ocsp.Request) response {
			r := p.byCA(req, now)
			r.nonceExt = nil
			return r
		}, status: ocsp.Good},
		{name: "a nonce nobody asked for", build: func(req *ocsp.Request) response {
			r := p.byCA(req, now)
			r.nonceExt = octetString(nonce)
			return r
		}, status: ocsp.Good},
		{name: "about another serial", build: func(req *ocsp.Request) response {
			r := p.byCA(req, now)
			r.singles[0].id.SerialNumber = big.NewInt(0x4243)
			return r
		}, reason: ocsp.ReasonNoAnswer},
		{name: "about another issuer's key", build: func(req *ocsp.Request) response {
			r := p.byCA(req, now)
			r.singles[0].id.IssuerKeyHash = make([]byte, 20)
			return r
		}, reason: ocsp.ReasonNoAnswer},
		{name: "CertID with SHA-256", build: func(req *ocsp.Request) response {
			r := p.byCA(req, now)
			name, key := sha256.Sum256(p.leaf.RawIssuer), sha256.Sum256(p.ca.PublicKey)
			r.singles[0].id = ocsp.CertID{HashAlgorithm: oid.SHA256, IssuerNameHash: name[:], IssuerKeyHash: key[:], SerialNumber: p.leaf.SerialNumber}
			return r
		}, reason: ocsp.ReasonNoAnswer},
		{name: "no answers at all", build: func(req *ocsp.Request) response {
			r := p.byCA(req, now)
			r.singles = nil
			return r
		}, reason: ocsp.ReasonNoAnswer},
		{name: "ours among several", build: func(req *ocsp.Request) response {
			r := p.byCA(req, now)
			other := r.singles[0]
			other.id.SerialNumber = big.NewInt(7)
			other.status = ocsp.Unknown
			mine := r.singles[0]
			mine.status = ocsp.Revoked
			mine.revokedAt = now.Add(-72 * hour)
			mine.reason = 4
			r.singles = []single{other, mine}
			return r
		}, status: ocsp.Revoked, check: func(t *testing.T, s *ocsp.SingleResponse) {
			if !s.RevokedAt.Equal(now.Add(-72*hour)) || s.Reason != 4 {
				t.Errorf("revoked at %s reason %d, want %s reason 4", s.RevokedAt, s.Reason, now.Add(-72*hour))
			}
		}},
		{name: "revoked without a reason", build: func(req *ocsp.Request) response {
			r := p.byCA(req, now)
			r.singles[0].status, r.singles[0].revokedAt = ocsp.Revoked, now.Add(-hour)
			return r
		}, status: ocsp.Revoked, check: func(t *testing.T, s *ocsp.SingleResponse) {
			if s.Reason != -1 {
				t.Errorf("reason %d, want -1", s.Reason)
			}
		}},
		{name: "unknown", build: func(req *ocsp.Request) response {
			r := p.byCA(req, now)
			r.singles[0].status = ocsp.Unknown
			return r
		}, status: ocsp.Unknown},
		{name: "thisUpdate within the skew ahead", at: now.Add(-time.Minute - ocsp.Skew + time.Second), build: func(req *ocsp.Request) response { return p.byCA(req, now) }, status: ocsp.Good},
		{name: "thisUpdate beyond the skew ahead", at: now.Add(-time.Minute - ocsp.Skew - time.Second), build: func(req *ocsp.Request) response { return p.byCA(req, now) }, reason: ocsp.ReasonStale},
		{name: "nextUpdate within the skew behind", at: now.Add(hour + ocsp.Skew - time.Second), build: func(req *ocsp.Request) response { return p.byCA(req, now) }, status: ocsp.Good},
		{name: "nextUpdate beyond the skew behind", at: now.Add(hour + ocsp.Skew + time.Second), build: func(req *ocsp.Request) response { return p.byCA(req, now) }, reason: ocsp.ReasonStale},
		{name: "no nextUpdate: always current", at: now.Add(100 * 24 * hour), build: func(req *ocsp.Request) response {
			r := p.byCA(req, now)
			r.singles[0].nextUpdate = time.Time{}
			return r
		}, status: ocsp.Good},
		{name: "tryLater", raw: []byte{0x30, 0x03, 0x0a, 0x01, 0x03}, reason: ocsp.ReasonStatus},
		{name: "unauthorized", raw: []byte{0x30, 0x03, 0x0a, 0x01, 0x06}, reason: ocsp.ReasonStatus},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := mustRequest(t, p.leaf, p.ca, tt.reqNonce)
			der := tt.raw
			if der == nil {
				der = tt.build(req).der(t)
			}
			resp := mustParse(t, der)
			at := tt.at
			if at.IsZero() {
				at = now
			}
			got, err := resp.Check(req, p.ca, at)
			if tt.reason != "" {
				var ce *ocsp.CheckError
				if !errors.As(err, &ce) || ce.Reason != tt.reason {
					t.Fatalf("Check: %v (%#v), want reason %q", err, err, tt.reason)
				}
				if ce.Code() != "ocsp-"+tt.reason || ce.Params()["Detail"] == "" {
					t.Errorf("Code %q Params %v", ce.Code(), ce.Params())
				}
				return
			}
			if err != nil {
				t.Fatalf("Check: %v", err)
			}
			if got.Status != tt.status || got.CertID.SerialNumber.Cmp(p.leaf.SerialNumber) != 0 {
				t.Fatalf("status %s about serial %x, want %s about %x", got.Status, got.CertID.SerialNumber, tt.status, p.leaf.SerialNumber)
			}
			if tt.check != nil {
				tt.check(t, got)
			}
		})
	}
}

// renewalTemplate is a CA certificate renewed on the same key, under a
// new name.
func renewalTemplate(now time.Time) *x509.Certificate {
	return &x509.Certificate{
		SerialNumber:          big.NewInt(2),
		Subject:               pkix.Name{CommonName: "Go test CA (renewed)", Country: []string{"RU"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(365 * 24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
}

// withCriticalNoCheck issues a delegated responder certificate whose
// id-pkix-ocsp-nocheck extension is critical.
func withCriticalNoCheck(t *testing.T, p *goPKI, now time.Time, key *ecdsa.PrivateKey) *cert.Certificate {
	t.Helper()
	tmpl := responderTemplate("OCSP responder with critical nocheck", now.Add(-time.Hour), now.Add(24*time.Hour), true, nil)
	tmpl.ExtraExtensions = []pkix.Extension{{Id: oid.OCSPNoCheck, Critical: true, Value: []byte{0x05, 0x00}}}
	return p.issue(t, tmpl, key.Public())
}

func TestOCSPCheckErrorParams(t *testing.T) {
	p := newGoPKI(t, "Go test CA")
	now := time.Now().Truncate(time.Second)
	req := mustRequest(t, p.leaf, p.ca, nil)
	resp := mustParse(t, p.byCA(req, now).der(t))
	_, err := resp.Check(req, p.ca, now.Add(48*time.Hour))
	var ce *ocsp.CheckError
	if !errors.As(err, &ce) || ce.Reason != ocsp.ReasonStale {
		t.Fatalf("Check: %v, want stale", err)
	}
	params := ce.Params()
	for _, key := range []string{"ThisUpdate", "NextUpdate", "At"} {
		if s, _ := params[key].(string); !strings.HasSuffix(s, " UTC") {
			t.Errorf("Params[%s] = %v, want a UTC time", key, params[key])
		}
	}
	var te *ocsp.TimeError
	if !errors.As(err, &te) || !te.At.Equal(now.Add(48*time.Hour)) {
		t.Errorf("no TimeError with the check time in %v", err)
	}

	resp = mustParse(t, []byte{0x30, 0x03, 0x0a, 0x01, 0x02})
	_, err = resp.Check(req, p.ca, now)
	if !errors.As(err, &ce) || ce.Params()["Status"] != "internalError" {
		t.Fatalf("Check of internalError: %v, params %v", err, ce.Params())
	}
}
