package tokentest

import (
	"sync"

	"github.com/podpis/podpis/certstore/token"
)

// Counter counts what passes through the modules a Counting opener
// opened, and can pull their tokens out: this is how a test proves on the
// real module (SoftHSM2) that a batch logs in once, and what a batch does
// when the token goes away in the middle.
type Counter struct {
	mu        sync.Mutex
	opens     int
	sessions  int
	logins    int
	signs     int
	pullAfter int // pull after this many more successful signatures; 0: not armed
	pulled    bool
	live      map[*countingSession]struct{} // open sessions, closed by a pull
}

// Counting wraps open: every module it opens counts C_Login calls (any
// outcome) and successful C_Sign calls in the returned Counter, and obeys
// its Pull and PullAfterSigns.
func Counting(open token.Opener) (token.Opener, *Counter) {
	c := &Counter{live: map[*countingSession]struct{}{}}
	return func(path string) (token.Module, error) {
		m, err := open(path)
		if err != nil {
			return nil, err
		}
		c.mu.Lock()
		c.opens++
		c.mu.Unlock()
		return &countingModule{Module: m, counter: c}, nil
	}, c
}

// Opens returns how many modules were opened (successfully).
func (c *Counter) Opens() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.opens
}

// Sessions returns how many sessions were opened (successfully).
func (c *Counter) Sessions() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.sessions
}

// Logins returns how many times C_Login was called, whatever the outcome.
func (c *Counter) Logins() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.logins
}

// Signs returns how many C_Sign calls succeeded.
func (c *Counter) Signs() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.signs
}

// Reset sets the counts back to zero (Pull state is kept).
func (c *Counter) Reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.opens, c.sessions, c.logins, c.signs = 0, 0, 0, 0
}

// PullAfterSigns pulls the tokens out right after n more successful
// C_Sign calls (counted from now): the n-th signature is returned, then
// the tokens are gone. n ≤ 0 pulls them now.
func (c *Counter) PullAfterSigns(n int) {
	c.mu.Lock()
	if n > 0 {
		c.pullAfter = n
		c.mu.Unlock()
		return
	}
	closing := c.pullLocked()
	c.mu.Unlock()
	closeAll(closing)
}

// pullLocked marks the tokens pulled out and returns the open sessions,
// which the caller closes (without c.mu held): a token taken out of its
// reader loses its sessions and its login, and closing the real sessions
// makes the real module forget the login too. Call with c.mu held.
func (c *Counter) pullLocked() []*countingSession {
	c.pulled, c.pullAfter = true, 0
	var closing []*countingSession
	for s := range c.live {
		s.gone = true
		closing = append(closing, s)
	}
	clear(c.live)
	return closing
}

func closeAll(sessions []*countingSession) {
	for _, s := range sessions {
		_ = s.Session.Close() // the session is gone either way
	}
}

// Pull takes every token of the wrapped modules out: the open sessions
// are closed on the real module (so its login is lost, as on removal);
// Login, Sign and the other session calls fail with CKR_DEVICE_REMOVED;
// Slots(true) lists no slot; SlotInfo reports no token; TokenInfo,
// Mechanisms and OpenSession fail with CKR_TOKEN_NOT_PRESENT. The real
// token's objects are untouched.
func (c *Counter) Pull() { c.PullAfterSigns(0) }

// Insert undoes Pull (and disarms PullAfterSigns). Sessions a pull closed
// stay closed (CKR_SESSION_HANDLE_INVALID): open new ones.
func (c *Counter) Insert() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.pulled, c.pullAfter = false, 0
}

// Pulled reports whether the tokens are pulled out.
func (c *Counter) Pulled() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.pulled
}

type countingModule struct {
	token.Module
	counter *Counter
}

func (m *countingModule) Slots(tokenPresent bool) ([]token.SlotID, error) {
	if tokenPresent && m.counter.Pulled() {
		if _, err := m.Module.Slots(true); err != nil {
			return nil, err
		}
		return nil, nil
	}
	return m.Module.Slots(tokenPresent)
}

func (m *countingModule) SlotInfo(id token.SlotID) (token.SlotInfo, error) {
	info, err := m.Module.SlotInfo(id)
	if err == nil && m.counter.Pulled() {
		info.Flags &^= token.SlotTokenPresent
	}
	return info, err
}

func (m *countingModule) TokenInfo(id token.SlotID) (token.TokenInfo, error) {
	if m.counter.Pulled() {
		return token.TokenInfo{}, token.CKR_TOKEN_NOT_PRESENT
	}
	return m.Module.TokenInfo(id)
}

func (m *countingModule) Mechanisms(id token.SlotID) ([]token.Mechanism, error) {
	if m.counter.Pulled() {
		return nil, token.CKR_TOKEN_NOT_PRESENT
	}
	return m.Module.Mechanisms(id)
}

func (m *countingModule) OpenSession(id token.SlotID, readWrite bool) (token.Session, error) {
	if m.counter.Pulled() {
		return nil, token.CKR_TOKEN_NOT_PRESENT
	}
	s, err := m.Module.OpenSession(id, readWrite)
	if err != nil {
		return nil, err
	}
	cs := &countingSession{Session: s, counter: m.counter}
	m.counter.mu.Lock()
	m.counter.sessions++
	m.counter.live[cs] = struct{}{}
	m.counter.mu.Unlock()
	return cs, nil
}

type countingSession struct {
	token.Session
	counter *Counter
	gone    bool // closed by a pull; guarded by counter.mu
}

// check says whether the session may be used: not while the tokens are
// pulled out, nor after a pull closed it.
func (s *countingSession) check() error {
	c := s.counter
	c.mu.Lock()
	defer c.mu.Unlock()
	return s.checkLocked()
}

func (s *countingSession) checkLocked() error {
	switch {
	case s.counter.pulled:
		return token.CKR_DEVICE_REMOVED
	case s.gone:
		return token.CKR_SESSION_HANDLE_INVALID
	}
	return nil
}

func (s *countingSession) Login(pin string) error {
	c := s.counter
	c.mu.Lock()
	c.logins++
	err := s.checkLocked()
	c.mu.Unlock()
	if err != nil {
		return err
	}
	return s.Session.Login(pin)
}

func (s *countingSession) Logout() error {
	if err := s.check(); err != nil {
		return err
	}
	return s.Session.Logout()
}

func (s *countingSession) FindObjects(template []token.Attribute) ([]token.ObjectHandle, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	return s.Session.FindObjects(template)
}

func (s *countingSession) Attributes(h token.ObjectHandle, types []token.AttributeType) ([]token.Attribute, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	return s.Session.Attributes(h, types)
}

func (s *countingSession) Sign(m token.Mechanism, h token.ObjectHandle, data []byte) ([]byte, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	sig, err := s.Session.Sign(m, h, data)
	if err != nil {
		return nil, err
	}
	c := s.counter
	c.mu.Lock()
	c.signs++
	var closing []*countingSession
	if c.pullAfter > 0 {
		c.pullAfter--
		if c.pullAfter == 0 {
			closing = c.pullLocked()
		}
	}
	c.mu.Unlock()
	closeAll(closing)
	return sig, nil
}

func (s *countingSession) SetPIN(oldPIN, newPIN string) error {
	if err := s.check(); err != nil {
		return err
	}
	return s.Session.SetPIN(oldPIN, newPIN)
}

// Close closes the real session, unless a pull already did.
func (s *countingSession) Close() error {
	c := s.counter
	c.mu.Lock()
	gone := s.gone
	s.gone = true
	delete(c.live, s)
	c.mu.Unlock()
	if gone {
		return nil
	}
	return s.Session.Close()
}
