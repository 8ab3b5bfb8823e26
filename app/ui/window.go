package ui

import (
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/podpis/podpis/certstore"
)

// mainWindow is Podpis's one window, in four tabs: the certificate manager
// (toolbar, expiry banner, the list of certificates and the details of the
// selected one), the Sign screen, the Verify screen and the Diagnose screen.
//
// Its fields are used on fyne's goroutine only, except store, do and busy:
// work that touches the disk or the keyring runs in the background (see
// background) and comes back through do, which is fyne.Do.
type mainWindow struct {
	app    fyne.App
	window fyne.Window
	store  *certstore.Store
	tr     *translator
	now    func() time.Time

	importButton *widget.Button
	exportButton *widget.Button
	// passwordButton changes the password of the selection's key container.
	passwordButton *widget.Button
	deleteButton   *widget.Button
	trustButton    *widget.Button
	refreshButton  *widget.Button
	// tokensButton switches the tab to the tokens and smart cards.
	tokensButton *widget.Button
	// progress shows how far an import of several files has got.
	progress *importProgress

	banner  *expiryBanner
	list    *certList
	details *detailsPane
	empty   *emptyState
	split   *container.Split
	// certView (toolbar, banner, list and details) and tokens share the
	// Certificates tab: one shows at a time.
	certView *fyne.Container
	tokens   *tokenPanel

	// tabs switches between the certificates and the three screens; files
	// dropped on the window go to the tab that is showing.
	tabs        *container.AppTabs
	certsTab    *container.TabItem
	signTab     *container.TabItem
	verifyTab   *container.TabItem
	diagnoseTab *container.TabItem
	sign        *signScreen
	verify      *verifyScreen
	diagnose    *diagnoseScreen

	entries  []*certstore.Entry
	selected *certstore.Entry
	// presence says, by token serial, whether the tokens of the entries
	// are plugged in (nil until asked); presenceRun numbers the checks so
	// that a late answer does not overwrite a newer one.
	presence    map[string]bool
	presenceRun int

	// The dialogs on screen, kept so that they can be driven (and tested)
	// through their widgets.
	confirm  *confirmDialog
	summary  *importSummary
	export   *exportDialog
	passwd   *changePasswordDialog
	errorBox *errorDialog
	// notice is the last short confirmation shown ("password changed").
	notice dialog.Dialog

	// do runs a function on fyne's goroutine: fyne.Do. Background work
	// reports back through it only. (Fyne's test driver runs fyne.Do
	// at once on the calling goroutine; tests make do take a lock instead,
	// as the one UI goroutine of a real window would serialise it.)
	do func(func())
	// busy counts background work, so tests can wait for it to finish.
	busy sync.WaitGroup
	// tokenUse guards the store's PKCS#11 modules: everything that uses
	// them (scans, presence checks, a signing key, a PIN change) holds it
	// for reading, and Rescan's unloading of the modules takes it for
	// writing only when nothing holds it, so it never pulls a module from
	// under an open session.
	tokenUse sync.RWMutex
	// onPrompt, when set, learns of every password prompt shown (tests
	// answer prompts through it).
	onPrompt func(*passwordPrompt)
}

