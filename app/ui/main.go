// Package ui is Podpis's window: the certificate list with status badges,
// details, an expiry banner, import (also by dropping files on the window),
// export, delete and trust. Each screen is a small struct holding its
// widgets; work that touches the disk or the keyring runs in the background
// and comes back with fyne.Do.
package ui

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"

	"github.com/podpis/podpis/assets"
	"github.com/podpis/podpis/certstore"
	"github.com/podpis/podpis/internal/i18n"

	// Before fyne's lang package reads the locale: see its doc.
	_ "github.com/podpis/podpis/internal/localeenv"
)

// AppID is the application ID, as in FyneApp.toml.
const AppID = "io.github.podpis"

// options is the window's command line.
type options struct {
	store string   // --store DIR; "" for the default store
	lang  string   // --lang ru|en; "" for the locale's
	files []string // files to import on start (the app was opened with them)
}

// argError is a mistake in the window's command line. Its codes are the
// CLI's, so the messages are the same.
type argError struct {
	code string
	flag string
}

func (e *argError) Error() string          { return e.code + " " + e.flag }
func (e *argError) Code() string           { return e.code }
func (e *argError) Params() map[string]any { return map[string]any{"Flag": e.flag} }

// parseArgs reads [gui] [--store DIR] [--lang ru|en] [--] [FILE...]; flags
// may come after files, and "--" ends the flags.
func parseArgs(args []string) (options, error) {
	var opts options
	if len(args) > 0 && args[0] == "gui" {
		args = args[1:]
	}
	for i := 0; i < len(args); i++ {
		arg := args[i]
		if arg == "--" {
			opts.files = append(opts.files, args[i+1:]...)
			break
		}
		if len(arg) < 2 || arg[0] != '-' {
			opts.files = append(opts.files, arg)
			continue
		}
		name, value, hasValue := strings.Cut(strings.TrimPrefix(strings.TrimPrefix(arg, "-"), "-"), "=")
		var target *string
		switch name {
		case "store":
			target = &opts.store
		case "lang":
			target = &opts.lang
		default:
			return opts, &argError{code: "unknown-flag", flag: arg}
		}
		if !hasValue {
			if i+1 >= len(args) {
				return opts, &argError{code: "flag-value-missing", flag: "--" + name}
			}
			i++
			value = args[i]
		}
		*target = value
	}
	return opts, nil
}

// Main opens the window and returns the exit code when it closes. args are
// the command line after the program name: optionally "gui", then --store
// DIR, --lang ru|en, and files to import at once.
func Main(args []string) int {
	opts, argErr := parseArgs(args)
	language, langErr := chooseLanguage(opts.lang, os.Getenv)
	if langErr != nil {
		language = i18n.Detect(os.Getenv)
	}
	if err := useLanguage(language, os.Getenv, os.Setenv); err != nil {
		fmt.Fprintln(os.Stderr, "podpis:", err)
	}
	tr, err := newTranslator(language)
	if err != nil {
		fmt.Fprintln(os.Stderr, "podpis:", err)
		return 1
	}
	for _, err := range []error{argErr, langErr} {
		if err != nil {
			printProblem(os.Stderr, tr, err)
			return 2
		}
	}

	a := app.NewWithID(AppID)
	a.SetIcon(fyne.NewStaticResource("podpis.png", assets.Icon))
	store, err := certstore.Open(certstore.Options{Dir: opts.store})
	if err != nil {
		// Nothing to manage: say why in a window, since a person who
		// double-clicked the app sees no terminal.
		printProblem(os.Stderr, tr, err)
		win := a.NewWindow(tr.text("ui.title", nil))
		win.Resize(fyne.NewSize(640, 320))
		if d := showError(tr, a, win, err); d != nil {
			d.dialog.SetOnClosed(a.Quit)
		}
		win.ShowAndRun()
		return 1
	}
	// Finalise the PKCS#11 modules on the way out: some tokens keep a
	// session (and a login) until the module is told the app is done.
	defer store.Close()
	w := newMainWindow(a, store, tr, time.Now)
	// Another process (the CLI, a script) may change the store meanwhile.
	a.Lifecycle().SetOnEnteredForeground(func() { w.refresh("") })
	w.refresh("")
	w.importFiles(opts.files)
	w.window.ShowAndRun()
	return 0
}

// printProblem writes an error as the CLI would: message, then the fix.
func printProblem(out io.Writer, tr *translator, err error) {
	p := tr.describe(err)
	fmt.Fprintln(out, "podpis:", p.Message)
	if p.Hint != "" {
		fmt.Fprintln(out, p.Hint)
	}
}
