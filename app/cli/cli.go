// Package cli is Podpis's command-line tool: `podpis import|list|show|export|
// delete|trust|sign|cosign|verify|token ...`, following DESIGN's command-line contract. It writes only
// to the io.Writers of its Env and never imports Fyne, so it is tested by
// calling Main in-process as well as by running the built binary.
package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/podpis/podpis/certstore"
	"github.com/podpis/podpis/certstore/token"
	"github.com/podpis/podpis/internal/i18n"
	"github.com/podpis/podpis/internal/version"
)

// Env is what a run of the tool sees of the world. Main uses nothing else, so
// tests give it buffers, a fake terminal and their own environment.
type Env struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	Getenv         func(string) string

	// Terminal is where passwords and confirmations are asked for. Nil means
	// Stdin when it is a terminal, and no asking at all otherwise (a script
	// gets an error that names the flag to use instead).
	Terminal Terminal
	// Keyring keeps remembered passwords. Nil means the OS keyring, or none
	// when PODPIS_KEYRING=off.
	Keyring certstore.Keyring
	// Now is the clock for expiry; nil means time.Now.
	Now func() time.Time
	// Tokens loads the PKCS#11 modules. Nil means a library of the run's
	// own, unloaded when the command ends; one given here belongs to the
	// caller (tests pass one that counts C_Login or pulls a token out).
	Tokens *token.Library
}

// command is one subcommand.
type command struct {
	name      string
	flags     []flagSpec // besides the global ones
	minArgs   int
	maxArgs   int // -1: no limit
	available bool
	run       func(r *runner, a *parsedArgs) int
}

// commands lists every command of DESIGN's contract. A command a later
// version brings may be listed with available false: it is known (so
// `podpis NAME` does not open the window) but says it is not available yet.
func commands() []command {
	return []command{
		{name: "import", minArgs: 1, maxArgs: -1, available: true, run: runImport, flags: []flagSpec{
			{name: "password-file", takesArgs: true},
			{name: "password-stdin"},
			{name: "remember"},
			{name: "new-password-file", takesArgs: true},
		}},
		{name: "list", maxArgs: 0, available: true, run: runList, flags: []flagSpec{
			{name: "expiring", takesArgs: true},
		}},
		{name: "show", minArgs: 1, maxArgs: 1, available: true, run: runShow},
		{name: "export", minArgs: 1, maxArgs: 1, available: true, run: runExport, flags: []flagSpec{
			{name: "out", takesArgs: true},
			{name: "format", takesArgs: true},
			{name: "chain"},
			{name: "force"},
			{name: "password-file", takesArgs: true},
			{name: "password-stdin"},
			{name: "key-password-file", takesArgs: true},
		}},
		{name: "delete", minArgs: 1, maxArgs: 1, available: true, run: runDelete, flags: []flagSpec{
			{name: "yes"},
		}},
		{name: "trust", minArgs: 1, maxArgs: -1, available: true, run: runTrust},
		{name: "passwd", minArgs: 1, maxArgs: 1, available: true, run: runPasswd, flags: []flagSpec{
			{name: "password-file", takesArgs: true},
			{name: "password-stdin"},
			{name: "new-password-file", takesArgs: true},
			{name: "remember"},
		}},
		{name: "help", maxArgs: 1, available: true, run: runHelp},
		{name: "version", maxArgs: 0, available: true, run: runVersion},
		{name: "hash", minArgs: 1, maxArgs: -1, available: true, run: runHash, flags: []flagSpec{
			{name: "alg", takesArgs: true},
		}},
		{name: "sign", minArgs: 1, maxArgs: -1, available: true, run: runSign, flags: []flagSpec{
			{name: "cert", takesArgs: true},
			{name: "attached"},
			{name: "pem"},
			{name: "chain"},
			{name: "out-dir", takesArgs: true},
			{name: "force"},
			{name: "manifest", takesArgs: true},
			{name: "password-file", takesArgs: true},
			{name: "password-stdin"},
			{name: "pin-file", takesArgs: true},
			{name: "remember"},
			{name: "final-try"},
		}},
		{name: "cosign", minArgs: 1, maxArgs: 1, available: true, run: runCosign, flags: []flagSpec{
			{name: "cert", takesArgs: true},
			{name: "content", takesArgs: true},
			{name: "out", takesArgs: true},
			{name: "force"},
			{name: "pem"},
			{name: "chain"},
			{name: "password-file", takesArgs: true},
			{name: "password-stdin"},
			{name: "pin-file", takesArgs: true},
			{name: "remember"},
			{name: "final-try"},
		}},
		{name: "verify", minArgs: 1, maxArgs: 1, available: true, run: runVerify, flags: []flagSpec{
			{name: "content", takesArgs: true},
			{name: "offline"},
			{name: "at", takesArgs: true},
			{name: "strict"},
		}},
		{name: "check", minArgs: 1, maxArgs: 1, available: true, run: runCheck, flags: []flagSpec{
			{name: "offline"},
			{name: "at", takesArgs: true},
			{name: "strict"},
			{name: "usage", takesArgs: true},
			{name: "report", takesArgs: true},
			{name: "convert", takesArgs: true},
			{name: "force"},
			{name: "content", takesArgs: true},
			{name: "password-file", takesArgs: true},
			{name: "password-stdin"},
		}},
		{name: "token", minArgs: 1, maxArgs: 1, available: true, run: runToken, flags: tokenFlags()},
	}
}

