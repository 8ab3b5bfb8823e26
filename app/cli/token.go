package cli

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"slices"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/podpis/podpis/certstore"
	"github.com/podpis/podpis/certstore/token"
)

// `podpis token list|import|passwd`: the tokens and smart cards the
// PKCS#11 modules see. Everything here goes through the store's module
// library, so a module is loaded once per run and unloaded at its end.

// tokenSubcommands lists the subcommands of `token` and the flags each one
// takes (the command's flag list is their union, so each checks its own).
func tokenSubcommands() map[string][]string {
	return map[string][]string{
		"list":   {"module", "slot", "pin-file", "pin-stdin", "final-try"},
		"import": {"module", "slot", "pin-file", "pin-stdin", "final-try", "remember"},
		"passwd": {"module", "slot", "pin-file", "new-pin-file", "final-try"},
	}
}

// tokenFlags are the flags of `token` (all subcommands).
func tokenFlags() []flagSpec {
	return []flagSpec{
		{name: "module", takesArgs: true},
		{name: "slot", takesArgs: true},
		{name: "pin-file", takesArgs: true},
		{name: "pin-stdin"},
		{name: "new-pin-file", takesArgs: true},
		{name: "remember"},
		{name: "final-try"},
	}
}

func runToken(r *runner, a *parsedArgs) int {
	sub := a.positional[0]
	allowed, ok := tokenSubcommands()[sub]
	if !ok {
		return r.fail(usageError("unknown-command", map[string]any{"Command": "token " + sub}))
	}
	own := map[string]bool{}
	for _, f := range allowed {
		own[f] = true
	}
	for _, f := range tokenFlags() {
		if a.has(f.name) && !own[f.name] {
			return r.fail(usageError("unknown-flag", map[string]any{"Flag": "--" + f.name}))
		}
	}
	switch sub {
	case "list":
		return runTokenList(r, a)
	case "import":
		return runTokenImport(r, a)
	default:
		return runTokenPasswd(r, a)
	}
}

// tokenOptions are the flags every token subcommand reads.
type tokenOptions struct {
	module string
	slot   *token.SlotID
}

// tokenSetup reads what token list and token import share: the module
// and slot flags, the PIN flags, and the store.
func (r *runner) tokenSetup(a *parsedArgs) (tokenOptions, *pinSource, *certstore.Store, error) {
	o, err := r.tokenOptions(a)
	if err != nil {
		return o, nil, nil, err
	}
	ps, err := r.readPINFlags(a)
	if err != nil {
		return o, nil, nil, err
	}
	store, err := r.openStore()
	return o, ps, store, err
}

func (r *runner) tokenOptions(a *parsedArgs) (tokenOptions, error) {
	var o tokenOptions
	if v, ok := a.values["module"]; ok {
		if v == "" {
			return o, usageError("flag-value-missing", map[string]any{"Flag": "--module"})
		}
		o.module = v
	}
	if v, ok := a.values["slot"]; ok {
		n, err := strconv.ParseUint(strings.TrimSpace(v), 0, 64)
		if err != nil {
			return o, usageError("flag-value-invalid", map[string]any{"Flag": "--slot", "Value": v})
		}
		id := token.SlotID(n)
		o.slot = &id
	}
	return o, nil
}

// pinSource answers token PIN requests: with the PIN of --pin-file or
// --pin-stdin (the same one for every request), else by asking on the
// terminal, else not at all. It never answers the same request twice: a
// wrong PIN ends the command.
type pinSource struct {
	r     *runner
	given *string // from --pin-file / --pin-stdin / --password-file
	term  Terminal
	// finalTry is --final-try: the person agreed in advance to use a
	// token's last try.
	finalTry bool
	// handed are the login PINs given out, by token serial: --remember
	// keeps one only after the login it was given for succeeded.
	handed map[string]string
	// newPIN is --new-pin-file's PIN (token passwd).
	newPIN *string
}

// readPINFlags reads --pin-file / --pin-stdin once for the whole command.
func (r *runner) readPINFlags(a *parsedArgs) (*pinSource, error) {
	ps := &pinSource{r: r, term: r.terminal(), finalTry: a.has("final-try"), handed: map[string]string{}}
	path, hasFile := a.values["pin-file"]
	if hasFile && a.has("pin-stdin") {
		return nil, usageError("flags-conflict", map[string]any{"Flag": "--pin-file", "Other": "--pin-stdin"})
	}
	switch {
	case hasFile:
		if path == "" {
			return nil, usageError("flag-value-missing", map[string]any{"Flag": "--pin-file"})
		}
		p, err := readPasswordFile(path)
		if err != nil {
			return nil, err
		}
		ps.given = &p
	case a.has("pin-stdin"):
		var p string
		var err error
		if r.env.Terminal == nil && ps.term != nil {
			p, err = ps.term.ReadPassword(r.l.T("cli.token.prompt.pin-plain"))
			if err != nil {
				return nil, newError("cancelled", nil, err)
			}
		} else if p, err = readPassword(r.env.Stdin, "-"); err != nil {
			return nil, err
		}
		ps.given = &p
		ps.term = nil
	}
	if path, ok := a.values["new-pin-file"]; ok {
		if path == "" {
			return nil, usageError("flag-value-missing", map[string]any{"Flag": "--new-pin-file"})
		}
		p, err := readPasswordFile(path)
		if err != nil {
			return nil, err
		}
		ps.newPIN = &p
	}
	return ps, nil
}

