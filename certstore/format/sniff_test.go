package format

import (
	"bytes"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"strconv"
	"strings"
	"testing"
	"unicode/utf16"
)

// want is the expected outcome of Sniff for one input.
type want struct {
	kind   Kind
	enc    Encoding
	certs  [][]byte // expected certificates, in order (KindCertificates)
	pkcs7  bool
	hadKey bool
	pkcs12 []byte // expected PFX bytes (KindPKCS12)
	reason Reason // set for an expected error
	detail string // substring the error detail must contain
}

func checkSniff(t *testing.T, data []byte, w want) {
	t.Helper()
	res, err := Sniff(data)
	if w.reason != "" {
		var e *Error
		if !errors.As(err, &e) {
			t.Fatalf("Sniff = %+v, %v; want *Error with reason %q", res, err, w.reason)
		}
		if res != nil {
			t.Errorf("Sniff returned a result with an error: %+v", res)
		}
		if e.Reason != w.reason {
			t.Fatalf("reason = %q (detail %q), want %q", e.Reason, e.Detail, w.reason)
		}
		if !strings.Contains(e.Detail, w.detail) {
			t.Errorf("detail = %q, want it to contain %q", e.Detail, w.detail)
		}
		if e.Code() != string(w.reason) || e.Params()["Detail"] != e.Detail {
			t.Errorf("Code/Params = %q, %v", e.Code(), e.Params())
		}
		return
	}
	if err != nil {
		t.Fatalf("Sniff: %v", err)
	}
	if res.Kind != w.kind || res.Encoding != w.enc || res.PKCS7 != w.pkcs7 || res.HadPrivateKey != w.hadKey {
		t.Errorf("got kind %q enc %q pkcs7 %v key %v, want %q %q %v %v",
			res.Kind, res.Encoding, res.PKCS7, res.HadPrivateKey, w.kind, w.enc, w.pkcs7, w.hadKey)
	}
	if len(res.Certificates) != len(w.certs) {
		t.Fatalf("got %d certificates, want %d", len(res.Certificates), len(w.certs))
	}
	for i := range w.certs {
		if !bytes.Equal(res.Certificates[i], w.certs[i]) {
			t.Errorf("certificate %d differs from the expected one", i)
		}
	}
	if !bytes.Equal(res.PKCS12, w.pkcs12) {
		t.Errorf("PKCS12 = %d bytes, want %d", len(res.PKCS12), len(w.pkcs12))
	}
}

// Hand-written BER, as Windows and CryptoPro write it: indefinite lengths on
// the outer layers, the certificates themselves in DER.
func berTLV(tag byte, parts ...[]byte) []byte {
	out := []byte{tag, 0x80}
	for _, p := range parts {
		out = append(out, p...)
	}
	return append(out, 0, 0)
}

func derTLV(tag byte, content []byte) []byte {
	var b bytes.Buffer
	b.WriteByte(tag)
	switch n := len(content); {
	case n < 0x80:
		b.WriteByte(byte(n))
	case n < 0x100:
		b.Write([]byte{0x81, byte(n)})
	default:
		b.Write([]byte{0x82, byte(n >> 8), byte(n)})
	}
	b.Write(content)
	return b.Bytes()
}

var (
	derOIDData       = []byte{0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01}
	derOIDSignedData = []byte{0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02}
)

// berPKCS7 is a BER SignedData whose attached content is a constructed
// OCTET STRING in two pieces and whose certificate set is indefinite too.
func berPKCS7(certs ...[]byte) []byte {
	content := berTLV(0xa0, berTLV(0x24, derTLV(0x04, []byte("Подпис")), derTLV(0x04, []byte("ь"))))
	return berTLV(0x30,
		derOIDSignedData,
		berTLV(0xa0, berTLV(0x30,
			[]byte{0x02, 0x01, 0x01},
			[]byte{0x31, 0x00},
			berTLV(0x30, derOIDData, content),
			berTLV(0xa0, certs...),
			[]byte{0x31, 0x00},
		)),
	)
}

// berPFX is the outline of a BER PFX (the shape only: Sniff does not
// decrypt), with a MacData.
func berPFX() []byte {
	authSafe := berTLV(0x30, derOIDData, berTLV(0xa0, berTLV(0x24, derTLV(0x04, []byte{0x30, 0x00}))))
	macData := derTLV(0x30, append(derTLV(0x30, nil), derTLV(0x04, []byte("salt"))...))
	return berTLV(0x30, []byte{0x02, 0x01, 0x03}, authSafe, macData)
}

