package signer

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/podpis/podpis/certstore/cert"
	"github.com/podpis/podpis/certstore/oid"
	"github.com/podpis/podpis/certstore/sigalg"
	"github.com/podpis/podpis/certstore/validate"
)

// berForm rewrites DER as BER the way streaming writers do: every
// constructed element with an indefinite length, and every OCTET STRING
// longer than 100 bytes as a constructed string of 100-byte segments.
//
// keepAttrs leaves signed attributes in DER: OpenSSL re-encodes them from
// the values it received, keeping BER inside ANY values, so for it BER
// signed attributes never verify (RFC 5652 5.4 wants DER; Podpis
// normalises, see TestBERInputVerifies).
func berForm(t *testing.T, der []byte, keepAttrs bool) []byte {
	t.Helper()
	var out []byte
	rest := der
	for len(rest) > 0 {
		h, n, err := parseHeader(rest)
		if err != nil {
			t.Fatal(err)
		}
		body := rest[n : n+int(h.length)]
		rest = rest[n+int(h.length):]
		element := append(append([]byte{}, h.raw...), body...)
		switch {
		case h.constructed && isCertificate(element), keepAttrs && isSignedAttrs(element):
			// Certificates stay DER: their signatures are over the DER.
			out = append(out, element...)
		case h.constructed:
			out = append(out, h.raw[0], 0x80)
			out = append(out, berForm(t, body, keepAttrs)...)
			out = append(out, 0, 0)
		case h.class == classUniversal && h.tag == tagOctetString && len(body) > 100:
			out = append(out, 0x24, 0x80)
			for len(body) > 0 {
				k := min(100, len(body))
				out = append(out, header(classUniversal, false, tagOctetString, k)...)
				out = append(out, body[:k]...)
				body = body[k:]
			}
			out = append(out, 0, 0)
		default:
			out = append(out, h.raw...)
			out = append(out, body...)
		}
	}
	return out
}

// isSignedAttrs spots [0] IMPLICIT SET OF Attribute whose first attribute is
// a PKCS #9 one (contentType...).
func isSignedAttrs(element []byte) bool {
	pkcs9 := []byte{0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09}
	h, n, err := parseHeader(element)
	if err != nil || h.raw[0] != 0xa0 || len(element) < n+2+len(pkcs9) {
		return false
	}
	_, m, err := parseHeader(element[n:])
	return err == nil && bytes.HasPrefix(element[n+m:], pkcs9)
}

func isCertificate(der []byte) bool {
	_, err := cert.Parse(der)
	return err == nil
}

// BER everywhere but in certificates (signed attributes, SignerInfos, content)
// is read as the DER it stands for: the signed attributes are verified
// re-encoded as a DER SET (RFC 5652 5.4). OpenSSL agrees.
func TestBERInputVerifies(t *testing.T) {
	p := newPKI(t, kindGOST256A)
	doc := document(3000)
	var attached bytes.Buffer
	if _, err := Sign(&attached, bytes.NewReader(doc), int64(len(doc)), p.key, SignOptions{}); err != nil {
		t.Fatal(err)
	}
	ber := berForm(t, attached.Bytes(), false)
	if bytes.Equal(ber, attached.Bytes()) || bytes.Contains(ber, doc[:200]) {
		t.Fatal("berForm changed nothing")
	}
	res, err := Verify(bytes.NewReader(ber), p.chainOpts)
	if err != nil {
		t.Fatal(err)
	}
	wantValid(t, res, 1)
	forOpenSSL := berForm(t, attached.Bytes(), true)
	if bytes.Equal(forOpenSSL, ber) {
		t.Fatal("signed attributes were not kept")
	}
	if res, err := Verify(bytes.NewReader(forOpenSSL), p.chainOpts); err != nil || res.Status != StatusValid {
		t.Fatalf("BER with DER signed attributes: %v %+v", err, res)
	}
	if ok, out := p.opensslVerify(t, p.write(t, "ber.sig", forOpenSSL), "", "DER"); !ok {
		t.Fatalf("openssl rejects the BER form:\n%s", out)
	}
	der, err := toDER(ber)
	if err != nil || !bytes.Equal(der, attached.Bytes()) {
		t.Fatalf("toDER(BER) is not the DER: %v", err)
	}
}

