//go:build cgo && (unix || windows)

package token

import (
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"strings"
	"sync"

	"github.com/miekg/pkcs11"
)

// This file is the real Module and Session over github.com/miekg/pkcs11,
// the only file that imports it. What the wrapper leaves to its caller is
// done here:
//
//   - pkcs11.New returns nil without a reason, so openModule first checks
//     the file (checkFile) and loads it once on its own (probeLibrary) to
//     say why it cannot be used; every failure is a *LoadError.
//   - every pkcs11.Error becomes a ReturnValue, so errors.Is(err,
//     CKR_PIN_INCORRECT) works the same as with the test double.
//   - a pkcs11.Ctx has no lock: calls into the module share a read lock
//     (C_Initialize was asked for CKF_OS_LOCKING_OK, so the module locks
//     for itself) and Close takes it exclusively, so nothing calls into a
//     library being unloaded. A module that cannot lock (CKR_CANT_LOCK) is
//     initialised without threads and every call takes the lock
//     exclusively. Each session serialises its own operations, so
//     C_FindObjectsInit/C_FindObjects/C_FindObjectsFinal stay together.
//
// Loading the same module twice in one process: dlopen hands back the
// loaded copy and its C_Initialize answers CKR_CRYPTOKI_ALREADY_INITIALIZED.
// That is accepted and the second Module does not call C_Finalize on
// Close (the first one does); Library keeps one Module per path anyway.
// After Close (C_Finalize, then dlclose) the same path can be opened
// again in the same process: SoftHSM2 starts afresh, as the tests check.
// On Windows miekg's Destroy does not call FreeLibrary, so the DLL stays
// loaded after Close and the next open initialises it again.

// findBatch is how many handles one C_FindObjects call asks for.
const findBatch = 64

// maxFoundObjects stops a search a module never ends (some return the same
// handles again instead of none): no token holds that many objects.
const maxFoundObjects = 1 << 16

// p11Module is a loaded and initialised module.
type p11Module struct {
	path string
	// mu is held shared by each call into the module and exclusively by
	// Close (by every call when serial).
	mu     sync.RWMutex
	ctx    *pkcs11.Ctx // nil once closed
	owner  bool        // this Module's C_Initialize succeeded, so Close calls C_Finalize
	serial bool        // the module cannot lock for itself (CKR_CANT_LOCK)
}

func openModule(path string) (Module, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, &LoadError{Path: path, Reason: LoadFailed, Detail: err.Error(), Err: err}
	}
	// The file checked is the file loaded: a bare name would otherwise
	// send dlopen searching the system's library path.
	if le := checkFile(abs, runtime.GOOS, runtime.GOARCH); le != nil {
		le.Path = path
		return nil, le
	}
	if le := probeLibrary(abs); le != nil {
		le.Path = path
		return nil, le
	}
	ctx := pkcs11.New(abs)
	if ctx == nil {
		// The probe loaded it a moment ago: the file changed in between.
		return nil, &LoadError{Path: path, Reason: LoadFailed, Detail: "the library could not be loaded a second time"}
	}
	m := &p11Module{path: path, ctx: ctx, owner: true}
	err = returnValue(ctx.Initialize())
	switch {
	case err == nil:
	case errors.Is(err, CKR_CRYPTOKI_ALREADY_INITIALIZED):
		m.owner = false
	case errors.Is(err, ckrCantLock):
		// Flags 0 without mutex functions promise Cryptoki that calls
		// come one at a time: serial keeps that promise.
		if err = returnValue(ctx.Initialize(pkcs11.InitializeWithFlags(0))); err != nil {
			ctx.Destroy()
			return nil, initFailed(path, err)
		}
		m.serial = true
	default:
		ctx.Destroy()
		return nil, initFailed(path, err)
	}
	return m, nil
}

func initFailed(path string, err error) *LoadError {
	return &LoadError{Path: path, Reason: LoadInitFailed, Detail: ckrText(err), Err: err}
}

