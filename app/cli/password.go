package cli

import (
	"errors"
	"io"
	"os"
	"strings"
	"unicode/utf8"

	"github.com/podpis/podpis/certstore"
	"github.com/podpis/podpis/certstore/token"
)

// maxPasswordInput bounds what is read as a password from a file or stdin: a
// password is a line, and reading a huge file by mistake must not hang.
const maxPasswordInput = 64 << 10

// passwords answers the store's password requests (import, passwd): from
// --password-file / --password-stdin and --new-password-file when given, else
// by asking on the terminal, else with the error that says which flag to use.
type passwords struct {
	r            *runner
	file         *string // the .p12 password, when given by flag
	newContainer *string // the new container password, when given by flag
	term         Terminal
	// prompted is set when the last answer came from the terminal: a wrong
	// one may then be typed again.
	prompted bool
	// pins answers a token's PIN requests (sign, cosign): from the same
	// flags, but never asked twice and never for a last try without
	// consent.
	pins *pinSource
}

// readPasswordFlags reads the passwords the flags point at, once for the
// whole batch.
func (r *runner) readPasswordFlags(a *parsedArgs) (*passwords, error) {
	pw := &passwords{r: r, term: r.terminal()}
	fromFile, hasFile := a.values["password-file"]
	fileFlag := "--password-file"
	if pinFile, ok := a.values["pin-file"]; ok {
		// sign and cosign take --pin-file as another name of
		// --password-file: a token's PIN is its key's password.
		if hasFile {
			return nil, usageError("flags-conflict", map[string]any{"Flag": "--pin-file", "Other": "--password-file"})
		}
		fromFile, hasFile, fileFlag = pinFile, true, "--pin-file"
	}
	fromStdin := a.has("password-stdin")
	if hasFile && fromStdin {
		return nil, usageError("flags-conflict", map[string]any{"Flag": fileFlag, "Other": "--password-stdin"})
	}
	switch {
	case hasFile:
		p, err := readPasswordFile(fromFile)
		if err != nil {
			return nil, err
		}
		pw.file = &p
	case fromStdin:
		var p string
		var err error
		if r.env.Terminal == nil && pw.term != nil {
			// Stdin is the keyboard: read one line without echo rather
			// than everything until Ctrl-D with the password on screen.
			p, err = pw.term.ReadPassword(r.l.T("cli.prompt.password"))
			if err != nil {
				return nil, newError("cancelled", nil, err)
			}
		} else if p, err = readPassword(r.env.Stdin, "-"); err != nil {
			return nil, err
		}
		pw.file = &p
		// Stdin is used up: it cannot answer a question any more.
		pw.term = nil
	}
	if path, ok := a.values["new-password-file"]; ok {
		p, err := readPasswordFile(path)
		if err != nil {
			return nil, err
		}
		if p == "" {
			return nil, newError("password-empty", map[string]any{"File": path}, nil)
		}
		pw.newContainer = &p
	}
	pw.pins = &pinSource{r: r, given: pw.file, term: pw.term, finalTry: a.has("final-try"), handed: map[string]string{}}
	return pw, nil
}

func readPasswordFile(path string) (string, error) {
	if path == "" {
		return "", usageError("flag-value-missing", map[string]any{"Flag": "--password-file"})
	}
	f, err := os.Open(path)
	if err != nil {
		return "", newError("password-file-unreadable", map[string]any{"File": path, "Detail": reason(err)}, err)
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && fi.IsDir() {
		return "", newError("password-file-unreadable", map[string]any{"File": path, "Detail": reasonIsDir}, nil)
	}
	return readPassword(f, path)
}

// readPassword reads a password: everything up to the end, less ONE trailing
// newline (as `echo` and editors leave it). Other spaces are part of it.
func readPassword(in io.Reader, name string) (string, error) {
	data, err := io.ReadAll(io.LimitReader(in, maxPasswordInput+1))
	if err != nil {
		return "", newError("password-file-unreadable", map[string]any{"File": name, "Detail": reason(err)}, err)
	}
	if len(data) > maxPasswordInput {
		return "", newError("password-file-too-large", map[string]any{"File": name, "Limit": maxPasswordInput}, nil)
	}
	s := string(data)
	if t, ok := strings.CutSuffix(s, "\n"); ok {
		s = strings.TrimSuffix(t, "\r")
	}
	if !utf8.ValidString(s) {
		return "", newError("password-not-utf8", map[string]any{"File": name}, nil)
	}
	return s, nil
}

const reasonIsDir = "is a directory"

func reason(err error) string {
	switch {
	case errors.Is(err, os.ErrNotExist):
		return "no such file"
	case errors.Is(err, os.ErrPermission):
		return "permission denied"
	}
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// ask is the certstore.PasswordFunc of an import.
func (pw *passwords) ask(req certstore.PasswordRequest) (string, error) {
	pw.prompted = false
	l := pw.r.l
	switch req.Purpose {
	case certstore.PurposeOpenFile:
		if pw.file != nil {
			return *pw.file, nil
		}
		if pw.term == nil {
			return "", certstore.ErrPasswordRequired
		}
		p, err := pw.term.ReadPassword(l.T("cli.prompt.file-password", map[string]any{"File": req.File}))
		if err != nil {
			return "", certstore.ErrCancelled
		}
		pw.prompted = true
		return p, nil
	case certstore.PurposeTokenPIN:
		return pw.pins.pin(token.PINRequest{Purpose: token.PINLogin, Token: req.Token, Serial: req.Serial,
			State: req.PIN, FinalTry: req.FinalTry})
	case certstore.PurposeNewContainer:
		if pw.newContainer != nil {
			return *pw.newContainer, nil
		}
		if pw.term == nil {
			return "", certstore.ErrNoPassword
		}
		return pw.askNew(req)
	default:
		// The container's own password (podpis passwd): the flags give it
		// as they give a file's.
		if pw.file != nil {
			return *pw.file, nil
		}
		if pw.term == nil {
			return "", certstore.ErrPasswordRequired
		}
		p, err := pw.term.ReadPassword(l.T("cli.prompt.container-password", map[string]any{"Subject": req.Subject}))
		if err != nil {
			return "", certstore.ErrCancelled
		}
		return p, nil
	}
}

// askNew asks twice for a new container password, until both match.
func (pw *passwords) askNew(req certstore.PasswordRequest) (string, error) {
	l := pw.r.l
	fmtData := map[string]any{"Subject": req.Subject}
	fmtOut := pw.r.env.Stderr
	_, _ = io.WriteString(fmtOut, l.T("cli.prompt.new-container-intro", fmtData)+"\n")
	for range 3 {
		p, err := pw.term.ReadPassword(l.T("cli.prompt.new-password"))
		if err != nil {
			return "", certstore.ErrCancelled
		}
		if p == "" {
			_, _ = io.WriteString(fmtOut, l.T("cli.prompt.password-empty")+"\n")
			continue
		}
		again, err := pw.term.ReadPassword(l.T("cli.prompt.repeat-password"))
		if err != nil {
			return "", certstore.ErrCancelled
		}
		if again == p {
			return p, nil
		}
		_, _ = io.WriteString(fmtOut, l.T("cli.prompt.passwords-differ")+"\n")
	}
	return "", certstore.ErrNoPassword
}
