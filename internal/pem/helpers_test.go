package pem

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	stdpem "encoding/pem"
	"math/big"
	"strings"
	"testing"
	"time"
)

// testNow is the fixed clock of these tests; generated certificates are
// valid around it.
var testNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

type certOpts struct {
	name       string // common name, when rawSubject is nil
	rawSubject []byte
	isCA       bool
	notBefore  time.Time
	notAfter   time.Time
	parent     *x509.Certificate
	parentKey  *ecdsa.PrivateKey
}

// makeCert creates a certificate; by default a self-signed CA valid for a
// year around testNow.
func makeCert(t testing.TB, o certOpts) (*x509.Certificate, *ecdsa.PrivateKey) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	if o.notBefore.IsZero() {
		o.notBefore = testNow.Add(-24 * time.Hour)
	}
	if o.notAfter.IsZero() {
		o.notAfter = testNow.Add(365 * 24 * time.Hour)
	}
	serial, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 100))
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: o.name, Organization: []string{"trustform tests"}},
		RawSubject:            o.rawSubject,
		NotBefore:             o.notBefore,
		NotAfter:              o.notAfter,
		BasicConstraintsValid: true,
		IsCA:                  o.isCA,
	}
	if o.isCA {
		tmpl.KeyUsage = x509.KeyUsageCertSign | x509.KeyUsageCRLSign
	} else {
		tmpl.KeyUsage = x509.KeyUsageDigitalSignature
		tmpl.DNSNames = []string{"example.test"}
	}
	parent, parentKey := tmpl, key
	if o.parent != nil {
		parent, parentKey = o.parent, o.parentKey
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, parentKey)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return cert, key
}

func pemOf(der []byte, typ string) string {
	return string(stdpem.EncodeToMemory(&stdpem.Block{Type: typ, Bytes: der}))
}

// atv is one attribute of a hand-built name, so tests control string types
// and multi-valued RDNs, which pkix.Name cannot express.
type atv struct {
	oid   asn1.ObjectIdentifier
	tag   byte
	value []byte
}

var (
	oidCN    = asn1.ObjectIdentifier{2, 5, 4, 3}
	oidO     = asn1.ObjectIdentifier{2, 5, 4, 10}
	oidOU    = asn1.ObjectIdentifier{2, 5, 4, 11}
	oidC     = asn1.ObjectIdentifier{2, 5, 4, 6}
	oidSN    = asn1.ObjectIdentifier{2, 5, 4, 5}
	oidEmail = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 1}
)

// rawName encodes RDNs in the order given; within a multi-valued RDN the
// attributes are kept in the given (possibly non-DER) order on purpose.
func rawName(t testing.TB, rdns ...[]atv) []byte {
	t.Helper()
	var seq []byte
	for _, rdn := range rdns {
		var set []byte
		for _, a := range rdn {
			oid, err := asn1.Marshal(a.oid)
			if err != nil {
				t.Fatal(err)
			}
			set = appendTLV(set, 0x30, append(oid, appendTLV(nil, a.tag, a.value)...))
		}
		seq = appendTLV(seq, 0x31, set)
	}
	return appendTLV(nil, 0x30, seq)
}

func bmp(s string) []byte {
	var b []byte
	for _, r := range s {
		b = append(b, byte(r>>8), byte(r))
	}
	return b
}

func ucs4(s string) []byte {
	var b []byte
	for _, r := range s {
		b = append(b, byte(r>>24), byte(r>>16), byte(r>>8), byte(r))
	}
	return b
}

func joinLines(lines []string, eol string) string { return strings.Join(lines, eol) + eol }
