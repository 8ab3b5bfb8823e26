package cli

import (
	"reflect"
	"testing"
)

func TestParseArgs(t *testing.T) {
	specs := append(globalFlags(), flagSpec{name: "password-file", takesArgs: true}, flagSpec{name: "remember"})
	tests := []struct {
		name       string
		args       []string
		positional []string
		values     map[string]string
		bools      map[string]bool
		errCode    string
	}{
		{name: "flags after files", args: []string{"a.p12", "--remember", "b.p12", "--password-file", "pw"},
			positional: []string{"a.p12", "b.p12"}, values: map[string]string{"password-file": "pw"}, bools: map[string]bool{"remember": true}},
		{name: "equals form and single dash", args: []string{"-password-file=p w", "x"},
			positional: []string{"x"}, values: map[string]string{"password-file": "p w"}, bools: map[string]bool{}},
		{name: "double dash ends flags", args: []string{"--", "--remember", "-"},
			positional: []string{"--remember", "-"}, values: map[string]string{}, bools: map[string]bool{}},
		{name: "lone dash is a file", args: []string{"-"},
			positional: []string{"-"}, values: map[string]string{}, bools: map[string]bool{}},
		{name: "bool with value", args: []string{"--json=false", "--remember=true"},
			values: map[string]string{}, bools: map[string]bool{"remember": true}},
		{name: "last value wins", args: []string{"--store", "a", "--store=b"},
			values: map[string]string{"store": "b"}, bools: map[string]bool{}},
		{name: "unknown flag", args: []string{"--nope"}, errCode: "unknown-flag"},
		{name: "missing value", args: []string{"x", "--password-file"}, errCode: "flag-value-missing"},
		{name: "bad bool", args: []string{"--remember=maybe"}, errCode: "flag-value-invalid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := parseArgs(tt.args, specs)
			if tt.errCode != "" {
				ce, ok := err.(*cliError)
				if !ok || ce.Code() != tt.errCode || !ce.usage {
					t.Fatalf("error = %v, want usage error %s", err, tt.errCode)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(p.positional, tt.positional) {
				t.Errorf("positional = %q, want %q", p.positional, tt.positional)
			}
			if !reflect.DeepEqual(p.values, tt.values) {
				t.Errorf("values = %v, want %v", p.values, tt.values)
			}
			if !reflect.DeepEqual(p.bools, tt.bools) {
				t.Errorf("bools = %v, want %v", p.bools, tt.bools)
			}
		})
	}
}

func TestFindCommand(t *testing.T) {
	all := allFlags()
	tests := []struct {
		args  []string
		name  string
		rest  []string
		found bool
	}{
		{[]string{"list"}, "list", []string{}, true},
		{[]string{"--store", "DIR", "list", "--json"}, "list", []string{"--store", "DIR", "--json"}, true},
		{[]string{"--store=DIR", "show", "abc"}, "show", []string{"--store=DIR", "abc"}, true},
		{[]string{"--expiring", "30", "list"}, "list", []string{"--expiring", "30"}, true},
		{[]string{"--lang", "ru"}, "", []string{"--lang", "ru"}, false},
		{[]string{"--json", "--", "import", "--weird-file"}, "import", []string{"--json", "--", "--weird-file"}, true},
	}
	for _, tt := range tests {
		name, rest, found := findCommand(tt.args, all)
		if name != tt.name || found != tt.found || (found && !reflect.DeepEqual(rest, tt.rest)) {
			t.Errorf("findCommand(%q) = %q %q %v, want %q %q %v", tt.args, name, rest, found, tt.name, tt.rest, tt.found)
		}
	}
}

func TestForWindowAndIsCommand(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want bool
	}{
		{nil, true},
		{[]string{"gui"}, true},
		{[]string{"gui", "--store", "/s"}, true},
		{[]string{"--store", "/s"}, true},
		{[]string{"--store=/s", "--lang", "ru"}, true},
		{[]string{"--lang", "en", "file.p12"}, true},
		{[]string{"file.p12", "other.cer"}, true},
		{[]string{"-psn_0_12345"}, true},
		{[]string{"--store", "list"}, true}, // a store folder named "list"
		{[]string{"--", "list"}, false},
		{[]string{"list"}, false},
		{[]string{"--store", "/s", "list"}, false},
		{[]string{"--lang=en", "import", "a.p12"}, false},
		{[]string{"--help"}, false},
		{[]string{"-h"}, false},
		{[]string{"--version"}, false},
		{[]string{"--json"}, false},
		{[]string{"--expiring=3"}, false},
		{[]string{"version"}, false},
	} {
		if got := ForWindow(tc.args); got != tc.want {
			t.Errorf("ForWindow(%q) = %v, want %v", tc.args, got, tc.want)
		}
	}
	for name, want := range map[string]bool{"import": true, "list": true, "show": true, "export": true,
		"delete": true, "trust": true, "help": true, "version": true, "sign": true, "cosign": true,
		"verify": true, "check": true, "hash": true, "token": true, "gui": false, "cert.p12": false} {
		if got := IsCommand(name); got != want {
			t.Errorf("IsCommand(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestReadPassword(t *testing.T) {
	tests := []struct {
		in, want string
		errCode  string
	}{
		{"secret\n", "secret", ""},
		{"secret\r\n", "secret", ""},
		{"secret", "secret", ""},
		{"secret\n\n", "secret\n", ""}, // only ONE newline is dropped
		{" spaced \n", " spaced ", ""},
		{"пароль\n", "пароль", ""},
		{"\n", "", ""},
		{"\xff\xfe", "", "password-not-utf8"},
	}
	for _, tt := range tests {
		got, err := readPassword(stringsReader(tt.in), "pw.txt")
		if tt.errCode != "" {
			if ce, ok := err.(*cliError); !ok || ce.code != tt.errCode {
				t.Errorf("readPassword(%q) error = %v, want %s", tt.in, err, tt.errCode)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("readPassword(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func FuzzParseArgs(f *testing.F) {
	f.Add("import\x00a.p12\x00--password-file\x00pw\x00--remember")
	f.Add("--store=x\x00list\x00--expiring\x0030\x00--json")
	f.Add("--\x00-\x00--lang")
	f.Add("-=\x00---x\x00--json=maybe")
	all := allFlags()
	f.Fuzz(func(t *testing.T, joined string) {
		args := splitNUL(joined)
		_, rest, found := findCommand(args, all)
		if found && len(rest) != len(args)-1 && len(rest) != len(args) {
			t.Fatalf("findCommand lost arguments: %q -> %q", args, rest)
		}
		p, err := parseArgs(args, all)
		if err != nil {
			if !isUsageError(err) {
				t.Fatalf("parseArgs(%q) returned a non-usage error %v", args, err)
			}
			return
		}
		// Nothing is invented: every positional argument was given, and
		// there are no more parts than arguments.
		given := map[string]bool{}
		for _, a := range args {
			given[a] = true
		}
		for _, pos := range p.positional {
			if !given[pos] {
				t.Fatalf("positional %q was not among %q", pos, args)
			}
		}
		if len(p.positional)+len(p.values)+len(p.bools) > len(args) {
			t.Fatalf("parseArgs(%q) = %+v: more parts than arguments", args, p)
		}
		_, _ = langFlag(args)
	})
}
