package i18n

import (
	"sort"
	"strings"
	"testing"
	"text/template"
	"text/template/parse"

	"github.com/podpis/podpis/assets"
)

// The real translation files: they must load, and every area must say the
// same things in Russian and English.

func TestTranslationFilesLoad(t *testing.T) {
	for _, lang := range Languages() {
		if _, err := New(lang); err != nil {
			t.Errorf("New(%s): %v", lang, err)
		}
	}
}

func TestTranslationsComplete(t *testing.T) {
	files, err := loadFiles(assets.Translations, assets.TranslationsDir)
	if err != nil {
		t.Errorf("loading translations: %v", err) // keep checking the files that loaded
	}
	if len(files) == 0 {
		t.Fatal("no translation files")
	}
	byArea := map[string]map[Lang]translationFile{}
	for _, f := range files {
		if byArea[f.area] == nil {
			byArea[f.area] = map[Lang]translationFile{}
		}
		byArea[f.area][f.lang] = f
	}
	for _, area := range sortedKeys(byArea) {
		ru, hasRu := byArea[area][Russian]
		en, hasEn := byArea[area][English]
		switch {
		case !hasRu:
			t.Errorf("%s has no Russian counterpart %s", en.name, fileName(area, Russian))
			continue
		case !hasEn:
			t.Errorf("%s has no English counterpart %s", ru.name, fileName(area, English))
			continue
		}
		compareFiles(t, ru, en)
		compareFiles(t, en, ru)
		for _, key := range sortedKeys(ru.messages) {
			if other, ok := en.messages[key]; ok {
				comparePlaceholders(t, key, ru, ru.messages[key], en, other)
			}
		}
	}
}

// compareFiles reports every key of from that to lacks.
func compareFiles(t *testing.T, from, to translationFile) {
	t.Helper()
	var missing []string
	for _, key := range sortedKeys(from.messages) {
		if _, ok := to.messages[key]; !ok {
			missing = append(missing, key)
		}
	}
	if len(missing) > 0 {
		t.Errorf("%s lacks %d key(s) that %s has: %s", to.name, len(missing), from.name, strings.Join(missing, ", "))
	}
}

func comparePlaceholders(t *testing.T, key string, ruFile translationFile, ru message, enFile translationFile, en message) {
	t.Helper()
	if ru.isPlural() != en.isPlural() {
		t.Errorf("key %q is a plural message in one of %s and %s but not in the other", key, ruFile.name, enFile.name)
	}
	if ru.isPlural() {
		requireForms(t, key, ruFile.name, ru, "one", "few", "many")
		requireForms(t, key, enFile.name, en, "one", "other")
	}
	ruFields, enFields := placeholders(ru), placeholders(en)
	if strings.Join(ruFields, ",") != strings.Join(enFields, ",") {
		t.Errorf("key %q uses placeholders %v in %s but %v in %s", key, ruFields, ruFile.name, enFields, enFile.name)
	}
	// Every form renders with its placeholders filled in, either all with
	// texts or all with numbers (a template may compare {{if gt .Count 1}}).
	for _, m := range []struct {
		file string
		msg  message
	}{{ruFile.name, ru}, {enFile.name, en}} {
		for form, text := range m.msg.forms {
			var errs []error
			for _, value := range []any{"x", 2} {
				data := map[string]any{}
				for _, field := range append(ruFields, "Count") {
					data[field] = value
				}
				errs = append(errs, text.template.Execute(&strings.Builder{}, data))
			}
			if errs[0] != nil && errs[1] != nil {
				t.Errorf("key %q (form %q) in %s does not render: %v", key, form, m.file, errs[0])
			}
		}
	}
}

func requireForms(t *testing.T, key, file string, m message, forms ...string) {
	t.Helper()
	for _, form := range forms {
		if _, ok := m.forms[form]; !ok {
			t.Errorf("plural key %q in %s lacks the form %q", key, file, form)
		}
	}
}

func fileName(area string, lang Lang) string {
	if area == "" {
		return string(lang) + ".json"
	}
	return area + "." + string(lang) + ".json"
}

// placeholders lists the top-level fields ({{.File}}) the message's forms use,
// sorted and without repeats; Count is left out, as N supplies it.
func placeholders(m message) []string {
	seen := map[string]bool{}
	for _, text := range m.forms {
		collectFields(text.template.Tree.Root, seen)
	}
	delete(seen, "Count")
	fields := make([]string, 0, len(seen))
	for f := range seen {
		fields = append(fields, f)
	}
	sort.Strings(fields)
	return fields
}

// collectFields records the fields read from the template's data. Inside
// {{with}} and {{range}} the dot is something else, so fields there are not
// the data's; their else branches still are.
func collectFields(node parse.Node, seen map[string]bool) {
	switch n := node.(type) {
	case *parse.ListNode:
		if n == nil {
			return
		}
		for _, child := range n.Nodes {
			collectFields(child, seen)
		}
	case *parse.ActionNode:
		collectFields(n.Pipe, seen)
	case *parse.PipeNode:
		if n == nil {
			return
		}
		for _, cmd := range n.Cmds {
			for _, arg := range cmd.Args {
				collectFields(arg, seen)
			}
		}
	case *parse.FieldNode:
		seen[n.Ident[0]] = true
	case *parse.ChainNode:
		collectFields(n.Node, seen)
	case *parse.IfNode:
		collectFields(n.Pipe, seen)
		collectFields(n.List, seen)
		collectFields(n.ElseList, seen)
	case *parse.WithNode:
		collectFields(n.Pipe, seen)
		collectFields(n.ElseList, seen)
	case *parse.RangeNode:
		collectFields(n.Pipe, seen)
		collectFields(n.ElseList, seen)
	case *parse.TemplateNode:
		collectFields(n.Pipe, seen)
	}
}

func TestPlaceholders(t *testing.T) {
	tests := []struct {
		text string
		want string
	}{
		{"plain", ""},
		{"{{.File}}: {{.Detail}} {{.File}}", "Detail,File"},
		{"{{with .File}}{{.}} {{.Name}}{{else}}{{.Other}}{{end}}", "File,Other"},
		{"{{if .A}}{{.B}}{{else}}{{.C}}{{end}}", "A,B,C"},
		{"{{printf \"%d\" .N}} {{.Count}}", "N"},
		{"{{range .Items}}{{.X}}{{end}}", "Items"},
		{"{{(.Cert).Subject}}", "Cert"},
	}
	for _, tt := range tests {
		tmpl := template.Must(template.New("t").Parse(tt.text))
		got := placeholders(message{forms: map[string]text{"": {source: tt.text, template: tmpl}}})
		if strings.Join(got, ",") != tt.want {
			t.Errorf("placeholders(%q) = %v, want %s", tt.text, got, tt.want)
		}
	}
}
