package sigalg

import (
	"encoding/asn1"
	"errors"
	"fmt"

	"github.com/podpis/podpis/certstore/oid"
)

// Roles an algorithm plays, named in UnsupportedError.
const (
	RoleDigest     = "digest"
	RoleSignature  = "signature"
	RolePublicKey  = "public key"
	RoleSigningKey = "signing key"
)

// UnsupportedError says an algorithm is not one this package computes.
// It is user-facing: its message is "err.sig-unsupported-algorithm" in
// assets/translations/signer.<lang>.json.
type UnsupportedError struct {
	Role string // one of the Role* constants
	OID  asn1.ObjectIdentifier
	// Detail says more when the OID alone is known but its use is not
	// (e.g. a digest that does not fit the key).
	Detail string
}

func (e *UnsupportedError) Error() string {
	msg := fmt.Sprintf("unsupported %s algorithm %s (%s)", e.Role, oid.ShortName(e.OID), e.OID)
	if e.Detail != "" {
		msg += ": " + e.Detail
	}
	return msg
}

// Code is the translation code.
func (e *UnsupportedError) Code() string { return "sig-unsupported-algorithm" }

// Params fill the translated message.
func (e *UnsupportedError) Params() map[string]any {
	return map[string]any{"Algorithm": oid.ShortName(e.OID), "OID": e.OID.String(), "Detail": e.Detail}
}

// KeyError says a certificate's public key could not be loaded.
type KeyError struct {
	Algorithm asn1.ObjectIdentifier
	Err       error
}

func (e *KeyError) Error() string {
	return fmt.Sprintf("cannot load the %s public key: %v", oid.ShortName(e.Algorithm), e.Err)
}

func (e *KeyError) Unwrap() error { return e.Err }

// ErrSignatureInvalid is returned (wrapped) when a well-formed signature does
// not verify with the key: the signed data or the signature was changed, or
// another key made it.
var ErrSignatureInvalid = errors.New("the signature does not verify")

// ErrMalformedParams is returned (wrapped) when algorithm parameters (of
// RSASSA-PSS) cannot be parsed.
var ErrMalformedParams = errors.New("malformed algorithm parameters")
