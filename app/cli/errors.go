package cli

import (
	"errors"
	"github.com/podpis/podpis/internal/i18n"
)

// Exit codes (DESIGN "Command-line contract").
const (
	exitOK       = 0 // success, or checked and valid
	exitInvalid  = 1 // checked and found not valid
	exitBadInput = 2 // bad usage or bad input
)

// cliError is a problem found by the command-line tool itself (a bad flag, a
// file that exists...). Like the store's errors it has a code whose message
// and fix are the translations err.<code> and hint.<code> (cli.*.json).
type cliError struct {
	code   string
	params map[string]any
	usage  bool  // a mistake in the command line: the fix shows the command's help
	err    error // underlying cause, may be nil
}

func (e *cliError) Error() string { return i18n.CodedText(e.code, e.params, e.err) }

func (e *cliError) Unwrap() error { return e.err }
func (e *cliError) Code() string  { return e.code }
func (e *cliError) Params() map[string]any {
	p := make(map[string]any, len(e.params))
	for k, v := range e.params {
		p[k] = v
	}
	return p
}

func newError(code string, params map[string]any, cause error) *cliError {
	return &cliError{code: code, params: params, err: cause}
}

// usageError is a mistake in the command line; exit code 2.
func usageError(code string, params map[string]any) *cliError {
	return &cliError{code: code, params: params, usage: true}
}

func isUsageError(err error) bool {
	var ce *cliError
	return errors.As(err, &ce) && ce.usage
}
