package localeenv

import (
	"fmt"
	"testing"
)

func TestSanitize(t *testing.T) {
	for _, tc := range []struct {
		env          map[string]string
		wantLanguage string // LANGUAGE afterwards; "-" when it must stay unset
	}{
		// go-locale skips exact C and POSIX itself.
		{map[string]string{"LANG": "C"}, "-"},
		{map[string]string{"LC_ALL": "POSIX"}, "-"},
		{map[string]string{}, "-"},
		// What it would fail to parse.
		{map[string]string{"LANG": "C.UTF-8"}, "en"},
		{map[string]string{"LANG": "C.utf8"}, "en"},
		{map[string]string{"LC_ALL": "POSIX.UTF-8", "LANG": "ru_RU.UTF-8"}, "en"},
		{map[string]string{"LC_MESSAGES": "C.UTF-8", "LANG": "ru_RU.UTF-8"}, "en"},
		{map[string]string{"LANG": "sr_RS@latin"}, "sr"},
		{map[string]string{"LANG": "ru_RU.UTF-8", "LANGUAGE": "ru:C"}, "ru"},
		{map[string]string{"LANG": "C.UTF-8", "LANGUAGE": "C.UTF-8:en_GB"}, "en_GB"},
		// Fine as they are.
		{map[string]string{"LANG": "ru_RU.UTF-8"}, "-"},
		{map[string]string{"LANG": "en_US.UTF-8", "LANGUAGE": "en_US:ru"}, "en_US:ru"},
		{map[string]string{"LANG": "es_419.UTF-8"}, "-"},
		// LANGUAGE is not read when the locale is exactly C.
		{map[string]string{"LC_ALL": "C", "LANGUAGE": "C.UTF-8"}, "C.UTF-8"},
	} {
		t.Run(fmt.Sprint(tc.env), func(t *testing.T) {
			env := map[string]string{}
			for k, v := range tc.env {
				env[k] = v
			}
			Sanitize(func(k string) string { return env[k] }, func(k, v string) error { env[k] = v; return nil })
			got, set := env["LANGUAGE"]
			if !set {
				got = "-"
			}
			if got != tc.wantLanguage {
				t.Errorf("LANGUAGE = %q, want %q", got, tc.wantLanguage)
			}
			for _, name := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
				if env[name] != tc.env[name] {
					t.Errorf("%s changed to %q", name, env[name])
				}
			}
		})
	}
}
