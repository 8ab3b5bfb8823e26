package token

import (
	"bytes"
	"debug/elf"
	"debug/macho"
	"debug/pe"
	"encoding/binary"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
)

// Test files for the header checks are built byte by byte: a header is
// all the check reads, and no foreign toolchain is needed.

func elfHeader(t *testing.T, class elf.Class, data elf.Data, typ elf.Type, machine elf.Machine) []byte {
	t.Helper()
	var order binary.ByteOrder = binary.LittleEndian
	if data == elf.ELFDATA2MSB {
		order = binary.BigEndian
	}
	var ident [elf.EI_NIDENT]byte
	copy(ident[:], elf.ELFMAG)
	ident[elf.EI_CLASS] = byte(class)
	ident[elf.EI_DATA] = byte(data)
	ident[elf.EI_VERSION] = byte(elf.EV_CURRENT)
	var buf bytes.Buffer
	var err error
	if class == elf.ELFCLASS32 {
		err = binary.Write(&buf, order, elf.Header32{Ident: ident, Type: uint16(typ), Machine: uint16(machine), Version: 1, Ehsize: 52})
	} else {
		err = binary.Write(&buf, order, elf.Header64{Ident: ident, Type: uint16(typ), Machine: uint16(machine), Version: 1, Ehsize: 64})
	}
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func machoHeader(t *testing.T, cpu macho.Cpu, typ macho.Type) []byte {
	t.Helper()
	var buf bytes.Buffer
	// mach_header_64: magic, cputype, cpusubtype, filetype, ncmds, sizeofcmds, flags, reserved.
	if err := binary.Write(&buf, binary.LittleEndian, [8]uint32{macho.Magic64, uint32(cpu), 0, uint32(typ), 0, 0, 0, 0}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// fatHeader is a universal binary holding one thin slice per cpu.
func fatHeader(t *testing.T, typ macho.Type, cpus ...macho.Cpu) []byte {
	t.Helper()
	var buf bytes.Buffer
	write := func(v any) {
		if err := binary.Write(&buf, binary.BigEndian, v); err != nil {
			t.Fatal(err)
		}
	}
	write([2]uint32{macho.MagicFat, uint32(len(cpus))})
	offset := uint32(8 + 20*len(cpus))
	for _, cpu := range cpus {
		write([5]uint32{uint32(cpu), 0, offset, 32, 0})
		offset += 32
	}
	for _, cpu := range cpus {
		buf.Write(machoHeader(t, cpu, typ))
	}
	return buf.Bytes()
}

func peHeader(t *testing.T, machine uint16, characteristics uint16) []byte {
	t.Helper()
	dos := make([]byte, 0x40)
	copy(dos, "MZ")
	binary.LittleEndian.PutUint32(dos[0x3c:], 0x40)
	var buf bytes.Buffer
	buf.Write(dos)
	buf.WriteString("PE\x00\x00")
	if err := binary.Write(&buf, binary.LittleEndian, pe.FileHeader{Machine: machine, Characteristics: characteristics}); err != nil {
		t.Fatal(err)
	}
	buf.Write(make([]byte, 512)) // debug/pe reads a 96-byte DOS header; real files are larger anyway
	return buf.Bytes()
}

func TestInspectHeader(t *testing.T) {
	x86lib := elfHeader(t, elf.ELFCLASS64, elf.ELFDATA2LSB, elf.ET_DYN, elf.EM_X86_64)
	tests := []struct {
		name          string
		data          []byte
		goos, goarch  string
		reason        string
		detailContain string
	}{
		{"elf x86-64 library on linux/amd64", x86lib, "linux", "amd64", "", ""},
		{"elf arm64 library on linux/amd64", elfHeader(t, elf.ELFCLASS64, elf.ELFDATA2LSB, elf.ET_DYN, elf.EM_AARCH64), "linux", "amd64", LoadWrongArch, "built for ARM64; this program runs on x86-64"},
		{"elf 32-bit x86 library on linux/amd64", elfHeader(t, elf.ELFCLASS32, elf.ELFDATA2LSB, elf.ET_DYN, elf.EM_386), "linux", "amd64", LoadWrongArch, "x86 (32-bit)"},
		{"elf x86-64 library on linux/arm64", x86lib, "linux", "arm64", LoadWrongArch, "built for x86-64; this program runs on ARM64"},
		{"elf x32 ABI library on linux/amd64", elfHeader(t, elf.ELFCLASS32, elf.ELFDATA2LSB, elf.ET_DYN, elf.EM_X86_64), "linux", "amd64", LoadWrongArch, "EM_X86_64 (32-bit)"},
		{"elf big-endian ppc64 on ppc64le", elfHeader(t, elf.ELFCLASS64, elf.ELFDATA2MSB, elf.ET_DYN, elf.EM_PPC64), "linux", "ppc64le", LoadWrongArch, "big-endian"},
		{"elf program", elfHeader(t, elf.ELFCLASS64, elf.ELFDATA2LSB, elf.ET_EXEC, elf.EM_X86_64), "linux", "amd64", LoadNotLibrary, "program"},
		{"elf object file", elfHeader(t, elf.ELFCLASS64, elf.ELFDATA2LSB, elf.ET_REL, elf.EM_X86_64), "linux", "amd64", LoadNotLibrary, "object file"},
		{"elf on unknown GOARCH is not judged", elfHeader(t, elf.ELFCLASS64, elf.ELFDATA2LSB, elf.ET_DYN, elf.EM_SPARCV9), "linux", "sparc64", "", ""},
		{"elf truncated", []byte("\x7fELF\x02\x01"), "linux", "amd64", LoadNotLibrary, "damaged ELF"},
		{"elf unknown byte order", []byte("\x7fELF\x02\x07\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x03\x00\x3e\x00"), "linux", "amd64", LoadNotLibrary, "byte order"},
		{"elf unknown class", []byte("\x7fELF\x09\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x03\x00\x3e\x00"), "linux", "amd64", LoadNotLibrary, "unknown class"},
		{"elf library on windows", x86lib, "windows", "amd64", LoadNotLibrary, "Linux/BSD library (ELF format); this system loads PE"},
		{"elf library on freebsd", x86lib, "freebsd", "amd64", "", ""},

		{"mach-o dylib on darwin/arm64", machoHeader(t, macho.CpuArm64, macho.TypeDylib), "darwin", "arm64", "", ""},
		{"mach-o bundle on darwin/arm64", machoHeader(t, macho.CpuArm64, macho.TypeBundle), "darwin", "arm64", "", ""},
		{"mach-o x86-64 dylib on darwin/arm64", machoHeader(t, macho.CpuAmd64, macho.TypeDylib), "darwin", "arm64", LoadWrongArch, "built for x86-64; this program runs on ARM64"},
		{"mach-o program", machoHeader(t, macho.CpuArm64, macho.TypeExec), "darwin", "arm64", LoadNotLibrary, "program"},
		{"mach-o on linux", machoHeader(t, macho.CpuAmd64, macho.TypeDylib), "linux", "amd64", LoadNotLibrary, "macOS library (Mach-O format)"},
		{"universal dylib with the slice", fatHeader(t, macho.TypeDylib, macho.CpuAmd64, macho.CpuArm64), "darwin", "arm64", "", ""},
		{"universal dylib without the slice", fatHeader(t, macho.TypeDylib, macho.CpuAmd64, macho.Cpu386), "darwin", "arm64", LoadWrongArch, "holds x86-64, x86 (32-bit), not ARM64"},
		{"universal program", fatHeader(t, macho.TypeExec, macho.CpuArm64), "darwin", "arm64", LoadNotLibrary, "program"},
		{"java class file on darwin", []byte("\xca\xfe\xba\xbe\x00\x00\x00\x34rest of a class file"), "darwin", "arm64", LoadNotLibrary, "universal Mach-O"},
		{"java class file on linux", []byte("\xca\xfe\xba\xbe\x00\x00\x00\x34rest of a class file"), "linux", "amd64", LoadNotLibrary, "Java class"},

		{"dll on windows/amd64", peHeader(t, peMachineAMD64, peFileDLL), "windows", "amd64", "", ""},
		{"32-bit dll on windows/amd64", peHeader(t, peMachineI386, peFileDLL), "windows", "amd64", LoadWrongArch, "built for x86 (32-bit); this program runs on x86-64"},
		{"exe on windows", peHeader(t, peMachineAMD64, 0x0002), "windows", "amd64", LoadNotLibrary, "program (.exe)"},
		{"dll on linux", peHeader(t, peMachineAMD64, peFileDLL), "linux", "amd64", LoadNotLibrary, "Windows library (PE format); this system loads ELF"},
		{"dos stub only", []byte("MZ this is not really a program"), "windows", "amd64", LoadNotLibrary, "damaged Windows executable"},

		{"text", []byte("module: opensc-pkcs11.so\n"), "linux", "amd64", LoadNotLibrary, "a text file"},
		{"cyrillic text cut mid-rune", bytes.Repeat([]byte("Рутокен "), 10), "linux", "amd64", LoadNotLibrary, "a text file"},
		{"linker script", []byte("/* GNU ld script\n   Use the shared library */\nGROUP ( /lib/x86_64-linux-gnu/libc.so.6 )"), "linux", "amd64", LoadNotLibrary, "linker script"},
		{"pdf", []byte("%PDF-1.7\n%\xe2\xe3\xcf\xd3"), "linux", "amd64", LoadNotLibrary, "PDF"},
		{"zip", []byte("PK\x03\x04\x14\x00"), "linux", "amd64", LoadNotLibrary, "ZIP"},
		{"static library", []byte("!<arch>\n/               "), "linux", "amd64", LoadNotLibrary, "static library"},
		{"binary junk", []byte{0, 1, 2, 3, 0xff, 0xfe}, "linux", "amd64", LoadNotLibrary, "not a shared library"},
		{"empty", nil, "linux", "amd64", LoadNotLibrary, "empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reason, detail := inspectHeader(bytes.NewReader(tt.data), int64(len(tt.data)), tt.goos, tt.goarch)
			if reason != tt.reason || !strings.Contains(detail, tt.detailContain) {
				t.Errorf("inspectHeader = (%q, %q), want (%q, containing %q)", reason, detail, tt.reason, tt.detailContain)
			}
		})
	}
}

func TestCheckFile(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	text := write("notes.txt", []byte("this is not a module\n"))
	foreign := foreignELF(t)
	tests := []struct {
		name   string
		path   string
		reason string
	}{
		{"missing", filepath.Join(dir, "nothere.so"), LoadMissing},
		{"under a file", filepath.Join(text, "lib.so"), LoadMissing},
		{"folder", dir, LoadIsDirectory},
		{"text", text, LoadNotLibrary},
		{"empty", write("empty.so", nil), LoadNotLibrary},
		{"foreign arch", write("foreign.so", foreign), LoadWrongArch},
	}
	if runtime.GOOS != "windows" {
		link := filepath.Join(dir, "dangling.so")
		if err := os.Symlink(filepath.Join(dir, "gone.so"), link); err != nil {
			t.Fatal(err)
		}
		tests = append(tests, struct {
			name   string
			path   string
			reason string
		}{"dangling link", link, LoadMissing})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			le := checkFile(tt.path, runtime.GOOS, runtime.GOARCH)
			if le == nil || le.Reason != tt.reason || le.Path != tt.path {
				t.Fatalf("checkFile(%s) = %v, want reason %s", tt.path, le, tt.reason)
			}
		})
	}
}

