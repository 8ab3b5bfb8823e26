package signer

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"io"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/podpis/podpis/certstore/cert"
	"github.com/podpis/podpis/certstore/validate"
)

// fuzzSeeds are real signatures made at test time with a Go ECDSA key (no
// OpenSSL needed, no key committed): detached, attached DER, attached BER,
// PEM and bare Base64.
func fuzzSeeds(tb testing.TB) [][]byte {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(0x1234),
		Subject:      pkix.Name{CommonName: "Fuzz Seed", Country: []string{"RU"}},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		tb.Fatal(err)
	}
	c, err := cert.Parse(der)
	if err != nil {
		tb.Fatal(err)
	}
	k := Key{Certificate: c, Signer: key}
	doc := []byte("fuzz seed document")
	detached, _, err := SignDetached(bytes.NewReader(doc), k, SignOptions{})
	if err != nil {
		tb.Fatal(err)
	}
	pemSig, _, err := SignDetached(bytes.NewReader(doc), k, SignOptions{PEM: true})
	if err != nil {
		tb.Fatal(err)
	}
	var attached, ber bytes.Buffer
	if _, err := Sign(&attached, bytes.NewReader(doc), int64(len(doc)), k, SignOptions{}); err != nil {
		tb.Fatal(err)
	}
	p := &parts{version: 1}
	parsed, err := parseSignedData(bytes.NewReader(attached.Bytes()), func(sd *signedData) (io.Writer, error) {
		p.contentType, p.digestAlgs = sd.contentType, sd.digestAlgs
		return nil, nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	p.certs = parsed.rawCerts
	for _, si := range parsed.signers {
		p.signers = append(p.signers, si.raw)
	}
	ber.Write(berStart(p))
	ber.Write(header(classUniversal, false, tagOctetString, len(doc)))
	ber.Write(doc)
	ber.Write(berEnd(p))
	return [][]byte{detached, attached.Bytes(), ber.Bytes(), pemSig, []byte(base64.StdEncoding.EncodeToString(detached))}
}

// FuzzParseSignedData feeds the CMS parser (and the whole of
// VerifyDetached) arbitrary input: no panic, errors are *Error, and DER
// normalisation is idempotent.
func FuzzParseSignedData(f *testing.F) {
	for _, seed := range fuzzSeeds(f) {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		_, err := parseSignedData(bytes.NewReader(data), func(*signedData) (io.Writer, error) { return nil, nil })
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("parse error %T %v is not an *Error", err, err)
			}
		}
		res, err := VerifyDetached(bytes.NewReader(data), strings.NewReader("fuzz seed document"), VerifyOptions{Chain: Validator{Options: validate.Options{}}})
		if err == nil && res.Status == "" {
			t.Fatal("a result without a status")
		}
		if _, err := Verify(bytes.NewReader(data), VerifyOptions{}); err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("Verify error %T %v is not an *Error", err, err)
			}
		}
		IsDetached(data)
		if der, err := toDER(data); err == nil {
			again, err := toDER(der)
			if err != nil || !bytes.Equal(again, der) {
				t.Fatalf("toDER is not idempotent: %v", err)
			}
		}
	})
}

// FuzzDecodeInput feeds the PEM / Base64 / binary decoder arbitrary input
// (no panic, no endless read), and checks that whatever bytes are armoured
// by pemWriter, or bare Base64-encoded, decode back to themselves.
func FuzzDecodeInput(f *testing.F) {
	for _, seed := range fuzzSeeds(f) {
		f.Add(seed)
	}
	f.Add([]byte("-----BEGIN SIGNED MESSAGE-----\r\nMIIB\r\n-----END SIGNED MESSAGE-----\r\n"))
	f.Add([]byte("\ufeff  TUlJ\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if r, _, err := decodeInput(bytes.NewReader(data)); err == nil {
			out, _ := io.ReadAll(io.LimitReader(r, int64(len(data))+1))
			if len(out) > len(data) {
				t.Fatalf("decoded %d bytes from %d", len(out), len(data))
			}
		}
		if len(data) == 0 {
			return
		}
		var armoured bytes.Buffer
		pw, _ := newPEMWriter(&armoured, pemLabel)
		pw.Write(data)
		pw.Close()
		for name, text := range map[string][]byte{"PEM": armoured.Bytes(), "Base64": []byte(base64.StdEncoding.EncodeToString(data))} {
			r, _, err := decodeInput(bytes.NewReader(text))
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			got, err := io.ReadAll(r)
			if err != nil || !bytes.Equal(got, data) {
				t.Fatalf("%s round trip: %v, %x != %x", name, err, got, data)
			}
		}
	})
}
