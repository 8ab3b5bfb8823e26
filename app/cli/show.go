package cli

import (
	"crypto/sha256"
	"encoding/asn1"
	"encoding/hex"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/podpis/podpis/certstore"
	"github.com/podpis/podpis/certstore/cert"
	"github.com/podpis/podpis/certstore/oid"
)

// oidName is an OID with its registry key and its name in the chosen
// language (the dotted OID when the registry does not know it).
type oidName struct {
	OID  string `json:"oid"`
	Key  string `json:"key,omitempty"`
	Name string `json:"name"`
}

type attrJSON struct {
	OID   string `json:"oid"`
	Key   string `json:"key,omitempty"`
	Short string `json:"short"`
	Name  string `json:"name"`
	Value string `json:"value"`
}

type nameJSON struct {
	DN         string     `json:"dn"`
	CommonName string     `json:"commonName"`
	Attributes []attrJSON `json:"attributes"`
}

type periodJSON struct {
	NotBefore *time.Time `json:"notBefore,omitempty"`
	NotAfter  *time.Time `json:"notAfter,omitempty"`
}

type publicKeyJSON struct {
	Algorithm      oidName  `json:"algorithm"`
	Family         string   `json:"family"`
	Bits           int      `json:"bits,omitempty"`
	ParamSet       *oidName `json:"paramSet,omitempty"`
	DigestParamSet *oidName `json:"digestParamSet,omitempty"`
	Description    string   `json:"description"`
	// Value is the subjectPublicKey BIT STRING's contents in hex, as
	// CryptoPro shows it (for GOST: an OCTET STRING of little-endian X||Y).
	Value string `json:"value"`
}

type basicConstraintsJSON struct {
	CA         bool `json:"ca"`
	MaxPathLen *int `json:"maxPathLen,omitempty"`
}

type extensionJSON struct {
	OID      string `json:"oid"`
	Key      string `json:"key,omitempty"`
	Name     string `json:"name"`
	Critical bool   `json:"critical"`
}

// showJSON is `show --json`: every field the text shows, structured.
type showJSON struct {
	ID                    string                `json:"id"` // SHA-1 thumbprint
	SHA256                string                `json:"sha256"`
	List                  string                `json:"list"`
	HasKey                bool                  `json:"hasKey"` // it can sign: a key container or a key on a token
	KeyLocation           string                `json:"keyLocation,omitempty"`
	Token                 *entryTokenJSON       `json:"token,omitempty"`
	KeyRemembered         bool                  `json:"keyRemembered"` // the container's password, or the token's PIN, is in the keyring
	UntrustedRoot         bool                  `json:"untrustedRoot"`
	Source                string                `json:"source,omitempty"`
	Added                 time.Time             `json:"added"`
	Version               int                   `json:"version"`
	Serial                string                `json:"serial"`
	Subject               nameJSON              `json:"subject"`
	Issuer                nameJSON              `json:"issuer"`
	NotBefore             time.Time             `json:"notBefore"`
	NotAfter              time.Time             `json:"notAfter"`
	Status                string                `json:"status"`
	DaysLeft              int                   `json:"daysLeft"`
	PrivateKeyUsagePeriod *periodJSON           `json:"privateKeyUsagePeriod,omitempty"`
	PublicKey             publicKeyJSON         `json:"publicKey"`
	SignatureAlgorithm    oidName               `json:"signatureAlgorithm"`
	KeyUsage              []string              `json:"keyUsage,omitempty"`
	ExtKeyUsage           []oidName             `json:"extKeyUsage,omitempty"`
	BasicConstraints      *basicConstraintsJSON `json:"basicConstraints,omitempty"`
	Policies              []oidName             `json:"policies,omitempty"`
	SubjectSignTool       string                `json:"subjectSignTool,omitempty"`
	IssuerSignTool        []string              `json:"issuerSignTool,omitempty"`
	CRLDistributionPoints []string              `json:"crlDistributionPoints,omitempty"`
	OCSPServers           []string              `json:"ocspServers,omitempty"`
	CAIssuers             []string              `json:"caIssuers,omitempty"`
	DNSNames              []string              `json:"dnsNames,omitempty"`
	EmailAddresses        []string              `json:"emailAddresses,omitempty"`
	SubjectKeyID          string                `json:"subjectKeyId,omitempty"`
	AuthorityKeyID        string                `json:"authorityKeyId,omitempty"`
	Extensions            []extensionJSON       `json:"extensions"`
}

