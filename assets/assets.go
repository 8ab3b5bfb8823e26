// Package assets holds the files that are built into the podpis binary: the
// translations shared by the GUI and the CLI, and the application icon.
package assets

import "embed"

// TranslationsDir is the directory inside Translations that holds the
// translation files, as fyne's lang.AddTranslationsFS wants it named.
const TranslationsDir = "translations"

// Translations holds every translation file, named [area.]lang.json (for
// example common.ru.json). Fyne's lang.AddTranslationsFS and internal/i18n
// both read it, so the GUI and the CLI say the same things.
//
//go:embed translations
var Translations embed.FS

// Icon is the application icon, a 512x512 PNG (regenerate it with
// `go run scripts/genicon.go`).
//
//go:embed icon.png
var Icon []byte
