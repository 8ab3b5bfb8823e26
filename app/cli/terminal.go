package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"golang.org/x/term"
)

// Terminal is a person at a keyboard: passwords are read without echo,
// answers to questions as a line. Prompts are written where the person sees
// them but a script reading stdout does not (stderr).
type Terminal interface {
	ReadPassword(prompt string) (string, error)
	ReadLine(prompt string) (string, error)
}

// terminal returns the terminal to ask on, or nil when there is none (the
// tool runs in a script, a pipe or CI).
func (r *runner) terminal() Terminal {
	if r.env.Terminal != nil {
		return r.env.Terminal
	}
	f, ok := r.stdinFile()
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	return fileTerminal{in: f, prompts: r.env.Stderr}
}

// fileTerminal is a real terminal on a file descriptor.
type fileTerminal struct {
	in      *os.File
	prompts io.Writer
}

// ReadPassword reads a line with echo off. If the person presses Ctrl-C
// meanwhile, echo is switched back on before the process ends: otherwise the
// shell would be left typing blind.
func (t fileTerminal) ReadPassword(prompt string) (string, error) {
	fd := int(t.in.Fd())
	state, err := term.GetState(fd)
	if err != nil {
		return "", err
	}
	interrupted := make(chan os.Signal, 1)
	signal.Notify(interrupted, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	defer func() {
		signal.Stop(interrupted)
		close(done)
	}()
	go func() {
		select {
		case <-interrupted:
			_ = term.Restore(fd, state)
			fmt.Fprintln(t.prompts)
			os.Exit(130)
		case <-done:
		}
	}()
	fmt.Fprint(t.prompts, prompt)
	password, err := term.ReadPassword(fd)
	fmt.Fprintln(t.prompts)
	if err != nil {
		return "", err
	}
	return string(password), nil
}

// ReadLine reads one line byte by byte, so nothing after it is taken from
// stdin.
func (t fileTerminal) ReadLine(prompt string) (string, error) {
	fmt.Fprint(t.prompts, prompt)
	var line []byte
	b := make([]byte, 1)
	for {
		n, err := t.in.Read(b)
		if n == 1 {
			if b[0] == '\n' {
				break
			}
			line = append(line, b[0])
		}
		if errors.Is(err, io.EOF) {
			if len(line) == 0 {
				return "", io.EOF
			}
			break
		}
		if err != nil {
			return "", err
		}
	}
	return strings.TrimRight(string(line), "\r"), nil
}

// confirmed reads a yes/no answer; anything but yes is no, as the [y/N]
// prompt says. "д"/"да" are accepted, and "н", which is the Y key on a
// Russian keyboard layout.
func confirmed(answer string) bool {
	switch strings.ToLower(strings.TrimSpace(answer)) {
	case "y", "yes", "д", "да", "н":
		return true
	}
	return false
}
