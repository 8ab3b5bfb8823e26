// Package token finds PKCS#11 modules and the tokens and smart cards they
// serve, reads the certificates on them, and signs on the device: a token
// key is a crypto.Signer like a software key, so the signer package needs
// nothing special for it.
//
// Everything here goes through the narrow Module/Session interface
// (p11.go). The real implementation wraps github.com/miekg/pkcs11
// (module.go); tokentest has a double that keeps its keys in memory and
// signs GOST with internal/gost, which is how the GOST path is tested:
// no soft token offers GOST.
//
// PINs come from a PINFunc, as passwords come from a callback in
// certstore: this package never prompts, never retries a PIN and never
// keeps one after the login it was asked for.
package token

import (
	"context"
	"crypto"
	"io"
	"sync"

	"github.com/podpis/podpis/certstore/cert"
)

// This file is the package's public surface, fixed first so the store, the
// CLI and the window could be built beside the implementation.

// Candidate is a module that may serve tokens: found by Discover, named in
// the settings or given with --module.
type Candidate struct {
	Path    string // the library file
	Product string // "Рутокен", "JaCarta", "SafeNet eToken", "OpenSC", "SoftHSM2", "КриптоПро CSP", "" when unknown
	Source  string // SourceFlag, SourceSettings, SourceP11Kit or SourceKnown
}

// Where a candidate came from.
const (
	SourceFlag     = "flag"     // --module PATH
	SourceSettings = "settings" // the Settings field of the window / store settings
	SourceP11Kit   = "p11-kit"  // a p11-kit module registration
	SourceKnown    = "known"    // a usual file name in a usual folder
	SourceStore    = "store"    // the module a store entry remembers (Ref.Module)
)

// DiscoverOptions say where Discover looks. The zero value looks where the
// running system keeps modules; tests point the folders elsewhere.
type DiscoverOptions struct {
	// GOOS selects the list of usual folders and names; "" is runtime.GOOS.
	GOOS string
	// P11KitDirs are the folders of p11-kit's *.module files; nil means
	// the system's (/usr/share/p11-kit/modules, /etc/pkcs11/modules,
	// ~/.config/pkcs11/modules).
	P11KitDirs []string
	// P11KitModuleDirs are where a relative "module:" path is looked up;
	// nil means the system's (p11-kit's default module path).
	P11KitModuleDirs []string
	// SearchDirs are the folders searched for the usual library names; nil
	// means the usual folders of GOOS.
	SearchDirs []string
}

// Discover returns the modules present on this machine: p11-kit's
// registrations first, then the usual libraries of Рутокен
// (librtpkcs11ecp), JaCarta (libjcPKCS11-2), SafeNet eToken (libeToken),
// OpenSC (opensc-pkcs11), SoftHSM2 (libsofthsm2) and CryptoPro CSP 5
// (libcppkcs11) in the usual folders. Only files that exist are returned,
// each once (by resolved path). It loads nothing.
func Discover(opts DiscoverOptions) []Candidate { return discover(opts) }

// ProductOf names the product a module file belongs to by its file name
// ("Рутокен" for librtpkcs11ecp.so…), "" when it is not a known one.
func ProductOf(path string) string { return productOf(path) }

// LoadError says why a module could not be used. Reason is one of the
// Load* codes; Detail is the system's own words (dlerror, a CKR name).
type LoadError struct {
	Path   string
	Reason string
	Detail string
	Err    error
}

// Reasons of a LoadError; each is also the error's Code() (err.<code> in
// the translations).
const (
	LoadMissing       = "module-missing"        // no file at that path
	LoadNotLibrary    = "module-not-library"    // not a shared library at all (a text file, an image)
	LoadNotPKCS11     = "module-not-pkcs11"     // a library without C_GetFunctionList
	LoadWrongArch     = "module-wrong-arch"     // built for another processor or word size
	LoadDependency    = "module-dependency"     // a library it needs is missing
	LoadInitFailed    = "module-init-failed"    // C_Initialize returned an error
	LoadFailed        = "module-load-failed"    // the loader refused it for another reason
	LoadNotPermitted  = "module-not-permitted"  // no permission to read the file
	LoadIsDirectory   = "module-is-directory"   // the path is a folder
	LoadNoneInstalled = "module-none-installed" // Discover found nothing and no --module was given
)

func (e *LoadError) Error() string {
	s := e.Reason + ": " + e.Path
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	return s
}
func (e *LoadError) Unwrap() error { return e.Err }
func (e *LoadError) Code() string  { return e.Reason }
func (e *LoadError) Params() map[string]any {
	return map[string]any{"Module": e.Path, "Detail": e.Detail}
}

// OpenModule loads the library at path, checks that it is a PKCS#11
// module, and calls C_Initialize. Every failure is a *LoadError with its
// own reason; none crashes the process.
func OpenModule(path string) (Module, error) { return openModule(path) }

// Library keeps the modules a process has opened: a module is loaded and
// initialised once (C_Initialize may be called only once per process) and
// shared by every scan and key until Reload or Close.
type Library struct {
	open    Opener
	mu      sync.Mutex
	modules map[string]*libraryModule
}

