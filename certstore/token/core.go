package token

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"errors"
	"fmt"
	"math/big"
	"sync"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/podpis/podpis/certstore/cert"
	"github.com/podpis/podpis/internal/gost/gost3410"
	"github.com/podpis/podpis/internal/gost/streebog"
)

// --- the library of loaded modules ---

func (l *Library) module(path string) (Module, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if lm, ok := l.modules[path]; ok {
		return lm.m, nil
	}
	// A failure is not remembered: the person may install the missing
	// library and press Rescan.
	m, err := l.open(path)
	if err != nil {
		return nil, err
	}
	l.modules[path] = &libraryModule{m: m}
	return m, nil
}

func (l *Library) reload() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	var errs []error
	for path, lm := range l.modules {
		if err := lm.m.Close(); err != nil && !errors.Is(err, CKR_CRYPTOKI_NOT_INITIALIZED) {
			errs = append(errs, fmt.Errorf("%s: %w", path, err))
		}
		delete(l.modules, path)
	}
	return errors.Join(errs...)
}

// --- scanning ---

func (l *Library) scan(ctx context.Context, candidates []Candidate, opts ScanOptions) *Scan {
	res := &Scan{}
	for _, c := range candidates {
		if ctx.Err() != nil {
			break
		}
		ms := ModuleScan{Candidate: c}
		m, err := l.module(c.Path)
		if err != nil {
			ms.Err = err
			res.Modules = append(res.Modules, ms)
			continue
		}
		if ms.Info, err = m.Info(); err != nil {
			ms.Err = cryptokiError("C_GetInfo", nil, err)
		}
		slots, err := m.Slots(!opts.EmptySlots)
		if err != nil {
			ms.Err = cryptokiError("C_GetSlotList", nil, err)
		}
		for _, id := range slots {
			if ctx.Err() != nil {
				break
			}
			if opts.Slot != nil && *opts.Slot != id {
				continue
			}
			ss := SlotScan{ID: id}
			si, err := m.SlotInfo(id)
			if err != nil {
				ss.Err = cryptokiError("C_GetSlotInfo", nil, err)
				ms.Slots = append(ms.Slots, ss)
				continue
			}
			ss.Description, ss.Manufacturer = si.Description, si.Manufacturer
			ss.Removable, ss.Hardware = si.Flags&SlotRemovable != 0, si.Flags&SlotHardware != 0
			if si.Flags&SlotTokenPresent != 0 {
				ss.Token, ss.Err = scanToken(m, id, opts.PIN)
				if ss.Token != nil && ss.Token.Info.Flags&TokenInitialized == 0 {
					// A blank token (SoftHSM2 always offers one) holds
					// nothing to show: an empty slot.
					ss.Token = nil
				}
			}
			if ss.Token != nil || ss.Err != nil || opts.EmptySlots {
				ms.Slots = append(ms.Slots, ss)
			}
		}
		res.Modules = append(res.Modules, ms)
	}
	return res
}