// keyUsageBits are the keyUsage bits in RFC 5280 order, with the ASN.1 names
// used in JSON and the translation keys of their names.
func keyUsageBits() []struct {
	bit  cert.KeyUsage
	name string
	key  string
} {
	return []struct {
		bit  cert.KeyUsage
		name string
		key  string
	}{
		{cert.KeyUsageDigitalSignature, "digitalSignature", "cli.ku.digital-signature"},
		{cert.KeyUsageContentCommitment, "contentCommitment", "cli.ku.content-commitment"},
		{cert.KeyUsageKeyEncipherment, "keyEncipherment", "cli.ku.key-encipherment"},
		{cert.KeyUsageDataEncipherment, "dataEncipherment", "cli.ku.data-encipherment"},
		{cert.KeyUsageKeyAgreement, "keyAgreement", "cli.ku.key-agreement"},
		{cert.KeyUsageCertSign, "keyCertSign", "cli.ku.cert-sign"},
		{cert.KeyUsageCRLSign, "cRLSign", "cli.ku.crl-sign"},
		{cert.KeyUsageEncipherOnly, "encipherOnly", "cli.ku.encipher-only"},
		{cert.KeyUsageDecipherOnly, "decipherOnly", "cli.ku.decipher-only"},
	}
}

func runShow(r *runner, a *parsedArgs) int {
	store, e, err := r.storeEntry(a.positional[0])
	if err != nil {
		return r.fail(err)
	}
	info := r.describe(store, e)
	if r.json {
		r.printJSON(info)
		return exitOK
	}
	r.printShow(e, info)
	return exitOK
}

func (r *runner) oidName(o asn1.ObjectIdentifier) oidName {
	n := oidName{OID: o.String(), Name: o.String()}
	if info, ok := oid.Lookup(o); ok {
		n.Key = info.Key
		if key := info.TranslationKey(); r.l.Has(key) {
			n.Name = r.l.T(key)
		} else {
			n.Name = info.Short
		}
	}
	return n
}

func (r *runner) nameJSON(n cert.Name) nameJSON {
	out := nameJSON{DN: n.String(), CommonName: n.CommonName(), Attributes: []attrJSON{}}
	for _, a := range n.Attributes {
		on := r.oidName(a.Type)
		out.Attributes = append(out.Attributes, attrJSON{
			OID: on.OID, Key: on.Key, Short: oid.ShortName(a.Type), Name: on.Name, Value: a.Value,
		})
	}
	return out
}

// describe gathers everything show prints.
func (r *runner) describe(store *certstore.Store, e *certstore.Entry) showJSON {
	c := e.Cert
	now := r.env.Now()
	st := certstore.StatusAt(c, now, certstore.ExpiryWarningDays)
	sum := sha256.Sum256(c.Raw)
	info := showJSON{
		ID:                    e.ID,
		SHA256:                hex.EncodeToString(sum[:]),
		List:                  string(e.List),
		HasKey:                e.CanSign(),
		KeyLocation:           keyLocationOf(e),
		UntrustedRoot:         e.UntrustedRoot(),
		Source:                e.Source,
		Added:                 e.Added.UTC(),
		Version:               c.Version,
		Serial:                c.SerialHex(),
		Subject:               r.nameJSON(c.Subject),
		Issuer:                r.nameJSON(c.Issuer),
		NotBefore:             c.NotBefore.UTC(),
		NotAfter:              c.NotAfter.UTC(),
		Status:                string(st.Validity),
		DaysLeft:              st.DaysLeft,
		PublicKey:             r.publicKey(c),
		SignatureAlgorithm:    r.oidName(c.SignatureAlgorithm),
		SubjectSignTool:       c.SubjectSignTool,
		IssuerSignTool:        c.IssuerSignTool,
		CRLDistributionPoints: c.CRLDistributionPoints,
		OCSPServers:           c.OCSPServers,
		CAIssuers:             c.IssuingCertificateURL,
		DNSNames:              c.DNSNames,
		EmailAddresses:        c.EmailAddresses,
		SubjectKeyID:          hex.EncodeToString(c.SubjectKeyID),
		AuthorityKeyID:        hex.EncodeToString(c.AuthorityKeyID),
		Extensions:            []extensionJSON{},
	}
	switch {
	case e.Token != nil:
		info.Token = entryToken(e, r.tokenPresence(store, []*certstore.Entry{e}))
		info.KeyRemembered = store.PINRemembered(e.Token.Serial)
	case e.HasKey:
		info.KeyRemembered = store.Remembered(e.ID)
	}
	if c.PrivateKeyNotBefore != nil || c.PrivateKeyNotAfter != nil {
		p := &periodJSON{}
		if c.PrivateKeyNotBefore != nil {
			t := c.PrivateKeyNotBefore.UTC()
			p.NotBefore = &t
		}
		if c.PrivateKeyNotAfter != nil {
			t := c.PrivateKeyNotAfter.UTC()
			p.NotAfter = &t
		}
		info.PrivateKeyUsagePeriod = p
	}
	if c.HasKeyUsage {
		info.KeyUsage = []string{}
		for _, b := range keyUsageBits() {
			if c.KeyUsage&b.bit != 0 {
				info.KeyUsage = append(info.KeyUsage, b.name)
			}
		}
	}
	for _, u := range c.ExtKeyUsage {
		info.ExtKeyUsage = append(info.ExtKeyUsage, r.oidName(u))
	}
	if c.BasicConstraintsValid {
		bc := &basicConstraintsJSON{CA: c.IsCA}
		if c.IsCA && c.MaxPathLen >= 0 {
			n := c.MaxPathLen
			bc.MaxPathLen = &n
		}
		info.BasicConstraints = bc
	}
	for _, p := range c.Policies {
		info.Policies = append(info.Policies, r.oidName(p))
	}
	for _, x := range c.Extensions {
		on := r.oidName(x.ID)
		info.Extensions = append(info.Extensions, extensionJSON{OID: on.OID, Key: on.Key, Name: on.Name, Critical: x.Critical})
	}
	return info
}

