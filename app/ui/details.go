package ui

import (
	"encoding/asn1"
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/podpis/podpis/certstore"
	"github.com/podpis/podpis/certstore/cert"
	"github.com/podpis/podpis/certstore/oid"
)

// rememberState is whether a container's password is in the keyring; asking
// the keyring takes a moment, so at first it is unknown.
type rememberState int

const (
	rememberUnknown rememberState = iota
	rememberNo
	rememberYes
)

func rememberedState(remembered bool) rememberState {
	if remembered {
		return rememberYes
	}
	return rememberNo
}

// detailSection is a titled group of fields.
type detailSection struct {
	Title string
	Rows  []detailRow
}

// detailRow is one field: its name and its value in words.
type detailRow struct {
	Label string
	Value string
}

// describeEntry puts everything the store knows about e into words: the
// owner's and issuer's names with Russian attributes named (ИНН, СНИЛС...),
// dates, algorithms, purposes, the Russian sign-tool extensions, the
// thumbprint and where the private key is (plug: whether its token is
// plugged in).
func describeEntry(tr *translator, e *certstore.Entry, now time.Time, remembered rememberState, plug plugState) []detailSection {
	c := e.Cert
	st := certstore.StatusAt(c, now, certstore.ExpiryWarningDays)
	general := detailSection{Title: tr.text("ui.details.section.certificate", nil)}
	add := func(section *detailSection, key, value string) {
		if value != "" {
			section.Rows = append(section.Rows, detailRow{Label: tr.text(key, nil), Value: value})
		}
	}
	add(&general, "ui.details.status", badgeFor(tr, st).Text)
	add(&general, "ui.details.not-before", tr.dateTime(c.NotBefore))
	add(&general, "ui.details.not-after", tr.dateTime(c.NotAfter))
	if c.PrivateKeyNotBefore != nil || c.PrivateKeyNotAfter != nil {
		add(&general, "ui.details.key-period", keyPeriod(tr, c.PrivateKeyNotBefore, c.PrivateKeyNotAfter))
	}
	add(&general, "ui.details.serial", strings.ToUpper(c.SerialHex()))
	add(&general, "ui.details.public-key", publicKeyText(tr, c))
	add(&general, "ui.details.signature-algorithm", oidName(tr, c.SignatureAlgorithm))
	add(&general, "ui.details.key-usage", keyUsageText(tr, c))
	add(&general, "ui.details.ext-key-usage", oidNames(tr, c.ExtKeyUsage))
	add(&general, "ui.details.policies", oidNames(tr, c.Policies))
	add(&general, "ui.details.subject-sign-tool", c.SubjectSignTool)
	add(&general, "ui.details.issuer-sign-tool", strings.Join(c.IssuerSignTool, "; "))
	if c.BasicConstraintsValid && c.IsCA {
		add(&general, "ui.details.ca", tr.text("common.yes", nil))
	}
	add(&general, "ui.details.crl", strings.Join(c.CRLDistributionPoints, "\n"))
	add(&general, "ui.details.ocsp", strings.Join(c.OCSPServers, "\n"))
	add(&general, "ui.details.ca-issuers", strings.Join(c.IssuingCertificateURL, "\n"))
	add(&general, "ui.details.alt-names", strings.Join(append(append([]string{}, c.DNSNames...), c.EmailAddresses...), ", "))

	store := detailSection{Title: tr.text("ui.details.section.store", nil)}
	add(&store, "ui.details.thumbprint", e.ID)
	add(&store, "ui.details.list", tr.text("ui.store-list."+string(e.List), nil))
	if e.UntrustedRoot() {
		add(&store, "ui.details.trust", tr.text("ui.details.untrusted-root", nil))
	}
	add(&store, "ui.details.private-key", privateKeyText(tr, e, remembered, plug))
	if e.Token != nil {
		add(&store, "ui.token.details.module", e.Token.Module)
	}
	if !e.Added.IsZero() {
		add(&store, "ui.details.added", tr.dateTime(e.Added))
	}
	add(&store, "ui.details.source", e.Source)

	return []detailSection{
		nameSection(tr, tr.text("ui.details.section.subject", nil), c.Subject),
		nameSection(tr, tr.text("ui.details.section.issuer", nil), c.Issuer),
		general,
		store,
	}
}