func wrapBase64(der []byte, width int, eol string) []byte {
	s := base64.StdEncoding.EncodeToString(der)
	var b strings.Builder
	for len(s) > width {
		b.WriteString(s[:width] + eol)
		s = s[width:]
	}
	b.WriteString(s + eol)
	return []byte(b.String())
}

func utf16LE(s string) []byte {
	out := []byte{0xff, 0xfe}
	for _, u := range utf16.Encode([]rune(s)) {
		out = append(out, byte(u), byte(u>>8))
	}
	return out
}

func TestSniff(t *testing.T) {
	pki := newTestPKI(t)
	root, leaf := pki.root, pki.leaf
	chain := [][]byte{leaf, root}
	chainPEM := append(pemOf("CERTIFICATE", leaf), pemOf("CERTIFICATE", root)...)
	p7b := EncodePKCS7(chain)
	rsaPKCS8 := mustPKCS8(t, pki.rootKey)
	ecPKCS8 := mustPKCS8(t, pki.leafKey)
	ecSEC1 := mustSEC1(t, pki.leafKey)
	pkcs1 := x509.MarshalPKCS1PrivateKey(pki.rootKey)
	pfx := berPFX()
	derPFX := derTLV(0x30, bytes.Join([][]byte{{0x02, 0x01, 0x03}, derTLV(0x30, append(append([]byte{}, derOIDData...), derTLV(0xa0, derTLV(0x04, []byte{0x30, 0x00}))...))}, nil))
	leafBase64 := base64.StdEncoding.EncodeToString(leaf)
	emptyP7 := EncodePKCS7(nil)
	trustAux := derTLV(0x30, derTLV(0x30, []byte{0x06, 0x08, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x01}))
	encryptedPKCS8 := derTLV(0x30, append(
		derTLV(0x30, append([]byte{0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x05, 0x0d}, derTLV(0x30, nil)...)),
		derTLV(0x04, []byte("ciphertext"))...))
	digestInfo := derTLV(0x30, append(
		derTLV(0x30, []byte{0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00}),
		derTLV(0x04, make([]byte, 32))...))

	certs := func(enc Encoding, c ...[]byte) want { return want{kind: KindCertificates, enc: enc, certs: c} }
	bundle := func(enc Encoding, c ...[]byte) want {
		return want{kind: KindCertificates, enc: enc, certs: c, pkcs7: true}
	}
	failure := func(r Reason, detail string) want { return want{reason: r, detail: detail} }

	tests := []struct {
		name string
		data []byte
		want want
	}{
		// Certificates.
		{"DER certificate", leaf, certs(EncodingDER, leaf)},
		{"DER RSA certificate", root, certs(EncodingDER, root)},
		{"concatenated DER certificates", append(append([]byte{}, leaf...), root...), certs(EncodingDER, leaf, root)},
		{"DER certificate with zero padding", append(append([]byte{}, leaf...), 0, 0, '\n'), certs(EncodingDER, leaf)},
		{"PEM certificate", pemOf("CERTIFICATE", leaf), certs(EncodingPEM, leaf)},
		{"PEM chain", chainPEM, certs(EncodingPEM, leaf, root)},
		{"PEM chain CRLF", bytes.ReplaceAll(chainPEM, []byte("\n"), []byte("\r\n")), certs(EncodingPEM, leaf, root)},
		{"PEM with UTF-8 BOM", append([]byte("\xef\xbb\xbf"), chainPEM...), certs(EncodingPEM, leaf, root)},
		{"PEM in UTF-16 with BOM", utf16LE(string(chainPEM)), certs(EncodingPEM, leaf, root)},
		{"PEM with text around blocks", []byte("Bag Attributes\n    localKeyID: 01 02\nsubject=/CN=Иванов\nissuer=/CN=УЦ\n" +
			string(pemOf("CERTIFICATE", leaf)) + "\nsubject=/CN=УЦ\n" + string(pemOf("CERTIFICATE", root)) + "trailing words\n"),
			certs(EncodingPEM, leaf, root)},
		{"PEM X509 CERTIFICATE", pemOf("X509 CERTIFICATE", leaf), certs(EncodingPEM, leaf)},
		{"PEM TRUSTED CERTIFICATE", pemOf("TRUSTED CERTIFICATE", append(append([]byte{}, root...), trustAux...)), certs(EncodingPEM, root)},
		{"PEM on one line", []byte("-----BEGIN CERTIFICATE-----" + leafBase64 + "-----END CERTIFICATE-----"), certs(EncodingPEM, leaf)},
		{"PEM indented lines", []byte("  -----BEGIN CERTIFICATE-----\n" + strings.ReplaceAll(string(wrapBase64(leaf, 64, "\n")), "\n", "\n    ") + "-----END CERTIFICATE-----\n"), certs(EncodingPEM, leaf)},
		{"PEM with headers", []byte("-----BEGIN CERTIFICATE-----\nComment: exported\n\n" + string(wrapBase64(leaf, 64, "\n")) + "-----END CERTIFICATE-----\n"), certs(EncodingPEM, leaf)},
		{"PEM lower-case type", pemOf("Certificate", leaf), certs(EncodingPEM, leaf)},
		{"Base64 one line", []byte(leafBase64), certs(EncodingBase64, leaf)},
		{"Base64 wrapped CRLF", wrapBase64(leaf, 76, "\r\n"), certs(EncodingBase64, leaf)},
		{"Base64 with spaces and no padding", []byte(" " + strings.TrimRight(strings.Join(strings.SplitAfter(leafBase64, "AAA"), " "), "=") + "\n"), certs(EncodingBase64, leaf)},
		{"Base64 with BOM", append([]byte("\xef\xbb\xbf"), wrapBase64(leaf, 64, "\n")...), certs(EncodingBase64, leaf)},

		// PKCS#7 bundles.
		{"DER PKCS#7", p7b, bundle(EncodingDER, leaf, root)},
		{"PEM PKCS7", pemOf("PKCS7", p7b), bundle(EncodingPEM, leaf, root)},
		{"PEM CMS", pemOf("CMS", p7b), bundle(EncodingPEM, leaf, root)},
		{"PKCS#7 labelled CERTIFICATE", pemOf("CERTIFICATE", p7b), bundle(EncodingPEM, leaf, root)},
		{"Base64 PKCS#7", wrapBase64(p7b, 64, "\r\n"), bundle(EncodingBase64, leaf, root)},
		{"BER PKCS#7", berPKCS7(leaf, root), bundle(EncodingDER, leaf, root)},
		{"Base64 BER PKCS#7", wrapBase64(berPKCS7(root), 64, "\n"), bundle(EncodingBase64, root)},
		{"PEM BER PKCS7", pemOf("PKCS7", berPKCS7(leaf)), bundle(EncodingPEM, leaf)},

		// PKCS#12.
		{"BER PFX", pfx, want{kind: KindPKCS12, enc: EncodingDER, pkcs12: pfx}},
		{"DER PFX", derPFX, want{kind: KindPKCS12, enc: EncodingDER, pkcs12: derPFX}},
		{"Base64 PFX", wrapBase64(derPFX, 64, "\n"), want{kind: KindPKCS12, enc: EncodingBase64, pkcs12: derPFX}},

		// Certificates with a private key.
		{"PEM key and certificates", append(pemOf("PRIVATE KEY", ecPKCS8), chainPEM...),
			want{kind: KindCertificates, enc: EncodingPEM, certs: chain, hadKey: true}},

		// Empty.
		{"empty", nil, failure(ReasonEmpty, "")},
		{"white space", []byte(" \r\n\t\n"), failure(ReasonEmpty, "")},
		{"BOM only", []byte("\xef\xbb\xbf\n"), failure(ReasonEmpty, "")},
		{"UTF-16 white space", utf16LE("  \r\n"), failure(ReasonEmpty, "")},

		// Text.
		{"plain text", []byte("\n\nПривет, это не сертификат\nвторая строка\n"), failure(ReasonTextNotPEM, "Привет, это не сертификат")},
		{"text starting with 0", []byte("0123 is a number\n"), failure(ReasonTextNotPEM, "0123 is a number")},
		{"short Base64-like word", []byte("MIIBhello"), failure(ReasonTextNotPEM, "MIIBhello")},
		{"Base64 of text", []byte(base64.StdEncoding.EncodeToString([]byte("this is just some text, not DER at all"))), failure(ReasonTextNotPEM, "")},
		{"BEGIN without a type", []byte("-----BEGIN -----\nabc\n-----END -----\n"), failure(ReasonTextNotPEM, "-----BEGIN -----")},
		{"BEGIN in running text", []byte("see -----BEGIN nothing here\n"), failure(ReasonTextNotPEM, "see -----BEGIN")},

		// Broken PEM.
		{"PEM bad Base64", []byte("-----BEGIN CERTIFICATE-----\nMIIB\nMI*B\n-----END CERTIFICATE-----\n"), failure(ReasonPEMBadBase64, "CERTIFICATE block, line 3")},
		{"PEM Base64 after padding", []byte("x\n-----BEGIN CERTIFICATE-----\nMIIBAA==\nMIIB\n-----END CERTIFICATE-----\n"), failure(ReasonPEMBadBase64, "CERTIFICATE block, line 4")},
		{"PEM wrong Base64 length", []byte("-----BEGIN CERTIFICATE-----\nMIIBA\n-----END CERTIFICATE-----\n"), failure(ReasonPEMBadBase64, "line 2")},
		{"PEM empty block", []byte("-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n"), failure(ReasonPEMBadBase64, "is empty")},
		{"PEM two BEGINs", []byte("-----BEGIN CERTIFICATE-----\nMIIB\n-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"), failure(ReasonPEMBadBase64, "line 3")},
		{"PEM broken key next to certificates", append(append([]byte{}, chainPEM...), "-----BEGIN PRIVATE KEY-----\n!!\n-----END PRIVATE KEY-----\n"...), failure(ReasonPEMBadBase64, "PRIVATE KEY block")},
		{"PEM without END", chainPEM[:len(chainPEM)-30], failure(ReasonPEMNoEnd, "CERTIFICATE block at line")},

		// Truncated.
		{"truncated DER", leaf[:len(leaf)-10], failure(ReasonTruncatedDER, "needs "+strconv.Itoa(len(leaf))+" bytes, has "+strconv.Itoa(len(leaf)-10))},
		{"two bytes of DER", leaf[:2], failure(ReasonTruncatedDER, "has 2")},
		{"truncated BER", berPKCS7(leaf)[:200], failure(ReasonTruncatedDER, "has 200")},
		{"truncated second certificate", append(append([]byte{}, leaf...), root[:50]...), failure(ReasonTruncatedDER, "has "+strconv.Itoa(len(leaf)+50))},
		{"truncated Base64", []byte(leafBase64[:200]), failure(ReasonTruncatedDER, "has 150")},
		{"truncated certificate in PEM", pemOf("CERTIFICATE", leaf[:100]), failure(ReasonTruncatedDER, "CERTIFICATE block at line 1: needs")},

		// Private keys only.
		{"PEM PKCS#8 key", pemOf("PRIVATE KEY", rsaPKCS8), failure(ReasonPrivateKeyOnly, "")},
		{"PEM RSA key", pemOf("RSA PRIVATE KEY", pkcs1), failure(ReasonPrivateKeyOnly, "")},
		{"PEM EC key", pemOf("EC PRIVATE KEY", ecSEC1), failure(ReasonPrivateKeyOnly, "")},
		{"PEM encrypted key", pemOf("ENCRYPTED PRIVATE KEY", encryptedPKCS8), failure(ReasonPrivateKeyOnly, "")},
		{"DER PKCS#8 RSA key", rsaPKCS8, failure(ReasonPrivateKeyOnly, "")},
		{"DER PKCS#8 EC key", ecPKCS8, failure(ReasonPrivateKeyOnly, "")},
		{"DER PKCS#1 key", pkcs1, failure(ReasonPrivateKeyOnly, "")},
		{"DER SEC1 key", ecSEC1, failure(ReasonPrivateKeyOnly, "")},
		{"DER encrypted PKCS#8", encryptedPKCS8, failure(ReasonPrivateKeyOnly, "")},
		{"Base64 PKCS#8 key", wrapBase64(rsaPKCS8, 64, "\n"), failure(ReasonPrivateKeyOnly, "")},

		// Requests.
		{"DER CSR", pki.csr, failure(ReasonRequest, "")},
		{"PEM CSR", pemOf("CERTIFICATE REQUEST", pki.csr), failure(ReasonRequest, "")},
		{"PEM NEW CSR", pemOf("NEW CERTIFICATE REQUEST", pki.csr), failure(ReasonRequest, "")},
		{"PEM CSR and key", append(pemOf("PRIVATE KEY", ecPKCS8), pemOf("CERTIFICATE REQUEST", pki.csr)...), failure(ReasonRequest, "")},
		{"CSR labelled CERTIFICATE", pemOf("CERTIFICATE", pki.csr), failure(ReasonRequest, "")},

		// CRLs.
		{"DER CRL", pki.crl, failure(ReasonCRL, "")},
		{"PEM CRL", pemOf("X509 CRL", pki.crl), failure(ReasonCRL, "")},
		{"Base64 CRL", wrapBase64(pki.crl, 64, "\n"), failure(ReasonCRL, "")},

		// PKCS#7 without certificates.
		{"empty PKCS#7", emptyP7, failure(ReasonNoCertificates, "no certificates")},
		{"PEM empty PKCS7", pemOf("PKCS7", emptyP7), failure(ReasonNoCertificates, "PKCS7 block at line 1")},
		{"BER PKCS#7 without certificates", berPKCS7(), failure(ReasonNoCertificates, "")},

		// Unknown.
		{"random binary", []byte{0x01, 0x02, 0x03, 0xff, 0x00}, failure(ReasonUnknown, "0x01")},
		{"ZIP archive", []byte("PK\x03\x04\x14\x00\x00\x00"), failure(ReasonUnknown, "ZIP")},
		{"DigestInfo", digestInfo, failure(ReasonUnknown, "")},
		{"PKCS#7 envelopedData", derTLV(0x30, []byte{0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x03}), failure(ReasonUnknown, "envelopedData")},
		{"trailing garbage", append(append([]byte{}, leaf...), 0x05, 0x00), failure(ReasonUnknown, "after the first")},
		{"garbage after PKCS#7", append(append([]byte{}, p7b...), leaf...), failure(ReasonUnknown, "after the first")},
		{"PEM public key", []byte("-----BEGIN PUBLIC KEY-----\nMAA=\n-----END PUBLIC KEY-----\n"), failure(ReasonUnknown, "PUBLIC KEY")},
		{"PEM unknown types named once", []byte(strings.Repeat("-----BEGIN PUBLIC KEY-----\nMAA=\n-----END PUBLIC KEY-----\n", 3) +
			"-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n"),
			failure(ReasonUnknown, "PEM blocks of no importable type: PUBLIC KEY, EC PARAMETERS")},
		{"PEM PKCS12 ignored", pemOf("PKCS12", derPFX), failure(ReasonUnknown, "PKCS12")},
		{"certificate in a bundle with indefinite length", berPKCS7(berTLV(0x30, leaf[4:])), failure(ReasonUnknown, "certificate 1")},
		{"not a certificate in a bundle", EncodePKCS7([][]byte{derTLV(0x30, nil)}), failure(ReasonUnknown, "certificate 1")},
		{"CERTIFICATE block with garbage", pemOf("CERTIFICATE", []byte{0x02, 0x01, 0x00}), failure(ReasonUnknown, "CERTIFICATE block at line 1")},
		{"nested too deep", bytes.Repeat([]byte{0x30, 0x80}, 100), failure(ReasonUnknown, "nested")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			checkSniff(t, tc.data, tc.want)
		})
	}
}

