package diagnose

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"strings"
	"testing"

	"software.sslmate.com/src/go-pkcs12"

	"github.com/podpis/podpis/certstore/format"
)

func TestOpenKinds(t *testing.T) {
	p := newTestPKI(t, "Diag Leaf")
	p12, err := pkcs12.Modern.Encode(p.leafKey, p.leaf, []*x509.Certificate{p.inter, p.root}, "secret")
	if err != nil {
		t.Fatal(err)
	}
	sig := signedData(t, true, p.leaf, p.inter)
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: []byte{0x30, 0x03, 0x02, 0x01, 0x00}})
	for _, tc := range []struct {
		name     string
		data     []byte
		kind     Kind
		encoding Encoding
		subject  *x509.Certificate // nil: no certificate before unlocking or verifying
		extra    int
		keyNote  bool
	}{
		{"DER", p.leaf.Raw, KindCertificate, EncodingDER, p.leaf, 0, false},
		{"PEM", pemCerts(p.leaf), KindCertificate, EncodingPEM, p.leaf, 0, false},
		{"PEM with CRLF and a BOM", append([]byte("\xef\xbb\xbf"), bytes.ReplaceAll(pemCerts(p.leaf), []byte("\n"), []byte("\r\n"))...), KindCertificate, EncodingPEM, p.leaf, 0, false},
		{"bare Base64", bareBase64(p.leaf.Raw), KindCertificate, EncodingBase64, p.leaf, 0, false},
		{"PEM chain root first", pemCerts(p.root, p.inter, p.leaf), KindBundle, EncodingPEM, p.leaf, 2, false},
		{"CA certificates only", pemCerts(p.inter, p.root), KindBundle, EncodingPEM, p.inter, 1, false},
		{"p7b DER", format.EncodePKCS7([][]byte{p.root.Raw, p.leaf.Raw}), KindBundle, EncodingDER, p.leaf, 1, false},
		{"p7b in PEM", format.EncodePEM("PKCS7", [][]byte{format.EncodePKCS7([][]byte{p.leaf.Raw, p.inter.Raw})}), KindBundle, EncodingPEM, p.leaf, 1, false},
		{"p7b of one certificate", format.EncodePKCS7([][]byte{p.leaf.Raw}), KindCertificate, EncodingDER, p.leaf, 0, false},
		{"PEM with a private key", append(pemCerts(p.leaf), keyPEM...), KindCertificate, EncodingPEM, p.leaf, 0, true},
		{"PKCS#12", p12, KindPKCS12, EncodingDER, nil, 0, false},
		{"signature DER", sig, KindSignature, EncodingDER, nil, 0, false},
		{"signature PEM", pem.EncodeToMemory(&pem.Block{Type: "CMS", Bytes: sig}), KindSignature, EncodingPEM, nil, 0, false},
		{"signature Base64", bareBase64(sig), KindSignature, EncodingBase64, nil, 0, false},
		{"signature BER", berIndefinite(t, sig), KindSignature, EncodingDER, nil, 0, false},
		{"signature without certificates", signedData(t, true), KindSignature, EncodingDER, nil, 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in, err := Open("file", tc.data)
			if err != nil {
				t.Fatal(err)
			}
			if in.Kind != tc.kind || in.Encoding != tc.encoding || in.Name != "file" || in.PrivateKeyIgnored != tc.keyNote {
				t.Fatalf("got kind %s encoding %s key %v", in.Kind, in.Encoding, in.PrivateKeyIgnored)
			}
			switch {
			case tc.subject == nil && in.Certificate != nil:
				t.Errorf("certificate %s before unlocking", in.Certificate.Subject)
			case tc.subject != nil && (in.Certificate == nil || !bytes.Equal(in.Certificate.Raw, tc.subject.Raw)):
				t.Errorf("subject is not %s", tc.subject.Subject.CommonName)
			}
			if len(in.Extra) != tc.extra {
				t.Errorf("%d extra certificates, want %d", len(in.Extra), tc.extra)
			}
			if tc.kind == KindSignature && !bytes.Equal(in.Data, tc.data) {
				t.Error("a signature's Data is not the file")
			}
			if tc.kind == KindPKCS12 && len(in.Data) == 0 {
				t.Error("no PFX data")
			}
		})
	}
}

func TestOpenErrors(t *testing.T) {
	p := newTestPKI(t, "Diag Leaf")
	for _, tc := range []struct {
		name string
		data []byte
		code string
	}{
		{"empty", nil, "empty"},
		{"spaces", []byte(" \n\t"), "empty"},
		{"text", []byte("Здравствуйте, высылаю сертификат\n"), "text-not-pem"},
		{"truncated", p.leaf.Raw[:len(p.leaf.Raw)/2], "truncated-der"},
		{"zip", []byte("PK\x03\x04 an archive"), "unknown"},
		{"empty bundle", format.EncodePKCS7(nil), "no-certificates"},
		{"too large", make([]byte, MaxInputSize+1), CodeTooLarge},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in, err := Open("ivanov.cer", tc.data)
			var de *Error
			if in != nil || !errors.As(err, &de) {
				t.Fatalf("Open = %v, %v; want *Error", in, err)
			}
			if de.Code() != tc.code || de.File() != "ivanov.cer" || de.Params()["File"] != "ivanov.cer" {
				t.Errorf("code %q file %q params %v, want %q", de.Code(), de.File(), de.Params(), tc.code)
			}
			if !strings.Contains(err.Error(), "ivanov.cer") || !strings.Contains(err.Error(), tc.code) {
				t.Errorf("Error() = %q", err)
			}
		})
	}
}

