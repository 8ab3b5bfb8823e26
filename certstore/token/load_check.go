package token

import (
	"bytes"
	"debug/elf"
	"debug/macho"
	"debug/pe"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"syscall"
	"unicode/utf8"
)

// This file diagnoses a module file before anything loads it. The wrapper
// (miekg/pkcs11) answers a failed dlopen/LoadLibrary with nil and no
// reason, and the loader's own words are terse, so Podpis looks at the
// file first: does it exist, is it a file, can it be read, is it a shared
// library at all, and for this processor. Everything here is pure Go and
// takes GOOS/GOARCH as parameters, so each platform's verdicts are tested
// on any machine.

// checkFile stats, opens and reads the header of the module file at path.
// It returns nil when the file looks like a shared library this process
// could load; the platform loader (probeLibrary) has the last word.
func checkFile(path, goos, goarch string) *LoadError {
	info, err := os.Stat(path)
	if err != nil {
		return statError(path, err)
	}
	if info.IsDir() {
		return &LoadError{Path: path, Reason: LoadIsDirectory}
	}
	// A FIFO or a device would block or never end when read.
	if !info.Mode().IsRegular() {
		return &LoadError{Path: path, Reason: LoadNotLibrary, Detail: describeMode(info.Mode())}
	}
	f, err := os.Open(path)
	if err != nil {
		return statError(path, err)
	}
	defer f.Close()
	if reason, detail := inspectHeader(f, info.Size(), goos, goarch); reason != "" {
		return &LoadError{Path: path, Reason: reason, Detail: detail}
	}
	return nil
}

// describeMode names a file that is not a regular one.
func describeMode(mode fs.FileMode) string {
	switch {
	case mode&fs.ModeNamedPipe != 0:
		return "a named pipe, not a file"
	case mode&fs.ModeSocket != 0:
		return "a socket, not a file"
	case mode&fs.ModeDevice != 0:
		return "a device, not a file"
	}
	return "not a regular file"
}

// statError turns a failed stat or open into its reason.
func statError(path string, err error) *LoadError {
	detail := err.Error()
	var pathErr *fs.PathError
	if errors.As(err, &pathErr) {
		detail = pathErr.Err.Error() // the path is in the message already
	}
	le := &LoadError{Path: path, Reason: LoadFailed, Detail: detail, Err: err}
	switch {
	case errors.Is(err, fs.ErrNotExist), errors.Is(err, syscall.ENOTDIR):
		le.Reason = LoadMissing
	case errors.Is(err, fs.ErrPermission):
		le.Reason = LoadNotPermitted
	}
	return le
}

// inspectHeader says why the file cannot be a shared library for
// goos/goarch: a reason and a detail, or "" when it can be.
func inspectHeader(r io.ReaderAt, size int64, goos, goarch string) (reason, detail string) {
	if size == 0 {
		return LoadNotLibrary, "the file is empty"
	}
	head := make([]byte, 64)
	n, err := r.ReadAt(head, 0)
	if err != nil && !errors.Is(err, io.EOF) {
		return LoadFailed, err.Error()
	}
	head = head[:n]
	limited := io.NewSectionReader(r, 0, size) // the parsers read headers only, wherever they are
	want, known := archOf(goarch)
	switch {
	case bytes.HasPrefix(head, []byte(elf.ELFMAG)):
		return inspectELF(limited, goos, want, known)
	case len(head) >= 4 && isMachO(binary.LittleEndian.Uint32(head)):
		return inspectMachO(limited, goos, want, known)
	case len(head) >= 4 && binary.BigEndian.Uint32(head) == macho.MagicFat:
		return inspectFat(limited, goos, want, known)
	case bytes.HasPrefix(head, []byte("MZ")):
		return inspectPE(limited, goos, want, known)
	}
	return LoadNotLibrary, describeContent(head)
}

// nativeFormat is the library format each system loads.
func nativeFormat(goos string) string {
	switch goos {
	case "windows":
		return "PE"
	case "darwin", "ios":
		return "Mach-O"
	}
	return "ELF"
}

// formatMismatch names a library built for another operating system.
func formatMismatch(goos, format, system string) (string, string) {
	return LoadNotLibrary, fmt.Sprintf("a %s library (%s format); this system loads %s", system, format, nativeFormat(goos))
}

