package diagnose

import (
	"bytes"
	"encoding/asn1"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"path/filepath"
	"strings"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
	"software.sslmate.com/src/go-pkcs12"

	"github.com/podpis/podpis/certstore/cert"
	"github.com/podpis/podpis/certstore/format"
	"github.com/podpis/podpis/certstore/pfx"
	"github.com/podpis/podpis/internal/i18n"
)

// Error is why a file cannot be diagnosed. Code names the translation of
// the message ("err.<code>") and of the fix ("hint.<code>"): the format
// package's reasons (empty, text-not-pem...), bad-certificate,
// file-too-large, wrong-password, pkcs12-corrupt, pkcs12-unsupported, and
// this package's own diag-* codes.
type Error struct {
	code   string
	file   string
	params map[string]any
	err    error
}

func (e *Error) Error() string {
	text := i18n.CodedText(e.code, e.params, e.err)
	if e.file != "" {
		return e.file + ": " + text
	}
	return text
}

func (e *Error) Unwrap() error { return e.err }

// Code is the translation code.
func (e *Error) Code() string { return e.code }

// File is the name the file was opened under.
func (e *Error) File() string { return e.file }

// Params are the values the translated message may use, File among them.
func (e *Error) Params() map[string]any {
	p := make(map[string]any, len(e.params)+1)
	for k, v := range e.params {
		p[k] = v
	}
	if e.file != "" {
		p["File"] = e.file
	}
	return p
}

// Error codes of this package.
const (
	CodeWrongPassword     = "wrong-password"
	CodePKCS12Corrupt     = "pkcs12-corrupt"
	CodePKCS12Unsupported = "pkcs12-unsupported"
	CodeTooLarge          = "file-too-large"
	CodeNotPKCS12         = "diag-not-pkcs12"
	CodePKCS12Empty       = "diag-pkcs12-empty"
)

// wrap keeps a coded error's code and params, adding the file name.
func wrap(name string, err error) *Error {
	var coded interface {
		error
		Code() string
		Params() map[string]any
	}
	if errors.As(err, &coded) {
		return &Error{code: coded.Code(), file: name, params: coded.Params(), err: err}
	}
	return &Error{code: "bad-certificate", file: name, params: map[string]any{"Field": "", "Detail": err.Error()}, err: err}
}

var (
	oidSignedData = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 2}
)

func open(name string, data []byte) (*Input, error) {
	if len(data) > MaxInputSize {
		return nil, &Error{code: CodeTooLarge, file: name, params: map[string]any{"Size": len(data), "Limit": MaxInputSize}}
	}
	if der, enc, ok := signatureDER(data); ok {
		if isSignature(der) {
			return &Input{Name: name, Kind: KindSignature, Encoding: enc, Data: data}, nil
		}
	}
	sniffed, err := format.Sniff(data)
	if err != nil {
		return nil, wrap(name, err)
	}
	in := &Input{Name: name, Encoding: Encoding(sniffed.Encoding), PrivateKeyIgnored: sniffed.HadPrivateKey}
	if in.Encoding == "" {
		in.Encoding = EncodingDER
	}
	switch sniffed.Kind {
	case format.KindPKCS12:
		in.Kind = KindPKCS12
		in.Data = sniffed.PKCS12
		return in, nil
	case format.KindCertificates:
	default:
		return nil, &Error{code: "unknown", file: name, params: map[string]any{"Detail": string(sniffed.Kind)}}
	}
	certs := make([]*cert.Certificate, 0, len(sniffed.Certificates))
	for _, der := range sniffed.Certificates {
		c, err := cert.Parse(der)
		if err != nil {
			return nil, wrap(name, err)
		}
		certs = append(certs, c)
	}
	if len(certs) == 0 {
		return nil, &Error{code: string(format.ReasonNoCertificates), file: name, params: map[string]any{"Detail": ""}}
	}
	in.Kind = KindCertificate
	if len(certs) > 1 {
		in.Kind = KindBundle
	}
	in.pkcs7 = sniffed.PKCS7
	in.Certificate = subjectOf(certs)
	for _, c := range certs {
		if c != in.Certificate {
			in.Extra = append(in.Extra, c)
		}
	}
	return in, nil
}

