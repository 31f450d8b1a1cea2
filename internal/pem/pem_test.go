package pem

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"encoding/hex"
	stdpem "encoding/pem"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/trustform/trustform/internal/testutil"
)

// bundleLines returns a bundle with text around two certificates as lines,
// and the 1-based line numbers of the BEGIN lines.
func bundleLines(t *testing.T) (lines []string, begins []int, certs []*x509.Certificate) {
	a, _ := makeCert(t, certOpts{name: "Root A", isCA: true})
	b, _ := makeCert(t, certOpts{name: "Root B", isCA: true})
	lines = []string{"Bag Attributes", "    friendlyName: Root A", "subject=CN=Root A", ""}
	begins = append(begins, len(lines)+1)
	lines = append(lines, strings.Split(strings.TrimSuffix(pemOf(a.Raw, "CERTIFICATE"), "\n"), "\n")...)
	lines = append(lines, "", "# a comment", "")
	begins = append(begins, len(lines)+1)
	lines = append(lines, strings.Split(strings.TrimSuffix(pemOf(b.Raw, "CERTIFICATE"), "\n"), "\n")...)
	lines = append(lines, "trailing text")
	return lines, begins, []*x509.Certificate{a, b}
}

func TestParseLineEndings(t *testing.T) {
	lines, begins, want := bundleLines(t)
	for _, tc := range []struct {
		name string
		data string
	}{
		{"LF", joinLines(lines, "\n")},
		{"CRLF", joinLines(lines, "\r\n")},
		{"CR", joinLines(lines, "\r")},
		{"BOM+CRLF", "\uFEFF" + joinLines(lines, "\r\n")},
		{"BOM+LF no final newline", "\uFEFF" + strings.Join(lines, "\n")},
		{"indented", "  " + strings.Join(lines, "\n  ") + "\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			certs, problems := Parse([]byte(tc.data), "bundle.pem", Options{Now: testNow})
			if len(problems) != 0 {
				t.Fatalf("problems: %v", problems)
			}
			if len(certs) != len(want) {
				t.Fatalf("got %d certificates, want %d", len(certs), len(want))
			}
			for i, c := range certs {
				if !bytes.Equal(c.DER, want[i].Raw) {
					t.Errorf("cert %d: DER differs", i)
				}
				if c.Line != begins[i] {
					t.Errorf("cert %d: Line = %d, want %d", i, c.Line, begins[i])
				}
				if c.Source != "bundle.pem" {
					t.Errorf("cert %d: Source = %q", i, c.Source)
				}
				sum := sha256.Sum256(want[i].Raw)
				if c.SHA256 != hex.EncodeToString(sum[:]) {
					t.Errorf("cert %d: SHA256 = %s", i, c.SHA256)
				}
			}
		})
	}
}

func TestParseDER(t *testing.T) {
	ca, _ := makeCert(t, certOpts{name: "DER Root", isCA: true})
	certs, problems := Parse(ca.Raw, "root.der", Options{Now: testNow})
	if len(problems) != 0 {
		t.Fatalf("problems: %v", problems)
	}
	if len(certs) != 1 || !bytes.Equal(certs[0].DER, ca.Raw) || certs[0].Line != 0 {
		t.Fatalf("got %+v", certs)
	}
}

// keyBlocks returns PEM private keys of every common type.
func keyBlocks(t *testing.T) map[string][]byte {
	ek, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	rk, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	pkcs8, _ := x509.MarshalPKCS8PrivateKey(ek)
	sec1, _ := x509.MarshalECPrivateKey(ek)
	random := make([]byte, 300)
	rand.Read(random)
	return map[string][]byte{
		"PRIVATE KEY":           pkcs8,
		"EC PRIVATE KEY":        sec1,
		"RSA PRIVATE KEY":       x509.MarshalPKCS1PrivateKey(rk),
		"ENCRYPTED PRIVATE KEY": random,
		"OPENSSH PRIVATE KEY":   random,
		"DSA PRIVATE KEY":       random,
	}
}

