package command

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/trustform/trustform/internal/command/arguments"

	"github.com/hashicorp/cli"

	"github.com/trustform/trustform/internal/atomicfile"
	"github.com/trustform/trustform/internal/certfetch"
	"github.com/trustform/trustform/internal/sysroots"
)

func newCertificateCommand(e *runEnv) *command {
	c := &command{
		synopsis: "Fetch certificates from servers and proxies",
		help: `
Usage: trustform certificate <subcommand>

  Work with the certificates servers and proxies present.
`,
	}
	c.run = func(args []string) int { return cli.RunResultHelp }
	return c
}

func newCertificateFetchCommand(e *runEnv) *command {
	c := &command{
		synopsis: "Show a server's certificate chain and save its root",
		help: `
Usage: trustform [-chdir=DIR] certificate fetch URL|HOST:PORT [-out=FILE]

  Connect to the server as a client on this machine would: directly, or
  through the proxy in HTTPS_PROXY (https_proxy, ALL_PROXY) with CONNECT,
  unless NO_PROXY names the host. Print the chain the server presents (or
  the one a TLS-inspecting proxy forges for it): subject, issuer, SHA-256
  fingerprint and expiry of each certificate. Then pick its root, the
  self-signed certificate at the top, or the system store's certificate
  of the top's issuer, save it as PEM and print the
  certificate_authority_collection block that trusts it.

  The handshake is not verified, so that an untrusted chain can be read;
  the connection is closed right after it, before any request is sent.
  Compare the fingerprint with the one your IT department publishes
  before you trust the root.

Flags:
  -out=FILE    Where to save the root (default certs/NAME.pem in the
               configuration directory, NAME from the root's common name).
               "-" prints the PEM on stdout and the report on stderr.
  -timeout=D   Give up after D (default 30s).

Exit codes: 0 when the root was saved, 1 otherwise.
`,
	}
	c.run = func(args []string) int {
		a, err := arguments.ParseCertificateFetch(args)
		if err != nil {
			return e.usageError(c, err)
		}
		return runCertificateFetch(e, a)
	}
	return c
}

