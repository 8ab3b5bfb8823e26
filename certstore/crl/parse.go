package crl

import (
	"bytes"
	"encoding/asn1"
	"encoding/pem"
	"fmt"
	"math/big"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/podpis/podpis/certstore/cert"
	"github.com/podpis/podpis/certstore/oid"
	"github.com/podpis/podpis/internal/asn1read"
)

// Context-specific tags of the CRL's own syntax.
var (
	tagExplicit0 = cbasn1.Tag(0).ContextSpecific().Constructed()
	tagExplicit4 = cbasn1.Tag(4).ContextSpecific().Constructed() // directoryName in GeneralName
	tagContext0  = cbasn1.Tag(0).ContextSpecific()
	tagContext6  = cbasn1.Tag(6).ContextSpecific() // uniformResourceIdentifier
)

func fieldError(field string, err error) *ParseError { return &ParseError{Field: field, Err: err} }

// malformed reports that field is missing, truncated or has the wrong tag.
func malformed(field, what string) *ParseError {
	return fieldError(field, fmt.Errorf("%w: expected %s", cert.ErrTruncated, what))
}

func parse(data []byte) (*CRL, error) {
	der, err := derOf(data)
	if err != nil {
		return nil, err
	}
	input := cryptobyte.String(der)
	var element cryptobyte.String
	if !input.ReadASN1Element(&element, cbasn1.SEQUENCE) {
		return nil, malformed("certificateList", "a complete SEQUENCE")
	}
	if !input.Empty() {
		return nil, fieldError("certificateList", fmt.Errorf("%w: %d bytes after the CRL", cert.ErrTrailingData, len(input)))
	}
	c := &CRL{Raw: element, Version: 1}

	var body cryptobyte.String
	element.ReadASN1(&body, cbasn1.SEQUENCE) // checked by ReadASN1Element above
	var tbs cryptobyte.String
	if !body.ReadASN1Element(&tbs, cbasn1.SEQUENCE) {
		return nil, malformed("tbsCertList", "a SEQUENCE")
	}
	c.RawTBS = tbs
	if err := parseTBS(c, tbs); err != nil {
		return nil, err
	}
	if c.SignatureAlgorithm, c.SignatureAlgorithmParams, err = readAlgorithm(&body); err != nil {
		return nil, fieldError("signatureAlgorithm", err)
	}
	var ok bool
	if c.Signature, ok = asn1read.BitString(&body); !ok {
		return nil, malformed("signatureValue", "a BIT STRING")
	}
	if !body.Empty() {
		return nil, fieldError("certificateList", fmt.Errorf("%w: after signatureValue", cert.ErrTrailingData))
	}
	return c, nil
}

// derOf returns the DER of a CRL given as DER or as PEM. CDPs are meant to
// serve DER, but some serve the PEM that `openssl ca -gencrl` writes,
// sometimes after the text `openssl crl -text` prints.
func derOf(data []byte) ([]byte, error) {
	if len(data) == 0 || data[0] == 0x30 || !bytes.Contains(data, []byte("-----BEGIN ")) {
		return data, nil
	}
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, fieldError("pem", fmt.Errorf("%w: the PEM block is damaged", cert.ErrBadValue))
	}
	if block.Type != "X509 CRL" && block.Type != "CRL" {
		return nil, fieldError("pem", fmt.Errorf("%w: the PEM block is %q, not \"X509 CRL\"", cert.ErrBadValue, block.Type))
	}
	return block.Bytes, nil
}