// foreignELF is a library header for a processor this test does not run on.
func foreignELF(t *testing.T) []byte {
	if runtime.GOARCH == "arm64" {
		return elfHeader(t, elf.ELFCLASS64, elf.ELFDATA2LSB, elf.ET_DYN, elf.EM_X86_64)
	}
	return elfHeader(t, elf.ELFCLASS64, elf.ELFDATA2LSB, elf.ET_DYN, elf.EM_AARCH64)
}

func TestStatErrorReasons(t *testing.T) {
	tests := []struct {
		err    error
		reason string
	}{
		{&fs.PathError{Op: "stat", Path: "/m.so", Err: syscall.ENOENT}, LoadMissing},
		{&fs.PathError{Op: "stat", Path: "/m.so", Err: syscall.ENOTDIR}, LoadMissing},
		{&fs.PathError{Op: "open", Path: "/m.so", Err: syscall.EACCES}, LoadNotPermitted},
		{&fs.PathError{Op: "open", Path: "/m.so", Err: syscall.EPERM}, LoadNotPermitted},
		{&fs.PathError{Op: "open", Path: "/m.so", Err: syscall.EIO}, LoadFailed},
	}
	for _, tt := range tests {
		le := statError("/m.so", tt.err)
		if le.Reason != tt.reason || !errors.Is(le, tt.err) || strings.Contains(le.Detail, "/m.so") {
			t.Errorf("statError(%v) = %+v, want reason %s, the cause wrapped and the path not repeated in Detail", tt.err, le, tt.reason)
		}
	}
}

