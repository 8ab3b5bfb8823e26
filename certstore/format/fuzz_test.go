package format

import (
	"bytes"
	"encoding/base64"
	"errors"
	"regexp"
	"testing"
	"unicode/utf16"

	"golang.org/x/crypto/cryptobyte"
	cryptobyte_asn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// Seeds made at run time (so private keys are never committed); more seeds
// without keys are in testdata/fuzz.
func fuzzSeeds(t testing.TB) [][]byte {
	pki := newTestPKI(t)
	chain := [][]byte{pki.leaf, pki.root}
	p7b := EncodePKCS7(chain)
	return [][]byte{
		pki.leaf,
		pki.root,
		append(append([]byte{}, pki.leaf...), pki.root...),
		pemOf("CERTIFICATE", pki.leaf),
		append(pemOf("PRIVATE KEY", mustPKCS8(t, pki.leafKey)), EncodePEM("CERTIFICATE", chain)...),
		pemOf("TRUSTED CERTIFICATE", pki.root),
		wrapBase64(pki.leaf, 64, "\r\n"),
		p7b,
		pemOf("PKCS7", p7b),
		berPKCS7(pki.leaf, pki.root),
		berPKCS7(),
		berPFX(),
		pki.csr,
		pki.crl,
		mustPKCS8(t, pki.rootKey),
		mustSEC1(t, pki.leafKey),
		utf16LE(string(pemOf("CERTIFICATE", pki.root))),
		[]byte("-----BEGIN CERTIFICATE-----\nMI*B\n-----END CERTIFICATE-----\n"),
		[]byte("-----BEGIN CERTIFICATE-----\nMIIB"),
		[]byte("hello\n"),
		[]byte{0x30, 0x80, 0x30, 0x80, 0x00, 0x00},
		[]byte{0x30, 0x84, 0xff, 0xff, 0xff, 0xff},
		[]byte{0x30, 0x9f, 0xff, 0xff, 0xff, 0x7f, 0x00},
		{},
	}
}

func FuzzSniff(f *testing.F) {
	for _, seed := range fuzzSeeds(f) {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		res, err := Sniff(data)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Reason == "" {
				t.Fatalf("error %v (%T) is not an *Error with a reason", err, err)
			}
			if res != nil {
				t.Fatal("a result came with an error")
			}
			return
		}
		sources := fuzzDecodedSources(data)
		switch res.Kind {
		case KindCertificates:
			if len(res.Certificates) == 0 {
				t.Fatal("no certificates and no error")
			}
			for i, cert := range res.Certificates {
				if !isOneDERSequence(cert) {
					t.Fatalf("certificate %d is not one complete DER SEQUENCE", i)
				}
				if !containedIn(cert, sources) {
					t.Fatalf("certificate %d is not found in the input (encoding %s)", i, res.Encoding)
				}
				// A certificate taken out of anything is a certificate by itself.
				again, err := Sniff(cert)
				if err != nil || len(again.Certificates) != 1 || !bytes.Equal(again.Certificates[0], cert) {
					t.Fatalf("certificate %d does not sniff as itself: %v", i, err)
				}
			}
		case KindPKCS12:
			if len(res.PKCS12) < 2 || res.PKCS12[0] != 0x30 || !containedIn(res.PKCS12, sources) {
				t.Fatal("PKCS12 is not a SEQUENCE found in the input")
			}
		default:
			t.Fatalf("unknown kind %q", res.Kind)
		}
	})
}

func FuzzPKCS7(f *testing.F) {
	pki := newTestPKI(f)
	f.Add(EncodePKCS7([][]byte{pki.leaf, pki.root}))
	f.Add(EncodePKCS7(nil))
	f.Add(berPKCS7(pki.leaf))
	f.Add(berPKCS7())
	f.Add(berPKCS7(berTLV(0x30, pki.leaf[4:])))
	f.Add(berPFX())
	f.Add(pki.leaf)
	f.Fuzz(func(t *testing.T, data []byte) {
		certs, err := parsePKCS7(data)
		if err != nil {
			if err.Reason == "" {
				t.Fatalf("error without a reason: %v", err)
			}
			return
		}
		if len(certs) == 0 {
			t.Fatal("no certificates and no error")
		}
		for i, cert := range certs {
			if !isOneDERSequence(cert) || !bytes.Contains(data, cert) {
				t.Fatalf("certificate %d is not a complete DER SEQUENCE from the input", i)
			}
		}
		// What was read can be written and read back unchanged.
		again, err := parsePKCS7(EncodePKCS7(certs))
		if err != nil || len(again) != len(certs) {
			t.Fatalf("re-encoded bundle: %d certificates, %v", len(again), err)
		}
		for i := range certs {
			if !bytes.Equal(again[i], certs[i]) {
				t.Fatalf("certificate %d changed in the round trip", i)
			}
		}
	})
}

func isOneDERSequence(b []byte) bool {
	s := cryptobyte.String(b)
	var el cryptobyte.String
	return s.ReadASN1Element(&el, cryptobyte_asn1.SEQUENCE) && s.Empty()
}

func containedIn(needle []byte, sources [][]byte) bool {
	for _, s := range sources {
		if bytes.Contains(s, needle) {
			return true
		}
	}
	return false
}

// pemBodies finds PEM bodies the simple way, independently of scanPEM.
var pemBodies = regexp.MustCompile(`(?s)-----BEGIN [^\n]*?-----(.*?)-----END `)

// fuzzDecodedSources returns the input and every decoding of it that the
// test can make on its own: the whole text as Base64, and each PEM body.
func fuzzDecodedSources(data []byte) [][]byte {
	sources := [][]byte{data}
	text := bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if len(data) >= 2 && (data[0] == 0xff && data[1] == 0xfe || data[0] == 0xfe && data[1] == 0xff) {
		units := make([]uint16, 0, len(data)/2)
		for i := 2; i+1 < len(data); i += 2 {
			if data[0] == 0xff {
				units = append(units, uint16(data[i])|uint16(data[i+1])<<8)
			} else {
				units = append(units, uint16(data[i])<<8|uint16(data[i+1]))
			}
		}
		text = []byte(string(utf16.Decode(units)))
	}
	decode := func(b64 []byte) {
		var clean []byte
		for _, line := range bytes.Split(b64, []byte("\n")) {
			if bytes.IndexByte(line, ':') >= 0 {
				continue // an RFC 1421 header
			}
			for _, c := range line {
				if c != ' ' && c != '\t' && c != '\r' && c != '\n' && c != '\f' && c != '\v' {
					clean = append(clean, c)
				}
			}
		}
		if der, err := base64.RawStdEncoding.DecodeString(string(bytes.TrimRight(clean, "="))); err == nil {
			sources = append(sources, der)
		}
	}
	decode(text)
	for _, m := range pemBodies.FindAllSubmatch(text, -1) {
		decode(m[1])
	}
	return sources
}
