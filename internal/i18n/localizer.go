package i18n

import (
	"errors"
	"io/fs"

	"github.com/podpis/podpis/assets"
)

// Localizer renders translations in one language, falling back to English for
// a key the language lacks. It does not change after New, so goroutines may
// share it.
type Localizer struct {
	lang     Lang
	messages map[string]message // in lang
	english  map[string]message // the fallback
}

// New loads every translation file built into the binary
// (assets.Translations) and returns a Localizer for lang. It fails when a
// translation file is broken, naming the file and key.
func New(lang Lang) (*Localizer, error) {
	return newFromFS(assets.Translations, assets.TranslationsDir, lang)
}

func newFromFS(fsys fs.FS, dir string, lang Lang) (*Localizer, error) {
	if lang != Russian && lang != English {
		return nil, &UnknownLanguageError{Value: string(lang)}
	}
	files, err := loadFiles(fsys, dir)
	if err != nil {
		return nil, err
	}
	messages, err := catalog(files, lang)
	if err != nil {
		return nil, err
	}
	english, err := catalog(files, English)
	if err != nil {
		return nil, err
	}
	return &Localizer{lang: lang, messages: messages, english: english}, nil
}

// Lang is the language the Localizer speaks.
func (l *Localizer) Lang() Lang { return l.lang }

// Has reports whether key has a translation in the Localizer's language or in
// English, that is, whether T would find text for it.
func (l *Localizer) Has(key string) bool {
	_, ok := l.lookup(key)
	return ok
}

func (l *Localizer) lookup(key string) (message, bool) {
	if m, ok := l.messages[key]; ok {
		return m, true
	}
	m, ok := l.english[key]
	return m, ok
}

// T renders the translation of key as a text/template with data (several maps
// are merged, later ones winning). A key missing in the language falls back to
// English, and one missing there too is returned as it is, so a gap shows up
// as "cli.some.key" rather than as an empty line. For a plural message, T uses
// its "other" form; use N to choose the form by a number.
func (l *Localizer) T(key string, data ...map[string]any) string {
	m, ok := l.lookup(key)
	if !ok {
		return key
	}
	return render(m.form("other"), merge(data))
}

// N renders the plural form of key that suits count in the message's language
// (for Russian: 1 день, 2 дня, 5 дней), with data merged as in T and Count set
// to count unless data sets it.
func (l *Localizer) N(key string, count int, data ...map[string]any) string {
	lang := l.lang
	m, ok := l.messages[key]
	if !ok {
		if m, ok = l.english[key]; !ok {
			return key
		}
		lang = English
	}
	values := merge(append([]map[string]any{{"Count": count}}, data...))
	return render(m.form(pluralForm(lang, count)), values)
}

// form returns the text for a plural form, or the closest one the message has:
// a plain text serves every form, else "other", else any form at all.
func (m message) form(form string) text {
	for _, f := range []string{form, "", "other", "many", "few", "one", "two", "zero"} {
		if t, ok := m.forms[f]; ok {
			return t
		}
	}
	return text{} // parseMessage never makes a message without text
}

// pluralForm is the CLDR plural category of an integer count.
func pluralForm(lang Lang, count int) string {
	if count < 0 {
		count = -count
	}
	if lang == Russian {
		switch {
		case count%10 == 1 && count%100 != 11:
			return "one"
		case count%10 >= 2 && count%10 <= 4 && (count%100 < 12 || count%100 > 14):
			return "few"
		default:
			return "many"
		}
	}
	if count == 1 {
		return "one"
	}
	return "other"
}

func merge(data []map[string]any) map[string]any {
	merged := map[string]any{}
	for _, d := range data {
		for k, v := range d {
			merged[k] = v
		}
	}
	return merged
}

// codedError is what a user-facing error implements: a problem code whose
// message is the translation err.<code> rendered with Params, and whose fix,
// if there is one, is hint.<code>.
type codedError interface {
	error
	Code() string
	Params() map[string]any
}

// Problem turns an error into a problem code, a message and a hint (possibly
// empty) in the Localizer's language. It uses the outermost error in the chain
// that has a Code; wrappers that add parameters (such as File) are expected to
// implement Code and Params themselves, merging the inner error's. An error
// without a code is an internal error: its text becomes the Detail of
// err.internal. An error whose code has no translation keeps its own text.
func (l *Localizer) Problem(err error) (code, message, hint string) {
	if err == nil {
		return "", "", ""
	}
	var coded codedError
	if !errors.As(err, &coded) {
		return "internal", l.T("err.internal", map[string]any{"Detail": err.Error()}), l.T("hint.internal")
	}
	code = coded.Code()
	params := coded.Params()
	message = err.Error()
	if l.Has("err." + code) {
		message = l.T("err."+code, params)
	}
	if l.Has("hint." + code) {
		hint = l.T("hint."+code, params)
	}
	return code, message, hint
}