// leaks reports any 12-character run of the key's base64 that appears in a
// problem, or the key's raw bytes.
func leaks(problems []Problem, keyPEM string, der []byte) string {
	var body strings.Builder
	for _, l := range strings.Split(keyPEM, "\n") {
		if !strings.HasPrefix(l, "-----") {
			body.WriteString(l)
		}
	}
	b64 := body.String()
	for _, p := range problems {
		text := fmt.Sprintf("%s %s %s %#v", p.Summary, p.Detail, p.Source, p)
		for i := 0; i+12 <= len(b64); i++ {
			if strings.Contains(text, b64[i:i+12]) {
				return b64[i : i+12]
			}
		}
		if len(der) >= 16 && strings.Contains(text, string(der[8:16])) {
			return "raw bytes"
		}
	}
	return ""
}

func TestParsePrivateKeyIsErrorWithLine(t *testing.T) {
	ca, _ := makeCert(t, certOpts{name: "Root", isCA: true})
	for typ, der := range keyBlocks(t) {
		for _, eol := range []string{"\n", "\r\n", "\r"} {
			t.Run(fmt.Sprintf("%s/%q", typ, eol), func(t *testing.T) {
				keyPEM := pemOf(der, typ)
				lines := []string{"header"}
				lines = append(lines, strings.Split(strings.TrimSuffix(pemOf(ca.Raw, "CERTIFICATE"), "\n"), "\n")...)
				keyLine := len(lines) + 1
				lines = append(lines, strings.Split(strings.TrimSuffix(keyPEM, "\n"), "\n")...)
				certs, problems := Parse([]byte(joinLines(lines, eol)), "mixed.pem", Options{Now: testNow})
				if len(certs) != 1 {
					t.Errorf("certificate next to the key: got %d, want 1", len(certs))
				}
				if len(problems) != 1 || problems[0].Severity != Error {
					t.Fatalf("problems = %v, want one error", problems)
				}
				p := problems[0]
				want := fmt.Sprintf("private key in mixed.pem line %d: keys are never copied into trust material; remove it", keyLine)
				if p.Summary != want || p.Line != keyLine || p.Source != "mixed.pem" {
					t.Errorf("got %+v\nwant summary %q", p, want)
				}
				if l := leaks(problems, keyPEM, der); l != "" {
					t.Errorf("problem text contains key material %q", l)
				}
			})
		}
	}
}

func TestParseBrokenKeyBlocksNeverLeak(t *testing.T) {
	// A key block with bad base64 or no END line must still be reported
	// as a key, and nothing of it may be quoted.
	der := keyBlocks(t)["PRIVATE KEY"]
	keyPEM := pemOf(der, "PRIVATE KEY")
	for name, data := range map[string]string{
		"truncated":  keyPEM[:len(keyPEM)/2],
		"bad base64": strings.Replace(keyPEM, "\n", "\n!!", 3),
	} {
		t.Run(name, func(t *testing.T) {
			_, problems := Parse([]byte(data), "k.pem", Options{Now: testNow})
			if len(problems) != 1 || !strings.HasPrefix(problems[0].Summary, "private key in k.pem line 1:") {
				t.Fatalf("problems = %v", problems)
			}
			if l := leaks(problems, keyPEM, der); l != "" {
				t.Errorf("leak %q", l)
			}
		})
	}
}

func TestParseDERPrivateKey(t *testing.T) {
	der := keyBlocks(t)["PRIVATE KEY"]
	certs, problems := Parse(der, "key.der", Options{Now: testNow})
	if len(certs) != 0 || len(problems) != 1 || problems[0].Severity != Error ||
		!strings.HasPrefix(problems[0].Summary, "private key in key.der:") {
		t.Fatalf("certs=%d problems=%v", len(certs), problems)
	}
	if l := leaks(problems, pemOf(der, "PRIVATE KEY"), der); l != "" {
		t.Errorf("leak %q", l)
	}
}