func parseTBS(c *CRL, element cryptobyte.String) error {
	var tbs cryptobyte.String
	element.ReadASN1(&tbs, cbasn1.SEQUENCE) // checked by the caller

	// version Version OPTIONAL; if present, MUST be v2 (1). v1 (0) written
	// explicitly is not DER but is harmless, so it is accepted.
	if tbs.PeekASN1Tag(cbasn1.INTEGER) {
		var v int64
		if !tbs.ReadASN1Int64WithTag(&v, cbasn1.INTEGER) {
			return malformed("tbsCertList.version", "a small INTEGER")
		}
		if v != 0 && v != 1 {
			return fieldError("tbsCertList.version", fmt.Errorf("%w: version %d is not v1 or v2", cert.ErrBadValue, v))
		}
		c.Version = int(v) + 1
	}

	// signature: RFC 5280 wants it equal to the outer signatureAlgorithm.
	// It is inside the signed bytes, so a mismatch cannot be forged; like
	// OpenSSL, Parse does not insist.
	if _, _, err := readAlgorithm(&tbs); err != nil {
		return fieldError("tbsCertList.signature", err)
	}

	var issuer cryptobyte.String
	if !tbs.ReadASN1Element(&issuer, cbasn1.SEQUENCE) {
		return malformed("tbsCertList.issuer", "a Name (SEQUENCE)")
	}
	c.RawIssuer = issuer
	var err error
	if c.Issuer, err = parseName(issuer); err != nil {
		return fieldError("tbsCertList.issuer", err)
	}

	if c.ThisUpdate, err = readTime(&tbs); err != nil {
		return fieldError("tbsCertList.thisUpdate", err)
	}
	if tbs.PeekASN1Tag(cbasn1.UTCTime) || tbs.PeekASN1Tag(cbasn1.GeneralizedTime) {
		if c.NextUpdate, err = readTime(&tbs); err != nil {
			return fieldError("tbsCertList.nextUpdate", err)
		}
	}

	// revokedCertificates SEQUENCE OF ... OPTIONAL. Some CAs write an empty
	// SEQUENCE instead of leaving it out; that is a list of no entries.
	if tbs.PeekASN1Tag(cbasn1.SEQUENCE) {
		var entries cryptobyte.String
		if !tbs.ReadASN1(&entries, cbasn1.SEQUENCE) {
			return malformed("tbsCertList.revokedCertificates", "a SEQUENCE OF entries")
		}
		c.entries = entries
	}

	// crlExtensions [0] EXPLICIT Extensions OPTIONAL. They are read before
	// the entries are checked: an indirect CRL (issuingDistributionPoint)
	// changes what certificateIssuer in an entry means.
	if tbs.PeekASN1Tag(tagExplicit0) {
		var wrapper, extensions cryptobyte.String
		if !tbs.ReadASN1(&wrapper, tagExplicit0) || !wrapper.ReadASN1(&extensions, cbasn1.SEQUENCE) {
			return malformed("tbsCertList.crlExtensions", "[0] EXPLICIT SEQUENCE OF Extension")
		}
		if !wrapper.Empty() {
			return fieldError("tbsCertList.crlExtensions", cert.ErrTrailingData)
		}
		if err := parseExtensions(c, extensions); err != nil {
			return err
		}
	}
	if !tbs.Empty() {
		return fieldError("tbsCertList", fmt.Errorf("%w: after the last field", cert.ErrTrailingData))
	}
	return checkEntries(c)
}

// readAlgorithm reads an AlgorithmIdentifier: the OID and the raw DER of the
// parameters, nil when absent.
func readAlgorithm(s *cryptobyte.String) (asn1.ObjectIdentifier, []byte, error) {
	var alg cryptobyte.String
	var id asn1.ObjectIdentifier
	if !s.ReadASN1(&alg, cbasn1.SEQUENCE) || !alg.ReadASN1ObjectIdentifier(&id) {
		return nil, nil, fmt.Errorf("%w: expected an AlgorithmIdentifier", cert.ErrTruncated)
	}
	if alg.Empty() {
		return id, nil, nil
	}
	var params cryptobyte.String
	if !alg.ReadAnyASN1Element(&params, nil) {
		return nil, nil, fmt.Errorf("%w: parameters of %s", cert.ErrTruncated, id)
	}
	if !alg.Empty() {
		return nil, nil, fmt.Errorf("%w: after the parameters of %s", cert.ErrTrailingData, id)
	}
	return id, params, nil
}

// parseName decodes the issuer Name with the certificate parser's own
// name decoder, so the issuer a CRL names reads the same as the one its
// certificates name.
func parseName(element []byte) (cert.Name, error) { return cert.ParseName(element) }

// extensionField names a CRL extension in errors.
func extensionField(id asn1.ObjectIdentifier) string {
	if name := crlExtensionName(id); name != "" {
		return "tbsCertList.crlExtensions." + name
	}
	return "tbsCertList.crlExtensions." + id.String()
}

func crlExtensionName(id asn1.ObjectIdentifier) string {
	switch {
	case id.Equal(oid.ExtCRLNumber):
		return "cRLNumber"
	case id.Equal(oid.ExtDeltaCRLIndicator):
		return "deltaCRLIndicator"
	case id.Equal(oid.ExtIssuingDistributionPoint):
		return "issuingDistributionPoint"
	case id.Equal(oid.ExtFreshestCRL):
		return "freshestCRL"
	case id.Equal(oid.ExtAuthorityKeyID):
		return "authorityKeyIdentifier"
	}
	return ""
}