// ckrCantLock is CKR_CANT_LOCK: C_Initialize cannot honour
// CKF_OS_LOCKING_OK.
const ckrCantLock ReturnValue = 0x00A

// returnValue converts the wrapper's errors to ReturnValue.
func returnValue(err error) error {
	var pe pkcs11.Error
	if errors.As(err, &pe) {
		return ReturnValue(pe)
	}
	return err
}

// ckrText names a Cryptoki error for a LoadError's detail: ReturnValue's
// own text, or the wrapper's name for the codes ReturnValue does not list
// (CKR_CANT_LOCK, CKR_NEED_TO_CREATE_THREADS...).
func ckrText(err error) string {
	var r ReturnValue
	if !errors.As(err, &r) {
		return err.Error()
	}
	if _, ok := returnValueNames[r]; ok {
		return r.Error()
	}
	// pkcs11.Error's text is "pkcs11: 0x9: CKR_NEED_TO_CREATE_THREADS".
	text := pkcs11.Error(r).Error()
	if i := strings.LastIndex(text, ": "); i >= 0 && strings.HasPrefix(text[i+2:], "CKR_") {
		return fmt.Sprintf("%s (0x%X)", text[i+2:], uint(r))
	}
	return r.Error()
}

// enter takes the lock for one call and returns the context, or
// CKR_CRYPTOKI_NOT_INITIALIZED once the module is closed.
func (m *p11Module) enter() (*pkcs11.Ctx, func(), error) {
	release := m.mu.RUnlock
	if m.serial {
		m.mu.Lock()
		release = m.mu.Unlock
	} else {
		m.mu.RLock()
	}
	if m.ctx == nil {
		release()
		return nil, nil, CKR_CRYPTOKI_NOT_INITIALIZED
	}
	return m.ctx, release, nil
}

// trimText drops the blank padding of Cryptoki's fixed-width strings (and
// the NULs some modules pad with instead).
func trimText(s string) string { return strings.TrimRight(s, " \x00") }

func (m *p11Module) Info() (ModuleInfo, error) {
	ctx, done, err := m.enter()
	if err != nil {
		return ModuleInfo{}, err
	}
	defer done()
	info, err := ctx.GetInfo()
	if err != nil {
		return ModuleInfo{}, returnValue(err)
	}
	return ModuleInfo{
		Manufacturer:    trimText(info.ManufacturerID),
		Description:     trimText(info.LibraryDescription),
		CryptokiVersion: fmt.Sprintf("%d.%d", info.CryptokiVersion.Major, info.CryptokiVersion.Minor),
		LibraryVersion:  fmt.Sprintf("%d.%d", info.LibraryVersion.Major, info.LibraryVersion.Minor),
	}, nil
}

func (m *p11Module) Slots(tokenPresent bool) ([]SlotID, error) {
	ctx, done, err := m.enter()
	if err != nil {
		return nil, err
	}
	defer done()
	ids, err := ctx.GetSlotList(tokenPresent)
	if err != nil {
		return nil, returnValue(err)
	}
	slots := make([]SlotID, len(ids))
	for i, id := range ids {
		slots[i] = SlotID(id)
	}
	return slots, nil
}

func (m *p11Module) SlotInfo(slot SlotID) (SlotInfo, error) {
	ctx, done, err := m.enter()
	if err != nil {
		return SlotInfo{}, err
	}
	defer done()
	info, err := ctx.GetSlotInfo(uint(slot))
	if err != nil {
		return SlotInfo{}, returnValue(err)
	}
	return SlotInfo{
		Description:  trimText(info.SlotDescription),
		Manufacturer: trimText(info.ManufacturerID),
		Flags:        info.Flags,
	}, nil
}