// subjectOf picks the certificate a bundle is about: the first one that is
// not a CA, since a .p7b from a CA lists the root first as often as last;
// a bundle of CA certificates only is about its first.
func subjectOf(certs []*cert.Certificate) *cert.Certificate {
	for _, c := range certs {
		if !c.IsCA {
			return c
		}
	}
	return certs[0]
}

// signatureDER finds the DER (or BER) a possible signature is in: the file
// itself, a PEM block with a signature's label, or bare Base64. It does
// not judge what the DER holds.
func signatureDER(data []byte) ([]byte, Encoding, bool) {
	if len(data) > 1 && data[0] == 0x30 {
		return data, EncodingDER, true
	}
	text := bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if i := bytes.Index(text, []byte("-----BEGIN ")); i >= 0 {
		block, _ := pem.Decode(text[i:])
		if block == nil {
			return nil, "", false
		}
		switch strings.ToUpper(block.Type) {
		case "CMS", "PKCS7", "PKCS #7 SIGNED DATA", "SIGNATURE", "SIGNED MESSAGE":
			return block.Bytes, EncodingPEM, true
		}
		return nil, "", false
	}
	compact := make([]byte, 0, len(text))
	for _, c := range text {
		switch {
		case c == ' ' || c == '\t' || c == '\r' || c == '\n':
		case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '+', c == '/', c == '=':
			compact = append(compact, c)
		default:
			return nil, "", false
		}
	}
	der, err := base64.RawStdEncoding.DecodeString(strings.TrimRight(string(compact), "="))
	if err != nil || len(der) < 2 || der[0] != 0x30 {
		return nil, "", false
	}
	return der, EncodingBase64, true
}

// isSignature tells a CMS signature from a certificate bundle: both are
// SignedData, but a bundle (.p7b) has no signers. An indefinite-length
// (BER) SignedData, which cryptobyte cannot walk, is what streaming
// signers write; bundles are DER, so it is taken for a signature and the
// signer package has the last word.
func isSignature(der []byte) bool {
	in := cryptobyte.String(der)
	var contentInfo cryptobyte.String
	if !in.ReadASN1(&contentInfo, cbasn1.SEQUENCE) {
		return berSignedData(der)
	}
	var contentType asn1.ObjectIdentifier
	if !contentInfo.ReadASN1ObjectIdentifier(&contentType) || !contentType.Equal(oidSignedData) {
		return false
	}
	var explicit, sd cryptobyte.String
	if !contentInfo.ReadASN1(&explicit, cbasn1.Tag(0).Constructed().ContextSpecific()) ||
		!explicit.ReadASN1(&sd, cbasn1.SEQUENCE) {
		return false
	}
	if !sd.SkipASN1(cbasn1.INTEGER) || !sd.SkipASN1(cbasn1.SET) || !sd.SkipASN1(cbasn1.SEQUENCE) {
		return false
	}
	sd.SkipOptionalASN1(cbasn1.Tag(0).Constructed().ContextSpecific())
	sd.SkipOptionalASN1(cbasn1.Tag(1).Constructed().ContextSpecific())
	var signerInfos cryptobyte.String
	if !sd.ReadASN1(&signerInfos, cbasn1.SET) {
		return false
	}
	return !signerInfos.Empty()
}

// berSignedData: SEQUENCE with indefinite length whose first element is
// the signedData OID.
func berSignedData(der []byte) bool {
	if len(der) < 4 || der[0] != 0x30 || der[1] != 0x80 {
		return false
	}
	s := cryptobyte.String(der[2:])
	var contentType asn1.ObjectIdentifier
	return s.ReadASN1ObjectIdentifier(&contentType) && contentType.Equal(oidSignedData)
}