// scanToken reads one token. The error is for a token that cannot be read
// at all; trouble with its objects goes into TokenScan.Err.
func scanToken(m Module, slot SlotID, ask PINFunc) (*TokenScan, error) {
	ti, err := m.TokenInfo(slot)
	if err != nil {
		return nil, cryptokiError("C_GetTokenInfo", nil, err)
	}
	ts := &TokenScan{
		Info:          ti,
		PIN:           PINStateOf(ti.Flags),
		LoginRequired: ti.Flags&TokenLoginRequired != 0,
		PINPad:        ti.Flags&TokenProtectedAuthPath != 0,
	}
	ts.Mechanisms, _ = m.Mechanisms(slot) // a token that will not say is still listed
	sess, err := m.OpenSession(slot, false)
	if err != nil {
		ts.Err = cryptokiError("C_OpenSession", &ti, err)
		return ts, nil
	}
	defer sess.Close()
	if ask != nil && ts.LoginRequired {
		switch err := login(m, slot, sess, ask); {
		case err == nil:
			ts.LoggedIn = true
			// Logged in for this scan only. Cryptoki shares the login
			// between a token's sessions, so an open Key of this process
			// would be logged out too; scans with a PIN are run by the CLI,
			// which holds no Key meanwhile.
			defer sess.Logout()
		case errors.Is(err, errAlreadyLoggedIn):
			ts.LoggedIn = true
		default:
			ts.Err = err
		}
	}
	objs, err := readObjects(sess)
	if err != nil {
		ts.Err = cryptokiError("C_FindObjects", &ti, err)
		return ts, nil
	}
	privs := map[string]keyObject{}
	for _, k := range objs.private {
		privs[string(k.id)] = k
	}
	pubs := map[string]keyObject{}
	for _, k := range objs.public {
		pubs[string(k.id)] = k
	}
	claimed := map[string]bool{}
	for _, c := range objs.certs {
		tc := Certificate{ID: c.id, Label: c.label, DER: c.der}
		tc.Cert, tc.ParseErr = cert.Parse(c.der)
		if k, ok := privs[string(c.id)]; ok && len(c.id) > 0 {
			tc.Key, tc.KeyType = KeyPrivate, k.keyType
			claimed[string(c.id)] = true
		} else if k, ok := pubs[string(c.id)]; ok && len(c.id) > 0 {
			tc.Key, tc.KeyType = KeyPublicOnly, k.keyType
			if ts.LoggedIn {
				tc.Key = KeyNone // logged in and still no private key: only the public half is here
			}
		} else if ts.LoggedIn || !ts.LoginRequired {
			tc.Key = KeyNone
		} else {
			tc.Key = KeyUnknown
		}
		ts.Certificates = append(ts.Certificates, tc)
	}
	for _, k := range objs.private {
		if !claimed[string(k.id)] {
			ts.OrphanKeys = append(ts.OrphanKeys, KeyObject{ID: k.id, Label: k.label, KeyType: k.keyType})
		}
	}
	return ts, nil
}

type certObject struct {
	id, der []byte
	label   string
}

type keyObject struct {
	handle  ObjectHandle
	id      []byte
	label   string
	keyType uint
}

type tokenObjects struct {
	certs           []certObject
	public, private []keyObject
}

func readObjects(sess Session) (*tokenObjects, error) {
	objs := &tokenObjects{}
	handles, err := sess.FindObjects([]Attribute{{AttrClass, ULong(ClassCertificate)}, {AttrCertificateType, ULong(CertificateX509)}})
	if err != nil {
		return nil, err
	}
	for _, h := range handles {
		attrs, err := sess.Attributes(h, []AttributeType{AttrID, AttrLabel, AttrValue})
		if err != nil {
			return nil, err
		}
		if len(attrs[2].Value) == 0 {
			continue
		}
		objs.certs = append(objs.certs, certObject{id: attrs[0].Value, label: string(attrs[1].Value), der: attrs[2].Value})
	}
	for _, class := range []uint{ClassPublicKey, ClassPrivateKey} {
		keys, err := findKeys(sess, class, nil)
		if err != nil {
			return nil, err
		}
		if class == ClassPublicKey {
			objs.public = keys
		} else {
			objs.private = keys
		}
	}
	return objs, nil
}

func findKeys(sess Session, class uint, id []byte) ([]keyObject, error) {
	tmpl := []Attribute{{AttrClass, ULong(class)}}
	if id != nil {
		tmpl = append(tmpl, Attribute{AttrID, id})
	}
	handles, err := sess.FindObjects(tmpl)
	if err != nil {
		return nil, err
	}
	var keys []keyObject
	for _, h := range handles {
		attrs, err := sess.Attributes(h, []AttributeType{AttrID, AttrLabel, AttrKeyType})
		if err != nil {
			return nil, err
		}
		kt, ok := ParseULong(attrs[2].Value)
		if !ok {
			kt = ^uint(0)
		}
		keys = append(keys, keyObject{handle: h, id: attrs[0].Value, label: string(attrs[1].Value), keyType: kt})
	}
	return keys, nil
}

// --- logging in ---

// errAlreadyLoggedIn says the token was logged in already (by another
// session of this process): not an error for the caller.
var errAlreadyLoggedIn = errors.New("already logged in")

