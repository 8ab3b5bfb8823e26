package format

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"text/template"
)

// TestTranslations checks that every reason has a message and a fix in
// Russian and English, and that each renders with the error's parameters,
// with and without the File an outer wrapper adds.
func TestTranslations(t *testing.T) {
	// Every Reason; a new one must be added here, and then this test asks
	// for its message and hint.
	allReasons := []Reason{
		ReasonEmpty, ReasonTextNotPEM, ReasonPEMBadBase64, ReasonPEMNoEnd, ReasonTruncatedDER,
		ReasonPrivateKeyOnly, ReasonRequest, ReasonCRL, ReasonNoCertificates, ReasonUnknown,
	}
	for _, lang := range []string{"ru", "en"} {
		t.Run(lang, func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join("..", "..", "assets", "translations", "format."+lang+".json"))
			if err != nil {
				t.Fatal(err)
			}
			var texts map[string]string
			if err := json.Unmarshal(raw, &texts); err != nil {
				t.Fatal(err)
			}
			keys := []string{"warn." + WarningPrivateKeyIgnored}
			for _, r := range allReasons {
				keys = append(keys, "err."+string(r), "hint."+string(r))
			}
			for _, key := range keys {
				text, ok := texts[key]
				if !ok || strings.TrimSpace(text) == "" {
					t.Errorf("%s: no text", key)
					continue
				}
				tmpl, err := template.New(key).Parse(text)
				if err != nil {
					t.Errorf("%s: %v", key, err)
					continue
				}
				e := &Error{Reason: ReasonTextNotPEM, Detail: "hello"}
				for _, params := range []map[string]any{e.Params(), {"Detail": "hello", "File": "a.cer"}} {
					var out strings.Builder
					if err := tmpl.Execute(&out, params); err != nil {
						t.Errorf("%s with %v: %v", key, params, err)
					}
					if strings.Contains(out.String(), "<no value>") {
						t.Errorf("%s renders %q", key, out.String())
					}
				}
			}
			if len(texts) != len(keys) {
				t.Errorf("%d texts, %d expected: stale keys?", len(texts), len(keys))
			}
		})
	}
}
