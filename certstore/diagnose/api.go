// Package diagnose is what support staff see of a validation: it
// recognises whatever file they were sent (a certificate in any encoding,
// a bundle, a .p12/.pfx, a CMS signature), and turns validation results
// into one report model rendered three ways that never disagree: a
// self-contained HTML page to attach to a ticket, plain text for the
// terminal and "copy report", and a JSON view for scripts.
//
// It does not verify signatures itself: signer imports certstore, not the
// other way round, so the caller verifies a KindSignature input with the
// signer package and hands each signer's verdict in as an Item.
package diagnose

import (
	"io"
	"strings"
	"time"

	"github.com/podpis/podpis/certstore/cert"
	"github.com/podpis/podpis/certstore/validate"
)

// Kind is what a dropped file turned out to be.
type Kind string

const (
	KindCertificate Kind = "certificate" // exactly one certificate
	KindBundle      Kind = "bundle"      // several (.p7b, a PEM chain): the first is checked
	KindPKCS12      Kind = "pkcs12"      // a .p12/.pfx: UnlockPKCS12 first
	KindSignature   Kind = "signature"   // CMS SignedData with signers: verify with signer
)

// Encoding is the outer encoding of the file.
type Encoding string

const (
	EncodingDER    Encoding = "der"
	EncodingPEM    Encoding = "pem"
	EncodingBase64 Encoding = "base64" // Base64 without PEM armour
)

// MaxInputSize bounds what Open accepts: certificates and containers are
// kilobytes; a larger file can only be an attached signature, which the
// caller recognises from its start and streams to signer instead.
const MaxInputSize = 16 << 20

// Input is a file recognised by Open.
type Input struct {
	Name     string // as given to Open; used in messages and converted names
	Kind     Kind
	Encoding Encoding
	// Certificate is the one to check: the file's only or first
	// certificate, or (KindPKCS12, after UnlockPKCS12) the key's.
	Certificate *cert.Certificate
	// Extra are the other certificates the file brought (the rest of a
	// bundle, a container's CA certificates): candidates for the chain,
	// validate.Options.Extra.
	Extra []*cert.Certificate
	// Data is the file's bytes for KindSignature (to hand to signer, which
	// also tells whether it is detached) and the PFX DER for KindPKCS12.
	Data []byte
	// PrivateKeyIgnored: a PEM file held a private key next to its
	// certificates (worth telling: such a file should not lie around).
	PrivateKeyIgnored bool

	pkcs7 bool // the certificates came in a PKCS#7 bundle
}

// Open recognises data by its content (never by name). Anything that is not
// one of the Kinds is an *Error with a Code whose message and fix are the
// translations "err.<code>" / "hint.<code>".
func Open(name string, data []byte) (*Input, error) { return open(name, data) }

// UnlockPKCS12 opens a KindPKCS12 input with password and returns the
// certificate of its key and the other certificates it holds, which also
// become in.Certificate and in.Extra. A wrong password is an *Error with
// Code "wrong-password"; the key itself is dropped, never kept.
func (in *Input) UnlockPKCS12(password string) (*cert.Certificate, []*cert.Certificate, error) {
	return in.unlockPKCS12(password)
}

// Converted is the same certificates in the other encoding, for forms that
// want DER when they were handed PEM (or the reverse): PEM or Base64 of one
// certificate becomes DER ".cer", a DER certificate becomes PEM ".pem", a
// PEM chain becomes a DER ".p7b" and a DER .p7b a PEM chain. ok is false
// for containers and signatures.
func (in *Input) Converted() (name string, data []byte, ok bool) { return in.converted() }

// Problem is one finding as the report shows it. Keys are the translation
// key suffixes to try in order, "err.<key>" for the message and
// "hint.<key>" for the fix (validation problems: "chk-<reason>", then the
// code; a signer's: "sig-<reason>", then the code).
type Problem struct {
	Code     string
	Reason   string
	Severity validate.Severity
	Cert     int // index in the item's chain; -1 for none
	Params   map[string]any
	Keys     []string
}

