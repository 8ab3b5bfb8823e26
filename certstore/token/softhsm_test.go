package token_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/podpis/podpis/certstore/cert"
	"github.com/podpis/podpis/certstore/token"
	"github.com/podpis/podpis/certstore/token/tokentest"
	"github.com/podpis/podpis/internal/softhsm"
	"github.com/podpis/podpis/internal/testenv"
	"github.com/podpis/podpis/signer"
)

// The same paths on a real PKCS#11 module: SoftHSM2 set up by the test,
// reached through the real loader, counted through the narrow interface.
func TestSoftHSMScanSignAndPINRules(t *testing.T) {
	tok := softhsm.New(t, softhsm.Options{Label: "Тестовый токен"})
	openssl := testenv.LookPath(t, "openssl")
	open, counter := tokentest.Counting(token.OpenModule)
	lib := token.NewLibrary(open)
	t.Cleanup(func() { lib.Close() })
	cands := []token.Candidate{{Path: tok.Module(), Product: "SoftHSM2", Source: token.SourceFlag}}

	scan := lib.Scan(context.Background(), cands, token.ScanOptions{})
	if scan.Tokens() != 1 || scan.Modules[0].Err != nil {
		t.Fatalf("scan: %d tokens, %v", scan.Tokens(), scan.Modules[0].Err)
	}
	ts := scan.Modules[0].Slots[0].Token
	if ts.Info.Label != "Тестовый токен" || ts.Info.Serial != tok.Serial() || len(ts.Certificates) != 2 {
		t.Fatalf("token %+v with %d certificates", ts.Info, len(ts.Certificates))
	}
	for _, c := range ts.Certificates {
		if c.Cert == nil || c.Key != token.KeyPublicOnly {
			t.Errorf("%s: parsed %v, key %s before login", c.Label, c.Cert != nil, c.Key)
		}
	}

	for _, alg := range []softhsm.Algorithm{softhsm.RSA2048, softhsm.ECDSAP256} {
		t.Run(fmt.Sprint(alg), func(t *testing.T) {
			k := tok.Key(alg)
			c, err := cert.Parse(k.CertDER)
			if err != nil {
				t.Fatal(err)
			}
			ref := token.Ref{Module: tok.Module(), Serial: tok.Serial(), Label: tok.Label(), ID: k.ID}
			counter.Reset()
			ask, _ := fixedPIN(tok.PIN())
			key, err := lib.OpenKey(ref, c, token.KeyOptions{PIN: ask})
			if err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			for i := range 12 {
				os.WriteFile(filepath.Join(dir, fmt.Sprintf("%02d.xml", i)), []byte(fmt.Sprintf("<d n=%q/>", fmt.Sprint(i))), 0o644)
			}
			rep, err := signer.SignBatch(context.Background(), []string{dir}, signer.Key{Certificate: c, Signer: key}, signer.BatchOptions{})
			key.Close()
			if err != nil || rep.Signed != 12 {
				t.Fatalf("batch: %v, %+v", err, rep)
			}
			if counter.Logins() != 1 || counter.Signs() != 12 {
				t.Fatalf("C_Login %d, C_Sign %d for 12 files", counter.Logins(), counter.Signs())
			}
			doc := filepath.Join(dir, "03.xml")
			out, err := exec.Command(openssl, "cms", "-verify", "-binary", "-inform", "DER", "-in", doc+".sig",
				"-content", doc, "-CAfile", tok.CAFile, "-out", os.DevNull).CombinedOutput()
			if err != nil {
				t.Fatalf("openssl cms -verify: %v\n%s", err, out)
			}
		})
	}

	rsaKey := tok.Key(softhsm.RSA2048)
	c, _ := cert.Parse(rsaKey.CertDER)
	ref := token.Ref{Module: tok.Module(), Serial: tok.Serial(), Label: tok.Label(), ID: rsaKey.ID}

	t.Run("wrong PIN", func(t *testing.T) {
		counter.Reset()
		asked := 0
		_, err := lib.OpenKey(ref, c, token.KeyOptions{PIN: func(token.PINRequest) (string, error) { asked++; return "00000000", nil }})
		// SoftHSM2 raises CKF_USER_PIN_COUNT_LOW after a wrong PIN.
		if !errors.Is(err, token.ErrPINCountLow) || counter.Logins() != 1 || asked != 1 {
			t.Fatalf("%v after %d logins, asked %d times", err, counter.Logins(), asked)
		}
	})
	t.Run("locked", func(t *testing.T) {
		// SoftHSM2 never locks a PIN itself: the flags are set in its
		// token file, as a real token shows a locked PIN.
		tok.SetFlags(t, token.TokenUserPINLocked, 0)
		defer tok.SetFlags(t, 0, token.TokenUserPINLocked)
		counter.Reset()
		_, err := lib.OpenKey(ref, c, token.KeyOptions{PIN: func(token.PINRequest) (string, error) {
			t.Error("asked for the PIN of a locked token")
			return tok.PIN(), nil
		}})
		if !errors.Is(err, token.ErrPINLocked) || counter.Logins() != 0 {
			t.Fatalf("%v after %d logins", err, counter.Logins())
		}
		scan := lib.Scan(context.Background(), cands, token.ScanOptions{})
		if st := scan.Modules[0].Slots[0].Token.PIN; !st.Locked || st.Code() != "locked" {
			t.Fatalf("scan says %+v", st)
		}
	})
	t.Run("final try needs consent", func(t *testing.T) {
		tok.SetFlags(t, token.TokenUserPINFinalTry, 0)
		defer tok.SetFlags(t, 0, token.TokenUserPINFinalTry)
		counter.Reset()
		_, err := lib.OpenKey(ref, c, token.KeyOptions{PIN: func(req token.PINRequest) (string, error) {
			if !req.FinalTry {
				t.Error("the request does not say final try")
			}
			return "", token.FinalTryRefused(req)
		}})
		if !errors.Is(err, token.ErrPINFinalTry) || counter.Logins() != 0 {
			t.Fatalf("%v after %d logins", err, counter.Logins())
		}
	})
	t.Run("pulled out mid-batch", func(t *testing.T) {
		counter.Reset()
		ask, _ := fixedPIN(tok.PIN())
		key, err := lib.OpenKey(ref, c, token.KeyOptions{PIN: ask})
		if err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		for i := range 20 {
			os.WriteFile(filepath.Join(dir, fmt.Sprintf("%02d.txt", i)), []byte{byte(i)}, 0o644)
		}
		counter.PullAfterSigns(5)
		rep, err := signer.SignBatch(context.Background(), []string{dir}, signer.Key{Certificate: c, Signer: key}, signer.BatchOptions{})
		key.Close()
		if err != nil || !errors.Is(rep.Stopped, token.ErrRemoved) || rep.Signed != 5 {
			t.Fatalf("%v: stopped %v, signed %d", err, rep.Stopped, rep.Signed)
		}
		counter.Insert()
		key, err = lib.OpenKey(ref, c, token.KeyOptions{PIN: ask})
		if err != nil {
			t.Fatal(err)
		}
		rep, err = signer.SignBatch(context.Background(), []string{dir}, signer.Key{Certificate: c, Signer: key}, signer.BatchOptions{})
		key.Close()
		if err != nil || rep.Signed != 15 || rep.Skipped != 5 {
			t.Fatalf("re-run: %v, %+v", err, rep)
		}
	})
	t.Run("change PIN", func(t *testing.T) {
		err := lib.ChangePIN(cands, tok.Serial(), func(req token.PINRequest) (string, error) {
			if req.Purpose == token.PINCurrent {
				return tok.PIN(), nil
			}
			return "24681357", nil
		})
		if err != nil {
			t.Fatal(err)
		}
		ask, _ := fixedPIN("24681357")
		key, err := lib.OpenKey(ref, c, token.KeyOptions{PIN: ask})
		if err != nil {
			t.Fatalf("the new PIN: %v", err)
		}
		key.Close()
	})
}
