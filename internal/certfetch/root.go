package certfetch

import (
	"bytes"
	"crypto/x509"
	"time"
)

// Analysis says which certificate is the chain's root and whether the
// system already trusts the chain.
type Analysis struct {
	// Root is the certificate to trust: the chain's self-signed top, or
	// the system certificate that issued the top; nil when neither.
	Root *x509.Certificate
	// RootIndex is Root's position in the chain, -1 when it came from the
	// system store (or is nil).
	RootIndex int
	// Top is the last certificate the server sent.
	Top *x509.Certificate
	// TopSelfSigned says the server sent its root.
	TopSelfSigned bool
	// RootInSystem says the system store holds Root already.
	RootInSystem bool
	// SystemTrusts says the chain verifies against the system store for
	// the host; SystemErr says why not.
	SystemTrusts bool
	SystemErr    error
}

// SelfSigned reports whether c is signed by its own key under its own
// name (a root, or a self-signed server certificate).
func SelfSigned(c *x509.Certificate) bool {
	return bytes.Equal(c.RawSubject, c.RawIssuer) &&
		c.CheckSignature(c.SignatureAlgorithm, c.RawTBSCertificate, c.Signature) == nil
}

// Analyze picks the root of chain and checks it against the system store
// (system: its certificates) for host at now.
func Analyze(chain []*x509.Certificate, host string, system []*x509.Certificate, now time.Time) Analysis {
	a := Analysis{RootIndex: -1}
	if len(chain) == 0 {
		return a
	}
	a.Top = chain[len(chain)-1]
	if SelfSigned(a.Top) {
		a.TopSelfSigned = true
		a.Root = a.Top
		a.RootIndex = len(chain) - 1
		for _, s := range system {
			if bytes.Equal(s.Raw, a.Top.Raw) {
				a.RootInSystem = true
				break
			}
		}
	} else {
		for _, s := range system {
			if bytes.Equal(s.RawSubject, a.Top.RawIssuer) && a.Top.CheckSignatureFrom(s) == nil {
				a.Root = s
				a.RootInSystem = true
				break
			}
		}
	}
	pool := x509.NewCertPool()
	for _, s := range system {
		pool.AddCert(s)
	}
	inter := x509.NewCertPool()
	for _, c := range chain[1:] {
		inter.AddCert(c)
	}
	_, err := chain[0].Verify(x509.VerifyOptions{
		DNSName:       host,
		Roots:         pool,
		Intermediates: inter,
		CurrentTime:   now,
	})
	a.SystemTrusts, a.SystemErr = err == nil, err
	return a
}