// inspectELF reads the ELF file header alone (e_ident, e_type,
// e_machine sit at the same offsets in 32- and 64-bit files): the loader
// needs no section table, so a stripped or oddly laid out library that
// debug/elf.NewFile would refuse is still judged by what matters.
func inspectELF(r io.ReaderAt, goos string, want arch, known bool) (string, string) {
	if nativeFormat(goos) != "ELF" {
		return formatMismatch(goos, "ELF", "Linux/BSD")
	}
	var h [20]byte
	if _, err := r.ReadAt(h[:], 0); err != nil {
		return LoadNotLibrary, "a damaged ELF file: the header is cut short"
	}
	class, data := elf.Class(h[elf.EI_CLASS]), elf.Data(h[elf.EI_DATA])
	var order binary.ByteOrder
	switch data {
	case elf.ELFDATA2LSB:
		order = binary.LittleEndian
	case elf.ELFDATA2MSB:
		order = binary.BigEndian
	default:
		return LoadNotLibrary, "a damaged ELF file: unknown byte order " + data.String()
	}
	if class != elf.ELFCLASS32 && class != elf.ELFCLASS64 {
		return LoadNotLibrary, "a damaged ELF file: unknown class " + class.String()
	}
	typ, machine := elf.Type(order.Uint16(h[16:])), elf.Machine(order.Uint16(h[18:]))
	switch typ {
	case elf.ET_DYN:
	case elf.ET_EXEC:
		return LoadNotLibrary, "an ELF program, not a shared library"
	case elf.ET_REL:
		return LoadNotLibrary, "an ELF object file (.o), not a shared library"
	default:
		return LoadNotLibrary, "an ELF file of type " + typ.String() + ", not a shared library"
	}
	if !known {
		return "", ""
	}
	if machine != want.elfMachine || class != want.elfClass || data != want.elfData {
		return LoadWrongArch, fmt.Sprintf("the library is built for %s; this program runs on %s", elfArchName(machine, class, data), want.name)
	}
	return "", ""
}

func isMachO(magicLE uint32) bool {
	switch magicLE {
	case macho.Magic32, macho.Magic64, 0xcefaedfe, 0xcffaedfe: // either byte order
		return true
	}
	return false
}

func inspectMachO(r io.ReaderAt, goos string, want arch, known bool) (string, string) {
	if nativeFormat(goos) != "Mach-O" {
		return formatMismatch(goos, "Mach-O", "macOS")
	}
	f, err := macho.NewFile(r)
	if err != nil {
		return LoadNotLibrary, "a damaged Mach-O file: " + err.Error()
	}
	if reason, detail := machOType(f.Type); reason != "" {
		return reason, detail
	}
	if known && f.Cpu != want.machoCPU {
		return LoadWrongArch, fmt.Sprintf("the library is built for %s; this program runs on %s", machoArchName(f.Cpu), want.name)
	}
	return "", ""
}

// inspectFat checks a universal binary: the slice for this processor
// must be there and be a library.
func inspectFat(r io.ReaderAt, goos string, want arch, known bool) (string, string) {
	if nativeFormat(goos) != "Mach-O" {
		// 0xCAFEBABE also starts Java class files: call it neither.
		return LoadNotLibrary, "a universal (fat) Mach-O file or a Java class file; this system loads " + nativeFormat(goos)
	}
	f, err := macho.NewFatFile(r)
	if err != nil {
		return LoadNotLibrary, "not a valid universal Mach-O file: " + err.Error()
	}
	var have []string
	for _, a := range f.Arches {
		if !known || a.Cpu == want.machoCPU {
			if reason, detail := machOType(a.Type); reason != "" {
				return reason, detail
			}
			return "", ""
		}
		have = append(have, machoArchName(a.Cpu))
	}
	return LoadWrongArch, fmt.Sprintf("the universal library holds %s, not %s", strings.Join(have, ", "), want.name)
}

func machOType(t macho.Type) (string, string) {
	switch t {
	case macho.TypeDylib, macho.TypeBundle:
		return "", ""
	case macho.TypeExec:
		return LoadNotLibrary, "a Mach-O program, not a library"
	}
	return LoadNotLibrary, "a Mach-O file of type " + t.String() + ", not a library"
}

// PE header constants (winnt.h).
const (
	peFileDLL      = 0x2000 // IMAGE_FILE_DLL
	peMachineI386  = 0x014c
	peMachineARMNT = 0x01c4
	peMachineAMD64 = 0x8664
	peMachineARM64 = 0xaa64
)

func inspectPE(r io.ReaderAt, goos string, want arch, known bool) (string, string) {
	if nativeFormat(goos) != "PE" {
		return formatMismatch(goos, "PE", "Windows")
	}
	f, err := pe.NewFile(r)
	if err != nil {
		return LoadNotLibrary, "a damaged Windows executable: " + err.Error()
	}
	if f.Characteristics&peFileDLL == 0 {
		return LoadNotLibrary, "a Windows program (.exe), not a DLL"
	}
	if known && f.Machine != want.peMachine {
		return LoadWrongArch, fmt.Sprintf("the DLL is built for %s; this program runs on %s", peArchName(f.Machine), want.name)
	}
	return "", ""
}

