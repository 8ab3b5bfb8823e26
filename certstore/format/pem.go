package format

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
)

// PEM is read here rather than with encoding/pem because encoding/pem skips
// a block whose Base64 is broken without a word, and people need to hear
// which block and line of their file is damaged. This reader also accepts
// what real files contain: text around and between blocks (OpenSSL's "Bag
// Attributes", "subject=" lines), CRLF, indented lines, RFC 1421 headers,
// and a whole certificate squeezed onto one line by a web form.

const (
	pemBegin  = "-----BEGIN "
	pemEnd    = "-----END "
	pemDashes = "-----"
)

// maxPEMTypeLen bounds a block type; longer "types" are not BEGIN lines.
const maxPEMTypeLen = 64

// maxTypesInDetail bounds how many unknown block types an error names.
const maxTypesInDetail = 5

// pemBlock is one decoded PEM block.
type pemBlock struct {
	typ  string // upper case, e.g. "CERTIFICATE"
	line int    // line of the BEGIN marker, from 1
	der  []byte
}

// scanPEM finds and decodes every PEM block in text. No block at all is not
// an error: the text may be Base64 without headers.
func scanPEM(text []byte) ([]pemBlock, *Error) {
	var blocks []pemBlock
	line, counted := 1, 0 // text[:counted] holds line-1 newlines
	lineAt := func(pos int) int {
		line += bytes.Count(text[counted:pos], []byte("\n"))
		counted = pos
		return line
	}
	for pos := 0; ; {
		i := bytes.Index(text[pos:], []byte(pemBegin))
		if i < 0 {
			return blocks, nil
		}
		start := pos + i
		typeStart := start + len(pemBegin)
		// The type and its closing dashes are looked for in a bounded window
		// of one line, so text full of false markers costs linear time.
		dashes := bytes.Index(window(text, typeStart), []byte(pemDashes))
		typ := ""
		if dashes >= 0 {
			typ = strings.ToUpper(strings.TrimSpace(string(text[typeStart : typeStart+dashes])))
		}
		if typ == "" {
			pos = typeStart // "-----BEGIN " in running text, not a marker
			continue
		}
		if !isPrintableASCII(typ) {
			typ = "?"
		}
		bodyStart := typeStart + dashes + len(pemDashes)
		beginLine := lineAt(start)

		bodyLen := bytes.Index(text[bodyStart:], []byte(pemEnd))
		if bodyLen < 0 {
			return nil, &Error{Reason: ReasonPEMNoEnd, Detail: fmt.Sprintf("%s block at line %d has no END line", typ, beginLine)}
		}
		der, err := decodePEMBody(text[bodyStart:bodyStart+bodyLen], typ, beginLine)
		if err != nil {
			return nil, err
		}
		blocks = append(blocks, pemBlock{typ: typ, line: beginLine, der: der})

		// Continue after the END marker's closing dashes when they are on
		// its line; a mangled END line is forgiven.
		pos = bodyStart + bodyLen + len(pemEnd)
		if d := bytes.Index(window(text, pos), []byte(pemDashes)); d >= 0 {
			pos += d + len(pemDashes)
		}
	}
}

// window returns the text after a marker that can hold a block type and its
// closing dashes: at most maxPEMTypeLen+5 bytes, and not past the line end.
func window(text []byte, from int) []byte {
	w := text[from:min(len(text), from+maxPEMTypeLen+len(pemDashes))]
	if nl := bytes.IndexByte(w, '\n'); nl >= 0 {
		w = w[:nl]
	}
	return w
}

func isPrintableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// decodePEMBody decodes the text between a BEGIN marker and its END marker.
// body starts right after the BEGIN marker, on line beginLine.
func decodePEMBody(body []byte, typ string, beginLine int) ([]byte, *Error) {
	lines := bytes.Split(body, []byte("\n"))
	broken := func(lineIndex int) *Error {
		return &Error{Reason: ReasonPEMBadBase64, Detail: fmt.Sprintf("%s block, line %d", typ, beginLine+lineIndex)}
	}

	i := skipPEMHeaders(lines)
	b64 := make([]byte, 0, len(body))
	// charsBefore[k] is how many Base64 characters come before lines[i+k],
	// to find the line of the character a decoding error points at.
	charsBefore := make([]int, 0, len(lines)-i)
	padded := false
	for k, l := range lines[i:] {
		charsBefore = append(charsBefore, len(b64))
		for _, c := range l {
			switch {
			case isSpace(c):
			case c == '=':
				padded = true
				b64 = append(b64, c)
			case isBase64Char(c) && !padded:
				b64 = append(b64, c)
			default:
				// A foreign character, or Base64 after the padding.
				return nil, broken(i + k)
			}
		}
	}
	b64 = bytes.TrimRight(b64, "=")
	if len(b64) == 0 {
		return nil, &Error{Reason: ReasonPEMBadBase64, Detail: fmt.Sprintf("%s block at line %d is empty", typ, beginLine)}
	}
	der := make([]byte, base64.RawStdEncoding.DecodedLen(len(b64)))
	n, err := base64.RawStdEncoding.Decode(der, b64)
	if err != nil {
		var corrupt base64.CorruptInputError
		off := len(b64) - 1
		if errors.As(err, &corrupt) && int(corrupt) < len(b64) {
			off = int(corrupt)
		}
		// The line holding character off is the last line starting at or before it.
		k := sort.SearchInts(charsBefore, off+1) - 1
		e := broken(i + max(k, 0))
		e.Err = err
		return nil, e
	}
	return der[:n], nil
}