func lookupCommand(name string) (command, bool) {
	for _, c := range commands() {
		if c.name == name {
			return c, true
		}
	}
	return command{}, false
}

// IsCommand reports whether name is a subcommand of the tool (including those
// not available yet), as opposed to a file to open in the window.
func IsCommand(name string) bool {
	_, ok := lookupCommand(name)
	return ok
}

// ForWindow reports whether a command line is for the window rather than
// the command-line tool: no command word, only the options the window takes
// too (--store DIR, --lang L) and files to open, as a file manager passes
// them on a double-click. "gui" is the window's own word. Anything else (a
// command, --help, --version, an option of a command) is the tool's, so that
// its mistakes get the tool's usage message. Options nobody knows (such as
// the -psn_... that old macOS Finders pass) are left to the window.
func ForWindow(args []string) bool {
	known := map[string]flagSpec{}
	for _, f := range allFlags() {
		known[f.name] = f
	}
	for i := 0; i < len(args); i++ {
		arg := args[i]
		if arg == "--" {
			return len(args) == i+1 || !IsCommand(args[i+1])
		}
		name, _, hasValue, isFlag := splitFlag(arg)
		if !isFlag {
			if arg == "gui" {
				return true
			}
			return !IsCommand(arg)
		}
		spec, ok := known[name]
		switch {
		case !ok && name != "version":
			continue
		case name != "store" && name != "lang":
			return false
		case spec.takesArgs && !hasValue:
			i++
		}
	}
	return true
}

// allFlags are the global flags and those of every command.
func allFlags() []flagSpec {
	all := globalFlags()
	for _, c := range commands() {
		all = append(all, c.flags...)
	}
	return all
}

// runner carries what every command needs.
type runner struct {
	env     Env
	l       *i18n.Localizer
	json    bool
	storeAt string // --store, or "" for PODPIS_STORE / the default
	cmd     string
	// stores are the stores the command opened: their PKCS#11 modules
	// are unloaded when it ends (unless Env.Tokens lent the library).
	stores []*certstore.Store
}