// login logs the session's token in as the user, following Podpis's PIN
// rules: a locked PIN is not tried; the final try is used only if ask
// answers a request that says so; a PIN outside the token's length limits
// is refused before it can cost a try; a wrong PIN is reported with what
// the token now says about the tries left, never retried.
func login(m Module, slot SlotID, sess Session, ask PINFunc) error {
	ti, err := m.TokenInfo(slot)
	if err != nil {
		return cryptokiError("C_GetTokenInfo", nil, err)
	}
	st := PINStateOf(ti.Flags)
	if st.Locked {
		return errWith(ErrPINLocked, tokenParams(&ti, map[string]any{"SOLocked": st.SOLocked}), nil)
	}
	pin := ""
	if ti.Flags&TokenProtectedAuthPath == 0 {
		if ask == nil {
			return errWith(ErrPINRequired, tokenParams(&ti, nil), nil)
		}
		pin, err = ask(PINRequest{
			Purpose: PINLogin, Token: ti.Label, Serial: ti.Serial, State: st, FinalTry: st.FinalTry,
			MinLen: ti.MinPIN, MaxLen: ti.MaxPIN,
		})
		if err != nil {
			return err
		}
		if err := checkPINLength(pin, &ti); err != nil {
			return err
		}
	}
	err = sess.Login(pin)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, CKR_USER_ALREADY_LOGGED_IN):
		return errAlreadyLoggedIn
	}
	return pinError(m, slot, &ti, "C_Login", err)
}

func checkPINLength(pin string, ti *TokenInfo) error {
	n := uint(len(pin))
	if (ti.MinPIN > 0 && n < ti.MinPIN) || (ti.MaxPIN > 0 && ti.MaxPIN >= ti.MinPIN && n > ti.MaxPIN) {
		return errWith(ErrPINLength, tokenParams(ti, map[string]any{"Min": ti.MinPIN, "Max": ti.MaxPIN}), nil)
	}
	return nil
}

// pinError words a failed C_Login or C_SetPIN. After a wrong PIN the
// token's flags are read again: they are the only word Cryptoki has on how
// many tries are left.
func pinError(m Module, slot SlotID, ti *TokenInfo, op string, err error) error {
	var rv ReturnValue
	if !errors.As(err, &rv) {
		return cryptokiError(op, ti, err)
	}
	switch rv {
	case CKR_PIN_INCORRECT:
		st := PINState{}
		if now, err := m.TokenInfo(slot); err == nil {
			st = PINStateOf(now.Flags)
		}
		switch {
		case st.Locked:
			return errWith(ErrPINLocked, tokenParams(ti, map[string]any{"SOLocked": st.SOLocked, "JustLocked": true}), err)
		case st.FinalTry:
			return errWith(ErrPINLastTry, tokenParams(ti, nil), err)
		case st.CountLow:
			return errWith(ErrPINCountLow, tokenParams(ti, nil), err)
		}
		return errWith(ErrPINIncorrect, tokenParams(ti, nil), err)
	case CKR_PIN_LOCKED:
		return errWith(ErrPINLocked, tokenParams(ti, map[string]any{"SOLocked": false}), err)
	case CKR_PIN_EXPIRED:
		return errWith(ErrPINExpired, tokenParams(ti, nil), err)
	case CKR_PIN_LEN_RANGE:
		return errWith(ErrPINLength, tokenParams(ti, map[string]any{"Min": ti.MinPIN, "Max": ti.MaxPIN}), err)
	case CKR_PIN_INVALID:
		return errWith(ErrPINInvalid, tokenParams(ti, nil), err)
	case CKR_TOKEN_WRITE_PROTECTED, CKR_SESSION_READ_ONLY:
		return errWith(ErrWriteProtected, tokenParams(ti, nil), err)
	}
	return cryptokiError(op, ti, err)
}

// removed reports the return values that mean the token is gone (or was
// pulled and put back, which ends its sessions and its login).
func removed(err error) bool {
	var rv ReturnValue
	if !errors.As(err, &rv) {
		return false
	}
	switch rv {
	case CKR_DEVICE_REMOVED, CKR_TOKEN_NOT_PRESENT, CKR_SESSION_HANDLE_INVALID, CKR_SESSION_CLOSED,
		CKR_DEVICE_ERROR, CKR_TOKEN_NOT_RECOGNIZED, CKR_USER_NOT_LOGGED_IN:
		return true
	}
	return false
}

