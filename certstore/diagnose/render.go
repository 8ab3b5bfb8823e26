package diagnose

import (
	"strings"
	"time"

	"github.com/podpis/podpis/certstore/cert"
	"github.com/podpis/podpis/certstore/fetch"
	"github.com/podpis/podpis/certstore/validate"
)

// SeverityInfo marks a note that is neither an error nor a warning (the
// file's encoding, say).
const SeverityInfo validate.Severity = "info"

// labelNames are the fixed words of the renderings: "diag.label.<name>".
var labelNames = []string{
	"made", "version", "source", "kind", "encoding", "at", "now", "offline", "strict",
	"verdict", "notes", "problems", "fix", "chain", "checks", "fetches", "qualified",
	"subject", "issuer", "serial", "validity", "key-validity", "thumbprint", "origin",
	"trusted", "revocation", "usage", "signature", "signing-time", "signer-id",
	"sign-tool", "issuer-sign-tool", "classes", "accredited", "yes", "no",
	"footer", "cert-n", "check", "result", "detail", "url", "answer",
	"duration", "this-update", "next-update", "converted", "lang",
}

// tr wraps a Translate with the "missing key" rule.
type tr struct{ f Translate }

func (t tr) lookup(key string, params map[string]any) (string, bool) {
	if t.f == nil {
		return "", false
	}
	s := t.f(key, params)
	if s == "" || s == key {
		return "", false
	}
	return s, true
}

func (t tr) or(key string, params map[string]any, fallback string) string {
	if s, ok := t.lookup(key, params); ok {
		return s
	}
	return fallback
}

// fixKey is the translation of the fix for a message key: "hint.X" for
// "err.X", else "<key>.fix".
func fixKey(key string) string {
	if rest, ok := strings.CutPrefix(key, "err."); ok {
		return "hint." + rest
	}
	return key + ".fix"
}

func problemsOf(ps []validate.Problem) []Problem {
	out := make([]Problem, 0, len(ps))
	for _, p := range ps {
		out = append(out, Problem{
			Code: p.Code, Reason: p.Reason, Severity: p.Severity, Cert: p.Cert, Params: p.Params,
			Keys: []string{"err.chk-" + p.Reason, "err." + p.Code},
		})
	}
	return out
}

func (t tr) problem(p Problem) ProblemView {
	pv := ProblemView{Code: p.Code, Reason: p.Reason, Severity: string(p.Severity), Cert: p.Cert}
	if pv.Severity == "" {
		pv.Severity = string(validate.SeverityError)
	}
	for _, key := range p.Keys {
		if msg, ok := t.lookup(key, p.Params); ok {
			pv.Message = msg
			pv.Hint, _ = t.lookup(fixKey(key), p.Params)
			break
		}
	}
	if pv.Message == "" {
		pv.Message = p.Code
		if p.Reason != "" && p.Reason != p.Code {
			pv.Message += ": " + p.Reason
		}
	}
	return pv
}

func render(r *Report, f Translate) *View {
	t := tr{f}
	v := &View{
		Status: string(r.Status), Source: r.Source, Kind: string(r.Kind), Encoding: string(r.Encoding),
		Converted: r.Converted, Version: r.Version, Made: r.Made, At: r.At, Offline: r.Offline, Strict: r.Strict,
		Notes: []ProblemView{}, Problems: []ProblemView{}, Items: []ItemView{}, labels: map[string]string{},
	}
	for _, name := range labelNames {
		v.labels[name] = t.or("diag.label."+name, nil, name)
	}
	v.Title = t.or("diag.title", map[string]any{"Source": r.Source}, r.Source)
	v.Verdict = t.or("diag.status."+string(r.Status), nil, string(r.Status))
	for _, p := range r.notes() {
		v.Notes = append(v.Notes, t.problem(p))
	}
	for _, p := range v.Notes {
		if p.Severity != string(SeverityInfo) {
			v.Problems = append(v.Problems, p)
		}
	}
	for i := range r.Items {
		iv := t.item(&r.Items[i])
		v.Items = append(v.Items, iv)
		v.Problems = append(v.Problems, iv.Problems...)
	}
	return v
}

