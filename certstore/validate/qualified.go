package validate

import (
	"encoding/asn1"

	"github.com/podpis/podpis/certstore/oid"
)

// checkQualified reads what makes a certificate qualified under 63-FZ and
// the FSB order on its form: the subject's identifiers with their check
// digits, the signing tools, the КС class. Findings are warnings at most:
// a certificate that is not qualified is not invalid for that.
func (e *engine) checkQualified() {
	c := e.res.Chain[0].Cert
	q := &e.res.Qualified
	q.SubjectSignTool, q.IssuerSignTool = c.SubjectSignTool, c.IssuerSignTool
	for _, p := range c.Policies {
		if info, ok := oid.Lookup(p); ok && info.Kind == oid.KindPolicy && info.Key != "any" {
			q.Classes = append(q.Classes, info.Short)
		}
	}
	for _, f := range []struct {
		id   asn1.ObjectIdentifier
		name string
	}{{oid.INN, "inn"}, {oid.INNLE, "innle"}, {oid.SNILS, "snils"}, {oid.OGRN, "ogrn"}, {oid.OGRNIP, "ogrnip"}} {
		for _, v := range c.Subject.Values(f.id) {
			reason := checkIdentifier(f.name, v)
			q.Fields = append(q.Fields, QualifiedField{Name: f.name, Value: v, Valid: reason == "", Reason: reason})
		}
	}
	q.AccreditedChain = e.res.Complete && len(c.IssuerSignTool) > 0
	looksQualified := len(q.Fields) > 0 || q.SubjectSignTool != "" || len(q.IssuerSignTool) > 0
	if !looksQualified || e.res.Usage != UsageSign {
		e.check(0, "qualified", CheckSkip, "", e.subjectParams(c))
		return
	}
	found := false
	for _, f := range q.Fields {
		if !f.Valid {
			p := e.subjectParams(c)
			p["Field"], p["Value"] = f.Name, f.Value
			e.fail(0, "qualified", "qualified", "qualified-"+f.Name+"-"+f.Reason, SeverityWarning, p)
			found = true
		}
	}
	p := e.subjectParams(c)
	if q.SubjectSignTool == "" || len(q.IssuerSignTool) == 0 {
		e.fail(0, "qualified", "qualified", "qualified-sign-tool-missing", SeverityWarning, p)
		found = true
	}
	if len(q.Classes) == 0 {
		e.fail(0, "qualified", "qualified", "qualified-class-missing", SeverityWarning, p)
		found = true
	}
	if !found {
		e.check(0, "qualified", CheckPass, "", p)
	}
}

// checkIdentifier returns "" for a well-formed identifier, else why not:
// "length", "not-digits" or "checksum".
func checkIdentifier(name, v string) string {
	for _, r := range v {
		if r < '0' || r > '9' {
			return "not-digits"
		}
	}
	d := make([]int, len(v))
	for i := range v {
		d[i] = int(v[i] - '0')
	}
	ok := false
	switch name {
	case "inn":
		switch len(d) {
		case 12:
			// Older certificates put a company's 10-digit ИНН here as
			// "00" followed by the number.
			if d[0] == 0 && d[1] == 0 {
				ok = innChecksum(d[2:])
			} else {
				ok = innChecksum(d)
			}
		case 10:
			ok = innChecksum(d)
		default:
			return "length"
		}
	case "innle":
		if len(d) != 10 {
			return "length"
		}
		ok = innChecksum(d)
	case "snils":
		if len(d) != 11 {
			return "length"
		}
		ok = snilsChecksum(d)
	case "ogrn":
		if len(d) != 13 {
			return "length"
		}
		ok = modCheck(d, 11)
	case "ogrnip":
		if len(d) != 15 {
			return "length"
		}
		ok = modCheck(d, 13)
	}
	if !ok {
		return "checksum"
	}
	return ""
}

// innChecksum: the ФНС weights for 10- and 12-digit ИНН.
func innChecksum(d []int) bool {
	control := func(digits []int, weights []int) int {
		sum := 0
		for i, w := range weights {
			sum += digits[i] * w
		}
		return sum % 11 % 10
	}
	w10 := []int{2, 4, 10, 3, 5, 9, 4, 6, 8}
	w11 := []int{7, 2, 4, 10, 3, 5, 9, 4, 6, 8}
	w12 := []int{3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8}
	switch len(d) {
	case 10:
		return control(d, w10) == d[9]
	case 12:
		return control(d, w11) == d[10] && control(d, w12) == d[11]
	}
	return false
}

// snilsChecksum: digits weighted 9..1; the sum modulo 101, with 100 (and
// 101) written as 00. Numbers up to 001-001-998 were issued before the
// check digits and are not checked.
func snilsChecksum(d []int) bool {
	number := 0
	for _, x := range d[:9] {
		number = number*10 + x
	}
	if number <= 1001998 {
		return true
	}
	sum := 0
	for i := 0; i < 9; i++ {
		sum += d[i] * (9 - i)
	}
	sum %= 101
	if sum == 100 {
		sum = 0
	}
	return sum == d[9]*10+d[10]
}

// modCheck: ОГРН (13 digits, modulo 11) and ОГРНИП (15, modulo 13): the
// number without its last digit, modulo m, last decimal digit.
func modCheck(d []int, m int) bool {
	rem := 0
	for _, x := range d[:len(d)-1] {
		rem = (rem*10 + x) % m
	}
	return rem%10 == d[len(d)-1]
}
