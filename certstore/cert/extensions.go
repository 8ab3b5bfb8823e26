package cert

import (
	"encoding/asn1"
	"fmt"
	"math"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/podpis/podpis/certstore/oid"
	"github.com/podpis/podpis/internal/asn1read"
)

// extensionField names an extension in errors: "extension 2.5.29.19
// (basicConstraints)", or just the OID when the registry does not know it.
func extensionField(id asn1.ObjectIdentifier) string {
	if info, ok := oid.Lookup(id); ok {
		return "extension " + id.String() + " (" + info.Short + ")"
	}
	return "extension " + id.String()
}

func parseExtensions(c *Certificate, extensions cryptobyte.String) error {
	for n := 1; !extensions.Empty(); n++ {
		var ext cryptobyte.String
		var e Extension
		if !extensions.ReadASN1(&ext, cbasn1.SEQUENCE) || !ext.ReadASN1ObjectIdentifier(&e.ID) {
			return malformed("tbsCertificate.extensions", fmt.Sprintf("extension %d as SEQUENCE { extnID, critical, extnValue }", n))
		}
		field := extensionField(e.ID)
		// critical BOOLEAN DEFAULT FALSE: DER forbids writing FALSE, but some
		// CAs do; asn1read.Boolean also takes 0x01 for TRUE.
		if ext.PeekASN1Tag(cbasn1.BOOLEAN) && !asn1read.Boolean(&ext, cbasn1.BOOLEAN, &e.Critical) {
			return malformed(field, "critical as a one-octet BOOLEAN")
		}
		if !ext.ReadASN1Bytes(&e.Value, cbasn1.OCTET_STRING) {
			return malformed(field, "extnValue as an OCTET STRING")
		}
		if !ext.Empty() {
			return fieldError(field, ErrTrailingData)
		}
		if _, seen := c.Extension(e.ID); seen {
			return fieldError(field, ErrDuplicate)
		}
		c.Extensions = append(c.Extensions, e)
		if decode, ok := extensionDecoder(e.ID); ok {
			if err := decode(c, cryptobyte.String(e.Value)); err != nil {
				return fieldError(field, err)
			}
		}
	}
	return nil
}

// extensionDecoder returns the decoder of the extensions Parse understands.
// Each decoder reads the whole extnValue and fails on anything left over.
func extensionDecoder(id asn1.ObjectIdentifier) (func(*Certificate, cryptobyte.String) error, bool) {
	decoders := []struct {
		id     asn1.ObjectIdentifier
		decode func(*Certificate, cryptobyte.String) error
	}{
		{oid.ExtKeyUsage, decodeKeyUsage},
		{oid.ExtBasicConstraints, decodeBasicConstraints},
		{oid.ExtSubjectKeyID, decodeSubjectKeyID},
		{oid.ExtAuthorityKeyID, decodeAuthorityKeyID},
		{oid.ExtExtendedKeyUsage, decodeExtKeyUsage},
		{oid.ExtCertificatePolicies, decodePolicies},
		{oid.ExtCRLDistributionPoints, decodeCRLDistributionPoints},
		{oid.ExtFreshestCRL, decodeFreshestCRL},
		{oid.ExtAuthorityInfoAccess, decodeAuthorityInfoAccess},
		{oid.ExtSubjectAltName, decodeSubjectAltName},
		{oid.ExtPrivateKeyUsagePeriod, decodePrivateKeyUsagePeriod},
		{oid.ExtSubjectSignTool, decodeSubjectSignTool},
		{oid.ExtIssuerSignTool, decodeIssuerSignTool},
	}
	for _, d := range decoders {
		if d.id.Equal(id) {
			return d.decode, true
		}
	}
	return nil, false
}

func trailing(s cryptobyte.String) error {
	if !s.Empty() {
		return ErrTrailingData
	}
	return nil
}

// keyUsage ::= BIT STRING; bit 0 (the most significant bit of the first
// octet) is digitalSignature.
func decodeKeyUsage(c *Certificate, v cryptobyte.String) error {
	bits, ok := asn1read.BitString(&v)
	if !ok {
		return fmt.Errorf("%w: expected a BIT STRING", ErrTruncated)
	}
	var usage KeyUsage
	for i := range 9 {
		if i/8 < len(bits) && bits[i/8]&(0x80>>(i%8)) != 0 {
			usage |= 1 << i
		}
	}
	c.KeyUsage, c.HasKeyUsage = usage, true
	return trailing(v)
}