func TestClassifyDLError(t *testing.T) {
	const mod = "/opt/vendor/lib/libvendorpkcs11.so"
	tests := []struct {
		msg    string
		reason string
		detail string
	}{
		// glibc, as measured on this project's Debian machine.
		{"libstub.so: cannot open shared object file: No such file or directory", LoadDependency, "libstub.so"},
		{"libpcsclite.so.1: cannot open shared object file: No such file or directory", LoadDependency, "libpcsclite.so.1"},
		{mod + ": cannot open shared object file: No such file or directory", LoadMissing, "cannot open shared object file: No such file or directory"},
		{mod + ": undefined symbol: nothere_fn", LoadDependency, "undefined symbol: nothere_fn"},
		{"/lib/x86_64-linux-gnu/libc.so.6: version `GLIBC_2.38' not found (required by " + mod + ")", LoadDependency, "/lib/x86_64-linux-gnu/libc.so.6: version `GLIBC_2.38' not found (required by " + mod + ")"},
		{mod + ": wrong ELF class: ELFCLASS32", LoadWrongArch, "wrong ELF class: ELFCLASS32"},
		{mod + ": file too short", LoadNotLibrary, "file too short"},
		{mod + ": invalid ELF header", LoadNotLibrary, "invalid ELF header"},
		{"/bin/sh: cannot dynamically load position-independent executable", LoadNotLibrary, "/bin/sh: cannot dynamically load position-independent executable"},
		{mod + ": failed to map segment from shared object", LoadNotPermitted, "failed to map segment from shared object"},
		{"/tmp: cannot read file data: Is a directory", LoadIsDirectory, "/tmp: cannot read file data: Is a directory"},
		// musl
		{"Error loading shared library libpcsclite.so.1: No such file or directory (needed by " + mod + ")", LoadDependency, "libpcsclite.so.1"},
		// macOS dyld
		{"dlopen(/usr/local/lib/librtpkcs11ecp.dylib, 0x0006): Library not loaded: @rpath/libcrypto.3.dylib\n  Referenced from: /usr/local/lib/librtpkcs11ecp.dylib\n  Reason: tried: ...", LoadDependency, "@rpath/libcrypto.3.dylib"},
		{"dlopen(/usr/local/lib/x.dylib, 0x0006): tried: '/usr/local/lib/x.dylib' (mach-o file, but is an incompatible architecture (have 'x86_64', need 'arm64e' or 'arm64'))", LoadWrongArch, ""},
		{"dlopen(/usr/local/lib/x.dylib, 0x0006): Symbol not found: _SCardConnect", LoadDependency, ""},
		{"dlopen(/Users/a/x.dylib, 0x0006): tried: '/Users/a/x.dylib' (code signature in <...> not valid for use in process: library load disallowed by system policy)", LoadFailed, ""},
		{"something new", LoadFailed, "something new"},
	}
	for _, tt := range tests {
		reason, detail := classifyDLError(mod, tt.msg)
		if reason != tt.reason || (tt.detail != "" && detail != tt.detail) {
			t.Errorf("classifyDLError(%q) = (%q, %q), want (%q, %q)", tt.msg, reason, detail, tt.reason, tt.detail)
		}
	}
}

