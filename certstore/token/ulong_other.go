//go:build !windows

package token

// windowsULong is 0: C's unsigned long is pointer-sized here.
const windowsULong = 0
