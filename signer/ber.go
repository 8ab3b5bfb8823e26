package signer

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
)

// BER as other tools write CMS: OpenSSL's `cms -stream`, CryptoPro and
// others use indefinite lengths for the outer structures and cut the
// content into a constructed OCTET STRING of chunks. This file reads such
// input from a stream, so an attached signature of any size is parsed
// without holding its content in memory, and normalises the small parts
// (certificates, SignerInfos) to DER so cryptobyte can parse them.

// maxDepth bounds nesting: real CMS has at most a dozen levels.
const maxDepth = 64

// berHeader is an element's identifier and length.
type berHeader struct {
	class       byte // 0 universal, 1 application, 2 context, 3 private (the top two bits)
	constructed bool
	tag         uint32
	length      int64 // -1 for the indefinite form
	raw         []byte
}

func (h berHeader) is(class byte, constructed bool, tag uint32) bool {
	return h.class == class && h.constructed == constructed && h.tag == tag
}

func (h berHeader) isEOC() bool { return h.class == 0 && !h.constructed && h.tag == 0 && h.length == 0 }

// What an element is, for error messages.
func (h berHeader) String() string {
	classes := [...]string{"universal", "application", "context", "private"}
	form := "primitive"
	if h.constructed {
		form = "constructed"
	}
	return fmt.Sprintf("%s %s tag %d", classes[h.class&3], form, h.tag)
}

const (
	classUniversal = 0
	classContext   = 2

	tagInteger     = 2
	tagBitString   = 3
	tagOctetString = 4
	tagOID         = 6
	tagSequence    = 16
	tagSet         = 17
)

// errTruncated and errMalformed are the causes wrapped by the parser's
// *Error values.
var (
	errTruncated = errors.New("the data ends too early")
	errMalformed = errors.New("malformed BER")
)

// parseHeader reads an identifier and length from the start of b. It
// returns the header and its size, or an error wrapping errTruncated when
// b ends inside it.
func parseHeader(b []byte) (berHeader, int, error) {
	if len(b) < 2 {
		return berHeader{}, 0, errTruncated
	}
	h := berHeader{class: b[0] >> 6, constructed: b[0]&0x20 != 0, tag: uint32(b[0] & 0x1f)}
	n := 1
	if h.tag == 0x1f { // high tag number form
		h.tag = 0
		for {
			if n >= len(b) {
				return berHeader{}, 0, errTruncated
			}
			c := b[n]
			n++
			if h.tag > 1<<24 {
				return berHeader{}, 0, fmt.Errorf("%w: tag number too large", errMalformed)
			}
			h.tag = h.tag<<7 | uint32(c&0x7f)
			if c&0x80 == 0 {
				break
			}
		}
	}
	if n >= len(b) {
		return berHeader{}, 0, errTruncated
	}
	l := b[n]
	n++
	switch {
	case l < 0x80:
		h.length = int64(l)
	case l == 0x80:
		if !h.constructed {
			return berHeader{}, 0, fmt.Errorf("%w: indefinite length on a primitive element", errMalformed)
		}
		h.length = -1
	default:
		size := int(l & 0x7f)
		if size > 8 || l == 0xff {
			return berHeader{}, 0, fmt.Errorf("%w: length of %d bytes", errMalformed, size)
		}
		if n+size > len(b) {
			return berHeader{}, 0, errTruncated
		}
		var v uint64
		for _, c := range b[n : n+size] {
			v = v<<8 | uint64(c)
		}
		if v > 1<<62 {
			return berHeader{}, 0, fmt.Errorf("%w: length %d", errMalformed, v)
		}
		h.length = int64(v)
		n += size
	}
	h.raw = b[:n]
	return h, n, nil
}

// appendHeader appends a DER identifier and definite length.
func appendHeader(dst []byte, class byte, constructed bool, tag uint32, length int) []byte {
	first := class << 6
	if constructed {
		first |= 0x20
	}
	if tag < 0x1f {
		dst = append(dst, first|byte(tag))
	} else {
		dst = append(dst, first|0x1f)
		var digits []byte
		for t := tag; ; t >>= 7 {
			digits = append([]byte{byte(t & 0x7f)}, digits...)
			if t < 0x80 {
				break
			}
		}
		for i := range len(digits) - 1 {
			digits[i] |= 0x80
		}
		dst = append(dst, digits...)
	}
	return appendLength(dst, length)
}

func appendLength(dst []byte, length int) []byte {
	if length < 0x80 {
		return append(dst, byte(length))
	}
	var digits []byte
	for l := length; l > 0; l >>= 8 {
		digits = append([]byte{byte(l)}, digits...)
	}
	dst = append(dst, 0x80|byte(len(digits)))
	return append(dst, digits...)
}

