package tokentest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"io"
	"slices"

	"github.com/podpis/podpis/certstore/token"
	"github.com/podpis/podpis/internal/gost/gost3410"
	"github.com/podpis/podpis/internal/gost/streebog"
)

// Session is one session with a token of a Module. Its state is guarded
// by its token's mutex.
type Session struct {
	module    *Module
	token     *Token
	readWrite bool
	moduleGen int // the module's generation when opened: a Close in between ends the session
	tokenGen  int // the token's generation when opened: a pull in between ends the session
	closed    bool
}

// checkLocked says whether the session can be used: the module is
// initialised, the session is open, the token is present. Call with the
// token's mutex held.
func (s *Session) checkLocked() error {
	if s.closed {
		return token.CKR_SESSION_HANDLE_INVALID
	}
	s.module.mu.Lock()
	initialized, gen := s.module.initialized, s.module.generation
	s.module.mu.Unlock()
	if !initialized {
		return token.CKR_CRYPTOKI_NOT_INITIALIZED
	}
	if gen != s.moduleGen {
		return token.CKR_SESSION_HANDLE_INVALID
	}
	st := &s.token.state
	if !st.present {
		return token.CKR_DEVICE_REMOVED
	}
	if st.generation != s.tokenGen {
		return token.CKR_SESSION_HANDLE_INVALID
	}
	return nil
}

// pinLocked resolves the PIN given to C_Login or C_SetPIN: "" stands for
// a NULL pointer, which only a token with a PIN pad accepts (the PIN is
// typed on the device). Call with the token's mutex held.
func (s *Session) pinLocked(pin string) (string, error) {
	if pin != "" {
		return pin, nil
	}
	t := s.token
	if !t.PINPad {
		return "", token.CKR_ARGUMENTS_BAD
	}
	if t.PadPIN != "" {
		return t.PadPIN, nil
	}
	return t.state.pin, nil
}

// verifyPINLocked checks pin against the user PIN and keeps the retry
// counter. Call with the token's mutex held.
func (s *Session) verifyPINLocked(pin string) error {
	st := &s.token.state
	if st.failures >= st.maxTries {
		return token.CKR_PIN_LOCKED
	}
	pin, err := s.pinLocked(pin)
	if err != nil {
		return err
	}
	if pin != st.pin {
		st.failures++
		return token.CKR_PIN_INCORRECT
	}
	st.failures = 0
	return nil
}

// Login is C_Login as CKU_USER. Every call counts in Logins.
func (s *Session) Login(pin string) error {
	t := s.token
	t.mu.Lock()
	defer t.mu.Unlock()
	t.state.logins++
	if err := s.checkLocked(); err != nil {
		return err
	}
	if t.state.loggedIn {
		return token.CKR_USER_ALREADY_LOGGED_IN
	}
	if err := s.verifyPINLocked(pin); err != nil {
		return err
	}
	t.state.loggedIn = true
	return nil
}

// Logout is C_Logout: the token's login ends for all its sessions.
func (s *Session) Logout() error {
	t := s.token
	t.mu.Lock()
	defer t.mu.Unlock()
	if err := s.checkLocked(); err != nil {
		return err
	}
	if !t.state.loggedIn {
		return token.CKR_USER_NOT_LOGGED_IN
	}
	t.state.loggedIn = false
	return nil
}

// visibleLocked reports whether the session sees o: private objects only
// after login. Call with the token's mutex held.
func (s *Session) visibleLocked(o *object) bool {
	return !o.private || s.token.state.loggedIn
}

// FindObjects returns the handles of the visible objects whose attributes
// equal every attribute of template (byte for byte), in the order they
// were put on the token.
func (s *Session) FindObjects(template []token.Attribute) ([]token.ObjectHandle, error) {
	t := s.token
	t.mu.Lock()
	defer t.mu.Unlock()
	if err := s.checkLocked(); err != nil {
		return nil, err
	}
	var hs []token.ObjectHandle
	for _, o := range t.state.objects {
		if s.visibleLocked(o) && o.matches(template) {
			hs = append(hs, o.handle)
		}
	}
	return hs, nil
}