type libraryModule struct {
	m Module
}

// NewLibrary returns a Library that opens modules with open (nil:
// OpenModule).
func NewLibrary(open Opener) *Library {
	if open == nil {
		open = OpenModule
	}
	return &Library{open: open, modules: map[string]*libraryModule{}}
}

// PINPurpose says which PIN is asked for.
type PINPurpose string

const (
	PINLogin   PINPurpose = "login"   // the user PIN, to sign or to see private objects
	PINCurrent PINPurpose = "current" // the user PIN being changed
	PINNew     PINPurpose = "new"     // the new user PIN
)

// PINState is what the token says about its user PIN. Cryptoki gives no
// number of tries, only these flags.
type PINState struct {
	CountLow    bool // CKF_USER_PIN_COUNT_LOW: a wrong PIN was entered since the last right one
	FinalTry    bool // CKF_USER_PIN_FINAL_TRY: one more wrong PIN locks it
	Locked      bool // CKF_USER_PIN_LOCKED
	ToBeChanged bool // CKF_USER_PIN_TO_BE_CHANGED: the factory PIN, or expired
	SOLocked    bool // CKF_SO_PIN_LOCKED: the unblock procedure itself is blocked
}

// PINStateOf reads the state from a token's flags.
func PINStateOf(flags uint) PINState {
	return PINState{
		CountLow:    flags&TokenUserPINCountLow != 0,
		FinalTry:    flags&TokenUserPINFinalTry != 0,
		Locked:      flags&TokenUserPINLocked != 0,
		ToBeChanged: flags&TokenUserPINToBeChanged != 0,
		SOLocked:    flags&TokenSOPINLocked != 0,
	}
}

// Code is the state's one word for JSON and the translations
// ("token.pin.<code>"): the most serious that applies, "ok" if none.
func (p PINState) Code() string {
	switch {
	case p.Locked:
		return "locked"
	case p.FinalTry:
		return "final-try"
	case p.CountLow:
		return "count-low"
	case p.ToBeChanged:
		return "to-be-changed"
	}
	return "ok"
}

// PINRequest describes the PIN wanted, for the prompt.
type PINRequest struct {
	Purpose PINPurpose
	Token   string // the token's label
	Serial  string
	State   PINState
	// FinalTry repeats State.FinalTry for the prompt's sake: the token
	// locks the PIN if this one is wrong. A PINFunc that returns a PIN for
	// such a request declares that the person agreed to try; it must ask
	// them (or have been told so, e.g. --final-try) before it does.
	FinalTry bool
	MinLen   uint
	MaxLen   uint
}

// PINFunc supplies a PIN. It is asked at most once per request: a wrong
// PIN ends the operation (never retried here). Return ErrCancelled when
// the person declines.
type PINFunc func(PINRequest) (string, error)

// Ref is what the store remembers of a certificate whose key is on a
// token: never the key, only where to find it.
type Ref struct {
	Module string `json:"module"` // the library that served it
	Serial string `json:"serial"` // the token's serial number
	Label  string `json:"label"`  // the token's label when imported (for display)
	Model  string `json:"model,omitempty"`
	ID     []byte `json:"id"` // CKA_ID shared by the certificate and its key pair
}

// KeyState says whether a certificate's key pair is on the token.
type KeyState string

const (
	KeyPrivate    KeyState = "private"     // a private key with the certificate's CKA_ID was found
	KeyPublicOnly KeyState = "public-only" // only the public key is visible: the private one needs a login to be seen
	KeyNone       KeyState = "none"        // logged in, and no private key has this CKA_ID
	KeyUnknown    KeyState = "unknown"     // not logged in and nothing visible: the PIN would tell
)

// Certificate is a certificate object on a token.
type Certificate struct {
	ID       []byte // CKA_ID
	Label    string
	DER      []byte
	Cert     *cert.Certificate // nil when the DER does not parse (ParseErr says why)
	ParseErr error
	Key      KeyState
	KeyType  uint // KeyRSA, KeyEC, KeyGOSTR3410, KeyGOSTR3410512 when the key pair was seen
}

// KeyObject is a private key on the token with no certificate beside it.
type KeyObject struct {
	ID      []byte
	Label   string
	KeyType uint
}

// TokenScan is one token as a scan saw it.
type TokenScan struct {
	Info          TokenInfo
	PIN           PINState
	LoginRequired bool
	PINPad        bool // a protected authentication path: the PIN is typed on the device
	LoggedIn      bool // the scan logged in (ScanOptions.PIN), so private objects were seen
	Mechanisms    []Mechanism
	Certificates  []Certificate
	OrphanKeys    []KeyObject // private keys without a certificate (seen only when logged in)
	Err           error       // reading the objects failed (the token info above is still valid)
}

// SlotScan is one slot (a reader, or a soft token's slot).
type SlotScan struct {
	ID           SlotID
	Description  string
	Manufacturer string
	Removable    bool
	Hardware     bool
	Token        *TokenScan // nil when no token is in the slot
	Err          error
}

