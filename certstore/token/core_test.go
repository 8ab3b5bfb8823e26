package token_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/podpis/podpis/certstore/cert"
	"github.com/podpis/podpis/certstore/token"
	"github.com/podpis/podpis/certstore/token/tokentest"
	"github.com/podpis/podpis/internal/gost/gost3410"
	"github.com/podpis/podpis/internal/testpki"
	"github.com/podpis/podpis/signer"
)

const testPIN = "1234"

func fixedPIN(pin string) (token.PINFunc, *[]token.PINRequest) {
	var asked []token.PINRequest
	return func(req token.PINRequest) (string, error) {
		asked = append(asked, req)
		return pin, nil
	}, &asked
}

// selfSigned makes a certificate for a Go RSA or ECDSA key.
func selfSigned(t testing.TB, key crypto.Signer, cn string) *cert.Certificate {
	t.Helper()
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: cn, Country: []string{"RU"}},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	c, err := cert.Parse(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func rsaToken(t testing.TB, tok *tokentest.Token) (*tokentest.Module, *cert.Certificate, token.Ref) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	c := selfSigned(t, key, "Тестовый RSA")
	tok.AddKey([]byte{0x01}, "rsa", key, c.Raw)
	mod := tokentest.NewModule(tok)
	return mod, c, token.Ref{Module: "/double.so", Serial: tok.Serial, Label: tok.Label, ID: []byte{0x01}}
}

