package tokentest

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"math/big"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/podpis/podpis/certstore/token"
	"github.com/podpis/podpis/internal/gost/gost3410"
	"github.com/podpis/podpis/internal/gost/streebog"
	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// keys are the test's key pairs, made once per top-level test.
type keys struct {
	rsa     *rsa.PrivateKey
	ec256   *ecdsa.PrivateKey
	ec384   *ecdsa.PrivateKey
	gost256 *gost3410.PrivateKey
	gost512 *gost3410.PrivateKey
}

func newKeys(t *testing.T) *keys {
	t.Helper()
	var k keys
	var err error
	if k.rsa, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
		t.Fatal(err)
	}
	if k.ec256, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
		t.Fatal(err)
	}
	if k.ec384, err = ecdsa.GenerateKey(elliptic.P384(), rand.Reader); err != nil {
		t.Fatal(err)
	}
	if k.gost256, err = gost3410.GenerateKey(gost3410.CurveTC26_256B(), rand.Reader); err != nil {
		t.Fatal(err)
	}
	if k.gost512, err = gost3410.GenerateKey(gost3410.CurveTC26_512A(), rand.Reader); err != nil {
		t.Fatal(err)
	}
	return &k
}

// selfSigned makes a certificate for key (RSA or ECDSA) with common name cn.
func selfSigned(t *testing.T, key crypto.Signer, cn string) []byte {
	t.Helper()
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(42),
		Subject:      pkix.Name{CommonName: cn, Country: []string{"RU"}},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// newToken returns a token with every kind of key: RSA (ID 01), ECDSA
// P-256 (02), GOST 256 (03), GOST 512 (04), ECDSA P-384 (05).
func newToken(t *testing.T, k *keys) *Token {
	t.Helper()
	tok := &Token{Label: "Рутокен тест", Serial: "0A1B2C3D", PIN: "12345678", SOPIN: "87654321"}
	tok.AddKey([]byte{1}, "rsa", k.rsa, selfSigned(t, k.rsa, "Тестовый Токен RSA"))
	tok.AddKey([]byte{2}, "ec", k.ec256, selfSigned(t, k.ec256, "Тестовый Токен ECDSA"))
	tok.AddKey([]byte{3}, "gost256", k.gost256, []byte("a GOST certificate would be here"))
	tok.AddKey([]byte{4}, "gost512", k.gost512, nil)
	tok.AddKey([]byte{5}, "ec384", k.ec384, nil)
	return tok
}

func mustSession(t *testing.T, m token.Module, slot token.SlotID, rw bool) token.Session {
	t.Helper()
	s, err := m.OpenSession(slot, rw)
	if err != nil {
		t.Fatalf("OpenSession(%d): %v", slot, err)
	}
	return s
}

func classTemplate(class uint, id []byte) []token.Attribute {
	tmpl := []token.Attribute{{Type: token.AttrClass, Value: token.ULong(class)}}
	if id != nil {
		tmpl = append(tmpl, token.Attribute{Type: token.AttrID, Value: id})
	}
	return tmpl
}

func findOne(t *testing.T, s token.Session, class uint, id []byte) token.ObjectHandle {
	t.Helper()
	hs, err := s.FindObjects(classTemplate(class, id))
	if err != nil {
		t.Fatalf("FindObjects: %v", err)
	}
	if len(hs) != 1 {
		t.Fatalf("FindObjects(class %d, id %x) = %d objects, want 1", class, id, len(hs))
	}
	return hs[0]
}

func attr(t *testing.T, s token.Session, h token.ObjectHandle, typ token.AttributeType) []byte {
	t.Helper()
	as, err := s.Attributes(h, []token.AttributeType{typ})
	if err != nil {
		t.Fatalf("Attributes(%d, 0x%X): %v", h, typ, err)
	}
	return as[0].Value
}

func wantRV(t *testing.T, what string, err error, want token.ReturnValue) {
	t.Helper()
	var rv token.ReturnValue
	if !errors.As(err, &rv) || rv != want {
		t.Fatalf("%s: err = %v, want %v", what, err, want)
	}
}

func TestPrivateObjectsAreSeenOnlyAfterLogin(t *testing.T) {
	k := newKeys(t)
	tok := newToken(t, k)
	m := NewModule(tok)
	s := mustSession(t, m, m.SlotOf(tok.Serial), false)
	defer s.Close()

	privs, err := s.FindObjects(classTemplate(token.ClassPrivateKey, nil))
	if err != nil || len(privs) != 0 {
		t.Fatalf("before login: private keys %v, %v; want none", privs, err)
	}
	pubs, _ := s.FindObjects(classTemplate(token.ClassPublicKey, nil))
	certs, _ := s.FindObjects(classTemplate(token.ClassCertificate, nil))
	if len(pubs) != 5 || len(certs) != 3 {
		t.Fatalf("before login: %d public keys and %d certificates, want 5 and 3", len(pubs), len(certs))
	}
	if err := s.Login("12345678"); err != nil {
		t.Fatal(err)
	}
	priv := findOne(t, s, token.ClassPrivateKey, []byte{1})
	if err := s.Logout(); err != nil {
		t.Fatal(err)
	}
	_, err = s.Attributes(priv, []token.AttributeType{token.AttrID})
	wantRV(t, "Attributes of a private key after logout", err, token.CKR_OBJECT_HANDLE_INVALID)
	_, err = s.Sign(token.MechSHA256RSAPKCS, priv, []byte("x"))
	wantRV(t, "Sign after logout", err, token.CKR_USER_NOT_LOGGED_IN)
	wantRV(t, "Logout twice", s.Logout(), token.CKR_USER_NOT_LOGGED_IN)
}

func TestKeyObjectsCarryThePublicKey(t *testing.T) {
	k := newKeys(t)
	tok := newToken(t, k)
	m := NewModule(tok)
	s := mustSession(t, m, m.SlotOf(tok.Serial), false)
	defer s.Close()
	if err := s.Login("12345678"); err != nil {
		t.Fatal(err)
	}

	t.Run("rsa", func(t *testing.T) {
		for _, class := range []uint{token.ClassPublicKey, token.ClassPrivateKey} {
			h := findOne(t, s, class, []byte{1})
			if got := attr(t, s, h, token.AttrModulus); !bytes.Equal(got, k.rsa.N.Bytes()) {
				t.Errorf("class %d: modulus differs", class)
			}
			if got := attr(t, s, h, token.AttrPublicExponent); !bytes.Equal(got, []byte{1, 0, 1}) {
				t.Errorf("class %d: exponent %x", class, got)
			}
			if kt, _ := token.ParseULong(attr(t, s, h, token.AttrKeyType)); kt != token.KeyRSA {
				t.Errorf("class %d: key type %d", class, kt)
			}
			if got := string(attr(t, s, h, token.AttrLabel)); got != "rsa" {
				t.Errorf("label %q", got)
			}
		}
		priv := findOne(t, s, token.ClassPrivateKey, []byte{1})
		if !bytes.Equal(attr(t, s, priv, token.AttrSign), token.Bool(true)) || !bytes.Equal(attr(t, s, priv, token.AttrPrivate), token.Bool(true)) {
			t.Error("private key is not CKA_SIGN and CKA_PRIVATE")
		}
		if attr(t, s, priv, token.AttrValue) != nil {
			t.Error("the private key's secret is readable")
		}
	})

	t.Run("ecdsa", func(t *testing.T) {
		for _, c := range []struct {
			id    byte
			key   *ecdsa.PrivateKey
			curve asn1.ObjectIdentifier
		}{{2, k.ec256, asn1.ObjectIdentifier{1, 2, 840, 10045, 3, 1, 7}}, {5, k.ec384, asn1.ObjectIdentifier{1, 3, 132, 0, 34}}} {
			h := findOne(t, s, token.ClassPublicKey, []byte{c.id})
			var oid asn1.ObjectIdentifier
			if _, err := asn1.Unmarshal(attr(t, s, h, token.AttrECParams), &oid); err != nil || !oid.Equal(c.curve) {
				t.Errorf("EC params %v (%v), want %v", oid, err, c.curve)
			}
			in := cryptobyte.String(attr(t, s, h, token.AttrECPoint))
			var point cryptobyte.String
			if !in.ReadASN1(&point, cbasn1.OCTET_STRING) || !in.Empty() {
				t.Fatal("EC point is not a DER OCTET STRING")
			}
			pub, err := ecdsa.ParseUncompressedPublicKey(c.key.Curve, point)
			if err != nil || !pub.Equal(&c.key.PublicKey) {
				t.Errorf("EC point is not the key: %v", err)
			}
			if kt, _ := token.ParseULong(attr(t, s, h, token.AttrKeyType)); kt != token.KeyEC {
				t.Errorf("key type %d", kt)
			}
		}
	})

	t.Run("gost", func(t *testing.T) {
		for _, c := range []struct {
			id      byte
			key     *gost3410.PrivateKey
			keyType uint
			size    int
			digest  asn1.ObjectIdentifier
		}{
			{3, k.gost256, token.KeyGOSTR3410, 64, gost3410.OIDStreebog256},
			{4, k.gost512, token.KeyGOSTR3410512, 128, gost3410.OIDStreebog512},
		} {
			h := findOne(t, s, token.ClassPublicKey, []byte{c.id})
			value := attr(t, s, h, token.AttrValue)
			if len(value) != c.size {
				t.Fatalf("CKA_VALUE is %d bytes, want %d", len(value), c.size)
			}
			// The value is the certificate's: the SPKI's OCTET STRING content.
			spki, err := gost3410.MarshalSPKI(&c.key.PublicKey)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Contains(spki, value) {
				t.Error("CKA_VALUE is not the key as the SubjectPublicKeyInfo carries it")
			}
			var wrapped cryptobyte.Builder
			wrapped.AddASN1OctetString(value)
			pub, err := gost3410.ParsePublicKey(c.key.Curve, wrapped.BytesOrPanic())
			if err != nil || !pub.Equal(&c.key.PublicKey) {
				t.Errorf("CKA_VALUE does not parse back to the key: %v", err)
			}
			var paramSet, digest asn1.ObjectIdentifier
			if _, err := asn1.Unmarshal(attr(t, s, h, token.AttrGOSTR3410Params), &paramSet); err != nil || !paramSet.Equal(c.key.Curve.OID()) {
				t.Errorf("CKA_GOSTR3410_PARAMS %v (%v), want %v", paramSet, err, c.key.Curve.OID())
			}
			if _, err := asn1.Unmarshal(attr(t, s, h, token.AttrGOSTR3411Params), &digest); err != nil || !digest.Equal(c.digest) {
				t.Errorf("CKA_GOSTR3411_PARAMS %v (%v), want %v", digest, err, c.digest)
			}
			for _, class := range []uint{token.ClassPublicKey, token.ClassPrivateKey} {
				h := findOne(t, s, class, []byte{c.id})
				if kt, _ := token.ParseULong(attr(t, s, h, token.AttrKeyType)); kt != c.keyType {
					t.Errorf("class %d: key type 0x%X, want 0x%X", class, kt, c.keyType)
				}
			}
		}
	})

	t.Run("certificate", func(t *testing.T) {
		h := findOne(t, s, token.ClassCertificate, []byte{1})
		der := attr(t, s, h, token.AttrValue)
		c, err := x509.ParseCertificate(der)
		if err != nil || c.Subject.CommonName != "Тестовый Токен RSA" {
			t.Fatalf("certificate value: %v", err)
		}
		if ct, _ := token.ParseULong(attr(t, s, h, token.AttrCertificateType)); ct != token.CertificateX509 {
			t.Errorf("certificate type %d", ct)
		}
		if !bytes.Equal(attr(t, s, h, attrSubject), c.RawSubject) {
			t.Error("CKA_SUBJECT differs from the certificate's")
		}
		bad := findOne(t, s, token.ClassCertificate, []byte{3})
		if got := attr(t, s, bad, token.AttrValue); string(got) != "a GOST certificate would be here" {
			t.Errorf("unparsable certificate value %q", got)
		}
		if attr(t, s, bad, attrSubject) != nil {
			t.Error("an unparsable certificate has a subject")
		}
	})
}

func TestLoginCountsWrongPINsAndLocks(t *testing.T) {
	tok := &Token{Label: "t", Serial: "1", PIN: "1234"}
	m := NewModule(tok)
	slot := m.SlotOf("1")
	s := mustSession(t, m, slot, false)
	defer s.Close()
	flags := func() uint {
		info, err := m.TokenInfo(slot)
		if err != nil {
			t.Fatal(err)
		}
		return info.Flags & userPINFlags
	}
	steps := []struct {
		pin   string
		want  error
		flags uint
	}{
		{"0000", token.CKR_PIN_INCORRECT, token.TokenUserPINCountLow},
		{"1234", nil, 0}, // the right PIN resets the count
		{"", token.CKR_ARGUMENTS_BAD, 0},
	}
	for i, st := range steps {
		err := s.Login(st.pin)
		if st.want == nil && err != nil || st.want != nil && !errors.Is(err, st.want) {
			t.Fatalf("step %d: Login = %v, want %v", i, err, st.want)
		}
		if err == nil {
			wantRV(t, "second login", s.Login("1234"), token.CKR_USER_ALREADY_LOGGED_IN)
			if err := s.Logout(); err != nil {
				t.Fatal(err)
			}
		}
		if got := flags(); got != st.flags {
			t.Fatalf("step %d: flags 0x%X, want 0x%X", i, got, st.flags)
		}
	}
	for i, want := range []uint{
		token.TokenUserPINCountLow,
		token.TokenUserPINCountLow | token.TokenUserPINFinalTry,
		token.TokenUserPINLocked,
	} {
		wantRV(t, "wrong PIN", s.Login("9999"), token.CKR_PIN_INCORRECT)
		if got := flags(); got != want {
			t.Fatalf("after %d wrong PINs: flags 0x%X, want 0x%X", i+1, got, want)
		}
	}
	wantRV(t, "right PIN when locked", s.Login("1234"), token.CKR_PIN_LOCKED)
	wantRV(t, "SetPIN when locked", mustSession(t, m, slot, true).SetPIN("1234", "5678"), token.CKR_PIN_LOCKED)
	if got := tok.Logins(); got != 8 {
		t.Errorf("Logins() = %d, want 8 (every C_Login call)", got)
	}
	if got := m.Logins(); got != 8 {
		t.Errorf("module Logins() = %d, want 8", got)
	}
}

func TestStartingPINStateComesFromFlags(t *testing.T) {
	for _, c := range []struct {
		name     string
		flags    uint
		maxTries int
		wrong    int // wrong PINs until locked
	}{
		{"fresh", 0, 0, 3},
		{"count-low", token.TokenUserPINCountLow, 0, 2},
		{"final-try", token.TokenUserPINFinalTry, 0, 1},
		{"locked", token.TokenUserPINLocked, 0, 0},
		{"ten tries", 0, 10, 10},
	} {
		t.Run(c.name, func(t *testing.T) {
			tok := &Token{Serial: "s", PIN: "1234", Flags: c.flags, MaxTries: c.maxTries}
			m := NewModule(tok)
			s := mustSession(t, m, m.SlotOf("s"), false)
			defer s.Close()
			for i := 0; i < c.wrong; i++ {
				wantRV(t, "wrong PIN", s.Login("0000"), token.CKR_PIN_INCORRECT)
			}
			if tok.CurrentFlags()&token.TokenUserPINLocked == 0 {
				t.Fatalf("not locked after %d wrong PINs: flags 0x%X", c.wrong, tok.CurrentFlags())
			}
			wantRV(t, "login", s.Login("1234"), token.CKR_PIN_LOCKED)
		})
	}
}

func TestLoginIsSharedBySessionsAndEndsWithTheLast(t *testing.T) {
	k := newKeys(t)
	tok := &Token{Serial: "s", PIN: "1234"}
	tok.AddKey([]byte{1}, "ec", k.ec256, nil)
	m := NewModule(tok)
	slot := m.SlotOf("s")
	a, b := mustSession(t, m, slot, false), mustSession(t, m, slot, true)
	if err := a.Login("1234"); err != nil {
		t.Fatal(err)
	}
	wantRV(t, "login in the other session", b.Login("1234"), token.CKR_USER_ALREADY_LOGGED_IN)
	priv := findOne(t, b, token.ClassPrivateKey, []byte{1})
	if _, err := b.Sign(token.MechECDSA, priv, make([]byte, 32)); err != nil {
		t.Fatalf("sign in the other session: %v", err)
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	if !tok.LoggedIn() {
		t.Fatal("closing one of two sessions logged out")
	}
	wantRV(t, "closed session", a.Login("1234"), token.CKR_SESSION_HANDLE_INVALID)
	wantRV(t, "close twice", a.Close(), token.CKR_SESSION_HANDLE_INVALID)
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if tok.LoggedIn() || tok.OpenSessions() != 0 {
		t.Fatalf("after the last session closed: logged in %v, %d sessions", tok.LoggedIn(), tok.OpenSessions())
	}
}

// digestInfo is the DER DigestInfo that CKM_RSA_PKCS signs.
func digestInfo(t *testing.T, h crypto.Hash, digest []byte) []byte {
	t.Helper()
	oids := map[crypto.Hash]asn1.ObjectIdentifier{
		crypto.SHA256: {2, 16, 840, 1, 101, 3, 4, 2, 1},
		crypto.SHA512: {2, 16, 840, 1, 101, 3, 4, 2, 3},
	}
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1ObjectIdentifier(oids[h])
			b.AddASN1NULL()
		})
		b.AddASN1OctetString(digest)
	})
	return b.BytesOrPanic()
}