// pin is the token.PINFunc: it shows the PIN's state when it is not ok,
// asks for consent before the last try, and refuses the last try for a
// PIN from a file or stdin unless --final-try says the person agreed.
func (ps *pinSource) pin(req token.PINRequest) (string, error) {
	r := ps.r
	data := map[string]any{"Token": req.Token, "Serial": req.Serial}
	if req.State.Locked {
		// The token refuses every PIN now; trying would only be noise.
		return "", &cliError{code: token.ErrPINLocked.Code(), params: map[string]any{"Token": req.Token, "Serial": req.Serial,
			"SOLocked": req.State.SOLocked}, err: token.ErrPINLocked}
	}
	if req.Purpose == token.PINNew {
		return ps.askNew(req)
	}
	if ps.given != nil {
		if req.FinalTry && !ps.finalTry {
			return "", &cliError{code: token.ErrPINFinalTry.Code(), params: data, err: token.ErrPINFinalTry}
		}
		if req.Purpose == token.PINLogin {
			ps.handed[req.Serial] = *ps.given
		}
		return *ps.given, nil
	}
	if ps.term == nil {
		return "", &cliError{code: token.ErrPINRequired.Code(), params: data, err: token.ErrPINRequired}
	}
	if code := req.State.Code(); code != "ok" {
		fmt.Fprintln(r.env.Stderr, r.l.T("cli.token.pin-state-line", data, map[string]any{"State": r.l.T("token.pin." + code)}))
	}
	if req.FinalTry && !ps.finalTry {
		fmt.Fprintln(r.env.Stderr, r.l.T("cli.token.final-try-warning", data))
		answer, err := ps.term.ReadLine(r.l.T("cli.token.final-try-confirm") + " ")
		if err != nil || !confirmed(answer) {
			return "", &cliError{code: "cli-token-final-try-declined", params: data, err: token.ErrPINFinalTry}
		}
	}
	key := "cli.token.prompt.pin"
	if req.Purpose == token.PINCurrent {
		key = "cli.token.prompt.current-pin"
	}
	p, err := ps.term.ReadPassword(r.l.T(key, data))
	if err != nil {
		return "", token.ErrCancelled
	}
	if req.Purpose == token.PINLogin {
		ps.handed[req.Serial] = p
	}
	return p, nil
}

// askNew is the new PIN of token passwd: --new-pin-file, or typed twice on
// the terminal. Two that differ end the command before the token is
// touched (the current PIN is asked first but sent only with the new one).
func (ps *pinSource) askNew(req token.PINRequest) (string, error) {
	r := ps.r
	data := map[string]any{"Token": req.Token, "Serial": req.Serial}
	if ps.newPIN != nil {
		if *ps.newPIN == "" {
			return "", newError("cli-token-new-pin-empty", data, nil)
		}
		return *ps.newPIN, nil
	}
	if ps.term == nil {
		return "", usageError("flag-required", map[string]any{"Flag": "--new-pin-file"})
	}
	if req.MinLen > 0 || req.MaxLen > 0 {
		fmt.Fprintln(r.env.Stderr, r.l.T("cli.token.new-pin-length", map[string]any{"Min": req.MinLen, "Max": req.MaxLen}))
	}
	p, err := ps.term.ReadPassword(r.l.T("cli.token.prompt.new-pin"))
	if err != nil {
		return "", token.ErrCancelled
	}
	if p == "" {
		return "", newError("cli-token-new-pin-empty", data, nil)
	}
	again, err := ps.term.ReadPassword(r.l.T("cli.token.prompt.repeat-pin"))
	if err != nil {
		return "", token.ErrCancelled
	}
	if again != p {
		return "", newError("cli-token-pins-differ", data, nil)
	}
	return p, nil
}

// tokenContext stops a scan on Ctrl-C.
func tokenContext() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
}

// --- token list ------------------------------------------------------------

type tokenListJSON struct {
	Modules []tokenModuleJSON `json:"modules"`
	Tokens  int               `json:"tokens"`
	Error   *problem          `json:"error,omitempty"`
}