func TestChooseMechanism(t *testing.T) {
	rsaKey, _ := rsa.GenerateKey(rand.Reader, 1024)
	ecKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	g256, _ := gost3410.GenerateKey(gost3410.CurveTC26_256A(), rand.Reader)
	g512, _ := gost3410.GenerateKey(gost3410.CurveTC26_512A(), rand.Reader)
	tests := []struct {
		name    string
		pub     crypto.PublicKey
		offered []token.Mechanism
		want    token.Mechanism
		err     bool
	}{
		{"rsa prefers hashing on the token", rsaKey.Public(), []token.Mechanism{token.MechRSAPKCS, token.MechSHA256RSAPKCS}, token.MechSHA256RSAPKCS, false},
		{"rsa raw", rsaKey.Public(), []token.Mechanism{token.MechRSAPKCS}, token.MechRSAPKCS, false},
		{"rsa nothing usable", rsaKey.Public(), []token.Mechanism{token.MechECDSA}, 0, true},
		{"ecdsa", ecKey.Public(), []token.Mechanism{token.MechECDSA, token.MechRSAPKCS}, token.MechECDSA, false},
		{"gost256 both", g256.Public(), []token.Mechanism{token.MechGOSTR3410, token.MechGOSTR3410WithGOSTR3411_12_256}, token.MechGOSTR3410WithGOSTR3411_12_256, false},
		{"gost256 host hash", g256.Public(), []token.Mechanism{token.MechGOSTR3410}, token.MechGOSTR3410, false},
		{"gost256 not the 512 ones", g256.Public(), []token.Mechanism{token.MechGOSTR3410512, token.MechGOSTR3410WithGOSTR3411_12_512}, 0, true},
		{"gost256 never 94", g256.Public(), []token.Mechanism{token.MechGOSTR3410With3411}, 0, true},
		{"gost512 host hash", g512.Public(), []token.Mechanism{token.MechGOSTR3410512}, token.MechGOSTR3410512, false},
		{"gost512 on token", g512.Public(), []token.Mechanism{token.MechGOSTR3410512, token.MechGOSTR3410WithGOSTR3411_12_512}, token.MechGOSTR3410WithGOSTR3411_12_512, false},
		{"gost512 not the 256 ones", g512.Public(), []token.Mechanism{token.MechGOSTR3410}, 0, true},
		{"module lists nothing: host hash assumed", g512.Public(), nil, token.MechGOSTR3410512, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := token.ChooseMechanism(tt.pub, tt.offered)
			if tt.err {
				if !errors.Is(err, token.ErrMechanism) {
					t.Fatalf("got %v, %v; want ErrMechanism", got, err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("got %v, %v; want %v", got, err, tt.want)
			}
		})
	}
}

// gostLeaf is a GOST certificate issued by OpenSSL's gost engine with its
// key, so what the token double signs is checked by OpenSSL.
func gostLeaf(t *testing.T, fam testpki.Family) (*testpki.PKI, *testpki.Cert, *gost3410.PrivateKey) {
	t.Helper()
	pki := testpki.New(t, testpki.Options{Family: fam})
	leaf := pki.Leaf(testpki.LeafValid)
	data, err := os.ReadFile(leaf.Key)
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(data)
	if block == nil {
		t.Fatalf("%s: no PEM", leaf.Key)
	}
	key, err := gost3410.ParsePKCS8(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return pki, leaf, key
}

// The GOST path cannot run on a real token here (no soft token offers
// GOST), so the double signs with internal/gost: the mechanism choice,
// hashing on the host or on the token, and the s||r form all end in a CMS
// signature that OpenSSL's gost engine verifies.
func TestGOSTSignsOnTheDouble(t *testing.T) {
	for _, fam := range []testpki.Family{testpki.GOST256, testpki.GOST512} {
		t.Run(string(fam), func(t *testing.T) {
			pki, leaf, key := gostLeaf(t, fam)
			bare, withHash := token.MechGOSTR3410, token.MechGOSTR3410WithGOSTR3411_12_256
			hashSize := 32
			if fam == testpki.GOST512 {
				bare, withHash, hashSize = token.MechGOSTR3410512, token.MechGOSTR3410WithGOSTR3411_12_512, 64
			}
			for _, tc := range []struct {
				name    string
				offered []token.Mechanism
				want    token.Mechanism
			}{
				{"hash on token", []token.Mechanism{bare, withHash}, withHash},
				{"hash on host", []token.Mechanism{bare}, bare},
				{"only hash on token", []token.Mechanism{withHash}, withHash},
			} {
				t.Run(tc.name, func(t *testing.T) {
					tok := &tokentest.Token{Label: "Рутокен ЭЦП", Serial: "GOST" + tc.name, PIN: testPIN, Mechanisms: tc.offered}
					tok.AddKey([]byte{0xA1}, "gost", key, leaf.Cert.Raw)
					mod := tokentest.NewModule(tok)
					lib := token.NewLibrary(mod.Opener())
					defer lib.Close()
					ask, _ := fixedPIN(testPIN)
					k, err := lib.OpenKey(token.Ref{Module: "/rtpkcs11ecp.so", Serial: tok.Serial, ID: []byte{0xA1}}, leaf.Cert, token.KeyOptions{PIN: ask})
					if err != nil {
						t.Fatal(err)
					}
					defer k.Close()
					if m, onToken := k.Mechanism(); m != tc.want || onToken != (tc.want == withHash) {
						t.Fatalf("mechanism %v (on token %v), want %v", m, onToken, tc.want)
					}

					// A bare digest: s||r that gost3410.Verify accepts, or,
					// when the token only hashes itself, a clear refusal.
					digest := make([]byte, hashSize)
					rand.Read(digest)
					d := gost3410.DigestStreebog256
					if hashSize == 64 {
						d = gost3410.DigestStreebog512
					}
					sig, err := k.Sign(rand.Reader, digest, &gost3410.SignerOpts{Hash: d})
					if tc.name == "only hash on token" {
						if !errors.Is(err, token.ErrMechanism) {
							t.Fatalf("bare digest on a hash-only token: %v", err)
						}
					} else if err != nil || !gost3410.Verify(&key.PublicKey, digest, sig) {
						t.Fatalf("digest signature: %v", err)
					}

					// The whole message through CMS, checked by OpenSSL.
					dir := t.TempDir()
					doc := filepath.Join(dir, "declaration.xml")
					os.WriteFile(doc, []byte("<Файл>декларация</Файл>"), 0o644)
					sigPath := doc + ".sig"
					if _, err := signer.SignFile(doc, sigPath, signer.Key{Certificate: leaf.Cert, Signer: k}, signer.SignOptions{}, false); err != nil {
						t.Fatal(err)
					}
					out, err := pki.RunOpenSSL("cms", "-verify", "-engine", "gost", "-binary", "-inform", "DER",
						"-in", sigPath, "-content", doc, "-noverify", "-out", os.DevNull) // the signature, not the test PKI's chain
					if err != nil {
						t.Fatalf("openssl cms -verify: %v\n%s", err, out)
					}
					if mod.Logins() != 1 {
						t.Errorf("C_Login called %d times", mod.Logins())
					}
				})
			}
		})
	}
}

func TestECDSASignatureBecomesDER(t *testing.T) {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	c := selfSigned(t, key, "ECDSA")
	tok := &tokentest.Token{Label: "ec", Serial: "EC1", PIN: testPIN}
	tok.AddKey([]byte{2}, "ec", key, c.Raw)
	lib := token.NewLibrary(tokentest.NewModule(tok).Opener())
	ask, _ := fixedPIN(testPIN)
	k, err := lib.OpenKey(token.Ref{Module: "m", Serial: "EC1", ID: []byte{2}}, c, token.KeyOptions{PIN: ask})
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	sum := sha256.Sum256([]byte("x"))
	sig, err := k.Sign(rand.Reader, sum[:], crypto.SHA256)
	if err != nil || !ecdsa.VerifyASN1(&key.PublicKey, sum[:], sig) {
		t.Fatalf("ECDSA DER signature does not verify: %v", err)
	}
	msgSig, err := k.SignMessage(rand.Reader, []byte("x"), crypto.SHA256)
	if err != nil || !ecdsa.VerifyASN1(&key.PublicKey, sum[:], msgSig) {
		t.Fatalf("ECDSA message signature does not verify: %v", err)
	}
}

func TestRSAMechanisms(t *testing.T) {
	for _, tc := range []struct {
		name    string
		offered []token.Mechanism
	}{
		{"digestinfo", []token.Mechanism{token.MechRSAPKCS}},
		{"hash on token", []token.Mechanism{token.MechSHA256RSAPKCS}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tok := &tokentest.Token{Label: "rsa", Serial: "R1", PIN: testPIN, Mechanisms: tc.offered}
			mod, c, ref := rsaToken(t, tok)
			lib := token.NewLibrary(mod.Opener())
			ask, _ := fixedPIN(testPIN)
			k, err := lib.OpenKey(ref, c, token.KeyOptions{PIN: ask})
			if err != nil {
				t.Fatal(err)
			}
			defer k.Close()
			pub := k.Public().(*rsa.PublicKey)
			msg := []byte("подпись")
			sum := sha256.Sum256(msg)
			sig, err := k.SignMessage(rand.Reader, msg, crypto.SHA256)
			if err != nil || rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], sig) != nil {
				t.Fatalf("SignMessage: %v", err)
			}
			sig, err = k.Sign(rand.Reader, sum[:], crypto.SHA256)
			if tc.name == "hash on token" {
				if !errors.Is(err, token.ErrMechanism) {
					t.Fatalf("bare digest without CKM_RSA_PKCS: %v", err)
				}
				return
			}
			if err != nil || rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], sig) != nil {
				t.Fatalf("Sign: %v", err)
			}
		})
	}
}