// nameSection lists a name's attributes in certificate order.
func nameSection(tr *translator, title string, n cert.Name) detailSection {
	s := detailSection{Title: title}
	for _, a := range n.Attributes {
		s.Rows = append(s.Rows, detailRow{Label: oidName(tr, a.Type), Value: a.Value})
	}
	return s
}

// oidName is the translated name of a registered OID ("ИНН", "КС1"), its
// short name when it has no translation, or the dotted OID.
func oidName(tr *translator, o asn1.ObjectIdentifier) string {
	info, ok := oid.Lookup(o)
	if !ok {
		return o.String()
	}
	if key := info.TranslationKey(); tr.has(key) {
		return tr.text(key, nil)
	}
	return info.Short
}

func oidNames(tr *translator, oids []asn1.ObjectIdentifier) string {
	names := make([]string, len(oids))
	for i, o := range oids {
		names[i] = oidName(tr, o)
	}
	return strings.Join(names, ", ")
}

func keyPeriod(tr *translator, from, to *time.Time) string {
	params := map[string]any{"From": "…", "To": "…"}
	if from != nil {
		params["From"] = tr.dateTime(*from)
	}
	if to != nil {
		params["To"] = tr.dateTime(*to)
	}
	return tr.text("ui.details.period", params)
}

// publicKeyText names the key algorithm in words: "ГОСТ Р 34.10-2012,
// 256 бит", "RSA, 2048 бит", "ECDSA, P-256".
func publicKeyText(tr *translator, c *cert.Certificate) string {
	info := c.PublicKeyInfo()
	text := tr.text(info.DescriptionKey, nil)
	switch info.Family {
	case cert.FamilyRSA, cert.FamilyECDSA:
		if info.Bits > 0 {
			text = tr.text("ui.details.key-bits", map[string]any{"Algorithm": text, "Bits": info.Bits})
		}
	case cert.FamilyUnknown:
		text = fmt.Sprintf("%s (%s)", text, c.PublicKeyAlgorithm)
	}
	if info.ParamSetKey != "" && tr.has(info.ParamSetKey) {
		text += ", " + tr.text(info.ParamSetKey, nil)
	} else if info.ParamSet != nil {
		text += ", " + oid.ShortName(info.ParamSet)
	}
	return text
}

// keyUsages pairs each keyUsage bit with its translation key.
var keyUsages = [...]struct {
	bit cert.KeyUsage
	key string
}{
	{cert.KeyUsageDigitalSignature, "ui.key-usage.digital-signature"},
	{cert.KeyUsageContentCommitment, "ui.key-usage.content-commitment"},
	{cert.KeyUsageKeyEncipherment, "ui.key-usage.key-encipherment"},
	{cert.KeyUsageDataEncipherment, "ui.key-usage.data-encipherment"},
	{cert.KeyUsageKeyAgreement, "ui.key-usage.key-agreement"},
	{cert.KeyUsageCertSign, "ui.key-usage.cert-sign"},
	{cert.KeyUsageCRLSign, "ui.key-usage.crl-sign"},
	{cert.KeyUsageEncipherOnly, "ui.key-usage.encipher-only"},
	{cert.KeyUsageDecipherOnly, "ui.key-usage.decipher-only"},
}

func keyUsageText(tr *translator, c *cert.Certificate) string {
	if !c.HasKeyUsage {
		return ""
	}
	var names []string
	for _, ku := range keyUsages {
		if c.KeyUsage&ku.bit != 0 {
			names = append(names, tr.text(ku.key, nil))
		}
	}
	return strings.Join(names, ", ")
}

func privateKeyText(tr *translator, e *certstore.Entry, remembered rememberState, plug plugState) string {
	if e.Token != nil {
		text := tokenKeyText(tr, e, plug)
		if e.HasKey {
			// The same certificate from a .pfx too: both keys are usable.
			text = tr.text("ui.token.details.and-container", map[string]any{"Token": text, "Container": containerKeyText(tr, e, remembered)})
		}
		return text
	}
	return containerKeyText(tr, e, remembered)
}

// tokenKeyText says which token holds e's key and whether it is plugged in.
func tokenKeyText(tr *translator, e *certstore.Entry, plug plugState) string {
	params := map[string]any{"Token": tokenName(tr, e.Token.Label, e.Token.Serial), "Serial": e.Token.Serial}
	switch plug {
	case plugIn:
		return tr.text("ui.token.details.key-plugged", params)
	case plugOut:
		return tr.text("ui.token.details.key-unplugged", params)
	}
	return tr.text("ui.token.details.key", params)
}

