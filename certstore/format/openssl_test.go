package format

import (
	"bytes"
	"encoding/pem"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// opensslPKI makes, with the real openssl command in dir, an RSA root and
// an ECDSA leaf it issued, and returns their DER.
func opensslPKI(t *testing.T, dir string) (root, leaf []byte) {
	t.Helper()
	openssl(t, dir, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key",
		"-out", "ca.pem", "-subj", "/CN=Test CA/C=RU", "-days", "2")
	openssl(t, dir, "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
		"-keyout", "leaf.key", "-out", "leaf.csr", "-subj", "/CN=Leaf/C=RU")
	openssl(t, dir, "x509", "-req", "-in", "leaf.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
		"-out", "leaf.pem", "-days", "1")
	writeFile(t, dir, "chain.pem", append(readFile(t, dir, "leaf.pem"), readFile(t, dir, "ca.pem")...))
	openssl(t, dir, "x509", "-in", "leaf.pem", "-outform", "DER", "-out", "leaf.der")
	openssl(t, dir, "x509", "-in", "ca.pem", "-outform", "DER", "-out", "ca.der")
	return readFile(t, dir, "ca.der"), readFile(t, dir, "leaf.der")
}

// TestSniffOpenSSLFiles checks Sniff on the files OpenSSL writes.
func TestSniffOpenSSLFiles(t *testing.T) {
	requireOpenSSL(t)
	dir := t.TempDir()
	root, leaf := opensslPKI(t, dir)
	chain := [][]byte{leaf, root}

	// Certificate bundles.
	openssl(t, dir, "crl2pkcs7", "-nocrl", "-certfile", "chain.pem", "-out", "chain.p7b")
	openssl(t, dir, "crl2pkcs7", "-nocrl", "-certfile", "chain.pem", "-outform", "DER", "-out", "chain.p7b.der")
	openssl(t, dir, "x509", "-in", "ca.pem", "-trustout", "-addtrust", "serverAuth", "-out", "ca.trusted.pem")

	// Signatures (.p7s / .sig): with the chain, detached, and streamed BER.
	writeFile(t, dir, "doc.txt", []byte("Заявление\n"))
	openssl(t, dir, "cms", "-sign", "-binary", "-in", "doc.txt", "-signer", "leaf.pem", "-inkey", "leaf.key",
		"-certfile", "ca.pem", "-outform", "DER", "-out", "doc.p7s")
	openssl(t, dir, "cms", "-sign", "-binary", "-in", "doc.txt", "-signer", "leaf.pem", "-inkey", "leaf.key",
		"-outform", "PEM", "-out", "doc.cms.pem")
	openssl(t, dir, "smime", "-sign", "-binary", "-in", "doc.txt", "-signer", "leaf.pem", "-inkey", "leaf.key",
		"-outform", "PEM", "-out", "doc.smime.pem")
	openssl(t, dir, "cms", "-sign", "-binary", "-nodetach", "-stream", "-in", "doc.txt", "-signer", "leaf.pem",
		"-inkey", "leaf.key", "-certfile", "ca.pem", "-outform", "DER", "-out", "doc.ber.p7s")
	if ber := readFile(t, dir, "doc.ber.p7s"); len(ber) < 2 || ber[1] != 0x80 {
		t.Fatalf("openssl cms -stream did not write indefinite-length BER: % x", ber[:min(len(ber), 4)])
	}

	// PKCS#12: OpenSSL 3 default, legacy, empty password; and unpacked to PEM.
	openssl(t, dir, "pkcs12", "-export", "-inkey", "leaf.key", "-in", "leaf.pem", "-certfile", "ca.pem",
		"-out", "modern.p12", "-passout", "pass:пароль")
	openssl(t, dir, "pkcs12", "-export", "-legacy", "-inkey", "leaf.key", "-in", "leaf.pem",
		"-out", "legacy.p12", "-passout", "pass:1")
	openssl(t, dir, "pkcs12", "-export", "-inkey", "leaf.key", "-in", "leaf.pem", "-out", "empty.p12", "-passout", "pass:")
	openssl(t, dir, "pkcs12", "-in", "modern.p12", "-passin", "pass:пароль", "-nodes", "-out", "unpacked.pem")
	openssl(t, dir, "pkcs12", "-in", "modern.p12", "-passin", "pass:пароль", "-nokeys", "-out", "unpacked-certs.pem")

	// Requests, CRL, keys.
	openssl(t, dir, "req", "-in", "leaf.csr", "-outform", "DER", "-out", "leaf.csr.der")
	writeFile(t, dir, "index.txt", nil)
	writeFile(t, dir, "ca.cnf", []byte("[ca]\ndefault_ca = test\n[test]\ndatabase = index.txt\n"+
		"default_md = sha256\ndefault_crl_days = 1\n"))
	openssl(t, dir, "ca", "-config", "ca.cnf", "-gencrl", "-keyfile", "ca.key", "-cert", "ca.pem", "-out", "crl.pem")
	openssl(t, dir, "crl", "-in", "crl.pem", "-outform", "DER", "-out", "crl.der")
	openssl(t, dir, "crl2pkcs7", "-in", "crl.pem", "-outform", "DER", "-out", "crl-only.p7b")
	openssl(t, dir, "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024", "-out", "rsa.pk8.pem")
	openssl(t, dir, "pkey", "-in", "rsa.pk8.pem", "-outform", "DER", "-out", "rsa.pk8.der")
	openssl(t, dir, "rsa", "-in", "rsa.pk8.pem", "-traditional", "-out", "rsa.pk1.pem")
	openssl(t, dir, "rsa", "-in", "rsa.pk8.pem", "-traditional", "-outform", "DER", "-out", "rsa.pk1.der")
	openssl(t, dir, "rsa", "-in", "rsa.pk8.pem", "-traditional", "-aes256", "-passout", "pass:1", "-out", "rsa.legacy-enc.pem")
	openssl(t, dir, "ecparam", "-genkey", "-name", "prime256v1", "-noout", "-out", "ec.pem")
	openssl(t, dir, "ec", "-in", "ec.pem", "-outform", "DER", "-out", "ec.der")
	openssl(t, dir, "pkcs8", "-topk8", "-in", "rsa.pk8.pem", "-v2", "aes256", "-passout", "pass:1", "-out", "enc.pem")
	openssl(t, dir, "pkcs8", "-topk8", "-in", "rsa.pk8.pem", "-v2", "aes256", "-passout", "pass:1", "-outform", "DER", "-out", "enc.der")

	certs := func(enc Encoding, c ...[]byte) want { return want{kind: KindCertificates, enc: enc, certs: c} }
	bundle := func(enc Encoding, c ...[]byte) want {
		return want{kind: KindCertificates, enc: enc, certs: c, pkcs7: true}
	}
	pfx := func(name string) want {
		return want{kind: KindPKCS12, enc: EncodingDER, pkcs12: readFile(t, dir, name)}
	}
	failure := func(r Reason) want { return want{reason: r} }

	tests := []struct {
		file string
		want want
	}{
		{"leaf.pem", certs(EncodingPEM, leaf)},
		{"leaf.der", certs(EncodingDER, leaf)},
		{"chain.pem", certs(EncodingPEM, chain...)},
		{"ca.trusted.pem", certs(EncodingPEM, root)},
		{"chain.p7b", bundle(EncodingPEM, chain...)},
		{"chain.p7b.der", bundle(EncodingDER, chain...)},
		{"doc.p7s", bundle(EncodingDER, leaf, root)},
		{"doc.ber.p7s", bundle(EncodingDER, leaf, root)},
		{"doc.cms.pem", bundle(EncodingPEM, leaf)},
		{"doc.smime.pem", bundle(EncodingPEM, leaf)},
		{"modern.p12", pfx("modern.p12")},
		{"legacy.p12", pfx("legacy.p12")},
		{"empty.p12", pfx("empty.p12")},
		{"unpacked.pem", want{kind: KindCertificates, enc: EncodingPEM, certs: chain, hadKey: true}},
		{"unpacked-certs.pem", certs(EncodingPEM, chain...)},
		{"leaf.csr", failure(ReasonRequest)},
		{"leaf.csr.der", failure(ReasonRequest)},
		{"crl.pem", failure(ReasonCRL)},
		{"crl.der", failure(ReasonCRL)},
		{"crl-only.p7b", failure(ReasonNoCertificates)},
		{"leaf.key", failure(ReasonPrivateKeyOnly)},
		{"ca.key", failure(ReasonPrivateKeyOnly)},
		{"rsa.pk8.pem", failure(ReasonPrivateKeyOnly)},
		{"rsa.pk8.der", failure(ReasonPrivateKeyOnly)},
		{"rsa.pk1.pem", failure(ReasonPrivateKeyOnly)},
		{"rsa.pk1.der", failure(ReasonPrivateKeyOnly)},
		{"rsa.legacy-enc.pem", failure(ReasonPrivateKeyOnly)},
		{"ec.pem", failure(ReasonPrivateKeyOnly)},
		{"ec.der", failure(ReasonPrivateKeyOnly)},
		{"enc.pem", failure(ReasonPrivateKeyOnly)},
		{"enc.der", failure(ReasonPrivateKeyOnly)},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			data := readFile(t, dir, tc.file)
			checkSniff(t, data, tc.want)
			// The same file as Base64 without headers, as CAs hand it out.
			if !bytes.Contains(data, []byte("-----BEGIN")) {
				w := tc.want
				if w.reason == "" {
					w.enc = EncodingBase64
				}
				checkSniff(t, wrapBase64(data, 64, "\r\n"), w)
			}
		})
	}
	// The legacy encrypted key must really be the old PEM with headers.
	if !bytes.Contains(readFile(t, dir, "rsa.legacy-enc.pem"), []byte("DEK-Info:")) {
		t.Error("rsa.legacy-enc.pem has no RFC 1421 headers; the test does not test them")
	}
}