// newMainWindow builds the window; refresh fills it.
func newMainWindow(app fyne.App, store *certstore.Store, tr *translator, now func() time.Time) *mainWindow {
	w := &mainWindow{app: app, store: store, tr: tr, now: now, do: fyne.Do}
	w.window = app.NewWindow(tr.text("ui.title", nil))

	w.importButton = widget.NewButtonWithIcon(tr.text("ui.action.import", nil), theme.FolderOpenIcon(), w.chooseImport)
	w.importButton.Importance = widget.HighImportance
	w.exportButton = widget.NewButtonWithIcon(tr.text("ui.action.export", nil), theme.DocumentSaveIcon(), func() {
		if w.selected != nil {
			w.showExport(w.selected)
		}
	})
	w.passwordButton = widget.NewButtonWithIcon(tr.text("ui.action.change-password", nil), theme.AccountIcon(), func() {
		if w.selected != nil && w.selected.HasKey {
			w.showChangePassword(w.selected)
		}
	})
	w.deleteButton = widget.NewButtonWithIcon(tr.text("ui.action.delete", nil), theme.DeleteIcon(), func() {
		if w.selected != nil {
			w.confirmDelete(w.selected)
		}
	})
	w.trustButton = widget.NewButtonWithIcon(tr.text("ui.action.trust", nil), theme.ConfirmIcon(), func() {
		if w.selected != nil && w.selected.UntrustedRoot() {
			w.confirmTrust(w.selected)
		}
	})
	w.trustButton.Importance = widget.WarningImportance
	w.refreshButton = widget.NewButtonWithIcon(tr.text("ui.action.refresh", nil), theme.ViewRefreshIcon(), func() { w.refresh("") })
	w.tokensButton = widget.NewButtonWithIcon(tr.text("ui.token.open", nil), theme.StorageIcon(), w.showTokens)
	w.progress = newImportProgress(tr)
	toolbar := container.NewHBox(w.importButton, w.exportButton, w.passwordButton, w.deleteButton, w.trustButton,
		layout.NewSpacer(), w.progress.content, w.tokensButton, w.refreshButton)

	w.banner = newExpiryBanner(tr)
	w.list = newCertList(tr, w.selectEntry, w.unselect)
	w.details = newDetailsPane(tr, func(text string) { app.Clipboard().SetContent(text) })
	w.empty = newEmptyState(tr, w.chooseImport, w.showTokens)
	w.split = container.NewHSplit(w.list.widget, w.details.content)
	w.split.Offset = 0.5

	top := container.NewVBox(toolbar, w.banner.content)
	w.certView = container.NewBorder(top, nil, nil, nil, container.NewStack(w.split, w.empty.content))
	w.tokens = newTokenPanel(w)
	w.tokens.content.Hide()
	certificates := container.NewStack(w.certView, w.tokens.content)
	w.sign = newSignScreen(w)
	w.verify = newVerifyScreen(w)
	w.diagnose = newDiagnoseScreen(w)
	w.certsTab = container.NewTabItemWithIcon(tr.text("ui.tab.certificates", nil), theme.ListIcon(), certificates)
	w.signTab = container.NewTabItemWithIcon(tr.text("ui.tab.sign", nil), theme.DocumentCreateIcon(), w.sign.content)
	w.verifyTab = container.NewTabItemWithIcon(tr.text("ui.tab.verify", nil), theme.ConfirmIcon(), w.verify.content)
	w.diagnoseTab = container.NewTabItemWithIcon(tr.text("ui.diagnose.tab", nil), theme.SearchIcon(), w.diagnose.content)
	w.tabs = container.NewAppTabs(w.certsTab, w.signTab, w.verifyTab, w.diagnoseTab)
	w.window.SetContent(w.tabs)
	w.window.SetOnDropped(func(_ fyne.Position, uris []fyne.URI) { w.dropped(localPaths(uris)) })
	w.window.Resize(fyne.NewSize(1100, 700))
	// Neither list nor empty state until the store is read: an "empty
	// store" flashing before the certificates appear would alarm people.
	w.split.Hide()
	w.empty.content.Hide()
	w.updateActions()
	return w
}

// dropped hands files dropped on the window to the tab that is showing:
// certificates are imported, documents are added for signing, a signature
// (with or without its document) is verified, anything is diagnosed on the
// Diagnose tab.
func (w *mainWindow) dropped(paths []string) {
	if len(paths) == 0 {
		return
	}
	switch w.tabs.Selected() {
	case w.signTab:
		w.sign.addPaths(paths)
	case w.verifyTab:
		w.verify.addPaths(paths)
	case w.diagnoseTab:
		w.diagnose.addPaths(paths)
	default:
		w.importFiles(paths)
	}
}