// Main runs the command line args (without the program name) and returns the
// exit code.
func Main(args []string, env Env) int {
	if env.Getenv == nil {
		env.Getenv = func(string) string { return "" }
	}
	if env.Stdout == nil {
		env.Stdout = io.Discard
	}
	if env.Stderr == nil {
		env.Stderr = io.Discard
	}
	if env.Stdin == nil {
		env.Stdin = strings.NewReader("")
	}
	if env.Now == nil {
		env.Now = time.Now
	}

	lang := i18n.Detect(env.Getenv)
	var langErr error
	if v, ok := langFlag(args); ok {
		if parsed, err := i18n.Parse(v); err == nil {
			lang = parsed
		} else {
			langErr = err
		}
	}
	l, err := i18n.New(lang)
	if err != nil {
		// Broken translation files are a fault of the build, never of the
		// user's input; say so in plain English, the only text left.
		fmt.Fprintf(env.Stderr, "podpis: internal error: translations cannot be loaded: %v\n", err)
		return exitBadInput
	}
	r := &runner{env: env, l: l}
	r.json = jsonFlag(args)

	name, rest, found := findCommand(args, allFlags())
	if langErr != nil {
		return r.fail(langErr)
	}
	if !found {
		// Only flags: --help / -h / --version, or a mistake.
		p, err := parseArgs(args, append(globalFlags(), flagSpec{name: "version"}))
		switch {
		case err != nil:
			return r.fail(err)
		case p.has("version"):
			return runVersion(r, p)
		case p.has("help") || p.has("h"):
			return runHelp(r, p)
		}
		fmt.Fprint(env.Stderr, r.l.T("cli.usage"))
		return exitBadInput
	}
	cmd, ok := lookupCommand(name)
	if !ok {
		return r.fail(usageError("unknown-command", map[string]any{"Command": name}))
	}
	r.cmd = cmd.name
	if !cmd.available {
		// Its flags are not known yet either: say what matters.
		return r.fail(newError("command-not-available", map[string]any{"Command": cmd.name}, nil))
	}
	p, err := parseArgs(rest, append(globalFlags(), cmd.flags...))
	if err != nil {
		return r.fail(err)
	}
	if p.has("help") || p.has("h") {
		return runHelp(r, &parsedArgs{positional: []string{cmd.name}})
	}
	r.storeAt = p.values["store"]
	if _, ok := p.values["store"]; ok && r.storeAt == "" {
		return r.fail(usageError("flag-value-missing", map[string]any{"Flag": "--store"}))
	}
	switch {
	case len(p.positional) < cmd.minArgs:
		return r.fail(usageError("argument-missing", nil))
	case cmd.maxArgs >= 0 && len(p.positional) > cmd.maxArgs:
		return r.fail(usageError("arguments-extra", map[string]any{"Argument": p.positional[cmd.maxArgs]}))
	}
	code := cmd.run(r, p)
	r.closeStores()
	return code
}

// closeStores unloads the modules the command's stores loaded, so that a
// module is finalised by the run that initialised it.
func (r *runner) closeStores() {
	if r.env.Tokens != nil {
		return
	}
	for _, s := range r.stores {
		_ = s.Close()
	}
	r.stores = nil
}

// jsonFlag finds --json anywhere before "--"; it decides the form of even
// the earliest error.
func jsonFlag(args []string) bool {
	on := false
	for _, a := range args {
		if a == "--" {
			break
		}
		name, v, hasValue, ok := splitFlag(a)
		if ok && name == "json" {
			on = !hasValue || v == "true" || v == "1" || v == "yes"
		}
	}
	return on
}

// openStore opens the store of --store, else PODPIS_STORE, else the default.
func (r *runner) openStore() (*certstore.Store, error) {
	dir := r.storeAt
	if dir == "" {
		dir = r.env.Getenv("PODPIS_STORE")
	}
	if dir == "" {
		d, err := certstore.DefaultDir()
		if err != nil {
			return nil, newError("store-unavailable", map[string]any{"Dir": "", "Detail": err.Error()}, err)
		}
		dir = d
	}
	keyring := r.env.Keyring
	if keyring == nil && strings.EqualFold(r.env.Getenv("PODPIS_KEYRING"), "off") {
		keyring = certstore.NoKeyring{}
	}
	s, err := certstore.Open(certstore.Options{Dir: dir, Keyring: keyring, Now: r.env.Now, Tokens: r.env.Tokens})
	if err != nil {
		return nil, newError("store-unavailable", map[string]any{"Dir": dir, "Detail": err.Error()}, err)
	}
	r.stores = append(r.stores, s)
	return s, nil
}

// storeEntry opens the store and finds the certificate a command names by
// its ID or a prefix of it.
func (r *runner) storeEntry(id string) (*certstore.Store, *certstore.Entry, error) {
	store, err := r.openStore()
	if err != nil {
		return nil, nil, err
	}
	e, err := store.Get(id)
	if err != nil {
		return nil, nil, err
	}
	return store, e, nil
}