func TestParseBrokenBlocks(t *testing.T) {
	good, _ := makeCert(t, certOpts{name: "Good", isCA: true})
	goodPEM := pemOf(good.Raw, "CERTIFICATE")
	other, _ := makeCert(t, certOpts{name: "Other", isCA: true})
	otherPEM := pemOf(other.Raw, "CERTIFICATE")
	garbage := pemOf([]byte("this is not DER at all"), "CERTIFICATE")
	for _, tc := range []struct {
		name, data string
		line       int
		want       string
	}{
		{"bad base64", "x\n" + strings.Replace(otherPEM, "\n", "\n*", 2) + goodPEM, 2, "base64"},
		{"not DER", "x\ny\n" + garbage + goodPEM, 3, "does not parse"},
		{"no END, then a good block", strings.Join(strings.Split(otherPEM, "\n")[:5], "\n") + "\n" + goodPEM, 1, "no END line"},
		{"END of another type", strings.Replace(otherPEM, "END CERTIFICATE", "END X509 CRL", 1) + goodPEM, 1, `"X509 CRL"`},
		{"trailing data in DER", pemOf(append(append([]byte{}, other.Raw...), 0, 0), "CERTIFICATE") + goodPEM, 1, "does not parse"},
		{"empty body", "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n" + goodPEM, 1, "empty"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			certs, problems := Parse([]byte(tc.data), "in.pem", Options{Now: testNow})
			if len(certs) != 1 || !bytes.Equal(certs[0].DER, good.Raw) {
				t.Errorf("good certificate after the broken block not returned: %d certs", len(certs))
			}
			if len(problems) != 1 {
				t.Fatalf("problems = %v, want 1", problems)
			}
			p := problems[0]
			prefix := fmt.Sprintf("in.pem line %d: CERTIFICATE block does not parse: ", tc.line)
			if p.Severity != Error || p.Line != tc.line || !strings.HasPrefix(p.Summary, prefix) || !strings.Contains(p.Summary, tc.want) {
				t.Errorf("got %+v, want error at line %d mentioning %q", p, tc.line, tc.want)
			}
		})
	}
}

// trustedCert builds OpenSSL's TRUSTED CERTIFICATE: the DER followed by an
// X509_CERT_AUX naming serverAuth as a trusted use and an alias.
func trustedCert(t testing.TB, der []byte) []byte {
	aux, err := asn1.Marshal(struct {
		Trust []asn1.ObjectIdentifier
		Alias string `asn1:"utf8"`
	}{[]asn1.ObjectIdentifier{{1, 3, 6, 1, 5, 5, 7, 3, 1}}, "my root"})
	if err != nil {
		t.Fatal(err)
	}
	return append(append([]byte{}, der...), aux...)
}

func TestParseTrustedCertificate(t *testing.T) {
	ca, _ := makeCert(t, certOpts{name: "Trusted Root", isCA: true})
	data := "\n\n" + pemOf(trustedCert(t, ca.Raw), "TRUSTED CERTIFICATE")
	certs, problems := Parse([]byte(data), "t.pem", Options{Now: testNow})
	if len(certs) != 1 || !bytes.Equal(certs[0].DER, ca.Raw) {
		t.Fatalf("certificate not converted: %d certs", len(certs))
	}
	if !strings.Contains(string(certs[0].PEM()), "-----BEGIN CERTIFICATE-----\n") {
		t.Errorf("normalised output is not a plain CERTIFICATE block")
	}
	if len(problems) != 1 || problems[0].Severity != Warning || problems[0].Line != 3 ||
		!strings.Contains(problems[0].Summary, "TRUSTED CERTIFICATE converted") {
		t.Fatalf("problems = %v", problems)
	}
}

func TestParseOtherBlocksWarn(t *testing.T) {
	ca, _ := makeCert(t, certOpts{name: "Root", isCA: true})
	data := pemOf([]byte{1, 2, 3}, "CERTIFICATE REQUEST") + pemOf([]byte{4, 5}, "X509 CRL") + pemOf(ca.Raw, "X509 CERTIFICATE")
	certs, problems := Parse([]byte(data), "o.pem", Options{Now: testNow})
	if len(certs) != 1 {
		t.Fatalf("got %d certs, want the X509 CERTIFICATE one", len(certs))
	}
	if len(problems) != 2 || HasErrors(problems) {
		t.Fatalf("problems = %v, want two warnings", problems)
	}
	if problems[0].Line != 1 || !strings.Contains(problems[0].Summary, "CERTIFICATE REQUEST block ignored") ||
		problems[1].Line != 4 || !strings.Contains(problems[1].Summary, "X509 CRL block ignored") {
		t.Errorf("problems = %v", problems)
	}
}