// stringTag reports universal types whose constructed BER form is a
// sequence of segments that DER joins into one primitive value.
func stringTag(tag uint32) bool {
	switch tag {
	case tagBitString, tagOctetString, 12, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 30:
		return true
	}
	return false
}

// toDER normalises one BER element (the whole of b) to DER: definite
// minimal lengths, constructed strings joined. The order of SET members is
// kept: signed attributes are verified in the order received (RFC 5652
// 5.4; OpenSSL does the same). DER input comes back unchanged.
func toDER(b []byte) ([]byte, error) {
	out, rest, err := appendDER(nil, b, 0)
	if err != nil {
		return nil, err
	}
	if len(rest) != 0 {
		return nil, fmt.Errorf("%w: %d bytes after the element", errMalformed, len(rest))
	}
	return out, nil
}

// appendDER converts the element at the start of b and returns the rest.
func appendDER(dst, b []byte, depth int) ([]byte, []byte, error) {
	if depth > maxDepth {
		return nil, nil, fmt.Errorf("%w: nested too deeply", errMalformed)
	}
	h, n, err := parseHeader(b)
	if err != nil {
		return nil, nil, err
	}
	b = b[n:]
	if !h.constructed {
		if h.length > int64(len(b)) {
			return nil, nil, errTruncated
		}
		dst = appendHeader(dst, h.class, false, h.tag, int(h.length))
		return append(dst, b[:h.length]...), b[h.length:], nil
	}
	var body, rest []byte
	if h.length >= 0 {
		if h.length > int64(len(b)) {
			return nil, nil, errTruncated
		}
		body, rest = b[:h.length], b[h.length:]
	} else {
		body = b // children up to the end-of-contents octets
	}
	var kids []byte
	for {
		if h.length >= 0 && len(body) == 0 {
			break
		}
		if h.length < 0 {
			if len(body) < 2 {
				return nil, nil, errTruncated
			}
			if body[0] == 0 && body[1] == 0 {
				rest = body[2:]
				break
			}
		}
		if kids, body, err = appendDER(kids, body, depth+1); err != nil {
			return nil, nil, err
		}
	}
	if h.class == classUniversal && stringTag(h.tag) {
		value, err := joinSegments(h.tag, kids)
		if err != nil {
			return nil, nil, err
		}
		dst = appendHeader(dst, classUniversal, false, h.tag, len(value))
		return append(dst, value...), rest, nil
	}
	dst = appendHeader(dst, h.class, true, h.tag, len(kids))
	return append(dst, kids...), rest, nil
}

// joinSegments joins the DER segments of a constructed string into its
// value. A BIT STRING's segments each start with an unused-bits octet;
// only the last may be non-zero.
func joinSegments(tag uint32, segments []byte) ([]byte, error) {
	var value []byte
	unused := byte(0)
	for len(segments) > 0 {
		h, n, err := parseHeader(segments)
		if err != nil {
			return nil, err
		}
		if h.constructed || h.class != classUniversal || h.tag != tag {
			return nil, fmt.Errorf("%w: a segment of a constructed string is %s", errMalformed, h)
		}
		seg := segments[n : n+int(h.length)]
		segments = segments[n+int(h.length):]
		if tag == tagBitString {
			if len(seg) == 0 || unused != 0 {
				return nil, fmt.Errorf("%w: BIT STRING segment", errMalformed)
			}
			unused, seg = seg[0], seg[1:]
		}
		value = append(value, seg...)
	}
	if tag == tagBitString {
		value = append([]byte{unused}, value...)
	}
	return value, nil
}

// berReader reads BER elements from a stream, counting the offset so that
// definite lengths of the outer structures can be followed.
type berReader struct {
	r   *bufio.Reader
	off int64
}

func newBERReader(r io.Reader) *berReader {
	br, ok := r.(*bufio.Reader)
	if !ok || br.Size() < 64<<10 {
		br = bufio.NewReaderSize(r, 64<<10)
	}
	return &berReader{r: br}
}

// readHeader reads the next identifier and length.
func (b *berReader) readHeader() (berHeader, error) {
	// A header is at most 1 + 5 (tag) + 9 (length) bytes.
	peek, err := b.r.Peek(16)
	if err != nil && len(peek) == 0 {
		if err == io.EOF {
			return berHeader{}, errTruncated
		}
		return berHeader{}, err
	}
	h, n, perr := parseHeader(peek)
	if perr != nil {
		if errors.Is(perr, errTruncated) && err != nil && err != io.EOF {
			return berHeader{}, err // the reader failed (bad Base64...), not the data
		}
		return berHeader{}, perr
	}
	h.raw = bytes.Clone(h.raw)
	b.r.Discard(n)
	b.off += int64(n)
	return h, nil
}

