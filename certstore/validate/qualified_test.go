package validate

import "testing"

// Published identifiers of public bodies and the standard examples of the
// check-digit rules, and the same with one digit changed.
func TestCheckIdentifier(t *testing.T) {
	for _, tc := range []struct {
		field, value, want string
	}{
		{"innle", "7707083893", ""},         // ПАО Сбербанк
		{"innle", "7707083894", "checksum"}, // last digit changed
		{"inn", "007710474375", ""},         // Минкомсвязь: a company's ИНН padded with 00
		{"inn", "500100732259", ""},         // a person's 12-digit ИНН
		{"inn", "500100732258", "checksum"},
		{"inn", "500100732269", "checksum"}, // 11th digit wrong
		{"inn", "50010073225", "length"},
		{"inn", "50010073225X", "not-digits"},
		{"snils", "11223344595", ""},
		{"snils", "11223344596", "checksum"},
		{"snils", "00100199800", ""}, // issued before check digits: not checked
		{"snils", "1122334459", "length"},
		{"ogrn", "1027700132195", ""},
		{"ogrn", "1027700132196", "checksum"},
		{"ogrnip", "304500116000157", ""},
		{"ogrnip", "304500116000158", "checksum"},
		{"ogrnip", "30450011600015", "length"},
	} {
		if got := checkIdentifier(tc.field, tc.value); got != tc.want {
			t.Errorf("checkIdentifier(%s, %s) = %q, want %q", tc.field, tc.value, got, tc.want)
		}
	}
}

// SNILS sums of exactly 100 and 101 give the check number 00.
func TestSNILSSumsOf100And101(t *testing.T) {
	found := map[int]bool{}
	for n := 1002000; n < 1100000 && len(found) < 2; n++ {
		d := []int{}
		for x, i := n, 0; i < 9; i++ {
			d = append([]int{x % 10}, d...)
			x /= 10
		}
		sum := 0
		for i := 0; i < 9; i++ {
			sum += d[i] * (9 - i)
		}
		if (sum == 100 || sum == 101) && !found[sum] {
			found[sum] = true
			v := ""
			for _, x := range d {
				v += string(rune('0' + x))
			}
			if got := checkIdentifier("snils", v+"00"); got != "" {
				t.Errorf("SNILS %s00 (sum %d) = %q, want valid", v, sum, got)
			}
			if got := checkIdentifier("snils", v+"01"); got != "checksum" {
				t.Errorf("SNILS %s01 (sum %d) = %q, want checksum", v, sum, got)
			}
		}
	}
	if len(found) != 2 {
		t.Fatalf("found sums %v, want 100 and 101", found)
	}
}
