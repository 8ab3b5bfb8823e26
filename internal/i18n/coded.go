package i18n

import (
	"fmt"
	"sort"
	"strings"
)

// CodedText is the untranslated text of a coded error for Error(): its
// code, its params in key order, then its cause. People see the translated
// message; this is for logs and tests.
func CodedText(code string, params map[string]any, cause error) string {
	var b strings.Builder
	b.WriteString(code)
	keys := make([]string, 0, len(params))
	for k := range params {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(&b, " %s=%v", k, params[k])
	}
	if cause != nil {
		b.WriteString(": " + cause.Error())
	}
	return b.String()
}