// BasicConstraints ::= SEQUENCE { cA BOOLEAN DEFAULT FALSE,
// pathLenConstraint INTEGER (0..MAX) OPTIONAL }
func decodeBasicConstraints(c *Certificate, v cryptobyte.String) error {
	var seq cryptobyte.String
	if !v.ReadASN1(&seq, cbasn1.SEQUENCE) {
		return fmt.Errorf("%w: expected a SEQUENCE", ErrTruncated)
	}
	if seq.PeekASN1Tag(cbasn1.BOOLEAN) && !asn1read.Boolean(&seq, cbasn1.BOOLEAN, &c.IsCA) {
		return fmt.Errorf("%w: cA is not a one-octet BOOLEAN", ErrBadValue)
	}
	if seq.PeekASN1Tag(cbasn1.INTEGER) {
		n, ok := asn1read.Integer(&seq)
		if !ok || n.Sign() < 0 || !n.IsInt64() || n.Int64() > math.MaxInt32 {
			return fmt.Errorf("%w: pathLenConstraint out of range", ErrBadValue)
		}
		c.MaxPathLen = int(n.Int64())
	}
	if !seq.Empty() {
		return ErrTrailingData
	}
	c.BasicConstraintsValid = true
	return trailing(v)
}

func decodeSubjectKeyID(c *Certificate, v cryptobyte.String) error {
	if !v.ReadASN1Bytes(&c.SubjectKeyID, cbasn1.OCTET_STRING) {
		return fmt.Errorf("%w: expected an OCTET STRING", ErrTruncated)
	}
	return trailing(v)
}

// AuthorityKeyIdentifier ::= SEQUENCE { keyIdentifier [0] OPTIONAL,
// authorityCertIssuer [1] OPTIONAL, authorityCertSerialNumber [2] OPTIONAL }
// Only keyIdentifier is kept: path building matches on it.
func decodeAuthorityKeyID(c *Certificate, v cryptobyte.String) error {
	var seq cryptobyte.String
	if !v.ReadASN1(&seq, cbasn1.SEQUENCE) {
		return fmt.Errorf("%w: expected a SEQUENCE", ErrTruncated)
	}
	for !seq.Empty() {
		var content cryptobyte.String
		var tag cbasn1.Tag
		if !seq.ReadAnyASN1(&content, &tag) {
			return fmt.Errorf("%w: expected tagged fields", ErrTruncated)
		}
		if tag == tagContext0 {
			c.AuthorityKeyID = content
		}
	}
	return trailing(v)
}

func decodeExtKeyUsage(c *Certificate, v cryptobyte.String) error {
	var seq cryptobyte.String
	if !v.ReadASN1(&seq, cbasn1.SEQUENCE) {
		return fmt.Errorf("%w: expected a SEQUENCE OF KeyPurposeId", ErrTruncated)
	}
	for !seq.Empty() {
		var id asn1.ObjectIdentifier
		if !seq.ReadASN1ObjectIdentifier(&id) {
			return fmt.Errorf("%w: a purpose is not an OBJECT IDENTIFIER", ErrBadValue)
		}
		c.ExtKeyUsage = append(c.ExtKeyUsage, id)
	}
	return trailing(v)
}

// certificatePolicies ::= SEQUENCE OF PolicyInformation { policyIdentifier,
// policyQualifiers OPTIONAL }; the qualifiers are not kept.
func decodePolicies(c *Certificate, v cryptobyte.String) error {
	var seq cryptobyte.String
	if !v.ReadASN1(&seq, cbasn1.SEQUENCE) {
		return fmt.Errorf("%w: expected a SEQUENCE OF PolicyInformation", ErrTruncated)
	}
	for !seq.Empty() {
		var info cryptobyte.String
		var id asn1.ObjectIdentifier
		if !seq.ReadASN1(&info, cbasn1.SEQUENCE) || !info.ReadASN1ObjectIdentifier(&id) {
			return fmt.Errorf("%w: expected PolicyInformation { policyIdentifier, ... }", ErrBadValue)
		}
		if !info.Empty() && (!info.SkipASN1(cbasn1.SEQUENCE) || !info.Empty()) {
			return fmt.Errorf("%w: bad policyQualifiers of %s", ErrBadValue, id)
		}
		c.Policies = append(c.Policies, id)
	}
	return trailing(v)
}