func TestClassifyWindowsLoadError(t *testing.T) {
	tests := []struct {
		code   uint32
		reason string
	}{
		{126, LoadDependency},
		{127, LoadDependency},
		{14001, LoadDependency},
		{193, LoadWrongArch},
		{11, LoadNotLibrary},
		{5, LoadNotPermitted},
		{2, LoadMissing},
		{1114, LoadFailed},
		{87, LoadFailed},
	}
	for _, tt := range tests {
		reason, detail := classifyWindowsLoadError(tt.code, "The specified module could not be found.")
		if reason != tt.reason || !strings.HasSuffix(detail, ")") || !strings.Contains(detail, "error ") {
			t.Errorf("classifyWindowsLoadError(%d) = (%q, %q), want %q with the code in the detail", tt.code, reason, detail, tt.reason)
		}
	}
}

func TestLoadErrorText(t *testing.T) {
	le := &LoadError{Path: "/usr/lib/librtpkcs11ecp.so", Reason: LoadDependency, Detail: "libpcsclite.so.1"}
	if got, want := le.Error(), "module-dependency: /usr/lib/librtpkcs11ecp.so: libpcsclite.so.1"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	if p := le.Params(); p["Module"] != le.Path || p["Detail"] != le.Detail || le.Code() != LoadDependency {
		t.Errorf("Code/Params = %q %v", le.Code(), p)
	}
}