func parseExtensions(c *CRL, extensions cryptobyte.String) error {
	for n := 0; !extensions.Empty(); n++ {
		var ext cryptobyte.String
		var e cert.Extension
		if !extensions.ReadASN1(&ext, cbasn1.SEQUENCE) || !ext.ReadASN1ObjectIdentifier(&e.ID) {
			return malformed(fmt.Sprintf("tbsCertList.crlExtensions[%d]", n), "SEQUENCE { extnID, critical, extnValue }")
		}
		field := extensionField(e.ID)
		// critical BOOLEAN DEFAULT FALSE: an explicit FALSE is not DER but
		// is accepted, as in certificates.
		if ext.PeekASN1Tag(cbasn1.BOOLEAN) && !asn1read.Boolean(&ext, cbasn1.BOOLEAN, &e.Critical) {
			return malformed(field, "critical as a one-octet BOOLEAN")
		}
		if !ext.ReadASN1Bytes(&e.Value, cbasn1.OCTET_STRING) {
			return malformed(field, "extnValue as an OCTET STRING")
		}
		if !ext.Empty() {
			return fieldError(field, cert.ErrTrailingData)
		}
		for _, seen := range c.Extensions {
			if seen.ID.Equal(e.ID) {
				return fieldError(field, cert.ErrDuplicate)
			}
		}
		c.Extensions = append(c.Extensions, e)
		v := cryptobyte.String(e.Value)
		var err error
		switch {
		case e.ID.Equal(oid.ExtCRLNumber):
			c.Number, err = decodeCRLNumber(v)
		case e.ID.Equal(oid.ExtDeltaCRLIndicator):
			c.BaseCRLNumber, err = decodeCRLNumber(v)
		case e.ID.Equal(oid.ExtAuthorityKeyID):
			c.AuthorityKeyID, err = decodeAuthorityKeyID(v)
		case e.ID.Equal(oid.ExtFreshestCRL):
			c.FreshestCRL, err = decodeFreshestCRL(v)
		case e.ID.Equal(oid.ExtIssuingDistributionPoint):
			c.IDP, err = decodeIDP(v)
		default:
			if e.Critical {
				c.UnhandledCritical = append(c.UnhandledCritical, e.ID)
			}
		}
		if err != nil {
			return fieldError(field, err)
		}
	}
	return nil
}

func trailing(s cryptobyte.String) error {
	if !s.Empty() {
		return cert.ErrTrailingData
	}
	return nil
}

// CRLNumber ::= INTEGER (0..MAX); BaseCRLNumber is the same.
func decodeCRLNumber(v cryptobyte.String) (*big.Int, error) {
	n, ok := asn1read.Integer(&v)
	if !ok {
		return nil, fmt.Errorf("%w: expected an INTEGER", cert.ErrTruncated)
	}
	if n.Sign() < 0 {
		return nil, fmt.Errorf("%w: negative CRL number %s", cert.ErrBadValue, n)
	}
	return n, trailing(v)
}

// AuthorityKeyIdentifier ::= SEQUENCE { keyIdentifier [0] OPTIONAL,
// authorityCertIssuer [1] OPTIONAL, authorityCertSerialNumber [2] OPTIONAL }
func decodeAuthorityKeyID(v cryptobyte.String) ([]byte, error) {
	var seq cryptobyte.String
	if !v.ReadASN1(&seq, cbasn1.SEQUENCE) {
		return nil, fmt.Errorf("%w: expected a SEQUENCE", cert.ErrTruncated)
	}
	var keyID []byte
	for !seq.Empty() {
		var content cryptobyte.String
		var tag cbasn1.Tag
		if !seq.ReadAnyASN1(&content, &tag) {
			return nil, fmt.Errorf("%w: expected tagged fields", cert.ErrTruncated)
		}
		if tag == tagContext0 {
			keyID = content
		}
	}
	return keyID, trailing(v)
}

// uriText decodes an IA5String URI; non-ASCII bytes become U+FFFD.
func uriText(b []byte) string {
	return string(bytes.ToValidUTF8(b, []byte("\uFFFD")))
}

// readFullNameURIs reads a DistributionPointName (the CHOICE inside a [0])
// and appends the URIs of a fullName; nameRelativeToCRLIssuer has none.
func readFullNameURIs(content cryptobyte.String, urls []string) ([]string, error) {
	var names cryptobyte.String
	var nameTag cbasn1.Tag
	if !content.ReadAnyASN1(&names, &nameTag) || !content.Empty() {
		return nil, fmt.Errorf("%w: bad distributionPoint name", cert.ErrBadValue)
	}
	if nameTag != tagExplicit0 {
		return urls, nil // nameRelativeToCRLIssuer
	}
	for !names.Empty() {
		var name cryptobyte.String
		var tag cbasn1.Tag
		if !names.ReadAnyASN1(&name, &tag) {
			return nil, fmt.Errorf("%w: bad GeneralName", cert.ErrTruncated)
		}
		if tag == tagContext6 {
			urls = append(urls, uriText(name))
		}
	}
	return urls, nil
}