func TestPINRules(t *testing.T) {
	type outcome struct {
		err    error // nil: the key opens
		logins int
		asked  int
	}
	tests := []struct {
		name  string
		flags uint
		pad   bool
		ask   func(req token.PINRequest) (string, error)
		want  outcome
	}{
		{"right PIN", 0, false, nil, outcome{nil, 1, 1}},
		{"wrong PIN: reported, not retried", 0, false, func(token.PINRequest) (string, error) { return "9999", nil }, outcome{token.ErrPINCountLow, 1, 1}},
		{"after earlier mistakes the last try is left", token.TokenUserPINCountLow, false, func(token.PINRequest) (string, error) { return "9999", nil }, outcome{token.ErrPINLastTry, 1, 1}},
		{"final try refused without consent", token.TokenUserPINFinalTry, false,
			func(req token.PINRequest) (string, error) {
				if req.FinalTry {
					return "", token.FinalTryRefused(req)
				}
				return testPIN, nil
			}, outcome{token.ErrPINFinalTry, 0, 1}},
		{"final try with consent", token.TokenUserPINFinalTry, false, nil, outcome{nil, 1, 1}},
		{"final try wrong: locked", token.TokenUserPINFinalTry, false, func(token.PINRequest) (string, error) { return "9999", nil }, outcome{token.ErrPINLocked, 1, 1}},
		{"locked: not even asked", token.TokenUserPINLocked, false, nil, outcome{token.ErrPINLocked, 0, 0}},
		{"too short: refused before the token sees it", 0, false, func(token.PINRequest) (string, error) { return "12", nil }, outcome{token.ErrPINLength, 0, 1}},
		{"cancelled", 0, false, func(token.PINRequest) (string, error) { return "", token.ErrCancelled }, outcome{token.ErrCancelled, 0, 1}},
		{"PIN pad: typed on the device", 0, true, nil, outcome{nil, 1, 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok := &tokentest.Token{Label: "Рутокен", Serial: "P1", PIN: testPIN, Flags: tt.flags, PINPad: tt.pad}
			mod, c, ref := rsaToken(t, tok)
			lib := token.NewLibrary(mod.Opener())
			asked := 0
			ask := func(req token.PINRequest) (string, error) {
				asked++
				if req.Token != "Рутокен" || req.Serial != "P1" || req.Purpose != token.PINLogin {
					t.Errorf("request %+v", req)
				}
				if req.FinalTry != (tt.flags&token.TokenUserPINFinalTry != 0) {
					t.Errorf("FinalTry %v with flags %#x", req.FinalTry, tt.flags)
				}
				if tt.ask != nil {
					return tt.ask(req)
				}
				return testPIN, nil
			}
			k, err := lib.OpenKey(ref, c, token.KeyOptions{PIN: ask})
			if tt.want.err == nil {
				if err != nil {
					t.Fatal(err)
				}
				k.Close()
			} else if !errors.Is(err, tt.want.err) {
				t.Fatalf("got %v, want %v", err, tt.want.err)
			}
			if mod.Logins() != tt.want.logins || asked != tt.want.asked {
				t.Errorf("C_Login %d times, asked %d times; want %d, %d", mod.Logins(), asked, tt.want.logins, tt.want.asked)
			}
		})
	}
	t.Run("no way to ask", func(t *testing.T) {
		mod, c, ref := rsaToken(t, &tokentest.Token{Label: "t", Serial: "P2", PIN: testPIN})
		_, err := token.NewLibrary(mod.Opener()).OpenKey(ref, c, token.KeyOptions{})
		if !errors.Is(err, token.ErrPINRequired) || mod.Logins() != 0 {
			t.Fatalf("%v, %d logins", err, mod.Logins())
		}
	})
	t.Run("not plugged in", func(t *testing.T) {
		mod, c, ref := rsaToken(t, &tokentest.Token{Label: "t", Serial: "P3", PIN: testPIN})
		mod.Pull("P3")
		_, err := token.NewLibrary(mod.Opener()).OpenKey(ref, c, token.KeyOptions{})
		if !errors.Is(err, token.ErrNotFound) {
			t.Fatal(err)
		}
	})
	t.Run("a second key on a logged-in token asks nothing", func(t *testing.T) {
		mod, c, ref := rsaToken(t, &tokentest.Token{Label: "t", Serial: "P4", PIN: testPIN})
		lib := token.NewLibrary(mod.Opener())
		ask, asked := fixedPIN(testPIN)
		k1, err := lib.OpenKey(ref, c, token.KeyOptions{PIN: ask})
		if err != nil {
			t.Fatal(err)
		}
		defer k1.Close()
		k2, err := lib.OpenKey(ref, c, token.KeyOptions{PIN: ask})
		if err != nil {
			t.Fatal(err)
		}
		k2.Close()
		if len(*asked) != 1 || mod.Logins() != 1 {
			t.Fatalf("asked %d times, %d logins", len(*asked), mod.Logins())
		}
	})
	t.Run("the key must be the certificate's", func(t *testing.T) {
		mod, _, ref := rsaToken(t, &tokentest.Token{Label: "t", Serial: "P5", PIN: testPIN})
		other, _ := rsa.GenerateKey(rand.Reader, 2048)
		_, err := token.NewLibrary(mod.Opener()).OpenKey(ref, selfSigned(t, other, "другой"), token.KeyOptions{PIN: func(token.PINRequest) (string, error) { return testPIN, nil }})
		if !errors.Is(err, token.ErrKeyMismatch) {
			t.Fatal(err)
		}
	})
}