// cryptokiError words any other failed call: removal as ErrRemoved, the
// rest as ErrFailed naming the call and its return value.
func cryptokiError(op string, ti *TokenInfo, err error) error {
	var te *Error
	if errors.As(err, &te) {
		return err
	}
	if removed(err) {
		return errWith(ErrRemoved, tokenParams(ti, map[string]any{"Detail": err.Error()}), err)
	}
	return errWith(ErrFailed, tokenParams(ti, map[string]any{"Operation": op, "Detail": err.Error()}), err)
}

func tokenParams(ti *TokenInfo, extra map[string]any) map[string]any {
	p := map[string]any{"Token": "", "Serial": ""}
	if ti != nil {
		p["Token"], p["Serial"] = ti.Label, ti.Serial
	}
	for k, v := range extra {
		p[k] = v
	}
	return p
}

// --- finding a token ---

type foundToken struct {
	path string
	m    Module
	slot SlotID
	info TokenInfo
}

// findToken looks for the token with serial among candidates, in order.
// When none has it, the error is ErrNotFound, carrying the first load
// failure as its cause (a module that moved is the likelier story then).
func (l *Library) findToken(candidates []Candidate, serial, label string) (*foundToken, error) {
	var loadErr error
	seen := map[string]bool{}
	for _, c := range candidates {
		if seen[c.Path] {
			continue
		}
		seen[c.Path] = true
		m, err := l.module(c.Path)
		if err != nil {
			if loadErr == nil {
				loadErr = err
			}
			continue
		}
		slots, err := m.Slots(true)
		if err != nil {
			continue
		}
		for _, s := range slots {
			ti, err := m.TokenInfo(s)
			if err == nil && ti.Serial == serial {
				return &foundToken{path: c.Path, m: m, slot: s, info: ti}, nil
			}
		}
	}
	p := map[string]any{"Token": label, "Serial": serial}
	if loadErr != nil {
		p["Detail"] = loadErr.Error()
	}
	return nil, errWith(ErrNotFound, p, loadErr)
}

func (l *Library) present(ctx context.Context, candidates []Candidate, serials []string) map[string]bool {
	out := make(map[string]bool, len(serials))
	want := map[string]bool{}
	for _, s := range serials {
		out[s] = false
		want[s] = true
	}
	seen := map[string]bool{}
	for _, c := range candidates {
		if ctx.Err() != nil || seen[c.Path] {
			continue
		}
		seen[c.Path] = true
		m, err := l.module(c.Path)
		if err != nil {
			continue
		}
		slots, err := m.Slots(true)
		if err != nil {
			continue
		}
		for _, s := range slots {
			if ti, err := m.TokenInfo(s); err == nil && want[ti.Serial] {
				out[ti.Serial] = true
			}
		}
	}
	return out
}

// --- keys ---

// keyKind is what kind of key a certificate has, as the mechanisms see it.
type keyKind int

const (
	kindRSA keyKind = iota + 1
	kindECDSA
	kindGOST256
	kindGOST512
)

func publicKeyOf(c *cert.Certificate) (crypto.PublicKey, keyKind, error) {
	alg := c.PublicKeyAlgorithm
	switch {
	case alg.Equal(gost3410.OIDPublicKey2012_256), alg.Equal(gost3410.OIDPublicKey2012_512):
		pub, _, err := gost3410.ParseSPKI(c.RawSubjectPublicKeyInfo)
		if err != nil {
			return nil, 0, err
		}
		if pub.Curve.Size() == 64 {
			return pub, kindGOST512, nil
		}
		return pub, kindGOST256, nil
	case alg.Equal(gost3410.OIDPublicKey2001):
		return nil, 0, errors.New("GOST R 34.10-2001 keys may no longer sign")
	}
	xc, err := c.ToX509()
	if err != nil {
		return nil, 0, err
	}
	switch pub := xc.PublicKey.(type) {
	case *rsa.PublicKey:
		return pub, kindRSA, nil
	case *ecdsa.PublicKey:
		return pub, kindECDSA, nil
	}
	return nil, 0, fmt.Errorf("a %T key cannot sign on a token", xc.PublicKey)
}