func verifyECDSA(pub *ecdsa.PublicKey, hash, sig []byte) bool {
	size := (pub.Curve.Params().BitSize + 7) / 8
	if len(sig) != 2*size {
		return false
	}
	r, s := new(big.Int).SetBytes(sig[:size]), new(big.Int).SetBytes(sig[size:])
	return ecdsa.Verify(pub, hash, r, s)
}

func TestSignEveryMechanism(t *testing.T) {
	k := newKeys(t)
	tok := newToken(t, k)
	m := NewModule(tok)
	s := mustSession(t, m, m.SlotOf(tok.Serial), false)
	defer s.Close()
	if err := s.Login("12345678"); err != nil {
		t.Fatal(err)
	}
	msg := []byte("Договор № 1 от 01.01.2026")
	sha := sha256.Sum256(msg)
	sha384 := sha512.Sum384(msg)
	sha512sum := sha512.Sum512(msg)
	st256, st512 := streebog.Sum256(msg), streebog.Sum512(msg)

	for _, c := range []struct {
		name   string
		mech   token.Mechanism
		id     byte
		data   []byte
		verify func(sig []byte) bool
	}{
		{"rsa-pkcs over DigestInfo", token.MechRSAPKCS, 1, digestInfo(t, crypto.SHA256, sha[:]), func(sig []byte) bool {
			return rsa.VerifyPKCS1v15(&k.rsa.PublicKey, crypto.SHA256, sha[:], sig) == nil
		}},
		{"rsa-pkcs over a SHA-512 DigestInfo", token.MechRSAPKCS, 1, digestInfo(t, crypto.SHA512, sha512sum[:]), func(sig []byte) bool {
			return rsa.VerifyPKCS1v15(&k.rsa.PublicKey, crypto.SHA512, sha512sum[:], sig) == nil
		}},
		{"sha256-rsa-pkcs", token.MechSHA256RSAPKCS, 1, msg, func(sig []byte) bool {
			return rsa.VerifyPKCS1v15(&k.rsa.PublicKey, crypto.SHA256, sha[:], sig) == nil
		}},
		{"sha384-rsa-pkcs", token.MechSHA384RSAPKCS, 1, msg, func(sig []byte) bool {
			return rsa.VerifyPKCS1v15(&k.rsa.PublicKey, crypto.SHA384, sha384[:], sig) == nil
		}},
		{"sha512-rsa-pkcs", token.MechSHA512RSAPKCS, 1, msg, func(sig []byte) bool {
			return rsa.VerifyPKCS1v15(&k.rsa.PublicKey, crypto.SHA512, sha512sum[:], sig) == nil
		}},
		{"ecdsa p-256", token.MechECDSA, 2, sha[:], func(sig []byte) bool { return len(sig) == 64 && verifyECDSA(&k.ec256.PublicKey, sha[:], sig) }},
		{"ecdsa p-384", token.MechECDSA, 5, sha384[:], func(sig []byte) bool { return len(sig) == 96 && verifyECDSA(&k.ec384.PublicKey, sha384[:], sig) }},
		{"gostr3410 over a host hash", token.MechGOSTR3410, 3, st256[:], func(sig []byte) bool {
			return len(sig) == 64 && gost3410.Verify(&k.gost256.PublicKey, st256[:], sig)
		}},
		{"gostr3410-512 over a host hash", token.MechGOSTR3410512, 4, st512[:], func(sig []byte) bool {
			return len(sig) == 128 && gost3410.Verify(&k.gost512.PublicKey, st512[:], sig)
		}},
		{"gostr3410 with gostr3411-12-256", token.MechGOSTR3410WithGOSTR3411_12_256, 3, msg, func(sig []byte) bool {
			return gost3410.Verify(&k.gost256.PublicKey, st256[:], sig)
		}},
		{"gostr3410 with gostr3411-12-512", token.MechGOSTR3410WithGOSTR3411_12_512, 4, msg, func(sig []byte) bool {
			return gost3410.Verify(&k.gost512.PublicKey, st512[:], sig)
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			priv := findOne(t, s, token.ClassPrivateKey, []byte{c.id})
			sig, err := s.Sign(c.mech, priv, c.data)
			if err != nil {
				t.Fatalf("Sign(%v): %v", c.mech, err)
			}
			if !c.verify(sig) {
				t.Fatalf("Sign(%v): the signature does not verify", c.mech)
			}
		})
	}
	if got := tok.Signs(); got != 11 {
		t.Errorf("Signs() = %d, want 11", got)
	}
	// The GOST signature is s||r: swapping the halves must not verify.
	priv := findOne(t, s, token.ClassPrivateKey, []byte{3})
	sig, err := s.Sign(token.MechGOSTR3410, priv, st256[:])
	if err != nil {
		t.Fatal(err)
	}
	swapped := append(slices.Clone(sig[32:]), sig[:32]...)
	if gost3410.Verify(&k.gost256.PublicKey, st256[:], swapped) {
		t.Error("r||s verifies: the signature is not in s||r order")
	}
}

