package i18n

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"
)

// testFS is a small translations directory with the cases the Localizer must
// handle: a key in both languages, one only in English, plural messages and
// problem codes with and without a hint.
func testFS() fstest.MapFS {
	return fstest.MapFS{
		"tr/a.ru.json": {Data: []byte(`{
			"greet": "Привет, {{.Name}}",
			"days": {"one": "{{.Count}} день", "few": "{{.Count}} дня", "many": "{{.Count}} дней"},
			"err.wrong-password": "Неверный пароль{{with .File}} для файла {{.}}{{end}}",
			"hint.wrong-password": "Проверьте раскладку",
			"err.no-hint": "Без подсказки {{.N}}",
			"err.internal": "Внутренняя ошибка: {{.Detail}}",
			"hint.internal": "Сообщите разработчикам"
		}`)},
		"tr/b.ru.json": {Data: []byte(`{"only.ru": "только по-русски"}`)},
		"tr/a.en.json": {Data: []byte(`{
			"greet": "Hello, {{.Name}}",
			"only.en": "English only",
			"days": {"one": "{{.Count}} day", "other": "{{.Count}} days"},
			"err.wrong-password": "Wrong password{{with .File}} for {{.}}{{end}}",
			"hint.wrong-password": "Check the keyboard layout",
			"err.no-hint": "No hint {{.N}}",
			"err.internal": "Internal error: {{.Detail}}",
			"hint.internal": "Tell the developers"
		}`)},
		"tr/ru.json": {Data: []byte(`{"bare": "файл без области"}`)},
	}
}

func newTestLocalizer(t *testing.T, lang Lang) *Localizer {
	t.Helper()
	l, err := newFromFS(testFS(), "tr", lang)
	if err != nil {
		t.Fatalf("newFromFS(%s): %v", lang, err)
	}
	if l.Lang() != lang {
		t.Fatalf("Lang() = %q, want %q", l.Lang(), lang)
	}
	return l
}

func TestT(t *testing.T) {
	ru, en := newTestLocalizer(t, Russian), newTestLocalizer(t, English)
	tests := []struct {
		l    *Localizer
		key  string
		data []map[string]any
		want string
	}{
		{ru, "greet", []map[string]any{{"Name": "Аня"}}, "Привет, Аня"},
		{en, "greet", []map[string]any{{"Name": "Ann"}}, "Hello, Ann"},
		{ru, "greet", []map[string]any{{"Name": "a"}, {"Name": "b"}}, "Привет, b"},
		{ru, "only.ru", nil, "только по-русски"},
		{ru, "bare", nil, "файл без области"},
		{ru, "only.en", nil, "English only"}, // falls back to English
		{en, "only.ru", nil, "only.ru"},      // not in English: the key itself
		{ru, "missing.key", nil, "missing.key"},
		{ru, "err.wrong-password", nil, "Неверный пароль"},
		{ru, "err.wrong-password", []map[string]any{{"File": "key.p12"}}, "Неверный пароль для файла key.p12"},
		{en, "days", []map[string]any{{"Count": 3}}, "3 days"}, // T takes "other"
		{ru, "days", []map[string]any{{"Count": 5}}, "5 дней"}, // no "other": the next best form
	}
	for _, tt := range tests {
		if got := tt.l.T(tt.key, tt.data...); got != tt.want {
			t.Errorf("%s: T(%q, %v) = %q, want %q", tt.l.Lang(), tt.key, tt.data, got, tt.want)
		}
	}
}

func TestHas(t *testing.T) {
	ru, en := newTestLocalizer(t, Russian), newTestLocalizer(t, English)
	for _, tt := range []struct {
		l    *Localizer
		key  string
		want bool
	}{
		{ru, "greet", true}, {ru, "only.en", true}, {en, "only.ru", false}, {en, "nothing", false},
	} {
		if got := tt.l.Has(tt.key); got != tt.want {
			t.Errorf("%s: Has(%q) = %v, want %v", tt.l.Lang(), tt.key, got, tt.want)
		}
	}
}

func TestN(t *testing.T) {
	ru, en := newTestLocalizer(t, Russian), newTestLocalizer(t, English)
	tests := []struct {
		l     *Localizer
		count int
		want  string
	}{
		{ru, 1, "1 день"}, {ru, 2, "2 дня"}, {ru, 4, "4 дня"}, {ru, 5, "5 дней"},
		{ru, 11, "11 дней"}, {ru, 12, "12 дней"}, {ru, 14, "14 дней"}, {ru, 21, "21 день"},
		{ru, 22, "22 дня"}, {ru, 0, "0 дней"}, {ru, 111, "111 дней"}, {ru, 101, "101 день"},
		{en, 1, "1 day"}, {en, 0, "0 days"}, {en, 2, "2 days"}, {en, 21, "21 days"},
	}
	for _, tt := range tests {
		if got := tt.l.N("days", tt.count); got != tt.want {
			t.Errorf("%s: N(days, %d) = %q, want %q", tt.l.Lang(), tt.count, got, tt.want)
		}
	}
	if got := ru.N("greet", 3, map[string]any{"Name": "Оля"}); got != "Привет, Оля" {
		t.Errorf("N on a plain message = %q", got)
	}
	if got := ru.N("days", 2, map[string]any{"Count": "два"}); got != "два дня" {
		t.Errorf("N with Count in data = %q, want the caller's Count", got)
	}
	if got := ru.N("nothing", 2); got != "nothing" {
		t.Errorf("N of a missing key = %q", got)
	}
}