// Attributes is C_GetAttributeValue: an attribute the object lacks comes
// back with a nil Value. A private object is CKR_OBJECT_HANDLE_INVALID
// until login.
func (s *Session) Attributes(h token.ObjectHandle, types []token.AttributeType) ([]token.Attribute, error) {
	t := s.token
	t.mu.Lock()
	defer t.mu.Unlock()
	if err := s.checkLocked(); err != nil {
		return nil, err
	}
	o := t.objectLocked(h)
	if o == nil || !s.visibleLocked(o) {
		return nil, token.CKR_OBJECT_HANDLE_INVALID
	}
	out := make([]token.Attribute, len(types))
	for i, typ := range types {
		out[i] = token.Attribute{Type: typ, Value: slices.Clone(o.attrs[typ])}
	}
	return out, nil
}

// Sign is C_SignInit + C_Sign. See signWith for what each mechanism takes
// and returns.
func (s *Session) Sign(m token.Mechanism, h token.ObjectHandle, data []byte) ([]byte, error) {
	t := s.token
	t.mu.Lock()
	defer t.mu.Unlock()
	if err := s.checkLocked(); err != nil {
		return nil, err
	}
	if !slices.Contains(t.mechanismsLocked(), m) {
		return nil, token.CKR_MECHANISM_INVALID
	}
	o := t.objectLocked(h)
	if o == nil {
		return nil, token.CKR_KEY_HANDLE_INVALID
	}
	if o.private && !t.state.loggedIn {
		return nil, token.CKR_USER_NOT_LOGGED_IN
	}
	if o.class != token.ClassPrivateKey && o.class != token.ClassPublicKey {
		return nil, token.CKR_KEY_HANDLE_INVALID
	}
	if o.signer == nil {
		return nil, token.CKR_KEY_FUNCTION_NOT_PERMITTED
	}
	sig, err := signWith(o.signer, m, data, s.module.rand)
	if err != nil {
		return nil, err
	}
	t.state.signs++
	if t.state.pullAfter > 0 {
		t.state.pullAfter--
		if t.state.pullAfter == 0 {
			t.pullLocked()
		}
	}
	return sig, nil
}

