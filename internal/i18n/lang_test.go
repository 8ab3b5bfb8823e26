package i18n

import (
	"errors"
	"testing"
)

func TestDetect(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want Lang
	}{
		{"nothing set", nil, English},
		{"LANG Russian", map[string]string{"LANG": "ru_RU.UTF-8"}, Russian},
		{"LANG bare ru", map[string]string{"LANG": "ru"}, Russian},
		{"LANG Russian in Ukraine", map[string]string{"LANG": "ru_UA.UTF-8"}, Russian},
		{"LANG upper case", map[string]string{"LANG": "RU_RU.UTF-8"}, Russian},
		{"LANG with modifier", map[string]string{"LANG": "ru@petr1708"}, Russian},
		{"LANG English", map[string]string{"LANG": "en_US.UTF-8"}, English},
		{"LANG German", map[string]string{"LANG": "de_DE.UTF-8"}, English},
		{"LANG Rusyn is not Russian", map[string]string{"LANG": "rue_UA"}, English},
		{"LANG C", map[string]string{"LANG": "C"}, English},
		{"LANG POSIX", map[string]string{"LANG": "POSIX"}, English},
		{"LANG C.UTF-8", map[string]string{"LANG": "C.UTF-8"}, English},
		{"LC_ALL wins over LANG", map[string]string{"LC_ALL": "en_GB.UTF-8", "LANG": "ru_RU.UTF-8"}, English},
		{"LC_ALL=C wins over Russian LANG", map[string]string{"LC_ALL": "C", "LANG": "ru_RU.UTF-8"}, English},
		{"LC_ALL Russian", map[string]string{"LC_ALL": "ru_RU.UTF-8", "LANG": "C"}, Russian},
		{"LC_MESSAGES wins over LANG", map[string]string{"LC_MESSAGES": "ru_RU.UTF-8", "LANG": "en_US.UTF-8"}, Russian},
		{"LC_ALL wins over LC_MESSAGES", map[string]string{"LC_ALL": "en_US.UTF-8", "LC_MESSAGES": "ru_RU.UTF-8"}, English},
		{"empty LC_ALL is unset", map[string]string{"LC_ALL": "", "LANG": "ru_RU.UTF-8"}, Russian},
		{"LANGUAGE only, first entry", map[string]string{"LANGUAGE": "ru:en"}, Russian},
		{"LANGUAGE only, English first", map[string]string{"LANGUAGE": "en_US:ru"}, English},
		{"LANG wins over LANGUAGE", map[string]string{"LANG": "en_US.UTF-8", "LANGUAGE": "ru"}, English},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			getenv := func(name string) string { return tt.env[name] }
			if got := Detect(getenv); got != tt.want {
				t.Errorf("Detect(%v) = %q, want %q", tt.env, got, tt.want)
			}
		})
	}
}

func TestParse(t *testing.T) {
	tests := []struct {
		in   string
		want Lang
	}{
		{"ru", Russian},
		{"RU", Russian},
		{" ru ", Russian},
		{"ru_RU.UTF-8", Russian},
		{"ru-RU", Russian},
		{"en", English},
		{"En", English},
		{"en-US", English},
		{"en_GB.UTF-8", English},
	}
	for _, tt := range tests {
		got, err := Parse(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("Parse(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestParseRefuses(t *testing.T) {
	for _, in := range []string{"", "de", "rus", "russian", "C", "POSIX", "e", "_ru", "eng"} {
		got, err := Parse(in)
		var unknown *UnknownLanguageError
		if !errors.As(err, &unknown) {
			t.Errorf("Parse(%q) = %q, %v; want an UnknownLanguageError", in, got, err)
			continue
		}
		if unknown.Value != in || unknown.Code() != "unknown-language" || unknown.Params()["Value"] != in {
			t.Errorf("Parse(%q): error %#v has code %q and params %v", in, unknown, unknown.Code(), unknown.Params())
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, seed := range []string{"ru", "en", "ru_RU.UTF-8", "en-US", "C", "", "ru:en", "rue", "@", "RU.koi8-r"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		lang, err := Parse(s)
		if err == nil {
			if lang != Russian && lang != English {
				t.Fatalf("Parse(%q) = %q, which is not a supported language", s, lang)
			}
			if again, err := Parse(string(lang)); err != nil || again != lang {
				t.Fatalf("Parse(%q) = %q, but Parse(%q) = %q, %v", s, lang, lang, again, err)
			}
			// A --lang value and the same text as a locale choose the same language.
			if detected := Detect(func(name string) string {
				if name == "LANG" {
					return s
				}
				return ""
			}); detected != lang {
				t.Fatalf("Parse(%q) = %q but Detect with LANG=%q = %q", s, lang, s, detected)
			}
		}
		if got := Detect(func(string) string { return s }); got != Russian && got != English {
			t.Fatalf("Detect with every variable %q = %q", s, got)
		}
	})
}
