package crl

import (
	"fmt"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/podpis/podpis/certstore/cert"
)

// instant is a time as Unix seconds and nanoseconds: what the parser and the
// index work with, so a million revocation dates cost no time.Date calls.
type instant struct {
	sec  int64
	nsec int32
}

func (t instant) time() time.Time { return time.Unix(t.sec, int64(t.nsec)).UTC() }

// readTime reads a Time (CHOICE { UTCTime, GeneralizedTime }).
func readTime(s *cryptobyte.String) (time.Time, error) {
	t, err := readInstant(s)
	if err != nil {
		return time.Time{}, err
	}
	return t.time(), nil
}

func readInstant(s *cryptobyte.String) (instant, error) {
	var content cryptobyte.String
	var tag cbasn1.Tag
	if !s.ReadAnyASN1(&content, &tag) {
		return instant{}, fmt.Errorf("%w: expected a UTCTime or GeneralizedTime", cert.ErrTruncated)
	}
	return parseTimeTag(content, tag)
}

func parseTimeTag(content []byte, tag cbasn1.Tag) (instant, error) {
	switch tag {
	case cbasn1.UTCTime:
		if t, ok := parseDERUTCTime(content); ok {
			return t, nil
		}
		return parseTime(content, 2)
	case cbasn1.GeneralizedTime:
		return parseTime(content, 4)
	}
	return instant{}, fmt.Errorf("%w: tag 0x%02x is not a UTCTime or GeneralizedTime", cert.ErrBadValue, uint8(tag))
}

// parseDERUTCTime is the fast path for what nearly every entry has, a DER
// UTCTime YYMMDDHHMMSSZ. It reports false for anything else, which
// parseTime then reads (or explains).
func parseDERUTCTime(text []byte) (instant, bool) {
	if len(text) != 13 || text[12] != 'Z' {
		return instant{}, false
	}
	var v [6]int
	for i := range v {
		hi, lo := text[2*i]-'0', text[2*i+1]-'0'
		if hi > 9 || lo > 9 {
			return instant{}, false
		}
		v[i] = int(hi)*10 + int(lo)
	}
	year, month, day, hour, minute, second := v[0]+2000, v[1], v[2], v[3], v[4], v[5]
	if year >= 2050 {
		year -= 100
	}
	if month < 1 || month > 12 || day < 1 || day > daysIn(month, year) || hour > 23 || minute > 59 || second > 60 {
		return instant{}, false
	}
	return instant{sec: daysFromCivil(year, month, day)*86400 + int64(hour*3600+minute*60+second)}, true
}

// timeText reads the digits of a time.
type timeText struct {
	text []byte
	pos  int
}

func (p *timeText) isDigit() bool {
	return p.pos < len(p.text) && p.text[p.pos] >= '0' && p.text[p.pos] <= '9'
}

// digits reads n decimal digits, or returns -1 when they are not there.
func (p *timeText) digits(n int) int {
	v := 0
	for range n {
		if !p.isDigit() {
			return -1
		}
		v = v*10 + int(p.text[p.pos]-'0')
		p.pos++
	}
	return v
}

// parseTime parses the text of a UTCTime (yearDigits 2) or GeneralizedTime
// (yearDigits 4), with the certificate parser's tolerance: DER wants
// exactly YYMMDDHHMMSSZ or YYYYMMDDHHMMSSZ, but real CAs write fractional
// seconds, and BER also allows missing seconds, a "+hhmm"/"-hhmm" offset
// and no zone (taken as UTC). It does its own calendar arithmetic because
// it runs once per entry of lists of millions.
func parseTime(text []byte, yearDigits int) (instant, error) {
	bad := func(what string) (instant, error) {
		return instant{}, fmt.Errorf("%w: time %q %s", cert.ErrBadValue, text, what)
	}
	p := timeText{text: text}
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
		return bad("is not YYMMDDHHMM[SS]")
	}
	second, nanos := 0, 0
	if p.isDigit() {
		if second = p.digits(2); second < 0 {
			return bad("has bad seconds")
		}
		if p.pos < len(text) && (text[p.pos] == '.' || text[p.pos] == ',') {
			p.pos++
			if !p.isDigit() {
				return bad("has an empty fraction")
			}
			// Nanoseconds are the first nine digits; further ones are dropped.
			scale := 100_000_000
			for p.isDigit() {
				nanos += int(text[p.pos]-'0') * scale
				scale /= 10
				p.pos++
			}
		}
	}
	offset := 0
	if p.pos < len(text) {
		switch text[p.pos] {
		case 'Z':
			p.pos++
		case '+', '-':
			sign := 1
			if text[p.pos] == '-' {
				sign = -1
			}
			p.pos++
			oh, om := p.digits(2), p.digits(2)
			if oh < 0 || om < 0 || oh > 23 || om > 59 {
				return bad("has a bad zone offset")
			}
			offset = sign * (oh*3600 + om*60)
		}
	}
	if p.pos != len(text) {
		return bad("has unexpected characters")
	}
	switch {
	case month < 1 || month > 12:
		return bad("has a bad month")
	case day < 1 || day > daysIn(month, year):
		return bad("has a bad day")
	case hour > 23:
		return bad("has a bad hour")
	case minute > 59:
		return bad("has a bad minute")
	case second > 60: // 60 is a leap second, carried into the next minute as time.Date does
		return bad("has a bad second")
	}
	sec := daysFromCivil(year, month, day)*86400 + int64(hour*3600+minute*60+second-offset)
	return instant{sec: sec, nsec: int32(nanos)}, nil
}

func isLeap(year int) bool { return year%4 == 0 && (year%100 != 0 || year%400 == 0) }

func daysIn(month, year int) int {
	switch month {
	case 2:
		if isLeap(year) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// daysFromCivil is the number of days from 1970-01-01 to the given date of
// the proleptic Gregorian calendar (H. Hinnant's days_from_civil).
func daysFromCivil(year, month, day int) int64 {
	y := int64(year)
	if month <= 2 {
		y--
	}
	era := y / 400
	if y < 0 && y%400 != 0 {
		era--
	}
	yoe := y - era*400
	m := int64(month)
	if m > 2 {
		m -= 3
	} else {
		m += 9
	}
	doy := (153*m+2)/5 + int64(day) - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}
