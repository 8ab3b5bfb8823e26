package ui

import (
	"bytes"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"

	"github.com/podpis/podpis/assets"
	"github.com/podpis/podpis/certstore"
	"github.com/podpis/podpis/certstore/format"
	"github.com/podpis/podpis/internal/i18n"
)

func TestParseArgs(t *testing.T) {
	for _, tc := range []struct {
		args    []string
		want    options
		errCode string
	}{
		{nil, options{}, ""},
		{[]string{"gui"}, options{}, ""},
		{[]string{"gui", "--store", "/s", "--lang=en"}, options{store: "/s", lang: "en"}, ""},
		{[]string{"a.p12", "-store=/s", "b.cer"}, options{store: "/s", files: []string{"a.p12", "b.cer"}}, ""},
		{[]string{"--lang", "ru", "--", "--store"}, options{lang: "ru", files: []string{"--store"}}, ""},
		{[]string{"gui", "gui"}, options{files: []string{"gui"}}, ""}, // a file named gui
		{[]string{"-"}, options{files: []string{"-"}}, ""},
		{[]string{"--verbose"}, options{}, "unknown-flag"},
		{[]string{"x.p12", "--store"}, options{}, "flag-value-missing"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			got, err := parseArgs(tc.args)
			if tc.errCode != "" {
				var ae *argError
				if !errors.As(err, &ae) || ae.Code() != tc.errCode {
					t.Fatalf("error %v, want code %s", err, tc.errCode)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("parseArgs = %+v, %v; want %+v", got, err, tc.want)
			}
		})
	}
}

func TestChooseLanguage(t *testing.T) {
	for _, tc := range []struct {
		flag string
		env  map[string]string
		want i18n.Lang
		err  bool
	}{
		{"", map[string]string{"LANG": "ru_RU.UTF-8"}, i18n.Russian, false},
		{"", map[string]string{"LANG": "C"}, i18n.English, false},
		{"", map[string]string{"LANG": "C.UTF-8"}, i18n.English, false},
		{"", map[string]string{}, i18n.English, false},
		{"", map[string]string{"LC_ALL": "en_US.UTF-8", "LANG": "ru_RU.UTF-8"}, i18n.English, false},
		{"ru", map[string]string{"LANG": "C"}, i18n.Russian, false},
		{"EN", map[string]string{"LANG": "ru_RU.UTF-8"}, i18n.English, false},
		{"fr", map[string]string{}, "", true},
	} {
		got, err := chooseLanguage(tc.flag, func(k string) string { return tc.env[k] })
		if (err != nil) != tc.err || got != tc.want {
			t.Errorf("chooseLanguage(%q, %v) = %q, %v; want %q (error %v)", tc.flag, tc.env, got, err, tc.want, tc.err)
		}
	}
}

// useLanguage must leave an environment from which go-locale (fyne's
// locale reader) yields exactly the chosen language.
func TestUseLanguageSteersFyne(t *testing.T) {
	for _, tc := range []struct {
		lang i18n.Lang
		env  map[string]string
		want map[string]string // variables after the call
	}{
		{i18n.Russian, map[string]string{"LANG": "C"}, map[string]string{"LANG": "C", "LC_MESSAGES": "C.UTF-8", "LANGUAGE": "ru"}},
		{i18n.Russian, map[string]string{"LC_ALL": "POSIX", "LANG": "ru_RU.UTF-8"}, map[string]string{"LC_ALL": "C.UTF-8", "LANG": "ru_RU.UTF-8", "LANGUAGE": "ru"}},
		{i18n.English, map[string]string{"LANG": "ru_RU.UTF-8", "LANGUAGE": "ru:en"}, map[string]string{"LANG": "ru_RU.UTF-8", "LANGUAGE": "en"}},
		{i18n.Russian, map[string]string{}, map[string]string{"LANGUAGE": "ru"}},
	} {
		t.Run(fmt.Sprint(tc.lang, tc.env), func(t *testing.T) {
			for _, name := range []string{"LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"} {
				t.Setenv(name, tc.env[name])
			}
			env := map[string]string{}
			for k, v := range tc.env {
				env[k] = v
			}
			getenv := func(k string) string { return env[k] }
			setenv := func(k, v string) error { env[k] = v; t.Setenv(k, v); return nil }
			if err := useLanguage(tc.lang, getenv, setenv); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(env, tc.want) {
				t.Errorf("environment %v, want %v", env, tc.want)
			}
			// What fyne's localizer now speaks.
			want := map[i18n.Lang]string{i18n.Russian: "Импорт", i18n.English: "Import"}[tc.lang]
			tr, err := newTranslator(tc.lang)
			if err != nil {
				t.Fatal(err)
			}
			if got := tr.text("ui.action.import", nil); got != want {
				t.Errorf("fyne translates ui.action.import as %q, want %q", got, want)
			}
		})
	}
}

