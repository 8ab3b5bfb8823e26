// Package tokentest is an in-memory double of token.Module and
// token.Session: tokens with keys, certificates, a user PIN with a retry
// counter, and signing that follows the PKCS#11 mechanisms Podpis uses —
// GOST R 34.10-2012 included (with internal/gost), which no soft token
// offers. It also wraps any module (the real SoftHSM2 one too) to count
// C_Login and C_Sign and to pull the token out in the middle of a batch.
//
// The double follows Cryptoki where the core's behaviour depends on it:
//   - private objects (CKA_PRIVATE) are invisible until the user logs in;
//   - the login state belongs to the token, shared by all its sessions,
//     and is lost when its last session closes, on C_Finalize and when
//     the token is pulled out;
//   - a wrong PIN counts against MaxTries and raises
//     CKF_USER_PIN_COUNT_LOW, then CKF_USER_PIN_FINAL_TRY, then
//     CKF_USER_PIN_LOCKED; the right PIN resets the count;
//   - every failure is a token.ReturnValue (CKR_*), as from the real module.
//
// Everything is safe for concurrent use.
package tokentest

import (
	"crypto/rand"
	"fmt"
	"io"
	"slices"
	"sync"

	"github.com/podpis/podpis/certstore/token"
)

// Token is one token (or smart card). Set the exported fields, add keys
// with AddKey, then give it to NewModule; the fields are read once, the
// first time the token is used (AddKey or NewModule), and not after.
type Token struct {
	Label        string
	Serial       string
	Model        string // "" is "Podpis Test Token"
	Manufacturer string // "" is "Podpis tokentest"

	PIN   string // the user PIN
	SOPIN string // kept for completeness: the double has no SO login

	// MaxTries is how many wrong PINs in a row lock the PIN; 0 is 3.
	MaxTries int
	// MinPIN and MaxPIN are the PIN length limits; 0 is 4 and 32.
	MinPIN, MaxPIN uint

	// Mechanisms the token offers. nil offers the usual ones for the
	// keys on it: RSA keys CKM_RSA_PKCS and CKM_SHA256/384/512_RSA_PKCS;
	// EC keys CKM_ECDSA; 256-bit GOST keys CKM_GOSTR3410 and
	// CKM_GOSTR3410_WITH_GOSTR3411_12_256; 512-bit GOST keys
	// CKM_GOSTR3410_512 and CKM_GOSTR3410_WITH_GOSTR3411_12_512. An empty
	// non-nil slice offers none.
	Mechanisms []token.Mechanism

	// Flags are added to the token's flags (CKF_RNG, CKF_LOGIN_REQUIRED,
	// CKF_USER_PIN_INITIALIZED, CKF_TOKEN_INITIALIZED are always set).
	// The user PIN flags set the starting state of the retry counter:
	// token.TokenUserPINCountLow is one wrong PIN already entered,
	// TokenUserPINFinalTry is MaxTries-1, TokenUserPINLocked is locked;
	// TokenUserPINToBeChanged stays until the PIN is changed.
	Flags uint

	// PINPad gives the token a protected authentication path
	// (CKF_PROTECTED_AUTHENTICATION_PATH): Login("") stands for the PIN
	// typed on the device, which is PadPIN, or the right PIN when PadPIN
	// is "".
	PINPad bool
	PadPIN string

	once  sync.Once
	mu    sync.Mutex
	state tokenState
}

// tokenState is what changes while the token is used; Token.mu guards it.
type tokenState struct {
	pin         string
	failures    int // wrong PINs since the last right one
	maxTries    int
	minPIN      uint
	maxPIN      uint
	flags       uint // static flags, without the user PIN counter flags
	toBeChanged bool
	loggedIn    bool
	present     bool
	generation  int // bumped when the token is pulled out: sessions of an older generation are gone
	sessions    int // open sessions of the current generation
	objects     []*object
	nextHandle  token.ObjectHandle
	logins      int
	signs       int
	pullAfter   int // pull the token out after this many more successful signatures; 0: never
	module      *Module
}

const (
	defaultMaxTries = 3
	defaultMinPIN   = 4
	defaultMaxPIN   = 32
	baseFlags       = token.TokenRNG | token.TokenLoginRequired | token.TokenUserPINInitialized | token.TokenInitialized
	userPINFlags    = token.TokenUserPINCountLow | token.TokenUserPINFinalTry | token.TokenUserPINLocked | token.TokenUserPINToBeChanged
)

