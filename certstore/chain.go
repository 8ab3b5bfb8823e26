package certstore

import (
	"bytes"
	"time"

	"github.com/podpis/podpis/certstore/cert"
)

// maxChainLength bounds the walk; real qualified chains are 2-4 long.
const maxChainLength = 10

// Chain returns the entry and then its issuers as found in the store, up to
// a self-signed certificate. It matches by name, and by key identifier when
// there are several candidates, so a CA's old and new keys (same name) are
// told apart. When the walk stops short of a self-signed certificate,
// missing is the name of the issuer the store lacks. This is for export;
// validation (signatures, AIA, revocation) builds its paths itself.
func (s *Store) Chain(id string) (chain []*Entry, missing *cert.Name, err error) {
	e, err := s.Get(id)
	if err != nil {
		return nil, nil, err
	}
	all, err := s.Entries()
	if err != nil {
		return nil, nil, err
	}
	chain = []*Entry{e}
	seen := map[string]bool{e.ID: true}
	for cur := e; !cur.Cert.IsSelfSigned(); {
		if len(chain) >= maxChainLength {
			return chain, nil, nil
		}
		next := issuerOf(cur.Cert, all, s.now())
		if next == nil || seen[next.ID] {
			issuer := cur.Cert.Issuer
			return chain, &issuer, nil
		}
		seen[next.ID] = true
		chain = append(chain, next)
		cur = next
	}
	return chain, nil, nil
}

// issuerOf picks the best issuer candidate: the name must match; then a
// matching key identifier, a trusted root, and current validity count.
func issuerOf(c *cert.Certificate, all []*Entry, now time.Time) *Entry {
	var best *Entry
	bestScore := -1
	for _, cand := range all {
		if !bytes.Equal(cand.Cert.RawSubject, c.RawIssuer) || bytes.Equal(cand.Cert.Raw, c.Raw) {
			continue
		}
		score := 0
		if len(c.AuthorityKeyID) > 0 && bytes.Equal(c.AuthorityKeyID, cand.Cert.SubjectKeyID) {
			score += 4
		}
		if cand.List == ListRoot {
			score += 2
		}
		if !now.Before(cand.Cert.NotBefore) && !now.After(cand.Cert.NotAfter) {
			score++
		}
		if score > bestScore {
			best, bestScore = cand, score
		}
	}
	return best
}
