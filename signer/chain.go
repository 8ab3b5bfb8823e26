package signer

import (
	"bytes"
	"time"

	"github.com/podpis/podpis/certstore/cert"
	"github.com/podpis/podpis/certstore/sigalg"
)

// StoreChain is the simple ChainVerifier until the validation issue: a path
// by issuer name and key identifier through Intermediates (and the
// signature's certificates) to one of Roots, each certificate's signature
// checked, validity periods at the given time, the signer's private key
// usage period and key usage.
type StoreChain struct {
	Roots         []*cert.Certificate
	Intermediates []*cert.Certificate
}

// maxChain bounds the path length (and so loops through cross-signed CAs).
const maxChain = 10

// VerifyChain implements ChainVerifier.
func (s StoreChain) VerifyChain(leaf *cert.Certificate, extra []*cert.Certificate, at time.Time) ([]*cert.Certificate, []Problem) {
	var problems []Problem
	add := func(code, reason string, params map[string]any) {
		problems = append(problems, Problem{Code: code, Reason: reason, Severity: SeverityError, Params: params})
	}
	chain := []*cert.Certificate{leaf}
	candidates := append(append(append([]*cert.Certificate{}, s.Roots...), s.Intermediates...), extra...)
	for c := leaf; ; {
		checkValidity(c, at, add)
		if s.isRoot(c) {
			break
		}
		issuer, sigErr := findIssuer(c, candidates, chain)
		if issuer == nil {
			if c.IsSelfSigned() {
				add("untrusted-root", reasonUntrustedRoot, map[string]any{"Subject": c.Subject.String()})
			} else {
				add("chain-incomplete", reasonIssuerMissing, map[string]any{"Issuer": c.Issuer.String(), "Subject": c.Subject.String()})
			}
			break
		}
		if sigErr != nil {
			add("signature-invalid", reasonBadCertSig, map[string]any{"Subject": c.Subject.String(), "Detail": sigErr.Error()})
			break
		}
		if issuer == c { // self-signed and not a root
			add("untrusted-root", reasonUntrustedRoot, map[string]any{"Subject": c.Subject.String()})
			break
		}
		chain = append(chain, issuer)
		if len(chain) > maxChain {
			add("chain-incomplete", reasonIssuerMissing, map[string]any{"Issuer": issuer.Issuer.String(), "Subject": issuer.Subject.String()})
			break
		}
		c = issuer
	}
	checkLeafKey(leaf, at, add)
	return chain, problems
}

// isRoot reports whether c is one of the trusted roots (the same DER).
func (s StoreChain) isRoot(c *cert.Certificate) bool {
	for _, r := range s.Roots {
		if bytes.Equal(r.Raw, c.Raw) {
			return true
		}
	}
	return false
}

// findIssuer picks the candidate whose subject is c's issuer, whose key
// identifier matches c's authority key identifier when both are present,
// and whose key verifies c's signature; a candidate that matches by name
// but not by signature is returned with the error when no other fits.
// A certificate already in the chain is not used again.
func findIssuer(c *cert.Certificate, candidates, chain []*cert.Certificate) (*cert.Certificate, error) {
	var fallback *cert.Certificate
	var fallbackErr error
	for _, cand := range candidates {
		if !bytes.Equal(cand.RawSubject, c.RawIssuer) {
			continue
		}
		if c.AuthorityKeyID != nil && cand.SubjectKeyID != nil && !bytes.Equal(c.AuthorityKeyID, cand.SubjectKeyID) {
			continue
		}
		if cand != c && inChain(cand, chain) {
			continue
		}
		err := sigalg.CheckCertificateSignature(c, cand)
		if err == nil {
			return cand, nil
		}
		if fallback == nil {
			fallback, fallbackErr = cand, err
		}
	}
	if c.IsSelfSigned() && fallback == nil {
		if err := sigalg.CheckCertificateSignature(c, c); err != nil {
			return c, err
		}
		return c, nil
	}
	return fallback, fallbackErr
}

func inChain(c *cert.Certificate, chain []*cert.Certificate) bool {
	for _, x := range chain {
		if bytes.Equal(x.Raw, c.Raw) {
			return true
		}
	}
	return false
}

const dateFormat = "2006-01-02 15:04:05 MST"

func checkValidity(c *cert.Certificate, at time.Time, add func(code, reason string, params map[string]any)) {
	params := map[string]any{"Subject": c.Subject.String(), "NotBefore": c.NotBefore.UTC().Format(dateFormat), "NotAfter": c.NotAfter.UTC().Format(dateFormat), "At": at.UTC().Format(dateFormat)}
	switch {
	case at.Before(c.NotBefore):
		add("not-yet-valid", reasonCertNotYetValid, params)
	case at.After(c.NotAfter):
		add("expired", reasonCertExpired, params)
	}
}

// checkLeafKey checks the signer's private key usage period and key usage.
func checkLeafKey(leaf *cert.Certificate, at time.Time, add func(code, reason string, params map[string]any)) {
	subject := leaf.Subject.String()
	if leaf.PrivateKeyNotAfter != nil && at.After(*leaf.PrivateKeyNotAfter) {
		add("key-period-expired", reasonKeyPeriodOver, map[string]any{"Subject": subject, "NotAfter": leaf.PrivateKeyNotAfter.UTC().Format(dateFormat), "At": at.UTC().Format(dateFormat)})
	}
	if leaf.PrivateKeyNotBefore != nil && at.Before(*leaf.PrivateKeyNotBefore) {
		add("key-period-expired", reasonKeyPeriodAhead, map[string]any{"Subject": subject, "NotBefore": leaf.PrivateKeyNotBefore.UTC().Format(dateFormat), "At": at.UTC().Format(dateFormat)})
	}
	if leaf.HasKeyUsage && leaf.KeyUsage&(cert.KeyUsageDigitalSignature|cert.KeyUsageContentCommitment) == 0 {
		add("key-usage", reasonKeyUsage, map[string]any{"Subject": subject})
	}
}