// ProblemsOf turns validation problems into report problems.
func ProblemsOf(ps []validate.Problem) []Problem { return problemsOf(ps) }

// Signature is one signer's verdict on the signature value, for items that
// come from a signature.
type Signature struct {
	Index       int // 0-based among the signers
	Total       int
	SignerID    string
	SigningTime *time.Time
	Valid       bool // the signature value and message digest check out
	CAdES       bool
}

// Item is one thing judged: a certificate, or one signer of a signature.
type Item struct {
	Subject   *cert.Certificate // nil for a signer whose certificate is missing
	Signature *Signature        // nil for a certificate
	Status    validate.Status   // the item's verdict, --strict applied
	// Result is the validation of Subject; nil when it was not validated
	// (no certificate).
	Result *validate.Result
	// Problems are the item's findings: the signer's own (signature
	// value, certificate missing...) and ProblemsOf(Result.Problems).
	Problems []Problem
}

// Report is everything one diagnosis found.
type Report struct {
	Source   string // the file name or "ID <thumbprint>" looked at
	Kind     Kind
	Encoding Encoding
	// Converted names the file written by --convert or offered by the
	// window, "" when none.
	Converted string
	Version   string    // podpis version
	Made      time.Time // when the report was made (wall clock)
	At        time.Time // the time judged at
	Offline   bool
	Strict    bool
	Status    validate.Status // overall: invalid if any item is, else indeterminate if any is
	Items     []Item
	// Problems are the input's own findings (a signature's structure, a
	// PEM/DER note, a private key lying in a PEM file).
	Problems []Problem
}

// Translate renders a translation key with params. A key it does not know
// comes back as the key itself (as internal/i18n and Fyne's lang do) or
// as "": the renderings then try the next key.
type Translate func(key string, params map[string]any) string

// Render resolves every text of the report in tr's language: the one view
// the HTML, the text and the JSON are all made from.
func Render(r *Report, tr Translate) *View { return render(r, tr) }

// WriteHTML writes the report as one self-contained HTML page (inline
// CSS, no scripts, no external resources; all text escaped).
func WriteHTML(w io.Writer, r *Report, tr Translate) error { return writeHTML(w, Render(r, tr)) }

// WriteText writes the report as plain text, for the terminal and for
// "copy report".
func WriteText(w io.Writer, r *Report, tr Translate) error { return writeText(w, Render(r, tr)) }

// View is a Report with every text resolved. Its JSON form is what
// `podpis check --json` prints (field names are stable; messages follow
// the language).
type View struct {
	Title     string        `json:"-"`
	Status    string        `json:"status"`
	Verdict   string        `json:"verdict"` // the status in words
	Source    string        `json:"source"`
	Kind      string        `json:"kind"`
	Encoding  string        `json:"encoding,omitempty"`
	Converted string        `json:"converted,omitempty"`
	Version   string        `json:"version,omitempty"`
	Made      time.Time     `json:"made"`
	At        time.Time     `json:"at"`
	Offline   bool          `json:"offline"`
	Strict    bool          `json:"strict"`
	Notes     []ProblemView `json:"notes"`    // the input's own findings
	Problems  []ProblemView `json:"problems"` // every finding: the input's, then each item's
	Items     []ItemView    `json:"items"`
	labels    map[string]string
}

// ProblemView is a problem in words.
type ProblemView struct {
	Code     string `json:"code"`
	Reason   string `json:"reason,omitempty"`
	Severity string `json:"severity"`
	Cert     int    `json:"cert"` // index in the item's chain; -1 for none
	Message  string `json:"message"`
	Hint     string `json:"hint,omitempty"`
}

// ItemView is one certificate or signer in words.
type ItemView struct {
	Title     string         `json:"title"`
	Status    string         `json:"status"`
	Verdict   string         `json:"verdict"`
	Usage     string         `json:"usage,omitempty"`
	Signature *SignatureView `json:"signature,omitempty"`
	Complete  bool           `json:"complete"`
	Chain     []LinkView     `json:"chain"`
	Checks    []CheckView    `json:"checks"`
	Problems  []ProblemView  `json:"problems"`
	Fetches   []FetchView    `json:"fetches"`
	Qualified *QualifiedView `json:"qualified,omitempty"`
	Now       *time.Time     `json:"now,omitempty"` // the wall clock of the validation
}