// Every ui key exists in both languages with the same plural shape, and the
// files load with the CLI's loader (which refuses keys defined twice).
func TestTranslationsComplete(t *testing.T) {
	read := func(lang string) map[string]json.RawMessage {
		data, err := assets.Translations.ReadFile(assets.TranslationsDir + "/ui." + lang + ".json")
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]json.RawMessage
		if err := json.Unmarshal(data, &m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	ru, en := read("ru"), read("en")
	for key := range ru {
		if !strings.HasPrefix(key, "ui.") {
			t.Errorf("key %q outside the ui. area", key)
		}
		if _, ok := en[key]; !ok {
			t.Errorf("%q has no English text", key)
		}
		if plural := bytes.HasPrefix(ru[key], []byte("{")); plural != bytes.HasPrefix(en[key], []byte("{")) {
			t.Errorf("%q is plural in one language only", key)
		}
	}
	for key := range en {
		if _, ok := ru[key]; !ok {
			t.Errorf("%q has no Russian text", key)
		}
	}
	for _, l := range i18n.Languages() {
		if _, err := i18n.New(l); err != nil {
			t.Errorf("translations do not load for %s: %v", l, err)
		}
	}
}

type fakeCoded struct{ code string }

func (e fakeCoded) Error() string          { return "fake " + e.code }
func (e fakeCoded) Code() string           { return e.code }
func (e fakeCoded) Params() map[string]any { return map[string]any{"File": "a.p12"} }

func TestDescribeErrors(t *testing.T) {
	tr := setTestLanguage(t, i18n.Russian)
	for _, tc := range []struct {
		err      error
		want     string
		wantHint bool
	}{
		{fakeCoded{"wrong-password"}, "Неверный пароль для файла a.p12", true},
		{fmt.Errorf("wrapped: %w", fakeCoded{"wrong-password"}), "Неверный пароль для файла a.p12", true},
		{fakeCoded{"no-such-code-anywhere"}, "Внутренняя ошибка программы: fake no-such-code-anywhere", true},
		{errors.New("disk on fire"), "Внутренняя ошибка программы: disk on fire", true},
	} {
		p := tr.describe(tc.err)
		if p.Message != tc.want || (p.Hint != "") != tc.wantHint {
			t.Errorf("describe(%v) = %+v, want message %q", tc.err, p, tc.want)
		}
	}
	app := test.NewTempApp(t)
	win := app.NewWindow("")
	if d := showError(tr, app, win, fmt.Errorf("ask: %w", certstore.ErrCancelled)); d != nil {
		t.Error("a cancelled prompt was shown as an error")
	}
}

func TestExportData(t *testing.T) {
	root := newRoot(t, "Корень")
	leaf := entryFor(t, root.issuePerson(t, "Лист", testNow.Add(-day), testNow.Add(day)).cert, certstore.ListPersonal)
	rootEntry := entryFor(t, root.cert, certstore.ListRoot)
	// Choosing the issuer (same name, other key) is certstore.Chain's and tested there.

	chain := []*certstore.Entry{leaf, rootEntry}
	if der := exportData(chain, exportDER); !bytes.Equal(der, leaf.Cert.Raw) {
		t.Error("DER export is not the certificate")
	}
	block, rest := pem.Decode(exportData(chain[:1], exportPEM))
	if block == nil || block.Type != "CERTIFICATE" || !bytes.Equal(block.Bytes, leaf.Cert.Raw) || len(bytes.TrimSpace(rest)) != 0 {
		t.Error("PEM export without chain is not one certificate block")
	}
	for _, f := range []exportFormat{exportPEM, exportP7B} {
		sniffed, err := format.Sniff(exportData(chain, f))
		if err != nil {
			t.Fatalf("%s export does not read back: %v", f, err)
		}
		if len(sniffed.Certificates) != 2 || !bytes.Equal(sniffed.Certificates[0], leaf.Cert.Raw) || !bytes.Equal(sniffed.Certificates[1], root.cert.Raw) {
			t.Errorf("%s export with chain holds %d certificates", f, len(sniffed.Certificates))
		}
		if f == exportP7B && !sniffed.PKCS7 {
			t.Error("p7b export is not PKCS#7")
		}
	}
	if got := fileNameFor(leaf, exportP7B); got != "Лист.p7b" {
		t.Errorf("file name %q", got)
	}
}

func TestExportDialogOffersChainExceptForDER(t *testing.T) {
	h := newHarness(t, i18n.Russian)
	storeFixtures(h)
	e := h.selectRow("Иванов Иван Иванович")
	h.tap(h.w.exportButton)
	d := h.w.export
	if d == nil || d.entry != e || d.chosen() != exportPEM {
		t.Fatalf("export dialog %+v", d)
	}
	h.act(func() {
		for label, f := range d.labels {
			if f == exportDER {
				d.chain.SetChecked(true)
				d.format.SetSelected(label)
			}
		}
	})
	if d.chosen() != exportDER || !d.chain.Disabled() || d.chain.Checked {
		t.Errorf("DER chosen: chain disabled %v, checked %v", d.chain.Disabled(), d.chain.Checked)
	}
}

func TestWriteExportWritesTheFile(t *testing.T) {
	h := newHarness(t, i18n.Russian)
	storeFixtures(h)
	e := h.selectRow("Иванов Иван Иванович")
	path := filepath.Join(t.TempDir(), "out.p7b")
	writer, err := storage.Writer(storage.NewFileURI(path))
	if err != nil {
		t.Fatal(err)
	}
	data, err := h.w.certData(e, exportP7B, true)
	if err != nil {
		t.Fatal(err)
	}
	if err := writeFileData(writer, data, 0o644); err != nil {
		t.Fatal(err)
	}
	written, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	sniffed, err := format.Sniff(written)
	if err != nil || !sniffed.PKCS7 || !bytes.Equal(sniffed.Certificates[0], e.Cert.Raw) {
		t.Fatalf("exported file: %v, %+v", err, sniffed)
	}
	if names, _ := os.ReadDir(filepath.Dir(path)); len(names) != 1 {
		t.Fatalf("files next to the export: %v", names)
	}
}

// A chain that cannot be built (the certificate was deleted by another
// process meanwhile) is reported before any file is chosen, so no empty
// file is left behind.
func TestExportFailureComesBeforeTheSaveDialog(t *testing.T) {
	h := newHarness(t, i18n.Russian)
	storeFixtures(h)
	e := h.selectRow("Иванов Иван Иванович")
	if err := h.store.Delete(e.ID); err != nil {
		t.Fatal(err)
	}
	h.act(func() { h.w.saveExport(e, exportPEM, true) })
	h.wait()
	var shown bool
	h.act(func() { shown = h.w.errorBox != nil })
	if !shown {
		t.Fatal("no error shown for an export whose certificate is gone")
	}
}
