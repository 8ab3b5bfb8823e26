// Package i18n translates the command-line interface. It reads the same
// translation files as the GUI (assets/translations/[area.]lang.json, loaded
// there by fyne's lang.AddTranslationsFS), so both say the same things.
package i18n

import "strings"

// Lang is a language Podpis speaks: "ru" or "en".
type Lang string

// The supported languages.
const (
	Russian Lang = "ru"
	English Lang = "en"
)

// Languages lists the supported languages, Russian first.
func Languages() []Lang { return []Lang{Russian, English} }

// Detect chooses the language from the locale the way the C library does for
// messages: LC_ALL, then LC_MESSAGES, then LANG, and LANGUAGE (its first entry)
// only when none of those is set. A Russian locale (ru, ru_RU.UTF-8, ...) gives
// Russian; anything else, including "", C and POSIX, gives English. It never
// prints anything: with LANG=C the CLI must stay quiet about the locale.
func Detect(getenv func(string) string) Lang {
	for _, name := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if value := getenv(name); value != "" {
			return fromLocale(value)
		}
	}
	first, _, _ := strings.Cut(getenv("LANGUAGE"), ":")
	return fromLocale(first)
}

func fromLocale(locale string) Lang {
	if language(locale) == string(Russian) {
		return Russian
	}
	return English
}

// language returns the lower-case language part of a locale name or language
// tag: "ru" for ru_RU.UTF-8, ru-RU, RU or ru@petr1708.
func language(locale string) string {
	locale = strings.ToLower(strings.TrimSpace(locale))
	if end := strings.IndexAny(locale, "_-.@"); end >= 0 {
		locale = locale[:end]
	}
	return locale
}

// Parse reads a --lang value: a language code (ru, en), a locale name
// (ru_RU.UTF-8) or a language tag (en-US), in any letter case.
func Parse(s string) (Lang, error) {
	switch language(s) {
	case string(Russian):
		return Russian, nil
	case string(English):
		return English, nil
	}
	return "", &UnknownLanguageError{Value: s}
}

// UnknownLanguageError reports a --lang value that names no supported language.
type UnknownLanguageError struct {
	Value string // what the user gave
}

func (e *UnknownLanguageError) Error() string {
	return "unknown language " + quote(e.Value) + ": use ru or en"
}

// Code is the problem code; the message is the translation err.unknown-language.
func (e *UnknownLanguageError) Code() string { return "unknown-language" }

// Params are the values the translated message refers to.
func (e *UnknownLanguageError) Params() map[string]any {
	return map[string]any{"Value": e.Value}
}

func quote(s string) string { return `"` + s + `"` }
