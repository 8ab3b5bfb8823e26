package signer

import (
	"context"
	"crypto"
	"encoding/asn1"
	"io"
	"time"

	"github.com/podpis/podpis/certstore/cert"
	"github.com/podpis/podpis/certstore/validate"
)

// This file is the package's public surface, fixed first so the CLI, the
// window and batch signing could be built beside the CMS code. The
// implementations live in the other files.

// Key is what signing needs: the signer's certificate and its private key.
// Signer must be safe for concurrent use (batch signing shares one Key
// between workers); software keys are, token keys serialise themselves.
type Key struct {
	Certificate *cert.Certificate
	Signer      crypto.Signer
}

// SignOptions says how to sign.
type SignOptions struct {
	// Attached puts the content inside the signature (encapContentInfo
	// eContent); the default is a detached signature.
	Attached bool
	// PEM writes Base64 with "-----BEGIN CMS-----" armour instead of DER.
	PEM bool
	// Certificates are added to the certificates field after the signer's
	// own (the --chain option passes the signer's issuers here).
	Certificates []*cert.Certificate
	// Now gives the signingTime attribute; nil means time.Now.
	Now func() time.Time
	// Rand is the randomness for the signature; nil means crypto/rand.
	Rand io.Reader

	// readBuffer, when at least chunkSize long, is the buffer the content
	// is read through: a batch lends each worker one, so that a thousand
	// small files do not each allocate (and fault in) a fresh one.
	readBuffer []byte
}

// chunk returns the buffer to read content through.
func (o SignOptions) chunk() []byte {
	if len(o.readBuffer) >= chunkSize {
		return o.readBuffer[:chunkSize]
	}
	return make([]byte, chunkSize)
}

// Signed describes a signature that was made: what the manifest and the
// window show about each signed file.
type Signed struct {
	DigestAlgorithm asn1.ObjectIdentifier // Streebog-256/512 for GOST, SHA-256/384 otherwise
	Digest          []byte                // of the content
	Size            int64                 // content bytes read
}

// Status is a verdict in DESIGN's words.
type Status string

const (
	StatusValid         Status = "valid"
	StatusInvalid       Status = "invalid"
	StatusIndeterminate Status = "indeterminate"
)

// Severity of a Problem: an error makes the verdict invalid; a warning
// does not (except revocation-unknown under Strict, which makes it
// indeterminate).
type Severity string

const (
	SeverityError   Severity = "error"
	SeverityWarning Severity = "warning"
)

// Problem is one finding of verification. Code is DESIGN's problem code
// (signature-invalid, chain-incomplete, untrusted-root, expired,
// not-yet-valid, key-period-expired, revoked, key-usage,
// revocation-unknown, signer-certificate-missing, bad-input...); Reason is
// the precise cause, stable and kebab-case. The signer's own findings are
// worded by the translation keys "err.sig-<reason>" and "hint.sig-<reason>"
// (assets/translations/signer.<lang>.json); the chain check's, which have
// FromValidation set, by "err.chk-<reason>" and "hint.chk-<reason>"
// (check.<lang>.json). Both are rendered with Params.
type Problem struct {
	Code           string
	Reason         string
	Severity       Severity
	Params         map[string]any
	FromValidation bool
}

// MessageKey is the translation key stem of the problem's message and fix:
// "sig-<reason>" or "chk-<reason>" (prefix with "err." or "hint.").
func (p Problem) MessageKey() string {
	if p.FromValidation {
		return "chk-" + p.Reason
	}
	return "sig-" + p.Reason
}

// ChainVerifier checks a signer's certificate for signing use at a time:
// it builds the path to a trusted root (using extra, the certificates the
// signature carries, as candidates), checks it and its revocation, and
// returns the engine's result. Validator is the real one; tests may plug
// in their own.
type ChainVerifier interface {
	VerifyChain(ctx context.Context, leaf *cert.Certificate, extra []*cert.Certificate, at time.Time) *validate.Result
}

// VerifyOptions says how to verify.
type VerifyOptions struct {
	// At is the time validity is judged at; zero means now.
	At time.Time
	// Chain checks each signer's certificate; nil means the chain is not
	// checked (reported as a chain-incomplete warning, reason
	// "chain-not-checked").
	Chain ChainVerifier
	// Certificates are more candidates for the signers' certificates when
	// the signature does not carry them (the store's certificates).
	Certificates []*cert.Certificate
	// Strict turns an unknown revocation status into an indeterminate
	// verdict (DESIGN: --strict, exit 3).
	Strict bool
	// Context bounds the network work of chain checks (AIA, CRL, OCSP);
	// nil means context.Background().
	Context context.Context
}

// Result is the outcome of verifying one signature file.
type Result struct {
	Attached    bool
	ContentType asn1.ObjectIdentifier
	Signers     []*SignerResult
	// Status is the overall verdict: invalid if any signer is, else
	// indeterminate if any is, else valid. A signature without signers is
	// invalid.
	Status Status
	// Problems are those of the whole signature (structure, no signers);
	// each signer has its own too.
	Problems []Problem
}

// SignerResult is the outcome for one SignerInfo.
type SignerResult struct {
	Index int // 0-based position among the SignerInfos
	// Certificate is the signer's certificate, from the signature or from
	// VerifyOptions.Certificates; nil when neither has it.
	Certificate *cert.Certificate
	// SignerID names the certificate the SignerInfo points at: "issuer
	// DN, serial HEX" or "subjectKeyIdentifier HEX".
	SignerID           string
	DigestAlgorithm    asn1.ObjectIdentifier
	SignatureAlgorithm asn1.ObjectIdentifier
	// SigningTime is the signingTime signed attribute (nil when absent).
	SigningTime *time.Time
	// SignatureValid is true when the signature value verifies over the
	// signed attributes with the certificate's key and the messageDigest
	// attribute equals the content's digest.
	SignatureValid bool
	// CAdES is true when signingCertificateV2 (or v1) is present and
	// names the certificate.
	CAdES bool
	Chain []*cert.Certificate // leaf first, as the ChainVerifier built it
	// Validation is the chain check's full result (every check, URL tried,
	// revocation answer, qualified-certificate fields); nil when the
	// chain was not checked.
	Validation *validate.Result
	Status     Status
	Problems   []Problem
}