type tokenModuleJSON struct {
	Path            string          `json:"path"`
	Product         string          `json:"product"`
	Source          string          `json:"source"`
	Manufacturer    string          `json:"manufacturer,omitempty"`
	Description     string          `json:"description"`
	Version         string          `json:"version"`
	CryptokiVersion string          `json:"cryptokiVersion,omitempty"`
	Error           *problem        `json:"error,omitempty"`
	Slots           []tokenSlotJSON `json:"slots"`
}

type tokenSlotJSON struct {
	ID           uint           `json:"id"`
	Description  string         `json:"description"`
	Manufacturer string         `json:"manufacturer,omitempty"`
	Removable    bool           `json:"removable"`
	Hardware     bool           `json:"hardware"`
	Token        *tokenInfoJSON `json:"token,omitempty"`
	Error        *problem       `json:"error,omitempty"`
}

type tokenPINJSON struct {
	State       string `json:"state"` // ok | count-low | final-try | locked | to-be-changed
	Text        string `json:"text"`
	CountLow    bool   `json:"countLow"`
	FinalTry    bool   `json:"finalTry"`
	Locked      bool   `json:"locked"`
	ToBeChanged bool   `json:"toBeChanged"`
	SOLocked    bool   `json:"soLocked"`
}

type tokenInfoJSON struct {
	Label         string          `json:"label"`
	Initialized   bool            `json:"initialized"` // false: a blank token, nothing on it can be read
	Manufacturer  string          `json:"manufacturer"`
	Model         string          `json:"model"`
	Serial        string          `json:"serial"`
	Flags         []string        `json:"flags"`
	PIN           tokenPINJSON    `json:"pin"`
	LoginRequired bool            `json:"loginRequired"`
	PINPad        bool            `json:"pinPad"`
	LoggedIn      bool            `json:"loggedIn"`
	Mechanisms    []string        `json:"mechanisms"`
	Certificates  []tokenCertJSON `json:"certificates"`
	Keys          []tokenKeyJSON  `json:"keys"`
	Error         *problem        `json:"error,omitempty"`
}

type tokenCertJSON struct {
	ID                string     `json:"id"` // CKA_ID in hex
	Label             string     `json:"label"`
	Subject           string     `json:"subject,omitempty"`
	SubjectCommonName string     `json:"subjectCommonName,omitempty"`
	Issuer            string     `json:"issuer,omitempty"`
	IssuerCommonName  string     `json:"issuerCommonName,omitempty"`
	NotAfter          *time.Time `json:"notAfter,omitempty"`
	Thumbprint        string     `json:"thumbprint,omitempty"`
	Key               string     `json:"key"` // private | public-only | none | unknown
	KeyType           string     `json:"keyType,omitempty"`
	InStore           bool       `json:"inStore"`
	Error             *problem   `json:"error,omitempty"`
}

type tokenKeyJSON struct {
	ID    string `json:"id"`
	Label string `json:"label"`
	Type  string `json:"type"`
}

// tokenFlagWords are the token flags shown in words, in this order: the
// JSON name and the translation key cli.token.flag.<name>.
func tokenFlagWords() []struct {
	bit  uint
	name string
} {
	return []struct {
		bit  uint
		name string
	}{
		{token.TokenLoginRequired, "login-required"},
		{token.TokenProtectedAuthPath, "pin-pad"},
		{token.TokenWriteProtected, "write-protected"},
		{token.TokenUserPINInitialized, "user-pin-initialized"},
		{token.TokenInitialized, "initialized"},
		{token.TokenRNG, "rng"},
		{token.TokenUserPINCountLow, "user-pin-count-low"},
		{token.TokenUserPINFinalTry, "user-pin-final-try"},
		{token.TokenUserPINLocked, "user-pin-locked"},
		{token.TokenUserPINToBeChanged, "user-pin-to-be-changed"},
		{token.TokenSOPINCountLow, "so-pin-count-low"},
		{token.TokenSOPINFinalTry, "so-pin-final-try"},
		{token.TokenSOPINLocked, "so-pin-locked"},
		{token.TokenSOPINToBeChanged, "so-pin-to-be-changed"},
	}
}

// keyTypeName names a CKA_KEY_TYPE.
func keyTypeName(t uint) string {
	switch t {
	case token.KeyRSA:
		return "RSA"
	case token.KeyEC:
		return "ECDSA"
	case token.KeyGOSTR3410:
		return "GOST R 34.10-2012 256"
	case token.KeyGOSTR3410512:
		return "GOST R 34.10-2012 512"
	}
	return fmt.Sprintf("0x%X", t)
}

// knownMechanism reports a mechanism Podpis can sign with: only those are
// listed (a token offers dozens of others, for ciphers and hashes).
func knownMechanism(m token.Mechanism) bool {
	return !strings.HasPrefix(m.String(), "0x")
}