func TestSignRefusals(t *testing.T) {
	k := newKeys(t)
	tok := newToken(t, k)
	m := NewModule(tok)
	s := mustSession(t, m, m.SlotOf(tok.Serial), false)
	defer s.Close()
	if err := s.Login("12345678"); err != nil {
		t.Fatal(err)
	}
	rsaKey := findOne(t, s, token.ClassPrivateKey, []byte{1})
	ecKey := findOne(t, s, token.ClassPrivateKey, []byte{2})
	g256 := findOne(t, s, token.ClassPrivateKey, []byte{3})
	g512 := findOne(t, s, token.ClassPrivateKey, []byte{4})
	cert := findOne(t, s, token.ClassCertificate, []byte{1})
	for _, c := range []struct {
		name string
		mech token.Mechanism
		key  token.ObjectHandle
		data []byte
		want token.ReturnValue
	}{
		{"ecdsa with an rsa key", token.MechECDSA, rsaKey, make([]byte, 32), token.CKR_KEY_TYPE_INCONSISTENT},
		{"rsa with an ec key", token.MechSHA256RSAPKCS, ecKey, []byte("m"), token.CKR_KEY_TYPE_INCONSISTENT},
		{"gost with an ec key", token.MechGOSTR3410, ecKey, make([]byte, 32), token.CKR_KEY_TYPE_INCONSISTENT},
		{"gost-512 with a 256-bit key", token.MechGOSTR3410512, g256, make([]byte, 64), token.CKR_KEY_TYPE_INCONSISTENT},
		{"gost with a 512-bit key", token.MechGOSTR3410, g512, make([]byte, 32), token.CKR_KEY_TYPE_INCONSISTENT},
		{"gost hash-on-token 512 with a 256-bit key", token.MechGOSTR3410WithGOSTR3411_12_512, g256, []byte("m"), token.CKR_KEY_TYPE_INCONSISTENT},
		{"gost 256 over 64 bytes", token.MechGOSTR3410, g256, make([]byte, 64), token.CKR_DATA_LEN_RANGE},
		{"gost 512 over 32 bytes", token.MechGOSTR3410512, g512, make([]byte, 32), token.CKR_DATA_LEN_RANGE},
		{"rsa-pkcs over too much", token.MechRSAPKCS, rsaKey, make([]byte, 256-10), token.CKR_DATA_LEN_RANGE},
		{"ecdsa over nothing", token.MechECDSA, ecKey, nil, token.CKR_DATA_LEN_RANGE},
		{"sign with a certificate", token.MechSHA256RSAPKCS, cert, []byte("m"), token.CKR_KEY_HANDLE_INVALID},
		{"sign with no object", token.MechSHA256RSAPKCS, 999, []byte("m"), token.CKR_KEY_HANDLE_INVALID},
		{"a mechanism not offered", token.MechGOSTR3410With3411, g256, make([]byte, 32), token.CKR_MECHANISM_INVALID},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := s.Sign(c.mech, c.key, c.data)
			wantRV(t, c.name, err, c.want)
		})
	}
	if got := tok.Signs(); got != 0 {
		t.Errorf("refused signatures counted: Signs() = %d", got)
	}
}

