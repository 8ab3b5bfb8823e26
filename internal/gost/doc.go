// Package gost is the home of the GOST primitives Podpis carries itself
// (Streebog, GOST R 34.10-2012, Magma, Kuznyechik, legacy 34.11-94/34.10-2001),
// since no GOST module is obtainable from the module proxy. It is internal so
// that nothing outside Podpis depends on it. Filled by the GOST core issue.
package gost