// readFull reads exactly n bytes. Memory grows with the bytes that really
// arrive, not with the length a (possibly hostile) header declares.
func (b *berReader) readFull(n int64) ([]byte, error) {
	if n <= 64<<10 {
		buf := make([]byte, n)
		if _, err := io.ReadFull(b.r, buf); err != nil {
			if err == io.EOF || err == io.ErrUnexpectedEOF {
				return nil, errTruncated
			}
			return nil, err
		}
		b.off += n
		return buf, nil
	}
	var buf bytes.Buffer
	got, err := io.CopyN(&buf, b.r, n)
	b.off += got
	if err == io.EOF {
		return nil, errTruncated
	}
	if err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// readElement reads the content of the element whose header h was just
// read and returns the whole element (header and content) as it was
// encoded. limit bounds its size: the parts read whole (certificates,
// SignerInfos) are small, and a bound keeps a hostile file from using up
// memory.
func (b *berReader) readElement(h berHeader, limit int64) ([]byte, error) {
	var out []byte
	if err := b.appendElement(&out, h, limit, 0); err != nil {
		return nil, err
	}
	return out, nil
}

func (b *berReader) appendElement(out *[]byte, h berHeader, limit int64, depth int) error {
	if depth > maxDepth {
		return fmt.Errorf("%w: nested too deeply", errMalformed)
	}
	*out = append(*out, h.raw...)
	if h.length >= 0 {
		if int64(len(*out))+h.length > limit {
			return fmt.Errorf("%w: an element of %d bytes is larger than the %d allowed", errMalformed, h.length, limit)
		}
		content, err := b.readFull(h.length)
		if err != nil {
			return err
		}
		*out = append(*out, content...)
		return nil
	}
	for {
		kid, err := b.readHeader()
		if err != nil {
			return err
		}
		if kid.isEOC() {
			*out = append(*out, 0, 0)
			return nil
		}
		if err := b.appendElement(out, kid, limit, depth+1); err != nil {
			return err
		}
	}
}

// skip reads past the content of the element whose header h was just read.
func (b *berReader) skip(h berHeader) error {
	if h.length >= 0 {
		n, err := b.r.Discard(int(h.length))
		b.off += int64(n)
		if err != nil {
			return errTruncated
		}
		return nil
	}
	for {
		kid, err := b.readHeader()
		if err != nil {
			return err
		}
		if kid.isEOC() {
			return nil
		}
		if err := b.skip(kid); err != nil {
			return err
		}
	}
}

// frame is an open constructed element whose children are being read.
type frame struct{ end int64 } // -1: indefinite, ends at end-of-contents

func (b *berReader) open(h berHeader) frame {
	if h.length < 0 {
		return frame{end: -1}
	}
	return frame{end: b.off + h.length}
}

// more reports whether f has another child; at the end of an indefinite
// frame it consumes the end-of-contents octets.
func (b *berReader) more(f frame) (bool, error) {
	if f.end >= 0 {
		if b.off > f.end {
			return false, fmt.Errorf("%w: an element runs past the end of its parent", errMalformed)
		}
		return b.off < f.end, nil
	}
	peek, err := b.r.Peek(2)
	if err != nil {
		return false, errTruncated
	}
	if peek[0] == 0 && peek[1] == 0 {
		b.r.Discard(2)
		b.off += 2
		return false, nil
	}
	return true, nil
}

// close checks that f has no children left.
func (b *berReader) close(f frame) error {
	more, err := b.more(f)
	if err != nil {
		return err
	}
	if more {
		return fmt.Errorf("%w: unexpected data at the end of a structure", errMalformed)
	}
	return nil
}

// streamOctets copies the value of the OCTET STRING whose header h was
// just read to w: primitive, or constructed from segments (nested, of any
// length form), as OpenSSL -stream and others write large content. It
// returns the number of value bytes.
func (b *berReader) streamOctets(h berHeader, w io.Writer, buf []byte, depth int) (int64, error) {
	if depth > maxDepth {
		return 0, fmt.Errorf("%w: nested too deeply", errMalformed)
	}
	if !h.constructed {
		n, err := io.CopyBuffer(w, io.LimitReader(b.r, h.length), buf)
		b.off += n
		if err != nil {
			return n, err
		}
		if n != h.length {
			return n, errTruncated
		}
		return n, nil
	}
	f := b.open(h)
	var total int64
	for {
		more, err := b.more(f)
		if err != nil {
			return total, err
		}
		if !more {
			return total, nil
		}
		seg, err := b.readHeader()
		if err != nil {
			return total, err
		}
		if !seg.is(classUniversal, seg.constructed, tagOctetString) {
			return total, fmt.Errorf("%w: a segment of the content is %s, not an OCTET STRING", errMalformed, seg)
		}
		n, err := b.streamOctets(seg, w, buf, depth+1)
		total += n
		if err != nil {
			return total, err
		}
	}
}

// onlyWriter hides any ReadFrom method of w, so io.CopyBuffer uses the
// given buffer rather than one of its own.
type onlyWriter struct{ io.Writer }
