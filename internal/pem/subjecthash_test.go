package pem

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"fmt"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/trustform/trustform/internal/testutil"
)

// nameCorpus covers what X509_NAME_hash canonicalises: string types, case,
// whitespace, non-ASCII, multi-valued RDNs in non-DER order.
func nameCorpus(t *testing.T) map[string][]byte {
	long := strings.Repeat("Long Name Part ", 12)
	return map[string][]byte{
		"printable": rawName(t,
			[]atv{{oidC, tagPrintableString, []byte("US")}},
			[]atv{{oidO, tagPrintableString, []byte("Example Corp")}},
			[]atv{{oidCN, tagPrintableString, []byte("Example Root CA")}}),
		"mixed case and spaces": rawName(t,
			[]atv{{oidO, tagUTF8String, []byte("  Foo   BAR\tBaz  ")}},
			[]atv{{oidCN, tagPrintableString, []byte(" MiXeD   Case  ROOT ")}}),
		"control whitespace": rawName(t,
			[]atv{{oidCN, tagUTF8String, []byte("\v\fA\r\n  B\t")}}),
		"utf8 accents": rawName(t,
			[]atv{{oidO, tagUTF8String, []byte("Société Générale")}},
			[]atv{{oidCN, tagUTF8String, []byte("ÉCOLE Racine Été")}}),
		"cjk": rawName(t,
			[]atv{{oidC, tagPrintableString, []byte("CN")}},
			[]atv{{oidCN, tagUTF8String, []byte("中国  根证书 CA")}}),
		"nbsp kept": rawName(t,
			[]atv{{oidCN, tagUTF8String, []byte("A\u00a0\u00a0B  C")}}),
		"multi-valued unsorted": rawName(t,
			[]atv{{oidC, tagPrintableString, []byte("DE")}},
			[]atv{{oidOU, tagUTF8String, []byte("Zulu Unit")}, {oidO, tagPrintableString, []byte("ALPHA org")}, {oidCN, tagUTF8String, []byte("Mike")}}),
		"multi-valued same type": rawName(t,
			[]atv{{oidOU, tagUTF8String, []byte("b")}, {oidOU, tagUTF8String, []byte("A longer one")}, {oidOU, tagPrintableString, []byte("C")}}),
		"multi-valued mixed string types": rawName(t,
			[]atv{{oidCN, tagPrintableString, []byte("SAME")}, {oidCN, tagUTF8String, []byte("same ")}}),
		"bmp": rawName(t,
			[]atv{{oidO, tagBMPString, bmp("Ünïcode  BMP Org")}},
			[]atv{{oidCN, tagBMPString, bmp(" 日本 Root ")}}),
		"ia5 email": rawName(t,
			[]atv{{oidCN, tagUTF8String, []byte("Mail Root")}},
			[]atv{{oidEmail, tagIA5String, []byte("Admin@Example.COM")}}),
		"t61 latin1": rawName(t,
			[]atv{{oidCN, tagT61String, []byte("Caf\xe9 ROOT")}}),
		"numeric kept": rawName(t,
			[]atv{{oidSN, tagNumericString, []byte(" 12  34 ")}},
			[]atv{{oidCN, tagUTF8String, []byte("Numbered")}}),
		"long value": rawName(t,
			[]atv{{oidCN, tagUTF8String, []byte(long)}},
			[]atv{{oidO, tagUTF8String, []byte(long + long)}}),
		"empty value": rawName(t,
			[]atv{{oidO, tagUTF8String, []byte("   ")}},
			[]atv{{oidCN, tagUTF8String, []byte("x")}}),
		"empty name": rawName(t),
		// Go cannot parse these two, but OpenSSL may; nameHash must agree.
		"universal string": rawName(t,
			[]atv{{oidCN, tagUniversalString, ucs4("Ünï  ROOT 𝄞")}}),
		"visible string": rawName(t,
			[]atv{{oidCN, tagVisibleString, []byte("Visible  ROOT")}}),
	}
}

const tagNumericString = 18

// certWithRawSubject signs a self-signed CA whose subject bytes are exactly
// raw, without parsing it back (Go refuses some string types).
func certWithRawSubject(t *testing.T, raw []byte) []byte {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		RawSubject:            raw,
		NotBefore:             testNow.Add(-1e9),
		NotAfter:              testNow.Add(1e15),
		BasicConstraintsValid: true,
		IsCA:                  true,
		KeyUsage:              x509.KeyUsageCertSign,
	}
	if len(raw) == 2 { // empty subject needs a SAN to be a valid certificate
		tmpl.DNSNames = []string{"empty.example"}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	return der
}