// readGeneralNames calls visit with the tag and contents of each GeneralName.
func readGeneralNames(names cryptobyte.String, visit func(tag cbasn1.Tag, content []byte)) error {
	for !names.Empty() {
		var content cryptobyte.String
		var tag cbasn1.Tag
		if !names.ReadAnyASN1(&content, &tag) {
			return fmt.Errorf("%w: bad GeneralName", ErrTruncated)
		}
		visit(tag, content)
	}
	return nil
}

// uriText decodes an IA5String URI, DNS name or email address.
func uriText(b []byte) string {
	text, _ := decodeString(cbasn1.IA5String, b)
	return text
}

// CRLDistributionPoints ::= SEQUENCE OF DistributionPoint {
// distributionPoint [0] { fullName [0] GeneralNames | nameRelativeToCRLIssuer [1] },
// reasons [1], cRLIssuer [2] }. The URIs of the fullNames are kept.
func decodeCRLDistributionPoints(c *Certificate, v cryptobyte.String) error {
	return readDistributionPoints(v, &c.CRLDistributionPoints)
}

// FreshestCRL (2.5.29.46) has the syntax of CRLDistributionPoints and says
// where the delta CRLs are.
func decodeFreshestCRL(c *Certificate, v cryptobyte.String) error {
	return readDistributionPoints(v, &c.FreshestCRL)
}

func readDistributionPoints(v cryptobyte.String, urls *[]string) error {
	var seq cryptobyte.String
	if !v.ReadASN1(&seq, cbasn1.SEQUENCE) {
		return fmt.Errorf("%w: expected a SEQUENCE OF DistributionPoint", ErrTruncated)
	}
	for !seq.Empty() {
		var dp cryptobyte.String
		if !seq.ReadASN1(&dp, cbasn1.SEQUENCE) {
			return fmt.Errorf("%w: a DistributionPoint is not a SEQUENCE", ErrBadValue)
		}
		for !dp.Empty() {
			var content cryptobyte.String
			var tag cbasn1.Tag
			if !dp.ReadAnyASN1(&content, &tag) {
				return fmt.Errorf("%w: bad DistributionPoint field", ErrTruncated)
			}
			if tag != tagExplicit0 {
				continue // reasons, cRLIssuer
			}
			var names cryptobyte.String
			var nameTag cbasn1.Tag
			if !content.ReadAnyASN1(&names, &nameTag) || !content.Empty() {
				return fmt.Errorf("%w: bad distributionPoint name", ErrBadValue)
			}
			if nameTag != tagExplicit0 {
				continue // nameRelativeToCRLIssuer
			}
			err := readGeneralNames(names, func(tag cbasn1.Tag, b []byte) {
				if tag == tagContext6 {
					*urls = append(*urls, uriText(b))
				}
			})
			if err != nil {
				return err
			}
		}
	}
	return trailing(v)
}

// AuthorityInfoAccessSyntax ::= SEQUENCE OF AccessDescription {
// accessMethod OBJECT IDENTIFIER, accessLocation GeneralName }
func decodeAuthorityInfoAccess(c *Certificate, v cryptobyte.String) error {
	var seq cryptobyte.String
	if !v.ReadASN1(&seq, cbasn1.SEQUENCE) {
		return fmt.Errorf("%w: expected a SEQUENCE OF AccessDescription", ErrTruncated)
	}
	for !seq.Empty() {
		var desc cryptobyte.String
		var method asn1.ObjectIdentifier
		if !seq.ReadASN1(&desc, cbasn1.SEQUENCE) || !desc.ReadASN1ObjectIdentifier(&method) {
			return fmt.Errorf("%w: expected AccessDescription { accessMethod, accessLocation }", ErrBadValue)
		}
		var location cryptobyte.String
		var tag cbasn1.Tag
		if !desc.ReadAnyASN1(&location, &tag) || !desc.Empty() {
			return fmt.Errorf("%w: bad accessLocation of %s", ErrBadValue, method)
		}
		if tag != tagContext6 {
			continue
		}
		switch {
		case method.Equal(oid.AccessOCSP):
			c.OCSPServers = append(c.OCSPServers, uriText(location))
		case method.Equal(oid.AccessCAIssuers):
			c.IssuingCertificateURL = append(c.IssuingCertificateURL, uriText(location))
		}
	}
	return trailing(v)
}

