package token

import (
	"bytes"
	"debug/elf"
	"debug/macho"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestParseModuleConfig(t *testing.T) {
	tests := []struct {
		in   string
		want map[string]string
	}{
		{"module: opensc-pkcs11.so\n", map[string]string{"module": "opensc-pkcs11.so"}},
		{"  module :  a b.so  \r\n", map[string]string{"module": "a b.so"}},
		{"# module: commented.so\nmodule: real.so", map[string]string{"module": "real.so"}},
		{"module: x.so # not a comment", map[string]string{"module": "x.so # not a comment"}},
		{"module:\n", map[string]string{"module": ""}},
		{"module: a.so\nmodule: b.so\n", map[string]string{"module": "b.so"}},
		{"x-url: pkcs11:token=a;serial=1\n", map[string]string{"x-url": "pkcs11:token=a;serial=1"}},
		{"no colon here\n[section]\n: value without name\nname with space: v\n", map[string]string{}},
		{"", map[string]string{}},
	}
	for _, tt := range tests {
		got := parseModuleConfig([]byte(tt.in))
		if len(got) != len(tt.want) {
			t.Errorf("parseModuleConfig(%q) = %v, want %v", tt.in, got, tt.want)
			continue
		}
		for k, v := range tt.want {
			if got[k] != v {
				t.Errorf("parseModuleConfig(%q)[%q] = %q, want %q", tt.in, k, got[k], v)
			}
		}
	}
}

// FuzzParseModuleConfig: any bytes parse without panicking into trimmed
// one-line names and values, and writing the result back out as
// "name: value" lines parses to the same settings.
func FuzzParseModuleConfig(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "discover", "*", "*.module"))
	for _, file := range files {
		if b, err := os.ReadFile(file); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte("module: a.so\npriority: -3\nenable-in: podpis, ssh\n"))
	f.Add([]byte("\x00:\x00\n\xff\xfe: \xc0\n   \t\n:\n::\nk::v"))
	f.Fuzz(func(t *testing.T, data []byte) {
		fields := parseModuleConfig(data)
		var out strings.Builder
		names := make([]string, 0, len(fields))
		for k := range fields {
			names = append(names, k)
		}
		slices.Sort(names)
		for _, k := range names {
			v := fields[k]
			if k == "" || k != strings.TrimSpace(k) || v != strings.TrimSpace(v) ||
				strings.ContainsAny(k, "\n: \t[") || strings.Contains(v, "\n") || k[0] == '#' {
				t.Fatalf("bad field %q: %q from %q", k, v, data)
			}
			out.WriteString(k + ": " + v + "\n")
		}
		again := parseModuleConfig([]byte(out.String()))
		if len(again) != len(fields) {
			t.Fatalf("round trip %v -> %v", fields, again)
		}
		for k, v := range fields {
			if again[k] != v {
				t.Fatalf("round trip of %q: %q -> %q", k, v, again[k])
			}
		}
		// Whatever the settings, deciding on them does not fail.
		p11KitEnabled(fields)
	})
}

// FuzzInspectHeader: no file makes the header checks panic, on any
// system they judge for, and each verdict is one of the reasons.
func FuzzInspectHeader(f *testing.F) {
	f.Add(elfHeader(&testing.T{}, elf.ELFCLASS64, elf.ELFDATA2LSB, elf.ET_DYN, elf.EM_X86_64))
	f.Add(machoHeader(&testing.T{}, macho.CpuArm64, macho.TypeDylib))
	f.Add(fatHeader(&testing.T{}, macho.TypeDylib, macho.CpuAmd64, macho.CpuArm64))
	f.Add(peHeader(&testing.T{}, peMachineAMD64, peFileDLL))
	f.Add([]byte("/* GNU ld script */"))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, target := range [][2]string{{"linux", "amd64"}, {"darwin", "arm64"}, {"windows", "386"}, {"freebsd", "sparc64"}} {
			reason, _ := inspectHeader(bytes.NewReader(data), int64(len(data)), target[0], target[1])
			switch reason {
			case "", LoadNotLibrary, LoadWrongArch, LoadFailed:
			default:
				t.Fatalf("inspectHeader(%q) on %v = %q", data, target, reason)
			}
		}
	})
}