func (m *p11Module) TokenInfo(slot SlotID) (TokenInfo, error) {
	ctx, done, err := m.enter()
	if err != nil {
		return TokenInfo{}, err
	}
	defer done()
	info, err := ctx.GetTokenInfo(uint(slot))
	if err != nil {
		return TokenInfo{}, returnValue(err)
	}
	return TokenInfo{
		Label:        trimText(info.Label),
		Manufacturer: trimText(info.ManufacturerID),
		Model:        trimText(info.Model),
		Serial:       trimText(info.SerialNumber),
		Flags:        info.Flags,
		MinPIN:       info.MinPinLen,
		MaxPIN:       info.MaxPinLen,
	}, nil
}

func (m *p11Module) Mechanisms(slot SlotID) ([]Mechanism, error) {
	ctx, done, err := m.enter()
	if err != nil {
		return nil, err
	}
	defer done()
	list, err := ctx.GetMechanismList(uint(slot))
	if err != nil {
		return nil, returnValue(err)
	}
	mechs := make([]Mechanism, len(list))
	for i, mech := range list {
		mechs[i] = Mechanism(mech.Mechanism)
	}
	return mechs, nil
}

func (m *p11Module) OpenSession(slot SlotID, readWrite bool) (Session, error) {
	ctx, done, err := m.enter()
	if err != nil {
		return nil, err
	}
	defer done()
	flags := uint(pkcs11.CKF_SERIAL_SESSION)
	if readWrite {
		flags |= pkcs11.CKF_RW_SESSION
	}
	h, err := ctx.OpenSession(uint(slot), flags)
	if err != nil {
		return nil, returnValue(err)
	}
	return &p11Session{m: m, h: h}, nil
}

// Close calls C_Finalize (when this Module initialised the library) and
// unloads the library. When C_Finalize fails the library stays loaded:
// threads it started may still run in its code. Calls after Close return
// CKR_CRYPTOKI_NOT_INITIALIZED.
func (m *p11Module) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.ctx == nil {
		return nil
	}
	ctx := m.ctx
	m.ctx = nil
	if m.owner {
		if err := returnValue(ctx.Finalize()); err != nil {
			return err
		}
	}
	ctx.Destroy()
	return nil
}

// p11Session is one session of a p11Module.
type p11Session struct {
	m *p11Module
	h pkcs11.SessionHandle
	// mu runs one operation at a time, as Cryptoki sessions want.
	mu     sync.Mutex
	closed bool
}

// enter takes the session's lock, then the module's.
func (s *p11Session) enter() (*pkcs11.Ctx, func(), error) {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil, nil, CKR_SESSION_CLOSED
	}
	ctx, done, err := s.m.enter()
	if err != nil {
		s.mu.Unlock()
		return nil, nil, err
	}
	return ctx, func() { done(); s.mu.Unlock() }, nil
}

// Login logs in as CKU_USER. The wrapper passes NULL with length 0 for an
// empty pin (miekg/pkcs11 Login: "if (pinLen == 0) pin = NULL"), which
// is what a token with a protected authentication path wants: the PIN is
// typed on its pad. On a token without one an empty pin is refused by
// the module (SoftHSM2 answers CKR_ARGUMENTS_BAD), so callers send "" only
// when TokenProtectedAuthPath is set.
func (s *p11Session) Login(pin string) error {
	ctx, done, err := s.enter()
	if err != nil {
		return err
	}
	defer done()
	return returnValue(ctx.Login(s.h, pkcs11.CKU_USER, pin))
}

func (s *p11Session) Logout() error {
	ctx, done, err := s.enter()
	if err != nil {
		return err
	}
	defer done()
	return returnValue(ctx.Logout(s.h))
}

// FindObjects runs one whole search. C_FindObjectsFinal is called even
// when C_FindObjects fails, so the session can search again.
func (s *p11Session) FindObjects(template []Attribute) ([]ObjectHandle, error) {
	ctx, done, err := s.enter()
	if err != nil {
		return nil, err
	}
	defer done()
	if err := ctx.FindObjectsInit(s.h, toAttributes(template)); err != nil {
		return nil, returnValue(err)
	}
	var found []ObjectHandle
	var findErr error
	for {
		batch, _, err := ctx.FindObjects(s.h, findBatch)
		if err != nil {
			findErr = returnValue(err)
			break
		}
		if len(batch) == 0 {
			break
		}
		for _, h := range batch {
			found = append(found, ObjectHandle(h))
		}
		if len(found) > maxFoundObjects {
			findErr = fmt.Errorf("C_FindObjects returned more than %d objects: %w", maxFoundObjects, CKR_GENERAL_ERROR)
			break
		}
	}
	finalErr := returnValue(ctx.FindObjectsFinal(s.h))
	if findErr != nil {
		return nil, findErr
	}
	if finalErr != nil {
		return nil, finalErr
	}
	return found, nil
}