// A messageDigest that disagrees with the content while the signature over
// the attributes is good: crafted by signing attributes that carry the
// digest of other content.
func TestMessageDigestDisagrees(t *testing.T) {
	p := newPKI(t, kindGOST512A)
	doc := document(5000)
	s, err := newSigning(p.key, SignOptions{})
	if err != nil {
		t.Fatal(err)
	}
	wrong, _ := sigalg.Sum(s.choice.Digest.OID, []byte("другой документ"))
	si, err := s.signerInfo(oid.ContentData, wrong)
	if err != nil {
		t.Fatal(err)
	}
	parts := &parts{version: 1, contentType: oid.ContentData, certs: s.certificates(), signers: [][]byte{si}}
	parts.addDigestAlg(s.choice.Digest)
	var sig bytes.Buffer
	if err := writeDER(&sig, parts, nil, false); err != nil {
		t.Fatal(err)
	}
	if ok, _ := p.opensslVerify(t, p.write(t, "md.sig", sig.Bytes()), p.write(t, "doc", doc), "DER"); ok {
		t.Error("openssl accepts a disagreeing messageDigest")
	}
	res, err := VerifyDetached(bytes.NewReader(sig.Bytes()), bytes.NewReader(doc), p.chainOpts)
	if err != nil {
		t.Fatal(err)
	}
	got := reasons(res.Signers[0].Problems)
	if res.Status != StatusInvalid || res.Signers[0].SignatureValid || !hasReason(res.Signers[0].Problems, reasonContentMismatch) || hasReason(res.Signers[0].Problems, reasonSignatureMismatch) {
		t.Errorf("status %s reasons %v", res.Status, got)
	}
	// The same signature is good for the content it names.
	res, err = VerifyDetached(bytes.NewReader(sig.Bytes()), strings.NewReader("другой документ"), p.chainOpts)
	if err != nil {
		t.Fatal(err)
	}
	wantValid(t, res, 1)
}