// A batch logs in once, and a token pulled out in the middle stops it:
// what was signed stays valid, nothing half-written is left, and a
// re-run signs the rest.
func TestBatchOnTokenLogsInOnceAndStopsWhenPulled(t *testing.T) {
	tok := &tokentest.Token{Label: "JaCarta", Serial: "B1", PIN: testPIN}
	mod, c, ref := rsaToken(t, tok)
	dir := t.TempDir()
	const files = 30
	for i := range files {
		os.WriteFile(filepath.Join(dir, fmt.Sprintf("decl-%02d.xml", i)), bytes.Repeat([]byte{byte(i)}, 1000), 0o644)
	}
	run := func(lib *token.Library) *signer.BatchReport {
		ask, _ := fixedPIN(testPIN)
		k, err := lib.OpenKey(ref, c, token.KeyOptions{PIN: ask})
		if err != nil {
			t.Fatal(err)
		}
		defer k.Close()
		rep, err := signer.SignBatch(context.Background(), []string{dir}, signer.Key{Certificate: c, Signer: k}, signer.BatchOptions{Workers: 4})
		if err != nil {
			t.Fatal(err)
		}
		return rep
	}
	lib := token.NewLibrary(mod.Opener())
	mod.PullAfterSigns("B1", 7)
	rep := run(lib)
	if !errors.Is(rep.Stopped, token.ErrRemoved) || rep.Signed != 7 || !rep.Canceled {
		t.Fatalf("stopped %v, signed %d, failed %d, canceled %v", rep.Stopped, rep.Signed, rep.Failed, rep.Canceled)
	}
	if mod.Logins() != 1 {
		t.Fatalf("C_Login %d times in one batch", mod.Logins())
	}
	sigs, _ := filepath.Glob(filepath.Join(dir, "*.sig"))
	if len(sigs) != 7 {
		t.Fatalf("%d signatures after the pull", len(sigs))
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			t.Errorf("left behind: %s", e.Name())
		}
	}
	for _, s := range sigs {
		checkSignature(t, s, strings.TrimSuffix(s, ".sig"))
	}

	mod.Insert("B1")
	lib.Reload()
	rep = run(lib)
	if rep.Stopped != nil || rep.Signed != files-7 || rep.Skipped != 7 || rep.Failed != 0 {
		t.Fatalf("re-run: stopped %v, signed %d, skipped %d, failed %d", rep.Stopped, rep.Signed, rep.Skipped, rep.Failed)
	}
	if mod.Logins() != 2 {
		t.Fatalf("C_Login %d times in two batches", mod.Logins())
	}
}