// initialized reports a token that has been set up (CKF_TOKEN_INITIALIZED):
// a blank card, or the free slot SoftHSM2 always offers, holds nothing to
// list or import, and its objects cannot even be read.
func initialized(t *token.TokenScan) bool { return t.Info.Flags&token.TokenInitialized != 0 }

// usableTokens counts the initialised tokens of a scan.
func usableTokens(scan *token.Scan) int {
	n := 0
	for _, m := range scan.Modules {
		for _, sl := range m.Slots {
			if sl.Token != nil && initialized(sl.Token) {
				n++
			}
		}
	}
	return n
}

// tokenScanResult is a scan with what the commands decide from it.
type tokenScanResult struct {
	scan       *token.Scan
	candidates []token.Candidate
	loaded     int   // modules that loaded
	loadErr    error // the first module's failure
}

// scanTokens finds the modules (--module, the settings, or discovery) and
// scans them. No candidate at all is a *token.LoadError with
// LoadNoneInstalled.
func (r *runner) scanTokens(store *certstore.Store, o tokenOptions, pin token.PINFunc) (*tokenScanResult, error) {
	candidates := store.ModuleCandidates(o.module)
	if len(candidates) == 0 {
		return nil, &token.LoadError{Reason: token.LoadNoneInstalled}
	}
	ctx, stop := tokenContext()
	defer stop()
	scan := store.Tokens().Scan(ctx, candidates, token.ScanOptions{Slot: o.slot, PIN: pin, EmptySlots: true})
	res := &tokenScanResult{scan: scan, candidates: candidates}
	for _, m := range scan.Modules {
		if m.Err == nil {
			res.loaded++
		} else if res.loadErr == nil {
			res.loadErr = m.Err
		}
	}
	return res, nil
}

// noTokenError says why a scan found no token: no module loaded (exit 2),
// --slot names no slot (exit 2), or simply nothing plugged in (exit 1).
func (res *tokenScanResult) noTokenError(o tokenOptions) (error, int) {
	if res.loaded == 0 {
		return res.loadErr, exitBadInput
	}
	if o.slot != nil {
		found := false
		for _, m := range res.scan.Modules {
			for _, sl := range m.Slots {
				found = found || sl.ID == *o.slot
			}
		}
		if !found {
			return &cliError{code: token.ErrSlotMissing.Code(), params: map[string]any{"Slot": uint(*o.slot)}, err: token.ErrSlotMissing, usage: true}, exitBadInput
		}
	}
	return token.ErrNoToken, exitInvalid
}

func runTokenList(r *runner, a *parsedArgs) int {
	o, ps, store, err := r.tokenSetup(a)
	if err != nil {
		return r.fail(err)
	}
	var pin token.PINFunc
	if ps.given != nil {
		// A listing never prompts: only a PIN given by flag logs in.
		ps.term = nil
		pin = ps.pin
	}
	res, err := r.scanTokens(store, o, pin)
	if err != nil {
		if r.json {
			p := r.problem(err)
			r.printJSON(tokenListJSON{Modules: []tokenModuleJSON{}, Error: &p})
			return exitBadInput
		}
		return r.fail(err)
	}
	inStore := r.storeThumbprints(store)

	code := exitOK
	var final error
	if usableTokens(res.scan) == 0 {
		final, code = res.noTokenError(o)
	} else if ps.given != nil {
		// A PIN was given to log in, and a login failed: the listing is
		// printed, but the command did not do what it was asked.
		final = res.loginError()
		if final != nil {
			code = exitBadInput
		}
	}
	if r.json {
		out := tokenListJSON{Modules: make([]tokenModuleJSON, 0, len(res.scan.Modules)), Tokens: usableTokens(res.scan)}
		for _, m := range res.scan.Modules {
			out.Modules = append(out.Modules, r.moduleJSON(m, inStore))
		}
		if final != nil {
			p := r.problem(final)
			out.Error = &p
		}
		r.printJSON(out)
		return code
	}
	if final != nil && res.loaded == 0 && len(res.scan.Modules) == 1 {
		// The one module asked for does not load: its error says it all.
		return r.fail(final)
	}
	for i, m := range res.scan.Modules {
		if i > 0 {
			fmt.Fprintln(r.env.Stdout)
		}
		r.printModule(m, inStore)
	}
	if final != nil {
		r.printProblem(r.problem(final), "")
	}
	return code
}

// storeThumbprints are the IDs of every certificate in the store.
func (r *runner) storeThumbprints(store *certstore.Store) map[string]bool {
	ids := map[string]bool{}
	entries, err := store.Entries()
	if err != nil {
		return ids
	}
	for _, e := range entries {
		ids[e.ID] = true
	}
	return ids
}

