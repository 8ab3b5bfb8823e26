package ocsp_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/podpis/podpis/certstore/ocsp"
	"github.com/podpis/podpis/internal/i18n"
)

// TestOCSPTranslations checks that every error this package returns has a
// message and a fix in Russian and English that render with its parameters.
func TestOCSPTranslations(t *testing.T) {
	p := newGoPKI(t, "Go test CA")
	now := time.Now().Truncate(time.Second)
	req := mustRequest(t, p.leaf, p.ca, []byte("0123456789abcdef"))
	good := mustParse(t, p.byCA(req, now).der(t))
	withoutNext := p.byCA(req, now)
	withoutNext.singles[0].nextUpdate = time.Time{}

	_, parseErr := ocsp.ParseResponse([]byte{0x30, 0x03, 0x0a, 0x01, 0x04})
	errs := []error{parseErr}
	for _, reason := range []string{ocsp.ReasonStatus, ocsp.ReasonSignature, ocsp.ReasonResponderUnauthorised,
		ocsp.ReasonResponderExpired, ocsp.ReasonNoAnswer, ocsp.ReasonNonce, ocsp.ReasonStale} {
		errs = append(errs, &ocsp.CheckError{Reason: reason, Err: errors.New("detail")})
	}
	// The real ones, with the parameters their reasons carry.
	for _, call := range []func() error{
		func() error { _, err := good.Check(req, p.ca, now.Add(48*time.Hour)); return err },
		func() error { _, err := good.Check(req, p.ca, now.Add(-time.Hour)); return err },
		func() error {
			_, err := mustParse(t, withoutNext.der(t)).Check(req, p.ca, now.Add(-time.Hour))
			return err
		},
		func() error {
			_, err := mustParse(t, []byte{0x30, 0x03, 0x0a, 0x01, 0x03}).Check(req, p.ca, now)
			return err
		},
		func() error { _, err := good.Check(req, p.leaf, now); return err },
	} {
		err := call()
		if err == nil {
			t.Fatal("the check passed")
		}
		errs = append(errs, err)
	}
	for _, lang := range i18n.Languages() {
		l, err := i18n.New(lang)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range errs {
			code, message, hint := l.Problem(e)
			if !strings.HasPrefix(code, "ocsp-") || !l.Has("err."+code) || !l.Has("hint."+code) {
				t.Errorf("%s: %v: code %q has no translation", lang, e, code)
			}
			for _, text := range []string{message, hint} {
				if text == "" || strings.Contains(text, "<no value>") || strings.Contains(text, "{{") {
					t.Errorf("%s: %v: %q", lang, e, text)
				}
			}
			t.Logf("%s: %s\n\t%s", lang, message, hint)
		}
	}
}
