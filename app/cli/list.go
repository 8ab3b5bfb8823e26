package cli

import (
	"encoding/hex"
	"fmt"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/podpis/podpis/certstore"
	"github.com/podpis/podpis/certstore/cert"
)

// listItem is one certificate in `list --json`.
type listItem struct {
	ID                string    `json:"id"`
	List              string    `json:"list"`
	Subject           string    `json:"subject"`
	SubjectCommonName string    `json:"subjectCommonName"`
	Issuer            string    `json:"issuer"`
	IssuerCommonName  string    `json:"issuerCommonName"`
	Serial            string    `json:"serial"`
	NotBefore         time.Time `json:"notBefore"`
	NotAfter          time.Time `json:"notAfter"`
	Status            string    `json:"status"` // valid | expiring | expired | not-yet-valid
	DaysLeft          int       `json:"daysLeft"`
	HasKey            bool      `json:"hasKey"` // it can sign: a key container or a key on a token
	// KeyLocation is where the private key is: "container" (in the store)
	// or "token"; empty without one.
	KeyLocation   string          `json:"keyLocation,omitempty"`
	Token         *entryTokenJSON `json:"token,omitempty"`
	UntrustedRoot bool            `json:"untrustedRoot"`
	Source        string          `json:"source,omitempty"`
	Added         time.Time       `json:"added"`
}

// entryTokenJSON is the token a certificate's key is on, in list and show.
type entryTokenJSON struct {
	Label   string `json:"label"`
	Serial  string `json:"serial"`
	Model   string `json:"model,omitempty"`
	Module  string `json:"module"`
	ID      string `json:"id"`      // CKA_ID in hex
	Present bool   `json:"present"` // plugged in now
}

// keyLocationOf is KeyLocation: a token wins, as the store signs on the
// token when both are there.
func keyLocationOf(e *certstore.Entry) string {
	switch {
	case e.Token != nil:
		return "token"
	case e.HasKey:
		return "container"
	}
	return ""
}

func entryToken(e *certstore.Entry, present map[string]bool) *entryTokenJSON {
	if e.Token == nil {
		return nil
	}
	return &entryTokenJSON{Label: e.Token.Label, Serial: e.Token.Serial, Model: e.Token.Model, Module: e.Token.Module,
		ID: hex.EncodeToString(e.Token.ID), Present: present[e.Token.Serial]}
}

// tokenPresence asks the modules once whether the tokens of entries are
// plugged in; without token entries no module is loaded at all.
func (r *runner) tokenPresence(store *certstore.Store, entries []*certstore.Entry) map[string]bool {
	for _, e := range entries {
		if e.Token != nil {
			ctx, stop := tokenContext()
			defer stop()
			return store.TokenPresence(ctx, entries)
		}
	}
	return map[string]bool{}
}

// tokenNote is how list and show name a key on a token: «ключ на токене
// «label» (подключён)».
func (r *runner) tokenNote(e *certstore.Entry, present map[string]bool) string {
	state := r.l.T("cli.token.absent")
	if present[e.Token.Serial] {
		state = r.l.T("cli.token.present")
	}
	return r.l.T("cli.token.note", map[string]any{"Token": e.Token.Label, "State": state})
}

func runList(r *runner, a *parsedArgs) int {
	warnDays := certstore.ExpiryWarningDays
	expiringOnly := false
	if v, ok := a.values["expiring"]; ok {
		days, err := strconv.Atoi(v)
		if err != nil || days < 0 {
			return r.fail(usageError("flag-value-invalid", map[string]any{"Flag": "--expiring", "Value": v}))
		}
		warnDays, expiringOnly = days, true
	}
	store, err := r.openStore()
	if err != nil {
		return r.fail(err)
	}
	entries, err := store.Entries()
	if err != nil {
		return r.fail(newError("store-unavailable", map[string]any{"Dir": store.Dir(), "Detail": err.Error()}, err))
	}
	now := r.env.Now()
	if expiringOnly {
		entries = certstore.ExpiringPersonal(entries, now, warnDays)
	}
	present := r.tokenPresence(store, entries)

	if r.json {
		items := make([]listItem, 0, len(entries))
		for _, e := range entries {
			st := certstore.StatusAt(e.Cert, now, warnDays)
			items = append(items, listItem{
				ID:                e.ID,
				List:              string(e.List),
				Subject:           e.Cert.Subject.String(),
				SubjectCommonName: e.Cert.Subject.CommonName(),
				Issuer:            e.Cert.Issuer.String(),
				IssuerCommonName:  e.Cert.Issuer.CommonName(),
				Serial:            e.Cert.SerialHex(),
				NotBefore:         e.Cert.NotBefore.UTC(),
				NotAfter:          e.Cert.NotAfter.UTC(),
				Status:            string(st.Validity),
				DaysLeft:          st.DaysLeft,
				HasKey:            e.CanSign(),
				KeyLocation:       keyLocationOf(e),
				Token:             entryToken(e, present),
				UntrustedRoot:     e.UntrustedRoot(),
				Source:            e.Source,
				Added:             e.Added.UTC(),
			})
		}
		r.printJSON(items)
	} else {
		r.printTable(entries, now, warnDays, expiringOnly, present)
	}
	if expiringOnly && len(entries) > 0 {
		return exitInvalid
	}
	return exitOK
}