// problem is an error as the user sees it, and as --json prints it. Code is
// one of DESIGN's problem codes, which scripts rely on; Reason is the
// precise cause (e.g. "truncated-der", "not-found") for support staff.
type problem struct {
	Code    string `json:"code"`
	Reason  string `json:"reason,omitempty"`
	Message string `json:"message"`
	Hint    string `json:"hint,omitempty"`
	File    string `json:"file,omitempty"`
}

func (r *runner) problem(err error) problem {
	code, message, hint := r.l.Problem(err)
	p := problem{Code: contractCode(code), Reason: code, Message: message, Hint: hint}
	var coded interface {
		error
		Params() map[string]any
	}
	if errors.As(err, &coded) {
		if f, ok := coded.Params()["File"].(string); ok {
			p.File = f
		}
	}
	if isUsageError(err) && hint == "" {
		if r.cmd != "" && r.cmd != "help" {
			p.Hint = r.l.T("cli.hint.help-command", map[string]any{"Command": r.cmd})
		} else {
			p.Hint = r.l.T("cli.hint.help")
		}
	}
	return p
}

// contractCode maps a precise error code to DESIGN's problem codes: the
// validity codes pass through, a wrong password stays itself, and every
// other rejected input or usage is "bad-input".
func contractCode(code string) string {
	switch code {
	case "signature-invalid", "chain-incomplete", "untrusted-root", "expired", "not-yet-valid",
		"key-period-expired", "revoked", "key-usage", "revocation-unknown", "signer-certificate-missing",
		"wrong-password", "internal":
		return code
	case "pin-incorrect", "pin-incorrect-low", "pin-incorrect-final":
		// A wrong PIN is a wrong password to a script; the reason keeps
		// the precise code.
		return "wrong-password"
	}
	return "bad-input"
}

// printProblem writes "podpis: FILE: [prefix]message" and the fix on the
// next line, to stderr. The file is left out when the message names it
// already.
func (r *runner) printProblem(p problem, prefix string) {
	line := prefix + p.Message
	if p.File != "" && !strings.Contains(p.Message, p.File) {
		line = p.File + ": " + line
	}
	fmt.Fprintf(r.env.Stderr, "podpis: %s\n", line)
	if p.Hint != "" {
		fmt.Fprintf(r.env.Stderr, "  → %s\n", p.Hint)
	}
}

// fail reports err and returns exit code 2: in --json mode as
// {"error": {...}} on stdout, else on stderr.
func (r *runner) fail(err error) int {
	p := r.problem(err)
	if r.json {
		r.printJSON(map[string]any{"error": p})
	} else {
		r.printProblem(p, "")
	}
	return exitBadInput
}

// warn prints a warning that did not stop the command.
func (r *runner) warn(p problem) {
	r.printProblem(p, r.l.T("cli.warning-prefix"))
}

func (r *runner) printJSON(v any) {
	enc := json.NewEncoder(r.env.Stdout)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		fmt.Fprintf(r.env.Stderr, "podpis: %v\n", err)
	}
}

func (r *runner) outf(key string, data ...map[string]any) {
	fmt.Fprintln(r.env.Stdout, r.l.T(key, data...))
}

func runVersion(r *runner, _ *parsedArgs) int {
	version := version.String()
	if r.json {
		r.printJSON(map[string]string{"version": version, "go": runtime.Version(), "platform": runtime.GOOS + "/" + runtime.GOARCH})
		return exitOK
	}
	fmt.Fprintf(r.env.Stdout, "podpis %s (%s, %s/%s)\n", version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return exitOK
}

func runHelp(r *runner, a *parsedArgs) int {
	if len(a.positional) == 0 {
		fmt.Fprint(r.env.Stdout, r.l.T("cli.usage"))
		return exitOK
	}
	name := a.positional[0]
	cmd, ok := lookupCommand(name)
	if !ok {
		return r.fail(usageError("unknown-command", map[string]any{"Command": name}))
	}
	key := "cli.usage." + cmd.name
	if !r.l.Has(key) {
		key = "cli.usage"
	}
	fmt.Fprint(r.env.Stdout, r.l.T(key))
	return exitOK
}

// stdinFile returns Stdin as a file when it is one (for terminal checks).
func (r *runner) stdinFile() (*os.File, bool) {
	f, ok := r.env.Stdin.(*os.File)
	return f, ok
}