// init reads the exported fields into the state, once.
func (t *Token) init() {
	t.once.Do(func() {
		s := &t.state
		s.pin = t.PIN
		s.maxTries = t.MaxTries
		if s.maxTries <= 0 {
			s.maxTries = defaultMaxTries
		}
		s.minPIN, s.maxPIN = t.MinPIN, t.MaxPIN
		if s.minPIN == 0 {
			s.minPIN = defaultMinPIN
		}
		if s.maxPIN == 0 {
			s.maxPIN = defaultMaxPIN
		}
		s.flags = baseFlags | t.Flags&^userPINFlags
		if t.PINPad {
			s.flags |= token.TokenProtectedAuthPath
		}
		switch {
		case t.Flags&token.TokenUserPINLocked != 0:
			s.failures = s.maxTries
		case t.Flags&token.TokenUserPINFinalTry != 0:
			s.failures = s.maxTries - 1
		case t.Flags&token.TokenUserPINCountLow != 0:
			s.failures = 1
		}
		s.toBeChanged = t.Flags&token.TokenUserPINToBeChanged != 0
		s.present = true
		s.nextHandle = 1
	})
}

// flagsLocked returns the token's CK_TOKEN_INFO flags. Call with t.mu held.
func (t *Token) flagsLocked() uint {
	s := &t.state
	f := s.flags
	switch remaining := s.maxTries - s.failures; {
	case remaining <= 0:
		f |= token.TokenUserPINLocked
	default:
		if s.failures > 0 {
			f |= token.TokenUserPINCountLow
		}
		if remaining == 1 {
			f |= token.TokenUserPINFinalTry
		}
	}
	if s.toBeChanged {
		f |= token.TokenUserPINToBeChanged
	}
	return f
}

// CurrentFlags returns the token's flags as C_GetTokenInfo reports them
// now (the PIN counter flags included).
func (t *Token) CurrentFlags() uint {
	t.init()
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.flagsLocked()
}

// CurrentPIN returns the user PIN now (after SetPIN, the new one).
func (t *Token) CurrentPIN() string {
	t.init()
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.state.pin
}

// LoggedIn reports whether the user is logged in to the token.
func (t *Token) LoggedIn() bool {
	t.init()
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.state.loggedIn
}

// Present reports whether the token is plugged in.
func (t *Token) Present() bool {
	t.init()
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.state.present
}

// Logins returns how many times C_Login was called on the token, whatever
// the outcome.
func (t *Token) Logins() int {
	t.init()
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.state.logins
}

// Signs returns how many C_Sign calls on the token succeeded.
func (t *Token) Signs() int {
	t.init()
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.state.signs
}

// OpenSessions returns how many sessions with the token are open.
func (t *Token) OpenSessions() int {
	t.init()
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.state.sessions
}

// mechanismsLocked returns what the token offers. Call with t.mu held.
func (t *Token) mechanismsLocked() []token.Mechanism {
	if t.Mechanisms != nil {
		return slices.Clone(t.Mechanisms)
	}
	var rsaKey, ecKey, gost256, gost512 bool
	for _, o := range t.state.objects {
		if o.class != token.ClassPrivateKey {
			continue
		}
		switch o.keyType {
		case token.KeyRSA:
			rsaKey = true
		case token.KeyEC:
			ecKey = true
		case token.KeyGOSTR3410:
			gost256 = true
		case token.KeyGOSTR3410512:
			gost512 = true
		}
	}
	var ms []token.Mechanism
	if rsaKey {
		ms = append(ms, token.MechRSAPKCS, token.MechSHA256RSAPKCS, token.MechSHA384RSAPKCS, token.MechSHA512RSAPKCS)
	}
	if ecKey {
		ms = append(ms, token.MechECDSA)
	}
	if gost256 {
		ms = append(ms, token.MechGOSTR3410, token.MechGOSTR3410WithGOSTR3411_12_256)
	}
	if gost512 {
		ms = append(ms, token.MechGOSTR3410512, token.MechGOSTR3410WithGOSTR3411_12_512)
	}
	return ms
}

// pullLocked takes the token out: the login is lost and every open
// session is gone. Call with t.mu held.
func (t *Token) pullLocked() {
	s := &t.state
	if !s.present {
		return
	}
	s.present = false
	s.loggedIn = false
	s.sessions = 0
	s.generation++
	s.pullAfter = 0
}

// slot is one reader of the module: a token in it, or none.
type slot struct {
	id    token.SlotID
	token *Token // nil for an empty reader
}

// Module is the double of one PKCS#11 library: a slot per token, plus
// empty ones. It implements token.Module; Close is C_Finalize, and the
// module can be opened again through Opener (as a Library's Reload does).
type Module struct {
	info token.ModuleInfo // what C_GetInfo answers

	mu          sync.Mutex
	slots       []*slot
	initialized bool
	generation  int // bumped by Close: sessions of an older generation are gone
	opens       int
	closes      int
	rand        io.Reader
}

