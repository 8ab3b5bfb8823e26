package crl

import (
	"bytes"
	"encoding/asn1"
	"fmt"
	"math/big"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/podpis/podpis/certstore/cert"
	"github.com/podpis/podpis/certstore/oid"
	"github.com/podpis/podpis/internal/asn1read"
)

// entryFields is one revokedCertificates entry as decodeEntry reads it,
// without allocating: the byte slices alias the CRL.
type entryFields struct {
	serial        []byte // INTEGER content octets
	revoked       instant
	reason        Reason
	invalidity    instant
	hasInvalidity bool
	// issuerNames is the certificateIssuer GeneralNames (contents) when
	// this entry carries the extension, else nil.
	issuerNames []byte
	// unknownCritical is set when the entry has a critical extension this
	// package does not understand; checkEntries then names it.
	unknownCritical bool
	extensions      []byte // crlEntryExtensions contents, for that slow path
}

// The entry extensions decodeEntry understands, told apart by the last
// octet of their DER OID 2.5.29.x (octets 0x55 0x1D x).
const (
	idCEReasonCode        = 21 // 2.5.29.21
	idCEInvalidityDate    = 24 // 2.5.29.24
	idCECertificateIssuer = 29 // 2.5.29.29
)

// entryExtension returns the x of an OID 2.5.29.x from its DER contents,
// or -1 for any other OID.
func entryExtension(id []byte) int {
	if len(id) == 3 && id[0] == 0x55 && id[1] == 0x1D && id[2] < 0x80 {
		return int(id[2])
	}
	return -1
}

// decodeEntry reads the next entry of s into f. On failure it returns the
// name of the entry's field that is malformed ("" for the entry itself).
func decodeEntry(s *cryptobyte.String, f *entryFields) (string, error) {
	*f = entryFields{reason: ReasonNone}
	var entry cryptobyte.String
	if !s.ReadASN1(&entry, cbasn1.SEQUENCE) {
		return "", fmt.Errorf("%w: expected SEQUENCE { userCertificate, revocationDate, crlEntryExtensions }", cert.ErrTruncated)
	}
	// userCertificate CertificateSerialNumber: the content octets are kept
	// as they are; non-minimal encodings are accepted, an empty one is not.
	if !entry.ReadASN1Bytes(&f.serial, cbasn1.INTEGER) || len(f.serial) == 0 {
		return "userCertificate", fmt.Errorf("%w: expected an INTEGER", cert.ErrTruncated)
	}
	var err error
	if f.revoked, err = readInstant(&entry); err != nil {
		return "revocationDate", err
	}
	if entry.Empty() {
		return "", nil
	}
	var exts cryptobyte.String
	if !entry.ReadASN1(&exts, cbasn1.SEQUENCE) {
		return "crlEntryExtensions", fmt.Errorf("%w: expected a SEQUENCE OF Extension", cert.ErrTruncated)
	}
	if !entry.Empty() {
		return "", fmt.Errorf("%w: after crlEntryExtensions", cert.ErrTrailingData)
	}
	f.extensions = exts
	var seen uint32 // bit x for each 2.5.29.x understood
	for !exts.Empty() {
		var ext cryptobyte.String
		var id []byte
		if !exts.ReadASN1(&ext, cbasn1.SEQUENCE) || !ext.ReadASN1Bytes(&id, cbasn1.OBJECT_IDENTIFIER) {
			return "crlEntryExtensions", fmt.Errorf("%w: expected SEQUENCE { extnID, critical, extnValue }", cert.ErrTruncated)
		}
		critical := false
		if ext.PeekASN1Tag(cbasn1.BOOLEAN) && !asn1read.Boolean(&ext, cbasn1.BOOLEAN, &critical) {
			return "crlEntryExtensions", fmt.Errorf("%w: critical is not a one-octet BOOLEAN", cert.ErrBadValue)
		}
		var value cryptobyte.String
		if !ext.ReadASN1(&value, cbasn1.OCTET_STRING) || !ext.Empty() {
			return "crlEntryExtensions", fmt.Errorf("%w: extnValue is not an OCTET STRING", cert.ErrTruncated)
		}
		kind := entryExtension(id)
		switch kind {
		case idCEReasonCode, idCEInvalidityDate, idCECertificateIssuer:
			if seen&(1<<kind) != 0 {
				return entryExtensionName(kind), cert.ErrDuplicate
			}
			seen |= 1 << kind
		}
		switch kind {
		case idCEReasonCode:
			if f.reason, err = decodeReason(value); err != nil {
				return "crlEntryExtensions.reasonCode", err
			}
		case idCEInvalidityDate:
			// GeneralizedTime; a UTCTime is accepted too.
			if f.invalidity, err = readInstant(&value); err != nil {
				return "crlEntryExtensions.invalidityDate", err
			}
			if !value.Empty() {
				return "crlEntryExtensions.invalidityDate", cert.ErrTrailingData
			}
			f.hasInvalidity = true
		case idCECertificateIssuer:
			if f.issuerNames, err = decodeGeneralNames(value); err != nil {
				return "crlEntryExtensions.certificateIssuer", err
			}
		default:
			if critical {
				f.unknownCritical = true
			}
		}
	}
	return "", nil
}

