package diagnose

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"testing"

	"software.sslmate.com/src/go-pkcs12"

	"github.com/podpis/podpis/certstore/format"
)

// FuzzOpen: whatever a person drops, Open answers with an Input or a coded
// error, never a panic; what it recognises as certificates converts to the
// other encoding and back to the same certificates.
func FuzzOpen(f *testing.F) {
	p := newTestPKI(f, "Fuzz Leaf")
	sig := signedData(f, true, p.leaf)
	p12, err := pkcs12.Modern.Encode(p.leafKey, p.leaf, []*x509.Certificate{p.inter}, "")
	if err != nil {
		f.Fatal(err)
	}
	for _, seed := range [][]byte{
		p.leaf.Raw,
		pemCerts(p.leaf, p.inter),
		bareBase64(p.root.Raw),
		format.EncodePKCS7([][]byte{p.leaf.Raw, p.root.Raw}),
		sig,
		berIndefinite(f, sig),
		pem.EncodeToMemory(&pem.Block{Type: "CMS", Bytes: sig}),
		bareBase64(sig),
		signedData(f, false, p.leaf),
		p12,
		[]byte("-----BEGIN CERTIFICATE-----\nMIIB\n"),
		[]byte("hello"),
		{0x30, 0x80, 0x06, 0x09},
		{},
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		in, err := Open("fuzz", data)
		if err != nil {
			if _, ok := err.(*Error); !ok || err.(*Error).Code() == "" {
				t.Fatalf("error without a code: %T %v", err, err)
			}
			return
		}
		switch in.Kind {
		case KindCertificate, KindBundle:
			if in.Certificate == nil {
				t.Fatal("certificates without a subject")
			}
			name, out, ok := in.Converted()
			if !ok || name == "" {
				t.Fatal("certificates that do not convert")
			}
			back, err := Open(name, out)
			if err != nil {
				t.Fatalf("converted file does not open: %v", err)
			}
			if !bytes.Equal(back.Certificate.Raw, in.Certificate.Raw) || len(back.Extra) != len(in.Extra) {
				t.Fatal("conversion changed the certificates")
			}
		case KindPKCS12:
			// Unlocking with any password answers without a panic.
			_, _, _ = in.UnlockPKCS12("")
		case KindSignature:
			if !bytes.Equal(in.Data, data) {
				t.Fatal("a signature's data is not the file")
			}
		default:
			t.Fatalf("kind %q", in.Kind)
		}
	})
}
