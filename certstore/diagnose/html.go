package diagnose

import (
	"html/template"
	"io"
	"strings"
	"time"
)

// The report page: one file, inline CSS, no script and nothing fetched, so
// it opens the same from a ticket system, a mail attachment or a USB stick
// years later. html/template escapes every value (subjects come from
// certificates, which anyone can write).
const reportHTML = `<!DOCTYPE html>
<html lang="{{.Lang}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="podpis {{.V.Version}}">
<title>{{.V.Title}}</title>
<style>
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;color:#1d232b;margin:0;background:#f4f6f8}
main{max-width:980px;margin:0 auto;padding:24px}
h1{font-size:22px;margin:0 0 8px}
h2{font-size:18px;margin:28px 0 8px;padding-top:12px;border-top:1px solid #d5dbe1}
h3{font-size:15px;margin:18px 0 6px}
.verdict{display:inline-block;padding:4px 12px;border-radius:4px;font-weight:600;color:#fff}
.valid{background:#1e7e34}.invalid{background:#c62828}.indeterminate{background:#b26a00}
table{border-collapse:collapse;width:100%;background:#fff;margin:4px 0}
th,td{text-align:left;vertical-align:top;padding:4px 8px;border:1px solid #dde2e7}
th{background:#eef1f4;font-weight:600;width:26%}
table.list th{width:auto}
.mono{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px;word-break:break-all}
ol.chain{list-style:none;padding:0;margin:0}
ol.chain>li{background:#fff;border:1px solid #d5dbe1;border-left:4px solid #6b7b8c;border-radius:4px;padding:8px 12px;margin:0 0 6px}
ol.chain>li.trusted{border-left-color:#1e7e34}
.arrow{color:#6b7b8c;margin:0 0 6px 12px}
.problem{background:#fff;border:1px solid #d5dbe1;border-left:4px solid #c62828;border-radius:4px;padding:8px 12px;margin:0 0 6px}
.problem.warning{border-left-color:#b26a00}.problem.info{border-left-color:#1565c0}
.fix{margin-top:4px;color:#33404d}
.r-pass{color:#1e7e34;font-weight:600}.r-fail{color:#c62828;font-weight:600}.r-warn{color:#b26a00;font-weight:600}.r-skip{color:#6b7b8c}
.tag{display:inline-block;font-size:12px;padding:0 6px;border-radius:3px;background:#e3f1e6;color:#1e7e34;margin-left:6px}
footer{margin-top:32px;color:#6b7b8c;font-size:12px}
</style>
</head>
<body>
<main>
<h1>{{.V.Title}}</h1>
<p><span class="verdict {{.V.Status}}">{{.L.verdict}}: {{.V.Verdict}}</span></p>
<table>
<tr><th>{{.L.source}}</th><td class="mono">{{.V.Source}}</td></tr>
{{with .V.Encoding}}<tr><th>{{$.L.encoding}}</th><td>{{upper .}}</td></tr>{{end}}
<tr><th>{{.L.at}}</th><td>{{time .V.At}}{{if .V.Offline}} ({{.L.offline}}){{end}}{{if .V.Strict}} ({{.L.strict}}){{end}}</td></tr>
<tr><th>{{.L.made}}</th><td>{{time .V.Made}}</td></tr>
{{with .V.Version}}<tr><th>{{$.L.version}}</th><td>podpis {{.}}</td></tr>{{end}}
{{with .V.Converted}}<tr><th>{{$.L.converted}}</th><td class="mono">{{.}}</td></tr>{{end}}
</table>
{{if .V.Notes}}<h3>{{.L.notes}}</h3>{{range .V.Notes}}{{template "problem" dict "P" . "L" $.L "N" 0}}{{end}}{{end}}
{{range .V.Items}}{{$item := .}}
<h2>{{.Title}} <span class="verdict {{.Status}}">{{.Verdict}}</span></h2>
<table>
{{with .Usage}}<tr><th>{{$.L.usage}}</th><td>{{.}}</td></tr>{{end}}
{{with .Signature}}<tr><th>{{$.L.signature}}</th><td class="{{if .Valid}}r-pass{{else}}r-fail{{end}}">{{.Text}}</td></tr>
{{with .SigningTime}}<tr><th>{{index $.L "signing-time"}}</th><td>{{timep .}}</td></tr>{{end}}
{{with .SignerID}}<tr><th>{{index $.L "signer-id"}}</th><td class="mono">{{.}}</td></tr>{{end}}{{end}}
{{with .Now}}<tr><th>{{$.L.now}}</th><td>{{timep .}}</td></tr>{{end}}
</table>
{{if .Chain}}<h3>{{$.L.chain}}</h3>
<ol class="chain">{{range $i, $l := .Chain}}{{if $i}}<div class="arrow">↓ {{$.L.issuer}}</div>{{end}}
<li class="{{if .Trusted}}trusted{{end}}"><strong>{{add $i 1}}. {{.Subject}}</strong>{{if .Trusted}}<span class="tag">{{$.L.trusted}}</span>{{end}}
<table>
<tr><th>{{$.L.subject}}</th><td>{{.SubjectDN}}</td></tr>
<tr><th>{{$.L.issuer}}</th><td>{{.IssuerDN}}</td></tr>
<tr><th>{{$.L.serial}}</th><td class="mono">{{.Serial}}</td></tr>
<tr><th>{{$.L.validity}}</th><td>{{time .NotBefore}} — {{time .NotAfter}}</td></tr>
{{with .KeyNotAfter}}<tr><th>{{index $.L "key-validity"}}</th><td>{{timep .}}</td></tr>{{end}}
<tr><th>{{$.L.thumbprint}}</th><td class="mono">{{.Thumbprint}}</td></tr>
<tr><th>{{$.L.origin}}</th><td>{{.SourceText}}{{with .URL}} <span class="mono">{{.}}</span>{{end}}</td></tr>
{{with .Revocation}}<tr><th>{{$.L.revocation}}</th><td>{{.Text}}{{with .URL}}<br><span class="mono">{{.}}</span>{{end}}{{with .ThisUpdate}}<br>{{index $.L "this-update"}}: {{timep .}}{{end}}{{with .NextUpdate}}<br>{{index $.L "next-update"}}: {{timep .}}{{end}}</td></tr>{{end}}
</table></li>{{end}}
</ol>{{end}}
{{if .Problems}}<h3>{{$.L.problems}}</h3>{{range .Problems}}{{template "problem" dict "P" . "L" $.L "N" (len $item.Chain)}}{{end}}{{end}}
{{if .Checks}}<h3>{{$.L.checks}}</h3>
<table class="list"><tr><th>{{index $.L "cert-n"}}</th><th>{{$.L.check}}</th><th>{{$.L.result}}</th><th>{{$.L.detail}}</th></tr>
{{range .Checks}}<tr><td>{{if ge .Cert 0}}{{add .Cert 1}}{{else}}—{{end}}</td><td>{{.Title}}</td><td class="r-{{.Result}}">{{mark .Result}} {{.ResultText}}</td><td>{{.Detail}}</td></tr>
{{end}}</table>{{end}}
{{with .Qualified}}<h3>{{$.L.qualified}}</h3>
<table>
{{range .Fields}}<tr><th>{{.Label}}</th><td><span class="mono">{{.Value}}</span> — <span class="{{if .Valid}}r-pass{{else}}r-fail{{end}}">{{.Text}}</span></td></tr>
{{end}}{{with .SubjectSignTool}}<tr><th>{{index $.L "sign-tool"}}</th><td>{{.}}</td></tr>{{end}}
{{with .IssuerSignTool}}<tr><th>{{index $.L "issuer-sign-tool"}}</th><td>{{range $i, $s := .}}{{if $i}}<br>{{end}}{{$s}}{{end}}</td></tr>{{end}}
{{with .Classes}}<tr><th>{{$.L.classes}}</th><td>{{join . ", "}}</td></tr>{{end}}
<tr><th>{{$.L.accredited}}</th><td>{{if .AccreditedChain}}{{$.L.yes}}{{else}}{{$.L.no}}{{end}}</td></tr>
</table>{{end}}
{{if .Fetches}}<h3>{{$.L.fetches}}</h3>
<table class="list"><tr><th>{{$.L.url}}</th><th>{{$.L.answer}}</th><th>{{$.L.duration}}</th></tr>
{{range .Fetches}}<tr><td class="mono">{{.Method}} {{.URL}}{{with .Purpose}} ({{.}}){{end}}</td><td>{{.Answer}}</td><td>{{.DurationMS}} ms</td></tr>
{{end}}</table>{{end}}
{{end}}
<footer>{{.L.footer}}</footer>
</main>
</body>
</html>
{{define "problem"}}<div class="problem {{.P.Severity}}">{{mark2 .P.Severity}} {{if and (ge .P.Cert 0) (gt .N 1)}}[{{add .P.Cert 1}}] {{end}}{{.P.Message}}{{with .P.Hint}}<div class="fix"><strong>{{index $.L "fix"}}:</strong> {{.}}</div>{{end}}</div>{{end}}
`

var reportTemplate = template.Must(template.New("report").Funcs(template.FuncMap{
	"time": formatTime,
	"timep": func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return formatTime(*t)
	},
	"add":   func(a, b int) int { return a + b },
	"upper": strings.ToUpper,
	"join":  strings.Join,
	"mark":  checkMark,
	"mark2": problemMark,
	"dict": func(kv ...any) map[string]any {
		m := make(map[string]any, len(kv)/2)
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1]
		}
		return m
	},
}).Parse(reportHTML))

func writeHTML(w io.Writer, v *View) error {
	lang := v.labels["lang"]
	if lang == "" || lang == "lang" {
		lang = "ru"
	}
	return reportTemplate.Execute(w, map[string]any{"V": v, "L": v.labels, "Lang": lang})
}
