package format

import (
	"fmt"
	"math"

	"golang.org/x/crypto/cryptobyte"
)

// Real .p7b, .p7s and .pfx files written by Windows and CryptoPro use BER:
// constructed elements with indefinite length, closed by an end-of-contents
// marker (00 00). cryptobyte reads only DER, so the outer layers of PKCS#7
// and PKCS#12 are walked by this small BER reader. It never rewrites bytes:
// every element keeps the exact slice of the input it came from, so a
// certificate taken out of a bundle is byte for byte what its CA signed.

// ASN.1 tag classes (the top two bits of the identifier octet).
const (
	classUniversal       = 0
	classContextSpecific = 2
)

// Universal tag numbers used by the sniffer.
const (
	tagInteger         = 2
	tagBitString       = 3
	tagOctetString     = 4
	tagOID             = 6
	tagSequence        = 16
	tagSet             = 17
	tagUTCTime         = 23
	tagGeneralizedTime = 24
)

// maxBERDepth bounds how deeply indefinite-length elements may nest. Real
// files need fewer than ten levels; the bound keeps hostile input from
// recursing without end.
const maxBERDepth = 64

// maxBERLength bounds the length an element may claim. No certificate file
// or container comes near it, and it keeps offsets within an int anywhere.
const maxBERLength = math.MaxInt32 - 16

// berElement is one BER element: its tag, and the slices of input holding
// the whole encoding and the contents.
type berElement struct {
	class       uint8
	constructed bool
	number      uint32
	indefinite  bool
	raw         []byte // identifier, length, contents and (indefinite) end-of-contents
	content     []byte // contents only, without the end-of-contents marker
}

// is reports whether the element has the given class and tag number, be it
// primitive or constructed (BER allows both for strings).
func (e berElement) is(class uint8, number uint32) bool {
	return e.class == class && e.number == number
}

// isUniversal reports whether the element is the given universal type,
// checking that SEQUENCE/SET are constructed and INTEGER/OID primitive.
func (e berElement) isUniversal(number uint32) bool {
	if e.class != classUniversal || e.number != number {
		return false
	}
	switch number {
	case tagSequence, tagSet:
		return e.constructed
	case tagInteger, tagOID:
		return !e.constructed
	}
	return true
}

func (e berElement) isContext(number uint32) bool {
	return e.is(classContextSpecific, number) && e.constructed
}

// smallInt returns the value of a universal INTEGER between 0 and 127.
// The sniffer only compares version numbers, which are all that small.
func (e berElement) smallInt() (int, bool) {
	if !e.isUniversal(tagInteger) || len(e.content) != 1 || e.content[0] >= 0x80 {
		return 0, false
	}
	return int(e.content[0]), true
}

// truncatedError says the input ends before an element does.
type truncatedError struct {
	need, have int
}

func (e *truncatedError) Error() string {
	return fmt.Sprintf("needs %d bytes, has %d", e.need, e.have)
}

// malformedError says an element is not valid BER.
type malformedError struct {
	offset int // from the start of the input; -1 when not known
	what   string
}

func (e *malformedError) Error() string {
	if e.offset < 0 {
		return "malformed ASN.1: " + e.what
	}
	return fmt.Sprintf("malformed ASN.1 at byte %d: %s", e.offset, e.what)
}

