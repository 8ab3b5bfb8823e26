package ocsp

import (
	"bytes"
	"crypto/sha1"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/podpis/podpis/certstore/cert"
	"github.com/podpis/podpis/certstore/oid"
	"github.com/podpis/podpis/certstore/sigalg"
)

// Skew is how far the responder's clock and ours may disagree: thisUpdate
// may be up to Skew after the check time, nextUpdate up to Skew before it.
const Skew = 5 * time.Minute

// check is Response.Check. The order of the checks is the order in which a
// failure is most useful to a person: a response that is not an answer at
// all, then who signed it, then whether it answers this request, then
// whether it is current.
//
// Two deliberate leniencies, both as OpenSSL's `ocsp` client has them:
//   - A response without a nonce is accepted even when the request had one:
//     many CA responders (and RFC 5019 "lightweight" ones) answer from
//     pre-produced responses and never echo nonces. Only a nonce that is
//     there and differs fails ("nonce").
//   - A response without nextUpdate is current whenever thisUpdate is not
//     in the future: RFC 6960 4.2.2.1 says newer information is then always
//     available, so the answer is as fresh as it can be.
//
// The revocation of a delegated responder's own certificate is not checked
// here (the response holds nothing to check it with), as OpenSSL does not
// check it either. RFC 6960 4.2.2.2.1 lets the CA say it need not be
// (id-pkix-ocsp-nocheck in the responder's certificate); that extension is
// honoured in that a critical nocheck does not make the certificate one
// with an unknown critical extension, which would disqualify it.
func (r *Response) check(req *Request, issuer *cert.Certificate, at time.Time) (*SingleResponse, error) {
	if req == nil || issuer == nil {
		return nil, errors.New("ocsp check: the request and the issuer are both needed")
	}
	if r.Status != Successful {
		return nil, checkError(ReasonStatus, &StatusError{Status: r.Status})
	}
	responder, err := r.findResponder(issuer, at)
	if err != nil {
		return nil, err
	}
	alg := sigalg.Identifier{OID: r.SignatureAlgorithm, Params: r.SignatureAlgorithmParams}
	if err := sigalg.VerifyMessage(responder, alg, r.RawTBS, r.Signature); err != nil {
		return nil, checkError(ReasonSignature, fmt.Errorf("response signed as by %s: %w", responder.Subject.String(), err))
	}
	if req.Nonce != nil && r.Nonce != nil && !bytes.Equal(req.Nonce, r.Nonce) {
		return nil, checkError(ReasonNonce, fmt.Errorf("the response's nonce %x is not the request's %x: a replayed or misrouted answer", r.Nonce, req.Nonce))
	}
	single := r.find(req.CertID)
	if single == nil {
		return nil, checkError(ReasonNoAnswer, r.noAnswer(req.CertID))
	}
	if single.ThisUpdate.After(at.Add(Skew)) {
		return nil, checkError(ReasonStale, &TimeError{ThisUpdate: single.ThisUpdate, NextUpdate: single.NextUpdate, At: at,
			Why: fmt.Sprintf("thisUpdate %s is after the check time %s", formatTime(single.ThisUpdate), formatTime(at))})
	}
	if !single.NextUpdate.IsZero() && single.NextUpdate.Before(at.Add(-Skew)) {
		return nil, checkError(ReasonStale, &TimeError{ThisUpdate: single.ThisUpdate, NextUpdate: single.NextUpdate, At: at,
			Why: fmt.Sprintf("nextUpdate %s is before the check time %s", formatTime(single.NextUpdate), formatTime(at))})
	}
	answer := *single
	return &answer, nil
}

// findResponder returns the certificate whose key must have signed r: the
// issuer itself when the ResponderID names it, otherwise a certificate of
// the response that the ResponderID names and the issuer authorised.
func (r *Response) findResponder(issuer *cert.Certificate, at time.Time) (*cert.Certificate, error) {
	if r.identifies(issuer) {
		return issuer, nil
	}
	var best *CheckError
	for _, c := range r.Certificates {
		if !r.identifies(c) {
			continue
		}
		if c.PublicKeyAlgorithm.Equal(issuer.PublicKeyAlgorithm) && bytes.Equal(c.PublicKey, issuer.PublicKey) {
			// Another certificate of the CA's own key (a renewal
			// under another name): the CA signed, it is authorised.
			return issuer, nil
		}
		err := authorise(c, issuer, at)
		if err == nil {
			return c, nil
		}
		// An authorised but expired responder says more than one
		// that was never authorised.
		if best == nil || err.Reason == ReasonResponderExpired {
			best = err
		}
	}
	if best != nil {
		return nil, best
	}
	return nil, checkError(ReasonResponderUnauthorised, &ResponderError{Responder: r.responderLabel(),
		Why: fmt.Sprintf("is neither the CA %s nor a certificate included in the response", issuer.Subject.String())})
}