func (r *runner) problemPtr(err error) *problem {
	if err == nil {
		return nil
	}
	p := r.problem(err)
	return &p
}

func (r *runner) moduleJSON(m token.ModuleScan, inStore map[string]bool) tokenModuleJSON {
	out := tokenModuleJSON{
		Path: m.Path, Product: m.Product, Source: m.Source,
		Manufacturer: m.Info.Manufacturer, Description: m.Info.Description,
		Version: m.Info.LibraryVersion, CryptokiVersion: m.Info.CryptokiVersion,
		Error: r.problemPtr(m.Err), Slots: []tokenSlotJSON{},
	}
	for _, sl := range m.Slots {
		sj := tokenSlotJSON{ID: uint(sl.ID), Description: sl.Description, Manufacturer: sl.Manufacturer,
			Removable: sl.Removable, Hardware: sl.Hardware, Error: r.problemPtr(sl.Err)}
		if sl.Token != nil {
			tj := r.tokenInfoJSON(sl.Token, inStore)
			sj.Token = &tj
		}
		out.Slots = append(out.Slots, sj)
	}
	return out
}

func (r *runner) pinJSON(p token.PINState) tokenPINJSON {
	return tokenPINJSON{State: p.Code(), Text: r.l.T("token.pin." + p.Code()),
		CountLow: p.CountLow, FinalTry: p.FinalTry, Locked: p.Locked, ToBeChanged: p.ToBeChanged, SOLocked: p.SOLocked}
}

func (r *runner) tokenInfoJSON(t *token.TokenScan, inStore map[string]bool) tokenInfoJSON {
	out := tokenInfoJSON{
		Label: t.Info.Label, Initialized: initialized(t), Manufacturer: t.Info.Manufacturer, Model: t.Info.Model, Serial: t.Info.Serial,
		Flags: []string{}, PIN: r.pinJSON(t.PIN), LoginRequired: t.LoginRequired, PINPad: t.PINPad,
		LoggedIn: t.LoggedIn, Mechanisms: []string{}, Certificates: []tokenCertJSON{}, Keys: []tokenKeyJSON{},
		Error: r.problemPtr(t.Err),
	}
	if !out.Initialized {
		out.Error = nil // its objects cannot be read: that is what blank means
	}
	for _, f := range tokenFlagWords() {
		if t.Info.Flags&f.bit != 0 {
			out.Flags = append(out.Flags, f.name)
		}
	}
	for _, m := range t.Mechanisms {
		if knownMechanism(m) {
			out.Mechanisms = append(out.Mechanisms, m.String())
		}
	}
	for _, c := range sortedCertificates(t) {
		cj := tokenCertJSON{ID: hex.EncodeToString(c.ID), Label: c.Label, Key: string(c.Key), Error: r.problemPtr(c.ParseErr)}
		if c.Key == token.KeyPrivate || c.Key == token.KeyPublicOnly {
			cj.KeyType = keyTypeName(c.KeyType)
		}
		if c.Cert != nil {
			na := c.Cert.NotAfter.UTC()
			cj.Subject, cj.SubjectCommonName = c.Cert.Subject.String(), c.Cert.Subject.CommonName()
			cj.Issuer, cj.IssuerCommonName = c.Cert.Issuer.String(), c.Cert.Issuer.CommonName()
			cj.NotAfter, cj.Thumbprint = &na, c.Cert.Thumbprint()
			cj.InStore = inStore[cj.Thumbprint]
		}
		out.Certificates = append(out.Certificates, cj)
	}
	for _, k := range t.OrphanKeys {
		out.Keys = append(out.Keys, tokenKeyJSON{ID: hex.EncodeToString(k.ID), Label: k.Label, Type: keyTypeName(k.KeyType)})
	}
	return out
}

// printModule writes one module, its slots and tokens as indented lines.
func (r *runner) printModule(m token.ModuleScan, inStore map[string]bool) {
	w := r.env.Stdout
	T := r.l.T
	fmt.Fprintln(w, T("cli.token.module", map[string]any{"Path": m.Path}))
	found := T("cli.token.source." + m.Source)
	if m.Product != "" {
		fmt.Fprintln(w, "  "+T("cli.token.product", map[string]any{"Product": m.Product, "Source": found}))
	} else {
		fmt.Fprintln(w, "  "+T("cli.token.found", map[string]any{"Source": found}))
	}
	if m.Err != nil {
		p := r.problem(m.Err)
		fmt.Fprintln(w, "  "+T("cli.token.module-unusable", map[string]any{"Message": p.Message}))
		if p.Hint != "" {
			fmt.Fprintf(w, "    → %s\n", p.Hint)
		}
		return
	}
	fmt.Fprintln(w, "  "+T("cli.token.library", map[string]any{
		"Description": m.Info.Description, "Manufacturer": m.Info.Manufacturer,
		"Version": m.Info.LibraryVersion, "Cryptoki": m.Info.CryptokiVersion}))
	if len(m.Slots) == 0 {
		fmt.Fprintln(w, "  "+T("cli.token.no-slots"))
	}
	for _, sl := range m.Slots {
		fmt.Fprintln(w, "  "+T("cli.token.slot", map[string]any{"ID": uint(sl.ID), "Description": sl.Description}))
		if sl.Err != nil {
			fmt.Fprintln(w, "    "+r.problem(sl.Err).Message)
		}
		if sl.Token == nil {
			if sl.Err == nil {
				fmt.Fprintln(w, "    "+T("cli.token.slot-empty"))
			}
			continue
		}
		r.printToken(sl.Token, inStore)
	}
}

