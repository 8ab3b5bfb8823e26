package assets

import (
	"bufio"
	"bytes"
	"image/png"
	"os"
	"strings"
	"testing"
)

func TestIcon(t *testing.T) {
	cfg, err := png.DecodeConfig(bytes.NewReader(Icon))
	if err != nil {
		t.Fatalf("icon.png is not a PNG: %v", err)
	}
	if cfg.Width != 512 || cfg.Height != 512 {
		t.Errorf("icon is %dx%d, want 512x512", cfg.Width, cfg.Height)
	}
	if _, err := png.Decode(bytes.NewReader(Icon)); err != nil {
		t.Errorf("icon.png does not decode: %v", err)
	}
}

func TestTranslationsEmbedded(t *testing.T) {
	entries, err := Translations.ReadDir(TranslationsDir)
	if err != nil {
		t.Fatalf("reading %s: %v", TranslationsDir, err)
	}
	names := map[string]bool{}
	for _, e := range entries {
		names[e.Name()] = true
	}
	for _, want := range []string{"common.ru.json", "common.en.json"} {
		if !names[want] {
			t.Errorf("%s/%s is not embedded (have %v)", TranslationsDir, want, names)
		}
	}
}

func TestDesktopEntry(t *testing.T) {
	data, err := os.ReadFile("podpis.desktop")
	if err != nil {
		t.Fatal(err)
	}
	entry := map[string]string{}
	scanner := bufio.NewScanner(bytes.NewReader(data))
	for line := 1; scanner.Scan(); line++ {
		text := scanner.Text()
		if text == "" || strings.HasPrefix(text, "#") || text == "[Desktop Entry]" {
			continue
		}
		key, value, ok := strings.Cut(text, "=")
		if !ok {
			t.Errorf("podpis.desktop line %d is not key=value: %q", line, text)
			continue
		}
		if _, dup := entry[key]; dup {
			t.Errorf("podpis.desktop line %d repeats %s", line, key)
		}
		entry[key] = value
	}
	want := map[string]string{
		"Type":     "Application",
		"Name":     "Podpis",
		"Name[ru]": "Подпись",
		"Exec":     "podpis %F",
		// fyne package installs the icon as Podpis.png (the app's name).
		"Icon": "Podpis",
	}
	for key, value := range want {
		if entry[key] != value {
			t.Errorf("podpis.desktop %s = %q, want %q", key, entry[key], value)
		}
	}
	mime := strings.Split(strings.TrimSuffix(entry["MimeType"], ";"), ";")
	for _, m := range []string{"application/pkcs7-signature", "application/x-pkcs12", "application/pkix-cert", "application/x-x509-ca-cert"} {
		if !contains(mime, m) {
			t.Errorf("podpis.desktop MimeType %q lacks %s", entry["MimeType"], m)
		}
	}
	for _, key := range []string{"MimeType", "Categories", "Keywords"} {
		if !strings.HasSuffix(entry[key], ";") {
			t.Errorf("podpis.desktop list %s must end with ';': %q", key, entry[key])
		}
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
