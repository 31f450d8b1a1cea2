package pem

import (
	"bytes"
	"strings"
	"testing"
)

func FuzzParse(f *testing.F) {
	ca, _ := makeCert(f, certOpts{name: "Fuzz Root", isCA: true})
	p := pemOf(ca.Raw, "CERTIFICATE")
	f.Add([]byte(p))
	f.Add([]byte(strings.ReplaceAll(p, "\n", "\r\n")))
	f.Add([]byte(strings.ReplaceAll(p, "\n", "\r")))
	f.Add([]byte("\uFEFF" + p + "text\n" + p))
	f.Add(ca.Raw)
	f.Add(ca.Raw[:len(ca.Raw)/2])
	f.Add([]byte(p[:len(p)/2]))
	f.Add([]byte(pemOf(trustedCert(f, ca.Raw), "TRUSTED CERTIFICATE")))
	f.Add([]byte("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"))
	f.Add([]byte("-----BEGIN CERTIFICATE-----\nProc-Type: 4\n\nAA==\n-----END X-----\n-----BEGIN  -----"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		orig := bytes.Clone(data)
		certs, problems := Parse(data, "fuzz", Options{Now: testNow})
		if !bytes.Equal(data, orig) {
			t.Fatal("Parse modified its input")
		}
		if len(certs) == 0 && !HasErrors(problems) {
			// Only expiry may leave the result empty without an error.
			for _, pr := range problems {
				if !strings.Contains(pr.Summary, "left out") && !strings.Contains(pr.Summary, "ignored") {
					t.Fatalf("no certificate and no error: %v", problems)
				}
			}
		}
		for _, c := range certs {
			again, _ := Parse(c.PEM(), "again", Options{})
			if len(again) != 1 || again[0].SHA256 != c.SHA256 {
				t.Fatal("normalised PEM does not parse back")
			}
			_, _ = c.SubjectHash()
		}
		if _, err := HashLinks(certs); err != nil && len(certs) > 0 {
			t.Logf("HashLinks: %v", err)
		}
	})
}

// BenchmarkParse150 parses a bundle the size of a distribution's CA file.
func BenchmarkParse150(b *testing.B) {
	var buf bytes.Buffer
	for i := 0; i < 150; i++ {
		ca, _ := makeCert(b, certOpts{name: "Bench Root", isCA: true})
		buf.WriteString("# comment\n")
		buf.WriteString(pemOf(ca.Raw, "CERTIFICATE"))
	}
	data := buf.Bytes()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		certs, problems := Parse(data, "bundle", Options{Now: testNow})
		if len(certs) != 150 || len(problems) != 0 {
			b.Fatalf("%d certs, %v", len(certs), problems)
		}
	}
}

// BenchmarkHashLinks150 measures naming a certs/ directory of 150 entries.
func BenchmarkHashLinks150(b *testing.B) {
	var certs []*Certificate
	for i := 0; i < 150; i++ {
		ca, _ := makeCert(b, certOpts{name: "Bench Root", isCA: true})
		certs = append(certs, NewCertificate(ca, "s", 0))
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := HashLinks(certs); err != nil {
			b.Fatal(err)
		}
	}
}
