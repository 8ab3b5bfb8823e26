// Package localeenv makes the locale environment readable for fyne's lang
// package before that package initialises.
//
// fyne.io/fyne/v2/lang reads the locale in its init function (through
// github.com/jeandeaual/go-locale) and logs "Fyne error: Error parsing user
// locale C" to standard error for every entry it cannot parse as a BCP 47
// tag. go-locale skips a locale of exactly "C" or "POSIX", but not "C.UTF-8"
// (Debian's and most containers' default), "POSIX.UTF-8", or a locale with a
// modifier such as "sr_RS@latin". The podpis binary always links fyne, so
// without this package even `LANG=C.UTF-8 podpis list` would start with three
// lines of noise.
//
// Its init runs before fyne's lang package: Go initialises packages in the
// order of their import paths, as far as their dependencies allow; this
// package needs only os and strings, while fyne's lang package waits for
// golang.org/x/text/language and text/template, which sort after
// github.com/podpis/... The podpis binary's tests check that no such line is
// printed (TestNoLocaleNoise in app/ui).
package localeenv

import (
	"os"
	"strings"
)

func init() {
	Sanitize(os.Getenv, os.Setenv)
}

// Sanitize sets LANGUAGE so that every locale go-locale will read parses:
// entries that do not are cut down to their language ("sr_RS@latin" to "sr")
// or dropped ("C.UTF-8"), and English is used when nothing is left. LANGUAGE
// is the variable to change because go-locale prefers it to the locale
// itself, while the C library ignores it when messages are in the C locale and
// Podpis's own language choice (internal/i18n.Detect) looks at it only when no
// locale is set. The locale variables themselves are left alone: the C
// library and GLFW's text input read them.
func Sanitize(getenv func(string) string, setenv func(key, value string) error) {
	locale := ""
	for _, name := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if locale = getenv(name); locale != "" {
			break
		}
	}
	if locale == "C" || locale == "POSIX" {
		return // go-locale reads nothing more
	}
	list := getenv("LANGUAGE")
	if list == "" {
		list = locale
	}
	if list == "" {
		return
	}
	var kept []string
	changed := false
	for _, entry := range strings.Split(list, ":") {
		if parses(entry) {
			kept = append(kept, entry)
			continue
		}
		changed = true
		if language, _ := split(entry); isLanguage(language) {
			kept = append(kept, language)
		}
	}
	if !changed {
		return
	}
	if len(kept) == 0 {
		kept = []string{"en"}
	}
	_ = setenv("LANGUAGE", strings.Join(kept, ":"))
}

// split cuts a locale the way go-locale does: the encoding after "." goes,
// then language and territory are split at the first "_" or "-".
func split(entry string) (language, territory string) {
	entry, _, _ = strings.Cut(entry, ".")
	entry = strings.ReplaceAll(entry, "-", "_")
	language, territory, _ = strings.Cut(entry, "_")
	return language, territory
}

// parses reports whether go-locale's rendering of entry is certainly a tag
// golang.org/x/text/language accepts. It is stricter than BCP 47, which only
// means that an unusual but valid entry is shortened to its language.
func parses(entry string) bool {
	language, territory := split(entry)
	return isLanguage(language) && (territory == "" || isRegion(territory))
}

// isLanguage: a two- or three-letter ISO 639 code.
func isLanguage(s string) bool {
	return (len(s) == 2 || len(s) == 3) && allOf(s, isLetter)
}

// isRegion: an ISO 3166 letter pair or a UN M.49 number.
func isRegion(s string) bool {
	return len(s) == 2 && allOf(s, isLetter) || len(s) == 3 && allOf(s, isDigit)
}

func allOf(s string, ok func(byte) bool) bool {
	for i := 0; i < len(s); i++ {
		if !ok(s[i]) {
			return false
		}
	}
	return true
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isDigit(c byte) bool  { return c >= '0' && c <= '9' }