// publicKey names the key in words: "ГОСТ Р 34.10-2012, 256 бит, набор
// параметров A (TC26)", "RSA, 2048 бит", "ECDSA, кривая NIST P-256".
func (r *runner) publicKey(c *cert.Certificate) publicKeyJSON {
	pk := c.PublicKeyInfo()
	out := publicKeyJSON{Algorithm: r.oidName(c.PublicKeyAlgorithm), Family: pk.Family, Bits: pk.Bits,
		Value: hex.EncodeToString(c.PublicKey)}
	parts := []string{r.l.T(pk.DescriptionKey)}
	if pk.Family == cert.FamilyUnknown {
		parts[0] += " (" + c.PublicKeyAlgorithm.String() + ")"
	}
	if pk.ParamSet != nil {
		ps := r.oidName(pk.ParamSet)
		out.ParamSet = &ps
	}
	if pk.DigestParamSet != nil {
		ds := r.oidName(pk.DigestParamSet)
		out.DigestParamSet = &ds
	}
	switch pk.Family {
	case cert.FamilyGOST2012256, cert.FamilyGOST2012512, cert.FamilyGOST2001:
		// The algorithm's name says its size already.
		if out.ParamSet != nil {
			parts = append(parts, out.ParamSet.Name)
		}
	case cert.FamilyECDSA:
		if out.ParamSet != nil {
			parts = append(parts, out.ParamSet.Name)
		} else if pk.Bits > 0 {
			parts = append(parts, r.l.T("cli.bits", map[string]any{"Bits": pk.Bits}))
		}
	default:
		if pk.Bits > 0 {
			parts = append(parts, r.l.T("cli.bits", map[string]any{"Bits": pk.Bits}))
		}
	}
	out.Description = strings.Join(parts, ", ")
	return out
}

func localTime(t time.Time) string { return t.Local().Format("2006-01-02 15:04:05 MST") }

