package certstore

import (
	"time"

	"github.com/podpis/podpis/certstore/cert"
)

// ExpiryWarningDays is how far ahead Podpis warns that a certificate ends:
// a new qualified certificate takes days to order, so a month's notice.
const ExpiryWarningDays = 30

// Validity is a certificate's state by its dates alone. The full check
// (chain, revocation) is the validation package's.
type Validity string

const (
	Valid       Validity = "valid"
	Expiring    Validity = "expiring" // valid, ends within the warning window
	Expired     Validity = "expired"
	NotYetValid Validity = "not-yet-valid"
)

// Status is what the list's badge shows.
type Status struct {
	Validity Validity
	// DaysLeft is whole days until NotAfter (0 on the last day); negative
	// once expired (days since).
	DaysLeft int
	NotAfter time.Time
}

// StatusAt judges c's dates at now, warning within warnDays of the end.
func StatusAt(c *cert.Certificate, now time.Time, warnDays int) Status {
	st := Status{NotAfter: c.NotAfter}
	left := c.NotAfter.Sub(now)
	st.DaysLeft = int(left / (24 * time.Hour))
	switch {
	case now.Before(c.NotBefore):
		st.Validity = NotYetValid
	case now.After(c.NotAfter):
		st.Validity = Expired
		st.DaysLeft = -int(-left / (24 * time.Hour))
	case left <= time.Duration(warnDays)*24*time.Hour:
		st.Validity = Expiring
	default:
		st.Validity = Valid
	}
	return st
}

// ExpiringPersonal returns the personal certificates that have expired or end
// within days of now: what the banner and `list --expiring` warn about.
func ExpiringPersonal(entries []*Entry, now time.Time, days int) []*Entry {
	var out []*Entry
	for _, e := range entries {
		if e.List != ListPersonal {
			continue
		}
		switch StatusAt(e.Cert, now, days).Validity {
		case Expiring, Expired:
			out = append(out, e)
		}
	}
	return out
}
