// Package ocsp speaks the Online Certificate Status Protocol (RFC 6960):
// it builds requests with a nonce, parses responses with cryptobyte, and
// checks them: the response's signature (GOST included, through sigalg),
// that the responder is authorised for the issuer (the CA itself, or a
// certificate the CA issued with id-kp-OCSPSigning), that the answer is
// about the certificate asked for, the nonce, and the response times.
package ocsp

import (
	"encoding/asn1"
	"math/big"
	"time"

	"github.com/podpis/podpis/certstore/cert"
)

// ResponseStatus is OCSPResponseStatus (RFC 6960 4.2.1).
type ResponseStatus int

const (
	Successful       ResponseStatus = 0
	MalformedRequest ResponseStatus = 1
	InternalError    ResponseStatus = 2
	TryLater         ResponseStatus = 3
	SigRequired      ResponseStatus = 5
	Unauthorized     ResponseStatus = 6
)

// CertStatus is what the responder says about one certificate.
type CertStatus string

const (
	Good    CertStatus = "good"
	Revoked CertStatus = "revoked"
	Unknown CertStatus = "unknown"
)

// CertID identifies a certificate in a request and a response.
type CertID struct {
	HashAlgorithm  asn1.ObjectIdentifier // SHA-1 in our requests: what every responder answers
	IssuerNameHash []byte
	IssuerKeyHash  []byte
	SerialNumber   *big.Int
}

// Request is a request as built by NewRequest: its DER and what the check
// of the answer needs.
type Request struct {
	DER    []byte
	CertID CertID
	Nonce  []byte // nil when built without one
}

// NewRequest builds a request for leaf, issued by issuer, with nonce
// (nil for none; RFC 8954 wants 1 to 32 bytes, we send 16 random ones).
func NewRequest(leaf, issuer *cert.Certificate, nonce []byte) (*Request, error) {
	return newRequest(leaf, issuer, nonce)
}

// Response is a parsed OCSPResponse. For a status other than Successful
// only Status is set. Byte slices alias the input.
type Response struct {
	Status ResponseStatus
	Raw    []byte

	// The BasicOCSPResponse.
	RawTBS                   []byte // tbsResponseData exactly as encoded
	ResponderName            []byte // byName: the Name's DER; nil when byKey
	ResponderKeyHash         []byte // byKey: SHA-1 of the responder's public key; nil when byName
	ProducedAt               time.Time
	SignatureAlgorithm       asn1.ObjectIdentifier
	SignatureAlgorithmParams []byte
	Signature                []byte
	Certificates             []*cert.Certificate // certs: the responder's certificate and maybe its chain
	Responses                []SingleResponse
	Nonce                    []byte // the response's nonce extension; nil when absent
}

// SingleResponse is one certificate's status.
type SingleResponse struct {
	CertID     CertID
	Status     CertStatus
	RevokedAt  time.Time // for Revoked
	Reason     int       // CRLReason for Revoked; -1 when absent
	ThisUpdate time.Time
	NextUpdate time.Time // zero when absent
}

// ParseError says which field of a response is malformed.
type ParseError struct {
	Field string
	Err   error
}

func (e *ParseError) Error() string { return "ocsp: " + e.Field + ": " + e.Err.Error() }
func (e *ParseError) Unwrap() error { return e.Err }

// ParseResponse parses an OCSPResponse (DER).
func ParseResponse(der []byte) (*Response, error) { return parseResponse(der) }

// CheckError is why a response cannot be relied on; Reason is stable:
// "status" (not successful: Response.Status says which), "signature"
// (does not verify), "responder-unauthorised" (neither the CA nor a
// certificate the CA issued for OCSP signing), "responder-expired",
// "no-answer" (nothing about the certificate asked for), "nonce" (the
// nonce differs), "stale" (nextUpdate before the check time, or thisUpdate
// after it).
type CheckError struct {
	Reason string
	Err    error
}

func (e *CheckError) Error() string { return "ocsp response: " + e.Reason + ": " + e.Err.Error() }
func (e *CheckError) Unwrap() error { return e.Err }

// Check verifies r as the answer to req about a certificate issued by
// issuer, at time at (the wall clock: an OCSP answer is about now), and
// returns the single response for it. A responder certificate must be
// valid at at and signed by issuer; id-pkix-ocsp-nocheck is honoured.
func (r *Response) Check(req *Request, issuer *cert.Certificate, at time.Time) (*SingleResponse, error) {
	return r.check(req, issuer, at)
}
