package oid

import (
	"encoding/asn1"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const translations = "../../assets/translations"

func readTranslations(t *testing.T, lang string) map[string]string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(translations, "cert."+lang+".json"))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]string
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatalf("cert.%s.json: %v", lang, err)
	}
	return m
}

// Every registry entry must be nameable in both languages, and the
// translation files must not carry names for OIDs the registry has dropped.
func TestEveryKeyIsTranslated(t *testing.T) {
	wanted := map[string]bool{}
	for _, info := range All() {
		wanted[info.TranslationKey()] = true
	}
	for _, lang := range []string{"ru", "en"} {
		tr := readTranslations(t, lang)
		for key := range wanted {
			if strings.TrimSpace(tr[key]) == "" {
				t.Errorf("cert.%s.json: no text for %s", lang, key)
			}
		}
		for key := range tr {
			prefix, _, _ := strings.Cut(key, ".")
			switch Kind(prefix) {
			case KindAttribute, KindExtension, KindAlgorithm, KindPolicy, KindEKU, KindParamSet:
				if !wanted[key] && key != "alg.unknown" {
					t.Errorf("cert.%s.json: %s names nothing in the registry", lang, key)
				}
			}
		}
	}
	ru, en := readTranslations(t, "ru"), readTranslations(t, "en")
	for key := range ru {
		if _, ok := en[key]; !ok {
			t.Errorf("%s is in cert.ru.json but not in cert.en.json", key)
		}
	}
	for key := range en {
		if _, ok := ru[key]; !ok {
			t.Errorf("%s is in cert.en.json but not in cert.ru.json", key)
		}
	}
}

func TestRegistryIsConsistent(t *testing.T) {
	seenOID := map[string]bool{}
	seenKey := map[string]bool{}
	for _, info := range All() {
		if len(info.OID) < 2 || info.Key == "" || info.Short == "" || info.Kind == "" {
			t.Errorf("incomplete entry %+v", info)
		}
		if strings.ContainsAny(info.Key, ". ") || strings.ToLower(info.Key) != info.Key {
			t.Errorf("key %q must be lower case without dots or spaces", info.Key)
		}
		if seenOID[info.OID.String()] {
			t.Errorf("OID %s registered twice", info.OID)
		}
		seenOID[info.OID.String()] = true
		if seenKey[info.TranslationKey()] {
			t.Errorf("key %s used twice", info.TranslationKey())
		}
		seenKey[info.TranslationKey()] = true

		got, ok := Lookup(info.OID)
		if !ok || got.Key != info.Key || got.Kind != info.Kind {
			t.Errorf("Lookup(%s) = %+v, %v", info.OID, got, ok)
		}
		got, ok = ByKey(info.Kind, info.Key)
		if !ok || !got.OID.Equal(info.OID) {
			t.Errorf("ByKey(%s, %s) = %+v, %v", info.Kind, info.Key, got, ok)
		}
	}
}

