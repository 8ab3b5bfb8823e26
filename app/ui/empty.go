package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// emptyState greets a person whose store is empty and says how to fill it.
type emptyState struct {
	content *fyne.Container
	message *widget.Label
	button  *widget.Button
}

func newEmptyState(tr *translator, chooseImport func()) *emptyState {
	s := &emptyState{message: widget.NewLabel(tr.text("ui.empty.message", nil))}
	s.message.Alignment = fyne.TextAlignCenter
	s.button = widget.NewButtonWithIcon(tr.text("ui.action.import", nil), theme.FolderOpenIcon(), chooseImport)
	s.button.Importance = widget.HighImportance
	icon := canvas.NewImageFromResource(theme.DocumentIcon())
	icon.FillMode = canvas.ImageFillContain
	icon.SetMinSize(fyne.NewSquareSize(64))
	title := widget.NewLabelWithStyle(tr.text("ui.empty.title", nil), fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	s.content = container.NewCenter(container.NewVBox(icon, title, s.message, container.NewCenter(s.button)))
	return s
}
