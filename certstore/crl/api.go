// Package crl reads certificate revocation lists (RFC 5280 section 5) with
// cryptobyte and keeps an on-disk index of their entries, so a list of a
// million serial numbers is parsed once and every later lookup is a binary
// search in a file (O(log n) reads) without parsing it again.
//
// The parser is tolerant where real CAs are sloppy (as the certificate
// parser is) and precise where it fails: a *ParseError names the field.
package crl

import (
	"encoding/asn1"
	"math/big"
	"time"

	"github.com/podpis/podpis/certstore/cert"
)

// CRL is a parsed certificate revocation list, without its entries, which
// Entries walks: a list of millions of entries is never held as objects.
// Byte slices alias the input given to Parse.
type CRL struct {
	Raw        []byte // the whole CertificateList, DER
	RawTBS     []byte // tbsCertList exactly as encoded: what the signature covers
	RawIssuer  []byte // the issuer Name's DER, to match a certificate's RawIssuer
	Issuer     cert.Name
	Version    int // 1 or 2
	ThisUpdate time.Time
	NextUpdate time.Time // zero when absent

	// SignatureAlgorithm is the outer signatureAlgorithm; the signature is
	// checked with sigalg.VerifyMessage(issuerCert, {OID, Params}, RawTBS, Signature).
	SignatureAlgorithm       asn1.ObjectIdentifier
	SignatureAlgorithmParams []byte
	Signature                []byte

	// CRL extensions, decoded.
	Number         *big.Int // cRLNumber (2.5.29.20); nil when absent
	BaseCRLNumber  *big.Int // deltaCRLIndicator (2.5.29.27): non-nil for a delta CRL
	AuthorityKeyID []byte   // authorityKeyIdentifier (2.5.29.35)
	FreshestCRL    []string // freshestCRL (2.5.29.46) URLs: where delta CRLs are
	// IssuingDistributionPoint (2.5.29.28), nil when absent.
	IDP        *IssuingDistributionPoint
	Extensions []cert.Extension
	// UnhandledCritical lists critical CRL extensions this package does not
	// understand: RFC 5280 says such a CRL must not be used to say a
	// certificate is good.
	UnhandledCritical []asn1.ObjectIdentifier

	// Count is the number of revokedCertificates entries.
	Count int

	entries []byte // the revokedCertificates contents, walked by Entries
}

// IssuingDistributionPoint is the scope of a CRL (RFC 5280 5.2.5).
type IssuingDistributionPoint struct {
	URLs               []string
	OnlyUserCerts      bool
	OnlyCACerts        bool
	OnlySomeReasons    bool
	IndirectCRL        bool
	OnlyAttributeCerts bool
}

// Reason is a CRLReason (RFC 5280 5.3.1); ReasonNone when the entry has none.
type Reason int

const (
	ReasonNone                 Reason = -1
	ReasonUnspecified          Reason = 0
	ReasonKeyCompromise        Reason = 1
	ReasonCACompromise         Reason = 2
	ReasonAffiliationChanged   Reason = 3
	ReasonSuperseded           Reason = 4
	ReasonCessationOfOperation Reason = 5
	ReasonCertificateHold      Reason = 6
	ReasonRemoveFromCRL        Reason = 8 // only in delta CRLs: the hold is lifted
	ReasonPrivilegeWithdrawn   Reason = 9
	ReasonAACompromise         Reason = 10
)

// String is the RFC name ("keyCompromise"); translations key on it.
func (r Reason) String() string {
	switch r {
	case ReasonNone:
		return ""
	case ReasonUnspecified:
		return "unspecified"
	case ReasonKeyCompromise:
		return "keyCompromise"
	case ReasonCACompromise:
		return "cACompromise"
	case ReasonAffiliationChanged:
		return "affiliationChanged"
	case ReasonSuperseded:
		return "superseded"
	case ReasonCessationOfOperation:
		return "cessationOfOperation"
	case ReasonCertificateHold:
		return "certificateHold"
	case ReasonRemoveFromCRL:
		return "removeFromCRL"
	case ReasonPrivilegeWithdrawn:
		return "privilegeWithdrawn"
	case ReasonAACompromise:
		return "aACompromise"
	}
	return "reason-" + big.NewInt(int64(r)).String()
}

// Entry is one revoked certificate.
type Entry struct {
	// Serial is the serial number's INTEGER content octets as encoded
	// (two's complement, big-endian), compared byte for byte with a
	// certificate's, as CAs and OpenSSL do.
	Serial         []byte
	RevocationTime time.Time
	Reason         Reason
	InvalidityDate time.Time // zero when absent
	// CertificateIssuer is set when an indirect CRL's entry names another
	// issuer (2.5.29.29); such entries are not this CRL issuer's.
	CertificateIssuer bool
}

// ParseError says which field of a CRL is malformed.
type ParseError struct {
	Field string // e.g. "tbsCertList.thisUpdate", "revokedCertificates[17].userCertificate"
	Err   error
}

func (e *ParseError) Error() string { return "crl: " + e.Field + ": " + e.Err.Error() }
func (e *ParseError) Unwrap() error { return e.Err }

// Code and Params make a ParseError a coded error (see certstore/errors.go).
func (e *ParseError) Code() string { return "crl-malformed" }
func (e *ParseError) Params() map[string]any {
	return map[string]any{"Field": e.Field, "Detail": e.Err.Error()}
}

// Parse reads a CRL in DER (or PEM "X509 CRL", which real CDPs sometimes
// serve). It checks the structure of every entry once, so Entries cannot
// fail later, but keeps them as bytes.
func Parse(data []byte) (*CRL, error) { return parse(data) }

// Entries calls visit for each entry in order; visit's error stops the walk
// and is returned.
func (c *CRL) Entries(visit func(Entry) error) error { return c.walk(visit) }

// SerialBytes is the INTEGER content octets of n as DER writes them, the
// form Entry.Serial and Index.Lookup use.
func SerialBytes(n *big.Int) []byte { return serialBytes(n) }

// Index is an open on-disk index of one CRL: its header (what the CRL said
// about itself) and its entries sorted by serial in fixed-size records.
type Index struct {
	Header IndexHeader
	idx    indexFile
}

// IndexHeader is what an index remembers of its CRL besides the entries.
type IndexHeader struct {
	RawIssuer      []byte
	ThisUpdate     time.Time
	NextUpdate     time.Time // zero when the CRL had none
	Number         *big.Int  // nil when absent
	BaseCRLNumber  *big.Int  // non-nil for a delta CRL
	AuthorityKeyID []byte
	FreshestCRL    []string
	IDP            *IssuingDistributionPoint
	Count          int
	// SHA256 is the digest of the CRL's DER, to tell whether a downloaded
	// CRL is the one indexed.
	SHA256 [32]byte
}

// WriteIndex writes c's index to path atomically (internal/atomicfile).
// It is what "loaded and indexed" means in the benchmark: Parse then
// WriteIndex.
func WriteIndex(c *CRL, path string) error { return writeIndex(c, path) }

// OpenIndex opens an index written by WriteIndex; it reads the header only.
func OpenIndex(path string) (*Index, error) { return openIndex(path) }

// Lookup finds serial (content octets as SerialBytes gives) by binary
// search over the file. ok is false when the serial is not in the CRL.
func (x *Index) Lookup(serial []byte) (e Entry, ok bool, err error) { return x.lookup(serial) }

// Close closes the index file.
func (x *Index) Close() error { return x.close() }
