//go:build cgo && unix

package token

/*
#cgo linux LDFLAGS: -ldl
#cgo freebsd LDFLAGS: -ldl
#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>

// The head of CK_FUNCTION_LIST (pkcs11f.h): the version, then the entry
// points in order. Only the first three are checked; the wrapper calls
// them without looking.
typedef struct {
	unsigned char major, minor;
} podpis_ck_version;

typedef struct {
	podpis_ck_version version;
	void *c_initialize;
	void *c_finalize;
	void *c_get_info;
} podpis_ck_function_list_head;

typedef unsigned long podpis_ck_rv;
typedef podpis_ck_rv (*podpis_get_function_list)(podpis_ck_function_list_head **);

enum {
	PODPIS_PROBE_OK = 0,
	PODPIS_PROBE_OPEN_FAILED = 1,
	PODPIS_PROBE_NO_SYMBOL = 2,
	PODPIS_PROBE_LIST_FAILED = 3,
	PODPIS_PROBE_LIST_INCOMPLETE = 4,
};

static void podpis_copy_dlerror(char *buf, size_t len) {
	const char *e = dlerror();
	if (e == NULL) {
		e = "unknown loader error";
	}
	strncpy(buf, e, len - 1);
	buf[len - 1] = 0;
}

// podpis_probe loads the library with every symbol resolved now (a symbol
// that cannot be resolved would otherwise kill the process at its first
// call), finds C_GetFunctionList and calls it (allowed before
// C_Initialize), then unloads it. dlerror's text goes to buf; dlopen and
// dlerror run on one thread, as dlerror's state is per thread.
static int podpis_probe(const char *path, char *buf, size_t len, podpis_ck_rv *rv) {
	void *handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (handle == NULL) {
		podpis_copy_dlerror(buf, len);
		return PODPIS_PROBE_OPEN_FAILED;
	}
	dlerror();
	podpis_get_function_list get = (podpis_get_function_list) dlsym(handle, "C_GetFunctionList");
	if (get == NULL) {
		podpis_copy_dlerror(buf, len);
		dlclose(handle);
		return PODPIS_PROBE_NO_SYMBOL;
	}
	podpis_ck_function_list_head *list = NULL;
	int result = PODPIS_PROBE_OK;
	*rv = get(&list);
	if (*rv != 0) {
		result = PODPIS_PROBE_LIST_FAILED;
	} else if (list == NULL || list->c_initialize == NULL || list->c_finalize == NULL || list->c_get_info == NULL) {
		result = PODPIS_PROBE_LIST_INCOMPLETE;
	}
	dlclose(handle);
	return result;
}
*/
import "C"

import (
	"errors"
	"unsafe"
)

// dlerrorMax bounds the loader message copied back (glibc's are one line;
// dyld's name every path it tried).
const dlerrorMax = 2048

// probeLibrary loads the library at path on its own, the way the wrapper
// will, to learn why it cannot be used: dlopen's message names a missing
// dependency or an undefined symbol, and a library without
// C_GetFunctionList is no PKCS#11 module. It returns nil when the module
// can be handed to the wrapper.
func probeLibrary(path string) *LoadError {
	cpath := C.CString(path)
	defer C.free(unsafe.Pointer(cpath))
	buf := (*C.char)(C.malloc(dlerrorMax))
	defer C.free(unsafe.Pointer(buf))
	var rv C.podpis_ck_rv
	switch C.podpis_probe(cpath, buf, dlerrorMax, &rv) {
	case C.PODPIS_PROBE_OK:
		return nil
	case C.PODPIS_PROBE_OPEN_FAILED:
		msg := C.GoString(buf)
		reason, detail := classifyDLError(path, msg)
		return &LoadError{Path: path, Reason: reason, Detail: detail, Err: errors.New(msg)}
	case C.PODPIS_PROBE_NO_SYMBOL:
		msg := C.GoString(buf)
		return &LoadError{Path: path, Reason: LoadNotPKCS11, Detail: "no C_GetFunctionList in the library", Err: errors.New(msg)}
	case C.PODPIS_PROBE_LIST_FAILED:
		r := ReturnValue(rv)
		return &LoadError{Path: path, Reason: LoadNotPKCS11, Detail: "C_GetFunctionList failed: " + r.Error(), Err: r}
	}
	return &LoadError{Path: path, Reason: LoadNotPKCS11, Detail: "C_GetFunctionList returned an incomplete function list"}
}