// notes are the report's own problems plus what the input's form says.
func (r *Report) notes() []Problem {
	var out []Problem
	if r.Kind == KindCertificate || r.Kind == KindBundle {
		if enc := string(r.Encoding); enc != "" {
			out = append(out, Problem{
				Code: "format-" + enc, Severity: SeverityInfo, Cert: -1,
				Params: map[string]any{"Converted": r.Converted, "Source": r.Source},
				Keys:   []string{"diag.note.format-" + enc},
			})
		}
	}
	return append(out, r.Problems...)
}

func displayName(n cert.Name) string {
	if cn := n.CommonName(); cn != "" {
		return cn
	}
	return n.String()
}

func (t tr) item(it *Item) ItemView {
	iv := ItemView{
		Status: string(it.Status), Chain: []LinkView{}, Checks: []CheckView{},
		Problems: []ProblemView{}, Fetches: []FetchView{},
	}
	iv.Verdict = t.or("diag.status."+iv.Status, nil, iv.Status)
	name := ""
	if it.Subject != nil {
		name = displayName(it.Subject.Subject)
	}
	if s := it.Signature; s != nil {
		if name == "" {
			name = t.or("diag.unknown-signer", map[string]any{"ID": s.SignerID}, s.SignerID)
		}
		iv.Title = t.or("diag.item.signer", map[string]any{"N": s.Index + 1, "Total": s.Total, "Name": name}, name)
		key := "diag.signature.invalid"
		if s.Valid {
			key = "diag.signature.valid"
		}
		iv.Signature = &SignatureView{
			Index: s.Index, SignerID: s.SignerID, SigningTime: s.SigningTime, Valid: s.Valid, CAdES: s.CAdES,
			Text: t.or(key, nil, key),
		}
	} else {
		iv.Title = t.or("diag.item.certificate", map[string]any{"Name": name}, name)
	}
	for _, p := range it.Problems {
		iv.Problems = append(iv.Problems, t.problem(p))
	}
	res := it.Result
	if res == nil {
		if it.Subject != nil {
			iv.Chain = append(iv.Chain, t.link(validate.Link{Cert: it.Subject, Source: validate.SourceInput}))
		}
		return iv
	}
	iv.Usage = t.or("diag.usage."+string(res.Usage), nil, string(res.Usage))
	iv.Complete = res.Complete
	if !res.Now.IsZero() {
		now := res.Now
		iv.Now = &now
	}
	for _, l := range res.Chain {
		iv.Chain = append(iv.Chain, t.link(l))
	}
	if len(iv.Chain) == 0 && it.Subject != nil {
		iv.Chain = append(iv.Chain, t.link(validate.Link{Cert: it.Subject, Source: validate.SourceInput}))
	}
	for _, c := range res.Checks {
		iv.Checks = append(iv.Checks, t.check(c))
	}
	for _, a := range res.Fetches {
		iv.Fetches = append(iv.Fetches, t.fetch(a))
	}
	iv.Qualified = t.qualified(res.Qualified)
	// An unknown revocation status is best said by the problems that made
	// it unknown, which carry the certificate's name and the URL.
	for i := range iv.Chain {
		rv := iv.Chain[i].Revocation
		if rv == nil || rv.Status != string(validate.RevocationUnknown) {
			continue
		}
		var why []string
		for _, p := range iv.Problems {
			if p.Cert == i && p.Code == "revocation-unknown" {
				why = append(why, p.Message)
			}
		}
		if len(why) > 0 {
			rv.Why = strings.Join(why, "; ")
			rv.Text = rv.Why
		}
	}
	return iv
}

func (t tr) link(l validate.Link) LinkView {
	lv := LinkView{Source: string(l.Source), URL: l.URL, Trusted: l.Trusted}
	lv.SourceText = t.or("chk.source."+lv.Source, map[string]any{"URL": l.URL}, lv.Source)
	if c := l.Cert; c != nil {
		lv.Subject, lv.SubjectDN = displayName(c.Subject), c.Subject.String()
		lv.Issuer, lv.IssuerDN = displayName(c.Issuer), c.Issuer.String()
		lv.Serial = c.SerialHex()
		lv.NotBefore, lv.NotAfter = c.NotBefore, c.NotAfter
		lv.KeyNotAfter = c.PrivateKeyNotAfter
		lv.Thumbprint = c.Thumbprint()
		lv.CA = c.IsCA
	}
	if rv := l.Revocation; rv != nil {
		lv.Revocation = t.revocation(rv)
	}
	return lv
}

