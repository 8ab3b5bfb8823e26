package gost3410

import "errors"

// Sentinel errors; the parsers wrap them in *ParseError, so test with
// errors.Is.
var (
	// ErrInvalidPublicKey: the point is not on the curve, is the identity,
	// or has a coordinate that is not below p.
	ErrInvalidPublicKey = errors.New("gost3410: invalid public key")
	// ErrInvalidPrivateKey: the private scalar is not in [1, q-1].
	ErrInvalidPrivateKey = errors.New("gost3410: invalid private key")
	// ErrUnknownParamSet: publicKeyParamSet names no parameter set we know.
	ErrUnknownParamSet = errors.New("gost3410: unknown parameter set")
	// ErrParamsAbsent: the algorithm identifier has no parameters (or
	// NULL), but GOST keys need publicKeyParamSet to name their curve.
	ErrParamsAbsent = errors.New("gost3410: public key parameters absent")
	// ErrUnsupportedKey: a well-formed key this package does not handle
	// (masked CryptoPro private keys, signing with GOST R 34.10-2001 keys,
	// a foreign algorithm).
	ErrUnsupportedKey = errors.New("gost3410: unsupported key")
	// ErrMalformed: DER that does not have the expected structure.
	ErrMalformed = errors.New("gost3410: malformed encoding")
)

// ParseError says which structure and which field of it failed to parse
// and why. Err is one of the sentinel errors above.
type ParseError struct {
	Structure string // e.g. "SubjectPublicKeyInfo parameters"
	Field     string // e.g. "publicKeyParamSet"
	Reason    string // e.g. "is not an OBJECT IDENTIFIER"
	Err       error
}

func (e *ParseError) Error() string {
	msg := "gost3410: " + e.Structure
	if e.Field != "" {
		msg += ": " + e.Field
	}
	return msg + " " + e.Reason
}

func (e *ParseError) Unwrap() error { return e.Err }

func parseErr(structure, field, reason string, err error) error {
	return &ParseError{Structure: structure, Field: field, Reason: reason, Err: err}
}