// NewModule returns a module with one slot per token, in order; slot IDs
// are 1, 2, 3... (never the index, so a mix-up shows). It is initialised:
// usable at once, and its Opener returns it.
func NewModule(tokens ...*Token) *Module {
	m := &Module{
		info: token.ModuleInfo{
			Manufacturer:    "Podpis tokentest",
			Description:     "In-memory PKCS#11 double",
			CryptokiVersion: "2.40",
			LibraryVersion:  "1.0",
		},
		initialized: true,
		rand:        rand.Reader,
	}
	for _, t := range tokens {
		t.init()
		t.mu.Lock()
		if t.state.module != nil && t.state.module != m {
			t.mu.Unlock()
			panic(fmt.Sprintf("tokentest: token %q is already in another module", t.Serial))
		}
		t.state.module = m
		t.mu.Unlock()
		m.slots = append(m.slots, &slot{id: token.SlotID(len(m.slots) + 1), token: t})
	}
	return m
}

// AddEmptySlot adds a reader with no token in it and returns its ID.
func (m *Module) AddEmptySlot() token.SlotID {
	m.mu.Lock()
	defer m.mu.Unlock()
	id := token.SlotID(len(m.slots) + 1)
	m.slots = append(m.slots, &slot{id: id})
	return id
}

// SlotOf returns the slot of the token with serial; it panics when the
// module has no such token (a mistake in the test).
func (m *Module) SlotOf(serial string) token.SlotID {
	return m.slotOf(serial).id
}

// Token returns the token with serial, or nil.
func (m *Module) Token(serial string) *Token {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, s := range m.slots {
		if s.token != nil && s.token.Serial == serial {
			return s.token
		}
	}
	return nil
}

func (m *Module) slotOf(serial string) *slot {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, s := range m.slots {
		if s.token != nil && s.token.Serial == serial {
			return s
		}
	}
	panic(fmt.Sprintf("tokentest: no token with serial %q in the module", serial))
}

// Pull takes the token with serial out of its reader: the slot reports no
// token, Slots(true) omits it, the login is lost, and calls on its open
// sessions fail with CKR_DEVICE_REMOVED.
func (m *Module) Pull(serial string) {
	t := m.slotOf(serial).token
	t.mu.Lock()
	defer t.mu.Unlock()
	t.pullLocked()
}

// PullAfterSigns pulls the token with serial out right after n more
// successful C_Sign calls on it (counted from now): the n-th signature is
// returned, the next call fails with CKR_DEVICE_REMOVED.
func (m *Module) PullAfterSigns(serial string, n int) {
	t := m.slotOf(serial).token
	t.mu.Lock()
	defer t.mu.Unlock()
	if n <= 0 {
		t.pullLocked()
		return
	}
	t.state.pullAfter = n
}

// Insert puts the token with serial back. Sessions opened before it was
// pulled stay gone (CKR_SESSION_HANDLE_INVALID); open new ones.
func (m *Module) Insert(serial string) {
	t := m.slotOf(serial).token
	t.mu.Lock()
	defer t.mu.Unlock()
	t.state.present = true
}

// Logins returns the C_Login calls on all the module's tokens.
func (m *Module) Logins() int {
	n := 0
	for _, t := range m.tokens() {
		n += t.Logins()
	}
	return n
}

// Signs returns the successful C_Sign calls on all the module's tokens.
func (m *Module) Signs() int {
	n := 0
	for _, t := range m.tokens() {
		n += t.Signs()
	}
	return n
}

// Opens returns how many times the module was initialised through its
// Opener (or Paths); Closes how many times it was finalised.
func (m *Module) Opens() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.opens
}

// Closes returns how many times Close (C_Finalize) was called.
func (m *Module) Closes() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.closes
}

func (m *Module) tokens() []*Token {
	m.mu.Lock()
	defer m.mu.Unlock()
	var ts []*Token
	for _, s := range m.slots {
		if s.token != nil {
			ts = append(ts, s.token)
		}
	}
	return ts
}

// open initialises the module again after a Close. Opening a module that
// is already initialised returns it as it is (a Library opens each path
// once; two paths naming the same module share it, as dlopen would).
func (m *Module) open() *Module {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.opens++
	m.initialized = true
	return m
}

// Opener returns an Opener that gives this module for any path.
func (m *Module) Opener() token.Opener {
	return func(path string) (token.Module, error) { return m.open(), nil }
}

// Paths returns an Opener that gives the module registered for the path,
// and a *token.LoadError (token.LoadMissing) for any other path.
func Paths(modules map[string]*Module) token.Opener {
	byPath := make(map[string]*Module, len(modules))
	for p, m := range modules {
		byPath[p] = m
	}
	return func(path string) (token.Module, error) {
		m, ok := byPath[path]
		if !ok {
			return nil, &token.LoadError{Path: path, Reason: token.LoadMissing, Detail: "no such file (tokentest.Paths)"}
		}
		return m.open(), nil
	}
}