// skipPEMHeaders returns the index of the first Base64 line: after the rest
// of the BEGIN line, blank lines and RFC 1421 headers such as those of a
// legacy encrypted key ("Proc-Type: 4,ENCRYPTED", "DEK-Info: ...").
func skipPEMHeaders(lines [][]byte) int {
	i := 0
	for i < len(lines) && len(bytes.TrimSpace(lines[i])) == 0 {
		i++
	}
	if i == len(lines) || bytes.IndexByte(lines[i], ':') < 0 {
		return i
	}
	for i < len(lines) {
		l := bytes.TrimRight(lines[i], "\r")
		switch {
		case len(bytes.TrimSpace(l)) == 0:
			return i + 1 // the blank line that ends the headers
		case bytes.IndexByte(l, ':') >= 0 || l[0] == ' ' || l[0] == '\t':
			i++ // a header or its continuation
		default:
			return i
		}
	}
	return i
}

// PEM block types by what they hold.
func isCertificatePEM(typ string) bool {
	switch typ {
	case "CERTIFICATE", "X509 CERTIFICATE", "X.509 CERTIFICATE", "TRUSTED CERTIFICATE",
		"PKCS7", "PKCS #7 SIGNED DATA", "CMS":
		return true
	}
	return false
}

func isPrivateKeyPEM(typ string) bool { return strings.HasSuffix(typ, "PRIVATE KEY") }

func isRequestPEM(typ string) bool {
	return typ == "CERTIFICATE REQUEST" || typ == "NEW CERTIFICATE REQUEST"
}

func isCRLPEM(typ string) bool { return typ == "X509 CRL" }

// fromPEMBlocks collects the certificates of all blocks. Without any, the
// error names the most useful thing the file held instead.
func fromPEMBlocks(blocks []pemBlock) (*Result, *Error) {
	res := &Result{Kind: KindCertificates, Encoding: EncodingPEM}
	var hadRequest, hadCRL, hadEmptyPKCS7 bool
	var emptyPKCS7 *Error
	var others []string
	for _, block := range blocks {
		switch {
		case isPrivateKeyPEM(block.typ):
			res.HadPrivateKey = true
		case isRequestPEM(block.typ):
			hadRequest = true
		case isCRLPEM(block.typ):
			hadCRL = true
		case isCertificatePEM(block.typ):
			found, err := pemCertificates(block)
			if err != nil {
				switch err.Reason {
				case ReasonRequest:
					hadRequest = true
				case ReasonCRL:
					hadCRL = true
				case ReasonPrivateKeyOnly:
					res.HadPrivateKey = true
				case ReasonNoCertificates:
					hadEmptyPKCS7 = true
					emptyPKCS7 = err
				default:
					return nil, err
				}
				continue
			}
			res.Certificates = append(res.Certificates, found.Certificates...)
			res.PKCS7 = res.PKCS7 || found.PKCS7
		default:
			if !slices.Contains(others, block.typ) && len(others) < maxTypesInDetail {
				others = append(others, block.typ)
			}
		}
	}
	switch {
	case len(res.Certificates) > 0:
		return res, nil
	case hadRequest:
		return nil, &Error{Reason: ReasonRequest, Detail: "PEM certificate request"}
	case hadCRL:
		return nil, &Error{Reason: ReasonCRL, Detail: "PEM CRL"}
	case res.HadPrivateKey:
		return nil, &Error{Reason: ReasonPrivateKeyOnly, Detail: "PEM private key"}
	case hadEmptyPKCS7:
		return nil, emptyPKCS7
	}
	return nil, &Error{Reason: ReasonUnknown, Detail: "PEM blocks of no importable type: " + strings.Join(others, ", ")}
}

// pemCertificates takes the certificates out of a block whose type promises
// certificates. The content decides, not the label: CAs do hand out PKCS#7
// bundles labelled CERTIFICATE.
func pemCertificates(block pemBlock) (*Result, *Error) {
	var res *Result
	var err *Error
	if block.typ == "TRUSTED CERTIFICATE" {
		// OpenSSL's trusted certificate: the certificate followed by its
		// trust settings (X509_CERT_AUX), which Podpis does not use.
		var el berElement
		if el, err = readTop(block.der, 0); err == nil {
			res, err = classify(el)
		}
		if err == nil && (res.Kind != KindCertificates || res.PKCS7) {
			err = &Error{Reason: ReasonUnknown, Detail: "no certificate at its start"}
		}
	} else {
		res, err = sniffDER(block.der, EncodingPEM)
		if err == nil && res.Kind != KindCertificates {
			err = &Error{Reason: ReasonUnknown, Detail: "holds " + string(res.Kind) + ", not certificates"}
		}
	}
	if err != nil {
		return nil, &Error{
			Reason: err.Reason,
			Detail: fmt.Sprintf("%s block at line %d: %s", block.typ, block.line, err.Detail),
			Err:    err.Err,
		}
	}
	return res, nil
}