func TestSubjectHashMatchesOpenSSL(t *testing.T) {
	openssl := testutil.NeedTool(t, "openssl", "apt-get install -y openssl")
	dir := t.TempDir()
	for name, raw := range nameCorpus(t) {
		t.Run(name, func(t *testing.T) {
			der := certWithRawSubject(t, raw)
			file := filepath.Join(dir, strings.ReplaceAll(name, " ", "_")+".pem")
			if err := os.WriteFile(file, []byte(pemOf(der, "CERTIFICATE")), 0o644); err != nil {
				t.Fatal(err)
			}
			out, err := exec.Command(openssl, "x509", "-noout", "-subject_hash", "-in", file).CombinedOutput()
			if err != nil {
				// OpenSSL's name decoder does not accept every string
				// type (VisibleString); nothing to compare against then.
				t.Skipf("openssl cannot read this name: %v: %s", err, out)
			}
			want := strings.TrimSpace(string(out))
			got, err := nameHash(raw)
			if err != nil {
				t.Fatalf("nameHash: %v", err)
			}
			if fmt.Sprintf("%08x", got) != want {
				t.Errorf("hash = %08x, openssl says %s", got, want)
			}
			if cert, err := x509.ParseCertificate(der); err == nil {
				h, err := NewCertificate(cert, "s", 0).SubjectHash()
				if err != nil || h != got {
					t.Errorf("SubjectHash = %08x, %v; want %08x", h, err, got)
				}
			}
		})
	}
}

func TestSubjectHashOfOpenSSLMadeCerts(t *testing.T) {
	// Certificates made by openssl itself from -subj strings, including
	// its own multi-valued RDN syntax (+) and UTF-8.
	openssl := testutil.NeedTool(t, "openssl", "apt-get install -y openssl")
	dir := t.TempDir()
	for i, subj := range []string{
		"/CN=Plain Root",
		"/C=FR/O=Société  Générale/CN=  Racine  ÉTÉ ",
		"/O=Org/OU=Unit B+CN=Name A+OU=Unit a",
		"/CN=中文 名称/emailAddress=Root@Example.ORG",
	} {
		key := filepath.Join(dir, strconv.Itoa(i)+".key")
		crt := filepath.Join(dir, strconv.Itoa(i)+".pem")
		cmd := exec.Command(openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
			"-nodes", "-keyout", key, "-out", crt, "-days", "3650", "-utf8", "-multivalue-rdn", "-subj", subj)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("openssl req %q: %v\n%s", subj, err, out)
		}
		out, err := exec.Command(openssl, "x509", "-noout", "-subject_hash", "-in", crt).Output()
		if err != nil {
			t.Fatal(err)
		}
		data, _ := os.ReadFile(crt)
		certs, problems := Parse(data, crt, Options{})
		if len(certs) != 1 {
			t.Fatalf("%q: %v", subj, problems)
		}
		h, err := certs[0].SubjectHash()
		if err != nil {
			t.Fatal(err)
		}
		if got, want := fmt.Sprintf("%08x", h), strings.TrimSpace(string(out)); got != want {
			t.Errorf("%q: hash %s, openssl says %s", subj, got, want)
		}
	}
}

func TestSubjectHashEquivalentNames(t *testing.T) {
	// Names that differ only in what canonicalisation removes hash alike;
	// a real difference does not.
	a := rawName(t, []atv{{oidO, tagPrintableString, []byte("ACME  Corp")}},
		[]atv{{oidCN, tagUTF8String, []byte("b")}, {oidOU, tagUTF8String, []byte("a")}})
	b := rawName(t, []atv{{oidO, tagUTF8String, []byte(" acme corp ")}},
		[]atv{{oidOU, tagBMPString, bmp("A")}, {oidCN, tagUTF8String, []byte("B")}})
	c := rawName(t, []atv{{oidO, tagUTF8String, []byte("acme corp")}},
		[]atv{{oidOU, tagUTF8String, []byte("a")}}, []atv{{oidCN, tagUTF8String, []byte("b")}})
	ha, err1 := nameHash(a)
	hb, err2 := nameHash(b)
	hc, err3 := nameHash(c)
	if err1 != nil || err2 != nil || err3 != nil {
		t.Fatal(err1, err2, err3)
	}
	if ha != hb {
		t.Errorf("equivalent names hash %08x and %08x", ha, hb)
	}
	if ha == hc {
		t.Errorf("split RDN hashes like multi-valued RDN")
	}
}

func TestSubjectHashRejectsBadNames(t *testing.T) {
	for name, raw := range map[string][]byte{
		"not DER":         {0x30, 0x05, 1},
		"bad utf8":        rawName(t, []atv{{oidCN, tagUTF8String, []byte{0xff, 0xfe}}}),
		"odd BMP":         rawName(t, []atv{{oidCN, tagBMPString, []byte{0, 'a', 0}}}),
		"surrogate BMP":   rawName(t, []atv{{oidCN, tagBMPString, []byte{0xd8, 0x00}}}),
		"trailing":        append(rawName(t), 0),
		"set not a set":   {0x30, 0x02, 0x30, 0x00},
		"empty sequence?": {0x31, 0x00},
	} {
		if _, err := nameHash(raw); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if _, err := (&Certificate{}).SubjectHash(); err == nil {
		t.Error("nil X509: no error")
	}
}
