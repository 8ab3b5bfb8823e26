package signer

import (
	"bytes"
	"encoding/asn1"
	"encoding/hex"
	"fmt"
	"math/big"
	"slices"
	"strings"
	"time"
	"unicode/utf16"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/podpis/podpis/certstore/cert"
	"github.com/podpis/podpis/certstore/oid"
	"github.com/podpis/podpis/certstore/sigalg"
)

// The wire structures of RFC 5652 (and RFC 5035 for ESS), as parsed from
// and written to DER. The friendly results are in api.go.

// signedData is a parsed SignedData, without its content.
type signedData struct {
	version     int64
	digestAlgs  []sigalg.Identifier
	contentType asn1.ObjectIdentifier
	attached    bool  // encapContentInfo has eContent
	contentSize int64 // bytes of eContent streamed
	// rawCerts are the CertificateChoices elements (DER), in order;
	// certs the X.509 ones that parse.
	rawCerts [][]byte
	certs    []*cert.Certificate
	badCerts int      // X.509 certificates that did not parse
	rawCRLs  [][]byte // RevocationInfoChoice elements (DER)
	signers  []*signerInfo
}

// signerInfo is one SignerInfo.
type signerInfo struct {
	raw     []byte // DER
	version int64
	// The SignerIdentifier: issuer and serial, or a subjectKeyIdentifier.
	issuer []byte // Name DER
	serial *big.Int
	ski    []byte
	// digestAlg is the SignerInfo's digestAlgorithm.
	digestAlg sigalg.Identifier
	// signedAttrs is the DER of the signed attributes as a SET (tag 0x31),
	// which is what the signature is over (RFC 5652 5.4); nil when absent.
	signedAttrs []byte
	attrs       []attribute
	sigAlg      sigalg.Identifier
	signature   []byte
}

// attribute is an Attribute: its type and the DER of each value.
type attribute struct {
	typ    asn1.ObjectIdentifier
	values [][]byte
}

func (si *signerInfo) attr(t asn1.ObjectIdentifier) (attribute, bool) {
	for _, a := range si.attrs {
		if a.typ.Equal(t) {
			return a, true
		}
	}
	return attribute{}, false
}

// readAlgorithm reads an AlgorithmIdentifier, keeping its parameters.
func readAlgorithm(s *cryptobyte.String) (sigalg.Identifier, bool) {
	var seq cryptobyte.String
	var id sigalg.Identifier
	if !s.ReadASN1(&seq, cbasn1.SEQUENCE) || !seq.ReadASN1ObjectIdentifier(&id.OID) {
		return id, false
	}
	if !seq.Empty() {
		var params cryptobyte.String
		if !seq.ReadAnyASN1Element(&params, nil) || !seq.Empty() {
			return id, false
		}
		id.Params = params
	}
	return id, true
}

func addAlgorithm(b *cryptobyte.Builder, id sigalg.Identifier) {
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1ObjectIdentifier(id.OID)
		if id.Params != nil {
			b.AddBytes(id.Params)
		}
	})
}

// readInteger reads an INTEGER tolerantly (non-minimal encodings, as some
// CAs write serials), as two's complement.
func readInteger(s *cryptobyte.String) (*big.Int, bool) {
	var content cryptobyte.String
	if !s.ReadASN1(&content, cbasn1.INTEGER) || len(content) == 0 {
		return nil, false
	}
	n := new(big.Int).SetBytes(content)
	if content[0]&0x80 != 0 {
		n.Sub(n, new(big.Int).Lsh(big.NewInt(1), uint(len(content))*8))
	}
	return n, true
}