// The values the rest of Podpis depends on, written out from the RFCs
// (RFC 9215 for the Russian attributes, RFC 4357/7836/9215 for GOST).
func TestWellKnownOIDs(t *testing.T) {
	tests := []struct {
		dotted string
		kind   Kind
		key    string
		short  string
	}{
		{"2.5.4.3", KindAttribute, "cn", "CN"},
		{"2.5.4.4", KindAttribute, "surname", "SN"},
		{"2.5.4.42", KindAttribute, "given-name", "GN"},
		{"2.5.4.12", KindAttribute, "title", "T"},
		{"2.5.4.16", KindAttribute, "postal-address", "postalAddress"},
		{"1.2.840.113549.1.9.1", KindAttribute, "email", "E"},
		{"1.2.643.3.131.1.1", KindAttribute, "inn", "INN"},
		{"1.2.643.100.3", KindAttribute, "snils", "SNILS"},
		{"1.2.643.100.1", KindAttribute, "ogrn", "OGRN"},
		{"1.2.643.100.5", KindAttribute, "ogrnip", "OGRNIP"},
		{"1.2.643.100.4", KindAttribute, "innle", "INNLE"},
		{"1.2.643.100.111", KindExtension, "subject-sign-tool", "subjectSignTool"},
		{"1.2.643.100.112", KindExtension, "issuer-sign-tool", "issuerSignTool"},
		{"2.5.29.16", KindExtension, "private-key-usage-period", "privateKeyUsagePeriod"},
		{"2.5.29.19", KindExtension, "basic-constraints", "basicConstraints"},
		{"1.3.6.1.5.5.7.1.1", KindExtension, "authority-info-access", "authorityInfoAccess"},
		{"1.2.643.100.113.1", KindPolicy, "kc1", "KC1"},
		{"1.2.643.100.113.3", KindPolicy, "kc3", "KC3"},
		{"1.2.643.100.113.4", KindPolicy, "kb1", "KB1"},
		{"1.2.643.100.113.6", KindPolicy, "ka1", "KA1"},
		{"1.3.6.1.5.5.7.3.2", KindEKU, "client-auth", "clientAuth"},
		{"1.2.643.7.1.1.1.1", KindAlgorithm, "gost2012-256", "GOST R 34.10-2012 256"},
		{"1.2.643.7.1.1.1.2", KindAlgorithm, "gost2012-512", "GOST R 34.10-2012 512"},
		{"1.2.643.2.2.19", KindAlgorithm, "gost2001", "GOST R 34.10-2001"},
		{"1.2.643.7.1.1.3.2", KindAlgorithm, "gost2012-256-with-streebog256", "GOST R 34.10-2012 256 with GOST R 34.11-2012 256"},
		{"1.2.643.7.1.1.3.3", KindAlgorithm, "gost2012-512-with-streebog512", "GOST R 34.10-2012 512 with GOST R 34.11-2012 512"},
		{"1.2.643.2.2.3", KindAlgorithm, "gost2001-with-gost3411-94", "GOST R 34.10-2001 with GOST R 34.11-94"},
		{"1.2.643.7.1.1.2.2", KindAlgorithm, "streebog256", "GOST R 34.11-2012 256"},
		{"1.2.643.7.1.1.2.3", KindAlgorithm, "streebog512", "GOST R 34.11-2012 512"},
		{"1.2.840.10045.3.1.7", KindParamSet, "p256", "P-256"},
		{"1.2.643.7.1.2.1.1.1", KindParamSet, "tc26-256-a", "id-tc26-gost-3410-2012-256-paramSetA"},
		{"1.2.643.7.1.2.1.1.4", KindParamSet, "tc26-256-d", "id-tc26-gost-3410-2012-256-paramSetD"},
		{"1.2.643.7.1.2.1.2.0", KindParamSet, "tc26-512-test", "id-tc26-gost-3410-2012-512-paramSetTest"},
		{"1.2.643.7.1.2.1.2.3", KindParamSet, "tc26-512-c", "id-tc26-gost-3410-2012-512-paramSetC"},
		{"1.2.643.2.2.35.1", KindParamSet, "cryptopro-a", "id-GostR3410-2001-CryptoPro-A-ParamSet"},
		{"1.2.643.2.2.35.3", KindParamSet, "cryptopro-c", "id-GostR3410-2001-CryptoPro-C-ParamSet"},
		{"1.2.643.2.2.36.0", KindParamSet, "cryptopro-xcha", "id-GostR3410-2001-CryptoPro-XchA-ParamSet"},
		{"1.2.643.2.2.36.1", KindParamSet, "cryptopro-xchb", "id-GostR3410-2001-CryptoPro-XchB-ParamSet"},
	}
	for _, tt := range tests {
		t.Run(tt.dotted, func(t *testing.T) {
			o := parseDotted(t, tt.dotted)
			info, ok := Lookup(o)
			if !ok {
				t.Fatalf("%s is not registered", tt.dotted)
			}
			if info.Kind != tt.kind || info.Key != tt.key || info.Short != tt.short {
				t.Errorf("Lookup(%s) = %+v, want kind %s key %s short %s", tt.dotted, info, tt.kind, tt.key, tt.short)
			}
			if ShortName(o) != tt.short {
				t.Errorf("ShortName(%s) = %q", tt.dotted, ShortName(o))
			}
		})
	}
}

func TestUnknownOID(t *testing.T) {
	o := asn1.ObjectIdentifier{1, 2, 3, 4, 5}
	if _, ok := Lookup(o); ok {
		t.Fatal("1.2.3.4.5 should be unknown")
	}
	if got := ShortName(o); got != "1.2.3.4.5" {
		t.Errorf("ShortName = %q, want the dotted form", got)
	}
	if _, ok := ByKey(KindAttribute, "no-such-key"); ok {
		t.Error("ByKey found a key that does not exist")
	}
}

// A caller changing a returned OID must not change the registry.
func TestLookupReturnsCopies(t *testing.T) {
	info, _ := Lookup(INN)
	info.OID[0] = 9
	again, ok := Lookup(asn1.ObjectIdentifier{1, 2, 643, 3, 131, 1, 1})
	if !ok || again.Key != "inn" {
		t.Fatal("registry was changed through a returned Info")
	}
}

func parseDotted(t *testing.T, s string) asn1.ObjectIdentifier {
	t.Helper()
	var o asn1.ObjectIdentifier
	for _, part := range strings.Split(s, ".") {
		n := 0
		for _, r := range part {
			if r < '0' || r > '9' {
				t.Fatalf("bad OID %q", s)
			}
			n = n*10 + int(r-'0')
		}
		o = append(o, n)
	}
	return o
}
