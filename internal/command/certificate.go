package command

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/trustform/trustform/internal/command/arguments"
	"github.com/trustform/trustform/internal/command/views"

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
               A directory saves NAME.pem in it. "-" prints the PEM on
               stdout and the report on stderr.
  -timeout=D   Give up after D (default 30s).

Exit codes: 0 when the root was saved, 1 otherwise.
`,
	}
	c.run = parsed(e, c, arguments.ParseCertificateFetch, runCertificateFetch)
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

	view := views.NewCertificateFetch(e.view, a.Out == "-")
	view.Chain(res, an, now, sysErr)
	if an.Root == nil {
		view.MissingIssuer(an)
		return exitError
	}

	pemData := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: an.Root.Raw})
	if a.Out == "-" {
		if err := view.PEM(pemData); err != nil {
			e.view.Errorf("writing the certificate: %v", err)
			return exitError
		}
		return exitOK
	}
	out := a.Out
	chosen := out != ""
	if !chosen {
		out = filepath.Join("certs", certFileName(an.Root)+".pem")
	}
	path := e.path(out)
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		// Like cp into a directory; reading the directory as the file
		// failed with "read DIR: is a directory".
		out = filepath.Join(out, certFileName(an.Root)+".pem")
		path = e.path(out)
	}
	switch old, err := os.ReadFile(path); {
	case err == nil && bytes.Equal(old, pemData):
		view.AlreadyHeld(out)
	case err == nil:
		e.view.Errorf("%s exists and holds something else; it was left as it is", out)
		e.view.Hintf("choose another file with -out=FILE, or remove %s first", out)
		return exitError
	case !errors.Is(err, fs.ErrNotExist):
		e.view.Errorf("cannot read %s: %v", out, err)
		return exitError
	default:
		// certs/ is made when needed; a directory the user named must
		// exist, as for cp: a typo in -out must not leave new directories.
		if chosen {
			if fi, err := os.Stat(filepath.Dir(path)); err != nil || !fi.IsDir() {
				e.view.Errorf("cannot save to %s: the directory %s does not exist", out, filepath.Dir(out))
				e.view.Hintf("create it first, or choose another file with -out=FILE")
				return exitError
			}
		} else if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			e.view.Errorf("cannot create the directory for %s: %v", out, err)
			return exitError
		}
		if err := atomicfile.WriteFile(path, pemData, 0o644); err != nil {
			e.view.Errorf("saving the root: %v", err)
			return exitError
		}
		view.Saved(out)
	}
	view.Collection(strings.ReplaceAll(certFileName(an.Root), "-", "_"), hclPath(e.dir, path))
	return exitOK
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
