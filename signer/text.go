package signer

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
)

// Signatures arrive as DER/BER, as PEM under any label ("CMS", "PKCS7",
// "SIGNED MESSAGE"...), or as bare Base64 with or without line breaks
// (Госуслуги and many CAs hand them out so). decodeInput tells them apart
// from the first bytes and decodes text as a stream, so an attached
// signature in Base64 is not held in memory either.

// pemLabel is the armour SignOptions.PEM writes, as `openssl cms
// -outform PEM` does.
const pemLabel = "CMS"

// inputForm is how a signature was encoded.
type inputForm int

const (
	formBinary inputForm = iota
	formPEM
	formBase64
)

// decodeInput returns a reader of the binary signature in r.
func decodeInput(r io.Reader) (io.Reader, inputForm, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	head, err := br.Peek(2)
	if len(head) == 0 {
		if err == io.EOF {
			return nil, 0, newError(reasonEmpty, nil, nil)
		}
		return nil, 0, newError(reasonReadFailed, nil, err)
	}
	// A ContentInfo is a SEQUENCE (0x30, which is also the Base64 digit
	// '0') whose length byte is never a Base64 character: long form
	// (0x80 and above) for any real signature.
	if head[0] == 0x30 && (len(head) < 2 || !isBase64Char(head[1]) && !isSpace(head[1])) {
		return br, formBinary, nil
	}
	// Text: skip a byte-order mark and leading white space.
	for {
		c, err := br.ReadByte()
		if err != nil {
			return nil, 0, newError(reasonNotCMS, map[string]any{"Detail": "only white space"}, nil)
		}
		if isSpace(c) {
			continue
		}
		if c == 0xEF { // UTF-8 BOM EF BB BF
			if bom, _ := br.Peek(2); bytes.Equal(bom, []byte{0xBB, 0xBF}) {
				br.Discard(2)
				continue
			}
		}
		br.UnreadByte()
		break
	}
	form := formBase64
	if start, _ := br.Peek(11); bytes.Equal(start, []byte("-----BEGIN ")) {
		line, err := br.ReadSlice('\n')
		if err != nil || !bytes.HasSuffix(bytes.TrimRight(line, "\r\n \t"), []byte("-----")) {
			return nil, 0, newError(reasonBadBase64, map[string]any{"Detail": "the -----BEGIN line is not complete"}, nil)
		}
		form = formPEM
	} else if c, _ := br.Peek(1); len(c) == 1 && !isBase64Char(c[0]) {
		return nil, 0, newError(reasonNotCMS, map[string]any{"Detail": fmt.Sprintf("starts with byte 0x%02x", c[0])}, nil)
	}
	filter := &base64Filter{r: br, pem: form == formPEM}
	return base64.NewDecoder(base64.StdEncoding, filter), form, nil
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

func isBase64Char(c byte) bool {
	return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/' || c == '='
}

// base64Filter passes the Base64 characters of a PEM body or bare Base64
// text, dropping line breaks and spaces; it ends at the "-----END" line
// (PEM) or at the end of the input, and fails on any other character.
type base64Filter struct {
	r    *bufio.Reader
	pem  bool
	done bool
	off  int64 // characters read, for error messages
}

func (f *base64Filter) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) && !f.done {
		chunk, err := f.r.Peek(1)
		if len(chunk) == 0 {
			if err == io.EOF {
				if f.pem {
					return n, newError(reasonBadBase64, map[string]any{"Detail": "the -----END line is missing"}, nil)
				}
				f.done = true
				break
			}
			return n, newError(reasonReadFailed, nil, err)
		}
		// Work on what is buffered, not a byte at a time.
		buffered, _ := f.r.Peek(f.r.Buffered())
		i := 0
		for ; i < len(buffered) && n < len(p); i++ {
			c := buffered[i]
			switch {
			case isBase64Char(c):
				p[n] = c
				n++
			case isSpace(c):
			case c == '-' && f.pem:
				f.done = true
			default:
				f.r.Discard(i)
				f.off += int64(i)
				return n, newError(reasonBadBase64, map[string]any{"Detail": fmt.Sprintf("character 0x%02x at offset %d", c, f.off)}, nil)
			}
			if f.done {
				break
			}
		}
		f.r.Discard(i)
		f.off += int64(i)
	}
	if n == 0 && f.done {
		return 0, io.EOF
	}
	return n, nil
}

// pemWriter writes Base64 with PEM armour, 64 characters a line.
type pemWriter struct {
	w     io.Writer
	enc   io.WriteCloser
	lines *lineWriter
	label string
}

func newPEMWriter(w io.Writer, label string) (*pemWriter, error) {
	if _, err := io.WriteString(w, "-----BEGIN "+label+"-----\n"); err != nil {
		return nil, err
	}
	lines := &lineWriter{w: w}
	return &pemWriter{w: w, enc: base64.NewEncoder(base64.StdEncoding, lines), lines: lines, label: label}, nil
}

func (p *pemWriter) Write(b []byte) (int, error) { return p.enc.Write(b) }

// Close writes the last characters and the END line.
func (p *pemWriter) Close() error {
	if err := p.enc.Close(); err != nil {
		return err
	}
	tail := ""
	if p.lines.col > 0 {
		tail = "\n"
	}
	_, err := io.WriteString(p.w, tail+"-----END "+p.label+"-----\n")
	return err
}

// lineWriter breaks its output into lines of 64 characters.
type lineWriter struct {
	w   io.Writer
	col int
	buf []byte
}

func (l *lineWriter) Write(p []byte) (int, error) {
	l.buf = l.buf[:0]
	for _, c := range p {
		l.buf = append(l.buf, c)
		l.col++
		if l.col == 64 {
			l.buf = append(l.buf, '\n')
			l.col = 0
		}
	}
	if _, err := l.w.Write(l.buf); err != nil {
		return 0, err
	}
	return len(p), nil
}
