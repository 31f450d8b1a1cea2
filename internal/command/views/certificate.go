package views

import (
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"fmt"
	"io"
	"time"

	"github.com/trustform/trustform/internal/certfetch"
)

// CertificateFetch is the report of `trustform certificate fetch`: the
// chain a server presented, its root, and the block that trusts it. With
// -out=- the PEM is the result on stdout and the report goes to stderr.
type CertificateFetch struct {
	v      *View
	report io.Writer
}

// NewCertificateFetch returns the report view; pemToStdout is -out=-.
func NewCertificateFetch(v *View, pemToStdout bool) *CertificateFetch {
	report := v.Out
	if pemToStdout {
		report = v.Err
	}
	return &CertificateFetch{v: v, report: report}
}

// Chain reports where we connected and every certificate of the chain;
// sysErr says the system store could not be read.
func (c *CertificateFetch) Chain(res *certfetch.Result, an certfetch.Analysis, now time.Time, sysErr error) {
	writeChainReport(c.report, res, an, now)
	if sysErr != nil {
		fmt.Fprintf(c.report, "(The system store could not be read: %v.)\n\n", sysErr)
	}
}

// MissingIssuer explains why there is no root to save.
func (c *CertificateFetch) MissingIssuer(an certfetch.Analysis) { writeMissingIssuer(c.report, an) }

// PEM writes the root as the result (-out=-).
func (c *CertificateFetch) PEM(data []byte) error {
	_, err := c.v.Out.Write(data)
	return err
}

// AlreadyHeld says the file named already holds the root.
func (c *CertificateFetch) AlreadyHeld(name string) {
	fmt.Fprintf(c.report, "%s already holds this root.\n\n", name)
}

// Saved says where the root was saved.
func (c *CertificateFetch) Saved(name string) {
	fmt.Fprintf(c.report, "Saved the root to %s.\n\n", name)
}

// Collection prints the block that trusts the saved root.
func (c *CertificateFetch) Collection(name, path string) { writeCollectionBlock(c.report, name, path) }

// Plural is one or many as n asks.
func Plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// writeChainReport prints where we connected, every certificate of the
// chain, which one is the root and whether the system trusts the chain.
func writeChainReport(w io.Writer, res *certfetch.Result, an certfetch.Analysis, now time.Time) {
	if res.Proxy != nil {
		fmt.Fprintf(w, "Connected to %s through the proxy %s (from %s), %s.\n", res.Target.Addr(), res.Proxy.URL.Redacted(), res.Proxy.Var, tls.VersionName(res.Version))
		fmt.Fprintln(w, "This is the chain the proxy presents for the server: a TLS-inspecting proxy")
		fmt.Fprintln(w, "signs it with its own CA.")
	} else {
		fmt.Fprintf(w, "Connected to %s directly, %s.\n", res.Target.Addr(), tls.VersionName(res.Version))
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "The server presented %d %s:\n\n", len(res.Chain), Plural(len(res.Chain), "certificate", "certificates"))
	for i, c := range res.Chain {
		note := ""
		if i == an.RootIndex {
			note = "   <- root (self-signed)"
		}
		fmt.Fprintf(w, "  [%d] %s%s\n", i, c.Subject, note)
		fmt.Fprintf(w, "      issuer   %s\n", c.Issuer)
		fmt.Fprintf(w, "      sha256   %s\n", Fingerprint(c))
		fmt.Fprintf(w, "      expires  %s\n", Expiry(c, now))
	}
	fmt.Fprintln(w)
	if an.SystemTrusts {
		fmt.Fprintln(w, "The system store trusts this chain.")
	} else {
		fmt.Fprintf(w, "The system store does not trust this chain: %v.\n", an.SystemErr)
	}
	switch {
	case an.Root == nil:
	case an.RootIndex >= 0 && an.RootInSystem:
		fmt.Fprintf(w, "Root: [%d] %s. The system store holds it too, so processes in\n", an.RootIndex, an.Root.Subject)
		fmt.Fprintln(w, "append or system scope trust it already; override scope needs the collection.")
	case an.RootIndex >= 0:
		fmt.Fprintf(w, "Root: [%d] %s, the self-signed top of the chain.\n", an.RootIndex, an.Root.Subject)
	default:
		fmt.Fprintf(w, "The server did not send its root. [%d] was issued by %s,\n", len(res.Chain)-1, an.Top.Issuer)
		fmt.Fprintf(w, "which the system store holds (sha256 %s): that is the root.\n", Fingerprint(an.Root))
	}
	fmt.Fprintln(w)
}

// writeMissingIssuer explains a chain whose top is not self-signed and
// whose issuer the system does not hold.
func writeMissingIssuer(w io.Writer, an certfetch.Analysis) {
	fmt.Fprintf(w, "No root to save: the last certificate the server sent was issued by\n  %s\n", an.Top.Issuer)
	fmt.Fprintln(w, "which the server did not send and the system store does not hold.")
	fmt.Fprintln(w, "Ask whoever runs the server (your IT department, for a corporate proxy) for")
	fmt.Fprintln(w, "that CA certificate as PEM, or export it from a browser that trusts the site.")
	for _, u := range an.Top.IssuingCertificateURL {
		fmt.Fprintf(w, "The certificate says its issuer can be downloaded from %s.\n", u)
	}
}

// writeCollectionBlock prints the HCL that trusts the saved root: a
// collection called name holding the file at path.
func writeCollectionBlock(w io.Writer, name, path string) {
	fmt.Fprintln(w, "Trust it with this block in a *.trust.hcl file:")
	fmt.Fprintln(w)
	fmt.Fprintf(w, "certificate_authority_collection %q {\n", name)
	fmt.Fprintf(w, "  certificates = [file(%q)]\n", path)
	fmt.Fprintln(w, "}")
	fmt.Fprintln(w)
	fmt.Fprintf(w, "and list certificate_authority_collection.%s in the\n", name)
	fmt.Fprintln(w, "certificate_authority_collections of every resource that makes HTTPS calls.")
}

// Fingerprint is the SHA-256 of the certificate's DER in lower-case hex,
// whose first 16 digits are what plans show.
func Fingerprint(c *x509.Certificate) string {
	sum := sha256.Sum256(c.Raw)
	return hex.EncodeToString(sum[:])
}

// Expiry is the end of validity and how far away it is.
func Expiry(c *x509.Certificate, now time.Time) string {
	at := c.NotAfter.UTC().Format("2006-01-02 15:04 UTC")
	switch d := c.NotAfter.Sub(now); {
	case d < 0:
		return at + " (EXPIRED " + roughly(-d) + " ago)"
	case now.Before(c.NotBefore):
		return at + " (not valid until " + c.NotBefore.UTC().Format("2006-01-02 15:04 UTC") + ")"
	default:
		return at + " (in " + roughly(d) + ")"
	}
}

func roughly(d time.Duration) string {
	switch {
	case d >= 48*time.Hour:
		return fmt.Sprintf("%d days", int(d.Hours()/24))
	case d >= 2*time.Hour:
		return fmt.Sprintf("%d hours", int(d.Hours()))
	default:
		return fmt.Sprintf("%d minutes", int(d.Minutes()))
	}
}
