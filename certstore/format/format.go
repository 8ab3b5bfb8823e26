// Package format recognises what a file handed to Podpis is, by its content
// and never by its name: certificates (PEM, DER, Base64 without headers),
// PKCS#7 certificate bundles, PKCS#12 containers, and the things people
// confuse with them (private keys, requests, CRLs, broken PEM).
package format

// Kind says what a file turned out to be.
type Kind string

const (
	KindCertificates Kind = "certificates" // one or more X.509 certificates (incl. PKCS#7 bundles)
	KindPKCS12       Kind = "pkcs12"       // a PFX container; see Result.PKCS12
)

// Encoding is the outer encoding of the file.
type Encoding string

const (
	EncodingDER    Encoding = "der"
	EncodingPEM    Encoding = "pem"
	EncodingBase64 Encoding = "base64" // Base64 without PEM headers
)

// Result is what Sniff found.
type Result struct {
	Kind         Kind
	Encoding     Encoding
	Certificates [][]byte // DER of each certificate, in file order (KindCertificates)
	PKCS7        bool     // the certificates came from a PKCS#7 bundle
	PKCS12       []byte   // DER of the PFX (KindPKCS12)

	// HadPrivateKey reports that a PEM file held a private key (often an
	// unprotected one, as `openssl pkcs12 -nodes` writes) next to its
	// certificates. The key is ignored, not imported, and the user should
	// learn both that and that such a file lies around on their disk: see
	// the translation "warn."+WarningPrivateKeyIgnored.
	HadPrivateKey bool
}

// WarningPrivateKeyIgnored is the translation code ("warn.<code>") of the
// warning to show when Result.HadPrivateKey is set.
const WarningPrivateKeyIgnored = "private-key-ignored"

// Reason names why a file is not something Podpis can import. Each reason has
// a message "err.<reason>" and a fix "hint.<reason>" in the translations
// (assets/translations/format.*.json).
type Reason string

const (
	ReasonEmpty          Reason = "empty"            // zero bytes or only white space
	ReasonTextNotPEM     Reason = "text-not-pem"     // readable text with no PEM block and not Base64
	ReasonPEMBadBase64   Reason = "pem-bad-base64"   // a PEM block whose body does not decode
	ReasonPEMNoEnd       Reason = "pem-no-end"       // a PEM block that is cut off before its END line
	ReasonTruncatedDER   Reason = "truncated-der"    // DER that ends before its declared length
	ReasonPrivateKeyOnly Reason = "private-key-only" // a private key with no certificate
	ReasonRequest        Reason = "certificate-request"
	ReasonCRL            Reason = "crl"
	ReasonNoCertificates Reason = "no-certificates" // a PKCS#7 with no certificates in it
	ReasonUnknown        Reason = "unknown"         // binary data of no known kind
)

// Error says why data is not importable. Detail is a short technical detail
// for support staff (English, not translated), e.g. which PEM block failed.
type Error struct {
	Reason Reason
	Detail string
	Err    error
}

func (e *Error) Error() string {
	s := string(e.Reason)
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// Code is the translation code of the message ("err.<code>") and of the fix
// ("hint.<code>").
func (e *Error) Code() string { return string(e.Reason) }

// Params are the values the translated message may use. Detail is English
// and technical; messages show it only as a detail for support staff.
func (e *Error) Params() map[string]any { return map[string]any{"Detail": e.Detail} }
