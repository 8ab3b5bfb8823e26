package validate

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"time"

	"github.com/podpis/podpis/certstore/cert"
	"github.com/podpis/podpis/certstore/crl"
	"github.com/podpis/podpis/certstore/fetch"
	"github.com/podpis/podpis/certstore/ocsp"
	"github.com/podpis/podpis/certstore/sigalg"
	"github.com/podpis/podpis/internal/atomicfile"
)

// crlWithoutNextUpdate is how long a CRL that names no nextUpdate is used
// before it is fetched again.
const crlWithoutNextUpdate = 24 * time.Hour

// why is a reason revocation could not be learnt from one source, with
// what the message needs.
type why struct {
	reason string
	params map[string]any
}

// checkRevocation asks, for every certificate of the chain below the trust
// anchor whose issuer is known, whether it is revoked: OCSP first when the
// certificate names a responder, then its CRLs.
func (e *engine) checkRevocation() {
	chain := e.res.Chain
	for i := 0; i+1 < len(chain) && !chain[i].Trusted; i++ {
		c, issuer := chain[i].Cert, chain[i+1].Cert
		p := e.subjectParams(c)
		if e.opts.Revocation == RevocationOff {
			chain[i].Revocation = &Revocation{Status: RevocationNotChecked}
			e.fail(i, "revocation", "revocation-unknown", "revocation-not-checked", SeverityWarning, p)
			continue
		}
		rev, w := e.revocationOf(c, issuer)
		chain[i].Revocation = rev
		p["Method"], p["URL"] = rev.Method, rev.URL
		if !rev.ThisUpdate.IsZero() {
			p["ThisUpdate"] = formatTime(rev.ThisUpdate)
		}
		if !rev.NextUpdate.IsZero() {
			p["NextUpdate"] = formatTime(rev.NextUpdate)
		}
		role := ""
		if i > 0 {
			role = "ca-"
		}
		switch rev.Status {
		case RevocationGood:
			e.check(i, "revocation", CheckPass, "", p)
		case RevocationRevoked:
			p["RevokedAt"], p["RevocationReason"] = formatTime(rev.RevokedAt), rev.Reason
			if rev.RevokedAt.After(e.at) {
				// Revoked since: a signature made before that stays valid.
				p["At"] = formatTime(e.at)
				e.fail(i, "revocation", "revoked", role+"revoked-after", SeverityWarning, p)
			} else {
				e.fail(i, "revocation", "revoked", role+"revoked", SeverityError, p)
			}
		default:
			for k, v := range w.params {
				p[k] = v
			}
			e.fail(i, "revocation", "revocation-unknown", w.reason, SeverityWarning, p)
		}
	}
}

// revocationOf asks the certificate's OCSP responders, then its CRLs. The
// why returned explains an unknown status.
func (e *engine) revocationOf(c, issuer *cert.Certificate) (*Revocation, why) {
	var reasons []why
	if len(c.OCSPServers) > 0 {
		if e.online() {
			for _, u := range c.OCSPServers {
				rev, w := e.askOCSP(u, c, issuer)
				if rev != nil {
					return rev, why{}
				}
				reasons = append(reasons, w)
			}
		} else {
			reasons = append(reasons, why{reason: "ocsp-offline", params: map[string]any{"URL": c.OCSPServers[0]}})
		}
	}
	for _, u := range c.CRLDistributionPoints {
		rev, w := e.askCRL(u, c, issuer)
		if rev != nil && rev.Status != RevocationUnknown {
			return rev, why{}
		}
		reasons = append(reasons, w)
	}
	if len(reasons) == 0 {
		return &Revocation{Status: RevocationUnknown, Why: "no-revocation-info"}, why{reason: "no-revocation-info"}
	}
	// The CRL's reason when there was one: it is the last resort, and what
	// the person can act on (fetch it, go online).
	w := reasons[len(reasons)-1]
	return &Revocation{Status: RevocationUnknown, Why: w.reason}, w
}