// printShow writes the certificate as labelled lines, in sections.
func (r *runner) printShow(e *certstore.Entry, info showJSON) {
	c := e.Cert
	out := r.env.Stdout
	T := r.l.T
	ext := func(key string) string { return r.l.T("ext." + key) }

	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	row := func(label, value string) {
		if value != "" {
			fmt.Fprintf(tw, "  %s:\t%s\n", label, value)
		}
	}
	rows := func(label string, values []string) {
		for i, v := range values {
			if i == 0 {
				row(label, v)
			} else {
				fmt.Fprintf(tw, "  \t%s\n", v)
			}
		}
	}
	section := func(title string) {
		tw.Flush()
		fmt.Fprintln(out, title)
	}

	section(T("cli.show.certificate", map[string]any{"Subject": displayName(c.Subject)}))
	row(T("cli.show.id"), e.ID)
	list := r.listName(e.List)
	if info.UntrustedRoot {
		list += " (" + T("cli.note.untrusted-root") + ")"
	}
	row(T("cli.show.list"), list)
	switch {
	case info.Token != nil:
		present := map[string]bool{e.Token.Serial: info.Token.Present}
		v := r.tokenNote(e, present)
		if e.Token.Serial != "" {
			v += ", " + T("cli.token.serial", map[string]any{"Serial": e.Token.Serial})
		}
		if info.KeyRemembered {
			v += ", " + T("cli.token.pin-is-remembered")
		}
		lines := []string{v}
		if e.HasKey {
			lines = append(lines, T("cli.token.also-container"))
		}
		rows(T("cli.show.private-key"), lines)
	case e.HasKey && info.KeyRemembered:
		row(T("cli.show.private-key"), T("cli.show.key-remembered"))
	case e.HasKey:
		row(T("cli.show.private-key"), T("cli.show.key-present"))
	default:
		row(T("cli.show.private-key"), T("cli.show.key-absent"))
	}
	row(T("cli.show.status"), r.statusText(certstore.StatusAt(c, r.env.Now(), certstore.ExpiryWarningDays)))
	row(T("cli.show.valid-from"), localTime(c.NotBefore))
	row(T("cli.show.valid-to"), localTime(c.NotAfter))
	if p := info.PrivateKeyUsagePeriod; p != nil {
		var period []string
		if p.NotBefore != nil {
			period = append(period, T("cli.show.from", map[string]any{"Time": localTime(*p.NotBefore)}))
		}
		if p.NotAfter != nil {
			period = append(period, T("cli.show.to", map[string]any{"Time": localTime(*p.NotAfter)}))
		}
		rows(ext("private-key-usage-period"), period)
	}

	for _, part := range []struct {
		title string
		name  nameJSON
	}{{T("cli.show.subject"), info.Subject}, {T("cli.show.issuer"), info.Issuer}} {
		section(part.title)
		for _, a := range part.name.Attributes {
			row(a.Name, a.Value)
		}
	}

	section(T("cli.show.details"))
	row(T("cli.show.version"), fmt.Sprint(info.Version))
	row(T("cli.show.serial"), info.Serial)
	row(T("cli.show.public-key"), info.PublicKey.Description)
	rows(T("cli.show.public-key-value"), hexLines(info.PublicKey.Value, 64))
	row(T("cli.show.signature-algorithm"), info.SignatureAlgorithm.Name)
	if info.KeyUsage != nil {
		var names []string
		for _, b := range keyUsageBits() {
			if c.KeyUsage&b.bit != 0 {
				names = append(names, T(b.key))
			}
		}
		row(ext("key-usage"), strings.Join(names, ", "))
	}
	var ekus []string
	for _, u := range info.ExtKeyUsage {
		ekus = append(ekus, named(u))
	}
	rows(ext("ext-key-usage"), ekus)
	if bc := info.BasicConstraints; bc != nil {
		v := T("cli.show.not-ca")
		if bc.CA {
			v = T("cli.show.ca")
			if bc.MaxPathLen != nil {
				v += ", " + T("cli.show.path-len", map[string]any{"Len": *bc.MaxPathLen})
			}
		}
		row(ext("basic-constraints"), v)
	}
	var policies []string
	for _, p := range info.Policies {
		policies = append(policies, named(p))
	}
	rows(ext("certificate-policies"), policies)
	row(ext("subject-sign-tool"), info.SubjectSignTool)
	rows(ext("issuer-sign-tool"), info.IssuerSignTool)
	rows(ext("subject-alt-name"), append(append([]string{}, info.DNSNames...), info.EmailAddresses...))
	rows(ext("crl-distribution-points"), info.CRLDistributionPoints)
	var aia []string
	for _, u := range info.OCSPServers {
		aia = append(aia, "OCSP: "+u)
	}
	for _, u := range info.CAIssuers {
		aia = append(aia, T("cli.show.ca-issuers")+": "+u)
	}
	rows(ext("authority-info-access"), aia)
	row(ext("subject-key-id"), info.SubjectKeyID)
	row(ext("authority-key-id"), info.AuthorityKeyID)

	// Extensions not shown above, so that nothing in the certificate is
	// hidden from support staff.
	var others []string
	for _, x := range info.Extensions {
		if shownExtension(x.Key) {
			continue
		}
		s := named(oidName{OID: x.OID, Key: x.Key, Name: x.Name})
		if x.Critical {
			s += " [" + T("cli.show.critical") + "]"
		}
		others = append(others, s)
	}
	rows(T("cli.show.other-extensions"), others)

	section(T("cli.show.fingerprints"))
	row("SHA-1", e.ID)
	row("SHA-256", info.SHA256)
	if e.Source != "" {
		row(T("cli.show.source"), e.Source)
	}
	tw.Flush()
}

// named shows a name with its OID, unless the name is the OID.
func named(n oidName) string {
	if n.Name == n.OID {
		return n.OID
	}
	return n.Name + " (" + n.OID + ")"
}

// shownExtension reports the extensions printShow shows in their own rows.
func shownExtension(key string) bool {
	switch key {
	case "private-key-usage-period", "key-usage", "ext-key-usage", "basic-constraints",
		"certificate-policies", "subject-sign-tool", "issuer-sign-tool", "subject-alt-name",
		"crl-distribution-points", "authority-info-access", "subject-key-id", "authority-key-id":
		return true
	}
	return false
}

// hexLines cuts hex into lines of at most n digits, in groups of two.
func hexLines(h string, n int) []string {
	var lines []string
	for len(h) > 0 {
		k := min(n, len(h))
		var b strings.Builder
		for i := 0; i < k; i += 2 {
			if i > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(h[i:min(i+2, k)])
		}
		lines = append(lines, b.String())
		h = h[k:]
	}
	return lines
}