func toAttributes(template []Attribute) []*pkcs11.Attribute {
	attrs := make([]*pkcs11.Attribute, len(template))
	for i, a := range template {
		attrs[i] = &pkcs11.Attribute{Type: uint(a.Type), Value: a.Value}
	}
	return attrs
}

// ckrAttributeSensitive is CKR_ATTRIBUTE_SENSITIVE: the attribute exists
// but may not be read (a private key's value).
const ckrAttributeSensitive ReturnValue = 0x011

// attributeAbsent tells the errors that concern one attribute of the
// template rather than the call.
func attributeAbsent(err error) bool {
	return errors.Is(err, CKR_ATTRIBUTE_TYPE_INVALID) || errors.Is(err, ckrAttributeSensitive)
}

// Attributes reads the attributes in one call; when the object lacks one
// of them (or hides it), Cryptoki fails the whole call, so they are read
// again one at a time and the missing ones come back with a nil Value.
func (s *p11Session) Attributes(obj ObjectHandle, types []AttributeType) ([]Attribute, error) {
	out := make([]Attribute, len(types))
	for i, t := range types {
		out[i].Type = t
	}
	if len(types) == 0 {
		return out, nil
	}
	ctx, done, err := s.enter()
	if err != nil {
		return nil, err
	}
	defer done()
	template := make([]*pkcs11.Attribute, len(types))
	for i, t := range types {
		template[i] = &pkcs11.Attribute{Type: uint(t)}
	}
	got, err := ctx.GetAttributeValue(s.h, pkcs11.ObjectHandle(obj), template)
	err = returnValue(err)
	if err == nil {
		for i := range out {
			out[i].Value = got[i].Value
		}
		return out, nil
	}
	if !attributeAbsent(err) {
		return nil, err
	}
	for i, t := range types {
		got, err := ctx.GetAttributeValue(s.h, pkcs11.ObjectHandle(obj), []*pkcs11.Attribute{{Type: uint(t)}})
		err = returnValue(err)
		switch {
		case err == nil:
			out[i].Value = got[0].Value
		case attributeAbsent(err):
		default:
			return nil, err
		}
	}
	return out, nil
}

func (s *p11Session) Sign(m Mechanism, key ObjectHandle, data []byte) ([]byte, error) {
	ctx, done, err := s.enter()
	if err != nil {
		return nil, err
	}
	defer done()
	if err := ctx.SignInit(s.h, []*pkcs11.Mechanism{pkcs11.NewMechanism(uint(m), nil)}, pkcs11.ObjectHandle(key)); err != nil {
		return nil, returnValue(err)
	}
	sig, err := ctx.Sign(s.h, data)
	if err != nil {
		return nil, returnValue(err)
	}
	return sig, nil
}

// SetPIN is C_SetPIN. Unlike Login, the wrapper passes an empty PIN as a
// zero-length string, not NULL.
func (s *p11Session) SetPIN(oldPIN, newPIN string) error {
	ctx, done, err := s.enter()
	if err != nil {
		return err
	}
	defer done()
	return returnValue(ctx.SetPIN(s.h, oldPIN, newPIN))
}

// Close closes the session. After the module's Close the session is gone
// already (C_Finalize ends them all), and Close only marks it so.
func (s *p11Session) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	ctx, done, err := s.m.enter()
	if err != nil {
		return nil
	}
	defer done()
	return returnValue(ctx.CloseSession(s.h))
}
