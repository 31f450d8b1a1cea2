package plan

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"fmt"
	"math/big"
	"testing"
	"time"

	"github.com/trustform/trustform/internal/pem"
	"github.com/trustform/trustform/lang"
)

// genCerts makes n self-signed CA certificates.
func genCerts(tb testing.TB, n int) []*pem.Certificate {
	tb.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	out := make([]*pem.Certificate, n)
	for i := range out {
		tmpl := &x509.Certificate{
			SerialNumber:          big.NewInt(int64(i + 1)),
			Subject:               pkix.Name{CommonName: fmt.Sprintf("Bench Root %03d", i), Organization: []string{"Bench"}},
			NotBefore:             time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC),
			NotAfter:              time.Date(2045, 1, 1, 0, 0, 0, 0, time.UTC),
			IsCA:                  true,
			BasicConstraintsValid: true,
			KeyUsage:              x509.KeyUsageCertSign,
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
		if err != nil {
			tb.Fatal(err)
		}
		x, err := x509.ParseCertificate(der)
		if err != nil {
			tb.Fatal(err)
		}
		sum := sha256.Sum256(der)
		out[i] = &pem.Certificate{X509: x, DER: der, SHA256: hex.EncodeToString(sum[:]), Source: "bench"}
	}
	return out
}

// benchInput is n executables sharing one 150-certificate collection,
// developer certificate trust off.
func benchInput(b *testing.B, n int) *Input {
	certs := genCerts(b, 150)
	rs := make([]*lang.Resource, n)
	for i := range rs {
		rs[i] = res("executable", fmt.Sprintf("svc%05d", i), withCollections("big"), withArgs("--id", fmt.Sprint(i)))
	}
	cfg := testConfig(b, rs...)
	cfg.Collections["big"] = &lang.Collection{Name: "big", Certificates: certs}
	return input(cfg, newFakeHost(b).host(map[string]string{"PATH": "/usr/bin"}))
}

func benchmarkBuild(b *testing.B, n int) {
	in := benchInput(b, n)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		p, diags := Build(in)
		if diags.HasErrors() || len(p.Changes) != n {
			b.Fatalf("Build: %v", diags)
		}
	}
}

func BenchmarkBuild1000(b *testing.B) { benchmarkBuild(b, 1000) }
func BenchmarkBuild5000(b *testing.B) { benchmarkBuild(b, 5000) }

// TestSharedMaterialComputedOnce pins the property the benchmarks rely
// on: resources with the same certificate list share one material.
func TestSharedMaterialComputedOnce(t *testing.T) {
	certs := genCerts(t, 20)
	var rs []*lang.Resource
	for i := 0; i < 30; i++ {
		rs = append(rs, res("executable", fmt.Sprintf("e%02d", i), withCollections("big")))
	}
	cfg := testConfig(t, rs...)
	cfg.Collections["big"] = &lang.Collection{Name: "big", Certificates: certs}
	p := &planner{in: input(cfg, newFakeHost(t).host(nil)), cfg: cfg, plan: &Plan{Blobs: map[string][]byte{}}, reloc: newRelocator(cfg.Dir)}
	p.mat = newMaterials(p.plan.Blobs)
	var first *lang.Resource
	for _, r := range cfg.Resources {
		if _, _, d := p.resourceSpec(r); d.HasErrors() {
			t.Fatal(d)
		}
		if first == nil {
			first = r
		}
	}
	if len(p.mat.byList) != 1 {
		t.Errorf("%d materials for one certificate list", len(p.mat.byList))
	}
	if len(p.setOrder) != 1 {
		t.Errorf("%d trust sets for one certificate list", len(p.setOrder))
	}
	if len(p.plan.Blobs) != 21 {
		t.Errorf("%d blobs, want one bundle and 20 certificates", len(p.plan.Blobs))
	}
}

// BenchmarkBuild1000NoOp re-plans 1,000 applied resources: the diff
// against state is part of every plan after the first.
func BenchmarkBuild1000NoOp(b *testing.B) {
	in := benchInput(b, 1000)
	first, diags := Build(in)
	if diags.HasErrors() {
		b.Fatal(diags)
	}
	in = withState(in, stateFrom(b, first, 1))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		p, diags := Build(in)
		if diags.HasErrors() || p.Changes[0].Action != NoOp {
			b.Fatalf("Build: %v", diags)
		}
	}
}