// keyTypeOf is the CKA_KEY_TYPE a key of this kind has on a token.
func (k keyKind) keyType() uint {
	switch k {
	case kindRSA:
		return KeyRSA
	case kindECDSA:
		return KeyEC
	case kindGOST256:
		return KeyGOSTR3410
	}
	return KeyGOSTR3410512
}

// Mechanisms a key of each kind can sign with, best first: hashing on the
// token (so the whole signature is the certified device's work) when it
// offers that, else the bare signature over a hash made on the host.
var mechanismPreference = map[keyKind][]Mechanism{
	kindRSA:     {MechSHA256RSAPKCS, MechRSAPKCS},
	kindECDSA:   {MechECDSA},
	kindGOST256: {MechGOSTR3410WithGOSTR3411_12_256, MechGOSTR3410},
	kindGOST512: {MechGOSTR3410WithGOSTR3411_12_512, MechGOSTR3410512},
}

// hashesOnToken tells the mechanisms that take the message, not a digest.
func hashesOnToken(m Mechanism) bool {
	switch m {
	case MechSHA256RSAPKCS, MechSHA384RSAPKCS, MechSHA512RSAPKCS,
		MechGOSTR3410WithGOSTR3411_12_256, MechGOSTR3410WithGOSTR3411_12_512:
		return true
	}
	return false
}

// ChooseMechanism picks the signing mechanism for a key of the public
// key's type among those the token offers: for GOST
// CKM_GOSTR3410_WITH_GOSTR3411_12_256/512 when offered, else CKM_GOSTR3410
// (256) / CKM_GOSTR3410_512 over a Streebog hash made on the host; for RSA
// CKM_SHA256_RSA_PKCS, else CKM_RSA_PKCS over a DigestInfo; for ECDSA
// CKM_ECDSA over the hash. A token that lists no mechanisms at all is
// assumed to offer the host-hash ones (some modules do not implement
// C_GetMechanismList).
func ChooseMechanism(pub crypto.PublicKey, offered []Mechanism) (Mechanism, error) {
	kind, err := kindOf(pub)
	if err != nil {
		return 0, err
	}
	prefs := mechanismPreference[kind]
	if len(offered) == 0 {
		return prefs[len(prefs)-1], nil
	}
	for _, m := range prefs {
		for _, o := range offered {
			if m == o {
				return m, nil
			}
		}
	}
	return 0, errWith(ErrMechanism, map[string]any{"Key": kindName(kind)}, nil)
}

func kindOf(pub crypto.PublicKey) (keyKind, error) {
	switch p := pub.(type) {
	case *rsa.PublicKey:
		return kindRSA, nil
	case *ecdsa.PublicKey:
		return kindECDSA, nil
	case *gost3410.PublicKey:
		if p.Curve.Size() == 64 {
			return kindGOST512, nil
		}
		return kindGOST256, nil
	}
	return 0, fmt.Errorf("token: cannot sign with a %T key", pub)
}

func kindName(k keyKind) string {
	switch k {
	case kindRSA:
		return "RSA"
	case kindECDSA:
		return "ECDSA"
	case kindGOST256:
		return "ГОСТ Р 34.10-2012 (256)"
	}
	return "ГОСТ Р 34.10-2012 (512)"
}

type keyImpl struct {
	public      crypto.PublicKey
	kind        keyKind
	mech        Mechanism // preferred (for SignMessage)
	hashOnToken bool
	offered     map[Mechanism]bool
	token       TokenInfo

	mu     sync.Mutex // a session runs one operation at a time
	sess   Session
	handle ObjectHandle
	dead   error // set once the token is gone: every later call fails the same way
	closed bool
}