func TestParseNoCertificate(t *testing.T) {
	for name, data := range map[string]string{
		"empty":      "",
		"whitespace": " \r\n\t\n",
		"BOM only":   "\uFEFF\n",
		"text":       "hello world\n",
		"CSR only":   pemOf([]byte{1, 2, 3}, "CERTIFICATE REQUEST"),
		"binary":     "\x01\x02\x03",
		"bad DER":    "\x30\x03\x02\x01",
	} {
		t.Run(name, func(t *testing.T) {
			certs, problems := Parse([]byte(data), "x.pem", Options{Now: testNow})
			if len(certs) != 0 || !HasErrors(problems) {
				t.Fatalf("certs=%d problems=%v, want an error", len(certs), problems)
			}
			for _, p := range problems {
				if p.Severity == Error && !strings.Contains(p.Summary, "x.pem") {
					t.Errorf("error does not name the source: %q", p.Summary)
				}
			}
		})
	}
}

func TestParseValidity(t *testing.T) {
	expired, _ := makeCert(t, certOpts{name: "Old", isCA: true, notBefore: testNow.Add(-48 * time.Hour), notAfter: testNow.Add(-time.Hour)})
	future, _ := makeCert(t, certOpts{name: "Future", isCA: true, notBefore: testNow.Add(time.Hour), notAfter: testNow.Add(48 * time.Hour)})
	ok, _ := makeCert(t, certOpts{name: "Current", isCA: true})
	data := []byte(pemOf(expired.Raw, "CERTIFICATE") + pemOf(future.Raw, "CERTIFICATE") + pemOf(ok.Raw, "CERTIFICATE"))

	certs, problems := Parse(data, "v.pem", Options{Now: testNow})
	if len(certs) != 1 || certs[0].X509.Subject.CommonName != "Current" {
		t.Fatalf("got %d certs, want only the current one", len(certs))
	}
	if len(problems) != 2 || HasErrors(problems) ||
		!strings.Contains(problems[0].Summary, `"Old" expired on`) ||
		!strings.Contains(problems[1].Summary, `"Future" is not valid before`) {
		t.Fatalf("problems = %v", problems)
	}

	all, problems := Parse(data, "v.pem", Options{})
	if len(all) != 3 || len(problems) != 0 {
		t.Fatalf("zero Now: got %d certs, problems %v; want all 3 and none", len(all), problems)
	}
}

func TestParseNotCA(t *testing.T) {
	ca, caKey := makeCert(t, certOpts{name: "Issuer", isCA: true})
	leaf, _ := makeCert(t, certOpts{name: "leaf.example", parent: ca, parentKey: caKey})
	selfLeaf, _ := makeCert(t, certOpts{name: "self.example"})
	data := []byte(pemOf(leaf.Raw, "CERTIFICATE") + pemOf(selfLeaf.Raw, "CERTIFICATE") + pemOf(ca.Raw, "CERTIFICATE"))
	certs, problems := Parse(data, "n.pem", Options{Now: testNow})
	if len(certs) != 3 {
		t.Fatalf("got %d certs, want 3 (non-CA certificates are kept)", len(certs))
	}
	if len(problems) != 1 || problems[0].Severity != Warning || problems[0].Line != 1 ||
		!strings.Contains(problems[0].Summary, `"leaf.example" is not a CA and not self-signed`) {
		t.Fatalf("problems = %v", problems)
	}
}

func TestParseDuplicates(t *testing.T) {
	a, _ := makeCert(t, certOpts{name: "A", isCA: true})
	b, _ := makeCert(t, certOpts{name: "B", isCA: true})
	pa, pb := pemOf(a.Raw, "CERTIFICATE"), pemOf(b.Raw, "CERTIFICATE")
	certs, problems := Parse([]byte(pa+pb+strings.ReplaceAll(pa, "\n", "\r\n")+pb), "d.pem", Options{Now: testNow})
	if len(problems) != 0 {
		t.Fatal(problems)
	}
	if len(certs) != 2 || certs[0].X509.Subject.CommonName != "A" || certs[1].X509.Subject.CommonName != "B" {
		t.Fatalf("got %d certs", len(certs))
	}
	if certs[0].Line != 1 {
		t.Errorf("first occurrence kept: Line = %d, want 1", certs[0].Line)
	}
	merged := Dedup(append(append([]*Certificate{}, certs...), certs[1], certs[0]))
	if len(merged) != 2 || merged[0] != certs[0] || merged[1] != certs[1] {
		t.Errorf("Dedup kept %d, want the first two in order", len(merged))
	}
}