func TestMechanismsOfferedByDefaultAndByChoice(t *testing.T) {
	k := newKeys(t)
	rsaOnly := &Token{Serial: "rsa", PIN: "1234"}
	rsaOnly.AddKey([]byte{1}, "", k.rsa, nil)
	gostOnly := &Token{Serial: "gost", PIN: "1234"}
	gostOnly.AddKey([]byte{1}, "", k.gost256, nil)
	gostOnly.AddKey([]byte{2}, "", k.gost512, nil)
	hostHashOnly := &Token{Serial: "host", PIN: "1234", Mechanisms: []token.Mechanism{token.MechGOSTR3410}}
	hostHashOnly.AddKey([]byte{1}, "", k.gost256, nil)
	none := &Token{Serial: "none", PIN: "1234", Mechanisms: []token.Mechanism{}}
	none.AddKey([]byte{1}, "", k.ec256, nil)
	m := NewModule(rsaOnly, gostOnly, hostHashOnly, none)
	for _, c := range []struct {
		serial string
		want   []token.Mechanism
	}{
		{"rsa", []token.Mechanism{token.MechRSAPKCS, token.MechSHA256RSAPKCS, token.MechSHA384RSAPKCS, token.MechSHA512RSAPKCS}},
		{"gost", []token.Mechanism{token.MechGOSTR3410, token.MechGOSTR3410WithGOSTR3411_12_256, token.MechGOSTR3410512, token.MechGOSTR3410WithGOSTR3411_12_512}},
		{"host", []token.Mechanism{token.MechGOSTR3410}},
		{"none", nil},
	} {
		got, err := m.Mechanisms(m.SlotOf(c.serial))
		if err != nil || !slices.Equal(got, c.want) {
			t.Errorf("%s: Mechanisms = %v, %v; want %v", c.serial, got, err, c.want)
		}
	}
	s := mustSession(t, m, m.SlotOf("host"), false)
	defer s.Close()
	if err := s.Login("1234"); err != nil {
		t.Fatal(err)
	}
	key := findOne(t, s, token.ClassPrivateKey, []byte{1})
	_, err := s.Sign(token.MechGOSTR3410WithGOSTR3411_12_256, key, []byte("m"))
	wantRV(t, "hash on a token that does not offer it", err, token.CKR_MECHANISM_INVALID)
}

