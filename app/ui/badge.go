package ui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/podpis/podpis/certstore"
)

// badge is a certificate's status as the list shows it.
type badge struct {
	Validity certstore.Validity
	Text     string // «действителен», «истекает через 12 дн.»...
}

// badgeFor words a status.
func badgeFor(tr *translator, st certstore.Status) badge {
	b := badge{Validity: st.Validity}
	switch st.Validity {
	case certstore.Valid:
		b.Text = tr.text("ui.badge.valid", nil)
	case certstore.Expiring:
		if st.DaysLeft <= 0 {
			b.Text = tr.text("ui.badge.expires-today", nil)
		} else {
			b.Text = tr.plural("ui.badge.expiring", st.DaysLeft, map[string]any{"Days": st.DaysLeft})
		}
	case certstore.Expired:
		b.Text = tr.text("ui.badge.expired", nil)
	case certstore.NotYetValid:
		b.Text = tr.text("ui.badge.not-yet-valid", nil)
	}
	return b
}

// Status colours: the traffic-light colours people know, dark enough for
// white text, except amber, which takes dark text.
var (
	colorValid    = color.NRGBA{R: 0x2e, G: 0x7d, B: 0x32, A: 0xff} // green
	colorExpiring = color.NRGBA{R: 0xf9, G: 0xa8, B: 0x25, A: 0xff} // amber
	colorExpired  = color.NRGBA{R: 0xc6, G: 0x28, B: 0x28, A: 0xff} // red
	colorNotYet   = color.NRGBA{R: 0x75, G: 0x75, B: 0x75, A: 0xff} // grey
	colorOnLight  = color.NRGBA{R: 0x21, G: 0x21, B: 0x21, A: 0xff}
	colorOnDark   = color.NRGBA{R: 0xff, G: 0xff, B: 0xff, A: 0xff}
)

// badgeColors returns the background and text colours of a validity.
func badgeColors(v certstore.Validity) (background, text color.Color) {
	switch v {
	case certstore.Valid:
		return colorValid, colorOnDark
	case certstore.Expiring:
		return colorExpiring, colorOnLight
	case certstore.Expired:
		return colorExpired, colorOnDark
	default:
		return colorNotYet, colorOnDark
	}
}

// statusBadge draws a badge as coloured, rounded text.
type statusBadge struct {
	widget.BaseWidget
	background *canvas.Rectangle
	text       *canvas.Text
	badge      badge
}

func newStatusBadge() *statusBadge {
	b := &statusBadge{background: canvas.NewRectangle(colorNotYet), text: canvas.NewText("", colorOnDark)}
	b.text.TextStyle.Bold = true
	b.text.TextSize = theme.CaptionTextSize()
	b.background.CornerRadius = 6
	b.ExtendBaseWidget(b)
	return b
}

func (b *statusBadge) set(v badge) {
	b.badge = v
	b.background.FillColor, b.text.Color = badgeColors(v.Validity)
	b.text.Text = v.Text
	b.Refresh()
}

func (b *statusBadge) CreateRenderer() fyne.WidgetRenderer {
	return &badgeRenderer{b: b}
}

type badgeRenderer struct{ b *statusBadge }

func (r *badgeRenderer) padding() fyne.Size {
	return fyne.NewSize(theme.Padding()*2, theme.Padding())
}

func (r *badgeRenderer) MinSize() fyne.Size {
	return r.b.text.MinSize().Add(r.padding().Add(r.padding()))
}

func (r *badgeRenderer) Layout(size fyne.Size) {
	r.b.background.Resize(size)
	r.b.background.Move(fyne.NewPos(0, 0))
	text := r.b.text.MinSize()
	r.b.text.Resize(text)
	r.b.text.Move(fyne.NewPos((size.Width-text.Width)/2, (size.Height-text.Height)/2))
}

func (r *badgeRenderer) Refresh() {
	r.b.background.Refresh()
	r.b.text.Refresh()
	r.Layout(r.b.Size())
}

func (r *badgeRenderer) Objects() []fyne.CanvasObject {
	return []fyne.CanvasObject{r.b.background, r.b.text}
}

func (r *badgeRenderer) Destroy() {}