func (r *runner) printToken(t *token.TokenScan, inStore map[string]bool) {
	w := r.env.Stdout
	T := r.l.T
	const in = "      "
	if !initialized(t) {
		fmt.Fprintln(w, "    "+T("cli.token.uninitialized", map[string]any{"Manufacturer": t.Info.Manufacturer, "Model": t.Info.Model}))
		return
	}
	fmt.Fprintln(w, "    "+T("cli.token.token", map[string]any{"Label": t.Info.Label}))
	fmt.Fprintln(w, in+T("cli.token.maker", map[string]any{"Manufacturer": t.Info.Manufacturer, "Model": t.Info.Model, "Serial": t.Info.Serial}))
	var flags []string
	for _, f := range tokenFlagWords() {
		if t.Info.Flags&f.bit != 0 {
			flags = append(flags, T("cli.token.flag."+f.name))
		}
	}
	if len(flags) > 0 {
		fmt.Fprintln(w, in+T("cli.token.flags", map[string]any{"Flags": strings.Join(flags, ", ")}))
	}
	pinLine := T("token.pin." + t.PIN.Code())
	switch {
	case t.PINPad:
		pinLine += "; " + T("cli.token.pin-pad")
	case !t.LoginRequired:
		pinLine += "; " + T("cli.token.pin-not-needed")
	}
	fmt.Fprintln(w, in+T("cli.token.pin", map[string]any{"State": pinLine}))
	var mechs []string
	for _, m := range t.Mechanisms {
		if knownMechanism(m) {
			mechs = append(mechs, m.String())
		}
	}
	if len(mechs) > 0 {
		fmt.Fprintln(w, in+T("cli.token.mechanisms", map[string]any{"Mechanisms": strings.Join(mechs, ", ")}))
	}
	loginFailed := false
	if t.Err != nil {
		p := r.problem(t.Err)
		if loginFailed = isPINError(t.Err); loginFailed {
			// The command's error says it again, with the fix.
			fmt.Fprintln(w, in+T("cli.token.login-failed", map[string]any{"Message": p.Message}))
		} else {
			fmt.Fprintln(w, in+T("cli.token.objects-unreadable", map[string]any{"Message": p.Message}))
			if p.Hint != "" {
				fmt.Fprintf(w, "%s  → %s\n", in, p.Hint)
			}
		}
	}
	if len(t.Certificates) == 0 {
		fmt.Fprintln(w, in+T("cli.token.no-certificates"))
	} else {
		fmt.Fprintln(w, in+r.l.N("cli.token.certificates", len(t.Certificates)))
	}
	for _, c := range sortedCertificates(t) {
		data := map[string]any{"ID": hex.EncodeToString(c.ID), "Label": c.Label}
		if c.Cert == nil {
			fmt.Fprintln(w, in+"  "+T("cli.token.cert-unparsed", data, map[string]any{"Message": r.problem(c.ParseErr).Message}))
			continue
		}
		data["Subject"] = displayName(c.Cert.Subject)
		data["Issuer"] = displayName(c.Cert.Issuer)
		data["Date"] = c.Cert.NotAfter.Local().Format(time.DateOnly)
		fmt.Fprintln(w, in+"  "+T("cli.token.cert", data))
		key := T("cli.token.key." + string(c.Key))
		if c.Key == token.KeyPrivate {
			key += " (" + keyTypeName(c.KeyType) + ")"
		}
		stored := T("cli.token.in-store.no")
		if inStore[c.Cert.Thumbprint()] {
			stored = T("cli.token.in-store.yes")
		}
		fmt.Fprintln(w, in+"    "+T("cli.token.cert-details", data, map[string]any{"Key": key, "InStore": stored}))
	}
	if len(t.OrphanKeys) > 0 {
		fmt.Fprintln(w, in+r.l.N("cli.token.orphan-keys", len(t.OrphanKeys)))
		for _, k := range t.OrphanKeys {
			fmt.Fprintln(w, in+"  "+T("cli.token.orphan-key", map[string]any{"ID": hex.EncodeToString(k.ID), "Label": k.Label, "Type": keyTypeName(k.KeyType)}))
		}
	}
	if !t.LoggedIn && !loginFailed && t.LoginRequired && hasUnknownKeys(t) {
		fmt.Fprintln(w, in+T("cli.token.keys-need-pin"))
	}
}