func TestSetPIN(t *testing.T) {
	tok := &Token{Serial: "s", PIN: "1234", Flags: token.TokenUserPINToBeChanged, MinPIN: 6, MaxPIN: 8}
	m := NewModule(tok)
	slot := m.SlotOf("s")
	ro := mustSession(t, m, slot, false)
	defer ro.Close()
	rw := mustSession(t, m, slot, true)
	defer rw.Close()

	wantRV(t, "read-only session", ro.SetPIN("1234", "123456"), token.CKR_SESSION_READ_ONLY)
	wantRV(t, "too short", rw.SetPIN("1234", "12345"), token.CKR_PIN_LEN_RANGE)
	wantRV(t, "too long", rw.SetPIN("1234", "123456789"), token.CKR_PIN_LEN_RANGE)
	if tok.CurrentFlags()&userPINFlags != token.TokenUserPINToBeChanged {
		t.Fatalf("a length error spent a try: flags 0x%X", tok.CurrentFlags())
	}
	wantRV(t, "wrong old PIN", rw.SetPIN("0000", "123456"), token.CKR_PIN_INCORRECT)
	if tok.CurrentFlags()&token.TokenUserPINCountLow == 0 {
		t.Fatal("a wrong old PIN did not count")
	}
	if err := rw.SetPIN("1234", "654321"); err != nil {
		t.Fatal(err)
	}
	if got := tok.CurrentFlags() & userPINFlags; got != 0 {
		t.Fatalf("after a change: flags 0x%X, want no PIN flags", got)
	}
	if tok.CurrentPIN() != "654321" {
		t.Fatal("CurrentPIN is not the new PIN")
	}
	wantRV(t, "old PIN", ro.Login("1234"), token.CKR_PIN_INCORRECT)
	if err := ro.Login("654321"); err != nil {
		t.Fatalf("new PIN: %v", err)
	}
}