// TestEncodePKCS7OpenSSL checks that OpenSSL reads what EncodePKCS7 writes,
// DER and PEM, and finds the same certificates in the same order.
func TestEncodePKCS7OpenSSL(t *testing.T) {
	requireOpenSSL(t)
	dir := t.TempDir()
	root, leaf := opensslPKI(t, dir)
	goPKI := newTestPKI(t)
	chain := [][]byte{leaf, root, goPKI.leaf, goPKI.root}

	p7b := EncodePKCS7(chain)
	writeFile(t, dir, "ours.p7b", p7b)
	writeFile(t, dir, "ours.p7b.pem", EncodePEM("PKCS7", [][]byte{p7b}))
	for _, tc := range []struct{ file, inform string }{{"ours.p7b", "DER"}, {"ours.p7b.pem", "PEM"}} {
		t.Run(tc.file, func(t *testing.T) {
			out := openssl(t, dir, "pkcs7", "-inform", tc.inform, "-in", tc.file, "-print_certs")
			var got [][]byte
			for rest := out; ; {
				var block *pem.Block
				block, rest = pem.Decode(rest)
				if block == nil {
					break
				}
				got = append(got, block.Bytes)
			}
			if len(got) != len(chain) {
				t.Fatalf("openssl printed %d certificates, want %d:\n%s", len(got), len(chain), out)
			}
			for i := range chain {
				if !bytes.Equal(got[i], chain[i]) {
					t.Errorf("certificate %d differs or is out of order", i)
				}
			}
			if n := strings.Count(string(out), "subject="); n != len(chain) {
				t.Errorf("openssl printed %d subjects, want %d", n, len(chain))
			}
		})
	}

	// And OpenSSL's own check of the structure.
	cmd := exec.Command(requireOpenSSL(t), "asn1parse", "-inform", "DER", "-in", filepath.Join(dir, "ours.p7b"))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("openssl asn1parse: %v\n%s", err, out)
	}
}