// authorise checks that c may sign OCSP responses for the certificates
// issuer issued (RFC 6960 4.2.2.2): issuer signed it, it carries
// id-kp-OCSPSigning, and it is valid at at.
func authorise(c, issuer *cert.Certificate, at time.Time) *CheckError {
	who := c.Subject.String()
	unauthorised := func(why string, err error) *CheckError {
		re := &ResponderError{Responder: who, Why: why}
		if err != nil {
			return checkError(ReasonResponderUnauthorised, fmt.Errorf("%w: %w", re, err))
		}
		return checkError(ReasonResponderUnauthorised, re)
	}
	if err := sigalg.CheckCertificateSignature(c, issuer); err != nil {
		return unauthorised("was not issued by the CA "+issuer.Subject.String(), err)
	}
	if !slices.ContainsFunc(c.ExtKeyUsage, oid.EKUOCSPSigning.Equal) {
		return unauthorised("has no id-kp-OCSPSigning extended key usage", nil)
	}
	for _, id := range c.UnhandledCriticalExtensions() {
		if !id.Equal(oid.OCSPNoCheck) {
			return unauthorised(fmt.Sprintf("has the unknown critical extension %s", id), nil)
		}
	}
	if at.Before(c.NotBefore) || at.After(c.NotAfter) {
		return checkError(ReasonResponderExpired, &ResponderError{Responder: who,
			Why: fmt.Sprintf("is valid from %s to %s, not at %s", formatTime(c.NotBefore), formatTime(c.NotAfter), formatTime(at))})
	}
	return nil
}

// identifies reports whether the ResponderID names c: byName is the
// subject's DER, byKey the SHA-1 of its subjectPublicKey value.
func (r *Response) identifies(c *cert.Certificate) bool {
	if r.ResponderName != nil {
		return bytes.Equal(r.ResponderName, c.RawSubject)
	}
	hash := sha1.Sum(c.PublicKey)
	return bytes.Equal(r.ResponderKeyHash, hash[:])
}

// responderLabel names the responder in messages: its name written as
// cert.Name.String writes names (package cert does not export its Name
// parser; crypto/x509/pkix reads the RDNs), or the hex of its key hash.
func (r *Response) responderLabel() string {
	if r.ResponderName == nil {
		return "with the key hash " + hex.EncodeToString(r.ResponderKeyHash)
	}
	var rdns pkix.RDNSequence
	if rest, err := asn1.Unmarshal(r.ResponderName, &rdns); err != nil || len(rest) != 0 {
		return "named " + hex.EncodeToString(r.ResponderName)
	}
	var parts []string
	for i := len(rdns) - 1; i >= 0; i-- {
		var atvs []string
		for _, atv := range rdns[i] {
			atvs = append(atvs, oid.ShortName(atv.Type)+"="+fmt.Sprint(atv.Value))
		}
		parts = append(parts, strings.Join(atvs, "+"))
	}
	return strings.Join(parts, ", ")
}

// find returns the single response about id, nil when there is none.
func (r *Response) find(id CertID) *SingleResponse {
	if id.SerialNumber == nil {
		return nil // a Request not made by NewRequest
	}
	for i := range r.Responses {
		got := &r.Responses[i].CertID
		if got.HashAlgorithm.Equal(id.HashAlgorithm) && bytes.Equal(got.IssuerNameHash, id.IssuerNameHash) &&
			bytes.Equal(got.IssuerKeyHash, id.IssuerKeyHash) && got.SerialNumber.Cmp(id.SerialNumber) == 0 {
			return &r.Responses[i]
		}
	}
	return nil
}

// noAnswer says what the response is about instead.
func (r *Response) noAnswer(want CertID) error {
	if len(r.Responses) == 0 {
		return errors.New("the response has no answers at all")
	}
	var about []string
	for _, s := range r.Responses {
		about = append(about, fmt.Sprintf("%x", s.CertID.SerialNumber))
	}
	return fmt.Errorf("the response answers for serial %v, not for serial %x of this issuer", about, want.SerialNumber)
}
