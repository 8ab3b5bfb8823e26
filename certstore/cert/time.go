package cert

import (
	"fmt"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// readTime reads a Time (CHOICE { UTCTime, GeneralizedTime }).
func readTime(s *cryptobyte.String) (time.Time, error) {
	var content cryptobyte.String
	var tag cbasn1.Tag
	if !s.ReadAnyASN1(&content, &tag) {
		return time.Time{}, fmt.Errorf("%w: expected a UTCTime or GeneralizedTime", ErrTruncated)
	}
	switch tag {
	case cbasn1.UTCTime:
		return parseTime(string(content), 2)
	case cbasn1.GeneralizedTime:
		return parseTime(string(content), 4)
	}
	return time.Time{}, fmt.Errorf("%w: tag 0x%02x is not a UTCTime or GeneralizedTime", ErrBadValue, uint8(tag))
}

// parseTime parses the text of a UTCTime (yearDigits 2) or GeneralizedTime
// (yearDigits 4).
//
// DER wants exactly YYMMDDHHMMSSZ and YYYYMMDDHHMMSSZ, but real Russian CA
// certificates carry fractional seconds ("20240101000000.876Z", seen in
// PrivateKeyUsagePeriod), so this also accepts what BER allows: fractional
// seconds after '.' or ',', missing seconds, a "+hhmm"/"-hhmm" offset, and no
// zone at all, which is taken as UTC. The result is always in UTC.
func parseTime(text string, yearDigits int) (time.Time, error) { return ParseTime(text, yearDigits) }

// ParseTime is parseTime for CRLs and OCSP responses, whose times real
// servers write as loosely as certificates.
func ParseTime(text string, yearDigits int) (time.Time, error) {
	p := timeParser{text: text}
	year := p.digits(yearDigits)
	if yearDigits == 2 && year >= 0 {
		// RFC 5280 4.1.2.5.1: YY >= 50 is 19YY, otherwise 20YY.
		if year >= 50 {
			year += 1900
		} else {
			year += 2000
		}
	}
	month, day, hour, minute := p.digits(2), p.digits(2), p.digits(2), p.digits(2)
	if year < 0 || month < 0 || day < 0 || hour < 0 || minute < 0 {
		return time.Time{}, fmt.Errorf("%w: time %q is not YYMMDDHHMM[SS]", ErrBadValue, text)
	}
	second, nanos := 0, 0
	if p.nextIsDigit() {
		if second = p.digits(2); second < 0 {
			return time.Time{}, fmt.Errorf("%w: time %q has bad seconds", ErrBadValue, text)
		}
		if p.peek() == '.' || p.peek() == ',' {
			p.pos++
			if !p.nextIsDigit() {
				return time.Time{}, fmt.Errorf("%w: time %q has an empty fraction", ErrBadValue, text)
			}
			// Nanoseconds are the first nine digits; further ones are dropped.
			scale := 100_000_000
			for p.nextIsDigit() {
				nanos += int(p.text[p.pos]-'0') * scale
				scale /= 10
				p.pos++
			}
		}
	}
	loc := time.UTC
	switch p.peek() {
	case 'Z':
		p.pos++
	case '+', '-':
		sign := 1
		if p.peek() == '-' {
			sign = -1
		}
		p.pos++
		oh, om := p.digits(2), p.digits(2)
		if oh < 0 || om < 0 || oh > 23 || om > 59 {
			return time.Time{}, fmt.Errorf("%w: time %q has a bad zone offset", ErrBadValue, text)
		}
		loc = time.FixedZone("", sign*(oh*3600+om*60))
	}
	if p.pos != len(p.text) {
		return time.Time{}, fmt.Errorf("%w: time %q has unexpected characters", ErrBadValue, text)
	}
	switch {
	case month < 1 || month > 12:
		return time.Time{}, fmt.Errorf("%w: time %q has month %d", ErrBadValue, text, month)
	case day < 1 || day > daysIn(time.Month(month), year):
		return time.Time{}, fmt.Errorf("%w: time %q has day %d", ErrBadValue, text, day)
	case hour > 23:
		return time.Time{}, fmt.Errorf("%w: time %q has hour %d", ErrBadValue, text, hour)
	case minute > 59:
		return time.Time{}, fmt.Errorf("%w: time %q has minute %d", ErrBadValue, text, minute)
	case second > 60: // 60 is a leap second; time.Date carries it into the next minute
		return time.Time{}, fmt.Errorf("%w: time %q has second %d", ErrBadValue, text, second)
	}
	return time.Date(year, time.Month(month), day, hour, minute, second, nanos, loc).UTC(), nil
}

func daysIn(m time.Month, year int) int {
	return time.Date(year, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

type timeParser struct {
	text string
	pos  int
}

func (p *timeParser) peek() byte {
	if p.pos < len(p.text) {
		return p.text[p.pos]
	}
	return 0
}

func (p *timeParser) nextIsDigit() bool {
	c := p.peek()
	return c >= '0' && c <= '9'
}

// digits reads n decimal digits, or returns -1 when they are not there.
func (p *timeParser) digits(n int) int {
	v := 0
	for range n {
		if !p.nextIsDigit() {
			return -1
		}
		v = v*10 + int(p.text[p.pos]-'0')
		p.pos++
	}
	return v
}
