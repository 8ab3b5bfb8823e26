package format

import (
	"bytes"
	"encoding/base64"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// Byte order marks seen at the start of certificate files saved by Windows
// Notepad and web browsers.
const (
	bomUTF8    = "\xef\xbb\xbf"
	bomUTF16LE = "\xff\xfe"
	bomUTF16BE = "\xfe\xff"
)

// minBareBase64 is the least number of Base64 characters taken for a
// certificate without PEM headers. The smallest real certificate is several
// hundred characters; shorter text that happens to be Base64 is a word.
const minBareBase64 = 32

// detailLineRunes bounds the first line of text quoted in an error detail.
const detailLineRunes = 60

// Sniff says what data is, by its content only: one or more certificates
// (PEM, DER, Base64 without headers, PKCS#7 bundles and signatures) or a
// PKCS#12 container. Anything else is an *Error whose Reason says what the
// file looks like instead. The returned slices do not alias data.
func Sniff(data []byte) (*Result, error) {
	res, err := sniff(data)
	if err != nil {
		// A nil *Error must not become a non-nil error interface.
		return nil, err
	}
	return res, nil
}

func sniff(data []byte) (*Result, *Error) {
	if bytes.HasPrefix(data, []byte(bomUTF16LE)) || bytes.HasPrefix(data, []byte(bomUTF16BE)) {
		return sniffText(decodeUTF16(data))
	}
	text := bytes.TrimPrefix(data, []byte(bomUTF8))
	if len(bytes.TrimSpace(text)) == 0 {
		return nil, &Error{Reason: ReasonEmpty}
	}
	switch {
	case data[0] == 0x30 && len(data) >= 2 && (data[1] >= 0x80 || !looksLikeText(data)):
		// A SEQUENCE with a long-form or indefinite length, or binary bytes:
		// DER or BER. Text that starts with the digit 0 goes on below.
		return sniffDER(data, EncodingDER)
	case looksLikeText(text) || bytes.Contains(text, []byte("-----BEGIN ")):
		return sniffText(text)
	}
	return nil, &Error{Reason: ReasonUnknown, Detail: describeBinary(data)}
}

// looksLikeText reports whether data has no control characters other than
// white space. Every DER file has some (tags 0x02, 0x03, 0x06...).
func looksLikeText(data []byte) bool {
	for _, c := range data {
		if (c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != '\v') || c == 0x7f {
			return false
		}
	}
	return true
}

// decodeUTF16 turns UTF-16 text with a byte order mark (Windows "Unicode"
// text files) into UTF-8.
func decodeUTF16(data []byte) []byte {
	bigEndian := bytes.HasPrefix(data, []byte(bomUTF16BE))
	data = data[2:]
	units := make([]uint16, 0, len(data)/2)
	for i := 0; i+1 < len(data); i += 2 {
		if bigEndian {
			units = append(units, uint16(data[i])<<8|uint16(data[i+1]))
		} else {
			units = append(units, uint16(data[i+1])<<8|uint16(data[i]))
		}
	}
	return []byte(string(utf16.Decode(units)))
}

// sniffText handles text: PEM, or Base64 without headers, or neither.
func sniffText(text []byte) (*Result, *Error) {
	if len(bytes.TrimSpace(text)) == 0 {
		return nil, &Error{Reason: ReasonEmpty}
	}
	blocks, err := scanPEM(text)
	if err != nil {
		return nil, err
	}
	if len(blocks) > 0 {
		return fromPEMBlocks(blocks)
	}
	if der, ok := decodeBareBase64(text); ok {
		return sniffDER(der, EncodingBase64)
	}
	return nil, &Error{Reason: ReasonTextNotPEM, Detail: firstLine(text)}
}

// decodeBareBase64 decodes text that is only Base64 (wrapped or not, any
// line endings, spaces, padding or none) of something that starts like an
// ASN.1 SEQUENCE, as CAs and Госуслуги hand certificates out.
func decodeBareBase64(text []byte) ([]byte, bool) {
	b64 := make([]byte, 0, len(text))
	for _, c := range text {
		switch {
		case isSpace(c):
		case isBase64Char(c) || c == '=':
			b64 = append(b64, c)
		default:
			return nil, false
		}
	}
	b64 = bytes.TrimRight(b64, "=")
	if len(b64) < minBareBase64 {
		return nil, false
	}
	der := make([]byte, base64.RawStdEncoding.DecodedLen(len(b64)))
	n, err := base64.RawStdEncoding.Decode(der, b64)
	if err != nil || n == 0 || der[0] != 0x30 {
		return nil, false
	}
	return der[:n], true
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v'
}

func isBase64Char(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '+' || c == '/'
}

// firstLine returns the first non-blank line of text for an error detail,
// cut to detailLineRunes characters, or "" when it is not printable text
// (e.g. a legacy 8-bit encoding) that would show as garbage.
func firstLine(text []byte) string {
	s := string(text)
	for line := range strings.Lines(s) {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		if !utf8.ValidString(line) {
			return ""
		}
		runes := []rune(line)
		if len(runes) > detailLineRunes {
			runes = runes[:detailLineRunes]
		}
		for _, r := range runes {
			if !unicode.IsPrint(r) && r != '\t' {
				return ""
			}
		}
		return string(runes)
	}
	return ""
}
