package cert

import (
	"errors"
	"fmt"
)

// ParseError says which field of a certificate could not be parsed and why.
// Field names the place in RFC 5280 terms, e.g.
// "tbsCertificate.validity.notAfter" or "extension 2.5.29.19 (basicConstraints)".
//
// It is a user-facing error: Code and Params select and fill the translated
// message "err.bad-certificate" in assets/translations/cert.<lang>.json.
type ParseError struct {
	Field string
	Err   error
}

func (e *ParseError) Error() string {
	return "malformed certificate: " + e.Field + ": " + e.Err.Error()
}

func (e *ParseError) Unwrap() error { return e.Err }

// Code is the translation code of every certificate parse error.
func (e *ParseError) Code() string { return "bad-certificate" }

// Params fill the translated message.
func (e *ParseError) Params() map[string]any { return map[string]any{"Field": e.Field} }

// The reasons a field is rejected. They are wrapped with details (%w), so
// callers and tests can tell them apart with errors.Is.
var (
	ErrTruncated    = errors.New("truncated or not the expected ASN.1 type")
	ErrTrailingData = errors.New("unexpected data after the field")
	ErrBadValue     = errors.New("invalid value")
	ErrDuplicate    = errors.New("appears more than once")
)

func fieldError(field string, err error) *ParseError {
	return &ParseError{Field: field, Err: err}
}

// malformed reports that field is missing, truncated or has the wrong tag.
func malformed(field, what string) *ParseError {
	return fieldError(field, fmt.Errorf("%w: expected %s", ErrTruncated, what))
}