// Co-signing keeps the form, and OpenSSL verifies both signers.
func TestCosign(t *testing.T) {
	first := newPKI(t, kindGOST256A)
	second := newPKI(t, kindRSA)
	third := newPKI(t, kindGOST512A)
	roots := VerifyOptions{Chain: Validator{Options: validate.Options{Roots: []*cert.Certificate{first.root, second.root, third.root}}}}
	bundle := first.write(t, "roots.pem", append(append(readFile(t, first.rootPEM), readFile(t, second.rootPEM)...), readFile(t, third.rootPEM)...))
	first.rootPEM = bundle

	t.Run("detached", func(t *testing.T) {
		doc := document(20000)
		docPath := first.write(t, "doc", doc)
		sig, _, err := SignDetached(bytes.NewReader(doc), first.key, SignOptions{})
		if err != nil {
			t.Fatal(err)
		}
		var two bytes.Buffer
		signed, err := Cosign(&two, bytes.NewReader(sig), bytes.NewReader(doc), second.key, SignOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if signed.Size != int64(len(doc)) || !signed.DigestAlgorithm.Equal(oid.SHA256) {
			t.Errorf("Signed %+v", signed)
		}
		var three bytes.Buffer
		if _, err := Cosign(&three, bytes.NewReader(two.Bytes()), bytes.NewReader(doc), third.key, SignOptions{}); err != nil {
			t.Fatal(err)
		}
		if ok, out := first.opensslVerify(t, first.write(t, "three.sig", three.Bytes()), docPath, "DER"); !ok {
			t.Fatalf("openssl rejects the co-signed signature:\n%s", out)
		}
		res, err := VerifyDetached(bytes.NewReader(three.Bytes()), bytes.NewReader(doc), roots)
		if err != nil {
			t.Fatal(err)
		}
		wantValid(t, res, 3)
		for i, want := range []*cert.Certificate{first.leaf, second.leaf, third.leaf} {
			if !bytes.Equal(res.Signers[i].Certificate.Raw, want.Raw) {
				t.Errorf("signer %d is %s", i, res.Signers[i].Certificate.Subject)
			}
		}
		// Other content is refused before anything is signed.
		_, err = Cosign(io.Discard, bytes.NewReader(sig), strings.NewReader("не тот документ"), second.key, SignOptions{})
		if !isReason(err, reasonContentMismatch) {
			t.Errorf("cosign over other content: %v", err)
		}
		// A detached signature needs its content.
		if _, err := Cosign(io.Discard, bytes.NewReader(sig), nil, second.key, SignOptions{}); !isReason(err, reasonContentNeeded) {
			t.Errorf("cosign without content: %v", err)
		}
		// PEM in, PEM out.
		pemSig, _, _ := SignDetached(bytes.NewReader(doc), first.key, SignOptions{PEM: true})
		var pemTwo bytes.Buffer
		if _, err := Cosign(&pemTwo, bytes.NewReader(pemSig), bytes.NewReader(doc), second.key, SignOptions{}); err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(pemTwo.Bytes(), []byte("-----BEGIN CMS-----")) {
			t.Error("PEM input did not give PEM output")
		}
		if ok, out := first.opensslVerify(t, first.write(t, "two.pem", pemTwo.Bytes()), docPath, "PEM"); !ok {
			t.Fatalf("openssl rejects the co-signed PEM:\n%s", out)
		}
	})

	for _, size := range []int{3000, derThreshold + 1000} {
		t.Run("attached", func(t *testing.T) {
			doc := document(size)
			var one, two bytes.Buffer
			if _, err := Sign(&one, bytes.NewReader(doc), int64(size), first.key, SignOptions{}); err != nil {
				t.Fatal(err)
			}
			signed, err := Cosign(&two, bytes.NewReader(one.Bytes()), nil, second.key, SignOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if signed.Size != int64(size) {
				t.Errorf("Size %d", signed.Size)
			}
			if (two.Bytes()[1] == 0x80) != (size > derThreshold) {
				t.Errorf("size %d: form changed", size)
			}
			if ok, out := first.opensslVerify(t, first.write(t, "two.sig", two.Bytes()), "", "DER"); !ok {
				t.Fatalf("openssl rejects the co-signed attached signature:\n%s", out)
			}
			res, err := Verify(bytes.NewReader(two.Bytes()), roots)
			if err != nil {
				t.Fatal(err)
			}
			wantValid(t, res, 2)
		})
	}

	// OpenSSL's own two-signer signature, co-signed once more by us.
	doc := document(4000)
	docPath := first.write(t, "doc", doc)
	opensslSig := first.write(t, "o.sig", nil)
	first.run(t, "cms", "-engine", "gost", "-sign", "-binary", "-cades", "-in", docPath, "-outform", "DER", "-out", opensslSig,
		"-signer", first.leafPEM, "-inkey", first.leafKey, "-signer", second.leafPEM, "-inkey", second.leafKey)
	var out bytes.Buffer
	if _, err := Cosign(&out, bytes.NewReader(readFile(t, opensslSig)), bytes.NewReader(doc), third.key, SignOptions{}); err != nil {
		t.Fatal(err)
	}
	if ok, msg := first.opensslVerify(t, first.write(t, "three.sig", out.Bytes()), docPath, "DER"); !ok {
		t.Fatalf("openssl rejects our co-signature of its signature:\n%s", msg)
	}
}

// Chain problems found by the validation engine through Validator, each
// with its code and the engine's reason.
func TestValidatorChain(t *testing.T) {
	p := newPKI(t, kindGOST256A)
	doc := document(100)
	sig, _, err := SignDetached(bytes.NewReader(doc), p.key, SignOptions{})
	if err != nil {
		t.Fatal(err)
	}
	other := newPKI(t, kindGOST256TCA)
	noSigning := newPKIWith(t, kindGOST256A, pkiOptions{leafKeyUsage: "critical,keyEncipherment"})
	noSigningSig, _, err := SignDetached(bytes.NewReader(doc), noSigning.key, SignOptions{})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name     string
		sig      []byte
		chain    ChainVerifier
		at       time.Time
		code     string
		reason   string
		severity Severity
	}{
		{"trusted", sig, Validator{Options: validate.Options{Roots: []*cert.Certificate{p.root}}}, time.Time{}, "", "", ""},
		{"not checked", sig, nil, time.Time{}, "chain-incomplete", reasonChainNotChecked, SeverityWarning},
		{"root not trusted", sig, Validator{Options: validate.Options{Intermediates: []*cert.Certificate{p.root}}}, time.Time{}, "untrusted-root", "untrusted-root", SeverityError},
		{"issuer missing", sig, Validator{Options: validate.Options{Roots: []*cert.Certificate{other.root}}}, time.Time{}, "chain-incomplete", "issuer-missing", SeverityError},
		{"expired", sig, Validator{Options: validate.Options{Roots: []*cert.Certificate{p.root}}}, time.Now().AddDate(2, 0, 0), "expired", "expired", SeverityError},
		{"not yet valid", sig, Validator{Options: validate.Options{Roots: []*cert.Certificate{p.root}}}, time.Now().AddDate(0, 0, -3), "not-yet-valid", "not-yet-valid", SeverityError},
		{"key usage", noSigningSig, Validator{Options: validate.Options{Roots: []*cert.Certificate{noSigning.root}}}, time.Time{}, "key-usage", "sign-key-usage", SeverityError},
	}
	for _, tc := range cases {
		res, err := VerifyDetached(bytes.NewReader(tc.sig), bytes.NewReader(doc), VerifyOptions{Chain: tc.chain, At: tc.at})
		if err != nil {
			t.Fatal(err)
		}
		s := res.Signers[0]
		var found *Problem
		for i, pr := range s.Problems {
			if pr.Code != "revocation-unknown" && found == nil {
				found = &s.Problems[i]
			}
		}
		switch {
		case tc.code == "" && found != nil:
			t.Errorf("%s: unexpected %+v", tc.name, *found)
		case tc.code != "" && (found == nil || found.Code != tc.code || found.Reason != tc.reason || found.Severity != tc.severity || found.FromValidation != (tc.chain != nil)):
			t.Errorf("%s: got %+v, want %s/%s/%s", tc.name, s.Problems, tc.code, tc.reason, tc.severity)
		}
		wantStatus := StatusValid
		if tc.severity == SeverityError {
			wantStatus = StatusInvalid
		}
		if res.Status != wantStatus || !s.SignatureValid {
			t.Errorf("%s: status %s valid %v", tc.name, res.Status, s.SignatureValid)
		}
		if tc.reason == "issuer-missing" && !strings.Contains(found.Params["Issuer"].(string), "Тестовый УЦ gost256-A") {
			t.Errorf("issuer-missing params %v", found.Params)
		}
	}
	// These certificates name no CRL or OCSP: revocation is unknown, a
	// warning, indeterminate under Strict.
	res, err := VerifyDetached(bytes.NewReader(sig), bytes.NewReader(doc), VerifyOptions{Chain: Validator{Options: validate.Options{Roots: []*cert.Certificate{p.root}}}, Strict: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != StatusIndeterminate || res.Signers[0].Status != StatusIndeterminate || !hasReason(res.Signers[0].Problems, "no-revocation-info") {
		t.Errorf("strict: %s %+v", res.Status, res.Signers[0].Problems)
	}
}

// Inputs that are not a signature that can be checked give an *Error.
func TestMalformedInputs(t *testing.T) {
	p := newPKI(t, kindGOST256A)
	doc := document(500)
	sig, _, err := SignDetached(bytes.NewReader(doc), p.key, SignOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// ContentInfo { id-data, [0] OCTET STRING }: CMS, but not a signature.
	dataCI := append([]byte{0x30, 0x11}, oidDER(oid.ContentData)...)
	dataCI = append(dataCI, 0xa0, 0x04, 0x04, 0x02, 'h', 'i')
	cases := []struct {
		name   string
		input  []byte
		reason string
	}{
		{"empty", nil, reasonEmpty},
		{"document", []byte("%PDF-1.7 not a signature"), reasonNotCMS},
		{"certificate", p.leaf.Raw, reasonNotCMS},
		{"truncated", sig[:len(sig)-40], reasonTruncated},
		{"truncated header", sig[:30], reasonTruncated},
		{"data content info", dataCI, reasonNotSignedData},
		{"bad base64", []byte("MIIB!!!!"), reasonBadBase64},
		{"PEM without end", []byte("-----BEGIN CMS-----\nMIIBBB\n"), reasonBadBase64},
		{"detached to Verify", sig, reasonContentNeeded},
	}
	for _, tc := range cases {
		var err error
		if tc.reason == reasonContentNeeded {
			_, err = Verify(bytes.NewReader(tc.input), VerifyOptions{})
		} else {
			_, err = VerifyDetached(bytes.NewReader(tc.input), bytes.NewReader(doc), VerifyOptions{})
		}
		var e *Error
		if !errors.As(err, &e) || e.Reason != tc.reason {
			t.Errorf("%s: %v, want reason %s", tc.name, err, tc.reason)
			continue
		}
		if e.Code() != "sig-"+tc.reason || e.Params()["Detail"] == nil {
			t.Errorf("%s: code %s params %v", tc.name, e.Code(), e.Params())
		}
	}
	if _, err := IsDetached([]byte("not a signature")); err == nil {
		t.Error("IsDetached accepts text")
	}
}

// A SignerInfo with no signed attributes signs the content digest itself.
func TestNoSignedAttributes(t *testing.T) {
	p := newPKI(t, kindP256)
	doc := document(800)
	sigPath := p.write(t, "noattr.sig", nil)
	p.run(t, "cms", "-sign", "-binary", "-noattr", "-in", p.write(t, "doc", doc), "-signer", p.leafPEM, "-inkey", p.leafKey, "-outform", "DER", "-out", sigPath)
	sig := readFile(t, sigPath)
	res, err := VerifyDetached(bytes.NewReader(sig), bytes.NewReader(doc), p.chainOpts)
	if err != nil {
		t.Fatal(err)
	}
	wantValid(t, res, 1)
	if res.Signers[0].SigningTime != nil || res.Signers[0].CAdES {
		t.Error("attributes reported without signed attributes")
	}
	res, err = VerifyDetached(bytes.NewReader(sig), bytes.NewReader(doc[1:]), p.chainOpts)
	if err != nil || res.Status != StatusInvalid || !hasReason(res.Signers[0].Problems, reasonSignatureMismatch) {
		t.Errorf("changed content without attributes: %v %+v", err, res)
	}
}

// A signingCertificateV2 naming another certificate is an error.
func TestSigningCertificateMismatch(t *testing.T) {
	p := newPKI(t, kindGOST256A)
	other := newPKI(t, kindGOST256TCA)
	s, err := newSigning(p.key, SignOptions{})
	if err != nil {
		t.Fatal(err)
	}
	doc := []byte("document")
	digest, _ := sigalg.Sum(s.choice.Digest.OID, doc)
	// Sign with p's key but name other's certificate in the ESS attribute:
	// swap the certificate the attribute is computed from.
	swapped := *s
	swapped.key.Certificate = &cert.Certificate{}
	*swapped.key.Certificate = *p.leaf
	swapped.key.Certificate.Raw = other.leaf.Raw
	si, err := swapped.signerInfo(oid.ContentData, digest)
	if err != nil {
		t.Fatal(err)
	}
	parts := &parts{version: 1, contentType: oid.ContentData, certs: [][]byte{p.leaf.Raw}, signers: [][]byte{si}}
	parts.addDigestAlg(s.choice.Digest)
	var sig bytes.Buffer
	if err := writeDER(&sig, parts, nil, false); err != nil {
		t.Fatal(err)
	}
	res, err := VerifyDetached(bytes.NewReader(sig.Bytes()), bytes.NewReader(doc), p.chainOpts)
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != StatusInvalid || res.Signers[0].CAdES || !hasReason(res.Signers[0].Problems, reasonSigningCertMismatch) {
		t.Errorf("%s CAdES %v %v", res.Status, res.Signers[0].CAdES, reasons(res.Signers[0].Problems))
	}
}

// A key that does not belong to the certificate cannot sign.
func TestKeyMustMatchCertificate(t *testing.T) {
	p := newPKI(t, kindGOST256A)
	other := newPKI(t, kindGOST256TCA)
	_, _, err := SignDetached(strings.NewReader("x"), Key{Certificate: p.leaf, Signer: other.key.Signer}, SignOptions{})
	if !isReason(err, reasonCantSign) {
		t.Fatalf("mismatched key: %v", err)
	}
	legacy := newPKI(t, kindGOST2001)
	_, _, err = SignDetached(strings.NewReader("x"), Key{Certificate: legacy.leaf, Signer: p.key.Signer}, SignOptions{})
	if !isReason(err, reasonCantSign) {
		t.Fatalf("GOST 2001 certificate: %v", err)
	}
}