func containerKeyText(tr *translator, e *certstore.Entry, remembered rememberState) string {
	switch {
	case !e.HasKey:
		return tr.text("ui.details.key.none", nil)
	case remembered == rememberYes:
		return tr.text("ui.details.key.remembered", nil)
	case remembered == rememberNo:
		return tr.text("ui.details.key.not-remembered", nil)
	default:
		return tr.text("ui.details.key.in-store", nil)
	}
}

// detailsText is the details as plain text, for support staff to paste
// into a message.
func detailsText(sections []detailSection) string {
	var b strings.Builder
	for i, s := range sections {
		if len(s.Rows) == 0 {
			continue
		}
		if i > 0 && b.Len() > 0 {
			b.WriteString("\n")
		}
		b.WriteString(s.Title + "\n")
		for _, r := range s.Rows {
			value := strings.ReplaceAll(r.Value, "\n", "\n    ")
			fmt.Fprintf(&b, "  %s: %s\n", r.Label, value)
		}
	}
	return b.String()
}

// detailsPane shows the selected certificate's details.
type detailsPane struct {
	tr          *translator
	content     *fyne.Container
	title       *widget.Label
	body        *fyne.Container
	scroll      *container.Scroll
	placeholder *widget.Label
	copyButton  *widget.Button
	sections    []detailSection
	text        string // the details as copied
	// What is shown, so that a late answer (the token is plugged in) can
	// redraw it.
	entry      *certstore.Entry
	now        time.Time
	remembered rememberState
	plug       plugState
}

func newDetailsPane(tr *translator, copyText func(string)) *detailsPane {
	d := &detailsPane{
		tr:          tr,
		title:       widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		body:        container.NewVBox(),
		placeholder: widget.NewLabel(tr.text("ui.details.placeholder", nil)),
	}
	d.title.Truncation = fyne.TextTruncateEllipsis
	d.placeholder.Alignment = fyne.TextAlignCenter
	d.placeholder.Wrapping = fyne.TextWrapWord
	d.copyButton = widget.NewButtonWithIcon(tr.text("ui.details.copy", nil), theme.ContentCopyIcon(), func() {
		if d.text != "" {
			copyText(d.text)
		}
	})
	d.scroll = container.NewVScroll(d.body)
	header := container.NewBorder(nil, nil, nil, d.copyButton, d.title)
	d.content = container.NewBorder(header, nil, nil, nil, container.NewStack(d.scroll, container.NewVBox(d.placeholder)))
	d.clear()
	return d
}

// setPlug redraws the shown entry knowing whether its token is plugged in.
func (d *detailsPane) setPlug(plug plugState) {
	if d.entry != nil && plug != d.plug {
		d.show(d.entry, d.now, d.remembered, plug)
	}
}

// show fills the pane with e's details.
func (d *detailsPane) show(e *certstore.Entry, now time.Time, remembered rememberState, plug plugState) {
	d.entry, d.now, d.remembered, d.plug = e, now, remembered, plug
	d.sections = describeEntry(d.tr, e, now, remembered, plug)
	d.text = detailsText(d.sections)
	d.title.SetText(displayName(d.tr, e.Cert.Subject))
	d.body.RemoveAll()
	// One grid for every section, so that all values start in one column.
	grid := container.New(layout.NewFormLayout())
	for _, s := range d.sections {
		if len(s.Rows) == 0 {
			continue
		}
		heading := widget.NewLabelWithStyle(s.Title, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		heading.Importance = widget.HighImportance
		grid.Add(heading)
		grid.Add(layout.NewSpacer())
		for _, r := range s.Rows {
			label := widget.NewLabelWithStyle(r.Label, fyne.TextAlignTrailing, fyne.TextStyle{})
			value := widget.NewLabel(r.Value)
			value.Wrapping = fyne.TextWrapWord
			value.Selectable = true
			grid.Add(label)
			grid.Add(value)
		}
	}
	d.body.Add(grid)
	d.placeholder.Hide()
	d.scroll.Show()
	d.copyButton.Enable()
	d.body.Refresh()
	d.scroll.ScrollToTop()
}

// clear shows the hint to pick a certificate.
func (d *detailsPane) clear() {
	d.sections, d.text = nil, ""
	d.entry, d.plug = nil, plugUnknown
	d.title.SetText("")
	d.body.RemoveAll()
	d.scroll.Hide()
	d.placeholder.Show()
	d.copyButton.Disable()
}