func TestOpenConverted(t *testing.T) {
	p := newTestPKI(t, "Diag Leaf")
	for _, tc := range []struct {
		name, file string
		data       []byte
		wantName   string
		wantEnc    Encoding
		wantKind   Kind
	}{
		{"PEM to DER", "ivanov.pem", pemCerts(p.leaf), "ivanov.cer", EncodingDER, KindCertificate},
		{"PEM named .cer", "ivanov.cer", pemCerts(p.leaf), "ivanov-der.cer", EncodingDER, KindCertificate},
		{"Base64 to DER", "ivanov.txt", bareBase64(p.leaf.Raw), "ivanov.cer", EncodingDER, KindCertificate},
		{"DER to PEM", "ivanov.cer", p.leaf.Raw, "ivanov.pem", EncodingPEM, KindCertificate},
		{"DER named .pem", "dir/ivanov.pem", p.leaf.Raw, "ivanov-pem.pem", EncodingPEM, KindCertificate},
		{"PEM chain to p7b", "chain.pem", pemCerts(p.leaf, p.inter, p.root), "chain.p7b", EncodingDER, KindBundle},
		{"p7b to PEM chain", "chain.p7b", format.EncodePKCS7([][]byte{p.leaf.Raw, p.inter.Raw}), "chain.pem", EncodingPEM, KindBundle},
		{"p7b of one to PEM", "one.p7b", format.EncodePKCS7([][]byte{p.leaf.Raw}), "one.pem", EncodingPEM, KindCertificate},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in, err := Open(tc.file, tc.data)
			if err != nil {
				t.Fatal(err)
			}
			name, data, ok := in.Converted()
			if !ok || name != tc.wantName {
				t.Fatalf("Converted = %q, ok %v; want %q", name, ok, tc.wantName)
			}
			back, err := Open(name, data)
			if err != nil {
				t.Fatalf("the converted file does not open: %v", err)
			}
			if back.Encoding != tc.wantEnc || back.Kind != tc.wantKind {
				t.Errorf("converted is %s %s, want %s %s", back.Kind, back.Encoding, tc.wantKind, tc.wantEnc)
			}
			if !bytes.Equal(back.Certificate.Raw, in.Certificate.Raw) || len(back.Extra) != len(in.Extra) {
				t.Fatal("the converted file holds other certificates")
			}
			for i := range in.Extra {
				if !bytes.Equal(back.Extra[i].Raw, in.Extra[i].Raw) {
					t.Errorf("extra %d differs", i)
				}
			}
			// And back again: the original encoding, the same bytes for
			// a single certificate.
			_, again, ok := back.Converted()
			if !ok {
				t.Fatal("no way back")
			}
			if tc.wantKind == KindCertificate && tc.wantEnc == EncodingDER && !bytes.Equal(data, p.leaf.Raw) {
				t.Error("DER is not the certificate's own bytes")
			}
			if reopened, err := Open("again", again); err != nil || !bytes.Equal(reopened.Certificate.Raw, in.Certificate.Raw) {
				t.Errorf("round trip: %v", err)
			}
		})
	}
	sig, _ := Open("a.sig", signedData(t, true, p.leaf))
	p12data, _ := pkcs12.Modern.Encode(p.leafKey, p.leaf, nil, "")
	container, _ := Open("a.p12", p12data)
	for _, in := range []*Input{sig, container} {
		if _, _, ok := in.Converted(); ok {
			t.Errorf("%s converts", in.Kind)
		}
	}
}

func TestOpenUnlockPKCS12(t *testing.T) {
	p := newTestPKI(t, "Diag Leaf")
	modern, err := pkcs12.Modern.Encode(p.leafKey, p.leaf, []*x509.Certificate{p.root, p.inter}, "пароль")
	if err != nil {
		t.Fatal(err)
	}
	legacy, err := pkcs12.Legacy.Encode(p.leafKey, p.leaf, []*x509.Certificate{p.inter}, "secret")
	if err != nil {
		t.Fatal(err)
	}
	trustOnly, err := pkcs12.Modern.EncodeTrustStore([]*x509.Certificate{p.root, p.leaf}, "secret")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name     string
		data     []byte
		password string
		code     string
		extra    int
	}{
		{"modern", modern, "пароль", "", 2},
		{"modern wrong", modern, "parol", CodeWrongPassword, 0},
		{"modern empty", modern, "", CodeWrongPassword, 0},
		{"legacy", legacy, "secret", "", 1},
		{"legacy wrong", legacy, "Secret", CodeWrongPassword, 0},
		{"certificates only", trustOnly, "secret", "", 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in, err := Open("key.p12", tc.data)
			if err != nil || in.Kind != KindPKCS12 {
				t.Fatalf("Open: %v %v", in, err)
			}
			leaf, extra, err := in.UnlockPKCS12(tc.password)
			if tc.code != "" {
				var de *Error
				if !errors.As(err, &de) || de.Code() != tc.code || de.File() != "key.p12" {
					t.Fatalf("err = %v, want %s", err, tc.code)
				}
				if in.Certificate != nil {
					t.Error("a failed unlock set the certificate")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(leaf.Raw, p.leaf.Raw) || len(extra) != tc.extra || in.Certificate != leaf || len(in.Extra) != tc.extra {
				t.Errorf("leaf %s, %d extra", leaf.Subject.CommonName(), len(extra))
			}
		})
	}
	in, _ := Open("a.cer", p.leaf.Raw)
	var de *Error
	if _, _, err := in.UnlockPKCS12("x"); !errors.As(err, &de) || de.Code() != CodeNotPKCS12 {
		t.Errorf("unlocking a certificate: %v", err)
	}
}
