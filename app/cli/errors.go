package cli

import (
	"errors"
	"fmt"
	"sort"
	"strings"
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

func (e *cliError) Error() string {
	var b strings.Builder
	b.WriteString(e.code)
	keys := make([]string, 0, len(e.params))
	for k := range e.params {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(&b, " %s=%v", k, e.params[k])
	}
	if e.err != nil {
		b.WriteString(": " + e.err.Error())
	}
	return b.String()
}

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
