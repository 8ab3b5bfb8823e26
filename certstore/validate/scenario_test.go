package validate_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/podpis/podpis/certstore/cert"
	"github.com/podpis/podpis/certstore/fetch"
	"github.com/podpis/podpis/certstore/validate"
	"github.com/podpis/podpis/internal/i18n"
	"github.com/podpis/podpis/internal/testpki"
)

// The scenarios run against a PKI that OpenSSL makes for each family,
// whose CRLs and issuer certificates a server on 127.0.0.1 publishes and
// whose OCSP URL a real `openssl ocsp` answers (internal/testpki).

// fetchTimeout is short: the misbehaving-server scenarios wait it out.
const fetchTimeout = 2 * time.Second

// prob is an expected problem. An empty reason is not compared.
type prob struct {
	code   string
	sev    validate.Severity
	cert   int
	reason string
}

func errorAt(code string, cert int) prob {
	return prob{code: code, sev: validate.SeverityError, cert: cert}
}
func warnAt(code string, cert int) prob {
	return prob{code: code, sev: validate.SeverityWarning, cert: cert}
}

// revWant is an expected Link.Revocation; zero fields are not compared.
type revWant struct {
	status    validate.RevocationStatus
	method    string
	url       string
	revokedAt time.Time
	reason    string
	why       string
	fromCache bool
}

func (r revWant) String() string {
	return fmt.Sprintf("{status %s method %q url %q revokedAt %s reason %q why %q fromCache %v}",
		r.status, r.method, r.url, r.revokedAt.Format(time.RFC3339), r.reason, r.why, r.fromCache)
}

// fetchWant is an attempt Result.Fetches must hold.
type fetchWant struct {
	url    string
	reason string
}

type want struct {
	status validate.Status
	usage  validate.Usage // "" means UsageSign
	// problems is the exact list of problems, in any order; with loose,
	// only these must be among them.
	problems []prob
	loose    bool
	// anyWarning: some warning must be reported, whatever its code.
	anyWarning bool
	chain      []*testpki.Cert // nil: not compared
	sources    []validate.Source
	rev        map[int]revWant // by chain index
	fetches    []fetchWant
}

type scenario struct {
	name  string
	cert  *testpki.Cert
	opts  func(o *validate.Options) // changes to the defaults
	setup func(t *testing.T)        // makes the server misbehave for the test
	want  want
}

// defaults are the options of most scenarios: Root trusted, CA given as
// the store's intermediate, network through a fetch.Client with a short
// timeout and a 1 MiB cap, a cache of the test's own.
func defaults(t *testing.T, p *testpki.PKI) validate.Options {
	return validate.Options{
		Roots:         []*cert.Certificate{p.Root.Cert},
		Intermediates: []*cert.Certificate{p.CA.Cert},
		Fetcher:       &fetch.Client{Timeout: fetchTimeout, MaxSize: 1 << 20},
		CacheDir:      t.TempDir(),
	}
}

func certs(cs ...*testpki.Cert) []*cert.Certificate {
	out := make([]*cert.Certificate, len(cs))
	for i, c := range cs {
		out[i] = c.Cert
	}
	return out
}