// background runs task off fyne's goroutine; task reports back with w.do.
func (w *mainWindow) background(task func()) {
	w.busy.Add(1)
	go func() {
		defer w.busy.Done()
		task()
	}()
}

// refresh reloads the store (another process, such as the CLI, may have
// changed it) and selects selectID, or keeps the selection when it is "".
func (w *mainWindow) refresh(selectID string) {
	w.background(func() {
		entries, err := w.store.Entries()
		w.do(func() {
			if err != nil {
				w.showError(err)
				return
			}
			w.setEntries(entries, selectID)
			// A token may have been plugged in or out meanwhile.
			w.checkPresence()
		})
	})
}

// setEntries shows entries and selects selectID, else the entry selected
// before if it is still there.
func (w *mainWindow) setEntries(entries []*certstore.Entry, selectID string) {
	if selectID == "" && w.selected != nil {
		selectID = w.selected.ID
	}
	now := w.now()
	w.entries = entries
	w.banner.update(certstore.ExpiringPersonal(entries, now, certstore.ExpiryWarningDays), now)
	w.list.set(entries, now, w.presence)
	w.sign.setEntries(entries, now)
	w.diagnose.setEntries(entries)
	w.tokens.render() // whether each certificate of a token is in the store
	if len(entries) == 0 {
		w.split.Hide()
		w.empty.content.Show()
	} else {
		w.empty.content.Hide()
		w.split.Show()
	}
	w.selected = nil
	for i, e := range entries {
		if e.ID == selectID {
			w.list.selectIndex(i) // calls selectEntry
			return
		}
	}
	w.unselect()
}

// selectEntry shows e's details. Whether its password is remembered asks
// the keyring, which may be slow, so that line is filled in afterwards.
func (w *mainWindow) selectEntry(e *certstore.Entry) {
	w.selected = e
	w.updateActions()
	plug := plugFor(w.presence, e)
	w.details.show(e, w.now(), rememberUnknown, plug)
	if !e.HasKey {
		return
	}
	w.background(func() {
		remembered := w.store.Remembered(e.ID)
		w.do(func() {
			if w.selected == e {
				w.details.show(e, w.now(), rememberedState(remembered), w.details.plug)
			}
		})
	})
}

func (w *mainWindow) unselect() {
	w.selected = nil
	w.updateActions()
	w.details.clear()
}

// updateActions enables what makes sense for the selection.
func (w *mainWindow) updateActions() {
	for _, b := range []*widget.Button{w.exportButton, w.deleteButton} {
		if w.selected == nil {
			b.Disable()
		} else {
			b.Enable()
		}
	}
	if w.selected != nil && w.selected.HasKey {
		w.passwordButton.Enable()
	} else {
		w.passwordButton.Disable()
	}
	// A key on a token has a PIN, changed on the token panel: the
	// container's password button means nothing for it.
	if w.selected != nil && w.selected.Token != nil && !w.selected.HasKey {
		w.passwordButton.Hide()
	} else {
		w.passwordButton.Show()
	}
	if w.selected != nil && w.selected.UntrustedRoot() {
		w.trustButton.Show()
	} else {
		w.trustButton.Hide()
	}
}

// showError is the window's way to show any error.
func (w *mainWindow) showError(err error) {
	if d := showError(w.tr, w.app, w.window, err); d != nil {
		w.errorBox = d
	}
}

// entryByID finds an entry in what is shown.
func (w *mainWindow) entryByID(id string) *certstore.Entry {
	for _, e := range w.entries {
		if e.ID == id {
			return e
		}
	}
	return nil
}

// localPaths keeps the dropped items that are local files.
func localPaths(uris []fyne.URI) []string {
	var paths []string
	for _, u := range uris {
		if u.Scheme() == "file" {
			paths = append(paths, u.Path())
		}
	}
	return paths
}