// Info is C_GetInfo.
func (m *Module) Info() (token.ModuleInfo, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.initialized {
		return token.ModuleInfo{}, token.CKR_CRYPTOKI_NOT_INITIALIZED
	}
	return m.info, nil
}

// Slots is C_GetSlotList.
func (m *Module) Slots(tokenPresent bool) ([]token.SlotID, error) {
	m.mu.Lock()
	if !m.initialized {
		m.mu.Unlock()
		return nil, token.CKR_CRYPTOKI_NOT_INITIALIZED
	}
	slots := slices.Clone(m.slots)
	m.mu.Unlock()
	var ids []token.SlotID
	for _, s := range slots {
		if tokenPresent && (s.token == nil || !s.token.Present()) {
			continue
		}
		ids = append(ids, s.id)
	}
	return ids, nil
}

// lookup finds a slot of the initialised module.
func (m *Module) lookup(id token.SlotID) (*slot, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.initialized {
		return nil, token.CKR_CRYPTOKI_NOT_INITIALIZED
	}
	for _, s := range m.slots {
		if s.id == id {
			return s, nil
		}
	}
	return nil, ckrSlotIDInvalid
}

// ckrSlotIDInvalid is CKR_SLOT_ID_INVALID, which package token does not
// name.
const ckrSlotIDInvalid token.ReturnValue = 0x003

// SlotInfo is C_GetSlotInfo.
func (m *Module) SlotInfo(id token.SlotID) (token.SlotInfo, error) {
	s, err := m.lookup(id)
	if err != nil {
		return token.SlotInfo{}, err
	}
	info := token.SlotInfo{
		Description:  fmt.Sprintf("Podpis tokentest reader %d", id),
		Manufacturer: "Podpis tokentest",
		Flags:        token.SlotRemovable | token.SlotHardware,
	}
	if s.token != nil && s.token.Present() {
		info.Flags |= token.SlotTokenPresent
	}
	return info, nil
}

// presentToken returns the token in the slot, or CKR_TOKEN_NOT_PRESENT.
func (m *Module) presentToken(id token.SlotID) (*Token, error) {
	s, err := m.lookup(id)
	if err != nil {
		return nil, err
	}
	if s.token == nil || !s.token.Present() {
		return nil, token.CKR_TOKEN_NOT_PRESENT
	}
	return s.token, nil
}

// TokenInfo is C_GetTokenInfo.
func (m *Module) TokenInfo(id token.SlotID) (token.TokenInfo, error) {
	t, err := m.presentToken(id)
	if err != nil {
		return token.TokenInfo{}, err
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	info := token.TokenInfo{
		Label:        t.Label,
		Manufacturer: t.Manufacturer,
		Model:        t.Model,
		Serial:       t.Serial,
		Flags:        t.flagsLocked(),
		MinPIN:       t.state.minPIN,
		MaxPIN:       t.state.maxPIN,
	}
	if info.Manufacturer == "" {
		info.Manufacturer = "Podpis tokentest"
	}
	if info.Model == "" {
		info.Model = "Podpis Test Token"
	}
	return info, nil
}

// Mechanisms is C_GetMechanismList.
func (m *Module) Mechanisms(id token.SlotID) ([]token.Mechanism, error) {
	t, err := m.presentToken(id)
	if err != nil {
		return nil, err
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.mechanismsLocked(), nil
}

// OpenSession is C_OpenSession.
func (m *Module) OpenSession(id token.SlotID, readWrite bool) (token.Session, error) {
	t, err := m.presentToken(id)
	if err != nil {
		return nil, err
	}
	m.mu.Lock()
	moduleGen := m.generation
	m.mu.Unlock()
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.state.present {
		return nil, token.CKR_TOKEN_NOT_PRESENT
	}
	t.state.sessions++
	return &Session{module: m, token: t, readWrite: readWrite, moduleGen: moduleGen, tokenGen: t.state.generation}, nil
}

// Close is C_Finalize: every session is closed and every login lost.
// Calls fail with CKR_CRYPTOKI_NOT_INITIALIZED until the module is opened
// again.
func (m *Module) Close() error {
	m.mu.Lock()
	if !m.initialized {
		m.mu.Unlock()
		return token.CKR_CRYPTOKI_NOT_INITIALIZED
	}
	m.initialized = false
	m.generation++
	m.closes++
	slots := slices.Clone(m.slots)
	m.mu.Unlock()
	for _, s := range slots {
		if s.token == nil {
			continue
		}
		s.token.mu.Lock()
		s.token.state.sessions = 0
		s.token.state.loggedIn = false
		s.token.mu.Unlock()
	}
	return nil
}

var _ token.Module = (*Module)(nil)