// ModuleScan is one module.
type ModuleScan struct {
	Candidate
	Info  ModuleInfo
	Err   error // the module could not be used: a *LoadError, or a Cryptoki error
	Slots []SlotScan
}

// Scan is what a scan found: one entry per candidate, in their order.
type Scan struct {
	Modules []ModuleScan
}

// Tokens returns how many tokens the scan found in all.
func (s *Scan) Tokens() int {
	n := 0
	for _, m := range s.Modules {
		for _, sl := range m.Slots {
			if sl.Token != nil {
				n++
			}
		}
	}
	return n
}

// ScanOptions steer Scan.
type ScanOptions struct {
	// Slot limits the scan to one slot (--slot N); nil scans all.
	Slot *SlotID
	// PIN, when set, is used to log in to each token that needs it so its
	// private keys can be matched to the certificates. nil scans without
	// logging in (what token list does by default).
	PIN PINFunc
	// EmptySlots keeps slots without a token in the result (a reader with
	// no card in it is worth showing).
	EmptySlots bool
}

// Scan opens each candidate (through the Library, so each once) and reads
// its slots, tokens, PIN states, mechanisms and certificates. A module
// that fails to load is reported in its ModuleScan, not as an error. ctx
// stops the scan between calls.
func (l *Library) Scan(ctx context.Context, candidates []Candidate, opts ScanOptions) *Scan {
	return l.scan(ctx, candidates, opts)
}

// Module returns the module at path, opening it the first time.
func (l *Library) Module(path string) (Module, error) { return l.module(path) }

// Reload finalises and unloads every module, so the next Scan or OpenKey
// initialises them again: some modules see a newly attached reader only
// after that (the window's "Rescan").
func (l *Library) Reload() error { return l.reload() }

// Close finalises and unloads every module, for the end of the process:
// close the keys opened from it first.
func (l *Library) Close() error { return l.reload() }

// KeyOptions steer OpenKey.
type KeyOptions struct {
	// PIN is asked when the token needs a login; nil fails with
	// ErrPINRequired instead.
	PIN PINFunc
	// Fallback are further modules to look for the token's serial in when
	// Ref.Module cannot be loaded or does not see the token (the module
	// was moved by an upgrade, or the token is now served by another).
	Fallback []Candidate
}

// Key is a private key on a token: a crypto.Signer (and
// crypto.MessageSigner) that signs on the device in one logged-in session.
// It is safe for concurrent use: calls are serialised, as a session runs
// one operation at a time. Close logs out and closes the session.
type Key struct {
	impl *keyImpl
}

// OpenKey finds the token of ref (by serial), logs in once (asking PIN
// when the token needs it, following the rules above), finds the private
// key with ref.ID, and checks that its public key is the certificate's.
// The mechanism is chosen from what the token offers (ChooseMechanism).
func (l *Library) OpenKey(ref Ref, c *cert.Certificate, opts KeyOptions) (*Key, error) {
	return l.openKey(ref, c, opts)
}

// Public is the certificate's public key (gost3410, rsa or ecdsa).
func (k *Key) Public() crypto.PublicKey { return k.impl.public }

// Sign signs a digest: RSA PKCS#1 v1.5 (opts a crypto.Hash), ECDSA (opts
// a crypto.Hash; the ASN.1 DER form is returned) or GOST R 34.10-2012
// (opts *gost3410.SignerOpts; s||r returned). A token that signs GOST only
// with hashing on board cannot sign a bare digest: use SignMessage.
func (k *Key) Sign(rand io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	return k.impl.sign(digest, opts, false)
}

// SignMessage signs a whole message: with a mechanism that hashes on the
// token when the token offers one, else hashing on the host.
func (k *Key) SignMessage(rand io.Reader, msg []byte, opts crypto.SignerOpts) ([]byte, error) {
	return k.impl.sign(msg, opts, true)
}

// Mechanism is the signing mechanism in use and whether it hashes on the
// token.
func (k *Key) Mechanism() (m Mechanism, hashesOnToken bool) { return k.impl.mech, k.impl.hashOnToken }

// Token is the token the key is on, as it was when the key was opened.
func (k *Key) Token() TokenInfo { return k.impl.token }

// Close logs out and closes the key's session. Signing after Close fails.
func (k *Key) Close() error { return k.impl.close() }

// ChangePIN changes the user PIN of the token with serial (found among
// candidates): asks PINCurrent then PINNew, never retries. The new PIN is
// checked against the token's length limits before anything is sent.
func (l *Library) ChangePIN(candidates []Candidate, serial string, ask PINFunc) error {
	return l.changePIN(candidates, serial, ask)
}

// Present reports, for each serial, whether a token with it is plugged in
// now (in any of candidates). Modules that fail to load count as "not
// seen"; it never asks for a PIN.
func (l *Library) Present(ctx context.Context, candidates []Candidate, serials []string) map[string]bool {
	return l.present(ctx, candidates, serials)
}
