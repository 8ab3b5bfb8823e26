package validate

import (
	"encoding/asn1"
	"errors"
	"strings"

	"github.com/podpis/podpis/certstore/cert"
	"github.com/podpis/podpis/certstore/oid"
	"github.com/podpis/podpis/certstore/sigalg"
)

// checkChain runs the per-certificate checks over the path built, then
// says why the path stops short of a trusted root when it does.
func (e *engine) checkChain() {
	chain := e.res.Chain
	for i, l := range chain {
		e.checkValidity(i, l.Cert)
		if i+1 < len(chain) {
			e.checkSignature(i, l.Cert, chain[i+1].Cert)
		}
		isLeaf := i == 0
		if !isLeaf || e.res.Usage == UsageCA {
			e.checkCA(i, l.Cert, l.Trusted)
		}
		if isLeaf && e.res.Usage == UsageSign {
			e.checkKeyPeriod(l.Cert)
			e.checkSigningUsage(l.Cert)
		}
		e.checkCritical(i, l.Cert)
	}
	e.checkTrust()
}

func (e *engine) subjectParams(c *cert.Certificate) map[string]any {
	return map[string]any{"Subject": displayName(c), "Serial": c.SerialHex()}
}

// displayName is how a certificate is named in messages: its CN, else its
// organisation, else the whole DN.
func displayName(c *cert.Certificate) string {
	if cn := c.Subject.CommonName(); cn != "" {
		return cn
	}
	if o := c.Subject.Organization(); o != "" {
		return o
	}
	return c.Subject.String()
}

func (e *engine) checkValidity(i int, c *cert.Certificate) {
	p := e.subjectParams(c)
	p["NotBefore"], p["NotAfter"], p["At"] = formatTime(c.NotBefore), formatTime(c.NotAfter), formatTime(e.at)
	role := ""
	if i > 0 {
		role = "ca-"
	}
	switch {
	case e.at.Before(c.NotBefore):
		e.fail(i, "validity", "not-yet-valid", role+"not-yet-valid", SeverityError, p)
	case e.at.After(c.NotAfter):
		e.fail(i, "validity", "expired", role+"expired", SeverityError, p)
	default:
		e.check(i, "validity", CheckPass, "", p)
	}
}

func (e *engine) checkSignature(i int, c, issuer *cert.Certificate) {
	p := e.subjectParams(c)
	p["Issuer"] = displayName(issuer)
	p["Algorithm"] = oid.ShortName(c.SignatureAlgorithm)
	err := sigalg.CheckCertificateSignature(c, issuer)
	if err == nil {
		e.check(i, "signature", CheckPass, "", p)
		return
	}
	p["Detail"] = err.Error()
	var unsupported *sigalg.UnsupportedError
	if asUnsupported(err, &unsupported) {
		e.fail(i, "signature", "signature-invalid", "certificate-signature-unsupported", SeverityError, p)
		return
	}
	e.fail(i, "signature", "signature-invalid", "certificate-signature-invalid", SeverityError, p)
}

// checkCA: a certificate that issues others must say it is a CA
// (basicConstraints), may issue certificates (keyCertSign), and must not
// have more CAs below it than its pathLenConstraint allows. A trust anchor
// with no extensions at all (an old v1 root) is trusted as it is, as
// OpenSSL does; any other certificate must say it.
func (e *engine) checkCA(i int, c *cert.Certificate, anchor bool) {
	p := e.subjectParams(c)
	switch {
	case c.BasicConstraintsValid && c.IsCA:
		e.check(i, "basic-constraints", CheckPass, "", p)
	case anchor && c.Version < 3:
		e.check(i, "basic-constraints", CheckPass, "", p)
	default:
		e.fail(i, "basic-constraints", "ca-constraints", "not-a-ca", SeverityError, p)
	}
	if c.BasicConstraintsValid && c.IsCA && c.MaxPathLen >= 0 {
		// CAs between this one and the leaf, not counting self-issued ones
		// (RFC 5280 6.1.4 (l)).
		below := 0
		for j := 1; j < i; j++ {
			if !isSelfIssued(e.res.Chain[j].Cert) {
				below++
			}
		}
		pp := e.subjectParams(c)
		pp["PathLen"], pp["Below"] = c.MaxPathLen, below
		if below > c.MaxPathLen {
			e.fail(i, "path-length", "ca-constraints", "path-length", SeverityError, pp)
		} else if i > 0 {
			e.check(i, "path-length", CheckPass, "", pp)
		}
	}
	if c.HasKeyUsage && c.KeyUsage&cert.KeyUsageCertSign == 0 {
		pp := e.subjectParams(c)
		pp["Has"] = keyUsageNames(c.KeyUsage)
		pp["Needs"] = "keyCertSign"
		e.fail(i, "key-usage", "key-usage", "ca-key-usage", SeverityError, pp)
	} else if i > 0 || e.res.Usage == UsageCA {
		e.check(i, "key-usage", CheckPass, "", p)
	}
}

