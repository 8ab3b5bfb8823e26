package signer

import (
	"encoding/base64"
	"errors"
	"fmt"
	"maps"
)

// Reasons: the precise causes of problems and errors. Each has a message
// "err.sig-<reason>" and a fix "hint.sig-<reason>" in
// assets/translations/signer.<lang>.json.
const (
	// Verification problems of one signer.
	reasonContentMismatch      = "content-mismatch"       // messageDigest != digest of the content
	reasonSignatureMismatch    = "signature-mismatch"     // the signature value does not verify
	reasonMessageDigestMissing = "message-digest-missing" // signed attributes without messageDigest
	reasonContentTypeMismatch  = "content-type-mismatch"  // contentType attribute != eContentType
	reasonCertificateMissing   = "signer-certificate-missing"
	reasonUnsupported          = "unsupported-algorithm"
	reasonDigestNotDeclared    = "digest-not-declared" // attached: the signer's digest is not in digestAlgorithms
	reasonSigningCertMismatch  = "signing-certificate-mismatch"
	reasonBadAttributes        = "bad-signed-attributes"
	reasonChainNotChecked      = "chain-not-checked"
	reasonRevocationNotChecked = "revocation-not-checked"
	// Problems of the whole signature.
	reasonNoSigners      = "no-signers"
	reasonBadCertificate = "certificate-unreadable"
	// Errors: the input is not a signature that can be checked.
	reasonEmpty         = "empty"
	reasonReadFailed    = "read-failed"
	reasonNotCMS        = "not-cms"
	reasonBadBase64     = "bad-base64"
	reasonTruncated     = "truncated"
	reasonMalformed     = "malformed"
	reasonNotSignedData = "not-signed-data"
	reasonContentNeeded = "content-needed"
	reasonCantSign      = "cannot-sign"
)

// Error is what Sign, Verify and Cosign return when the input cannot be
// used: not CMS, truncated, not SignedData, a detached signature without
// its content, a co-signature over other content, a key that cannot sign.
// Code is "sig-<Reason>" (its message is the translation "err.sig-<reason>",
// the CLI's contract code "bad-input"); errors.Is/As reach the cause.
type Error struct {
	Reason string
	// Detail says more for support staff (which field, which algorithm).
	Detail string
	params map[string]any
	Err    error
}

func newError(reason string, params map[string]any, cause error) *Error {
	e := &Error{Reason: reason, params: params, Err: cause}
	if d, ok := params["Detail"].(string); ok {
		e.Detail = d
	}
	return e
}

func (e *Error) Error() string {
	msg := "signature: " + e.Reason
	if e.Detail != "" {
		msg += ": " + e.Detail
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

func (e *Error) Unwrap() error { return e.Err }

// Code is the translation code "sig-<reason>".
func (e *Error) Code() string { return "sig-" + e.Reason }

// Params fill the translated message; Detail is always there (maybe "").
func (e *Error) Params() map[string]any {
	p := maps.Clone(e.params)
	if p == nil {
		p = map[string]any{}
	}
	if _, ok := p["Detail"]; !ok {
		detail := e.Detail
		if detail == "" && e.Err != nil {
			detail = e.Err.Error()
		}
		p["Detail"] = detail
	}
	return p
}

// parseError turns an error of the BER/CMS parser into an *Error: a
// truncated input, malformed structure, or (already) an *Error.
func parseError(where string, err error) error {
	var e *Error
	var corrupt base64.CorruptInputError
	switch {
	case errors.As(err, &e):
		return err
	case errors.As(err, &corrupt):
		return newError(reasonBadBase64, map[string]any{"Detail": where}, err)
	case errors.Is(err, errTruncated):
		return newError(reasonTruncated, map[string]any{"Detail": where}, err)
	case errors.Is(err, errMalformed):
		return newError(reasonMalformed, map[string]any{"Detail": where}, err)
	}
	return newError(reasonReadFailed, map[string]any{"Detail": where}, err)
}

func malformedf(format string, args ...any) error {
	return newError(reasonMalformed, map[string]any{"Detail": fmt.Sprintf(format, args...)}, errMalformed)
}