// signWith signs as a token does for each mechanism:
//   - CKM_RSA_PKCS: data is the DigestInfo (≤ k-11 bytes), PKCS#1 v1.5;
//   - CKM_SHA256/384/512_RSA_PKCS: data is the message, hashed here;
//   - CKM_ECDSA: data is the hash; the signature is r||s, each half the
//     curve's size;
//   - CKM_GOSTR3410 (256-bit keys, 32-byte data) and CKM_GOSTR3410_512
//     (512-bit keys, 64-byte data): data is the Streebog hash; the
//     signature is s||r as gost3410 returns it;
//   - CKM_GOSTR3410_WITH_GOSTR3411_12_256/512: data is the message,
//     hashed here with Streebog, then signed as above.
//
// A key of the wrong kind is CKR_KEY_TYPE_INCONSISTENT, data of the wrong
// length CKR_DATA_LEN_RANGE; CKM_GOSTR3410_WITH_GOSTR3411 (GOST R
// 34.11-94, 2001 keys) is never signed with: CKR_MECHANISM_INVALID.
func signWith(key crypto.Signer, m token.Mechanism, data []byte, rand io.Reader) ([]byte, error) {
	switch m {
	case token.MechRSAPKCS, token.MechSHA256RSAPKCS, token.MechSHA384RSAPKCS, token.MechSHA512RSAPKCS:
		k, ok := key.(*rsa.PrivateKey)
		if !ok {
			return nil, token.CKR_KEY_TYPE_INCONSISTENT
		}
		var hash crypto.Hash
		digest := data
		switch m {
		case token.MechSHA256RSAPKCS:
			hash = crypto.SHA256
		case token.MechSHA384RSAPKCS:
			hash = crypto.SHA384
		case token.MechSHA512RSAPKCS:
			hash = crypto.SHA512
		}
		if hash != 0 {
			h := hash.New()
			h.Write(data)
			digest = h.Sum(nil)
		} else if len(data) > k.Size()-11 {
			return nil, token.CKR_DATA_LEN_RANGE
		}
		sig, err := rsa.SignPKCS1v15(rand, k, hash, digest)
		if err != nil {
			return nil, token.CKR_FUNCTION_FAILED
		}
		return sig, nil
	case token.MechECDSA:
		k, ok := key.(*ecdsa.PrivateKey)
		if !ok {
			return nil, token.CKR_KEY_TYPE_INCONSISTENT
		}
		if len(data) == 0 || len(data) > sha512.Size {
			return nil, token.CKR_DATA_LEN_RANGE
		}
		r, s, err := ecdsa.Sign(rand, k, data)
		if err != nil {
			return nil, token.CKR_FUNCTION_FAILED
		}
		size := (k.Curve.Params().BitSize + 7) / 8
		sig := make([]byte, 2*size)
		r.FillBytes(sig[:size])
		s.FillBytes(sig[size:])
		return sig, nil
	case token.MechGOSTR3410, token.MechGOSTR3410512, token.MechGOSTR3410WithGOSTR3411_12_256, token.MechGOSTR3410WithGOSTR3411_12_512:
		k, ok := key.(*gost3410.PrivateKey)
		size := sha256.Size // 256-bit keys
		if m == token.MechGOSTR3410512 || m == token.MechGOSTR3410WithGOSTR3411_12_512 {
			size = sha512.Size
		}
		if !ok || k.Curve.Size() != size {
			return nil, token.CKR_KEY_TYPE_INCONSISTENT
		}
		digest := data
		switch m {
		case token.MechGOSTR3410WithGOSTR3411_12_256:
			h := streebog.Sum256(data)
			digest = h[:]
		case token.MechGOSTR3410WithGOSTR3411_12_512:
			h := streebog.Sum512(data)
			digest = h[:]
		default:
			if len(data) != size {
				return nil, token.CKR_DATA_LEN_RANGE
			}
		}
		sig, err := k.Sign(rand, digest, nil)
		if err != nil {
			return nil, token.CKR_FUNCTION_FAILED
		}
		return sig, nil
	}
	return nil, token.CKR_MECHANISM_INVALID
}

// SetPIN is C_SetPIN for the user PIN. It needs a read-write session
// (CKR_SESSION_READ_ONLY), checks the new PIN's length first
// (CKR_PIN_LEN_RANGE, no try spent), then the old PIN, which counts like
// a login (CKR_PIN_INCORRECT, CKR_PIN_LOCKED). Success resets the counter
// and clears CKF_USER_PIN_TO_BE_CHANGED.
func (s *Session) SetPIN(oldPIN, newPIN string) error {
	t := s.token
	t.mu.Lock()
	defer t.mu.Unlock()
	if err := s.checkLocked(); err != nil {
		return err
	}
	if !s.readWrite {
		return token.CKR_SESSION_READ_ONLY
	}
	st := &t.state
	if n := uint(len(newPIN)); n < st.minPIN || n > st.maxPIN {
		return token.CKR_PIN_LEN_RANGE
	}
	if err := s.verifyPINLocked(oldPIN); err != nil {
		return err
	}
	st.pin = newPIN
	st.toBeChanged = false
	return nil
}

// Close is C_CloseSession. Closing the token's last session ends its
// login, as Cryptoki says. A session already gone with its token or its
// module closes without error; closing twice is
// CKR_SESSION_HANDLE_INVALID.
func (s *Session) Close() error {
	t := s.token
	t.mu.Lock()
	defer t.mu.Unlock()
	if s.closed {
		return token.CKR_SESSION_HANDLE_INVALID
	}
	err := s.checkLocked()
	s.closed = true
	if err != nil {
		return nil
	}
	t.state.sessions--
	if t.state.sessions == 0 {
		t.state.loggedIn = false
	}
	return nil
}

var _ token.Session = (*Session)(nil)