// parseSignerInfo parses a SignerInfo (DER).
func parseSignerInfo(der []byte) (*signerInfo, error) {
	bad := func(field string) error { return malformedf("SignerInfo %s", field) }
	si := &signerInfo{raw: der}
	s := cryptobyte.String(der)
	var seq cryptobyte.String
	if !s.ReadASN1(&seq, cbasn1.SEQUENCE) || !s.Empty() {
		return nil, bad("is not a SEQUENCE")
	}
	if !seq.ReadASN1Int64WithTag(&si.version, cbasn1.INTEGER) {
		return nil, bad("version")
	}
	switch {
	case seq.PeekASN1Tag(cbasn1.SEQUENCE):
		var ias cryptobyte.String
		var issuer cryptobyte.String
		var ok bool
		if !seq.ReadASN1(&ias, cbasn1.SEQUENCE) || !ias.ReadASN1Element(&issuer, cbasn1.SEQUENCE) {
			return nil, bad("sid issuer")
		}
		if si.serial, ok = readInteger(&ias); !ok || !ias.Empty() {
			return nil, bad("sid serialNumber")
		}
		si.issuer = issuer
	case seq.PeekASN1Tag(cbasn1.Tag(0).ContextSpecific()):
		var ski cryptobyte.String
		if !seq.ReadASN1(&ski, cbasn1.Tag(0).ContextSpecific()) {
			return nil, bad("sid subjectKeyIdentifier")
		}
		si.ski = ski
	default:
		return nil, bad("sid")
	}
	var ok bool
	if si.digestAlg, ok = readAlgorithm(&seq); !ok {
		return nil, bad("digestAlgorithm")
	}
	attrsTag := cbasn1.Tag(0).Constructed().ContextSpecific()
	if seq.PeekASN1Tag(attrsTag) {
		var element cryptobyte.String
		seq.ReadASN1Element(&element, attrsTag)
		// The signature is over the attributes as a SET: the same bytes
		// with the universal SET tag (RFC 5652 5.4).
		si.signedAttrs = bytes.Clone(element)
		si.signedAttrs[0] = 0x31
		attrs, err := parseAttributes(element)
		if err != nil {
			return nil, err
		}
		si.attrs = attrs
	}
	if si.sigAlg, ok = readAlgorithm(&seq); !ok {
		return nil, bad("signatureAlgorithm")
	}
	var sig cryptobyte.String
	if !seq.ReadASN1(&sig, cbasn1.OCTET_STRING) {
		return nil, bad("signature")
	}
	si.signature = sig
	// unsignedAttrs [1] (timestamps and the like) are kept in raw, unused.
	seq.SkipOptionalASN1(cbasn1.Tag(1).Constructed().ContextSpecific())
	if !seq.Empty() {
		return nil, bad("has data after the signature")
	}
	return si, nil
}

// parseAttributes parses [0] IMPLICIT SET OF Attribute.
func parseAttributes(element cryptobyte.String) ([]attribute, error) {
	var set cryptobyte.String
	if !element.ReadASN1(&set, cbasn1.Tag(0).Constructed().ContextSpecific()) {
		return nil, malformedf("SignerInfo signedAttrs")
	}
	var attrs []attribute
	for !set.Empty() {
		var a cryptobyte.String
		var values cryptobyte.String
		var at attribute
		if !set.ReadASN1(&a, cbasn1.SEQUENCE) || !a.ReadASN1ObjectIdentifier(&at.typ) || !a.ReadASN1(&values, cbasn1.SET) || !a.Empty() {
			return nil, malformedf("SignerInfo signed attribute %d", len(attrs)+1)
		}
		for !values.Empty() {
			var v cryptobyte.String
			if !values.ReadAnyASN1Element(&v, nil) {
				return nil, malformedf("SignerInfo signed attribute %s value", oid.ShortName(at.typ))
			}
			at.values = append(at.values, v)
		}
		attrs = append(attrs, at)
	}
	return attrs, nil
}

// readTimeValue reads a UTCTime or GeneralizedTime element (signingTime).
func readTimeValue(v []byte) (time.Time, bool) {
	s := cryptobyte.String(v)
	var t time.Time
	switch {
	case s.PeekASN1Tag(cbasn1.UTCTime):
		if !s.ReadASN1UTCTime(&t) {
			return t, false
		}
	case s.PeekASN1Tag(cbasn1.GeneralizedTime):
		if !s.ReadASN1GeneralizedTime(&t) {
			return t, false
		}
	default:
		return t, false
	}
	return t, s.Empty()
}

// essCertID is the first ESSCertID(v2) of a signingCertificate(V2)
// attribute: the hash of the signer's certificate and, optionally, its
// issuer and serial.
type essCertID struct {
	hashAlg  asn1.ObjectIdentifier
	hash     []byte
	issuer   []byte // Name DER from GeneralNames directoryName; nil when absent
	serial   *big.Int
	hasIssue bool
}

