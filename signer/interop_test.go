package signer

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/podpis/podpis/certstore/cert"
	"github.com/podpis/podpis/certstore/oid"
	"github.com/podpis/podpis/certstore/sigalg"
	"github.com/podpis/podpis/certstore/validate"
)

// document is test content: text, binary and a byte of every value.
func document(size int) []byte {
	doc := make([]byte, size)
	for i := range doc {
		doc[i] = byte(i*7 + i/251)
	}
	copy(doc, "Декларация 3-НДФЛ\r\n")
	return doc
}

// signedTime is a fixed signing time, so tests can check it comes back.
var signedTime = time.Date(2026, 3, 14, 9, 26, 53, 0, time.UTC)

func fixedNow() time.Time { return signedTime }

// wantValid checks a result has the given number of signers, each with a
// valid signature, the CAdES attribute and the time we signed at, and no
// errors.
func wantValid(t *testing.T, res *Result, signers int) {
	t.Helper()
	if len(res.Signers) != signers {
		t.Fatalf("%d signers, want %d", len(res.Signers), signers)
	}
	for _, s := range res.Signers {
		if !s.SignatureValid || s.Status != StatusValid || s.Certificate == nil {
			t.Errorf("signer %d (%s): valid %v status %s problems %+v", s.Index, s.SignerID, s.SignatureValid, s.Status, s.Problems)
		}
		for _, p := range s.Problems {
			if p.Severity == SeverityError {
				t.Errorf("signer %d: error %+v", s.Index, p)
			}
		}
	}
	if res.Status != StatusValid {
		t.Errorf("overall status %s, want valid; problems %+v", res.Status, res.Problems)
	}
}

func reasons(problems []Problem) []string {
	var out []string
	for _, p := range problems {
		out = append(out, p.Reason)
	}
	return out
}

func hasReason(problems []Problem, reason string) bool {
	for _, p := range problems {
		if p.Reason == reason {
			return true
		}
	}
	return false
}