func TestSniffTextDetail(t *testing.T) {
	long := strings.Repeat("я", 100)
	tests := []struct {
		name, text, detail string
	}{
		{"long line cut to 60 characters", long + "\n", strings.Repeat("я", 60)},
		{"windows-1251 text is not shown", "\xcf\xf0\xe8\xe2\xe5\xf2\n", ""},
		{"first non-blank line", "\r\n   \r\nhello\r\nworld\r\n", "hello"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Sniff([]byte(tc.text))
			var e *Error
			if !errors.As(err, &e) || e.Reason != ReasonTextNotPEM || e.Detail != tc.detail {
				t.Fatalf("Sniff = %v, want text-not-pem with detail %q", err, tc.detail)
			}
		})
	}
}

// The returned slices must not alias the input: the caller may reuse it.
func TestSniffDoesNotAlias(t *testing.T) {
	pki := newTestPKI(t)
	data := append([]byte{}, pki.leaf...)
	res, err := Sniff(data)
	if err != nil {
		t.Fatal(err)
	}
	for i := range data {
		data[i] = 0
	}
	if !bytes.Equal(res.Certificates[0], pki.leaf) {
		t.Fatal("the certificate changed when the input was overwritten")
	}
}

func TestErrorInterface(t *testing.T) {
	inner := errors.New("inner")
	e := &Error{Reason: ReasonPEMBadBase64, Detail: "CERTIFICATE block, line 3", Err: inner}
	var coded interface {
		error
		Code() string
		Params() map[string]any
	} = e
	if coded.Code() != "pem-bad-base64" || coded.Params()["Detail"] != "CERTIFICATE block, line 3" {
		t.Errorf("Code/Params = %q %v", coded.Code(), coded.Params())
	}
	if !errors.Is(e, inner) {
		t.Error("Error does not unwrap to its cause")
	}
	if got := e.Error(); got != "pem-bad-base64: CERTIFICATE block, line 3: inner" {
		t.Errorf("Error() = %q", got)
	}
}
