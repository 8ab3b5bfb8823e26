// Package cert is Podpis's own X.509 certificate parser.
//
// Go's crypto/x509 rejects some certificates that Russian accredited CAs really
// issue (see DESIGN "Certificates are parsed tolerantly"), and it cannot load
// GOST public keys, so Podpis parses certificates itself with cryptobyte. The
// parser keeps the exact bytes that were signed (RawTBS) so later signature
// checks work on what the CA signed, not on a re-encoding.
package cert

import (
	"crypto/sha1"
	"encoding/asn1"
	"encoding/hex"
	"math/big"
	"time"
)

// Certificate is a parsed X.509 certificate, made by Parse.
//
// Raw* fields and the other byte slices (Extension.Value, PublicKey,
// Signature, SubjectKeyID...) alias the input given to Parse, which is not
// copied: the caller must not modify that input while the Certificate is in
// use.
type Certificate struct {
	Raw                     []byte // the whole certificate, DER
	RawTBSCertificate       []byte // the signed part, exactly as encoded
	RawSubject              []byte
	RawIssuer               []byte
	RawSubjectPublicKeyInfo []byte

	Version      int // 1, 2 or 3
	SerialNumber *big.Int

	// SignatureAlgorithm is the outer signatureAlgorithm OID;
	// SignatureAlgorithmParams holds its raw parameters (nil when absent).
	SignatureAlgorithm       asn1.ObjectIdentifier
	SignatureAlgorithmParams []byte
	Signature                []byte // BIT STRING contents
	// TBSSignatureAlgorithm is the signature algorithm named inside
	// tbsCertificate. RFC 5280 wants it equal to SignatureAlgorithm; Parse
	// does not insist, so a validator can report a mismatch by name.
	TBSSignatureAlgorithm asn1.ObjectIdentifier

	Issuer  Name
	Subject Name

	NotBefore, NotAfter time.Time

	// PublicKeyAlgorithm is the SubjectPublicKeyInfo algorithm OID;
	// PublicKeyParams its raw parameters (DER, nil when absent);
	// PublicKey the BIT STRING contents of subjectPublicKey.
	PublicKeyAlgorithm asn1.ObjectIdentifier
	PublicKeyParams    []byte
	PublicKey          []byte

	Extensions []Extension

	// Decoded extensions. A field is zero when its extension is absent.
	KeyUsage              KeyUsage // valid when HasKeyUsage
	HasKeyUsage           bool
	ExtKeyUsage           []asn1.ObjectIdentifier
	BasicConstraintsValid bool
	IsCA                  bool
	MaxPathLen            int // -1 when not set
	SubjectKeyID          []byte
	AuthorityKeyID        []byte
	// PrivateKeyUsagePeriod (2.5.29.16); nil bounds are absent.
	PrivateKeyNotBefore *time.Time
	PrivateKeyNotAfter  *time.Time
	Policies            []asn1.ObjectIdentifier
	// SubjectSignTool (1.2.643.100.111): the СКЗИ of the owner.
	SubjectSignTool string
	// IssuerSignTool (1.2.643.100.112): the CA's СКЗИ and УЦ tools and
	// their conformity certificates, in the order of the extension.
	IssuerSignTool        []string
	CRLDistributionPoints []string
	FreshestCRL           []string // delta CRL locations (2.5.29.46)
	OCSPServers           []string
	IssuingCertificateURL []string
	DNSNames              []string
	EmailAddresses        []string
}

// Extension is one raw extension as it appears in the certificate.
type Extension struct {
	ID       asn1.ObjectIdentifier
	Critical bool
	Value    []byte
}

// KeyUsage mirrors the bits of the keyUsage extension (RFC 5280 4.2.1.3).
type KeyUsage int

const (
	KeyUsageDigitalSignature KeyUsage = 1 << iota
	KeyUsageContentCommitment
	KeyUsageKeyEncipherment
	KeyUsageDataEncipherment
	KeyUsageKeyAgreement
	KeyUsageCertSign
	KeyUsageCRLSign
	KeyUsageEncipherOnly
	KeyUsageDecipherOnly
)

// Name is a distinguished name: its raw DER and its attributes in order.
type Name struct {
	Raw        []byte
	Attributes []Attribute
}

// Attribute is one AttributeTypeAndValue of a Name.
type Attribute struct {
	Type  asn1.ObjectIdentifier
	Value string // decoded text; for non-string values, a best-effort rendering
	// RawValue is the value's DER element (tag, length and contents).
	RawValue []byte
	// SameRDNAsPrevious is true when the attribute is in the same
	// RelativeDistinguishedName (SET) as the attribute before it: a
	// multi-valued RDN such as "CN=x+SERIALNUMBER=y". The zero value, one RDN
	// per attribute, is what nearly every certificate has.
	SameRDNAsPrevious bool
}

// Thumbprint returns the certificate's ID in the store: the SHA-1 of its DER,
// lower-case hex.
func (c *Certificate) Thumbprint() string {
	sum := sha1.Sum(c.Raw)
	return hex.EncodeToString(sum[:])
}
