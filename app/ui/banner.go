package ui

import (
	"image/color"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/podpis/podpis/certstore"
)

// expiryBanner warns at the top of the window about personal certificates
// that have expired or expire within certstore.ExpiryWarningDays: a new
// qualified certificate takes days to get, so people must hear early.
type expiryBanner struct {
	tr         *translator
	content    *fyne.Container
	background *canvas.Rectangle
	lines      *fyne.Container
	override   *container.ThemeOverride // dark or light text, to suit the background
	texts      []string                 // what the banner says, one line per certificate
}

func newExpiryBanner(tr *translator) *expiryBanner {
	b := &expiryBanner{tr: tr, background: canvas.NewRectangle(colorExpiring), lines: container.NewVBox()}
	b.background.CornerRadius = 4
	b.override = container.NewThemeOverride(container.NewPadded(b.lines), foregroundTheme{Theme: theme.Current(), foreground: colorOnLight})
	b.content = container.NewStack(b.background, b.override)
	b.content.Hide()
	return b
}

// foregroundTheme is the current theme with another text colour.
type foregroundTheme struct {
	fyne.Theme
	foreground color.Color
}

func (t foregroundTheme) Color(name fyne.ThemeColorName, variant fyne.ThemeVariant) color.Color {
	if name == theme.ColorNameForeground {
		return t.foreground
	}
	return t.Theme.Color(name, variant)
}

// bannerText is the warning about one certificate.
func bannerText(tr *translator, e *certstore.Entry, now time.Time) string {
	st := certstore.StatusAt(e.Cert, now, certstore.ExpiryWarningDays)
	params := map[string]any{"Name": displayName(tr, e.Cert.Subject), "Date": tr.date(e.Cert.NotAfter)}
	switch {
	case st.Validity == certstore.Expired:
		return tr.text("ui.banner.expired", params)
	case st.DaysLeft <= 0:
		return tr.text("ui.banner.expires-today", params)
	default:
		params["Days"] = st.DaysLeft
		return tr.plural("ui.banner.expiring", st.DaysLeft, params)
	}
}

// update shows one line per certificate in expiring (none hides the banner).
// The banner is red when one has expired, amber otherwise.
func (b *expiryBanner) update(expiring []*certstore.Entry, now time.Time) {
	b.texts = b.texts[:0]
	b.lines.RemoveAll()
	expired := false
	for _, e := range expiring {
		text := bannerText(b.tr, e, now)
		b.texts = append(b.texts, text)
		label := widget.NewLabelWithStyle(text, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		label.Wrapping = fyne.TextWrapWord
		b.lines.Add(label)
		if certstore.StatusAt(e.Cert, now, certstore.ExpiryWarningDays).Validity == certstore.Expired {
			expired = true
		}
	}
	if len(b.texts) == 0 {
		b.content.Hide()
		return
	}
	foreground := colorOnLight
	b.background.FillColor = colorExpiring
	if expired {
		b.background.FillColor, foreground = colorExpired, colorOnDark
	}
	b.override.Theme = foregroundTheme{Theme: theme.Current(), foreground: foreground}
	b.content.Show()
	b.content.Refresh()
	b.override.Refresh()
}
