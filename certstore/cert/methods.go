package cert

import (
	"bytes"
	"crypto/x509"
	"encoding/asn1"
	"encoding/hex"
	"fmt"
)

// IsSelfSigned reports whether the certificate names itself as its issuer
// (issuer and subject are the same DER). It does not check the signature.
func (c *Certificate) IsSelfSigned() bool {
	return bytes.Equal(c.RawIssuer, c.RawSubject)
}

// Extension returns the extension with the given OID, if present.
func (c *Certificate) Extension(id asn1.ObjectIdentifier) (Extension, bool) {
	for _, e := range c.Extensions {
		if e.ID.Equal(id) {
			return e, true
		}
	}
	return Extension{}, false
}

// UnhandledCriticalExtensions lists the critical extensions Parse does not
// decode. RFC 5280 says a certificate with a critical extension the
// validator does not understand must be rejected; subjectSignTool and
// issuerSignTool, which Russian CAs sometimes mark critical, are decoded and
// so never listed. A validator that enforces more extensions itself (name
// constraints, policy constraints) removes those from the list.
func (c *Certificate) UnhandledCriticalExtensions() []asn1.ObjectIdentifier {
	var ids []asn1.ObjectIdentifier
	for _, e := range c.Extensions {
		if _, handled := extensionDecoder(e.ID); e.Critical && !handled {
			ids = append(ids, e.ID)
		}
	}
	return ids
}

// ToX509 parses the certificate with crypto/x509, for code that needs its
// RSA or ECDSA key as a crypto.PublicKey. It fails on what crypto/x509
// rejects: the very tolerances Parse accepts, for instance.
func (c *Certificate) ToX509() (*x509.Certificate, error) {
	xc, err := x509.ParseCertificate(c.Raw)
	if err != nil {
		return nil, fmt.Errorf("crypto/x509 cannot load certificate %s: %w", c.Thumbprint(), err)
	}
	return xc, nil
}

// SerialHex is the serial number as people compare it with what CAs and
// OpenSSL print: lower-case hex of its bytes, an even number of digits
// ("072d…", not "72d…"). A negative serial (RFC 5280 forbids it, some CAs
// issued them) is shown with a minus sign.
func (c *Certificate) SerialHex() string {
	if c.SerialNumber == nil {
		return ""
	}
	b := c.SerialNumber.Bytes()
	if len(b) == 0 {
		return "00"
	}
	if c.SerialNumber.Sign() < 0 {
		return "-" + hex.EncodeToString(b)
	}
	return hex.EncodeToString(b)
}
