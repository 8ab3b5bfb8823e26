package ui

import (
	"time"

	"fyne.io/fyne/v2/lang"

	"github.com/podpis/podpis/assets"
	"github.com/podpis/podpis/internal/i18n"
)

// chooseLanguage picks the window's language the way the CLI does: --lang
// when given, else the locale (Russian for ru_*, English otherwise, so a C
// or POSIX locale gives English).
func chooseLanguage(flag string, getenv func(string) string) (i18n.Lang, error) {
	if flag != "" {
		return i18n.Parse(flag)
	}
	return i18n.Detect(getenv), nil
}

// useLanguage makes fyne's lang package speak l and registers Podpis's
// translations with it.
//
// Fyne has no call to choose a language: it asks go-locale, which reads
// LANGUAGE unless LC_ALL, LC_MESSAGES or LANG (the first one set) is exactly
// "C" or "POSIX". So LANGUAGE is set to l, and such a C locale is made
// "C.UTF-8" (LC_ALL in place when it is the one set, else through
// LC_MESSAGES, which only messages read), so that go-locale goes on to
// LANGUAGE. The registration re-reads the environment.
func useLanguage(l i18n.Lang, getenv func(string) string, setenv func(key, value string) error) error {
	if err := setenv("LANGUAGE", string(l)); err != nil {
		return err
	}
	for _, name := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		value := getenv(name)
		if value == "" {
			continue
		}
		if value == "C" || value == "POSIX" {
			target := "LC_MESSAGES"
			if name == "LC_ALL" {
				target = name
			}
			if err := setenv(target, "C.UTF-8"); err != nil {
				return err
			}
		}
		break
	}
	return lang.AddTranslationsFS(assets.Translations, assets.TranslationsDir)
}

// translator renders the window's texts. Rendering goes through fyne's lang
// package; catalog only answers whether a key exists, since fyne logs an
// error for every key it lacks and error codes come from other packages.
type translator struct {
	catalog *i18n.Localizer
}

func newTranslator(l i18n.Lang) (*translator, error) {
	catalog, err := i18n.New(l)
	if err != nil {
		return nil, err
	}
	return &translator{catalog: catalog}, nil
}

// has reports whether key is translated.
func (t *translator) has(key string) bool { return t.catalog.Has(key) }

// text renders key with params.
func (t *translator) text(key string, params map[string]any) string {
	if params == nil {
		return lang.L(key)
	}
	return lang.L(key, params)
}

// plural renders the form of key that suits count; params get Count.
func (t *translator) plural(key string, count int, params map[string]any) string {
	data := map[string]any{"Count": count}
	for k, v := range params {
		data[k] = v
	}
	return lang.N(key, count, data)
}

// date renders a day in the language's usual form (12.05.2027, 2027-05-12),
// in local time.
func (t *translator) date(when time.Time) string {
	return when.Local().Format(t.text("ui.layout.date", nil))
}

// dateTime renders a moment to the minute, in local time.
func (t *translator) dateTime(when time.Time) string {
	return when.Local().Format(t.text("ui.layout.datetime", nil))
}