// askOCSP sends one request; a nil Revocation means no usable answer.
func (e *engine) askOCSP(u string, c, issuer *cert.Certificate) (*Revocation, why) {
	params := map[string]any{"URL": u}
	if err := fetch.CheckURL(u); err != nil {
		e.recordFailedURL(u, "ocsp", err)
		params["Detail"] = err.Error()
		return nil, why{"ocsp-fetch-failed", params}
	}
	nonce := make([]byte, 16)
	if _, err := rand.Read(nonce); err != nil {
		params["Detail"] = err.Error()
		return nil, why{"ocsp-fetch-failed", params}
	}
	req, err := ocsp.NewRequest(c, issuer, nonce)
	if err != nil {
		params["Detail"] = err.Error()
		return nil, why{"ocsp-fetch-failed", params}
	}
	body, attempt, err := e.opts.Fetcher.Post(e.ctx, u, "application/ocsp-request", req.DER)
	attempt.Purpose = "ocsp"
	e.res.Fetches = append(e.res.Fetches, attempt)
	if err != nil {
		params["Detail"] = err.Error()
		return nil, why{"ocsp-fetch-failed", params}
	}
	resp, err := ocsp.ParseResponse(body)
	if err != nil {
		params["Detail"] = err.Error()
		return nil, why{"ocsp-unreadable", params}
	}
	single, err := resp.Check(req, issuer, e.now)
	if err != nil {
		params["Detail"] = err.Error()
		var ce *ocsp.CheckError
		if errors.As(err, &ce) {
			return nil, why{"ocsp-" + ce.Reason, params}
		}
		return nil, why{"ocsp-unreadable", params}
	}
	rev := &Revocation{Method: "ocsp", URL: u, ThisUpdate: single.ThisUpdate, NextUpdate: single.NextUpdate}
	switch single.Status {
	case ocsp.Good:
		rev.Status = RevocationGood
	case ocsp.Revoked:
		rev.Status = RevocationRevoked
		rev.RevokedAt = single.RevokedAt
		if single.Reason >= 0 {
			rev.Reason = crl.Reason(single.Reason).String()
		}
	default:
		return nil, why{"ocsp-unknown-certificate", params}
	}
	return rev, why{}
}

func (e *engine) recordFailedURL(u, purpose string, err error) {
	a := fetch.Attempt{URL: u, Purpose: purpose, Error: err.Error(), Started: e.now}
	var fe *fetch.Error
	if errors.As(err, &fe) {
		a.Reason = fe.Reason
	}
	e.res.Fetches = append(e.res.Fetches, a)
}

// askCRL answers from the CRL at u (cached, or fetched when stale), then
// from its delta CRLs.
func (e *engine) askCRL(u string, c, issuer *cert.Certificate) (*Revocation, why) {
	base, w := e.loadCRL(u, issuer, "crl")
	if base == nil {
		return nil, w
	}
	defer base.close()
	params := map[string]any{"URL": u, "ThisUpdate": formatTime(base.idx.Header.ThisUpdate)}
	if idp := base.idx.Header.IDP; idp != nil {
		isCA := c.BasicConstraintsValid && c.IsCA
		switch {
		case idp.IndirectCRL, idp.OnlySomeReasons, idp.OnlyAttributeCerts:
			return nil, why{"crl-scope-unsupported", params}
		case idp.OnlyCACerts && !isCA, idp.OnlyUserCerts && isCA:
			return nil, why{"crl-out-of-scope", params}
		}
	}
	serial := crl.SerialBytes(c.SerialNumber)
	entry, found, err := base.idx.Lookup(serial)
	if err != nil {
		params["Detail"] = err.Error()
		return nil, why{"crl-cache-broken", params}
	}
	rev := &Revocation{Method: "crl", URL: u, FromCache: base.fromCache, ThisUpdate: base.idx.Header.ThisUpdate, NextUpdate: base.idx.Header.NextUpdate}
	if found && entry.Reason != crl.ReasonRemoveFromCRL {
		rev.Status, rev.RevokedAt, rev.Reason = RevocationRevoked, entry.RevocationTime, entry.Reason.String()
		return rev, why{}
	}
	// Delta CRLs may know of revocations since the base was issued; the
	// base CRL or the certificate itself says where they are.
	for _, du := range deltaLocations(base.idx.Header.FreshestCRL, c.FreshestCRL) {
		delta, _ := e.loadCRL(du, issuer, "delta-crl")
		if delta == nil {
			continue
		}
		usable := delta.idx.Header.BaseCRLNumber != nil && base.idx.Header.Number != nil && delta.idx.Header.BaseCRLNumber.Cmp(base.idx.Header.Number) <= 0
		if usable {
			if de, ok, err := delta.idx.Lookup(serial); err == nil && ok {
				delta.close()
				if de.Reason == crl.ReasonRemoveFromCRL {
					rev.Method, rev.URL = "delta-crl", du
					rev.Status = RevocationGood
					return rev, why{}
				}
				return &Revocation{Status: RevocationRevoked, Method: "delta-crl", URL: du, FromCache: delta.fromCache, RevokedAt: de.RevocationTime, Reason: de.Reason.String(), ThisUpdate: delta.idx.Header.ThisUpdate, NextUpdate: delta.idx.Header.NextUpdate}, why{}
			}
		}
		delta.close()
	}
	if base.stale {
		params["NextUpdate"] = formatTime(base.idx.Header.NextUpdate)
		reason := "crl-stale"
		if !e.online() {
			reason = "offline-crl-stale"
		}
		rev.Status = RevocationUnknown
		return rev, why{reason, params}
	}
	rev.Status = RevocationGood
	return rev, why{}
}

