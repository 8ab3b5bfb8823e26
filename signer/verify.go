package signer

import (
	"bytes"
	"context"
	"encoding/asn1"
	"errors"
	"io"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/podpis/podpis/certstore/cert"
	"github.com/podpis/podpis/certstore/oid"
	"github.com/podpis/podpis/certstore/sigalg"
)

// Problem codes of DESIGN used here besides those of the chain.
const (
	codeSignatureInvalid = "signature-invalid"
	codeCertMissing      = "signer-certificate-missing"
	codeChainIncomplete  = "chain-incomplete"
	codeRevocation       = "revocation-unknown"
	codeBadInput         = "bad-input"
)

// Verify checks an attached signature read from sig (DER, BER, PEM or bare
// Base64), streaming the content: it is hashed with every digest algorithm
// the signature declares as it goes by, and certificates and SignerInfos
// are read after it. A detached signature gives an *Error with reason
// "content-needed".
func Verify(sig io.Reader, opts VerifyOptions) (*Result, error) {
	in, _, err := decodeInput(sig)
	if err != nil {
		return nil, err
	}
	var d *digester
	sd, err := parseSignedData(in, func(sd *signedData) (io.Writer, error) {
		if !sd.attached {
			return nil, newError(reasonContentNeeded, nil, nil)
		}
		d = newDigester(digestOIDs(sd.digestAlgs))
		return d, nil
	})
	if err != nil {
		return nil, err
	}
	return evaluate(sd, d, opts), nil
}

// VerifyDetached checks a detached signature against content (read once).
// Given an attached signature, it checks the signature against content,
// not against the copy inside (which is skipped).
func VerifyDetached(sig io.Reader, content io.Reader, opts VerifyOptions) (*Result, error) {
	in, _, err := decodeInput(sig)
	if err != nil {
		return nil, err
	}
	sd, err := parseSignedData(in, func(*signedData) (io.Writer, error) { return nil, nil })
	if err != nil {
		return nil, err
	}
	// The signature is read first, so the content can be hashed with every
	// algorithm a signer used even if digestAlgorithms forgot one.
	algs := digestOIDs(sd.digestAlgs)
	for _, si := range sd.signers {
		algs = append(algs, si.digestAlg.OID)
	}
	d := newDigester(algs)
	if _, err := io.CopyBuffer(onlyWriter{d}, content, make([]byte, chunkSize)); err != nil {
		return nil, newError(reasonReadFailed, map[string]any{"Detail": "reading the document"}, err)
	}
	return evaluate(sd, d, opts), nil
}

// evaluate checks every signer of sd against the content digests of d.
func evaluate(sd *signedData, d *digester, opts VerifyOptions) *Result {
	res := &Result{Attached: sd.attached, ContentType: sd.contentType}
	at := opts.At
	if at.IsZero() {
		at = time.Now()
	}
	if sd.badCerts > 0 {
		res.Problems = append(res.Problems, Problem{Code: codeBadInput, Reason: reasonBadCertificate, Severity: SeverityWarning,
			Params: map[string]any{"Count": sd.badCerts}})
	}
	if len(sd.signers) == 0 {
		res.Problems = append(res.Problems, Problem{Code: codeSignatureInvalid, Reason: reasonNoSigners, Severity: SeverityError, Params: map[string]any{}})
	}
	for i, si := range sd.signers {
		res.Signers = append(res.Signers, verifySigner(i, si, sd, d, opts, at))
	}
	res.Status = StatusValid
	if len(sd.signers) == 0 {
		res.Status = StatusInvalid
	}
	for _, r := range res.Signers {
		switch {
		case r.Status == StatusInvalid:
			res.Status = StatusInvalid
		case r.Status == StatusIndeterminate && res.Status == StatusValid:
			res.Status = StatusIndeterminate
		}
	}
	return res
}

// findCertificate returns the certificate si names, from the signature's
// certificates first, then from the extra candidates.
func findCertificate(si *signerInfo, lists ...[]*cert.Certificate) *cert.Certificate {
	for _, list := range lists {
		for _, c := range list {
			if si.matches(c) {
				return c
			}
		}
	}
	return nil
}

