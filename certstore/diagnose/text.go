package diagnose

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// problemMark and checkMark are the one-character signs of the text form.
func problemMark(severity string) string {
	switch severity {
	case "warning":
		return "!"
	case string(SeverityInfo):
		return "i"
	}
	return "✗"
}

func checkMark(result string) string {
	switch result {
	case "pass":
		return "✓"
	case "fail":
		return "✗"
	case "warn":
		return "!"
	}
	return "–"
}

func writeText(w io.Writer, v *View) error {
	b := bufio.NewWriter(w)
	L := v.labels
	line := func(indent int, format string, args ...any) {
		b.WriteString(strings.Repeat("  ", indent))
		fmt.Fprintf(b, format, args...)
		b.WriteByte('\n')
	}
	field := func(indent int, label, value string) {
		if value != "" {
			line(indent, "%s: %s", label, value)
		}
	}
	line(0, "%s", v.Title)
	line(0, "%s: %s", L["verdict"], v.Verdict)
	at := formatTime(v.At)
	if v.Offline {
		at += " (" + L["offline"] + ")"
	}
	field(0, L["at"], at)
	field(0, L["made"], formatTime(v.Made))
	field(0, L["version"], v.Version)
	field(0, L["converted"], v.Converted)
	for _, p := range v.Notes {
		writeTextProblem(line, 0, p, L, "")
	}
	for _, it := range v.Items {
		b.WriteByte('\n')
		line(0, "%s — %s", it.Title, it.Verdict)
		field(1, L["usage"], it.Usage)
		if s := it.Signature; s != nil {
			field(1, L["signature"], s.Text)
			if s.SigningTime != nil {
				field(1, L["signing-time"], formatTime(*s.SigningTime))
			}
			if it.Chain == nil || len(it.Chain) == 0 {
				field(1, L["signer-id"], s.SignerID)
			}
		}
		if len(it.Chain) > 0 {
			line(1, "%s:", L["chain"])
			for i, l := range it.Chain {
				title := l.Subject
				if l.Trusted {
					title += " — " + L["trusted"]
				}
				line(2, "%d. %s", i+1, title)
				field(4, L["issuer"], l.Issuer)
				field(4, L["serial"], l.Serial)
				field(4, L["validity"], formatTime(l.NotBefore)+" — "+formatTime(l.NotAfter))
				if l.KeyNotAfter != nil {
					field(4, L["key-validity"], formatTime(*l.KeyNotAfter))
				}
				field(4, L["thumbprint"], l.Thumbprint)
				origin := l.SourceText
				if l.URL != "" && !strings.Contains(origin, l.URL) {
					origin += " (" + l.URL + ")"
				}
				field(4, L["origin"], origin)
				if r := l.Revocation; r != nil {
					field(4, L["revocation"], r.Text)
				}
			}
		}
		if len(it.Problems) > 0 {
			line(1, "%s:", L["problems"])
			for _, p := range it.Problems {
				prefix := ""
				if p.Cert >= 0 && len(it.Chain) > 1 && p.Cert < len(it.Chain) {
					prefix = fmt.Sprintf("[%d] ", p.Cert+1)
				}
				writeTextProblem(line, 2, p, L, prefix)
			}
		}
		if len(it.Checks) > 0 {
			line(1, "%s:", L["checks"])
			for _, c := range it.Checks {
				s := checkMark(c.Result) + " "
				if c.Cert >= 0 && len(it.Chain) > 1 {
					s += fmt.Sprintf("[%d] ", c.Cert+1)
				}
				s += c.Title
				if c.Detail != "" {
					s += ": " + c.Detail
				}
				line(2, "%s", s)
			}
		}
		if q := it.Qualified; q != nil {
			line(1, "%s:", L["qualified"])
			for _, f := range q.Fields {
				mark := "✓"
				if !f.Valid {
					mark = "✗"
				}
				line(2, "%s %s %s — %s", mark, f.Label, f.Value, f.Text)
			}
			field(2, L["sign-tool"], q.SubjectSignTool)
			field(2, L["issuer-sign-tool"], strings.Join(q.IssuerSignTool, "; "))
			field(2, L["classes"], strings.Join(q.Classes, ", "))
			accredited := L["no"]
			if q.AccreditedChain {
				accredited = L["yes"]
			}
			field(2, L["accredited"], accredited)
		}
		if len(it.Fetches) > 0 {
			line(1, "%s:", L["fetches"])
			for _, f := range it.Fetches {
				line(2, "%s %s — %s, %d ms", f.Method, f.URL, f.Answer, f.DurationMS)
			}
		}
	}
	return b.Flush()
}

func writeTextProblem(line func(int, string, ...any), indent int, p ProblemView, L map[string]string, prefix string) {
	line(indent, "%s %s%s", problemMark(p.Severity), prefix, p.Message)
	if p.Hint != "" {
		line(indent+1, "%s: %s", L["fix"], p.Hint)
	}
}
