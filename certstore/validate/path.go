package validate

import (
	"bytes"
	"slices"
	"strings"

	"github.com/podpis/podpis/certstore/cert"
	"github.com/podpis/podpis/certstore/sigalg"
)

// candidate is a possible issuer and where it came from.
type candidate struct {
	cert    *cert.Certificate
	source  Source
	url     string
	trusted bool
}

func (e *engine) candidates() []candidate {
	var pool []candidate
	seen := map[string]bool{}
	add := func(c *cert.Certificate, src Source, trusted bool) {
		if c == nil {
			return
		}
		key := string(c.Raw)
		if seen[key] {
			return
		}
		seen[key] = true
		pool = append(pool, candidate{cert: c, source: src, trusted: trusted})
	}
	for _, c := range e.opts.Roots {
		add(c, SourceRoot, true)
	}
	for _, c := range e.opts.Intermediates {
		add(c, SourceIntermediate, false)
	}
	for _, c := range e.opts.Extra {
		add(c, SourceExtra, false)
	}
	return pool
}

// trusted reports whether c is a trust anchor (the same DER as a root).
func (e *engine) trusted(c *cert.Certificate) bool {
	for _, r := range e.opts.Roots {
		if bytes.Equal(r.Raw, c.Raw) {
			return true
		}
	}
	return false
}

// buildPath finds the path from leaf to a trust anchor. Among several
// issuers (a CA key rollover: same name, several keys; cross-certificates)
// it prefers, in order, one whose key verifies the signature, a trust
// anchor, one valid at the time judged at, and one whose key identifier
// matches; it backtracks when a branch cannot reach an anchor. Without a
// complete path it returns the best partial one, which the checks then
// explain (issuer missing, root not trusted).
func (e *engine) buildPath(leaf *cert.Certificate) ([]Link, bool) {
	start := Link{Cert: leaf, Source: SourceInput, Trusted: e.trusted(leaf)}
	return e.extend([]Link{start})
}

// extend continues path from its last certificate, depth first.
func (e *engine) extend(path []Link) ([]Link, bool) {
	cur := path[len(path)-1]
	if cur.Trusted {
		return path, true
	}
	if len(path) > e.maxDepth || e.ctx.Err() != nil {
		return path, false
	}
	cands := e.issuersOf(cur.Cert, path)
	if len(cands) == 0 && !isSelfIssued(cur.Cert) {
		cands = e.fetchIssuers(cur.Cert, path)
	}
	best := path
	var brokenComplete []Link
	for _, cand := range cands {
		next := append(append([]Link(nil), path...), Link{Cert: cand.cert, Source: cand.source, URL: cand.url, Trusted: cand.trusted})
		got, ok := e.extend(next)
		switch {
		case ok && e.signaturesVerify(got):
			return got, true
		case ok && brokenComplete == nil:
			brokenComplete = got
		case !ok && len(got) > len(best):
			best = got
		}
	}
	if brokenComplete != nil {
		// A complete path with a bad signature beats a partial one: it
		// shows the real problem (a forged or damaged link) rather than
		// "issuer missing".
		return brokenComplete, true
	}
	return best, false
}

func (e *engine) signaturesVerify(path []Link) bool {
	for i := 0; i+1 < len(path); i++ {
		if sigalg.CheckCertificateSignature(path[i].Cert, path[i+1].Cert) != nil {
			return false
		}
	}
	return true
}

// issuersOf returns the pool's candidates that may have issued c, best
// first. A certificate already on the path is not used again (loops of
// cross-certificates).
func (e *engine) issuersOf(c *cert.Certificate, path []Link) []candidate {
	type scored struct {
		candidate
		score int
	}
	var found []scored
	for _, cand := range e.pool {
		if !sameName(cand.cert.RawSubject, c.RawIssuer, cand.cert.Subject, c.Issuer) || onPath(cand.cert, path) {
			continue
		}
		if len(c.AuthorityKeyID) > 0 && len(cand.cert.SubjectKeyID) > 0 && !bytes.Equal(c.AuthorityKeyID, cand.cert.SubjectKeyID) {
			continue
		}
		score := 0
		if sigalg.CheckCertificateSignature(c, cand.cert) == nil {
			score += 8
		}
		if cand.trusted {
			score += 4
		}
		if !e.at.Before(cand.cert.NotBefore) && !e.at.After(cand.cert.NotAfter) {
			score += 2
		}
		if len(c.AuthorityKeyID) > 0 && bytes.Equal(c.AuthorityKeyID, cand.cert.SubjectKeyID) {
			score++
		}
		found = append(found, scored{cand, score})
	}
	// A stable insertion sort: pools are a handful of certificates.
	for i := 1; i < len(found); i++ {
		for j := i; j > 0 && found[j].score > found[j-1].score; j-- {
			found[j], found[j-1] = found[j-1], found[j]
		}
	}
	out := make([]candidate, len(found))
	for i, f := range found {
		out[i] = f.candidate
	}
	return out
}

func onPath(c *cert.Certificate, path []Link) bool {
	for _, l := range path {
		if bytes.Equal(l.Cert.Raw, c.Raw) {
			return true
		}
	}
	return false
}

// isSelfIssued: the issuer and subject names are the same (a root, or a
// self-issued key-rollover certificate).
func isSelfIssued(c *cert.Certificate) bool {
	return sameName(c.RawIssuer, c.RawSubject, c.Issuer, c.Subject)
}

// sameName compares distinguished names the way OpenSSL does
// (x509_name_canon): the same DER, or the same RDNs in the same order whose
// attributes, in any order within an RDN, have equal canonical values.
func sameName(rawA, rawB []byte, a, b cert.Name) bool {
	if bytes.Equal(rawA, rawB) {
		return true
	}
	ra, rb := canonicalRDNs(a), canonicalRDNs(b)
	if len(ra) != len(rb) || len(ra) == 0 {
		return false
	}
	for i := range ra {
		if !slices.Equal(ra[i], rb[i]) {
			return false
		}
	}
	return true
}

// canonicalRDNs is each RDN's attributes in canonical form, sorted as a
// DER SET OF would be.
func canonicalRDNs(n cert.Name) [][]string {
	var rdns [][]string
	for _, at := range n.Attributes {
		if !at.SameRDNAsPrevious || len(rdns) == 0 {
			rdns = append(rdns, nil)
		}
		last := len(rdns) - 1
		rdns[last] = append(rdns[last], at.Type.String()+"="+canonicalValue(at))
	}
	for _, r := range rdns {
		slices.Sort(r)
	}
	return rdns
}

// canonicalValue is OpenSSL's canonical form of an attribute value: the
// text string types (UTF8, Printable, T61, IA5, Visible, Universal, BMP)
// become their text with ASCII white space trimmed and collapsed and ASCII
// letters in lower case — other letters keep their case, as in OpenSSL —;
// any other value, NumericString included, stays its exact DER.
func canonicalValue(at cert.Attribute) string {
	if len(at.RawValue) > 0 {
		switch at.RawValue[0] {
		case 12, 19, 20, 22, 26, 28, 30:
			return "s:" + canonical(at.Value)
		}
	}
	return "r:" + string(at.RawValue)
}

func canonical(s string) string {
	isSpace := func(c byte) bool { return c == ' ' || (c >= '\t' && c <= '\r') }
	var sb strings.Builder
	pending := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isSpace(c) {
			pending = sb.Len() > 0
			continue
		}
		if pending {
			sb.WriteByte(' ')
			pending = false
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		sb.WriteByte(c)
	}
	return sb.String()
}