func deltaLocations(fromCRL, fromCert []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, u := range append(append([]string(nil), fromCRL...), fromCert...) {
		if !seen[u] {
			seen[u] = true
			out = append(out, u)
		}
	}
	return out
}

// loadedCRL is an open index and how it was had.
type loadedCRL struct {
	idx       *crl.Index
	fromCache bool
	stale     bool
	tempDir   string // without a cache: the index's own folder, removed on close
}

// close closes the index, then removes a temporary one (Windows cannot
// remove an open file).
func (l *loadedCRL) close() {
	l.idx.Close()
	if l.tempDir != "" {
		os.RemoveAll(l.tempDir)
	}
}

// crlMeta is kept beside a cached index: which URL and issuer key it is
// for and when it was fetched, so a CRL is never used for another CA key
// that shares the name.
type crlMeta struct {
	URL        string    `json:"url"`
	Fetched    time.Time `json:"fetched"`
	IssuerSPKI []byte    `json:"issuer_spki_sha256"`
}

func spkiHash(c *cert.Certificate) []byte {
	sum := sha256.Sum256(c.RawSubjectPublicKeyInfo)
	return sum[:]
}

// loadCRL opens the cached index of the CRL at u, downloading, checking and
// indexing it when there is none or it is past its nextUpdate (online
// only). A stale cache is still returned, marked stale, when nothing
// fresher could be had: a revocation it lists remains true.
func (e *engine) loadCRL(u string, issuer *cert.Certificate, purpose string) (*loadedCRL, why) {
	params := map[string]any{"URL": u}
	if err := fetch.CheckURL(u); err != nil {
		e.recordFailedURL(u, purpose, err)
		var fe *fetch.Error
		if errors.As(err, &fe) && fe.Reason == fetch.ReasonUnsupportedScheme {
			return nil, why{"crl-scheme-unsupported", params}
		}
		params["Detail"] = err.Error()
		return nil, why{"crl-fetch-failed", params}
	}
	idxPath := e.cachePath("crl", u, ".idx")
	cached := e.openCachedCRL(idxPath, u, issuer)
	if cached != nil && !cached.stale {
		e.res.Fetches = append(e.res.Fetches, fetch.Attempt{URL: u, Method: "GET", Purpose: purpose, FromCache: true, Started: e.now})
		return cached, why{}
	}
	if !e.online() {
		if cached != nil {
			e.res.Fetches = append(e.res.Fetches, fetch.Attempt{URL: u, Method: "GET", Purpose: purpose, FromCache: true, Started: e.now})
			return cached, why{}
		}
		return nil, why{"offline-no-cache", params}
	}
	fresh, w := e.downloadCRL(u, idxPath, issuer, purpose)
	if fresh != nil {
		if cached != nil {
			cached.close()
		}
		return fresh, why{}
	}
	if cached != nil {
		return cached, why{}
	}
	return nil, w
}