// checkKeyPeriod: the PrivateKeyUsagePeriod of a Russian qualified
// certificate is shorter than the certificate (usually 15 months against
// several years of the certificate's own validity for verification), and
// signing past it is the commonest silent failure.
func (e *engine) checkKeyPeriod(c *cert.Certificate) {
	p := e.subjectParams(c)
	p["At"] = formatTime(e.at)
	switch {
	case c.PrivateKeyNotAfter != nil && e.at.After(*c.PrivateKeyNotAfter):
		p["NotAfter"] = formatTime(*c.PrivateKeyNotAfter)
		e.fail(0, "key-period", "key-period-expired", "key-period-expired", SeverityError, p)
	case c.PrivateKeyNotBefore != nil && e.at.Before(*c.PrivateKeyNotBefore):
		p["NotBefore"] = formatTime(*c.PrivateKeyNotBefore)
		e.fail(0, "key-period", "key-period-expired", "key-period-not-started", SeverityError, p)
	case c.PrivateKeyNotAfter == nil && c.PrivateKeyNotBefore == nil:
		e.check(0, "key-period", CheckSkip, "", p)
	default:
		if c.PrivateKeyNotBefore != nil {
			p["NotBefore"] = formatTime(*c.PrivateKeyNotBefore)
		}
		if c.PrivateKeyNotAfter != nil {
			p["NotAfter"] = formatTime(*c.PrivateKeyNotAfter)
		}
		e.check(0, "key-period", CheckPass, "", p)
	}
}

func (e *engine) checkSigningUsage(c *cert.Certificate) {
	p := e.subjectParams(c)
	if c.HasKeyUsage && c.KeyUsage&(cert.KeyUsageDigitalSignature|cert.KeyUsageContentCommitment) == 0 {
		p["Has"] = keyUsageNames(c.KeyUsage)
		p["Needs"] = "digitalSignature, nonRepudiation"
		e.fail(0, "key-usage", "key-usage", "sign-key-usage", SeverityError, p)
		return
	}
	e.check(0, "key-usage", CheckPass, "", p)
}

func (e *engine) checkCritical(i int, c *cert.Certificate) {
	unknown := c.UnhandledCriticalExtensions()
	p := e.subjectParams(c)
	if len(unknown) == 0 {
		e.check(i, "critical-extensions", CheckPass, "", p)
		return
	}
	names := make([]string, len(unknown))
	for j, id := range unknown {
		names[j] = extensionName(id)
	}
	p["Extensions"] = strings.Join(names, ", ")
	e.fail(i, "critical-extensions", "unknown-critical-extension", "unknown-critical-extension", SeverityError, p)
}

func extensionName(id asn1.ObjectIdentifier) string {
	if name := oid.ShortName(id); name != "" && name != id.String() {
		return name + " (" + id.String() + ")"
	}
	return id.String()
}

// checkTrust explains a path that does not end in a trusted root.
func (e *engine) checkTrust() {
	chain := e.res.Chain
	last := len(chain) - 1
	top := chain[last].Cert
	if e.res.Complete {
		p := e.subjectParams(top)
		p["Thumbprint"] = top.Thumbprint()
		e.check(last, "trust", CheckPass, "", p)
		return
	}
	if isSelfIssued(top) && sigalg.CheckCertificateSignature(top, top) == nil {
		p := e.subjectParams(top)
		p["Thumbprint"] = top.Thumbprint()
		e.fail(last, "trust", "untrusted-root", "untrusted-root", SeverityError, p)
		return
	}
	p := e.subjectParams(top)
	p["Issuer"] = top.Issuer.String()
	p["IssuerName"] = issuerDisplay(top)
	if len(top.AuthorityKeyID) > 0 {
		p["AuthorityKeyID"] = hexColon(top.AuthorityKeyID)
	}
	urls := top.IssuingCertificateURL
	switch {
	case len(chain) > e.maxDepth:
		e.fail(last, "trust", "chain-incomplete", "chain-too-long", SeverityError, p)
	case len(urls) == 0:
		e.fail(last, "trust", "chain-incomplete", "issuer-missing", SeverityError, p)
	default:
		p["URL"] = urls[0]
		p["URLs"] = strings.Join(urls, ", ")
		reason := "issuer-missing-aia-mismatch"
		if f, ok := e.aiaFailure(urls[0]); ok {
			reason = "issuer-missing-aia-failed"
			if f.reason == "aia-offline" {
				reason = "issuer-missing-offline"
			}
			p["Detail"] = f.detail
		}
		e.fail(last, "trust", "chain-incomplete", reason, SeverityError, p)
	}
}

func issuerDisplay(c *cert.Certificate) string {
	if cn := c.Issuer.CommonName(); cn != "" {
		return cn
	}
	return c.Issuer.String()
}

func hexColon(b []byte) string {
	const digits = "0123456789abcdef"
	var sb strings.Builder
	for i, x := range b {
		if i > 0 {
			sb.WriteByte(':')
		}
		sb.WriteByte(digits[x>>4])
		sb.WriteByte(digits[x&15])
	}
	return sb.String()
}

// keyUsageNames lists the bits set, in RFC 5280's names.
func keyUsageNames(ku cert.KeyUsage) string {
	names := []string{"digitalSignature", "nonRepudiation", "keyEncipherment", "dataEncipherment", "keyAgreement", "keyCertSign", "cRLSign", "encipherOnly", "decipherOnly"}
	var set []string
	for bit, name := range names {
		if ku&(1<<bit) != 0 {
			set = append(set, name)
		}
	}
	if len(set) == 0 {
		return "—"
	}
	return strings.Join(set, ", ")
}

func asUnsupported(err error, target **sigalg.UnsupportedError) bool {
	return errors.As(err, target)
}