func (l *Library) openKey(ref Ref, c *cert.Certificate, opts KeyOptions) (*Key, error) {
	pub, kind, err := publicKeyOf(c)
	if err != nil {
		return nil, errWith(ErrMechanism, map[string]any{"Token": ref.Label, "Key": err.Error()}, err)
	}
	candidates := append([]Candidate{{Path: ref.Module, Source: SourceStore}}, opts.Fallback...)
	ft, err := l.findToken(candidates, ref.Serial, ref.Label)
	if err != nil {
		return nil, err
	}
	ti := ft.info
	offeredList, _ := ft.m.Mechanisms(ft.slot)
	mech, err := ChooseMechanism(pub, offeredList)
	if err != nil {
		var te *Error
		if errors.As(err, &te) {
			te.params = tokenParams(&ti, te.params)
		}
		return nil, err
	}
	offered := map[Mechanism]bool{}
	for _, m := range offeredList {
		offered[m] = true
	}
	if len(offeredList) == 0 {
		offered[mech] = true
	}
	sess, err := ft.m.OpenSession(ft.slot, false)
	if err != nil {
		return nil, cryptokiError("C_OpenSession", &ti, err)
	}
	handle, err := findPrivateKey(ft.m, ft.slot, sess, &ti, ref, opts.PIN)
	if err != nil {
		sess.Close()
		return nil, err
	}
	if err := checkKeyPair(sess, handle, pub, kind, ref.ID, &ti); err != nil {
		sess.Close()
		return nil, err
	}
	return &Key{impl: &keyImpl{
		public: pub, kind: kind, mech: mech, hashOnToken: hashesOnToken(mech), offered: offered,
		token: ti, sess: sess, handle: handle,
	}}, nil
}

// findPrivateKey finds the private key with ref.ID, logging in first when
// it is not visible yet. A token already logged in by this process (a
// second Key on it) shows the key at once, so the PIN is not asked again.
func findPrivateKey(m Module, slot SlotID, sess Session, ti *TokenInfo, ref Ref, ask PINFunc) (ObjectHandle, error) {
	keys, err := findKeys(sess, ClassPrivateKey, ref.ID)
	if err != nil {
		return 0, cryptokiError("C_FindObjects", ti, err)
	}
	if len(keys) == 0 {
		if err := login(m, slot, sess, ask); err != nil && !errors.Is(err, errAlreadyLoggedIn) {
			return 0, err
		}
		if keys, err = findKeys(sess, ClassPrivateKey, ref.ID); err != nil {
			return 0, cryptokiError("C_FindObjects", ti, err)
		}
	}
	if len(keys) == 0 {
		return 0, errWith(ErrKeyMissing, tokenParams(ti, map[string]any{"ID": fmt.Sprintf("%X", ref.ID)}), nil)
	}
	return keys[0].handle, nil
}

// checkKeyPair makes sure the key on the token belongs to the certificate
// before anything is signed with it: its type, and, where the token shows
// them, the RSA modulus or the public key object with the same CKA_ID.
func checkKeyPair(sess Session, handle ObjectHandle, pub crypto.PublicKey, kind keyKind, id []byte, ti *TokenInfo) error {
	mismatch := func(detail string) error {
		return errWith(ErrKeyMismatch, tokenParams(ti, map[string]any{"ID": fmt.Sprintf("%X", id), "Detail": detail}), nil)
	}
	attrs, err := sess.Attributes(handle, []AttributeType{AttrKeyType, AttrModulus})
	if err != nil {
		return cryptokiError("C_GetAttributeValue", ti, err)
	}
	if kt, ok := ParseULong(attrs[0].Value); ok && kt != kind.keyType() {
		return mismatch(fmt.Sprintf("key type 0x%X on the token, the certificate's key is %s", kt, kindName(kind)))
	}
	if rsaPub, ok := pub.(*rsa.PublicKey); ok && len(attrs[1].Value) > 0 {
		if new(big.Int).SetBytes(attrs[1].Value).Cmp(rsaPub.N) != 0 {
			return mismatch("RSA modulus differs")
		}
		return nil
	}
	pubs, err := findKeys(sess, ClassPublicKey, id)
	if err != nil || len(pubs) == 0 {
		return nil // nothing more to compare with
	}
	switch p := pub.(type) {
	case *gost3410.PublicKey:
		got, err := sess.Attributes(pubs[0].handle, []AttributeType{AttrValue})
		if err != nil || len(got[0].Value) == 0 {
			return nil
		}
		want, err := gost3410.MarshalPublicKey(p)
		if err != nil {
			return nil
		}
		if !bytes.Equal(unwrapOctetString(got[0].Value), unwrapOctetString(want)) {
			return mismatch("GOST public key differs")
		}
	case *ecdsa.PublicKey:
		got, err := sess.Attributes(pubs[0].handle, []AttributeType{AttrECPoint})
		if err != nil || len(got[0].Value) == 0 {
			return nil
		}
		want, err := p.Bytes()
		if err != nil {
			return nil
		}
		if !bytes.Equal(unwrapOctetString(got[0].Value), want) {
			return mismatch("EC point differs")
		}
	}
	return nil
}