// isPINError reports a login that failed for the PIN's sake (wrong,
// locked, refused for the final try...).
func isPINError(err error) bool {
	var te *token.Error
	return errors.As(err, &te) && strings.HasPrefix(te.Code(), "pin-")
}

// sortedCertificates are the token's certificates by CKA_ID (then label):
// the order objects come from a token in is its own and may change.
func sortedCertificates(t *token.TokenScan) []token.Certificate {
	certs := slices.Clone(t.Certificates)
	slices.SortStableFunc(certs, func(a, b token.Certificate) int {
		if c := bytes.Compare(a.ID, b.ID); c != 0 {
			return c
		}
		return strings.Compare(a.Label, b.Label)
	})
	return certs
}

func hasUnknownKeys(t *token.TokenScan) bool {
	for _, c := range t.Certificates {
		if c.Key == token.KeyUnknown || c.Key == token.KeyPublicOnly {
			return true
		}
	}
	return false
}

// --- token import ----------------------------------------------------------

// tokenImportJSON is one token's outcome in `token import --json`.
type tokenImportJSON struct {
	Module string `json:"module"`
	Slot   uint   `json:"slot"`
	Label  string `json:"label"`
	Serial string `json:"serial"`
	fileResult
}

// foundToken is a token a scan found, with where.
type foundToken struct {
	module token.Candidate
	slot   token.SlotID
	scan   *token.TokenScan
}

// loginError is the first failed login of the scan (a wrong PIN...).
func (res *tokenScanResult) loginError() error {
	for _, f := range res.tokens() {
		if f.scan.Err != nil && !f.scan.LoggedIn && isPINError(f.scan.Err) {
			return f.scan.Err
		}
	}
	return nil
}

// tokens are the initialised tokens the scan found.
func (res *tokenScanResult) tokens() []foundToken {
	var out []foundToken
	for _, m := range res.scan.Modules {
		for _, sl := range m.Slots {
			if sl.Token != nil && initialized(sl.Token) {
				out = append(out, foundToken{module: m.Candidate, slot: sl.ID, scan: sl.Token})
			}
		}
	}
	return out
}

func runTokenImport(r *runner, a *parsedArgs) int {
	o, ps, store, err := r.tokenSetup(a)
	if err != nil {
		return r.fail(err)
	}
	// A PIN given by flag logs in during the scan; a prompt is made only
	// for a token whose key pairs cannot be seen without one.
	var pin token.PINFunc
	if ps.given != nil {
		pin = ps.pin
	}
	res, err := r.scanTokens(store, o, pin)
	if err != nil {
		return r.fail(err)
	}
	found := res.tokens()
	if len(found) == 0 {
		final, code := res.noTokenError(o)
		if code == exitBadInput {
			return r.fail(final)
		}
		if r.json {
			p := r.problem(final)
			r.printJSON(map[string]any{"tokens": []tokenImportJSON{}, "error": p})
		} else {
			r.printProblem(r.problem(final), "")
		}
		return code
	}
	for i, f := range found {
		if ps.given == nil && ps.term != nil && !f.scan.LoggedIn && f.scan.LoginRequired && f.scan.Err == nil && hasUnknownKeys(f.scan) {
			found[i] = r.rescanWithPIN(store, f, ps)
		}
	}

	results := make([]tokenImportJSON, 0, len(found))
	failed := 0
	for _, f := range found {
		t := f.scan
		tj := tokenImportJSON{Module: f.module.Path, Slot: uint(f.slot), Label: t.Info.Label, Serial: t.Info.Serial,
			fileResult: fileResult{File: t.Info.Label, Added: []entryRef{}, Existing: []entryRef{}, UntrustedRoots: []entryRef{}, Warnings: []problem{}}}
		name := r.l.T("cli.token.name", map[string]any{"Label": t.Info.Label, "Serial": t.Info.Serial})
		importErr := t.Err
		var imported *certstore.ImportResult
		if importErr == nil {
			imported, importErr = store.ImportToken(f.module.Path, t)
		}
		if importErr != nil {
			failed++
			p := r.problem(importErr)
			tj.Status, tj.Error = "error", &p
			results = append(results, tj)
			if !r.json {
				r.printProblem(problem{Message: name + ": " + p.Message, Hint: p.Hint}, "")
			}
			continue
		}
		if a.has("remember") {
			r.rememberTokenPIN(store, ps, t)
		}
		tj.Status = "existing"
		if len(imported.Added) > 0 {
			tj.Status = "added"
		}
		tj.Added, tj.Existing, tj.UntrustedRoots = refs(imported.Added), refs(imported.Existing), refs(imported.UntrustedRoots)
		for _, w := range imported.Warnings {
			tj.Warnings = append(tj.Warnings, r.problem(w))
		}
		results = append(results, tj)
		if !r.json {
			r.printFileResult(name, imported, tj.Warnings)
			if !t.LoggedIn && t.LoginRequired && hasUnknownKeys(t) {
				fmt.Fprintln(r.env.Stdout, "  "+r.l.T("cli.token.import-unchecked"))
			}
		}
	}
	if r.json {
		r.printJSON(map[string]any{"tokens": results})
	}
	if failed > 0 {
		return exitBadInput
	}
	return exitOK
}