func (e *engine) openCachedCRL(idxPath, u string, issuer *cert.Certificate) *loadedCRL {
	if idxPath == "" {
		return nil
	}
	raw, err := os.ReadFile(idxPath + ".json")
	if err != nil {
		return nil
	}
	var meta crlMeta
	if json.Unmarshal(raw, &meta) != nil || meta.URL != u || string(meta.IssuerSPKI) != string(spkiHash(issuer)) {
		return nil
	}
	idx, err := crl.OpenIndex(idxPath)
	if err != nil {
		return nil
	}
	l := &loadedCRL{idx: idx, fromCache: true}
	if next := idx.Header.NextUpdate; next.IsZero() {
		l.stale = e.now.Sub(meta.Fetched) > crlWithoutNextUpdate
	} else {
		l.stale = e.now.After(next)
	}
	return l
}

func (e *engine) downloadCRL(u, idxPath string, issuer *cert.Certificate, purpose string) (*loadedCRL, why) {
	params := map[string]any{"URL": u}
	data, attempt, err := e.opts.Fetcher.Get(e.ctx, u)
	attempt.Purpose = purpose
	e.res.Fetches = append(e.res.Fetches, attempt)
	if err != nil {
		params["Detail"] = err.Error()
		return nil, why{"crl-fetch-failed", params}
	}
	list, err := crl.Parse(data)
	if err != nil {
		params["Detail"] = err.Error()
		return nil, why{"crl-unreadable", params}
	}
	if w, ok := checkCRL(list, issuer, purpose, params); !ok {
		return nil, w
	}
	tempDir := ""
	if idxPath == "" {
		// No cache: index into a temporary folder that goes when closed.
		dir, err := os.MkdirTemp("", "podpis-crl-")
		if err != nil {
			params["Detail"] = err.Error()
			return nil, why{"crl-cache-broken", params}
		}
		tempDir, idxPath = dir, filepath.Join(dir, "crl.idx")
	}
	fail := func(err error) (*loadedCRL, why) {
		if tempDir != "" {
			os.RemoveAll(tempDir)
		}
		params["Detail"] = err.Error()
		return nil, why{"crl-cache-broken", params}
	}
	if err := os.MkdirAll(filepath.Dir(idxPath), 0o700); err != nil {
		return fail(err)
	}
	if err := crl.WriteIndex(list, idxPath); err != nil {
		return fail(err)
	}
	meta, _ := json.Marshal(crlMeta{URL: u, Fetched: e.now, IssuerSPKI: spkiHash(issuer)})
	_ = atomicfile.Write(idxPath+".json", meta, 0o600)
	idx, err := crl.OpenIndex(idxPath)
	if err != nil {
		return fail(err)
	}
	l := &loadedCRL{idx: idx, tempDir: tempDir}
	if next := idx.Header.NextUpdate; !next.IsZero() && e.now.After(next) {
		l.stale = true
	}
	return l, why{}
}

// checkCRL: the CRL is the issuer's (name, key identifier), signed by the
// issuer's key, which may sign CRLs, and is of the kind expected.
func checkCRL(list *crl.CRL, issuer *cert.Certificate, purpose string, params map[string]any) (why, bool) {
	if !sameName(list.RawIssuer, issuer.RawSubject, list.Issuer, issuer.Subject) ||
		(len(list.AuthorityKeyID) > 0 && len(issuer.SubjectKeyID) > 0 && string(list.AuthorityKeyID) != string(issuer.SubjectKeyID)) {
		params["CRLIssuer"], params["Issuer"] = list.Issuer.String(), issuer.Subject.String()
		return why{"crl-wrong-issuer", params}, false
	}
	if err := sigalg.VerifyMessage(issuer, sigalg.Identifier{OID: list.SignatureAlgorithm, Params: list.SignatureAlgorithmParams}, list.RawTBS, list.Signature); err != nil {
		params["Detail"] = err.Error()
		return why{"crl-signature-invalid", params}, false
	}
	if issuer.HasKeyUsage && issuer.KeyUsage&cert.KeyUsageCRLSign == 0 {
		return why{"crl-issuer-key-usage", params}, false
	}
	if len(list.UnhandledCritical) > 0 {
		params["Extensions"] = extensionName(list.UnhandledCritical[0])
		return why{"crl-unhandled-critical", params}, false
	}
	if isDelta := list.BaseCRLNumber != nil; isDelta != (purpose == "delta-crl") {
		return why{"crl-wrong-kind", params}, false
	}
	return why{}, true
}