// codedErr is a user-facing error as certstore and the CLI make them.
type codedErr struct {
	code   string
	params map[string]any
	err    error
}

func (e *codedErr) Error() string          { return "coded: " + e.code }
func (e *codedErr) Code() string           { return e.code }
func (e *codedErr) Params() map[string]any { return e.params }
func (e *codedErr) Unwrap() error          { return e.err }

func TestProblem(t *testing.T) {
	ru, en := newTestLocalizer(t, Russian), newTestLocalizer(t, English)
	wrongPassword := &codedErr{code: "wrong-password"}
	inFile := &codedErr{code: "wrong-password", params: map[string]any{"File": "a.p12"}, err: wrongPassword}
	tests := []struct {
		name                string
		l                   *Localizer
		err                 error
		code, message, hint string
	}{
		{"nil", ru, nil, "", "", ""},
		{"coded", ru, wrongPassword, "wrong-password", "Неверный пароль", "Проверьте раскладку"},
		{"coded in English", en, wrongPassword, "wrong-password", "Wrong password", "Check the keyboard layout"},
		{"wrapped by fmt", ru, fmt.Errorf("import: %w", wrongPassword), "wrong-password", "Неверный пароль", "Проверьте раскладку"},
		{"outermost coded wins", en, fmt.Errorf("batch: %w", inFile), "wrong-password", "Wrong password for a.p12", "Check the keyboard layout"},
		{"in a joined error", en, errors.Join(errors.New("first"), wrongPassword), "wrong-password", "Wrong password", "Check the keyboard layout"},
		{"no hint", en, &codedErr{code: "no-hint", params: map[string]any{"N": 7}}, "no-hint", "No hint 7", ""},
		{"untranslated code keeps its text", ru, fmt.Errorf("ctx: %w", &codedErr{code: "brand-new"}), "brand-new", "ctx: coded: brand-new", ""},
		{"plain error is internal", ru, errors.New("disk on fire"), "internal", "Внутренняя ошибка: disk on fire", "Сообщите разработчикам"},
		{"plain error in English", en, fs.ErrPermission, "internal", "Internal error: permission denied", "Tell the developers"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, message, hint := tt.l.Problem(tt.err)
			if code != tt.code || message != tt.message || hint != tt.hint {
				t.Errorf("Problem(%v) = %q, %q, %q; want %q, %q, %q", tt.err, code, message, hint, tt.code, tt.message, tt.hint)
			}
		})
	}
}

func TestNewRefusesUnknownLanguage(t *testing.T) {
	_, err := newFromFS(testFS(), "tr", "de")
	var unknown *UnknownLanguageError
	if !errors.As(err, &unknown) || unknown.Value != "de" {
		t.Fatalf("newFromFS(de) error = %v, want UnknownLanguageError", err)
	}
}