// parseSigningCertificate reads SigningCertificateV2 (v2) or
// SigningCertificate (v1, SHA-1 hashes) and returns the first certificate
// ID, which names the signer's certificate (RFC 5035 section 3).
func parseSigningCertificate(v []byte, v2 bool) (essCertID, bool) {
	id := essCertID{hashAlg: oid.SHA1}
	if v2 {
		id.hashAlg = oid.SHA256
	}
	s := cryptobyte.String(v)
	var sc, certs, first cryptobyte.String
	if !s.ReadASN1(&sc, cbasn1.SEQUENCE) || !sc.ReadASN1(&certs, cbasn1.SEQUENCE) || !certs.ReadASN1(&first, cbasn1.SEQUENCE) {
		return id, false
	}
	if v2 && first.PeekASN1Tag(cbasn1.SEQUENCE) {
		alg, ok := readAlgorithm(&first)
		if !ok {
			return id, false
		}
		id.hashAlg = alg.OID
	}
	var h cryptobyte.String
	if !first.ReadASN1(&h, cbasn1.OCTET_STRING) {
		return id, false
	}
	id.hash = h
	if first.Empty() {
		return id, true
	}
	var issuerSerial, names cryptobyte.String
	if !first.ReadASN1(&issuerSerial, cbasn1.SEQUENCE) || !issuerSerial.ReadASN1(&names, cbasn1.SEQUENCE) {
		return id, false
	}
	for !names.Empty() {
		var gn cryptobyte.String
		var tag cbasn1.Tag
		if !names.ReadAnyASN1(&gn, &tag) {
			return id, false
		}
		if tag == cbasn1.Tag(4).Constructed().ContextSpecific() {
			var name cryptobyte.String
			if !gn.ReadASN1Element(&name, cbasn1.SEQUENCE) {
				return id, false
			}
			id.issuer = name
		}
	}
	var ok bool
	if id.serial, ok = readInteger(&issuerSerial); !ok {
		return id, false
	}
	id.hasIssue = true
	return id, true
}

// nameString renders a Name DER as "CN=..., O=..." for messages about a
// certificate that is not at hand (SignerID of a missing certificate).
func nameString(der []byte) string {
	s := cryptobyte.String(der)
	var rdns cryptobyte.String
	if !s.ReadASN1(&rdns, cbasn1.SEQUENCE) {
		return hex.EncodeToString(der)
	}
	var parts []string
	for !rdns.Empty() {
		var set cryptobyte.String
		if !rdns.ReadASN1(&set, cbasn1.SET) {
			break
		}
		for !set.Empty() {
			var atv cryptobyte.String
			var t asn1.ObjectIdentifier
			var value cryptobyte.String
			var tag cbasn1.Tag
			if !set.ReadASN1(&atv, cbasn1.SEQUENCE) || !atv.ReadASN1ObjectIdentifier(&t) || !atv.ReadAnyASN1(&value, &tag) {
				return hex.EncodeToString(der)
			}
			parts = append(parts, oid.ShortName(t)+"="+stringValue(tag, value))
		}
	}
	slices.Reverse(parts) // RFC 4514 order, most specific first, as OpenSSL prints
	return strings.Join(parts, ", ")
}

func stringValue(tag cbasn1.Tag, v []byte) string {
	switch tag {
	case cbasn1.Tag(30): // BMPString
		u := make([]uint16, len(v)/2)
		for i := range u {
			u[i] = uint16(v[2*i])<<8 | uint16(v[2*i+1])
		}
		return string(utf16.Decode(u))
	case cbasn1.UTF8String, cbasn1.PrintableString, cbasn1.IA5String, cbasn1.Tag(20), cbasn1.Tag(18), cbasn1.Tag(26):
		return string(v)
	}
	return "#" + hex.EncodeToString(v)
}

// signerID is SignerResult.SignerID.
func (si *signerInfo) signerID(c *cert.Certificate) string {
	if si.ski != nil {
		return "subjectKeyIdentifier " + hex.EncodeToString(si.ski)
	}
	issuer := nameString(si.issuer)
	if c != nil {
		issuer = c.Issuer.String()
	}
	return fmt.Sprintf("%s, serial %s", issuer, serialHex(si.serial))
}

// serialHex matches cert.Certificate.SerialHex.
func serialHex(n *big.Int) string {
	c := cert.Certificate{SerialNumber: n}
	return c.SerialHex()
}

// matches reports whether c is the certificate si names.
func (si *signerInfo) matches(c *cert.Certificate) bool {
	if si.ski != nil {
		return c.SubjectKeyID != nil && bytes.Equal(si.ski, c.SubjectKeyID)
	}
	if si.serial == nil || c.SerialNumber == nil || si.serial.Cmp(c.SerialNumber) != 0 {
		return false
	}
	if bytes.Equal(si.issuer, c.RawIssuer) {
		return true
	}
	// The same name in other string types: compare as text.
	return nameString(si.issuer) == nameString(c.RawIssuer)
}