// readBER reads the element starting at data[off:]. Errors are
// *truncatedError (with offsets counted from the start of data) or
// *malformedError.
func readBER(data []byte, off, depth int) (berElement, error) {
	if depth > maxBERDepth {
		return berElement{}, &malformedError{off, fmt.Sprintf("more than %d nested indefinite-length elements", maxBERDepth)}
	}
	input := cryptobyte.String(data[off:])
	// pos is the absolute offset just past what was read so far.
	pos := func() int { return len(data) - len(input) }

	var identifier uint8
	if !input.ReadUint8(&identifier) {
		return berElement{}, &truncatedError{off + 1, len(data)}
	}
	el := berElement{
		class:       identifier >> 6,
		constructed: identifier&0x20 != 0,
		number:      uint32(identifier & 0x1f),
	}
	if identifier == 0 {
		return berElement{}, &malformedError{off, "end-of-contents marker where an element should be"}
	}
	if el.number == 0x1f {
		// High-tag-number form: base-128 digits, the last without bit 8.
		el.number = 0
		for digits := 0; ; digits++ {
			var b uint8
			if !input.ReadUint8(&b) {
				return berElement{}, &truncatedError{pos() + 1, len(data)}
			}
			if digits == 4 {
				return berElement{}, &malformedError{off, "tag number longer than 4 bytes"}
			}
			el.number = el.number<<7 | uint32(b&0x7f)
			if b&0x80 == 0 {
				break
			}
		}
	}

	var lengthByte uint8
	if !input.ReadUint8(&lengthByte) {
		return berElement{}, &truncatedError{pos() + 1, len(data)}
	}
	switch {
	case lengthByte == 0x80:
		if !el.constructed {
			return berElement{}, &malformedError{off, "primitive element with indefinite length"}
		}
		return readIndefinite(data, off, pos(), depth, el)
	case lengthByte == 0xff:
		return berElement{}, &malformedError{off, "reserved length octet 0xff"}
	}

	length := uint64(lengthByte)
	if lengthByte > 0x80 {
		// Long form; BER allows leading zero octets, so only the value counts.
		octets := int(lengthByte & 0x7f)
		if octets > 8 {
			return berElement{}, &malformedError{off, fmt.Sprintf("length written in %d bytes", octets)}
		}
		length = 0
		for range octets {
			var b uint8
			if !input.ReadUint8(&b) {
				return berElement{}, &truncatedError{pos() + 1, len(data)}
			}
			length = length<<8 | uint64(b)
			if length > maxBERLength {
				return berElement{}, &malformedError{off, "length beyond any file size"}
			}
		}
	}
	contentStart := pos()
	if length > uint64(len(input)) {
		return berElement{}, &truncatedError{contentStart + int(length), len(data)}
	}
	end := contentStart + int(length)
	el.raw = data[off:end]
	el.content = data[contentStart:end]
	return el, nil
}

// readIndefinite finds the end-of-contents marker of the indefinite-length
// element whose contents start at data[contentStart:], skipping its
// children (which may be indefinite themselves).
func readIndefinite(data []byte, off, contentStart, depth int, el berElement) (berElement, error) {
	el.indefinite = true
	pos := contentStart
	for {
		if pos+2 > len(data) {
			return berElement{}, &truncatedError{pos + 2, len(data)}
		}
		if data[pos] == 0 && data[pos+1] == 0 {
			el.content = data[contentStart:pos]
			el.raw = data[off : pos+2]
			return el, nil
		}
		child, err := readBER(data, pos, depth+1)
		if err != nil {
			return berElement{}, err
		}
		pos += len(child.raw)
	}
}

// children reads the elements inside a constructed element. The parent is
// already known to be complete, so a child that runs past its parent's end
// is malformed, not truncated.
func (e berElement) children() ([]berElement, error) {
	if !e.constructed {
		return nil, &malformedError{-1, "primitive element where a constructed one was expected"}
	}
	var kids []berElement
	for pos := 0; pos < len(e.content); {
		kid, err := readBER(e.content, pos, 0)
		if err != nil {
			if _, ok := err.(*truncatedError); ok {
				return nil, &malformedError{-1, "an element runs past the end of the element that contains it"}
			}
			if malformed, ok := err.(*malformedError); ok {
				// Offsets inside the parent would mislead: drop them.
				return nil, &malformedError{-1, malformed.what}
			}
			return nil, err
		}
		kids = append(kids, kid)
		pos += len(kid.raw)
	}
	return kids, nil
}