func TestLoadErrors(t *testing.T) {
	tests := []struct {
		name    string
		files   fstest.MapFS
		file    string
		key     string
		reason  error  // errors.Is target, or nil
		message string // part of the error text
	}{
		{"not json by name", fstest.MapFS{"tr/readme.txt": {Data: []byte("x")}}, "readme.txt", "", ErrNotTranslationFile, ""},
		{"bare .json", fstest.MapFS{"tr/.json": {Data: []byte("{}")}}, ".json", "", ErrNotTranslationFile, ""},
		{"unsupported language", fstest.MapFS{"tr/a.de.json": {Data: []byte("{}")}}, "a.de.json", "", ErrUnsupportedLanguage, `"de"`},
		{"broken json", fstest.MapFS{"tr/a.en.json": {Data: []byte(`{"a": "b",}`)}}, "a.en.json", "", nil, "invalid character"},
		{"empty file", fstest.MapFS{"tr/a.en.json": {Data: nil}}, "a.en.json", "", nil, "unexpected end of JSON"},
		{"array", fstest.MapFS{"tr/a.en.json": {Data: []byte(`["a"]`)}}, "a.en.json", "", nil, "cannot unmarshal array"},
		{"number value", fstest.MapFS{"tr/a.en.json": {Data: []byte(`{"a": 1}`)}}, "a.en.json", "a", ErrNotFlat, ""},
		{"nested object", fstest.MapFS{"tr/a.en.json": {Data: []byte(`{"a": {"b": {"c": "d"}}}`)}}, "a.en.json", "a", ErrNotFlat, ""},
		{"empty object", fstest.MapFS{"tr/a.en.json": {Data: []byte(`{"a": {}}`)}}, "a.en.json", "a", ErrNotFlat, ""},
		{"not a plural form", fstest.MapFS{"tr/a.en.json": {Data: []byte(`{"a": {"one": "x", "lots": "y"}}`)}}, "a.en.json", "a", ErrPluralForm, `"lots"`},
		{"reserved key", fstest.MapFS{"tr/a.en.json": {Data: []byte(`{"a": "x", "Description": "y"}`)}}, "a.en.json", "Description", ErrReservedKey, ""},
		{"plural form as key", fstest.MapFS{"tr/a.en.json": {Data: []byte(`{"a": "x", "other": "y"}`)}}, "a.en.json", "other", ErrReservedKey, ""},
		{"bad template", fstest.MapFS{"tr/a.en.json": {Data: []byte(`{"a": "Hello {{.Name"}`)}}, "a.en.json", "a", nil, "unclosed action"},
		{"bad plural template", fstest.MapFS{"tr/a.en.json": {Data: []byte(`{"a": {"one": "{{end}}", "other": "x"}}`)}}, "a.en.json", "a", nil, "unexpected {{end}}"},
		{"duplicate key", fstest.MapFS{
			"tr/a.en.json": {Data: []byte(`{"k": "one"}`)},
			"tr/b.en.json": {Data: []byte(`{"k": "two"}`)},
		}, "b.en.json", "k", ErrDuplicateKey, "also in a.en.json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := newFromFS(tt.files, "tr", English)
			var loadErr *LoadError
			if !errors.As(err, &loadErr) {
				t.Fatalf("error = %v, want a LoadError", err)
			}
			if loadErr.File != tt.file || loadErr.Key != tt.key {
				t.Errorf("LoadError names file %q key %q, want %q %q (%v)", loadErr.File, loadErr.Key, tt.file, tt.key, err)
			}
			if tt.reason != nil && !errors.Is(err, tt.reason) {
				t.Errorf("error %v is not %v", err, tt.reason)
			}
			if !strings.Contains(err.Error(), tt.message) || !strings.Contains(err.Error(), tt.file) {
				t.Errorf("error %q does not name %q and say %q", err, tt.file, tt.message)
			}
		})
	}
}

func TestLoadReportsEveryBadFile(t *testing.T) {
	_, err := newFromFS(fstest.MapFS{
		"tr/a.en.json":  {Data: []byte(`{`)},
		"tr/b.ru.json":  {Data: []byte(`{"x": "{{"}`)},
		"tr/ok.en.json": {Data: []byte(`{"y": "z"}`)},
	}, "tr", English)
	for _, file := range []string{"a.en.json", "b.ru.json"} {
		if err == nil || !strings.Contains(err.Error(), file) {
			t.Errorf("error %v does not name %s", err, file)
		}
	}
}

func TestMissingDirectory(t *testing.T) {
	if _, err := newFromFS(fstest.MapFS{}, "tr", English); err == nil {
		t.Fatal("newFromFS on a missing directory succeeded")
	}
}

func TestRenderFailureShowsSource(t *testing.T) {
	l, err := newFromFS(fstest.MapFS{"tr/a.en.json": {Data: []byte(`{"k": "Size {{.N.Bytes}}"}`)}}, "tr", English)
	if err != nil {
		t.Fatal(err)
	}
	// Bytes is not a field of an int: execution fails, the text still shows.
	if got := l.T("k", map[string]any{"N": 5}); got != "Size {{.N.Bytes}}" {
		t.Errorf("T = %q, want the source text", got)
	}
}

func FuzzTranslationFile(f *testing.F) {
	f.Add("a.en.json", []byte(`{"greet": "Hello, {{.Name}}", "days": {"one": "{{.Count}} day", "other": "{{.Count}} days"}}`))
	f.Add("common.ru.json", []byte(`{"err.x": "{{with .File}}{{.}}: {{end}}ошибка"}`))
	f.Add("ru.json", []byte(`{"k": "{{if .L}}{{.L}}{{else}}-{{end}}"}`))
	f.Add("a.en.json", []byte(`{"k": "{{template \"x\"}}"}`))
	f.Add("x.de.json", []byte(`{}`))
	f.Add("a.en.json", []byte(`{"a": {"one": 1}}`))
	f.Fuzz(func(t *testing.T, name string, data []byte) {
		if strings.ContainsAny(name, "/\\") || name == "" || name == "." || name == ".." {
			return
		}
		l, err := newFromFS(fstest.MapFS{"tr/" + name: {Data: data}}, "tr", English)
		if err != nil {
			var loadErr *LoadError
			if !errors.As(err, &loadErr) || loadErr.File != name {
				t.Fatalf("error %v is not a LoadError naming %q", err, name)
			}
			return
		}
		for key, m := range l.english {
			// Translation files are ours, not untrusted input: a template may
			// legally loop a billion times ({{range 1000000000}}), which is
			// slow, not a bug.
			if strings.Contains(fmt.Sprint(m.forms), "range") {
				continue
			}
			_ = l.T(key, map[string]any{"Name": "x", "Count": 2, "File": "f"})
			_ = l.N(key, 5)
		}
	})
}
