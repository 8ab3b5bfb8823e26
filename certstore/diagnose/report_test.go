package diagnose

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/podpis/podpis/certstore/cert"
	"github.com/podpis/podpis/certstore/fetch"
	"github.com/podpis/podpis/certstore/validate"
	"github.com/podpis/podpis/internal/i18n"
)

func localized(t *testing.T, lang i18n.Lang) Translate {
	t.Helper()
	l, err := i18n.New(lang)
	if err != nil {
		t.Fatal(err)
	}
	return func(key string, params map[string]any) string {
		if !l.Has(key) {
			return key
		}
		return l.T(key, params)
	}
}

func parse(t *testing.T, der []byte) *cert.Certificate {
	t.Helper()
	c, err := cert.Parse(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// sampleReport is a revoked certificate with every part of a report
// filled in, its subject written to break out of HTML.
func sampleReport(t *testing.T) *Report {
	t.Helper()
	p := newTestPKI(t, `<script>alert("x")</script><img src="http://evil.example/x.png">`)
	leaf, inter, root := parse(t, p.leaf.Raw), parse(t, p.inter.Raw), parse(t, p.root.Raw)
	revokedAt := testNow.AddDate(0, -1, 0)
	res := &validate.Result{
		Usage: validate.UsageSign, At: testNow, Now: testNow.Add(time.Minute), Complete: true,
		Status: validate.StatusInvalid,
		Chain: []validate.Link{
			{Cert: leaf, Source: validate.SourceInput, Revocation: &validate.Revocation{
				Status: validate.RevocationRevoked, Method: "crl", URL: "http://ca.test/list.crl",
				RevokedAt: revokedAt, Reason: "keyCompromise", ThisUpdate: testNow.Add(-time.Hour), NextUpdate: testNow.Add(time.Hour),
			}},
			{Cert: inter, Source: validate.SourceAIA, URL: "http://ca.test/inter.cer", Revocation: &validate.Revocation{
				Status: validate.RevocationGood, Method: "ocsp", URL: "http://ca.test/ocsp", FromCache: true,
			}},
			{Cert: root, Source: validate.SourceRoot, Trusted: true},
		},
		Problems: []validate.Problem{
			{Code: "revoked", Reason: "key-compromise", Severity: validate.SeverityError, Cert: 0, Params: map[string]any{"Subject": "Diag Leaf", "Date": "2026-02-01", "Reason": "keyCompromise"}},
			{Code: "weird-code", Reason: "no-such-reason-anywhere", Severity: validate.SeverityWarning, Cert: 1},
		},
		Checks: []validate.Check{
			{Cert: 0, Name: "validity", Result: validate.CheckPass, Params: map[string]any{"NotBefore": "2025-03-01", "NotAfter": "2027-03-01"}},
			{Cert: 0, Name: "revocation", Result: validate.CheckFail, Reason: "no-such-reason-anywhere"},
			{Cert: 1, Name: "key-period", Result: validate.CheckSkip},
			{Cert: -1, Name: "trust", Result: validate.CheckPass, Params: map[string]any{"Subject": "Diag Root"}},
		},
		Fetches: []fetch.Attempt{
			{URL: "http://ca.test/inter.cer", Method: "GET", Purpose: "aia", Status: 200, Bytes: 1234, Duration: 35 * time.Millisecond},
			{URL: "http://ca.test/list.crl", Method: "GET", Purpose: "crl", Bytes: 99, FromCache: true},
			{URL: "ldap://ca.test/cn=crl", Method: "GET", Purpose: "crl", Error: "unsupported scheme ldap", Reason: "unsupported-scheme"},
			{URL: "http://slow.test/ocsp", Method: "POST", Purpose: "ocsp", Error: "timeout", Reason: "timeout", Duration: 10 * time.Second},
		},
		Qualified: validate.Qualified{
			Fields: []validate.QualifiedField{
				{Name: "snils", Value: "11223344595", Valid: true},
				{Name: "inn", Value: "500100732258", Reason: "checksum"},
			},
			SubjectSignTool: "СКЗИ «КриптоПро CSP»",
			IssuerSignTool:  []string{"ПАК «КриптоПро УЦ»", "Сертификат соответствия № СФ/128-0002"},
			Classes:         []string{"КС1", "КС2"},
			AccreditedChain: true,
		},
	}
	return &Report{
		Source: "ivanov.pem", Kind: KindCertificate, Encoding: EncodingPEM, Converted: "ivanov.cer",
		Version: "9.9.9", Made: testNow.Add(2 * time.Minute), At: testNow, Status: validate.StatusInvalid,
		Items: []Item{{Subject: leaf, Status: validate.StatusInvalid, Result: res, Problems: ProblemsOf(res.Problems)}},
	}
}

func TestDiagnoseHTMLReport(t *testing.T) {
	r := sampleReport(t)
	var b bytes.Buffer
	if err := WriteHTML(&b, r, localized(t, i18n.Russian)); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	for _, bad := range []string{"<script", "<img", "evil.example/x.png\"", "@import", "url(", "<link", "<iframe"} {
		if strings.Contains(page, bad) {
			t.Errorf("the page holds %q", bad)
		}
	}
	if regexp.MustCompile(`(?i)<[^>]*\s(src|href|action|srcset)\s*=`).MatchString(page) {
		t.Error("the page refers to something outside itself")
	}
	if !strings.Contains(page, "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;") {
		t.Error("the hostile subject is not shown escaped")
	}
	for _, want := range []string{
		`<html lang="ru">`, "<style>", "Диагностика: ivanov.pem", "проверка не пройдена", "podpis 9.9.9",
		"Цепочка сертификатов", "Diag Intermediate", "Diag Root", "доверенный корневой",
		"1234abcd",                                                  // serial
		"ОТОЗВАН", "компрометация ключа", "http://ca.test/list.crl", // revocation date, reason, URL
		"http://ca.test/inter.cer", // where the intermediate came from
		"не отозван", "сохранённые данные",
		"Проверки", "Срок действия", "пройдена",
		"Квалифицированный сертификат", "СНИЛС", "контрольные цифры верны", "контрольные цифры не сходятся",
		"КС1, КС2", "СКЗИ «КриптоПро CSP»", "Сертификат соответствия № СФ/128-0002",
		"Обращения к сети", "HTTP 200, получено 1234 байт", "35 ms", "в сеть не обращались",
		"ldap://", "не поддерживается", "сервер не ответил вовремя",
		"Файл в текстовом формате PEM", "ivanov.cer",
		"weird-code: no-such-reason-anywhere", // a message with no translation falls back to its code
		formatTime(testNow),
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	if m := regexp.MustCompile(`\b(diag|chk)\.[a-z.-]+`).FindString(page); m != "" {
		t.Errorf("untranslated key %q in the page", m)
	}
}

func TestDiagnoseTextAndHTMLAgree(t *testing.T) {
	r := sampleReport(t)
	for _, lang := range i18n.Languages() {
		tr := localized(t, lang)
		var text, page bytes.Buffer
		if err := WriteText(&text, r, tr); err != nil {
			t.Fatal(err)
		}
		if err := WriteHTML(&page, r, tr); err != nil {
			t.Fatal(err)
		}
		v := Render(r, tr)
		if v.Status != "invalid" || len(v.Items) != 1 || len(v.Items[0].Chain) != 3 || len(v.Items[0].Fetches) != 4 {
			t.Fatalf("%s: view %+v", lang, v)
		}
		// Every problem, check and answer the view has is in both.
		var wants []string
		for _, p := range v.Problems {
			wants = append(wants, p.Message)
		}
		for _, c := range v.Items[0].Checks {
			wants = append(wants, c.Title)
		}
		for _, f := range v.Items[0].Fetches {
			wants = append(wants, f.Answer, f.URL)
		}
		for _, l := range v.Items[0].Chain {
			wants = append(wants, l.Thumbprint)
			if l.Revocation != nil {
				wants = append(wants, l.Revocation.Text)
			}
		}
		unescaped := strings.NewReplacer("&#34;", `"`, "&lt;", "<", "&gt;", ">", "&amp;", "&", "&#39;", "'").Replace(page.String())
		for _, w := range wants {
			if !strings.Contains(text.String(), w) {
				t.Errorf("%s: the text lacks %q", lang, w)
			}
			if !strings.Contains(unescaped, w) {
				t.Errorf("%s: the page lacks %q", lang, w)
			}
		}
		if m := regexp.MustCompile(`\b(diag|chk)\.[a-z.-]+`).FindString(text.String()); m != "" {
			t.Errorf("%s: untranslated key %q in the text", lang, m)
		}
	}
}

func TestDiagnoseProblemWording(t *testing.T) {
	tr := func(key string, params map[string]any) string {
		switch key {
		case "err.chk-known":
			return "known message " + params["X"].(string)
		case "hint.chk-known":
			return "known fix"
		case "err.expired":
			return "code message"
		case "diag.note.x":
			return "note"
		case "diag.note.x.fix":
			return "note fix"
		}
		return key
	}
	for _, tc := range []struct {
		p             Problem
		message, hint string
	}{
		{Problem{Code: "expired", Reason: "known", Params: map[string]any{"X": "1"}, Keys: []string{"err.chk-known", "err.expired"}}, "known message 1", "known fix"},
		{Problem{Code: "expired", Reason: "other", Keys: []string{"err.chk-other", "err.expired"}}, "code message", ""},
		{Problem{Code: "odd", Reason: "thing", Keys: []string{"err.chk-thing"}}, "odd: thing", ""},
		{Problem{Code: "x", Keys: []string{"diag.note.x"}}, "note", "note fix"},
	} {
		pv := tr2(tr).problem(tc.p)
		if pv.Message != tc.message || pv.Hint != tc.hint || pv.Severity != "error" {
			t.Errorf("%+v: got %q / %q / %s", tc.p, pv.Message, pv.Hint, pv.Severity)
		}
	}
	// Without any translation at all, nothing is empty.
	v := Render(sampleReport(t), nil)
	if v.Title == "" || v.Verdict == "" || v.Items[0].Title == "" || v.Items[0].Checks[0].Title == "" {
		t.Errorf("untranslated view: %+v", v)
	}
	if err := WriteHTML(&bytes.Buffer{}, sampleReport(t), nil); err != nil {
		t.Error(err)
	}
}

func tr2(f Translate) tr { return tr{f} }

func TestDiagnoseSignerItems(t *testing.T) {
	p := newTestPKI(t, "Подписант")
	signing := testNow.Add(-time.Hour)
	r := &Report{
		Source: "doc.xml.sig", Kind: KindSignature, Encoding: EncodingDER, Made: testNow, At: testNow,
		Status: validate.StatusInvalid,
		Items: []Item{
			{Subject: parse(t, p.leaf.Raw), Status: validate.StatusValid,
				Signature: &Signature{Index: 0, Total: 2, SigningTime: &signing, Valid: true}},
			{Status: validate.StatusInvalid,
				Signature: &Signature{Index: 1, Total: 2, SignerID: "CN=Someone, 0A"},
				Problems: []Problem{{Code: "signer-certificate-missing", Reason: "certificate-missing", Severity: validate.SeverityError, Cert: -1,
					Keys: []string{"err.sig-certificate-missing", "err.signer-certificate-missing"}}}},
		},
	}
	var text bytes.Buffer
	if err := WriteText(&text, r, localized(t, i18n.Russian)); err != nil {
		t.Fatal(err)
	}
	out := text.String()
	for _, want := range []string{"Подписант 1 из 2: Подписант", "подпись верна", formatTime(signing),
		"Подписант 2 из 2: сертификат подписанта не найден (CN=Someone, 0A)", "подпись не верна"} {
		if !strings.Contains(out, want) {
			t.Errorf("text lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "Файл в") {
		t.Error("a signature got a certificate encoding note")
	}
}
