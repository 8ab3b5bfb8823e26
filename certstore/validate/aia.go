package validate

import (
	"crypto/sha256"
	"encoding/asn1"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/podpis/podpis/certstore/cert"
	"github.com/podpis/podpis/certstore/fetch"
	"github.com/podpis/podpis/certstore/oid"
	"github.com/podpis/podpis/internal/atomicfile"
)

// aiaResult is what one caIssuers URL gave, for the problem that names a
// missing issuer.
type aiaResult struct {
	url    string
	reason string // "" when it gave certificates
	detail string
}

// fetchIssuers downloads c's issuer from its AIA caIssuers URLs (one level
// at a time: the issuer's own issuer is fetched when the path reaches it),
// from the cache first. Offline, only the cache is read.
func (e *engine) fetchIssuers(c *cert.Certificate, path []Link) []candidate {
	for _, u := range c.IssuingCertificateURL {
		if e.aiaDone[u] {
			continue
		}
		e.aiaDone[u] = true
		data, src := e.aiaData(u)
		if data == nil {
			continue
		}
		certs, err := parseCertificates(data)
		if err != nil {
			e.aiaFailures = append(e.aiaFailures, aiaResult{url: u, reason: "aia-unreadable", detail: err.Error()})
			continue
		}
		found := false
		for _, ic := range certs {
			cand := candidate{cert: ic, source: src, url: u, trusted: e.trusted(ic)}
			e.pool = append(e.pool, cand)
			found = true
		}
		if !found {
			e.aiaFailures = append(e.aiaFailures, aiaResult{url: u, reason: "aia-empty"})
		}
	}
	return e.issuersOf(c, path)
}

// aiaFailure is what went wrong with url, if it was tried and failed.
func (e *engine) aiaFailure(url string) (aiaResult, bool) {
	for _, f := range e.aiaFailures {
		if f.url == url {
			return f, true
		}
	}
	return aiaResult{}, false
}

// aiaData returns the bytes behind u from the cache or the network.
func (e *engine) aiaData(u string) ([]byte, Source) {
	cachePath := e.cachePath("aia", u, ".bin")
	if cachePath != "" {
		if data, err := os.ReadFile(cachePath); err == nil && len(data) > 0 {
			e.res.Fetches = append(e.res.Fetches, fetch.Attempt{URL: u, Method: "GET", Purpose: "aia", Bytes: int64(len(data)), FromCache: true, Started: e.now})
			return data, SourceCache
		}
	}
	if !e.online() {
		e.aiaFailures = append(e.aiaFailures, aiaResult{url: u, reason: "aia-offline"})
		return nil, ""
	}
	if err := fetch.CheckURL(u); err != nil {
		a := fetch.Attempt{URL: u, Method: "GET", Purpose: "aia", Error: err.Error(), Started: e.now}
		var fe *fetch.Error
		if errors.As(err, &fe) {
			a.Reason = fe.Reason
		}
		e.res.Fetches = append(e.res.Fetches, a)
		e.aiaFailures = append(e.aiaFailures, aiaResult{url: u, reason: "aia-fetch-failed", detail: err.Error()})
		return nil, ""
	}
	data, attempt, err := e.opts.Fetcher.Get(e.ctx, u)
	attempt.Purpose = "aia"
	e.res.Fetches = append(e.res.Fetches, attempt)
	if err != nil {
		e.aiaFailures = append(e.aiaFailures, aiaResult{url: u, reason: "aia-fetch-failed", detail: err.Error()})
		return nil, ""
	}
	if _, perr := parseCertificates(data); perr == nil && cachePath != "" {
		// A failure to cache only costs a download next time.
		_ = os.MkdirAll(filepath.Dir(cachePath), 0o700)
		_ = atomicfile.Write(cachePath, data, 0o600)
	}
	return data, SourceAIA
}

// online: may the network be used?
func (e *engine) online() bool {
	return e.opts.Revocation == RevocationOnline && e.opts.Fetcher != nil
}

// cachePath is where the cache keeps what came from url; "" without a cache.
func (e *engine) cachePath(kind, url, ext string) string {
	if e.opts.CacheDir == "" {
		return ""
	}
	sum := sha256.Sum256([]byte(url))
	return filepath.Join(e.opts.CacheDir, kind, hex.EncodeToString(sum[:16])+ext)
}

// parseCertificates reads what a caIssuers URL serves: one DER
// certificate (.cer/.crt, the usual), a PKCS#7 "certs-only" bundle (.p7c,
// .p7b, RFC 5280 4.2.2.1), or the same in PEM.
func parseCertificates(data []byte) ([]*cert.Certificate, error) {
	if block, _ := pem.Decode(data); block != nil {
		var out []*cert.Certificate
		for rest := data; ; {
			var b *pem.Block
			b, rest = pem.Decode(rest)
			if b == nil {
				break
			}
			certs, err := parseCertificates(b.Bytes)
			if err != nil {
				return nil, err
			}
			out = append(out, certs...)
		}
		return out, nil
	}
	if c, err := cert.Parse(data); err == nil {
		return []*cert.Certificate{c}, nil
	}
	ders, err := pkcs7Certificates(data)
	if err != nil {
		return nil, err
	}
	out := make([]*cert.Certificate, 0, len(ders))
	for _, der := range ders {
		c, err := cert.Parse(der)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	if len(out) == 0 {
		return nil, errors.New("no certificates in the PKCS#7 bundle")
	}
	return out, nil
}

// pkcs7Certificates takes the certificates field out of a SignedData
// ContentInfo, ignoring the rest.
func pkcs7Certificates(data []byte) ([][]byte, error) {
	errNotPKCS7 := errors.New("neither a certificate nor a PKCS#7 bundle")
	s := cryptobyte.String(data)
	var ci, content, sd, certs cryptobyte.String
	var contentType asn1.ObjectIdentifier
	if !s.ReadASN1(&ci, cbasn1.SEQUENCE) || !ci.ReadASN1ObjectIdentifier(&contentType) {
		return nil, errNotPKCS7
	}
	if !contentType.Equal(oid.ContentSignedData) || !ci.ReadASN1(&content, cbasn1.Tag(0).Constructed().ContextSpecific()) || !content.ReadASN1(&sd, cbasn1.SEQUENCE) {
		return nil, errNotPKCS7
	}
	var skip cryptobyte.String
	var version int64
	if !sd.ReadASN1Integer(&version) || !sd.ReadASN1(&skip, cbasn1.SET) || !sd.ReadASN1(&skip, cbasn1.SEQUENCE) {
		return nil, errors.New("PKCS#7 bundle: malformed SignedData")
	}
	var present bool
	if !sd.ReadOptionalASN1(&certs, &present, cbasn1.Tag(0).Constructed().ContextSpecific()) {
		return nil, errors.New("PKCS#7 bundle: malformed certificates")
	}
	var out [][]byte
	for !certs.Empty() {
		var one cryptobyte.String
		var tag cbasn1.Tag
		if !certs.ReadAnyASN1Element(&one, &tag) {
			return nil, errors.New("PKCS#7 bundle: malformed certificate")
		}
		if tag == cbasn1.SEQUENCE {
			out = append(out, one)
		}
	}
	return out, nil
}