func verifySigner(index int, si *signerInfo, sd *signedData, d *digester, opts VerifyOptions, at time.Time) *SignerResult {
	r := &SignerResult{Index: index, DigestAlgorithm: si.digestAlg.OID, SignatureAlgorithm: si.sigAlg.OID}
	c := findCertificate(si, sd.certs, opts.Certificates)
	r.Certificate = c
	r.SignerID = si.signerID(c)
	signer := r.SignerID
	if c != nil {
		signer = c.Subject.CommonName()
		if signer == "" {
			signer = c.Subject.String()
		}
	}
	add := func(code, reason string, severity Severity, params map[string]any) {
		p := map[string]any{"Signer": signer, "Index": index + 1}
		for k, v := range params {
			p[k] = v
		}
		r.Problems = append(r.Problems, Problem{Code: code, Reason: reason, Severity: severity, Params: p})
	}
	unsupported := func(err error) {
		var u *sigalg.UnsupportedError
		name := err.Error()
		if errors.As(err, &u) {
			name = oid.ShortName(u.OID)
		}
		add(codeSignatureInvalid, reasonUnsupported, SeverityError, map[string]any{"Algorithm": name, "Detail": err.Error()})
	}

	if a, ok := si.attr(oid.AttrSigningTime); ok && len(a.values) == 1 {
		if t, ok := readTimeValue(a.values[0]); ok {
			r.SigningTime = &t
		}
	}
	if c == nil {
		add(codeCertMissing, reasonCertificateMissing, SeverityError, map[string]any{"SignerID": r.SignerID})
	}

	digest := d.sum(si.digestAlg.OID)
	if digest == nil {
		if _, err := sigalg.NewHash(si.digestAlg.OID); err != nil {
			unsupported(err)
		} else {
			add(codeSignatureInvalid, reasonDigestNotDeclared, SeverityError, map[string]any{"Algorithm": oid.ShortName(si.digestAlg.OID)})
		}
	} else if c != nil {
		r.SignatureValid = checkSignature(si, sd, c, digest, add, unsupported)
	}

	if c != nil {
		r.CAdES = checkSigningCertificate(si, c, add)
		if opts.Chain == nil {
			add(codeChainIncomplete, reasonChainNotChecked, SeverityWarning, nil)
			add(codeRevocation, reasonRevocationNotChecked, SeverityWarning, nil)
		} else {
			ctx := opts.Context
			if ctx == nil {
				ctx = context.Background()
			}
			v := opts.Chain.VerifyChain(ctx, c, sd.certs, at)
			r.Validation = v
			for _, l := range v.Chain {
				r.Chain = append(r.Chain, l.Cert)
			}
			for _, p := range v.Problems {
				r.Problems = append(r.Problems, Problem{Code: p.Code, Reason: p.Reason, Severity: Severity(p.Severity), Params: p.Params, FromValidation: true})
			}
		}
	}

	r.Status = StatusValid
	for _, p := range r.Problems {
		if p.Severity == SeverityError {
			r.Status = StatusInvalid
			break
		}
		if opts.Strict && p.Code == codeRevocation {
			r.Status = StatusIndeterminate
		}
	}
	return r
}

// checkSignature verifies the signature value and, with signed
// attributes, the messageDigest and contentType attributes.
func checkSignature(si *signerInfo, sd *signedData, c *cert.Certificate, digest []byte,
	add func(code, reason string, severity Severity, params map[string]any), unsupported func(error)) bool {
	verify := func(signed []byte) bool {
		err := sigalg.VerifyDigest(c, si.sigAlg, si.digestAlg.OID, signed, si.signature)
		var u *sigalg.UnsupportedError
		var k *sigalg.KeyError
		switch {
		case err == nil:
			return true
		case errors.As(err, &u), errors.As(err, &k):
			unsupported(err)
		default:
			add(codeSignatureInvalid, reasonSignatureMismatch, SeverityError, nil)
		}
		return false
	}
	if si.signedAttrs == nil {
		// The signature is over the content's digest itself: a failure
		// cannot tell a changed document from a changed signature.
		return verify(digest)
	}
	attrsDigest, err := sigalg.Sum(si.digestAlg.OID, si.signedAttrs)
	if err != nil {
		unsupported(err)
		return false
	}
	if !verify(attrsDigest) {
		return false
	}
	valid := true
	if a, ok := si.attr(oid.AttrContentType); ok {
		s := cryptobyte.String(nil)
		if len(a.values) == 1 {
			s = cryptobyte.String(a.values[0])
		}
		var got asn1.ObjectIdentifier
		if !s.ReadASN1ObjectIdentifier(&got) {
			got = nil
		}
		if got == nil || !got.Equal(sd.contentType) {
			add(codeSignatureInvalid, reasonContentTypeMismatch, SeverityError, map[string]any{"ContentType": sd.contentType.String()})
			valid = false
		}
	}
	a, ok := si.attr(oid.AttrMessageDigest)
	var md cryptobyte.String
	if ok && len(a.values) == 1 {
		s := cryptobyte.String(a.values[0])
		if !s.ReadASN1(&md, cbasn1.OCTET_STRING) {
			ok = false
		}
	}
	switch {
	case !ok:
		add(codeSignatureInvalid, reasonMessageDigestMissing, SeverityError, nil)
		valid = false
	case !bytes.Equal(md, digest):
		add(codeSignatureInvalid, reasonContentMismatch, SeverityError, nil)
		valid = false
	}
	return valid
}

// checkSigningCertificate reports whether signingCertificateV2 (or v1)
// names c; a different certificate is an error.
func checkSigningCertificate(si *signerInfo, c *cert.Certificate, add func(code, reason string, severity Severity, params map[string]any)) bool {
	a, v2 := si.attr(oid.AttrSigningCertificateV2)
	if !v2 {
		var ok bool
		if a, ok = si.attr(oid.AttrSigningCertificate); !ok {
			return false
		}
	}
	if len(a.values) != 1 {
		add(codeSignatureInvalid, reasonBadAttributes, SeverityError, map[string]any{"Attribute": oid.ShortName(a.typ)})
		return false
	}
	id, ok := parseSigningCertificate(a.values[0], v2)
	if !ok {
		add(codeSignatureInvalid, reasonBadAttributes, SeverityError, map[string]any{"Attribute": oid.ShortName(a.typ)})
		return false
	}
	h, err := sigalg.Sum(id.hashAlg, c.Raw)
	if err != nil {
		add(codeSignatureInvalid, reasonUnsupported, SeverityError, map[string]any{"Algorithm": oid.ShortName(id.hashAlg), "Detail": err.Error()})
		return false
	}
	same := bytes.Equal(h, id.hash)
	if same && id.hasIssue {
		sameIssuer := id.issuer == nil || bytes.Equal(id.issuer, c.RawIssuer) || nameString(id.issuer) == nameString(c.RawIssuer)
		same = sameIssuer && id.serial.Cmp(c.SerialNumber) == 0
	}
	if !same {
		add(codeSignatureInvalid, reasonSigningCertMismatch, SeverityError, nil)
	}
	return same
}
