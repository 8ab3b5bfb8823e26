package assets

import (
	"testing"

	"fyne.io/fyne/v2/lang"

	// Fyne's lang package reads the locale in its init; this fixes a C or
	// C.UTF-8 locale first, as the app does, so the test prints no Fyne error.
	_ "github.com/podpis/podpis/internal/localeenv"
)

// The GUI loads the translation files with fyne (go-i18n underneath), which is
// stricter about their shape than encoding/json: it must accept every file.
func TestFyneLoadsTranslations(t *testing.T) {
	if err := lang.AddTranslationsFS(Translations, TranslationsDir); err != nil {
		t.Fatalf("lang.AddTranslationsFS: %v", err)
	}
	const fallback = "not translated"
	if got := lang.LocalizeKey("lang.en", fallback); got == fallback || got == "" {
		t.Errorf(`fyne renders "lang.en" as %q: the translations did not load`, got)
	}
}