// unwrapOctetString strips a DER OCTET STRING around v if there is one:
// tokens store CKA_EC_POINT and GOST CKA_VALUE either way.
func unwrapOctetString(v []byte) []byte {
	s := cryptobyte.String(v)
	var inner cryptobyte.String
	if s.ReadASN1(&inner, cbasn1.OCTET_STRING) && s.Empty() {
		return inner
	}
	return v
}

func (k *keyImpl) sign(data []byte, opts crypto.SignerOpts, isMessage bool) ([]byte, error) {
	mech, input, err := k.prepare(data, opts, isMessage)
	if err != nil {
		return nil, err
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.closed {
		return nil, errors.New("token: the key is closed")
	}
	if k.dead != nil {
		return nil, k.dead
	}
	sig, err := k.sess.Sign(mech, k.handle, input)
	if err != nil {
		err = cryptokiError("C_Sign", &k.token, err)
		if errors.Is(err, ErrRemoved) {
			k.dead = err
		}
		return nil, err
	}
	return k.finish(sig)
}

// prepare picks the mechanism for this call and what to hand the token.
func (k *keyImpl) prepare(data []byte, opts crypto.SignerOpts, isMessage bool) (Mechanism, []byte, error) {
	switch k.kind {
	case kindRSA, kindECDSA:
		h := crypto.Hash(0)
		if opts != nil {
			h = opts.HashFunc()
		}
		if h == 0 || !h.Available() {
			return 0, nil, fmt.Errorf("token: %s signing needs a hash, got %v", kindName(k.kind), h)
		}
		if k.kind == kindRSA && isMessage {
			if m, ok := rsaWithHash[h]; ok && k.offered[m] {
				return m, data, nil
			}
		}
		digest := data
		if isMessage {
			hh := h.New()
			hh.Write(data)
			digest = hh.Sum(nil)
		}
		if len(digest) != h.Size() {
			return 0, nil, fmt.Errorf("token: digest is %d bytes, %v makes %d", len(digest), h, h.Size())
		}
		if k.kind == kindECDSA {
			return MechECDSA, digest, nil
		}
		if !k.offered[MechRSAPKCS] {
			return 0, nil, errWith(ErrMechanism, tokenParams(&k.token, map[string]any{"Key": "RSA"}), nil)
		}
		prefix, ok := digestInfoPrefix[h]
		if !ok {
			return 0, nil, fmt.Errorf("token: no DigestInfo for %v", h)
		}
		return MechRSAPKCS, append(append([]byte{}, prefix...), digest...), nil
	}
	// GOST R 34.10-2012.
	size := 32
	withHash, bare := MechGOSTR3410WithGOSTR3411_12_256, MechGOSTR3410
	wantHash := gost3410.DigestStreebog256
	if k.kind == kindGOST512 {
		size, withHash, bare, wantHash = 64, MechGOSTR3410WithGOSTR3411_12_512, MechGOSTR3410512, gost3410.DigestStreebog512
	}
	if opts != nil && opts.HashFunc() != 0 {
		return 0, nil, fmt.Errorf("token: a GOST key signs Streebog digests, not %v", opts.HashFunc())
	}
	if o, ok := opts.(*gost3410.SignerOpts); ok && o != nil && o.Hash != 0 && o.Hash != wantHash {
		return 0, nil, fmt.Errorf("token: digest %v does not fit a %d-bit GOST key", o.Hash, size*8)
	}
	if isMessage && k.offered[withHash] {
		return withHash, data, nil
	}
	if !k.offered[bare] {
		// Only the hashing mechanism: it needs the message, which a bare
		// crypto.Signer call does not have.
		return 0, nil, errWith(ErrMechanism, tokenParams(&k.token, map[string]any{"Key": kindName(k.kind)}), nil)
	}
	digest := data
	if isMessage {
		if size == 32 {
			d := streebog.Sum256(data)
			digest = d[:]
		} else {
			d := streebog.Sum512(data)
			digest = d[:]
		}
	}
	if len(digest) != size {
		return 0, nil, fmt.Errorf("token: digest is %d bytes, a %d-bit GOST key signs %d-byte digests", len(digest), size*8, size)
	}
	return bare, digest, nil
}

// finish converts what the token returned into the form CMS carries.
func (k *keyImpl) finish(sig []byte) ([]byte, error) {
	switch k.kind {
	case kindECDSA:
		// Cryptoki returns r||s, each half the order's size; CMS wants
		// the DER SEQUENCE of two INTEGERs.
		if len(sig) == 0 || len(sig)%2 != 0 {
			return nil, fmt.Errorf("token: ECDSA signature of %d bytes", len(sig))
		}
		half := len(sig) / 2
		var b cryptobyte.Builder
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1BigInt(new(big.Int).SetBytes(sig[:half]))
			b.AddASN1BigInt(new(big.Int).SetBytes(sig[half:]))
		})
		return b.Bytes()
	case kindGOST256, kindGOST512:
		// Cryptoki's GOST signature is already s||r big-endian (PKCS#11
		// v2.40 §2.55), CMS's form: only its length is checked.
		want := 64
		if k.kind == kindGOST512 {
			want = 128
		}
		if len(sig) != want {
			return nil, fmt.Errorf("token: GOST signature of %d bytes, want %d", len(sig), want)
		}
	}
	return sig, nil
}