func checkSignature(t *testing.T, sigPath, content string) {
	t.Helper()
	sig, _ := os.Open(sigPath)
	defer sig.Close()
	doc, _ := os.Open(content)
	defer doc.Close()
	res, err := signer.VerifyDetached(sig, doc, signer.VerifyOptions{})
	if err != nil || len(res.Signers) != 1 || !res.Signers[0].SignatureValid {
		t.Fatalf("%s: %v", sigPath, err)
	}
}

func TestScanShowsKeysAndPINState(t *testing.T) {
	rsaKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	paired := selfSigned(t, rsaKey, "с ключом")
	ecKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	lonely := selfSigned(t, ecKey, "без ключа")
	orphan, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tok := &tokentest.Token{Label: "Рутокен ЭЦП 3.0", Serial: "S1", PIN: testPIN, Flags: token.TokenUserPINCountLow}
	tok.AddKey([]byte{1}, "paired", rsaKey, paired.Raw)
	tok.AddKey([]byte{2}, "lonely", nil, lonely.Raw)
	tok.AddKey([]byte{3}, "orphan", orphan, nil)
	mod := tokentest.NewModule(tok)
	empty := mod.AddEmptySlot()
	lib := token.NewLibrary(mod.Opener())
	cands := []token.Candidate{{Path: "/usr/lib/librtpkcs11ecp.so", Product: "Рутокен", Source: token.SourceKnown}}

	scan := lib.Scan(context.Background(), cands, token.ScanOptions{EmptySlots: true})
	if scan.Tokens() != 1 || len(scan.Modules) != 1 || len(scan.Modules[0].Slots) != 2 {
		t.Fatalf("scan: %+v", scan)
	}
	var ts *token.TokenScan
	for _, s := range scan.Modules[0].Slots {
		if s.ID == empty && s.Token != nil {
			t.Fatal("the empty slot has a token")
		}
		if s.Token != nil {
			ts = s.Token
		}
	}
	if ts.Info.Label != "Рутокен ЭЦП 3.0" || ts.PIN.Code() != "count-low" || !ts.LoginRequired || ts.LoggedIn {
		t.Fatalf("token: %+v", ts)
	}
	states := map[string]token.KeyState{}
	for _, c := range ts.Certificates {
		states[c.Cert.Subject.CommonName()] = c.Key
	}
	if states["с ключом"] != token.KeyPublicOnly || states["без ключа"] != token.KeyUnknown {
		t.Fatalf("without login: %v", states)
	}
	if mod.Logins() != 0 {
		t.Fatal("a scan without a PIN logged in")
	}

	ask, _ := fixedPIN(testPIN)
	scan = lib.Scan(context.Background(), cands, token.ScanOptions{PIN: ask})
	ts = scan.Modules[0].Slots[0].Token
	for _, c := range ts.Certificates {
		states[c.Cert.Subject.CommonName()] = c.Key
	}
	if !ts.LoggedIn || states["с ключом"] != token.KeyPrivate || states["без ключа"] != token.KeyNone || len(ts.OrphanKeys) != 1 {
		t.Fatalf("with login: %v, orphans %v", states, ts.OrphanKeys)
	}
	if ts.PIN.Code() != "count-low" {
		t.Log("the flags were read before the login cleared them")
	}

	one := token.SlotID(99)
	if got := lib.Scan(context.Background(), cands, token.ScanOptions{Slot: &one}); got.Tokens() != 0 {
		t.Fatal("--slot 99 found a token")
	}
	present := lib.Present(context.Background(), cands, []string{"S1", "nope"})
	if !present["S1"] || present["nope"] {
		t.Fatalf("present: %v", present)
	}
}