// SubjectAltName ::= GeneralNames; DNS names [2] and email addresses [1] are kept.
func decodeSubjectAltName(c *Certificate, v cryptobyte.String) error {
	var seq cryptobyte.String
	if !v.ReadASN1(&seq, cbasn1.SEQUENCE) {
		return fmt.Errorf("%w: expected GeneralNames", ErrTruncated)
	}
	err := readGeneralNames(seq, func(tag cbasn1.Tag, b []byte) {
		switch tag {
		case tagContext1:
			c.EmailAddresses = append(c.EmailAddresses, uriText(b))
		case tagContext2:
			c.DNSNames = append(c.DNSNames, uriText(b))
		}
	})
	if err != nil {
		return err
	}
	return trailing(v)
}

// PrivateKeyUsagePeriod ::= SEQUENCE { notBefore [0] IMPLICIT
// GeneralizedTime OPTIONAL, notAfter [1] IMPLICIT GeneralizedTime OPTIONAL }
// (RFC 3280 4.2.1.4). Russian CAs write fractional seconds here.
func decodePrivateKeyUsagePeriod(c *Certificate, v cryptobyte.String) error {
	var seq cryptobyte.String
	if !v.ReadASN1(&seq, cbasn1.SEQUENCE) {
		return fmt.Errorf("%w: expected a SEQUENCE", ErrTruncated)
	}
	for _, bound := range []struct {
		tag  cbasn1.Tag
		name string
		out  **time.Time
	}{{tagContext0, "notBefore", &c.PrivateKeyNotBefore}, {tagContext1, "notAfter", &c.PrivateKeyNotAfter}} {
		var content cryptobyte.String
		var present bool
		if !seq.ReadOptionalASN1(&content, &present, bound.tag) {
			return fmt.Errorf("%w: bad %s", ErrTruncated, bound.name)
		}
		if !present {
			continue
		}
		t, err := parseTime(string(content), 4)
		if err != nil && len(content) <= len("YYMMDDHHMMSS+hhmm") {
			// A UTCTime under the GeneralizedTime tag: accept it too.
			t, err = parseTime(string(content), 2)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", bound.name, err)
		}
		*bound.out = &t
	}
	if !seq.Empty() {
		return ErrTrailingData
	}
	return trailing(v)
}

// readStringValue reads one character string of any type.
func readStringValue(s *cryptobyte.String) (string, error) {
	var content cryptobyte.String
	var tag cbasn1.Tag
	if !s.ReadAnyASN1(&content, &tag) {
		return "", fmt.Errorf("%w: expected a string", ErrTruncated)
	}
	text, ok := decodeString(tag, content)
	if !ok {
		return "", fmt.Errorf("%w: tag 0x%02x is not a valid character string", ErrBadValue, uint8(tag))
	}
	return text, nil
}

// SubjectSignTool ::= UTF8String (RFC 9215); other string types are accepted.
func decodeSubjectSignTool(c *Certificate, v cryptobyte.String) error {
	var err error
	if c.SubjectSignTool, err = readStringValue(&v); err != nil {
		return err
	}
	return trailing(v)
}

// IssuerSignTool ::= SEQUENCE { signTool, cATool, signToolCert, cAToolCert }
// of UTF8String (RFC 9215). All strings present are kept in order, so a CA
// that wrote fewer or more than four does not fail the certificate.
func decodeIssuerSignTool(c *Certificate, v cryptobyte.String) error {
	var seq cryptobyte.String
	if !v.ReadASN1(&seq, cbasn1.SEQUENCE) {
		return fmt.Errorf("%w: expected a SEQUENCE of UTF8String", ErrTruncated)
	}
	c.IssuerSignTool = nil
	for !seq.Empty() {
		text, err := readStringValue(&seq)
		if err != nil {
			return err
		}
		c.IssuerSignTool = append(c.IssuerSignTool, text)
	}
	return trailing(v)
}