func timePtr(tm time.Time) *time.Time {
	if tm.IsZero() {
		return nil
	}
	return &tm
}

func (t tr) revocation(rv *validate.Revocation) *RevocationView {
	out := &RevocationView{
		Status: string(rv.Status), Method: rv.Method, URL: rv.URL, FromCache: rv.FromCache,
		RevokedAt: timePtr(rv.RevokedAt), Reason: rv.Reason,
		ThisUpdate: timePtr(rv.ThisUpdate), NextUpdate: timePtr(rv.NextUpdate),
	}
	// Why holds reasons; their messages need the problem's params, so
	// item() words them from the problems when it can.
	out.Why = rv.Why
	params := map[string]any{
		"Method":    t.or("diag.method."+rv.Method, nil, rv.Method),
		"URL":       rv.URL,
		"RevokedAt": formatTime(rv.RevokedAt),
		"Reason":    "",
		"Why":       out.Why,
		"FromCache": rv.FromCache,
	}
	if rv.Reason != "" {
		params["Reason"] = t.or("diag.crl-reason."+rv.Reason, nil, rv.Reason)
	}
	out.Text = t.or("diag.revocation."+out.Status, params, out.Status)
	return out
}

func (t tr) check(c validate.Check) CheckView {
	cv := CheckView{Cert: c.Cert, Name: c.Name, Result: string(c.Result), Reason: c.Reason}
	cv.Title = t.or("chk.check."+c.Name, c.Params, c.Name)
	cv.ResultText = t.or("chk.result."+cv.Result, nil, cv.Result)
	switch {
	case c.Result == validate.CheckPass:
		cv.Detail, _ = t.lookup("chk.pass."+c.Name, c.Params)
	case c.Reason != "":
		cv.Detail = t.or("err.chk-"+c.Reason, c.Params, c.Reason)
	}
	return cv
}

func (t tr) fetch(a fetch.Attempt) FetchView {
	fv := FetchView{
		URL: a.URL, Method: a.Method, Purpose: a.Purpose, Status: a.Status, Bytes: a.Bytes,
		DurationMS: a.Duration.Milliseconds(), Started: a.Started, Error: a.Error, Reason: a.Reason,
		FromCache: a.FromCache,
	}
	params := map[string]any{"Status": a.Status, "Bytes": a.Bytes, "Error": a.Error, "Detail": "",
		"Reason": t.or("diag.fetch.reason."+a.Reason, nil, a.Error)}
	if a.Reason == "" || a.Reason == "network" {
		// The system's words ("connection refused", "no such host")
		// tell support staff which network problem it is.
		params["Detail"] = a.Error
	}
	switch {
	case a.Error != "":
		fv.Answer = t.or("diag.fetch.failed", params, a.Error)
	case a.FromCache:
		fv.Answer = t.or("diag.fetch.from-cache", params, "cache")
	default:
		fv.Answer = t.or("diag.fetch.ok", params, "ok")
	}
	return fv
}

func (t tr) qualified(q validate.Qualified) *QualifiedView {
	if len(q.Fields) == 0 && q.SubjectSignTool == "" && len(q.IssuerSignTool) == 0 && len(q.Classes) == 0 && !q.AccreditedChain {
		return nil
	}
	qv := &QualifiedView{
		Fields: []FieldView{}, SubjectSignTool: q.SubjectSignTool, IssuerSignTool: q.IssuerSignTool,
		Classes: q.Classes, AccreditedChain: q.AccreditedChain,
	}
	for _, f := range q.Fields {
		fv := FieldView{Name: f.Name, Value: f.Value, Valid: f.Valid, Reason: f.Reason}
		fv.Label = t.or("chk.field."+f.Name, nil, strings.ToUpper(f.Name))
		if f.Valid {
			fv.Text = t.or("diag.field.valid", nil, "ok")
		} else {
			fv.Text = t.or("diag.field.invalid."+f.Reason, nil, f.Reason)
		}
		qv.Fields = append(qv.Fields, fv)
	}
	return qv
}

// formatTime is how the renderings print a time: local, to the second,
// with the zone, as the CLI does.
func formatTime(tm time.Time) string {
	if tm.IsZero() {
		return ""
	}
	return tm.Local().Format("2006-01-02 15:04:05 MST")
}