func TestChangePIN(t *testing.T) {
	answers := func(cur, next string) token.PINFunc {
		return func(req token.PINRequest) (string, error) {
			if req.Purpose == token.PINCurrent {
				return cur, nil
			}
			return next, nil
		}
	}
	mod, c, ref := rsaToken(t, &tokentest.Token{Label: "t", Serial: "C1", PIN: testPIN})
	lib := token.NewLibrary(mod.Opener())
	cands := []token.Candidate{{Path: "m"}}
	if err := lib.ChangePIN(cands, "C1", answers(testPIN, "12")); !errors.Is(err, token.ErrPINLength) {
		t.Fatalf("short new PIN: %v", err)
	}
	if err := lib.ChangePIN(cands, "C1", answers("0000", "87654321")); !errors.Is(err, token.ErrPINCountLow) {
		t.Fatalf("wrong current PIN: %v", err)
	}
	if err := lib.ChangePIN(cands, "C1", answers(testPIN, "87654321")); err != nil {
		t.Fatal(err)
	}
	ask, _ := fixedPIN("87654321")
	k, err := lib.OpenKey(ref, c, token.KeyOptions{PIN: ask})
	if err != nil {
		t.Fatalf("the new PIN: %v", err)
	}
	k.Close()
	if err := lib.ChangePIN(cands, "nope", answers(testPIN, "87654321")); !errors.Is(err, token.ErrNotFound) {
		t.Fatal(err)
	}
}

func TestErrorsAreWorded(t *testing.T) {
	locked := &tokentest.Token{Label: "Рутокен", Serial: "E1", PIN: testPIN, Flags: token.TokenUserPINLocked}
	mod, c, ref := rsaToken(t, locked)
	_, err := token.NewLibrary(mod.Opener()).OpenKey(ref, c, token.KeyOptions{})
	var te *token.Error
	if !errors.As(err, &te) || te.Code() != "pin-locked" || te.Params()["Token"] != "Рутокен" || !te.BatchFatal() {
		t.Fatalf("%#v", err)
	}
	if strings.Contains(err.Error(), testPIN) {
		t.Fatal("an error mentions the PIN")
	}
}