func TestPINPad(t *testing.T) {
	pad := &Token{Serial: "pad", PIN: "1234", PINPad: true}
	wrongPad := &Token{Serial: "wrong", PIN: "1234", PINPad: true, PadPIN: "0000"}
	m := NewModule(pad, wrongPad)
	info, err := m.TokenInfo(m.SlotOf("pad"))
	if err != nil || info.Flags&token.TokenProtectedAuthPath == 0 {
		t.Fatalf("flags 0x%X (%v): no protected authentication path", info.Flags, err)
	}
	s := mustSession(t, m, m.SlotOf("pad"), false)
	defer s.Close()
	if err := s.Login(""); err != nil {
		t.Fatalf("login on the pad: %v", err)
	}
	w := mustSession(t, m, m.SlotOf("wrong"), false)
	defer w.Close()
	wantRV(t, "wrong PIN typed on the pad", w.Login(""), token.CKR_PIN_INCORRECT)
}

func TestPullAndInsert(t *testing.T) {
	k := newKeys(t)
	tok := &Token{Serial: "s", PIN: "1234"}
	tok.AddKey([]byte{1}, "ec", k.ec256, nil)
	other := &Token{Serial: "other", PIN: "1234"}
	m := NewModule(tok, other)
	empty := m.AddEmptySlot()
	slot := m.SlotOf("s")
	if slot == 0 {
		t.Fatal("slot IDs start at 1")
	}

	all, _ := m.Slots(false)
	present, _ := m.Slots(true)
	if len(all) != 3 || len(present) != 2 || slices.Contains(present, empty) {
		t.Fatalf("Slots(false) %v, Slots(true) %v", all, present)
	}
	if _, err := m.TokenInfo(empty); !errors.Is(err, token.CKR_TOKEN_NOT_PRESENT) {
		t.Fatalf("TokenInfo of an empty slot: %v", err)
	}
	if info, _ := m.SlotInfo(empty); info.Flags&token.SlotTokenPresent != 0 {
		t.Fatal("an empty slot says a token is present")
	}

	s := mustSession(t, m, slot, false)
	if err := s.Login("1234"); err != nil {
		t.Fatal(err)
	}
	key := findOne(t, s, token.ClassPrivateKey, []byte{1})
	m.PullAfterSigns("s", 2)
	for i := 0; i < 2; i++ {
		if _, err := s.Sign(token.MechECDSA, key, make([]byte, 32)); err != nil {
			t.Fatalf("signature %d before the pull: %v", i+1, err)
		}
	}
	_, err := s.Sign(token.MechECDSA, key, make([]byte, 32))
	wantRV(t, "sign after the pull", err, token.CKR_DEVICE_REMOVED)
	wantRV(t, "login after the pull", s.Login("1234"), token.CKR_DEVICE_REMOVED)
	if tok.Signs() != 2 || tok.LoggedIn() || tok.Present() {
		t.Fatalf("after the pull: %d signs, logged in %v, present %v", tok.Signs(), tok.LoggedIn(), tok.Present())
	}
	present, _ = m.Slots(true)
	if slices.Contains(present, slot) {
		t.Fatal("Slots(true) lists the pulled token's slot")
	}
	if info, _ := m.SlotInfo(slot); info.Flags&token.SlotTokenPresent != 0 {
		t.Fatal("the slot still says a token is present")
	}
	if _, err := m.OpenSession(slot, false); !errors.Is(err, token.CKR_TOKEN_NOT_PRESENT) {
		t.Fatalf("OpenSession without the token: %v", err)
	}

	m.Insert("s")
	wantRV(t, "old session after reinsertion", s.Login("1234"), token.CKR_SESSION_HANDLE_INVALID)
	if err := s.Close(); err != nil {
		t.Fatalf("closing a session lost with the token: %v", err)
	}
	s2 := mustSession(t, m, slot, false)
	defer s2.Close()
	if hs, _ := s2.FindObjects(classTemplate(token.ClassPrivateKey, nil)); len(hs) != 0 {
		t.Fatal("the login survived the pull")
	}
	if err := s2.Login("1234"); err != nil {
		t.Fatal(err)
	}
	if _, err := s2.Sign(token.MechECDSA, key, make([]byte, 32)); err != nil {
		t.Fatalf("sign after reinsertion: %v", err)
	}

	m.Pull("other")
	if other.Present() {
		t.Fatal("Pull did not pull")
	}
}