// describeContent says in a few words what a file that is no library
// looks like, for the detail of module-not-library.
func describeContent(head []byte) string {
	switch {
	case bytes.HasPrefix(head, []byte("%PDF")):
		return "a PDF document"
	case bytes.HasPrefix(head, []byte("PK\x03\x04")):
		return "a ZIP archive"
	case bytes.HasPrefix(head, []byte("#!")):
		return "a script"
	case bytes.HasPrefix(head, []byte("/* GNU ld script")):
		return "a linker script (choose the library it names, e.g. the .so.N file)"
	case bytes.HasPrefix(head, []byte("!<arch>")):
		return "a static library (.a), not a shared one"
	}
	text := head
	for len(text) > 0 && !utf8.FullRune(text) {
		text = text[:len(text)-1] // a rune cut by the 64-byte window
	}
	if utf8.Valid(text) && !bytes.ContainsRune(text, 0) {
		return "a text file"
	}
	return "not a shared library"
}

// arch is what a processor looks like in each executable format.
type arch struct {
	name       string
	elfMachine elf.Machine
	elfClass   elf.Class
	elfData    elf.Data
	machoCPU   macho.Cpu
	peMachine  uint16
}

// arches are the GOARCH values Podpis may run on; a GOARCH missing here
// skips the architecture check (the loader still refuses a wrong one).
var arches = map[string]arch{
	"amd64":    {"x86-64", elf.EM_X86_64, elf.ELFCLASS64, elf.ELFDATA2LSB, macho.CpuAmd64, peMachineAMD64},
	"386":      {"x86 (32-bit)", elf.EM_386, elf.ELFCLASS32, elf.ELFDATA2LSB, macho.Cpu386, peMachineI386},
	"arm64":    {"ARM64", elf.EM_AARCH64, elf.ELFCLASS64, elf.ELFDATA2LSB, macho.CpuArm64, peMachineARM64},
	"arm":      {"ARM (32-bit)", elf.EM_ARM, elf.ELFCLASS32, elf.ELFDATA2LSB, macho.CpuArm, peMachineARMNT},
	"riscv64":  {"RISC-V 64", elf.EM_RISCV, elf.ELFCLASS64, elf.ELFDATA2LSB, 0, 0},
	"loong64":  {"LoongArch64", elf.EM_LOONGARCH, elf.ELFCLASS64, elf.ELFDATA2LSB, 0, 0},
	"ppc64le":  {"POWER (64-bit, little-endian)", elf.EM_PPC64, elf.ELFCLASS64, elf.ELFDATA2LSB, 0, 0},
	"ppc64":    {"POWER (64-bit, big-endian)", elf.EM_PPC64, elf.ELFCLASS64, elf.ELFDATA2MSB, macho.CpuPpc64, 0},
	"s390x":    {"IBM Z (s390x)", elf.EM_S390, elf.ELFCLASS64, elf.ELFDATA2MSB, 0, 0},
	"mips64le": {"MIPS64 (little-endian)", elf.EM_MIPS, elf.ELFCLASS64, elf.ELFDATA2LSB, 0, 0},
	"mips64":   {"MIPS64 (big-endian)", elf.EM_MIPS, elf.ELFCLASS64, elf.ELFDATA2MSB, 0, 0},
	"mipsle":   {"MIPS (32-bit, little-endian)", elf.EM_MIPS, elf.ELFCLASS32, elf.ELFDATA2LSB, 0, 0},
	"mips":     {"MIPS (32-bit, big-endian)", elf.EM_MIPS, elf.ELFCLASS32, elf.ELFDATA2MSB, 0, 0},
}

func archOf(goarch string) (arch, bool) {
	a, ok := arches[goarch]
	return a, ok
}

func elfArchName(m elf.Machine, c elf.Class, d elf.Data) string {
	for _, a := range arches {
		if a.elfMachine == m && a.elfClass == c && a.elfData == d {
			return a.name
		}
	}
	bits := "64-bit"
	if c == elf.ELFCLASS32 {
		bits = "32-bit"
	}
	return fmt.Sprintf("%s (%s)", m, bits)
}

func machoArchName(c macho.Cpu) string {
	for _, a := range arches {
		if a.machoCPU == c && c != 0 {
			return a.name
		}
	}
	return c.String()
}

func peArchName(m uint16) string {
	for _, a := range arches {
		if a.peMachine == m && m != 0 {
			return a.name
		}
	}
	return fmt.Sprintf("machine 0x%04x", m)
}