func (r *runner) printTable(entries []*certstore.Entry, now time.Time, warnDays int, expiringOnly bool, present map[string]bool) {
	if len(entries) == 0 {
		if expiringOnly {
			fmt.Fprintln(r.env.Stdout, r.l.N("cli.list.none-expiring", warnDays))
			return
		}
		r.outf("cli.list.empty")
		return
	}
	tw := tabwriter.NewWriter(r.env.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n",
		r.l.T("cli.column.id"), r.l.T("cli.column.list"), r.l.T("cli.column.subject"),
		r.l.T("cli.column.issuer"), r.l.T("cli.column.expires"), r.l.T("cli.column.status"),
		r.l.T("cli.column.notes"))
	untrusted := false
	for _, e := range entries {
		st := certstore.StatusAt(e.Cert, now, warnDays)
		notes := ""
		switch {
		case e.Token != nil:
			notes = r.tokenNote(e, present)
		case e.HasKey:
			notes = r.l.T("cli.note.key")
		case e.UntrustedRoot():
			notes = r.l.T("cli.note.untrusted-root")
			untrusted = true
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n",
			shortID(e.ID), r.listName(e.List), displayName(e.Cert.Subject), displayName(e.Cert.Issuer),
			e.Cert.NotAfter.Local().Format(time.DateOnly), r.statusText(st), notes)
	}
	tw.Flush()
	if untrusted {
		fmt.Fprintln(r.env.Stdout, r.l.T("cli.list.untrusted-footnote"))
	}
	for _, e := range certstore.ExpiringPersonal(entries, now, warnDays) {
		st := certstore.StatusAt(e.Cert, now, warnDays)
		fmt.Fprintln(r.env.Stdout, r.expiryWarning(e, st))
	}
}

// statusText is the badge: valid / expires in N days / expired / not yet valid.
func (r *runner) statusText(st certstore.Status) string {
	switch st.Validity {
	case certstore.Expiring:
		if st.DaysLeft == 0 {
			return r.l.T("cli.status.expires-today")
		}
		return r.l.N("cli.status.expiring", st.DaysLeft)
	case certstore.Expired:
		return r.l.T("cli.status.expired")
	case certstore.NotYetValid:
		return r.l.T("cli.status.not-yet-valid")
	default:
		return r.l.T("cli.status.valid")
	}
}

// expiryWarning is the sentence the banner shows too: «Сертификат … истекает
// через 12 дней: закажите новый заранее».
func (r *runner) expiryWarning(e *certstore.Entry, st certstore.Status) string {
	data := map[string]any{
		"Subject": displayName(e.Cert.Subject),
		"ID":      shortID(e.ID),
		"Date":    st.NotAfter.Local().Format(time.DateOnly),
	}
	switch {
	case st.Validity == certstore.Expired:
		return r.l.T("cli.warn.expired", data)
	case st.DaysLeft == 0:
		return r.l.T("cli.warn.expires-today", data)
	default:
		return r.l.N("cli.warn.expiring", st.DaysLeft, data)
	}
}

// displayName is a name's common name, or the whole name when it has none.
func displayName(n cert.Name) string {
	if cn := n.CommonName(); cn != "" {
		return cn
	}
	return n.String()
}