func TestCloseAndReopen(t *testing.T) {
	tok := &Token{Serial: "s", PIN: "1234"}
	m := NewModule(tok)
	open := m.Opener()
	mod, err := open("/usr/lib/anything.so")
	if err != nil || mod != token.Module(m) {
		t.Fatalf("Opener: %v, %v", mod, err)
	}
	s := mustSession(t, mod, m.SlotOf("s"), false)
	if err := s.Login("1234"); err != nil {
		t.Fatal(err)
	}
	if err := mod.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := mod.Slots(false); !errors.Is(err, token.CKR_CRYPTOKI_NOT_INITIALIZED) {
		t.Fatalf("Slots after Close: %v", err)
	}
	wantRV(t, "Close twice", mod.Close(), token.CKR_CRYPTOKI_NOT_INITIALIZED)
	wantRV(t, "session after Close", s.Login("1234"), token.CKR_CRYPTOKI_NOT_INITIALIZED)
	if tok.LoggedIn() {
		t.Fatal("C_Finalize kept the login")
	}
	if _, err := open("/usr/lib/anything.so"); err != nil {
		t.Fatal(err)
	}
	wantRV(t, "session from before C_Finalize", s.Login("1234"), token.CKR_SESSION_HANDLE_INVALID)
	s2 := mustSession(t, mod, m.SlotOf("s"), false)
	defer s2.Close()
	if err := s2.Login("1234"); err != nil {
		t.Fatal(err)
	}
	if m.Opens() != 2 || m.Closes() != 1 {
		t.Fatalf("Opens %d Closes %d, want 2 and 1", m.Opens(), m.Closes())
	}
}

func TestPaths(t *testing.T) {
	a, b := NewModule(&Token{Serial: "a"}), NewModule(&Token{Serial: "b"})
	open := Paths(map[string]*Module{"/lib/a.so": a, "/lib/b.so": b})
	for path, want := range map[string]*Module{"/lib/a.so": a, "/lib/b.so": b} {
		got, err := open(path)
		if err != nil || got != token.Module(want) {
			t.Errorf("%s: %v, %v", path, got, err)
		}
	}
	_, err := open("/lib/missing.so")
	var le *token.LoadError
	if !errors.As(err, &le) || le.Reason != token.LoadMissing || le.Path != "/lib/missing.so" {
		t.Fatalf("unknown path: %v", err)
	}
}

