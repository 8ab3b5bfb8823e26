package i18n

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
	"text/template"
)

// Reasons a translation file is refused; LoadError.Err wraps one of them, or a
// JSON or template error.
var (
	ErrNotTranslationFile  = errors.New("not a translation file: the name must be [area.]lang.json")
	ErrUnsupportedLanguage = errors.New("language is not supported: only ru and en are")
	ErrNotFlat             = errors.New("value must be a text or an object of plural forms")
	ErrPluralForm          = errors.New("unknown plural form: use zero, one, two, few, many or other")
	ErrDuplicateKey        = errors.New("key is defined in more than one file of this language")
	ErrReservedKey         = errors.New("key is reserved by fyne's translation loader (go-i18n)")
)

// LoadError says which translation file, and which key in it, could not be
// used and why.
type LoadError struct {
	File string // file name inside the translations directory
	Key  string // the key at fault; empty when the whole file is
	Err  error
}

func (e *LoadError) Error() string {
	if e.Key == "" {
		return fmt.Sprintf("translation file %s: %v", e.File, e.Err)
	}
	return fmt.Sprintf("translation file %s, key %q: %v", e.File, e.Key, e.Err)
}

func (e *LoadError) Unwrap() error { return e.Err }

// pluralForms are the CLDR plural categories, which go-i18n (and so fyne) use
// as the keys of a plural message.
var pluralForms = []string{"zero", "one", "two", "few", "many", "other"}

// reservedKeys, with the plural forms, are the keys go-i18n reads as fields of
// a message rather than as message IDs: a top-level key with one of these
// names would make fyne read the whole file as a single message.
var reservedKeys = []string{"id", "description", "hash", "leftdelim", "rightdelim", "translation"}

// message is one translation: a plain text, kept under the form "", or an
// object of plural forms.
type message struct {
	file  string          // where it was defined, for error reports
	forms map[string]text // plural form ("" for a plain text) -> its text
}

// text is one text as written and parsed as a template.
type text struct {
	source   string
	template *template.Template
}

// isPlural reports whether the message was written as an object of plural forms.
func (m message) isPlural() bool {
	_, plain := m.forms[""]
	return !plain
}

// translationFile is one parsed file: its area (the name's prefix, may be
// empty), its language and its messages.
type translationFile struct {
	name     string
	area     string
	lang     Lang
	messages map[string]message
}

// loadFiles reads and parses every file in dir. It reports the first problem
// of each file, all files' problems joined, so one run names every bad file.
func loadFiles(fsys fs.FS, dir string) ([]translationFile, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("reading translations: %w", err)
	}
	var files []translationFile
	var problems []error
	for _, entry := range entries {
		if entry.IsDir() {
			continue
		}
		file, err := loadFile(fsys, dir, entry.Name())
		if err != nil {
			problems = append(problems, err)
			continue
		}
		files = append(files, file)
	}
	return files, errors.Join(problems...)
}

func loadFile(fsys fs.FS, dir, name string) (translationFile, error) {
	area, lang, err := parseFileName(name)
	if err != nil {
		return translationFile{}, &LoadError{File: name, Err: err}
	}
	data, err := fs.ReadFile(fsys, path.Join(dir, name))
	if err != nil {
		return translationFile{}, &LoadError{File: name, Err: err}
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return translationFile{}, &LoadError{File: name, Err: err}
	}
	file := translationFile{name: name, area: area, lang: lang, messages: make(map[string]message, len(raw))}
	for _, key := range sortedKeys(raw) {
		m, err := parseMessage(name, key, raw[key])
		if err != nil {
			return translationFile{}, &LoadError{File: name, Key: key, Err: err}
		}
		file.messages[key] = m
	}
	return file, nil
}

// parseFileName splits "common.ru.json" into area "common" and language "ru",
// following fyne's pattern [prefix.]lang.json.
func parseFileName(name string) (area string, lang Lang, err error) {
	base, ok := strings.CutSuffix(name, ".json")
	if !ok || base == "" {
		return "", "", ErrNotTranslationFile
	}
	code := base
	if dot := strings.LastIndexByte(base, '.'); dot >= 0 {
		area, code = base[:dot], base[dot+1:]
	}
	switch Lang(code) {
	case Russian, English:
		return area, Lang(code), nil
	}
	return "", "", fmt.Errorf("%w (%q)", ErrUnsupportedLanguage, code)
}

func parseMessage(file, key string, raw json.RawMessage) (message, error) {
	if isReservedKey(key) {
		return message{}, ErrReservedKey
	}
	sources := map[string]string{}
	var plain string
	if err := json.Unmarshal(raw, &plain); err == nil {
		sources[""] = plain
	} else if err := json.Unmarshal(raw, &sources); err != nil || len(sources) == 0 {
		return message{}, ErrNotFlat
	}
	m := message{file: file, forms: make(map[string]text, len(sources))}
	for form, source := range sources {
		if form != "" && !isPluralForm(form) {
			return message{}, fmt.Errorf("%w (%q)", ErrPluralForm, form)
		}
		t, err := template.New(file + ":" + key).Parse(source)
		if err != nil {
			return message{}, err
		}
		m.forms[form] = text{source: source, template: t}
	}
	return m, nil
}

func isReservedKey(key string) bool {
	for _, names := range [][]string{reservedKeys, pluralForms} {
		for _, name := range names {
			if strings.EqualFold(key, name) {
				return true
			}
		}
	}
	return false
}

func isPluralForm(form string) bool {
	for _, f := range pluralForms {
		if form == f {
			return true
		}
	}
	return false
}

// catalog merges the messages of every file in one language.
func catalog(files []translationFile, lang Lang) (map[string]message, error) {
	merged := map[string]message{}
	var problems []error
	for _, file := range files {
		if file.lang != lang {
			continue
		}
		for _, key := range sortedKeys(file.messages) {
			if first, dup := merged[key]; dup {
				problems = append(problems, &LoadError{File: file.name, Key: key,
					Err: fmt.Errorf("%w (also in %s)", ErrDuplicateKey, first.file)})
				continue
			}
			merged[key] = file.messages[key]
		}
	}
	return merged, errors.Join(problems...)
}

// render executes a parsed message. A template that fails to execute (for
// example, it calls a field on a value that has none) still shows its text.
func render(t text, data map[string]any) string {
	if t.template == nil {
		return t.source
	}
	var out bytes.Buffer
	if err := t.template.Execute(&out, data); err != nil {
		return t.source
	}
	return out.String()
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
