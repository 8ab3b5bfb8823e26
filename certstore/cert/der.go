package cert

import (
	"encoding/asn1"
	"encoding/hex"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/podpis/podpis/internal/asn1read"
	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// Universal tags cryptobyte/asn1 does not name.
const (
	tagNumericString   = cbasn1.Tag(18)
	tagTeletexString   = cbasn1.Tag(20) // T61String
	tagVideotexString  = cbasn1.Tag(21)
	tagGraphicString   = cbasn1.Tag(25)
	tagVisibleString   = cbasn1.Tag(26)
	tagUniversalString = cbasn1.Tag(28)
	tagBMPString       = cbasn1.Tag(30)
)

// Context-specific tags used by the extensions and GeneralName.
var (
	tagContext0  = cbasn1.Tag(0).ContextSpecific()
	tagContext1  = cbasn1.Tag(1).ContextSpecific()
	tagContext2  = cbasn1.Tag(2).ContextSpecific()
	tagContext6  = cbasn1.Tag(6).ContextSpecific()
	tagExplicit0 = cbasn1.Tag(0).ContextSpecific().Constructed()
	tagExplicit3 = cbasn1.Tag(3).ContextSpecific().Constructed()
)

// isStringTag reports whether tag is one of the ASN.1 character string types
// decodeString understands.
func isStringTag(tag cbasn1.Tag) bool {
	switch tag {
	case cbasn1.UTF8String, cbasn1.PrintableString, cbasn1.IA5String, cbasn1.GeneralString,
		tagNumericString, tagTeletexString, tagVideotexString, tagGraphicString,
		tagVisibleString, tagUniversalString, tagBMPString:
		return true
	}
	return false
}

// decodeString turns the contents of a character string of the given tag
// into UTF-8. Invalid sequences become U+FFFD rather than errors: the text is
// for people, and the exact bytes stay in the raw DER.
func decodeString(tag cbasn1.Tag, b []byte) (string, bool) {
	switch tag {
	case cbasn1.UTF8String:
		return strings.ToValidUTF8(string(b), "\uFFFD"), true
	case tagBMPString: // UCS-2 / UTF-16, big-endian
		if len(b)%2 != 0 {
			return "", false
		}
		units := make([]uint16, len(b)/2)
		for i := range units {
			units[i] = uint16(b[2*i])<<8 | uint16(b[2*i+1])
		}
		return string(utf16.Decode(units)), true
	case tagUniversalString: // UCS-4, big-endian
		if len(b)%4 != 0 {
			return "", false
		}
		var sb strings.Builder
		for i := 0; i < len(b); i += 4 {
			r := rune(uint32(b[i])<<24 | uint32(b[i+1])<<16 | uint32(b[i+2])<<8 | uint32(b[i+3]))
			if !utf8.ValidRune(r) {
				r = utf8.RuneError
			}
			sb.WriteRune(r)
		}
		return sb.String(), true
	}
	if !isStringTag(tag) {
		return "", false
	}
	// The 8-bit types (PrintableString, IA5String, TeletexString...) should be
	// ASCII. Russian software writes Cyrillic UTF-8 into them, and older
	// software Latin-1 into TeletexString: UTF-8 when it is valid, else Latin-1.
	if utf8.Valid(b) {
		return string(b), true
	}
	runes := make([]rune, len(b))
	for i, c := range b {
		runes[i] = rune(c)
	}
	return string(runes), true
}

// maxValueDepth bounds the nesting decodeValue follows, so a hostile
// certificate cannot make it recurse deeply.
const maxValueDepth = 8

// decodeValue renders an attribute value element (tag, length, contents) as
// text. Strings are decoded; a SEQUENCE or SET of values (postalAddress as
// SEQUENCE OF strings) is rendered as its values joined by ", "; INTEGER and
// OBJECT IDENTIFIER in decimal; anything else as "#" and the hex of the DER,
// as RFC 4514 does. It fails only on a value that breaks its own encoding.
func decodeValue(element []byte, depth int) (string, bool) {
	s := cryptobyte.String(element)
	var content cryptobyte.String
	var tag cbasn1.Tag
	if !s.ReadAnyASN1(&content, &tag) {
		return "", false
	}
	switch {
	case isStringTag(tag):
		return decodeString(tag, content)
	case (tag == cbasn1.SEQUENCE || tag == cbasn1.SET) && depth < maxValueDepth:
		var parts []string
		for !content.Empty() {
			var part cryptobyte.String
			if !content.ReadAnyASN1Element(&part, nil) {
				return "", false
			}
			text, ok := decodeValue(part, depth+1)
			if !ok {
				return "", false
			}
			if text != "" {
				parts = append(parts, text)
			}
		}
		return strings.Join(parts, ", "), true
	case tag == cbasn1.INTEGER:
		s := cryptobyte.String(element)
		if n, ok := asn1read.Integer(&s); ok {
			return n.String(), true
		}
	case tag == cbasn1.OBJECT_IDENTIFIER:
		s := cryptobyte.String(element)
		var o asn1.ObjectIdentifier
		if s.ReadASN1ObjectIdentifier(&o) {
			return o.String(), true
		}
	}
	return "#" + hex.EncodeToString(element), true
}
