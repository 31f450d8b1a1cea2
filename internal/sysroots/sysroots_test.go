package sysroots

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	stdpem "encoding/pem"
	"math/big"
	"testing"
	"time"

	"github.com/trustform/trustform/internal/pem"
)

var testNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func rootPEM(t *testing.T, cn string, notAfter time.Time) []byte {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: cn},
		NotBefore:             testNow.Add(-100 * 24 * time.Hour),
		NotAfter:              notAfter,
		BasicConstraintsValid: true,
		IsCA:                  true,
		KeyUsage:              x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return stdpem.EncodeToMemory(&stdpem.Block{Type: "CERTIFICATE", Bytes: der})
}

func names(certs []*pem.Certificate) []string {
	var out []string
	for _, c := range certs {
		out = append(out, c.X509.Subject.CommonName)
	}
	return out
}

func TestParseInputsSkipsQuietly(t *testing.T) {
	good := rootPEM(t, "Good", testNow.Add(time.Hour))
	old := rootPEM(t, "Old", testNow.Add(-time.Hour))
	broken := []byte("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")
	inputs := []input{
		{append(append(append([]byte{}, old...), broken...), good...), "bundle"},
		{good, "again"},
	}
	got := names(parseInputs(inputs, testNow))
	if len(got) != 1 || got[0] != "Good" {
		t.Fatalf("got %v, want only Good once", got)
	}
	if all := parseInputs(inputs, time.Time{}); len(all) != 2 {
		t.Fatalf("without a time: %v, want Old and Good", names(all))
	}
}
