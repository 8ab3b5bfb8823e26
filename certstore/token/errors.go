package token

import (
	"errors"

	"github.com/podpis/podpis/internal/i18n"
)

// Error is a token problem a person may see: its code is the translation
// key (err.<code>, hint.<code> in assets/translations/token.*.json) and
// its params fill the text.
type Error struct {
	code   string
	params map[string]any
	err    error
}

func newError(code string, params map[string]any, cause error) *Error {
	return &Error{code: code, params: params, err: cause}
}

func (e *Error) Error() string { return i18n.CodedText(e.code, e.params, e.err) }
func (e *Error) Unwrap() error { return e.err }
func (e *Error) Code() string  { return e.code }
func (e *Error) Params() map[string]any {
	p := make(map[string]any, len(e.params))
	for k, v := range e.params {
		p[k] = v
	}
	return p
}

// Is matches the sentinels below: errors.Is(err, token.ErrPINIncorrect).
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.params == nil && t.err == nil && t.code == e.code
}

// BatchFatal tells the batch signer to stop starting files: once the
// token is gone or its PIN locked, every further file would fail the same
// way (signer.SignBatch checks for this method).
func (e *Error) BatchFatal() bool {
	switch e.code {
	case ErrRemoved.code, ErrPINLocked.code, ErrNotFound.code:
		return true
	}
	return false
}

// Sentinels for errors.Is; the errors returned carry params (Token, the
// token's label; Serial; Detail, the Cryptoki return value) and causes.
var (
	ErrNotFound       = &Error{code: "token-not-found"}    // no token with that serial is plugged in
	ErrNoToken        = &Error{code: "token-none"}         // the modules see no token at all
	ErrSlotMissing    = &Error{code: "token-slot-missing"} // --slot N names no slot with a token
	ErrRemoved        = &Error{code: "token-removed"}      // the token went away during the operation
	ErrKeyMissing     = &Error{code: "token-key-missing"}  // no private key with the certificate's CKA_ID
	ErrKeyMismatch    = &Error{code: "token-key-mismatch"} // the key pair is not the certificate's
	ErrMechanism      = &Error{code: "token-mechanism"}    // the token offers no mechanism Podpis can sign with for this key
	ErrFailed         = &Error{code: "token-failed"}       // another Cryptoki error (Detail names it)
	ErrWriteProtected = &Error{code: "token-write-protected"}
	ErrPINRequired    = &Error{code: "pin-required"}        // a login is needed and nothing can supply the PIN
	ErrPINIncorrect   = &Error{code: "pin-incorrect"}       // wrong PIN; the token does not say how many tries are left
	ErrPINCountLow    = &Error{code: "pin-incorrect-low"}   // wrong PIN; few tries left
	ErrPINLastTry     = &Error{code: "pin-incorrect-final"} // wrong PIN; one try left
	ErrPINLocked      = &Error{code: "pin-locked"}          // the user PIN is blocked: unblock with the SO PIN
	ErrPINFinalTry    = &Error{code: "pin-final-try"}       // one try left and the person did not agree to use it
	ErrPINExpired     = &Error{code: "pin-expired"}         // the PIN must be changed before it can be used
	ErrPINLength      = &Error{code: "pin-len-range"}       // Min, Max
	ErrPINInvalid     = &Error{code: "pin-invalid"}         // characters the token does not accept
	ErrCancelled      = errors.New("cancelled")             // a PINFunc returns it when the person closed the prompt
)

func errWith(sentinel *Error, params map[string]any, cause error) *Error {
	return newError(sentinel.code, params, cause)
}

// SlotMissing is the error for --slot N when slot N holds no token.
func SlotMissing(slot SlotID) error {
	return errWith(ErrSlotMissing, map[string]any{"Slot": uint(slot)}, nil)
}

// FinalTryRefused is what a PINFunc returns for a FinalTry request when
// the person did not agree (a script without --final-try).
func FinalTryRefused(req PINRequest) error {
	return errWith(ErrPINFinalTry, map[string]any{"Token": req.Token, "Serial": req.Serial}, nil)
}

// PINRequired is what a PINFunc returns when it has no way to get a PIN
// (no --pin-file and no terminal).
func PINRequired(req PINRequest) error {
	return errWith(ErrPINRequired, map[string]any{"Token": req.Token, "Serial": req.Serial}, nil)
}
