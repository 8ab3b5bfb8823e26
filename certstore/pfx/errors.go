package pfx

import (
	"errors"
	"fmt"
)

// Sentinel errors, to be tested with errors.Is.
var (
	// ErrWrongPassword: the MAC does not verify under the password encoded as
	// UTF-8 nor as BMPString (or, for a MAC-less file, see Decode).
	ErrWrongPassword = errors.New("pfx: wrong password")
	// ErrCorrupt: the file is not a well-formed PFX. The *FormatError in the
	// chain names the field.
	ErrCorrupt = errors.New("pfx: corrupt file")
	// ErrUnsupported: the file uses an algorithm this package does not
	// implement. The *UnsupportedError in the chain names its OID.
	ErrUnsupported = errors.New("pfx: unsupported algorithm")
)

// FormatError says which field of the PFX could not be parsed and why.
type FormatError struct {
	Field string // e.g. "PFX.macData.macSalt"
	Err   error  // the cause (never nil)
}

func (e *FormatError) Error() string { return fmt.Sprintf("pfx: malformed %s: %v", e.Field, e.Err) }

// Unwrap makes errors.Is(err, ErrCorrupt) true and keeps the cause reachable.
func (e *FormatError) Unwrap() []error { return []error{ErrCorrupt, e.Err} }

// UnsupportedError names an algorithm (by OID) that is not implemented.
type UnsupportedError struct {
	What string // e.g. "MAC digest", "PBES2 cipher"
	OID  string // dotted form
}

func (e *UnsupportedError) Error() string {
	return fmt.Sprintf("pfx: unsupported %s %s", e.What, e.OID)
}

// Unwrap makes errors.Is(err, ErrUnsupported) true.
func (e *UnsupportedError) Unwrap() error { return ErrUnsupported }

// errMalformed is the cause used when cryptobyte refuses a field.
var errMalformed = errors.New("not the expected DER encoding")

func corrupt(field string) error { return &FormatError{Field: field, Err: errMalformed} }

func corruptf(field string, format string, args ...any) error {
	return &FormatError{Field: field, Err: fmt.Errorf(format, args...)}
}