// FreshestCRL ::= CRLDistributionPoints ::= SEQUENCE OF DistributionPoint {
// distributionPoint [0] OPTIONAL, reasons [1] OPTIONAL, cRLIssuer [2] OPTIONAL }
func decodeFreshestCRL(v cryptobyte.String) ([]string, error) {
	var seq cryptobyte.String
	if !v.ReadASN1(&seq, cbasn1.SEQUENCE) {
		return nil, fmt.Errorf("%w: expected a SEQUENCE OF DistributionPoint", cert.ErrTruncated)
	}
	var urls []string
	for !seq.Empty() {
		var dp cryptobyte.String
		if !seq.ReadASN1(&dp, cbasn1.SEQUENCE) {
			return nil, fmt.Errorf("%w: a DistributionPoint is not a SEQUENCE", cert.ErrBadValue)
		}
		for !dp.Empty() {
			var content cryptobyte.String
			var tag cbasn1.Tag
			if !dp.ReadAnyASN1(&content, &tag) {
				return nil, fmt.Errorf("%w: bad DistributionPoint field", cert.ErrTruncated)
			}
			if tag != tagExplicit0 {
				continue // reasons, cRLIssuer
			}
			var err error
			if urls, err = readFullNameURIs(content, urls); err != nil {
				return nil, err
			}
		}
	}
	return urls, trailing(v)
}

// IssuingDistributionPoint ::= SEQUENCE {
// distributionPoint [0] DistributionPointName OPTIONAL,
// onlyContainsUserCerts [1] BOOLEAN DEFAULT FALSE,
// onlyContainsCACerts [2] BOOLEAN DEFAULT FALSE,
// onlySomeReasons [3] ReasonFlags OPTIONAL,
// indirectCRL [4] BOOLEAN DEFAULT FALSE,
// onlyContainsAttributeCerts [5] BOOLEAN DEFAULT FALSE }
// (IMPLICIT tags: the booleans are primitive [n], the name constructed [0].)
func decodeIDP(v cryptobyte.String) (*IssuingDistributionPoint, error) {
	var seq cryptobyte.String
	if !v.ReadASN1(&seq, cbasn1.SEQUENCE) {
		return nil, fmt.Errorf("%w: expected a SEQUENCE", cert.ErrTruncated)
	}
	idp := &IssuingDistributionPoint{}
	if seq.PeekASN1Tag(tagExplicit0) {
		var content cryptobyte.String
		if !seq.ReadASN1(&content, tagExplicit0) {
			return nil, fmt.Errorf("%w: bad distributionPoint", cert.ErrTruncated)
		}
		var err error
		if idp.URLs, err = readFullNameURIs(content, nil); err != nil {
			return nil, err
		}
	}
	// The fields after distributionPoint, in their order: [3] is a BIT
	// STRING (which reasons the CRL covers), the others BOOLEANs.
	flags := [6]*bool{1: &idp.OnlyUserCerts, 2: &idp.OnlyCACerts, 4: &idp.IndirectCRL, 5: &idp.OnlyAttributeCerts}
	names := [6]string{1: "onlyContainsUserCerts", 2: "onlyContainsCACerts", 3: "onlySomeReasons", 4: "indirectCRL", 5: "onlyContainsAttributeCerts"}
	for n := 1; n <= 5; n++ {
		tag := cbasn1.Tag(n).ContextSpecific()
		if !seq.PeekASN1Tag(tag) {
			continue
		}
		if n == 3 {
			var reasons cryptobyte.String
			if !seq.ReadASN1(&reasons, tag) || len(reasons) == 0 || reasons[0] > 7 {
				return nil, fmt.Errorf("%w: %s is not a BIT STRING", cert.ErrBadValue, names[n])
			}
			idp.OnlySomeReasons = true
			continue
		}
		if !asn1read.Boolean(&seq, tag, flags[n]) {
			return nil, fmt.Errorf("%w: %s is not a one-octet BOOLEAN", cert.ErrBadValue, names[n])
		}
	}
	if !seq.Empty() {
		return nil, fmt.Errorf("%w: unknown or misordered fields", cert.ErrTrailingData)
	}
	return idp, trailing(v)
}
