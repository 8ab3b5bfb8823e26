// Package validate decides whether a certificate can be relied on at a
// time, and says why not in terms support staff can act on. It is modelled
// on crypto/x509.VerifyOptions (which cannot check GOST signatures): one
// Options struct, one entry point, and a Result that keeps every check,
// every URL tried and every problem with its precise reason.
//
// Path building takes candidates from the trusted roots, the store's
// intermediates, the certificates a signature carries and AIA caIssuers
// downloads (cached), matching issuers by name and key identifier so that
// CA key rollovers and cross-certificates pick the right key. Revocation is
// OCSP first when the certificate names a responder, CRL (with delta CRLs)
// as the fallback, both cached on disk.
package validate

import (
	"context"
	"time"

	"github.com/podpis/podpis/certstore/cert"
	"github.com/podpis/podpis/certstore/fetch"
)

// Usage is what a certificate is checked for.
type Usage string

const (
	// UsageAuto checks a CA certificate as a CA and any other for signing.
	UsageAuto Usage = ""
	UsageSign Usage = "sign" // digitalSignature or nonRepudiation
	UsageCA   Usage = "ca"   // basicConstraints CA and keyCertSign
)

// RevocationMode says where revocation answers may come from.
type RevocationMode string

const (
	RevocationOnline  RevocationMode = ""        // network, with the cache
	RevocationOffline RevocationMode = "offline" // the cache only (--offline)
	RevocationOff     RevocationMode = "off"     // not checked (reported as a warning)
)

// Fetcher downloads; *fetch.Client is the real one.
type Fetcher interface {
	Get(ctx context.Context, url string) ([]byte, fetch.Attempt, error)
	Post(ctx context.Context, url, contentType string, body []byte) ([]byte, fetch.Attempt, error)
}

// Options say how to validate. The zero value checks for signing now,
// with no trusted roots (so nothing is trusted) and no network.
type Options struct {
	// At is the time the certificate is judged at (--at); zero means Now().
	At time.Time
	// Now is the wall clock, which cache freshness and OCSP answers are
	// judged by; nil means time.Now.
	Now   func() time.Time
	Usage Usage

	Roots         []*cert.Certificate // trust anchors: a path must end in one
	Intermediates []*cert.Certificate // the store's CA certificates
	Extra         []*cert.Certificate // e.g. the certificates inside a signature

	Revocation RevocationMode
	// Fetcher is used for AIA, CRL and OCSP downloads; nil means no
	// network, whatever Revocation says.
	Fetcher Fetcher
	// CacheDir keeps downloaded issuer certificates and CRLs with their
	// indexes (the store's cache folder); "" means no cache.
	CacheDir string
	// MaxDepth bounds the path length (and AIA downloads along it); 0
	// means DefaultMaxDepth.
	MaxDepth int
}

// DefaultMaxDepth: real qualified chains are 2-4 certificates long.
const DefaultMaxDepth = 8

// Status is the verdict in DESIGN's words.
type Status string

const (
	StatusValid         Status = "valid"
	StatusInvalid       Status = "invalid"
	StatusIndeterminate Status = "indeterminate" // set by the caller under --strict
)

// Severity of a problem: an error makes the certificate invalid.
type Severity string

const (
	SeverityError   Severity = "error"
	SeverityWarning Severity = "warning"
)

// Problem is one finding. Code is DESIGN's problem code (chain-incomplete,
// untrusted-root, expired, not-yet-valid, key-period-expired, revoked,
// key-usage, revocation-unknown, signature-invalid, qualified...); Reason
// is the precise cause, whose message and fix are the translations
// "err.chk-<reason>" and "hint.chk-<reason>" rendered with Params
// (assets/translations/check.<lang>.json).
type Problem struct {
	Code     string
	Reason   string
	Severity Severity
	Cert     int // index in Result.Chain of the certificate concerned; -1 for none
	Params   map[string]any
}

// Source says where a certificate of the chain came from.
type Source string

const (
	SourceInput        Source = "input"        // the certificate being checked
	SourceRoot         Source = "root"         // the store's trusted roots
	SourceIntermediate Source = "intermediate" // the store's intermediates
	SourceExtra        Source = "extra"        // the signature's certificates
	SourceAIA          Source = "aia"          // downloaded from Link.URL now
	SourceCache        Source = "aia-cache"    // downloaded from Link.URL before
)