func TestPEMNormalised(t *testing.T) {
	a, _ := makeCert(t, certOpts{name: "A", isCA: true})
	input := "\uFEFF" + strings.ReplaceAll(pemOf(trustedCert(t, a.Raw), "TRUSTED CERTIFICATE"), "\n", "\r")
	certs, _ := Parse([]byte(input), "a.pem", Options{Now: testNow})
	if len(certs) != 1 {
		t.Fatal("no certificate")
	}
	out := certs[0].PEM()
	want := stdpem.EncodeToMemory(&stdpem.Block{Type: "CERTIFICATE", Bytes: a.Raw})
	if !bytes.Equal(out, want) {
		t.Fatalf("PEM() =\n%s\nwant\n%s", out, want)
	}
	if bytes.ContainsAny(out, "\r\uFEFF") {
		t.Error("PEM() contains CR or BOM")
	}
	for _, l := range strings.Split(strings.TrimSuffix(string(out), "\n"), "\n") {
		if len(l) > 64 {
			t.Errorf("line longer than 64: %q", l)
		}
	}
	again, problems := Parse(out, "again", Options{Now: testNow})
	if len(problems) != 0 || len(again) != 1 || again[0].SHA256 != certs[0].SHA256 {
		t.Error("PEM() output does not parse back to the same certificate")
	}
}

func TestBundle(t *testing.T) {
	a, _ := makeCert(t, certOpts{name: "A", isCA: true})
	b, _ := makeCert(t, certOpts{name: "B", isCA: true})
	certs, _ := Parse([]byte(pemOf(b.Raw, "CERTIFICATE")+"text\r\n"+pemOf(a.Raw, "CERTIFICATE")), "s", Options{Now: testNow})
	got := Bundle(certs)
	want := pemOf(b.Raw, "CERTIFICATE") + pemOf(a.Raw, "CERTIFICATE")
	if string(got) != want {
		t.Fatalf("Bundle =\n%s\nwant\n%s", got, want)
	}
	if len(Bundle(nil)) != 0 {
		t.Error("Bundle(nil) not empty")
	}
}

func TestFileName(t *testing.T) {
	a, _ := makeCert(t, certOpts{name: "A", isCA: true})
	c := NewCertificate(a, "s", 0)
	sum := sha256.Sum256(a.Raw)
	if want := hex.EncodeToString(sum[:8]) + ".pem"; c.FileName() != want {
		t.Errorf("FileName = %q, want %q", c.FileName(), want)
	}
}

func TestHashLinks(t *testing.T) {
	// Two different CAs with the same subject collide on purpose.
	x1, _ := makeCert(t, certOpts{name: "Same Name", isCA: true})
	x2, _ := makeCert(t, certOpts{name: "Same Name", isCA: true})
	y, _ := makeCert(t, certOpts{name: "Other Name", isCA: true})
	x3, _ := makeCert(t, certOpts{name: "  SAME   name ", isCA: true}) // same canonical name
	c1, c2, cy, c3 := NewCertificate(x1, "s", 0), NewCertificate(x2, "s", 0), NewCertificate(y, "s", 0), NewCertificate(x3, "s", 0)
	links, err := HashLinks([]*Certificate{c1, cy, c2, c1, c3})
	if err != nil {
		t.Fatal(err)
	}
	hx, _ := c1.SubjectHash()
	hy, _ := cy.SubjectHash()
	want := []HashLink{
		{fmt.Sprintf("%08x.0", hx), c1.FileName()},
		{fmt.Sprintf("%08x.0", hy), cy.FileName()},
		{fmt.Sprintf("%08x.1", hx), c2.FileName()},
		{fmt.Sprintf("%08x.2", hx), c3.FileName()},
	}
	if fmt.Sprint(links) != fmt.Sprint(want) {
		t.Fatalf("HashLinks =\n%v\nwant\n%v", links, want)
	}
	if hx == hy {
		t.Fatal("different subjects hash alike; test is meaningless")
	}
}