func (k *keyImpl) close() error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.closed {
		return nil
	}
	k.closed = true
	if k.dead != nil {
		return nil // the session went with the token
	}
	// Logging out would end the login of every Key on this token in this
	// process (Cryptoki shares it); closing the last session logs out
	// anyway, so only the session is closed.
	return k.sess.Close()
}

var rsaWithHash = map[crypto.Hash]Mechanism{
	crypto.SHA256: MechSHA256RSAPKCS,
	crypto.SHA384: MechSHA384RSAPKCS,
	crypto.SHA512: MechSHA512RSAPKCS,
}

// digestInfoPrefix is the DER of DigestInfo up to the digest (RFC 8017
// §9.2 note 1), what CKM_RSA_PKCS must be given before the hash.
var digestInfoPrefix = map[crypto.Hash][]byte{
	crypto.SHA1:   {0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a, 0x05, 0x00, 0x04, 0x14},
	crypto.SHA256: {0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20},
	crypto.SHA384: {0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02, 0x05, 0x00, 0x04, 0x30},
	crypto.SHA512: {0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03, 0x05, 0x00, 0x04, 0x40},
}

// --- changing the PIN ---

func (l *Library) changePIN(candidates []Candidate, serial string, ask PINFunc) error {
	ft, err := l.findToken(candidates, serial, "")
	if err != nil {
		return err
	}
	ti := ft.info
	st := PINStateOf(ti.Flags)
	if st.Locked {
		return errWith(ErrPINLocked, tokenParams(&ti, map[string]any{"SOLocked": st.SOLocked}), nil)
	}
	if ti.Flags&TokenWriteProtected != 0 {
		return errWith(ErrWriteProtected, tokenParams(&ti, nil), nil)
	}
	if ask == nil {
		return errWith(ErrPINRequired, tokenParams(&ti, nil), nil)
	}
	req := PINRequest{Token: ti.Label, Serial: ti.Serial, State: st, MinLen: ti.MinPIN, MaxLen: ti.MaxPIN}
	req.Purpose, req.FinalTry = PINCurrent, st.FinalTry
	current, err := ask(req)
	if err != nil {
		return err
	}
	if err := checkPINLength(current, &ti); err != nil {
		return err // it cannot be right, and trying it could cost a try
	}
	req.Purpose, req.FinalTry = PINNew, false
	next, err := ask(req)
	if err != nil {
		return err
	}
	if err := checkPINLength(next, &ti); err != nil {
		return err
	}
	sess, err := ft.m.OpenSession(ft.slot, true)
	if err != nil {
		return pinError(ft.m, ft.slot, &ti, "C_OpenSession", err)
	}
	defer sess.Close()
	if err := sess.SetPIN(current, next); err != nil {
		return pinError(ft.m, ft.slot, &ti, "C_SetPIN", err)
	}
	return nil
}
