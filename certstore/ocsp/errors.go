package ocsp

import (
	"errors"
	"fmt"
	"time"
)

// The reasons a field of a response is rejected, wrapped (%w) with details
// in a *ParseError so callers and tests can tell them apart with errors.Is.
var (
	ErrTruncated    = errors.New("truncated or not the expected ASN.1 type")
	ErrTrailingData = errors.New("unexpected data after the field")
	ErrBadValue     = errors.New("invalid value")
	ErrDuplicate    = errors.New("appears more than once")
	ErrUnsupported  = errors.New("not supported")
)

// Code makes a ParseError user-facing: "err.ocsp-bad-response" in
// assets/translations/ocsp.<lang>.json.
func (e *ParseError) Code() string { return "ocsp-bad-response" }

// Params fill the translated message.
func (e *ParseError) Params() map[string]any { return map[string]any{"Field": e.Field} }

func fieldError(field string, err error) *ParseError {
	return &ParseError{Field: field, Err: err}
}

// malformed reports that field is missing, truncated or has the wrong tag.
func malformed(field, what string) *ParseError {
	return fieldError(field, fmt.Errorf("%w: expected %s", ErrTruncated, what))
}

// The stable reasons of a CheckError (its Reason field).
const (
	ReasonStatus                = "status"
	ReasonSignature             = "signature"
	ReasonResponderUnauthorised = "responder-unauthorised"
	ReasonResponderExpired      = "responder-expired"
	ReasonNoAnswer              = "no-answer"
	ReasonNonce                 = "nonce"
	ReasonStale                 = "stale"
)

// Code makes a CheckError user-facing: "err.ocsp-<reason>" (and
// "hint.ocsp-<reason>") in assets/translations/ocsp.<lang>.json.
func (e *CheckError) Code() string { return "ocsp-" + e.Reason }

// Params fill the translated message: "Detail" always (the technical
// reason, in English), and the fields of the detail errors below when the
// reason has them.
func (e *CheckError) Params() map[string]any {
	// Every key is always there, "" when the reason does not have it, so
	// a message written for the richer errors renders for a bare one
	// (a CheckError a caller made itself) too.
	p := map[string]any{"Detail": "", "Status": "", "ThisUpdate": "", "NextUpdate": "", "At": "", "Responder": ""}
	if e.Err != nil {
		p["Detail"] = e.Err.Error()
	}
	var se *StatusError
	if errors.As(e.Err, &se) {
		p["Status"] = se.Status.String()
	}
	var te *TimeError
	if errors.As(e.Err, &te) {
		p["ThisUpdate"] = formatTime(te.ThisUpdate)
		p["NextUpdate"] = formatTime(te.NextUpdate)
		p["At"] = formatTime(te.At)
	}
	var re *ResponderError
	if errors.As(e.Err, &re) {
		p["Responder"] = re.Responder
	}
	return p
}

func checkError(reason string, err error) *CheckError {
	return &CheckError{Reason: reason, Err: err}
}

// StatusError is the detail of a "status" CheckError: what the responder
// answered instead of a status.
type StatusError struct{ Status ResponseStatus }

func (e *StatusError) Error() string { return "the responder answered " + e.Status.String() }

// TimeError is the detail of a "stale" CheckError: the response's times
// and the check time. A zero NextUpdate means the response has none.
type TimeError struct {
	ThisUpdate, NextUpdate, At time.Time
	Why                        string
}

func (e *TimeError) Error() string { return e.Why }

// dateFormat is how times reach people, as in the signer's messages.
const dateFormat = "2006-01-02 15:04:05 MST"

// formatTime is "" for the zero time, so a template can test {{with .NextUpdate}}.
func formatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(dateFormat)
}

// ResponderError is the detail of a "responder-unauthorised" or
// "responder-expired" CheckError: who signed, and why it may not.
type ResponderError struct {
	Responder string // the responder's subject, or its key hash in hex
	Why       string
}

func (e *ResponderError) Error() string { return "responder " + e.Responder + ": " + e.Why }

// String names a status as RFC 6960 does.
func (s ResponseStatus) String() string {
	switch s {
	case Successful:
		return "successful"
	case MalformedRequest:
		return "malformedRequest"
	case InternalError:
		return "internalError"
	case TryLater:
		return "tryLater"
	case SigRequired:
		return "sigRequired"
	case Unauthorized:
		return "unauthorized"
	}
	return fmt.Sprintf("status %d", int(s))
}
