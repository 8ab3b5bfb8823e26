package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// emptyState greets a person whose store is empty and says how to fill it:
// from a file, or from a token.
type emptyState struct {
	content *fyne.Container
	message *widget.Label
	button  *widget.Button
	// tokenHint and tokens lead to the token panel.
	tokenHint *widget.Label
	tokens    *widget.Button
}

func newEmptyState(tr *translator, chooseImport, showTokens func()) *emptyState {
	s := &emptyState{message: widget.NewLabel(tr.text("ui.empty.message", nil)), tokenHint: widget.NewLabel(tr.text("ui.token.empty.hint", nil))}
	s.message.Alignment = fyne.TextAlignCenter
	s.tokenHint.Alignment = fyne.TextAlignCenter
	s.button = widget.NewButtonWithIcon(tr.text("ui.action.import", nil), theme.FolderOpenIcon(), chooseImport)
	s.button.Importance = widget.HighImportance
	s.tokens = widget.NewButtonWithIcon(tr.text("ui.token.open", nil), theme.StorageIcon(), showTokens)
	icon := canvas.NewImageFromResource(theme.DocumentIcon())
	icon.FillMode = canvas.ImageFillContain
	icon.SetMinSize(fyne.NewSquareSize(64))
	title := widget.NewLabelWithStyle(tr.text("ui.empty.title", nil), fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	s.content = container.NewCenter(container.NewVBox(icon, title, s.message, container.NewCenter(s.button),
		s.tokenHint, container.NewCenter(s.tokens)))
	return s
}