// Link is one certificate of the chain.
type Link struct {
	Cert    *cert.Certificate
	Source  Source
	URL     string // for SourceAIA and SourceCache
	Trusted bool   // a trust anchor (one of Roots)
	// Revocation is its revocation status; nil for a trust anchor and
	// when revocation was not looked at (the chain broke first).
	Revocation *Revocation
}

// Revocation is what was learnt about one certificate's revocation.
type Revocation struct {
	Status     RevocationStatus
	Method     string // "ocsp", "crl" or "delta-crl": what gave the answer
	URL        string
	FromCache  bool
	RevokedAt  time.Time // for StatusRevoked
	Reason     string    // CRLReason name ("keyCompromise"); "" when none was given
	ThisUpdate time.Time
	NextUpdate time.Time
	// Why says, for StatusUnknown, why no answer was had: the reasons of
	// the problems found on the way (e.g. "offline-no-cache").
	Why string
}

// RevocationStatus of a certificate.
type RevocationStatus string

const (
	RevocationGood       RevocationStatus = "good"
	RevocationRevoked    RevocationStatus = "revoked"
	RevocationUnknown    RevocationStatus = "unknown"
	RevocationNotChecked RevocationStatus = "not-checked"
)

// CheckResult is the outcome of one check.
type CheckResult string

const (
	CheckPass CheckResult = "pass"
	CheckFail CheckResult = "fail"
	CheckWarn CheckResult = "warn"
	CheckSkip CheckResult = "skip" // not applicable or not reached
)

// Check is one check made, passed or not: the report lists them all.
// Name is stable: "signature", "validity", "key-period", "basic-constraints",
// "path-length", "key-usage", "critical-extensions", "revocation", "trust",
// "qualified". Its title is the translation "chk.check.<name>"; a passed
// check's detail is "chk.pass.<name>" and a failed one's "err.chk-<reason>",
// both rendered with Params.
type Check struct {
	Cert   int // index in Result.Chain; -1 for the chain as a whole
	Name   string
	Result CheckResult
	Reason string
	Params map[string]any
}

// Qualified is what the certificate shows of a qualified certificate
// (63-FZ and the FSB order on its form): information, never a failure.
type Qualified struct {
	Fields []QualifiedField
	// SubjectSignTool is the owner's СКЗИ; IssuerSignTool the CA's tools
	// and their conformity certificates.
	SubjectSignTool string
	IssuerSignTool  []string
	// Classes are the КС/КВ/КА classes from the certificate policies, as
	// named in the OID registry ("КС1").
	Classes []string
	// AccreditedChain: the certificate chains to a trusted root and its
	// issuer's chain carries issuerSignTool, as an accredited CA's does.
	AccreditedChain bool
}

// QualifiedField is one identifier of the subject and its check.
type QualifiedField struct {
	Name   string // "inn", "innle", "snils", "ogrn", "ogrnip" (the OID registry's names)
	Value  string
	Valid  bool   // length and check digits are right
	Reason string // why not: "length", "not-digits", "checksum"
}

// Result is the outcome of Verify.
type Result struct {
	Usage Usage     // as applied (UsageAuto resolved)
	At    time.Time // the time judged at
	Now   time.Time // the wall-clock time of the check
	// Chain is leaf first; it ends at a trust anchor when Complete, or
	// where building stopped.
	Chain    []Link
	Complete bool
	Status   Status // valid or invalid; the caller applies --strict
	Problems []Problem
	Checks   []Check
	// Fetches are every download tried or answered from the cache, in order.
	Fetches   []fetch.Attempt
	Qualified Qualified
}

// HasUnknownRevocation reports a revocation-unknown problem: under --strict
// the verdict becomes indeterminate.
func (r *Result) HasUnknownRevocation() bool {
	for _, p := range r.Problems {
		if p.Code == "revocation-unknown" {
			return true
		}
	}
	return false
}

// Verify checks c at opts.At for opts.Usage. It never returns nil; what
// went wrong is in the Result's problems.
func Verify(ctx context.Context, c *cert.Certificate, opts Options) *Result {
	return verify(ctx, c, opts)
}