// Our signatures, detached and attached (small DER and large streamed
// BER), in DER and PEM, pass `openssl cms -verify` against the root, and
// pass our own Verify; changed content or a changed signature fails both.
func TestOurSignaturesPassOpenSSL(t *testing.T) {
	for _, kind := range signingKinds {
		t.Run(kind.name, func(t *testing.T) {
			p := newPKI(t, kind)
			choice, _ := sigalg.For(p.leaf)
			doc := document(100 << 10)
			docPath := p.write(t, "doc.xml", doc)
			opts := SignOptions{Now: fixedNow}

			// Detached, DER.
			sig, signed, err := SignDetached(bytes.NewReader(doc), p.key, opts)
			if err != nil {
				t.Fatal(err)
			}
			if signed.Size != int64(len(doc)) || !signed.DigestAlgorithm.Equal(choice.Digest.OID) {
				t.Errorf("Signed = %+v", signed)
			}
			if want, _ := sigalg.Sum(choice.Digest.OID, doc); !bytes.Equal(want, signed.Digest) {
				t.Errorf("Signed.Digest is not the content's digest")
			}
			sigPath := p.write(t, "doc.xml.sig", sig)
			if ok, out := p.opensslVerify(t, sigPath, docPath, "DER"); !ok {
				t.Fatalf("openssl rejects our detached signature:\n%s", out)
			}
			res, err := VerifyDetached(bytes.NewReader(sig), bytes.NewReader(doc), p.chainOpts)
			if err != nil {
				t.Fatal(err)
			}
			wantValid(t, res, 1)
			s := res.Signers[0]
			if !s.CAdES || s.SigningTime == nil || !s.SigningTime.Equal(signedTime) || len(s.Chain) != 2 {
				t.Errorf("CAdES %v time %v chain %d", s.CAdES, s.SigningTime, len(s.Chain))
			}
			if !s.SignatureAlgorithm.Equal(choice.Signature.OID) || !s.DigestAlgorithm.Equal(choice.Digest.OID) {
				t.Errorf("algorithms %v %v", s.SignatureAlgorithm, s.DigestAlgorithm)
			}
			if detached, err := IsDetached(sig); err != nil || !detached {
				t.Errorf("IsDetached = %v, %v", detached, err)
			}

			// Detached, PEM.
			pemSig, _, err := SignDetached(bytes.NewReader(doc), p.key, SignOptions{PEM: true})
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.HasPrefix(pemSig, []byte("-----BEGIN CMS-----\n")) {
				t.Errorf("PEM starts %q", pemSig[:20])
			}
			if ok, out := p.opensslVerify(t, p.write(t, "doc.pem.sig", pemSig), docPath, "PEM"); !ok {
				t.Fatalf("openssl rejects our PEM signature:\n%s", out)
			}

			// Tampered content: both refuse, ours says why.
			changed := bytes.Clone(doc)
			changed[len(changed)/2] ^= 1
			changedPath := p.write(t, "changed.xml", changed)
			if ok, _ := p.opensslVerify(t, sigPath, changedPath, "DER"); ok {
				t.Error("openssl accepts changed content")
			}
			res, err = VerifyDetached(bytes.NewReader(sig), bytes.NewReader(changed), p.chainOpts)
			if err != nil {
				t.Fatal(err)
			}
			if res.Status != StatusInvalid || !hasReason(res.Signers[0].Problems, reasonContentMismatch) || hasReason(res.Signers[0].Problems, reasonSignatureMismatch) {
				t.Errorf("changed content: %s %v", res.Status, reasons(res.Signers[0].Problems))
			}

			// A flipped bit in the signature value: both refuse.
			broken := bytes.Clone(sig)
			broken[len(broken)-10] ^= 0x10
			if ok, _ := p.opensslVerify(t, p.write(t, "broken.sig", broken), docPath, "DER"); ok {
				t.Error("openssl accepts a changed signature")
			}
			res, err = VerifyDetached(bytes.NewReader(broken), bytes.NewReader(doc), p.chainOpts)
			if err != nil {
				t.Fatal(err)
			}
			if res.Status != StatusInvalid || !hasReason(res.Signers[0].Problems, reasonSignatureMismatch) {
				t.Errorf("changed signature: %s %v", res.Status, reasons(res.Signers[0].Problems))
			}

			// Attached: small (DER) and above the DER threshold (BER).
			for _, size := range []int{5000, derThreshold + 100<<10} {
				content := document(size)
				var buf bytes.Buffer
				if _, err := Sign(&buf, bytes.NewReader(content), int64(size), p.key, opts); err != nil {
					t.Fatal(err)
				}
				out := bytes.Clone(buf.Bytes())
				indefinite := out[1] == 0x80
				if indefinite != (size > derThreshold) {
					t.Errorf("size %d: indefinite length %v", size, indefinite)
				}
				path := p.write(t, fmt.Sprintf("attached-%d.sig", size), out)
				if ok, msg := p.opensslVerify(t, path, "", "DER"); !ok {
					t.Fatalf("size %d: openssl rejects our attached signature:\n%s", size, msg)
				}
				res, err := Verify(bytes.NewReader(out), p.chainOpts)
				if err != nil {
					t.Fatalf("size %d: %v", size, err)
				}
				wantValid(t, res, 1)
				if !res.Attached {
					t.Error("Attached false")
				}
				if detached, err := IsDetached(out[:min(len(out), 64<<10)]); err != nil || detached {
					t.Errorf("IsDetached(attached) = %v, %v", detached, err)
				}
				// Unknown size: the same form by what the content turns out to be.
				buf.Reset()
				if _, err := Sign(&buf, bytes.NewReader(content), -1, p.key, opts); err != nil {
					t.Fatal(err)
				}
				if res, err := Verify(bytes.NewReader(buf.Bytes()), p.chainOpts); err != nil || res.Status != StatusValid {
					t.Fatalf("size %d unknown: %v %+v", size, err, res)
				}
				// A changed content byte inside the attached signature.
				tampered := bytes.Clone(out)
				i := bytes.Index(tampered, content[1000:1032])
				tampered[i] ^= 1
				if ok, _ := p.opensslVerify(t, p.write(t, "tampered.sig", tampered), "", "DER"); ok {
					t.Errorf("size %d: openssl accepts changed attached content", size)
				}
				res, err = Verify(bytes.NewReader(tampered), p.chainOpts)
				if err != nil || !hasReason(res.Signers[0].Problems, reasonContentMismatch) {
					t.Errorf("size %d: changed attached content: %v %v", size, err, res)
				}
			}
		})
	}
}