// SignatureView is a signer's verdict on the signature value.
type SignatureView struct {
	Index       int        `json:"index"`
	SignerID    string     `json:"signer_id,omitempty"`
	SigningTime *time.Time `json:"signing_time,omitempty"`
	Valid       bool       `json:"valid"`
	CAdES       bool       `json:"cades"`
	Text        string     `json:"text"`
}

// LinkView is one certificate of a chain.
type LinkView struct {
	Subject     string          `json:"subject"`
	SubjectDN   string          `json:"subject_dn"`
	Issuer      string          `json:"issuer"`
	IssuerDN    string          `json:"issuer_dn"`
	Serial      string          `json:"serial"`
	NotBefore   time.Time       `json:"not_before"`
	NotAfter    time.Time       `json:"not_after"`
	KeyNotAfter *time.Time      `json:"key_not_after,omitempty"`
	Thumbprint  string          `json:"thumbprint"`
	Source      string          `json:"source"`
	SourceText  string          `json:"source_text"`
	URL         string          `json:"url,omitempty"`
	Trusted     bool            `json:"trusted"`
	CA          bool            `json:"ca"`
	Revocation  *RevocationView `json:"revocation,omitempty"`
}

// RevocationView is what was learnt of one certificate's revocation.
type RevocationView struct {
	Status     string     `json:"status"`
	Text       string     `json:"text"`
	Method     string     `json:"method,omitempty"`
	URL        string     `json:"url,omitempty"`
	FromCache  bool       `json:"from_cache"`
	RevokedAt  *time.Time `json:"revoked_at,omitempty"`
	Reason     string     `json:"reason,omitempty"`
	ThisUpdate *time.Time `json:"this_update,omitempty"`
	NextUpdate *time.Time `json:"next_update,omitempty"`
	Why        string     `json:"why,omitempty"`
}

// CheckView is one check made.
type CheckView struct {
	Cert       int    `json:"cert"`
	Name       string `json:"name"`
	Title      string `json:"title"`
	Result     string `json:"result"` // pass | fail | warn | skip
	ResultText string `json:"result_text"`
	Reason     string `json:"reason,omitempty"`
	Detail     string `json:"detail,omitempty"`
}

// FetchView is one download tried.
type FetchView struct {
	URL        string    `json:"url"`
	Method     string    `json:"method"`
	Purpose    string    `json:"purpose,omitempty"`
	Status     int       `json:"status,omitempty"`
	Bytes      int64     `json:"bytes"`
	DurationMS int64     `json:"duration_ms"`
	Started    time.Time `json:"started"`
	Error      string    `json:"error,omitempty"`
	Reason     string    `json:"reason,omitempty"`
	FromCache  bool      `json:"from_cache"`
	Answer     string    `json:"answer"` // the outcome in words
}

// QualifiedView is the qualified-certificate information.
type QualifiedView struct {
	Fields          []FieldView `json:"fields"`
	SubjectSignTool string      `json:"subject_sign_tool,omitempty"`
	IssuerSignTool  []string    `json:"issuer_sign_tool,omitempty"`
	Classes         []string    `json:"classes,omitempty"`
	AccreditedChain bool        `json:"accredited_chain"`
}

// FieldView is one identifier (ИНН, СНИЛС...) and its check.
type FieldView struct {
	Name   string `json:"name"`
	Label  string `json:"label"`
	Value  string `json:"value"`
	Valid  bool   `json:"valid"`
	Reason string `json:"reason,omitempty"`
	Text   string `json:"text"` // "верные контрольные цифры" / why not
}

// ParseAt reads the time to judge at, as --at and the window's field take
// it: RFC 3339 ("2025-03-01T12:00:00+03:00") or a date ("2025-03-01",
// midnight local time). Empty means zero: now.
func ParseAt(v string) (time.Time, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, nil
	}
	return time.ParseInLocation(time.DateOnly, v, time.Local)
}