func scenarios(p *testpki.PKI) []scenario {
	url := p.Server.PathURL
	leaf := p.Leaf
	withIntermediates := func(cs ...*testpki.Cert) func(*validate.Options) {
		return func(o *validate.Options) { o.Intermediates = certs(cs...) }
	}
	misbehave := func(path string, b testpki.Behaviour) func(t *testing.T) {
		return func(t *testing.T) { p.Server.Misbehave(t, path, b) }
	}
	goodCRL := func(ca *testpki.Cert) revWant {
		return revWant{status: validate.RevocationGood, method: "crl", url: url(ca.CRLPath)}
	}
	revoked := func(c *testpki.Cert, method, u string) revWant {
		return revWant{status: validate.RevocationRevoked, method: method, url: u, revokedAt: c.Revoked.At, reason: c.Revoked.Reason}
	}
	unknown := func(why string) revWant { return revWant{status: validate.RevocationUnknown, why: why} }
	stdChain := []validate.Source{validate.SourceInput, validate.SourceIntermediate, validate.SourceRoot}
	valid := validate.StatusValid
	invalid := validate.StatusInvalid

	return []scenario{
		{name: "valid", cert: leaf(testpki.LeafValid), want: want{
			status: valid, chain: []*testpki.Cert{leaf(testpki.LeafValid), p.CA, p.Root}, sources: stdChain,
			rev: map[int]revWant{0: goodCRL(p.CA), 1: goodCRL(p.Root)},
		}},
		{name: "expired", cert: leaf(testpki.LeafExpired), want: want{
			status: invalid, problems: []prob{errorAt("expired", 0)},
		}},
		{name: "not-yet-valid", cert: leaf(testpki.LeafNotYetValid), want: want{
			status: invalid, problems: []prob{errorAt("not-yet-valid", 0)},
		}},
		{name: "key-period-expired", cert: leaf(testpki.LeafKeyPeriodOver), want: want{
			status: invalid, problems: []prob{errorAt("key-period-expired", 0)},
		}},
		{name: "revoked-in-crl", cert: leaf(testpki.LeafRevoked), want: want{
			status: invalid, problems: []prob{errorAt("revoked", 0)},
			rev: map[int]revWant{0: revoked(leaf(testpki.LeafRevoked), "crl", url(p.CA.CRLPath))},
		}},
		{name: "revoked-in-delta-crl", cert: leaf(testpki.LeafRevokedDelta), want: want{
			status: invalid, problems: []prob{errorAt("revoked", 0)},
			rev: map[int]revWant{0: revoked(leaf(testpki.LeafRevokedDelta), "delta-crl", url(p.CA.DeltaCRLPath))},
		}},
		{name: "revoked-in-delta-crl-named-by-the-certificate", cert: leaf(testpki.LeafRevokedDeltaInCert), opts: withIntermediates(p.CA2), want: want{
			status: invalid, problems: []prob{errorAt("revoked", 0)},
			rev: map[int]revWant{0: revoked(leaf(testpki.LeafRevokedDeltaInCert), "delta-crl", url(p.CA2.DeltaCRLPath))},
		}},
		{name: "ocsp-good", cert: leaf(testpki.LeafOCSPGood), want: want{
			status: valid,
			rev:    map[int]revWant{0: {status: validate.RevocationGood, method: "ocsp", url: url(p.CA.OCSPPath)}, 1: goodCRL(p.Root)},
		}},
		{name: "revoked-by-ocsp", cert: leaf(testpki.LeafOCSPRevoked), want: want{
			status: invalid, problems: []prob{errorAt("revoked", 0)},
			rev: map[int]revWant{0: revoked(leaf(testpki.LeafOCSPRevoked), "ocsp", url(p.CA.OCSPPath))},
		}},
		{name: "wrong-key-usage", cert: leaf(testpki.LeafWrongUsage), want: want{
			status: invalid, problems: []prob{errorAt("key-usage", 0)},
		}},
		{name: "untrusted-root", cert: leaf(testpki.LeafUntrusted), opts: withIntermediates(), want: want{
			status: invalid, problems: []prob{errorAt("untrusted-root", 1)},
			chain: []*testpki.Cert{leaf(testpki.LeafUntrusted), p.Root2}, sources: []validate.Source{validate.SourceInput, validate.SourceAIA},
		}},
		{name: "untrusted-root-given-as-intermediate", cert: leaf(testpki.LeafUntrusted), opts: withIntermediates(p.Root2), want: want{
			status: invalid, problems: []prob{errorAt("untrusted-root", 1)},
			chain: []*testpki.Cert{leaf(testpki.LeafUntrusted), p.Root2},
		}},
		{name: "cross-certificate", cert: leaf(testpki.LeafUntrusted), opts: withIntermediates(p.Cross), want: want{
			status: valid, chain: []*testpki.Cert{leaf(testpki.LeafUntrusted), p.Cross, p.Root}, sources: stdChain,
			rev: map[int]revWant{1: goodCRL(p.Root)},
		}},
		{name: "rollover-new-key", cert: leaf(testpki.LeafRollover), opts: withIntermediates(p.CA, p.CA2), want: want{
			status: valid, chain: []*testpki.Cert{leaf(testpki.LeafRollover), p.CA2, p.Root}, sources: stdChain,
			rev: map[int]revWant{0: goodCRL(p.CA2)},
		}},
		{name: "rollover-old-key", cert: leaf(testpki.LeafValid), opts: withIntermediates(p.CA2, p.CA), want: want{
			status: valid, chain: []*testpki.Cert{leaf(testpki.LeafValid), p.CA, p.Root}, sources: stdChain,
			rev: map[int]revWant{0: goodCRL(p.CA)},
		}},
		{name: "rollover-only-the-other-key", cert: leaf(testpki.LeafRollover), want: want{
			// CA has CA2's name but not its key: the right one is
			// fetched from the leaf's AIA.
			status: valid, chain: []*testpki.Cert{leaf(testpki.LeafRollover), p.CA2, p.Root},
			sources: []validate.Source{validate.SourceInput, validate.SourceAIA, validate.SourceRoot},
		}},
		{name: "issuer-revoked", cert: leaf(testpki.LeafUnderRevokedCA), opts: withIntermediates(p.RevokedCA), want: want{
			status: invalid, problems: []prob{errorAt("revoked", 1)},
			rev: map[int]revWant{0: goodCRL(p.RevokedCA), 1: revoked(p.RevokedCA, "crl", url(p.Root.CRLPath))},
		}},
		{name: "quirky-ca", cert: leaf(testpki.LeafUnderQuirkyCA), opts: withIntermediates(p.QuirkyCA), want: want{
			status: valid, chain: []*testpki.Cert{leaf(testpki.LeafUnderQuirkyCA), p.QuirkyCA, p.Root},
		}},
		{name: "ldap-urls-first", cert: leaf(testpki.LeafLDAPFirst), want: want{
			status: valid, rev: map[int]revWant{0: goodCRL(p.CA)},
		}},
		{name: "intermediate-checked-as-ca", cert: p.CA, opts: withIntermediates(), want: want{
			status: valid, usage: validate.UsageCA, chain: []*testpki.Cert{p.CA, p.Root},
			sources: []validate.Source{validate.SourceInput, validate.SourceRoot}, rev: map[int]revWant{0: goodCRL(p.Root)},
		}},
		{name: "root-checked-as-ca", cert: p.Root, want: want{
			status: valid, usage: validate.UsageCA, chain: []*testpki.Cert{p.Root},
		}},
		{name: "leaf-checked-as-ca", cert: leaf(testpki.LeafValid), opts: func(o *validate.Options) { o.Usage = validate.UsageCA }, want: want{
			status: invalid, usage: validate.UsageCA, loose: true, problems: []prob{errorAt("key-usage", 0)},
		}},
		{name: "expired-judged-in-its-time", cert: leaf(testpki.LeafExpired), opts: func(o *validate.Options) {
			o.At = leaf(testpki.LeafExpired).Cert.NotBefore.Add(24 * time.Hour)
		}, want: want{status: valid}},
		{name: "not-yet-valid-judged-in-its-time", cert: leaf(testpki.LeafNotYetValid), opts: func(o *validate.Options) {
			o.At = leaf(testpki.LeafNotYetValid).Cert.NotBefore.Add(24 * time.Hour)
		}, want: want{status: valid}},
		{name: "key-period-judged-in-its-time", cert: leaf(testpki.LeafKeyPeriodOver), opts: func(o *validate.Options) {
			o.At = leaf(testpki.LeafKeyPeriodOver).Cert.PrivateKeyNotAfter.Add(-24 * time.Hour)
		}, want: want{status: valid}},
		{name: "revoked-after-the-time-judged", cert: leaf(testpki.LeafRevoked), opts: func(o *validate.Options) {
			o.At = leaf(testpki.LeafRevoked).Revoked.At.Add(-time.Hour)
		}, want: want{
			// A signature made before the revocation stays valid; the
			// revocation is worth a warning.
			status: valid, problems: []prob{warnAt("revoked", 0)},
			rev: map[int]revWant{0: revoked(leaf(testpki.LeafRevoked), "crl", url(p.CA.CRLPath))},
		}},
		{name: "offline-empty-cache", cert: leaf(testpki.LeafValid), opts: func(o *validate.Options) { o.Revocation = validate.RevocationOffline }, want: want{
			status: valid, problems: []prob{warnAt("revocation-unknown", 0), warnAt("revocation-unknown", 1)},
			rev: map[int]revWant{0: unknown("offline-no-cache"), 1: unknown("offline-no-cache")},
		}},
		{name: "offline-missing-intermediate", cert: leaf(testpki.LeafValid), opts: func(o *validate.Options) {
			o.Revocation = validate.RevocationOffline
			o.Intermediates = nil
		}, want: want{
			status: invalid, problems: []prob{errorAt("chain-incomplete", 0)}, chain: []*testpki.Cert{leaf(testpki.LeafValid)},
		}},
		{name: "no-fetcher", cert: leaf(testpki.LeafValid), opts: func(o *validate.Options) { o.Fetcher = nil }, want: want{
			status: valid, problems: []prob{warnAt("revocation-unknown", 0), warnAt("revocation-unknown", 1)},
		}},
		{name: "revocation-off", cert: leaf(testpki.LeafValid), opts: func(o *validate.Options) { o.Revocation = validate.RevocationOff }, want: want{
			// api.go: "not checked (reported as a warning)".
			status: valid, loose: true, anyWarning: true,
			rev: map[int]revWant{0: {status: validate.RevocationNotChecked}, 1: {status: validate.RevocationNotChecked}},
		}},

		// Servers that misbehave.
		{name: "crl-server-never-answers", cert: leaf(testpki.LeafValid), setup: misbehave(p.CA.CRLPath, testpki.Hang), want: want{
			status: valid, problems: []prob{warnAt("revocation-unknown", 0)},
			rev: map[int]revWant{0: {status: validate.RevocationUnknown}, 1: goodCRL(p.Root)}, fetches: []fetchWant{{url(p.CA.CRLPath), fetch.ReasonTimeout}},
		}},
		{name: "crl-of-1GiB", cert: leaf(testpki.LeafValid), setup: misbehave(p.CA.CRLPath, testpki.Huge), want: want{
			status: valid, problems: []prob{warnAt("revocation-unknown", 0)}, fetches: []fetchWant{{url(p.CA.CRLPath), fetch.ReasonTooLarge}},
		}},
		{name: "crl-of-1GiB-announced", cert: leaf(testpki.LeafValid), setup: misbehave(p.CA.CRLPath, testpki.HugeAnnounced), want: want{
			status: valid, problems: []prob{warnAt("revocation-unknown", 0)}, fetches: []fetchWant{{url(p.CA.CRLPath), fetch.ReasonTooLarge}},
		}},
		{name: "crl-garbage", cert: leaf(testpki.LeafValid), setup: misbehave(p.CA.CRLPath, testpki.Garbage), want: want{
			status: valid, problems: []prob{warnAt("revocation-unknown", 0)}, rev: map[int]revWant{0: {status: validate.RevocationUnknown}},
		}},
		{name: "crl-html-error-page", cert: leaf(testpki.LeafValid), setup: misbehave(p.CA.CRLPath, testpki.HTMLError), want: want{
			status: valid, problems: []prob{warnAt("revocation-unknown", 0)},
		}},
		{name: "crl-not-found", cert: leaf(testpki.LeafValid), setup: misbehave(p.CA.CRLPath, testpki.NotFound), want: want{
			status: valid, problems: []prob{warnAt("revocation-unknown", 0)}, fetches: []fetchWant{{url(p.CA.CRLPath), fetch.ReasonHTTPStatus}},
		}},
		{name: "root-crl-garbage", cert: leaf(testpki.LeafValid), setup: misbehave(p.Root.CRLPath, testpki.Garbage), want: want{
			status: valid, problems: []prob{warnAt("revocation-unknown", 1)}, rev: map[int]revWant{0: goodCRL(p.CA)},
		}},
		{name: "crl-of-the-other-key", cert: leaf(testpki.LeafRollover), opts: withIntermediates(p.CA, p.CA2),
			// CA2's CRL URL serves CA's CRL: same issuer name, other key.
			setup: func(t *testing.T) { serveInstead(t, p, p.CA2.CRLPath, p.CA.CRL, "application/pkix-crl", p.CA2.CRL) },
			want:  want{status: valid, problems: []prob{warnAt("revocation-unknown", 0)}, rev: map[int]revWant{0: {status: validate.RevocationUnknown}}},
		},
		{name: "aia-server-never-answers", cert: leaf(testpki.LeafValid), opts: withIntermediates(), setup: misbehave(p.CA.AIAPath, testpki.Hang), want: want{
			status: invalid, problems: []prob{errorAt("chain-incomplete", 0)}, fetches: []fetchWant{{url(p.CA.AIAPath), fetch.ReasonTimeout}},
		}},
		{name: "aia-of-1GiB", cert: leaf(testpki.LeafValid), opts: withIntermediates(), setup: misbehave(p.CA.AIAPath, testpki.Huge), want: want{
			status: invalid, problems: []prob{errorAt("chain-incomplete", 0)}, fetches: []fetchWant{{url(p.CA.AIAPath), fetch.ReasonTooLarge}},
		}},
		{name: "aia-garbage", cert: leaf(testpki.LeafValid), opts: withIntermediates(), setup: misbehave(p.CA.AIAPath, testpki.Garbage), want: want{
			status: invalid, problems: []prob{errorAt("chain-incomplete", 0)},
		}},
		{name: "aia-wrong-certificate", cert: leaf(testpki.LeafRollover), opts: withIntermediates(),
			// CA2's AIA URL serves CA: same name, not the key that signed.
			setup: func(t *testing.T) { serveInstead(t, p, p.CA2.AIAPath, p.CA.DER, "application/pkix-cert", p.CA2.DER) },
			want:  want{status: invalid, problems: []prob{errorAt("chain-incomplete", 0)}},
		},
		{name: "ocsp-garbage-falls-back-to-crl", cert: leaf(testpki.LeafOCSPGood), setup: misbehave(p.CA.OCSPPath, testpki.Garbage), want: want{
			status: valid, rev: map[int]revWant{0: goodCRL(p.CA)},
		}},
		{name: "ocsp-never-answers-falls-back-to-crl", cert: leaf(testpki.LeafOCSPRevoked), setup: misbehave(p.CA.OCSPPath, testpki.Hang), want: want{
			status: invalid, problems: []prob{errorAt("revoked", 0)},
			rev:     map[int]revWant{0: revoked(leaf(testpki.LeafOCSPRevoked), "crl", url(p.CA.CRLPath))},
			fetches: []fetchWant{{url(p.CA.OCSPPath), fetch.ReasonTimeout}},
		}},
		{name: "ocsp-delegated-responder", cert: leaf(testpki.LeafOCSPRevoked),
			setup: func(t *testing.T) {
				p.ServeOCSP(t, p.CA, testpki.OCSPResponderConfig{ResponderCert: p.OCSPSigner.PEM, ResponderKey: p.OCSPSigner.Key})
			},
			want: want{
				status: invalid, problems: []prob{errorAt("revoked", 0)},
				rev: map[int]revWant{0: revoked(leaf(testpki.LeafOCSPRevoked), "ocsp", url(p.CA.OCSPPath))},
			}},
		{name: "ocsp-by-key-without-certificates", cert: leaf(testpki.LeafOCSPRevoked),
			setup: func(t *testing.T) { p.ServeOCSP(t, p.CA, testpki.OCSPResponderConfig{ByKey: true, NoCerts: true}) },
			want: want{
				status: invalid, problems: []prob{errorAt("revoked", 0)},
				rev: map[int]revWant{0: revoked(leaf(testpki.LeafOCSPRevoked), "ocsp", url(p.CA.OCSPPath))},
			}},
		// An OCSP answer that cannot be relied on is passed over for the
		// CRL: what matters is that the CRL answers.
		{name: "ocsp-bad-signature-falls-back-to-crl", cert: leaf(testpki.LeafOCSPRevoked),
			setup: func(t *testing.T) { p.ServeOCSP(t, p.CA, testpki.OCSPResponderConfig{BadSignature: true}) },
			want: want{
				status: invalid, loose: true, problems: []prob{errorAt("revoked", 0)},
				rev: map[int]revWant{0: revoked(leaf(testpki.LeafOCSPRevoked), "crl", url(p.CA.CRLPath))},
			}},
		{name: "ocsp-unauthorised-responder-falls-back-to-crl", cert: leaf(testpki.LeafOCSPRevoked),
			// Root2 signs: no authority over CA's certificates.
			setup: func(t *testing.T) {
				p.ServeOCSP(t, p.CA, testpki.OCSPResponderConfig{ResponderCert: p.Root2.PEM, ResponderKey: p.Root2.Key})
			},
			want: want{
				status: invalid, loose: true, problems: []prob{errorAt("revoked", 0)},
				rev: map[int]revWant{0: revoked(leaf(testpki.LeafOCSPRevoked), "crl", url(p.CA.CRLPath))},
			}},
		{name: "ocsp-responder-of-the-other-key-falls-back-to-crl", cert: leaf(testpki.LeafOCSPRevoked),
			// CA2 has CA's name but not its key.
			setup: func(t *testing.T) {
				p.ServeOCSP(t, p.CA, testpki.OCSPResponderConfig{ResponderCert: p.CA2.PEM, ResponderKey: p.CA2.Key})
			},
			want: want{
				status: invalid, loose: true, problems: []prob{errorAt("revoked", 0)},
				rev: map[int]revWant{0: revoked(leaf(testpki.LeafOCSPRevoked), "crl", url(p.CA.CRLPath))},
			}},
		{name: "ocsp-server-error-falls-back-to-crl", cert: leaf(testpki.LeafOCSPGood), setup: misbehave(p.CA.OCSPPath, testpki.ServerError), want: want{
			status: valid, rev: map[int]revWant{0: goodCRL(p.CA)}, fetches: []fetchWant{{url(p.CA.OCSPPath), fetch.ReasonHTTPStatus}},
		}},
	}
}