// classifyDLError maps the text of a failed dlopen (glibc, musl, macOS
// dyld) to a reason, and a detail for the message: for a missing
// dependency the library's name, otherwise the loader's own words.
func classifyDLError(path, msg string) (reason, detail string) {
	msg = strings.TrimSpace(msg)
	lower := strings.ToLower(msg)
	// glibc starts with the module's path, which the message shows anyway.
	words := strings.TrimPrefix(msg, path+": ")
	switch {
	// glibc: "libfoo.so.1: cannot open shared object file: No such file or directory"
	// for a NEEDED library; the module's own path when it is the module
	// (checkFile already saw the module, so that is a race).
	case strings.Contains(msg, ": cannot open shared object file"):
		name := msg[:strings.Index(msg, ": cannot open shared object file")]
		if i := strings.LastIndex(name, ": "); i >= 0 {
			name = name[i+2:]
		}
		if name == path {
			return LoadMissing, words
		}
		return LoadDependency, name
	// musl: "Error loading shared library libfoo.so: No such file or directory (needed by /path/mod.so)"
	case strings.HasPrefix(msg, "Error loading shared library ") && strings.Contains(msg, "(needed by "):
		name := strings.TrimPrefix(msg, "Error loading shared library ")
		if i := strings.Index(name, ": "); i >= 0 {
			name = name[:i]
		}
		return LoadDependency, name
	// dyld: "dlopen(/path, 0x0006): Library not loaded: @rpath/libfoo.dylib\n  Referenced from: ..."
	case strings.Contains(msg, "Library not loaded: "):
		name := msg[strings.Index(msg, "Library not loaded: ")+len("Library not loaded: "):]
		if i := strings.IndexAny(name, "\n\r"); i >= 0 {
			name = name[:i]
		}
		return LoadDependency, strings.TrimSpace(name)
	// glibc: "/path: wrong ELF class: ELFCLASS32"; dyld: "... (mach-o file, but is an incompatible architecture (have 'arm64', need 'x86_64'))"
	case strings.Contains(msg, "wrong ELF class"), strings.Contains(lower, "incompatible architecture"),
		strings.Contains(msg, "ELF file OS ABI invalid"), strings.Contains(msg, "ELF load command address/offset not page-aligned"):
		return LoadWrongArch, words
	// glibc: "/path: undefined symbol: foo" (built against a newer library)
	// and "version `GLIBC_2.38' not found (required by /path)"; dyld: "Symbol not found: _foo".
	case strings.Contains(msg, "undefined symbol: "), strings.Contains(msg, "' not found (required by"),
		strings.Contains(msg, "Symbol not found: "):
		return LoadDependency, words
	// A file system mounted noexec, SELinux, or macOS refusing a quarantined file.
	case strings.Contains(msg, "failed to map segment from shared object"), strings.Contains(lower, "permission denied"),
		strings.Contains(lower, "operation not permitted"):
		return LoadNotPermitted, words
	// glibc 2.30+: "cannot dynamically load position-independent executable".
	case strings.Contains(msg, "invalid ELF header"), strings.Contains(msg, "file too short"),
		strings.Contains(msg, "cannot dynamically load"),
		strings.Contains(msg, "not a mach-o file"), strings.Contains(msg, "ELF file's phentsize not the expected size"):
		return LoadNotLibrary, words
	case strings.Contains(msg, "cannot read file data: Is a directory"):
		return LoadIsDirectory, words
	}
	return LoadFailed, words
}

// Windows system error codes LoadLibrary fails with (winerror.h).
const (
	winErrorFileNotFound   = 2
	winErrorPathNotFound   = 3
	winErrorAccessDenied   = 5
	winErrorBadFormat      = 11
	winErrorModNotFound    = 126
	winErrorProcNotFound   = 127
	winErrorBadExeFormat   = 193
	winErrorDLLInitFailed  = 1114
	winErrorSideBySide     = 14001
	winErrorVirusInfected  = 225
	winErrorElevationNeeds = 740
)

// classifyWindowsLoadError maps the error code of a failed LoadLibrary to
// a reason. Windows does not say which dependency is missing (126 is
// reported the same for the DLL and for what it needs; the DLL was seen
// by checkFile, so 126 means a dependency).
func classifyWindowsLoadError(code uint32, text string) (reason, detail string) {
	detail = fmt.Sprintf("%s (error %d)", strings.TrimSpace(text), code)
	switch code {
	case winErrorModNotFound, winErrorProcNotFound, winErrorSideBySide:
		return LoadDependency, detail
	case winErrorBadExeFormat:
		return LoadWrongArch, detail
	case winErrorBadFormat:
		return LoadNotLibrary, detail
	case winErrorAccessDenied, winErrorVirusInfected, winErrorElevationNeeds:
		return LoadNotPermitted, detail
	case winErrorFileNotFound, winErrorPathNotFound:
		return LoadMissing, detail
	}
	// winErrorDLLInitFailed (DllMain said no) and the rest.
	return LoadFailed, detail
}
