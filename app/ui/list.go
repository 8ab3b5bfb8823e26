package ui

import (
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/podpis/podpis/certstore"
	"github.com/podpis/podpis/certstore/cert"
)

// certRow is what one line of the list says about a certificate.
type certRow struct {
	ID      string
	Subject string // the owner's common name (or the whole name if it has none)
	Second  string // issuer and list: "Выдан: УЦ Тест · Личные"
	Expiry  string // "до 12.05.2027"
	Badge   badge
	// Token marks a certificate whose key is on a token: "на токене
	// «Рутокен», подключён"; "" for others.
	Token string
	Plug  plugState
}

// rowFor describes e as of now; plug is whether its token is plugged in.
func rowFor(tr *translator, e *certstore.Entry, now time.Time, plug plugState) certRow {
	st := certstore.StatusAt(e.Cert, now, certstore.ExpiryWarningDays)
	list := tr.text("ui.store-list."+string(e.List), nil)
	if e.UntrustedRoot() {
		list = tr.text("ui.list.untrusted-root", map[string]any{"List": list})
	}
	return certRow{
		ID:      e.ID,
		Subject: displayName(tr, e.Cert.Subject),
		Second: tr.text("ui.list.second-line", map[string]any{
			"Issuer": displayName(tr, e.Cert.Issuer),
			"List":   list,
		}),
		Expiry: tr.text("ui.list.until", map[string]any{"Date": tr.date(e.Cert.NotAfter)}),
		Badge:  badgeFor(tr, st),
		Token:  tokenMark(tr, e, plug),
		Plug:   plug,
	}
}

// displayName is how a person recognises a name: its common name, else its
// organisation, else the whole name.
func displayName(tr *translator, n cert.Name) string {
	if cn := n.CommonName(); cn != "" {
		return cn
	}
	if o := n.Organization(); o != "" {
		return o
	}
	if s := n.String(); s != "" {
		return s
	}
	return tr.text("ui.name.empty", nil)
}

// certList is the list of certificates, in the store's order (personal
// first).
type certList struct {
	tr       *translator
	widget   *widget.List
	rows     []certRow
	entries  []*certstore.Entry
	now      time.Time
	onSelect func(*certstore.Entry)
}

func newCertList(tr *translator, onSelect func(*certstore.Entry), onUnselect func()) *certList {
	l := &certList{tr: tr, onSelect: onSelect}
	l.widget = widget.NewList(
		func() int { return len(l.rows) },
		func() fyne.CanvasObject { return newRowView() },
		func(id widget.ListItemID, o fyne.CanvasObject) {
			if id >= 0 && id < len(l.rows) {
				o.(*rowView).set(l.rows[id])
			}
		},
	)
	l.widget.OnSelected = func(id widget.ListItemID) {
		if id >= 0 && id < len(l.entries) {
			l.onSelect(l.entries[id])
		}
	}
	return l
}

// set shows entries as of now; presence (nil: not known) says which
// tokens are plugged in.
func (l *certList) set(entries []*certstore.Entry, now time.Time, presence map[string]bool) {
	l.entries = entries
	l.now = now
	l.rows = make([]certRow, len(entries))
	for i, e := range entries {
		l.rows[i] = rowFor(l.tr, e, now, plugFor(presence, e))
	}
	l.widget.UnselectAll()
	l.widget.Refresh()
}

// setPresence marks the token entries with whether their token is plugged
// in, keeping the selection.
func (l *certList) setPresence(presence map[string]bool) {
	for i, e := range l.entries {
		if e.Token != nil {
			l.rows[i] = rowFor(l.tr, e, l.now, plugFor(presence, e))
		}
	}
	l.widget.Refresh()
}

// selectIndex selects row i, reporting it through onSelect even when it was
// selected already.
func (l *certList) selectIndex(i int) {
	l.widget.UnselectAll()
	l.widget.Select(i)
	l.widget.ScrollTo(i)
}

// rowView draws one certRow: name and issuer on the left, expiry date and
// status badge on the right.
type rowView struct {
	widget.BaseWidget
	subject *widget.Label
	second  *widget.Label
	expiry  *widget.Label
	token   *widget.Label // the token mark, hidden for other certificates
	badge   *statusBadge
	// first is the top line, laid out again when the token mark shows or
	// hides (a list reuses its rows for other certificates).
	first *fyne.Container
}

func newRowView() *rowView {
	r := &rowView{
		subject: widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		second:  widget.NewLabel(""),
		expiry:  widget.NewLabelWithStyle("", fyne.TextAlignTrailing, fyne.TextStyle{}),
		token:   widget.NewLabel(""),
		badge:   newStatusBadge(),
	}
	r.token.SizeName = theme.SizeNameCaptionText
	r.token.Hide()
	r.subject.Truncation = fyne.TextTruncateEllipsis
	r.second.Truncation = fyne.TextTruncateEllipsis
	r.second.SizeName = theme.SizeNameCaptionText
	r.expiry.SizeName = theme.SizeNameCaptionText
	r.ExtendBaseWidget(r)
	return r
}

func (r *rowView) set(row certRow) {
	r.subject.SetText(row.Subject)
	r.second.SetText(row.Second)
	r.expiry.SetText(row.Expiry)
	r.badge.set(row.Badge)
	defer func() {
		if r.first != nil {
			r.first.Refresh()
		}
	}()
	if row.Token == "" {
		r.token.Hide()
		return
	}
	r.token.SetText(row.Token)
	switch row.Plug {
	case plugIn:
		r.token.Importance = widget.SuccessImportance
	case plugOut:
		r.token.Importance = widget.WarningImportance
	default:
		r.token.Importance = widget.MediumImportance
	}
	r.token.Show()
	r.token.Refresh()
}

func (r *rowView) CreateRenderer() fyne.WidgetRenderer {
	r.first = container.NewBorder(nil, nil, nil, container.NewHBox(r.token, container.NewCenter(r.badge)), r.subject)
	second := container.NewBorder(nil, nil, nil, r.expiry, r.second)
	return widget.NewSimpleRenderer(container.New(layout.NewCustomPaddedVBoxLayout(0), r.first, second))
}