// OpenSSL's signatures in every form pass ours with the right signers.
func TestOpenSSLSignaturesPassOurs(t *testing.T) {
	for _, kind := range append(signingKinds, kindGOST2001) {
		t.Run(kind.name, func(t *testing.T) {
			p := newPKI(t, kind)
			other := newPKI(t, kindRSA)
			if kind == kindRSA {
				other = newPKI(t, kindP256)
			}
			doc := document(70 << 10)
			docPath := p.write(t, "doc.bin", doc)
			sign := func(args ...string) []byte {
				out := filepath.Join(t.TempDir(), "out.sig")
				p.run(t, append([]string{"cms", "-engine", "gost", "-sign", "-binary", "-in", docPath, "-out", out}, args...)...)
				data, err := os.ReadFile(out)
				if err != nil {
					t.Fatal(err)
				}
				return data
			}
			me := []string{"-signer", p.leafPEM, "-inkey", p.leafKey}
			both := append(append([]string{}, me...), "-signer", other.leafPEM, "-inkey", other.leafKey)
			opts := VerifyOptions{Chain: Validator{Options: validate.Options{Roots: []*cert.Certificate{p.root, other.root}}}}
			armourless := func(pemSig []byte) []byte {
				var lines []string
				for _, l := range strings.Split(string(pemSig), "\n") {
					if !strings.HasPrefix(l, "-----") {
						lines = append(lines, l)
					}
				}
				return []byte(strings.Join(lines, "\n"))
			}
			cases := []struct {
				name     string
				sig      []byte
				attached bool
				signers  int
				cades    bool
			}{
				{"plain detached", sign(append(me, "-outform", "DER")...), false, 1, false},
				{"cades", sign(append(me, "-cades", "-outform", "DER")...), false, 1, true},
				{"attached", sign(append(me, "-nodetach", "-outform", "DER")...), true, 1, false},
				{"attached stream BER", sign(append(me, "-nodetach", "-stream", "-outform", "DER")...), true, 1, false},
				{"two signers", sign(append(both, "-outform", "DER")...), false, 2, false},
				{"PEM", sign(append(me, "-outform", "PEM")...), false, 1, false},
				{"bare base64", armourless(sign(append(me, "-outform", "PEM")...)), false, 1, false},
				{"bare base64 one line", bytes.ReplaceAll(armourless(sign(append(me, "-outform", "PEM")...)), []byte("\n"), nil), false, 1, false},
				{"attached PEM cades", sign(append(me, "-nodetach", "-cades", "-outform", "PEM")...), true, 1, true},
			}
			for _, tc := range cases {
				var res *Result
				var err error
				if tc.attached {
					res, err = Verify(bytes.NewReader(tc.sig), opts)
				} else {
					res, err = VerifyDetached(bytes.NewReader(tc.sig), bytes.NewReader(doc), opts)
					if _, verr := Verify(bytes.NewReader(tc.sig), opts); !isReason(verr, reasonContentNeeded) {
						t.Errorf("%s: Verify of a detached signature: %v, want content-needed", tc.name, verr)
					}
				}
				if err != nil {
					t.Fatalf("%s: %v", tc.name, err)
				}
				wantValid(t, res, tc.signers)
				if res.Attached != tc.attached {
					t.Errorf("%s: Attached %v", tc.name, res.Attached)
				}
				if res.Signers[0].CAdES != tc.cades {
					t.Errorf("%s: CAdES %v", tc.name, res.Signers[0].CAdES)
				}
				// OpenSSL writes SignerInfos in DER order, not in -signer order.
				found := map[string]bool{}
				for _, s := range res.Signers {
					found[string(s.Certificate.Raw)] = true
				}
				if !found[string(p.leaf.Raw)] || tc.signers == 2 && !found[string(other.leaf.Raw)] {
					t.Errorf("%s: the signers are not the certificates that signed", tc.name)
				}
				if kind == kindGOST2001 && !res.Signers[0].DigestAlgorithm.Equal(oid.GOST3411_94) {
					t.Errorf("GOST 2001 digest %v", res.Signers[0].DigestAlgorithm)
				}
				if detached, err := IsDetached(tc.sig); err != nil || detached == tc.attached {
					t.Errorf("%s: IsDetached %v %v", tc.name, detached, err)
				}
			}
			// Changed content fails against OpenSSL's signature too.
			changed := bytes.Clone(doc)
			changed[0] ^= 0x20
			res, err := VerifyDetached(bytes.NewReader(cases[0].sig), bytes.NewReader(changed), opts)
			if err != nil || res.Status != StatusInvalid || !hasReason(res.Signers[0].Problems, reasonContentMismatch) {
				t.Errorf("changed content: %v %+v", err, res)
			}
			// Without certificates: the signer's certificate is missing
			// unless the store has it.
			nocerts := sign(append(me, "-nocerts", "-outform", "DER")...)
			res, err = VerifyDetached(bytes.NewReader(nocerts), bytes.NewReader(doc), opts)
			if err != nil {
				t.Fatal(err)
			}
			if res.Status != StatusInvalid || res.Signers[0].Certificate != nil || !hasReason(res.Signers[0].Problems, reasonCertificateMissing) {
				t.Errorf("no certificates: %s %v", res.Status, reasons(res.Signers[0].Problems))
			}
			for _, pr := range res.Signers[0].Problems {
				if pr.Reason == reasonCertificateMissing && pr.Code != "signer-certificate-missing" {
					t.Errorf("code %q", pr.Code)
				}
			}
			if !strings.Contains(res.Signers[0].SignerID, "serial "+p.leaf.SerialHex()) || !strings.Contains(res.Signers[0].SignerID, "Тестовый УЦ") {
				t.Errorf("SignerID %q", res.Signers[0].SignerID)
			}
			withStore := opts
			withStore.Certificates = []*cert.Certificate{other.leaf, p.leaf}
			res, err = VerifyDetached(bytes.NewReader(nocerts), bytes.NewReader(doc), withStore)
			if err != nil {
				t.Fatal(err)
			}
			wantValid(t, res, 1)
		})
	}
}

func isReason(err error, reason string) bool {
	e, ok := err.(*Error)
	return ok && e.Reason == reason
}

// The sender's base64 text copied from a web page: CRLF line ends, a BOM.
func TestBase64Forms(t *testing.T) {
	p := newPKI(t, kindGOST256A)
	doc := document(1000)
	sig, _, err := SignDetached(bytes.NewReader(doc), p.key, SignOptions{})
	if err != nil {
		t.Fatal(err)
	}
	b64 := base64.StdEncoding.EncodeToString(sig)
	var wrapped strings.Builder
	for i := 0; i < len(b64); i += 76 {
		wrapped.WriteString(b64[i:min(i+76, len(b64))] + "\r\n")
	}
	forms := map[string]string{
		"one line":     b64,
		"CRLF 76":      wrapped.String(),
		"BOM":          "\ufeff" + wrapped.String(),
		"PKCS7 armour": "-----BEGIN PKCS7-----\r\n" + wrapped.String() + "-----END PKCS7-----\r\n",
		"leading ws":   "\n\n  " + b64 + "\n",
	}
	for name, text := range forms {
		res, err := VerifyDetached(strings.NewReader(text), bytes.NewReader(doc), p.chainOpts)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		wantValid(t, res, 1)
	}
}
