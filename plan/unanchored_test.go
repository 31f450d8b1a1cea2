package plan

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/hcl/v2"

	"github.com/trustform/trustform/internal/pem"
	"github.com/trustform/trustform/lang"
)

// A collection holding an intermediate CA without its root gets a warning
// naming the runtimes that reject such an anchor (measured: node 20,
// Python 3.11, Ruby 3.1 and PHP 8.2 fail with "unable to get issuer
// certificate"; curl 7.88 accepts it); with the root beside it, none.
func TestIntermediateWithoutIssuerWarned(t *testing.T) {
	now := time.Now()
	key := func() *ecdsa.PrivateKey {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	rootKey, intKey := key(), key()
	tmpl := func(cn string, serial int64) *x509.Certificate {
		return &x509.Certificate{SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: cn},
			NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour), IsCA: true, BasicConstraintsValid: true,
			KeyUsage: x509.KeyUsageCertSign}
	}
	rootDER, err := x509.CreateCertificate(rand.Reader, tmpl("test root", 1), tmpl("test root", 1), &rootKey.PublicKey, rootKey)
	if err != nil {
		t.Fatal(err)
	}
	root, _ := x509.ParseCertificate(rootDER)
	intDER, err := x509.CreateCertificate(rand.Reader, tmpl("test intermediate", 2), root, &intKey.PublicKey, rootKey)
	if err != nil {
		t.Fatal(err)
	}
	inter, _ := x509.ParseCertificate(intDER)
	for _, tt := range []struct {
		name  string
		certs []*x509.Certificate
		warn  bool
	}{
		{"intermediate only", []*x509.Certificate{inter}, true},
		{"with its root", []*x509.Certificate{inter, root}, false},
	} {
		cfg := testConfig(t, res("node_app", "web", withCollections("only")))
		col := &lang.Collection{Name: "only"}
		for i, c := range tt.certs {
			col.Certificates = append(col.Certificates, pem.NewCertificate(c, "only.pem", i+1))
		}
		cfg.Collections["only"] = col
		_, diags := Build(input(cfg, newFakeHost(t).host(nil)))
		var got bool
		for _, d := range diags {
			if d.Severity == hcl.DiagWarning && d.Summary == "Intermediate CA without its issuer" {
				got = strings.Contains(d.Detail, `"test intermediate"`) && strings.Contains(d.Detail, "Node.js, Python")
			}
		}
		if got != tt.warn {
			t.Errorf("%s: warned = %v, want %v (%v)", tt.name, got, tt.warn, diags)
		}
	}
}
