package certstore

import (
	"errors"
	"fmt"

	"github.com/podpis/podpis/certstore/token"
)

// Every error a person may see implements Code and Params: the GUI and the CLI
// turn the code into a translated message ("err.<code>") and fix ("hint.<code>")
// from assets/translations, rendering the params into them.

// ErrCancelled is returned by a password callback when the person closed the
// prompt; it is passed through unchanged so callers can stay quiet about it.
// It is the token package's too, so a PIN prompt declines the same way.
var ErrCancelled = token.ErrCancelled

// FileError says which input file an import failed on. The cause is one of the
// coded errors below, a *format.Error, or a *cert.ParseError.
type FileError struct {
	File string
	Err  error
}

func (e *FileError) Error() string { return e.File + ": " + e.Err.Error() }
func (e *FileError) Unwrap() error { return e.Err }

// Code is the cause's code, so a FileError reads as what went wrong.
func (e *FileError) Code() string {
	var c coded
	if errors.As(e.Err, &c) {
		return c.Code()
	}
	return "bad-input"
}

// Params are the cause's params plus File.
func (e *FileError) Params() map[string]any {
	p := map[string]any{}
	var c coded
	if errors.As(e.Err, &c) {
		for k, v := range c.Params() {
			p[k] = v
		}
	} else {
		p["Detail"] = e.Err.Error()
	}
	p["File"] = e.File
	return p
}

type coded interface {
	error
	Code() string
	Params() map[string]any
}

// Error is a store error with a code from the translations and its params.
type Error struct {
	code   string
	params map[string]any
	err    error // underlying cause, may be nil
}

func newError(code string, params map[string]any, cause error) *Error {
	return &Error{code: code, params: params, err: cause}
}

func (e *Error) Error() string {
	s := e.code
	for _, k := range []string{"ID", "Detail", "Size", "Limit"} {
		if v, ok := e.params[k]; ok {
			s += fmt.Sprintf(" %s=%v", k, v)
		}
	}
	if e.err != nil {
		s += ": " + e.err.Error()
	}
	return s
}

func (e *Error) Unwrap() error { return e.err }
func (e *Error) Code() string  { return e.code }
func (e *Error) Params() map[string]any {
	p := make(map[string]any, len(e.params))
	for k, v := range e.params {
		p[k] = v
	}
	return p
}

// Is lets callers test for a kind of error with errors.Is(err, certstore.ErrWrongPassword).
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.params == nil && t.err == nil && t.code == e.code
}

// Sentinels for errors.Is; the errors returned carry params and causes.
var (
	ErrNotFound         = &Error{code: "not-found"}
	ErrAmbiguousID      = &Error{code: "ambiguous-id"}
	ErrBadID            = &Error{code: "bad-id"}
	ErrWrongPassword    = &Error{code: "wrong-password"}
	ErrPasswordRequired = &Error{code: "password-required"}
	ErrNoPassword       = &Error{code: "container-password-needed"}
	ErrTooLarge         = &Error{code: "file-too-large"}
	ErrIsDirectory      = &Error{code: "is-directory"}
	ErrUnreadable       = &Error{code: "unreadable"}
	ErrPKCS12Corrupt    = &Error{code: "pkcs12-corrupt"}
	ErrPKCS12Algorithm  = &Error{code: "pkcs12-unsupported"}
	ErrKeyMismatch      = &Error{code: "key-mismatch"}
	ErrNotCA            = &Error{code: "not-ca"}
	ErrNoKey            = &Error{code: "no-private-key"}
	ErrKeyring          = &Error{code: "keyring-unavailable"}
	ErrContainerDamaged = &Error{code: "container-damaged"}
	ErrExportPassword   = &Error{code: "export-password-needed"}
	ErrLegacyKey        = &Error{code: "legacy-key"}
	ErrTokenKey         = &Error{code: "token-key-not-exportable"} // the key is on a token: it cannot leave it
	ErrTokenPassword    = &Error{code: "token-entry-password"}     // a token entry has a PIN, not a container password
)

func errWith(sentinel *Error, params map[string]any, cause error) *Error {
	return newError(sentinel.code, params, cause)
}
