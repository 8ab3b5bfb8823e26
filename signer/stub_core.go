package signer

// STUB: the CMS helper replaces every function here with the real one in its
// own files and then deletes this file. Signatures are fixed (see api.go).

import (
	"errors"
	"io"
	"time"

	"github.com/podpis/podpis/certstore/cert"
)

var errNotImplemented = errors.New("signer: not implemented yet")

// SignDetached reads the content once and returns a detached CAdES-BES
// signature (DER, or PEM when opts.PEM).
func SignDetached(content io.Reader, key Key, opts SignOptions) ([]byte, Signed, error) {
	return nil, Signed{}, errNotImplemented
}

// Sign writes an attached signature to w, streaming the content (size
// bytes, or -1 when unknown) through; memory stays bounded for any size.
func Sign(w io.Writer, content io.Reader, size int64, key Key, opts SignOptions) (Signed, error) {
	return Signed{}, errNotImplemented
}

// Cosign writes to w the signature read from sig with one more SignerInfo
// by key. content is the document of a detached signature (nil for an
// attached one); every existing signer's messageDigest must match it
// (else a *Error with reason "content-mismatch"). The form (attached or
// not) is kept; opts.Attached is ignored.
func Cosign(w io.Writer, sig io.Reader, content io.Reader, key Key, opts SignOptions) (Signed, error) {
	return Signed{}, errNotImplemented
}

// Verify checks an attached signature read from sig (DER, BER, PEM or bare
// Base64), streaming the content. A detached signature gives an *Error
// with reason "content-needed".
func Verify(sig io.Reader, opts VerifyOptions) (*Result, error) {
	return nil, errNotImplemented
}

// VerifyDetached checks a detached signature against content (read once).
func VerifyDetached(sig io.Reader, content io.Reader, opts VerifyOptions) (*Result, error) {
	return nil, errNotImplemented
}

// IsDetached tells from the start of a signature file (its first 64 KiB
// are always enough) whether it is detached.
func IsDetached(head []byte) (bool, error) { return false, errNotImplemented }

// StoreChain is the simple ChainVerifier until the validation issue: a path
// by issuer name and key identifier through Intermediates (and the
// signature's certificates) to one of Roots, each certificate's signature
// checked, validity periods at the given time, the signer's private key
// usage period and key usage.
type StoreChain struct {
	Roots         []*cert.Certificate
	Intermediates []*cert.Certificate
}

// VerifyChain implements ChainVerifier.
func (s StoreChain) VerifyChain(leaf *cert.Certificate, extra []*cert.Certificate, at time.Time) ([]*cert.Certificate, []Problem) {
	return nil, nil
}