func (in *Input) unlockPKCS12(password string) (*cert.Certificate, []*cert.Certificate, error) {
	if in.Kind != KindPKCS12 {
		return nil, nil, &Error{code: CodeNotPKCS12, file: in.Name}
	}
	var certs []*cert.Certificate
	var leaf *cert.Certificate
	if pfx.IsGOST(in.Data) {
		contents, err := pfx.Decode(in.Data, password)
		switch {
		case errors.Is(err, pfx.ErrWrongPassword):
			return nil, nil, &Error{code: CodeWrongPassword, file: in.Name}
		case errors.Is(err, pfx.ErrUnsupported):
			return nil, nil, &Error{code: CodePKCS12Unsupported, file: in.Name, params: map[string]any{"Detail": err.Error()}, err: err}
		case err != nil:
			return nil, nil, &Error{code: CodePKCS12Corrupt, file: in.Name, params: map[string]any{"Detail": err.Error()}, err: err}
		}
		for _, k := range contents.Keys {
			clear(k)
		}
		for _, der := range contents.Certificates {
			c, err := cert.Parse(der)
			if err != nil {
				return nil, nil, wrap(in.Name, err)
			}
			certs = append(certs, c)
		}
	} else {
		ders, leafDER, err := decodeOtherPKCS12(in.Data, password)
		if err != nil {
			var e *Error
			if errors.As(err, &e) {
				e.file = in.Name
			}
			return nil, nil, err
		}
		for _, der := range ders {
			c, err := cert.Parse(der)
			if err != nil {
				return nil, nil, wrap(in.Name, err)
			}
			if leafDER != nil && bytes.Equal(der, leafDER) {
				leaf = c
			}
			certs = append(certs, c)
		}
	}
	if len(certs) == 0 {
		return nil, nil, &Error{code: CodePKCS12Empty, file: in.Name}
	}
	if leaf == nil {
		// The key's certificate is the container's end-entity one; matching
		// the key arithmetically is the store's business on import.
		leaf = subjectOf(certs)
	}
	var rest []*cert.Certificate
	for _, c := range certs {
		if c != leaf {
			rest = append(rest, c)
		}
	}
	in.Certificate, in.Extra = leaf, rest
	return leaf, rest, nil
}

// decodeOtherPKCS12 opens an RSA/ECDSA container with go-pkcs12: the leaf
// is the key's certificate when there is a key, otherwise (a certificate
// only container) there is no leaf.
func decodeOtherPKCS12(data []byte, password string) (certs [][]byte, leaf []byte, err error) {
	_, l, cas, err := pkcs12.DecodeChain(data, password)
	if err != nil && strings.Contains(err.Error(), "private key missing") {
		trust, err2 := pkcs12.DecodeTrustStore(data, password)
		if err2 == nil {
			for _, c := range trust {
				certs = append(certs, c.Raw)
			}
			return certs, nil, nil
		}
		err = err2
	}
	if err != nil {
		var ni pkcs12.NotImplementedError
		switch {
		case errors.Is(err, pkcs12.ErrIncorrectPassword), errors.Is(err, pkcs12.ErrDecryption):
			return nil, nil, &Error{code: CodeWrongPassword}
		case errors.As(err, &ni):
			return nil, nil, &Error{code: CodePKCS12Unsupported, params: map[string]any{"Detail": string(ni)}, err: err}
		default:
			return nil, nil, &Error{code: CodePKCS12Corrupt, params: map[string]any{"Detail": err.Error()}, err: err}
		}
	}
	certs = append(certs, l.Raw)
	for _, c := range cas {
		certs = append(certs, c.Raw)
	}
	return certs, l.Raw, nil
}

func (in *Input) converted() (string, []byte, bool) {
	if in.Certificate == nil || (in.Kind != KindCertificate && in.Kind != KindBundle) {
		return "", nil, false
	}
	all := make([][]byte, 0, 1+len(in.Extra))
	all = append(all, in.Certificate.Raw)
	for _, c := range in.Extra {
		all = append(all, c.Raw)
	}
	base := filepath.Base(in.Name)
	if base == "." || base == string(filepath.Separator) || base == "" {
		base = "certificate"
	}
	stem := strings.TrimSuffix(base, filepath.Ext(base))
	if stem == "" {
		stem = base
	}
	var ext, tag string
	var data []byte
	switch {
	case in.Encoding != EncodingDER && len(all) == 1 && !in.pkcs7:
		ext, tag, data = ".cer", "-der", bytes.Clone(all[0])
	case in.Encoding != EncodingDER:
		ext, tag, data = ".p7b", "-der", format.EncodePKCS7(all)
	default:
		ext, tag, data = ".pem", "-pem", format.EncodePEM("CERTIFICATE", all)
	}
	name := stem + ext
	if strings.EqualFold(name, base) {
		name = stem + tag + ext
	}
	return name, data, true
}