func TestCanonicalText(t *testing.T) {
	for in, want := range map[string]string{
		"  Foo   BAR\tBaz  ": "foo bar baz",
		"\v\fA\r\nB \n":      "a b",
		"ÉCOLE Été":          "\u00c9cole \u00c9t\u00e9", // only ASCII letters are lowered
		"a\u00a0\u00a0B":     "a\u00a0\u00a0b",
		"   ":                "",
		"x":                  "x",
	} {
		if got := string(canonicalText([]byte(in))); got != want {
			t.Errorf("canonicalText(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParseKeyLabelledCertificate(t *testing.T) {
	der := keyBlocks(t)["EC PRIVATE KEY"]
	data := pemOf(der, "CERTIFICATE")
	_, problems := Parse([]byte("x\n"+data), "k.pem", Options{Now: testNow})
	if len(problems) != 1 || !strings.HasPrefix(problems[0].Summary, "private key in k.pem line 2:") {
		t.Fatalf("problems = %v", problems)
	}
	if l := leaks(problems, data, der); l != "" {
		t.Errorf("leak %q", l)
	}
}

func TestParseConcatenatedDER(t *testing.T) {
	a, _ := makeCert(t, certOpts{name: "A", isCA: true})
	b, _ := makeCert(t, certOpts{name: "B", isCA: true})
	certs, problems := Parse(append(append([]byte{}, a.Raw...), b.Raw...), "two.der", Options{Now: testNow})
	if len(problems) != 0 || len(certs) != 2 || certs[1].X509.Subject.CommonName != "B" {
		t.Fatalf("certs=%d problems=%v", len(certs), problems)
	}
}

func TestParseOpenSSLTrustedCertificate(t *testing.T) {
	openssl := testutil.NeedTool(t, "openssl", "apt-get install -y openssl")
	ca, _ := makeCert(t, certOpts{name: "Trusted by OpenSSL", isCA: true})
	in := filepath.Join(t.TempDir(), "ca.pem")
	os.WriteFile(in, []byte(pemOf(ca.Raw, "CERTIFICATE")), 0o644)
	out, err := exec.Command(openssl, "x509", "-in", in, "-addtrust", "serverAuth", "-addreject", "clientAuth", "-setalias", "my alias", "-trustout").Output()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(out, []byte("BEGIN TRUSTED CERTIFICATE")) {
		t.Fatalf("openssl did not write a TRUSTED CERTIFICATE:\n%s", out)
	}
	certs, problems := Parse(out, "trusted.pem", Options{Now: testNow})
	if len(certs) != 1 || !bytes.Equal(certs[0].DER, ca.Raw) {
		t.Fatalf("not converted: %d certs, %v", len(certs), problems)
	}
	if len(problems) != 1 || problems[0].Severity != Warning {
		t.Fatalf("problems = %v", problems)
	}
}

func TestParseRejectsNamesOpenSSLCannotRead(t *testing.T) {
	// OpenSSL refuses a certificate whose BMPString holds a surrogate pair,
	// so it must not reach a bundle.
	raw := rawName(t, []atv{{oidCN, tagBMPString, []byte{0, 'A', 0xD8, 0x3D, 0xDE, 0x00}}})
	der := certWithRawSubject(t, raw)
	good, _ := makeCert(t, certOpts{name: "Good", isCA: true})
	certs, problems := Parse([]byte(pemOf(der, "CERTIFICATE")+pemOf(good.Raw, "CERTIFICATE")), "s.pem", Options{Now: testNow})
	if len(certs) != 1 || certs[0].X509.Subject.CommonName != "Good" {
		t.Fatalf("got %d certs", len(certs))
	}
	// Go's parser may refuse it first; either way it is an error.
	if len(problems) != 1 || problems[0].Severity != Error || problems[0].Line != 1 {
		t.Fatalf("problems = %v", problems)
	}
}