// serveInstead makes the server answer path with the file data for the
// rest of t, then serve the file original again.
func serveInstead(t *testing.T, p *testpki.PKI, path, data, contentType, original string) {
	t.Helper()
	read := func(name string) []byte {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	orig := read(original)
	p.Server.Handle(path, read(data), contentType)
	t.Cleanup(func() { p.Server.Handle(path, orig, contentType) })
}

func TestScenarios(t *testing.T) {
	for _, family := range testpki.Families() {
		t.Run(string(family), func(t *testing.T) {
			t.Parallel()
			p := testpki.New(t, testpki.Options{Family: family, OCSP: true})
			names := certNames(p)
			// Scenarios of one family share its server and run one after
			// the other: some make it misbehave.
			for _, sc := range scenarios(p) {
				t.Run(sc.name, func(t *testing.T) {
					if sc.setup != nil {
						sc.setup(t)
					}
					opts := defaults(t, p)
					if sc.opts != nil {
						sc.opts(&opts)
					}
					res := validate.Verify(context.Background(), sc.cert.Cert, opts)
					checkResult(t, names, sc.cert, opts, res, sc.want)
				})
			}
		})
	}
}

// TestAIAThenCache: an intermediate missing from the store is fetched over
// AIA and cached with the CRLs; a second check offline finds all of it in
// the cache, and a third online one too, without a request.
func TestAIAThenCache(t *testing.T) {
	for _, family := range testpki.Families() {
		t.Run(string(family), func(t *testing.T) {
			t.Parallel()
			p := testpki.New(t, testpki.Options{Family: family})
			names := certNames(p)
			valid := p.Leaf(testpki.LeafValid)
			opts := defaults(t, p)
			opts.Intermediates = nil
			chain := []*testpki.Cert{valid, p.CA, p.Root}

			res := validate.Verify(context.Background(), valid.Cert, opts)
			checkResult(t, names, valid, opts, res, want{
				status: validate.StatusValid, chain: chain,
				sources: []validate.Source{validate.SourceInput, validate.SourceAIA, validate.SourceRoot},
				rev:     map[int]revWant{0: {status: validate.RevocationGood, method: "crl", url: p.Server.PathURL(p.CA.CRLPath)}},
				fetches: []fetchWant{{p.Server.PathURL(p.CA.AIAPath), ""}},
			})
			if len(res.Chain) > 1 && res.Chain[1].URL != p.Server.PathURL(p.CA.AIAPath) {
				t.Errorf("Chain[1].URL = %q, want %q", res.Chain[1].URL, p.Server.PathURL(p.CA.AIAPath))
			}
			requests := func() (n int) {
				for _, path := range []string{p.CA.AIAPath, p.CA.CRLPath, p.Root.CRLPath} {
					n += p.Server.Stats(path).Requests
				}
				return n
			}
			before := requests()

			for _, mode := range []validate.RevocationMode{validate.RevocationOffline, validate.RevocationOnline} {
				t.Run("then-"+cmp(string(mode), "online"), func(t *testing.T) {
					o := opts
					o.Revocation = mode
					res := validate.Verify(context.Background(), valid.Cert, o)
					checkResult(t, names, valid, o, res, want{
						status: validate.StatusValid, chain: chain,
						sources: []validate.Source{validate.SourceInput, validate.SourceCache, validate.SourceRoot},
						rev: map[int]revWant{
							0: {status: validate.RevocationGood, method: "crl", url: p.Server.PathURL(p.CA.CRLPath), fromCache: true},
							1: {status: validate.RevocationGood, method: "crl", url: p.Server.PathURL(p.Root.CRLPath), fromCache: true},
						},
					})
					if len(res.Chain) > 1 && res.Chain[1].URL != p.Server.PathURL(p.CA.AIAPath) {
						t.Errorf("Chain[1].URL = %q, want %q", res.Chain[1].URL, p.Server.PathURL(p.CA.AIAPath))
					}
					for _, a := range res.Fetches {
						if !a.FromCache {
							t.Errorf("a download with a fresh cache: %+v", a)
						}
					}
					if n := requests(); n != before {
						t.Errorf("the server had %d more requests", n-before)
					}
				})
			}
		})
	}
}

// TestRevokedLater: a certificate revoked after its CRL was cached is found
// revoked once the cached CRL is past its nextUpdate and fetched again.
// (The clock is moved with Options.Now; OpenSSL's CRL is good for 30 days.)
func TestRevokedLater(t *testing.T) {
	p := testpki.New(t, testpki.Options{Family: testpki.GOST256})
	names := certNames(p)
	c := p.Issue(t, testpki.Spec{Name: "revoked-later", Issuer: p.CA})
	opts := defaults(t, p)
	res := validate.Verify(context.Background(), c.Cert, opts)
	checkResult(t, names, c, opts, res, want{status: validate.StatusValid})

	p.Revoke(t, c, "keyCompromise")
	names = certNames(p)
	res = validate.Verify(context.Background(), c.Cert, opts)
	checkResult(t, names, c, opts, res, want{
		status: validate.StatusValid,
		rev:    map[int]revWant{0: {status: validate.RevocationGood, fromCache: true}},
	})

	later := time.Now().AddDate(0, 0, 31)
	opts.Now = func() time.Time { return later }
	opts.At = time.Now()
	res = validate.Verify(context.Background(), c.Cert, opts)
	checkResult(t, names, c, opts, res, want{
		status: validate.StatusInvalid, problems: []prob{errorAt("revoked", 0)},
		// The CA's CRL is fetched again but is stale at once (its
		// nextUpdate is 30 days from now), so it's only loose here.
		loose: true,
		rev:   map[int]revWant{0: {status: validate.RevocationRevoked, revokedAt: c.Revoked.At, reason: "keyCompromise"}},
	})
}

func cmp(s, orElse string) string {
	if s == "" {
		return orElse
	}
	return s
}

// certNames names the PKI's certificates by DER, for messages.
func certNames(p *testpki.PKI) map[string]string {
	m := map[string]string{}
	for _, c := range p.Certs() {
		m[string(c.Cert.Raw)] = c.Name
	}
	return m
}

func checkResult(t *testing.T, names map[string]string, input *testpki.Cert, opts validate.Options, res *validate.Result, w want) {
	t.Helper()
	if res == nil {
		t.Fatal("Verify returned nil")
	}
	// Every failure, then the result once.
	var failures []string
	fail := func(format string, args ...any) { failures = append(failures, fmt.Sprintf(format, args...)) }
	defer func() {
		if len(failures) > 0 {
			t.Errorf("%s\n%s", strings.Join(failures, "\n"), describe(names, res))
		}
	}()

	// What holds for every result.
	if len(res.Chain) == 0 || !bytes.Equal(res.Chain[0].Cert.Raw, input.Cert.Raw) || res.Chain[0].Source != validate.SourceInput {
		fail("the chain does not start with the input certificate")
	}
	hasError := slices.ContainsFunc(res.Problems, func(p validate.Problem) bool { return p.Severity == validate.SeverityError })
	if (res.Status == validate.StatusValid) == hasError {
		fail("status %s with error problems: %v", res.Status, hasError)
	}
	broken := slices.ContainsFunc(res.Problems, func(p validate.Problem) bool {
		return p.Code == "chain-incomplete" || p.Code == "untrusted-root"
	})
	if res.Complete == broken {
		fail("Complete = %v with chain problems: %v", res.Complete, broken)
	}
	if res.Complete && (len(res.Chain) == 0 || !res.Chain[len(res.Chain)-1].Trusted) {
		fail("a complete chain that does not end in a trust anchor")
	}
	for _, p := range res.Problems {
		if p.Cert < -1 || p.Cert >= len(res.Chain) || p.Reason == "" || p.Code == "" {
			fail("problem %+v: no code or reason, or a certificate index out of the chain", p)
		}
	}
	if len(res.Checks) == 0 {
		fail("no checks listed")
	}
	if !opts.At.IsZero() && !res.At.Equal(opts.At) {
		fail("Result.At = %v, want %v", res.At, opts.At)
	}
	if res.HasUnknownRevocation() != slices.ContainsFunc(res.Problems, func(p validate.Problem) bool { return p.Code == "revocation-unknown" }) {
		fail("HasUnknownRevocation disagrees with the problems")
	}

	// What this scenario expects.
	if res.Status != w.status {
		fail("status %s, want %s", res.Status, w.status)
	}
	usage := w.usage
	if usage == validate.UsageAuto {
		usage = validate.UsageSign
	}
	if res.Usage != usage {
		fail("usage %q, want %q", res.Usage, usage)
	}
	var got []string
	for _, p := range res.Problems {
		got = append(got, fmt.Sprintf("%s/%s@%d", p.Code, p.Severity, p.Cert))
	}
	var wanted []string
	for _, p := range w.problems {
		wanted = append(wanted, fmt.Sprintf("%s/%s@%d", p.code, p.sev, p.cert))
	}
	slices.Sort(got)
	slices.Sort(wanted)
	if w.loose {
		for _, p := range wanted {
			if !slices.Contains(got, p) {
				fail("problem %s missing", p)
			}
		}
	} else if !slices.Equal(got, wanted) {
		fail("problems %v, want %v", got, wanted)
	}
	for _, wp := range w.problems {
		if wp.reason == "" {
			continue
		}
		if !slices.ContainsFunc(res.Problems, func(p validate.Problem) bool { return p.Code == wp.code && p.Cert == wp.cert && p.Reason == wp.reason }) {
			fail("no problem %s at %d with reason %q", wp.code, wp.cert, wp.reason)
		}
	}
	if w.anyWarning && !slices.ContainsFunc(res.Problems, func(p validate.Problem) bool { return p.Severity == validate.SeverityWarning }) {
		fail("no warning reported")
	}
	if w.chain != nil {
		var gotNames, wantNames []string
		for _, l := range res.Chain {
			gotNames = append(gotNames, name(names, l.Cert))
		}
		for _, c := range w.chain {
			wantNames = append(wantNames, c.Name)
		}
		if !slices.Equal(gotNames, wantNames) {
			fail("chain %v, want %v", gotNames, wantNames)
		}
	}
	if w.sources != nil {
		var sources []validate.Source
		for _, l := range res.Chain {
			sources = append(sources, l.Source)
		}
		if !slices.Equal(sources, w.sources) {
			fail("sources %v, want %v", sources, w.sources)
		}
	}
	for i, rw := range w.rev {
		if i >= len(res.Chain) {
			fail("no chain[%d] to have a revocation status", i)
			continue
		}
		r := res.Chain[i].Revocation
		if r == nil {
			fail("chain[%d] has no revocation status, want %v", i, rw)
			continue
		}
		if r.Status != rw.status ||
			(rw.method != "" && r.Method != rw.method) ||
			(rw.url != "" && r.URL != rw.url) ||
			(!rw.revokedAt.IsZero() && !r.RevokedAt.Equal(rw.revokedAt)) ||
			(rw.reason != "" && r.Reason != rw.reason) ||
			(rw.why != "" && r.Why != rw.why) ||
			(rw.fromCache && !r.FromCache) {
			fail("chain[%d] revocation %+v, want %v", i, *r, rw)
		}
	}
	if len(res.Chain) > 0 {
		if last := res.Chain[len(res.Chain)-1]; last.Trusted && last.Revocation != nil {
			fail("the trust anchor has a revocation status %+v", *last.Revocation)
		}
	}
	for _, fw := range w.fetches {
		if !slices.ContainsFunc(res.Fetches, func(a fetch.Attempt) bool { return a.URL == fw.url && a.Reason == fw.reason }) {
			fail("no fetch of %s with reason %q", fw.url, fw.reason)
		}
	}
	checkTranslations(t, res)
}

// checkTranslations: every reason and check has its texts in both
// languages (assets/translations/check.*.json).
func checkTranslations(t *testing.T, res *validate.Result) {
	t.Helper()
	for _, lang := range i18n.Languages() {
		l, err := i18n.New(lang)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range res.Problems {
			for _, key := range []string{"err.chk-" + p.Reason, "hint.chk-" + p.Reason} {
				if !l.Has(key) {
					t.Errorf("%s: no translation %q for problem %s", lang, key, p.Code)
				}
			}
		}
		for _, c := range res.Checks {
			if !l.Has("chk.check." + c.Name) {
				t.Errorf("%s: no translation chk.check.%s", lang, c.Name)
			}
		}
	}
}

func name(names map[string]string, c *cert.Certificate) string {
	if n, ok := names[string(c.Raw)]; ok {
		return n
	}
	return "?" + c.Subject.CommonName()
}

// describe renders a result for a failure message.
func describe(names map[string]string, res *validate.Result) string {
	var b strings.Builder
	fmt.Fprintf(&b, "  status %s usage %s complete %v at %s\n", res.Status, res.Usage, res.Complete, res.At.Format(time.RFC3339))
	for i, l := range res.Chain {
		fmt.Fprintf(&b, "  chain[%d] %s source %s url %q trusted %v", i, name(names, l.Cert), l.Source, l.URL, l.Trusted)
		if r := l.Revocation; r != nil {
			fmt.Fprintf(&b, " revocation %s method %q url %q cache %v revokedAt %s reason %q why %q",
				r.Status, r.Method, r.URL, r.FromCache, r.RevokedAt.Format(time.RFC3339), r.Reason, r.Why)
		}
		b.WriteString("\n")
	}
	for _, p := range res.Problems {
		fmt.Fprintf(&b, "  problem %s/%s@%d reason %s %v\n", p.Code, p.Severity, p.Cert, p.Reason, p.Params)
	}
	for _, a := range res.Fetches {
		fmt.Fprintf(&b, "  fetch %s %s %s status %d bytes %d cache %v reason %q %s\n", a.Purpose, a.Method, a.URL, a.Status, a.Bytes, a.FromCache, a.Reason, a.Error)
	}
	return b.String()
}