// rescanWithPIN scans one token again, logged in, so its certificates'
// key pairs are seen. A failed login is the token's error (never retried).
func (r *runner) rescanWithPIN(store *certstore.Store, f foundToken, ps *pinSource) foundToken {
	ctx, stop := tokenContext()
	defer stop()
	slot := f.slot
	scan := store.Tokens().Scan(ctx, []token.Candidate{f.module}, token.ScanOptions{Slot: &slot, PIN: ps.pin})
	for _, m := range scan.Modules {
		for _, sl := range m.Slots {
			if sl.Token != nil && sl.Token.Info.Serial == f.scan.Info.Serial {
				f.scan = sl.Token
				return f
			}
		}
	}
	return f
}

// rememberTokenPIN keeps the PIN that just logged in to t (--remember). A
// PIN that did not log in is never kept: checking it again would cost a
// try.
func (r *runner) rememberTokenPIN(store *certstore.Store, ps *pinSource, t *token.TokenScan) {
	pin, ok := ps.handed[t.Info.Serial]
	if !ok || !t.LoggedIn {
		return
	}
	if err := store.RememberPIN(t.Info.Serial, pin); err != nil {
		r.warn(problem{Message: r.l.T("cli.token.remember-failed", map[string]any{"Token": t.Info.Label, "Detail": err.Error()})})
		return
	}
	if !r.json {
		r.outf("cli.token.pin-remembered", map[string]any{"Token": t.Info.Label})
	}
}

// --- token passwd ----------------------------------------------------------

func runTokenPasswd(r *runner, a *parsedArgs) int {
	o, err := r.tokenOptions(a)
	if err != nil {
		return r.fail(err)
	}
	ps, err := r.readPINFlags(a)
	if err != nil {
		return r.fail(err)
	}
	if ps.term == nil && (ps.given == nil || ps.newPIN == nil) {
		flag := "--new-pin-file"
		if ps.given == nil {
			flag = "--pin-file"
		}
		return r.fail(usageError("flag-required", map[string]any{"Flag": flag}))
	}
	store, err := r.openStore()
	if err != nil {
		return r.fail(err)
	}
	res, err := r.scanTokens(store, o, nil)
	if err != nil {
		return r.fail(err)
	}
	found := res.tokens()
	if len(found) == 0 {
		final, code := res.noTokenError(o)
		if code == exitBadInput {
			return r.fail(final)
		}
		p := r.problem(final)
		if r.json {
			r.printJSON(map[string]any{"error": p})
		} else {
			r.printProblem(p, "")
		}
		return code
	}
	if len(found) > 1 {
		var lines []string
		for _, f := range found {
			lines = append(lines, r.l.T("cli.token.choice", map[string]any{
				"Slot": uint(f.slot), "Label": f.scan.Info.Label, "Serial": f.scan.Info.Serial, "Module": f.module.Path}))
		}
		sort.Strings(lines)
		return r.fail(usageError("cli-token-choose-slot", map[string]any{"Tokens": "\n  " + strings.Join(lines, "\n  ")}))
	}
	f := found[0]
	if err := store.ChangeTokenPIN([]token.Candidate{f.module}, f.scan.Info.Serial, ps.pin); err != nil {
		return r.fail(err)
	}
	if r.json {
		r.printJSON(map[string]any{"token": f.scan.Info.Label, "serial": f.scan.Info.Serial, "module": f.module.Path,
			"changed": true, "remembered": store.PINRemembered(f.scan.Info.Serial)})
		return exitOK
	}
	r.outf("cli.token.passwd-done", map[string]any{"Token": f.scan.Info.Label})
	if store.PINRemembered(f.scan.Info.Serial) {
		r.outf("cli.token.passwd-remembered")
	}
	return exitOK
}