func TestCountingCountsAndPulls(t *testing.T) {
	k := newKeys(t)
	tok := &Token{Serial: "s", PIN: "1234"}
	tok.AddKey([]byte{1}, "ec", k.ec256, nil)
	m := NewModule(tok)
	open, counter := Counting(m.Opener())
	mod, err := open("any")
	if err != nil {
		t.Fatal(err)
	}
	slot := m.SlotOf("s")
	s := mustSession(t, mod, slot, false)
	wantRV(t, "wrong PIN", s.Login("0000"), token.CKR_PIN_INCORRECT)
	if err := s.Login("1234"); err != nil {
		t.Fatal(err)
	}
	key := findOne(t, s, token.ClassPrivateKey, []byte{1})
	counter.PullAfterSigns(3)
	for i := 0; i < 3; i++ {
		sig, err := s.Sign(token.MechECDSA, key, make([]byte, 32))
		if err != nil || !verifyECDSA(&k.ec256.PublicKey, make([]byte, 32), sig) {
			t.Fatalf("signature %d: %v", i+1, err)
		}
	}
	_, err = s.Sign(token.MechECDSA, key, make([]byte, 32))
	wantRV(t, "sign after the pull", err, token.CKR_DEVICE_REMOVED)
	wantRV(t, "login after the pull", s.Login("1234"), token.CKR_DEVICE_REMOVED)
	if counter.Logins() != 3 || counter.Signs() != 3 || counter.Opens() != 1 || counter.Sessions() != 1 {
		t.Fatalf("counter: %d logins, %d signs, %d opens, %d sessions; want 3, 3, 1, 1",
			counter.Logins(), counter.Signs(), counter.Opens(), counter.Sessions())
	}
	if tok.LoggedIn() || tok.OpenSessions() != 0 {
		t.Fatal("the pull did not close the real session, so the real login survived")
	}
	if ids, _ := mod.Slots(true); len(ids) != 0 {
		t.Fatalf("Slots(true) after the pull: %v", ids)
	}
	if _, err := mod.TokenInfo(slot); !errors.Is(err, token.CKR_TOKEN_NOT_PRESENT) {
		t.Fatalf("TokenInfo after the pull: %v", err)
	}
	if _, err := mod.OpenSession(slot, false); !errors.Is(err, token.CKR_TOKEN_NOT_PRESENT) {
		t.Fatalf("OpenSession after the pull: %v", err)
	}

	counter.Insert()
	wantRV(t, "old session after Insert", s.Login("1234"), token.CKR_SESSION_HANDLE_INVALID)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s2 := mustSession(t, mod, slot, false)
	defer s2.Close()
	if err := s2.Login("1234"); err != nil {
		t.Fatalf("login after Insert: %v", err)
	}
	if _, err := s2.Sign(token.MechECDSA, key, make([]byte, 32)); err != nil {
		t.Fatal(err)
	}
	if counter.Logins() != 5 || counter.Signs() != 4 || tok.Logins() != 3 { // the calls refused while pulled count too
		t.Fatalf("after Insert: counter %d logins %d signs, token %d logins", counter.Logins(), counter.Signs(), tok.Logins())
	}
}

// Sessions of one token used from several goroutines (as a batch with a
// progress window might) must be race-free.
func TestConcurrentUse(t *testing.T) {
	k := newKeys(t)
	tok := &Token{Serial: "s", PIN: "1234"}
	tok.AddKey([]byte{1}, "ec", k.ec256, nil)
	tok.AddKey([]byte{2}, "gost", k.gost256, nil)
	m := NewModule(tok)
	open, counter := Counting(m.Opener())
	mod, err := open("any")
	if err != nil {
		t.Fatal(err)
	}
	slot := m.SlotOf("s")
	first := mustSession(t, mod, slot, false)
	defer first.Close()
	if err := first.Login("1234"); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := mod.OpenSession(slot, false)
			if err != nil {
				errs <- err
				return
			}
			defer s.Close()
			hs, err := s.FindObjects(classTemplate(token.ClassPrivateKey, nil))
			if err != nil || len(hs) != 2 {
				errs <- errors.New("private keys not seen in a second session")
				return
			}
			for i := 0; i < 5; i++ {
				if _, err := s.Sign(token.MechGOSTR3410WithGOSTR3411_12_256, hs[1], []byte("m")); err != nil {
					errs <- err
					return
				}
				_ = tok.CurrentFlags()
				_, _ = mod.TokenInfo(slot)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if tok.Signs() != 20 || counter.Signs() != 20 {
		t.Fatalf("Signs %d / counter %d, want 20", tok.Signs(), counter.Signs())
	}
}

func TestAddObjectAndRemoveObjects(t *testing.T) {
	k := newKeys(t)
	tok := &Token{Serial: "s", PIN: "1234"}
	tok.AddKey([]byte{7}, "k", k.ec256, selfSigned(t, k.ec256, "c"))
	if n := tok.RemoveObjects(token.ClassPublicKey, []byte{7}); n != 1 {
		t.Fatalf("RemoveObjects removed %d", n)
	}
	h := tok.AddObject([]token.Attribute{
		{Type: token.AttrClass, Value: token.ULong(token.ClassCertificate)},
		{Type: token.AttrID, Value: []byte{9}},
		{Type: token.AttrValue, Value: []byte{0x30, 0x00}},
	})
	m := NewModule(tok)
	s := mustSession(t, m, m.SlotOf("s"), false)
	defer s.Close()
	if hs, _ := s.FindObjects(classTemplate(token.ClassPublicKey, nil)); len(hs) != 0 {
		t.Fatal("the removed public key is still there")
	}
	if got := findOne(t, s, token.ClassCertificate, []byte{9}); got != h {
		t.Fatalf("AddObject handle %d, found %d", h, got)
	}
	if got := attr(t, s, h, token.AttrLabel); got != nil {
		t.Fatalf("an attribute the object lacks: %q, want nil", got)
	}
}

func TestUnsupportedKeyPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("AddKey took an unsupported key")
		}
	}()
	k, err := ecdsa.GenerateKey(elliptic.P224(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	(&Token{}).AddKey([]byte{1}, "", k, nil)
}
