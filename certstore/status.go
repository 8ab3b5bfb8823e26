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
	// DaysLeft counts calendar days from today to the day of NotAfter, in
	// the clock's time zone, the way people count dates: a certificate
	// issued "for 10 days" says 10, and 0 on its last day. Negative once
	// expired (days since).
	DaysLeft int
	NotAfter time.Time
}

// StatusAt judges c's dates at now, warning within warnDays of the end.
func StatusAt(c *cert.Certificate, now time.Time, warnDays int) Status {
	st := Status{NotAfter: c.NotAfter}
	st.DaysLeft = calendarDays(now, c.NotAfter.In(now.Location()))
	switch {
	case now.Before(c.NotBefore):
		st.Validity = NotYetValid
	case now.After(c.NotAfter):
		st.Validity = Expired
	case st.DaysLeft <= warnDays:
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

// calendarDays is the number of date changes from a to b (negative if b is
// earlier), ignoring the time of day and daylight-saving shifts.
func calendarDays(a, b time.Time) int {
	ay, am, ad := a.Date()
	by, bm, bd := b.Date()
	da := time.Date(ay, am, ad, 0, 0, 0, 0, time.UTC)
	db := time.Date(by, bm, bd, 0, 0, 0, 0, time.UTC)
	return int(db.Sub(da) / (24 * time.Hour))
}