func entryExtensionName(kind int) string {
	switch kind {
	case idCEReasonCode:
		return "crlEntryExtensions.reasonCode"
	case idCEInvalidityDate:
		return "crlEntryExtensions.invalidityDate"
	}
	return "crlEntryExtensions.certificateIssuer"
}

// CRLReason ::= ENUMERATED. Values RFC 5280 does not define are kept (as
// Reason(n)) rather than failing the list; some software writes the
// reason as an INTEGER, which is accepted too.
func decodeReason(v cryptobyte.String) (Reason, error) {
	var b []byte
	tag := cbasn1.ENUM
	if v.PeekASN1Tag(cbasn1.INTEGER) {
		tag = cbasn1.INTEGER
	}
	if !v.ReadASN1Bytes(&b, tag) {
		return 0, fmt.Errorf("%w: expected an ENUMERATED", cert.ErrTruncated)
	}
	if !v.Empty() {
		return 0, cert.ErrTrailingData
	}
	// Redundant leading zero octets are harmless; the index keeps the
	// reason in one octet, 0xFF meaning none.
	for len(b) > 1 && b[0] == 0 {
		b = b[1:]
	}
	if len(b) != 1 || b[0] >= 0x80 {
		return 0, fmt.Errorf("%w: reason code %x is out of range", cert.ErrBadValue, b)
	}
	return Reason(b[0]), nil
}

// GeneralNames ::= SEQUENCE SIZE (1..MAX) OF GeneralName; returns the
// contents after checking each name is a whole element.
func decodeGeneralNames(v cryptobyte.String) ([]byte, error) {
	var names cryptobyte.String
	if !v.ReadASN1(&names, cbasn1.SEQUENCE) || !v.Empty() {
		return nil, fmt.Errorf("%w: expected GeneralNames", cert.ErrTruncated)
	}
	if names.Empty() {
		return nil, fmt.Errorf("%w: GeneralNames is empty", cert.ErrBadValue)
	}
	for rest := names; !rest.Empty(); {
		if !skipAny(&rest) {
			return nil, fmt.Errorf("%w: bad GeneralName", cert.ErrTruncated)
		}
	}
	return names, nil
}

func skipAny(s *cryptobyte.String) bool {
	var element cryptobyte.String
	return s.ReadAnyASN1Element(&element, nil)
}

// namesIssuer reports whether GeneralNames contents include a
// directoryName that is exactly rawIssuer.
func namesIssuer(names []byte, rawIssuer []byte) bool {
	s := cryptobyte.String(names)
	for !s.Empty() {
		var content cryptobyte.String
		var tag cbasn1.Tag
		if !s.ReadAnyASN1(&content, &tag) {
			return false
		}
		if tag == tagExplicit4 && bytes.Equal(content, rawIssuer) {
			return true
		}
	}
	return false
}

