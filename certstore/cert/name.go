package cert

import (
	"encoding/asn1"
	"fmt"
	"strings"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/podpis/podpis/certstore/oid"
)

// parseName parses a Name (SEQUENCE OF RelativeDistinguishedName) from its
// DER element. Values that are not strings do not fail the name: a
// postalAddress written as a SEQUENCE of strings, as some Russian CAs do, is
// rendered as its lines joined (see decodeValue).
func parseName(element []byte) (Name, error) { return ParseName(element) }

// ParseName decodes a Name's DER element (a CRL's or OCSP responder's
// name) as certificate names are decoded. Byte slices alias element.
func ParseName(element []byte) (Name, error) {
	name := Name{Raw: element}
	der := cryptobyte.String(element)
	var rdns cryptobyte.String
	if !der.ReadASN1(&rdns, cbasn1.SEQUENCE) {
		return name, fmt.Errorf("%w: expected a SEQUENCE of RDNs", ErrTruncated)
	}
	for rdnIndex := 0; !rdns.Empty(); rdnIndex++ {
		var set cryptobyte.String
		if !rdns.ReadASN1(&set, cbasn1.SET) {
			return name, fmt.Errorf("%w: RDN %d is not a SET", ErrTruncated, rdnIndex+1)
		}
		first := true
		for !set.Empty() {
			var atv cryptobyte.String
			var typ asn1.ObjectIdentifier
			if !set.ReadASN1(&atv, cbasn1.SEQUENCE) || !atv.ReadASN1ObjectIdentifier(&typ) {
				return name, fmt.Errorf("%w: RDN %d has an attribute that is not SEQUENCE { type, value }", ErrTruncated, rdnIndex+1)
			}
			var value cryptobyte.String
			if !atv.ReadAnyASN1Element(&value, nil) {
				return name, fmt.Errorf("%w: attribute %s has no value", ErrTruncated, typ)
			}
			if !atv.Empty() {
				return name, fmt.Errorf("%w: attribute %s has more than one value", ErrTrailingData, typ)
			}
			text, ok := decodeValue(value, 0)
			if !ok {
				return name, fmt.Errorf("%w: attribute %s (%s) cannot be decoded", ErrBadValue, typ, oid.ShortName(typ))
			}
			name.Attributes = append(name.Attributes, Attribute{
				Type:              typ,
				Value:             text,
				RawValue:          value,
				SameRDNAsPrevious: !first,
			})
			first = false
		}
	}
	return name, nil
}

// Get returns the first value of the attribute type t, or "" when absent.
func (n Name) Get(t asn1.ObjectIdentifier) string {
	for _, a := range n.Attributes {
		if a.Type.Equal(t) {
			return a.Value
		}
	}
	return ""
}

// Values returns every value of the attribute type t, in DER order.
func (n Name) Values(t asn1.ObjectIdentifier) []string {
	var values []string
	for _, a := range n.Attributes {
		if a.Type.Equal(t) {
			values = append(values, a.Value)
		}
	}
	return values
}

// CommonName is the first CN.
func (n Name) CommonName() string { return n.Get(oid.CommonName) }

// Organization is the first O.
func (n Name) Organization() string { return n.Get(oid.Organization) }

// String renders the name on one line for people, most specific first as in
// RFC 4514 ("CN=Иванов Иван, O=ООО Ромашка, C=RU"), with the short names of
// the oid registry and dotted OIDs for unknown types. Values are not escaped:
// this is for display and logs, not to be parsed back.
func (n Name) String() string {
	// Group into RDNs, then print the RDNs in reverse DER order.
	var rdns [][]Attribute
	for _, a := range n.Attributes {
		if a.SameRDNAsPrevious && len(rdns) > 0 {
			rdns[len(rdns)-1] = append(rdns[len(rdns)-1], a)
		} else {
			rdns = append(rdns, []Attribute{a})
		}
	}
	var sb strings.Builder
	for i := len(rdns) - 1; i >= 0; i-- {
		if i != len(rdns)-1 {
			sb.WriteString(", ")
		}
		for j, a := range rdns[i] {
			if j > 0 {
				sb.WriteString("+")
			}
			sb.WriteString(oid.ShortName(a.Type))
			sb.WriteString("=")
			sb.WriteString(a.Value)
		}
	}
	return sb.String()
}