// runCertificateFetch fetches, reports and saves the root.
func runCertificateFetch(e *runEnv, a *arguments.CertificateFetch) int {
	target, err := certfetch.ParseTarget(a.Target)
	if err != nil {
		e.view.Errorf("%v", err)
		return exitError
	}
	env := environMap(e.environ)
	proxy, err := certfetch.ProxyFor(target, func(k string) string { return env[k] })
	if err != nil {
		e.view.Errorf("%v", err)
		e.view.Hintf("fix or unset the variable; trustform connects through an http:// proxy with CONNECT")
		return exitError
	}
	ctx, stop := signalContext(context.Background(), nil)
	defer stop()
	res, err := certfetch.Fetch(ctx, certfetch.Options{Target: target, Proxy: proxy, Timeout: a.Timeout})
	if err != nil {
		e.view.Errorf("%v", err)
		if proxy == nil {
			e.view.Hintf("behind a corporate proxy, set HTTPS_PROXY=http://PROXY:PORT as your other tools use it")
		}
		return exitError
	}

	now := e.now()
	var system []*x509.Certificate
	roots, sysErr := sysroots.LoadWith(sysroots.Options{Environ: env})
	for _, r := range roots {
		system = append(system, r.X509)
	}
	an := certfetch.Analyze(res.Chain, target.Host, system, now)

	// With -out=- the PEM is the result and the report goes to stderr.
	report := e.view.Out
	if a.Out == "-" {
		report = e.view.Err
	}
	writeChainReport(report, res, an, now)
	if sysErr != nil {
		fmt.Fprintf(report, "(The system store could not be read: %v.)\n\n", sysErr)
	}
	if an.Root == nil {
		writeMissingIssuer(report, an)
		return exitError
	}

	pemData := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: an.Root.Raw})
	if a.Out == "-" {
		if _, err := e.view.Out.Write(pemData); err != nil {
			e.view.Errorf("writing the certificate: %v", err)
			return exitError
		}
		return exitOK
	}
	out := a.Out
	if out == "" {
		out = filepath.Join("certs", certFileName(an.Root)+".pem")
	}
	path := e.path(out)
	switch old, err := os.ReadFile(path); {
	case err == nil && bytes.Equal(old, pemData):
		fmt.Fprintf(report, "%s already holds this root.\n\n", out)
	case err == nil:
		e.view.Errorf("%s exists and holds something else; it was left as it is", out)
		e.view.Hintf("choose another file with -out=FILE, or remove %s first", out)
		return exitError
	case !errors.Is(err, fs.ErrNotExist):
		e.view.Errorf("cannot read %s: %v", out, err)
		return exitError
	default:
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			e.view.Errorf("cannot create the directory for %s: %v", out, err)
			return exitError
		}
		if err := atomicfile.WriteFile(path, pemData, 0o644); err != nil {
			e.view.Errorf("saving the root: %v", err)
			return exitError
		}
		fmt.Fprintf(report, "Saved the root to %s.\n\n", out)
	}
	writeCollectionBlock(report, an.Root, hclPath(e.dir, path))
	return exitOK
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
	fmt.Fprintf(w, "The server presented %d %s:\n\n", len(res.Chain), plural(len(res.Chain), "certificate", "certificates"))
	for i, c := range res.Chain {
		note := ""
		if i == an.RootIndex {
			note = "   <- root (self-signed)"
		}
		fmt.Fprintf(w, "  [%d] %s%s\n", i, c.Subject, note)
		fmt.Fprintf(w, "      issuer   %s\n", c.Issuer)
		fmt.Fprintf(w, "      sha256   %s\n", fingerprint(c))
		fmt.Fprintf(w, "      expires  %s\n", expiry(c, now))
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
		fmt.Fprintf(w, "which the system store holds (sha256 %s): that is the root.\n", fingerprint(an.Root))
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

// writeCollectionBlock prints the HCL that trusts the saved root.
func writeCollectionBlock(w io.Writer, root *x509.Certificate, path string) {
	name := strings.ReplaceAll(certFileName(root), "-", "_")
	fmt.Fprintln(w, "Trust it with this block in a *.trust.hcl file:")
	fmt.Fprintln(w)
	fmt.Fprintf(w, "certificate_authority_collection %q {\n", name)
	fmt.Fprintf(w, "  certificates = [file(%q)]\n", path)
	fmt.Fprintln(w, "}")
	fmt.Fprintln(w)
	fmt.Fprintf(w, "and list certificate_authority_collection.%s in the\n", name)
	fmt.Fprintln(w, "certificate_authority_collections of every resource that makes HTTPS calls.")
}

// fingerprint is the SHA-256 of the certificate's DER in lower-case hex,
// whose first 16 digits are what plans show.
func fingerprint(c *x509.Certificate) string {
	sum := sha256.Sum256(c.Raw)
	return hex.EncodeToString(sum[:])
}

// expiry is the end of validity and how far away it is.
func expiry(c *x509.Certificate, now time.Time) string {
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

// certFileName is a file and block name from the certificate's common
// name (else organisation): lower case, runs of other characters as "-".
func certFileName(c *x509.Certificate) string {
	src := c.Subject.CommonName
	if src == "" && len(c.Subject.Organization) > 0 {
		src = c.Subject.Organization[0]
	}
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(src) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
			continue
		}
		dash = true
	}
	name := b.String()
	if name == "" || name[0] < 'a' || name[0] > 'z' {
		name = "ca-" + name
	}
	return strings.TrimSuffix(name, "-")
}

// hclPath is path as a configuration in dir would name it: relative when
// inside dir, with forward slashes.
func hclPath(dir, path string) string {
	if rel, err := filepath.Rel(dir, path); err == nil && !strings.HasPrefix(rel, "..") {
		return filepath.ToSlash(rel)
	}
	return filepath.ToSlash(path)
}