// forEach decodes the entries in order and calls fn with each and whether
// it belongs to another issuer than the CRL's. RFC 5280 5.3.3: in an
// indirect CRL, certificateIssuer names the issuer of its entry and of
// every following entry up to the next certificateIssuer; before the
// first one, entries are the CRL issuer's.
func (c *CRL) forEach(fn func(index int, f *entryFields, otherIssuer bool) error) error {
	s := cryptobyte.String(c.entries)
	var f entryFields
	other := false
	for i := 0; !s.Empty(); i++ {
		if field, err := decodeEntry(&s, &f); err != nil {
			name := fmt.Sprintf("revokedCertificates[%d]", i)
			if field != "" {
				name += "." + field
			}
			return fieldError(name, err)
		}
		if f.issuerNames != nil {
			other = !namesIssuer(f.issuerNames, c.RawIssuer)
		}
		if err := fn(i, &f, other); err != nil {
			return err
		}
	}
	return nil
}

// checkEntries validates every entry once, so that Entries and WriteIndex
// cannot fail later, counts them, and adds the entries' unknown critical
// extensions to UnhandledCritical: RFC 5280 5.3 makes them as binding as
// a CRL extension.
func checkEntries(c *CRL) error {
	count := 0
	err := c.forEach(func(i int, f *entryFields, _ bool) error {
		count++
		if f.unknownCritical {
			return c.addUnknownCritical(i, f.extensions)
		}
		return nil
	})
	c.Count = count
	return err
}

func (c *CRL) addUnknownCritical(index int, extensions []byte) error {
	s := cryptobyte.String(extensions)
	for !s.Empty() {
		var ext cryptobyte.String
		var id asn1.ObjectIdentifier
		critical := false
		s.ReadASN1(&ext, cbasn1.SEQUENCE) // checked by decodeEntry
		if !ext.ReadASN1ObjectIdentifier(&id) {
			return fieldError(fmt.Sprintf("revokedCertificates[%d].crlEntryExtensions", index),
				fmt.Errorf("%w: extnID is not a valid OBJECT IDENTIFIER", cert.ErrBadValue))
		}
		if ext.PeekASN1Tag(cbasn1.BOOLEAN) {
			asn1read.Boolean(&ext, cbasn1.BOOLEAN, &critical)
		}
		if !critical || knownEntryExtension(id) {
			continue
		}
		known := false
		for _, u := range c.UnhandledCritical {
			known = known || u.Equal(id)
		}
		if !known {
			c.UnhandledCritical = append(c.UnhandledCritical, id)
		}
	}
	return nil
}

func knownEntryExtension(id asn1.ObjectIdentifier) bool {
	return id.Equal(oid.ExtReasonCode) || id.Equal(oid.ExtInvalidityDate) || id.Equal(oid.ExtCertificateIssuer)
}

func (c *CRL) walk(visit func(Entry) error) error {
	return c.forEach(func(_ int, f *entryFields, other bool) error {
		e := Entry{
			Serial:            f.serial,
			RevocationTime:    f.revoked.time(),
			Reason:            f.reason,
			CertificateIssuer: other,
		}
		if f.hasInvalidity {
			e.InvalidityDate = f.invalidity.time()
		}
		return visit(e)
	})
}

func serialBytes(n *big.Int) []byte {
	if n == nil {
		return nil
	}
	if n.Sign() >= 0 {
		b := n.Bytes()
		if len(b) == 0 || b[0]&0x80 != 0 {
			return append([]byte{0}, b...)
		}
		return b
	}
	// Two's complement of a negative n: the bits of -n-1, inverted, with
	// a leading 0xFF when the top bit would otherwise read positive.
	m := new(big.Int).Neg(n)
	m.Sub(m, big.NewInt(1))
	b := m.Bytes()
	for i := range b {
		b[i] = ^b[i]
	}
	if len(b) == 0 || b[0]&0x80 == 0 {
		return append([]byte{0xFF}, b...)
	}
	return b
}
