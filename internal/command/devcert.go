package command

import (
	"errors"
	"io/fs"
	"os"
	"strings"
	"time"

	"github.com/trustform/trustform/internal/command/arguments"

	"github.com/hashicorp/cli"

	"github.com/trustform/trustform/internal/devcert"
	"github.com/trustform/trustform/internal/pem"
)

// devcertDir is where trustform's development CA lives (SPEC 6.1):
// $TRUSTFORM_DEVCERT_DIR, else $XDG_DATA_HOME/trustform/devcert, else
// ~/.local/share/trustform/devcert. HOME comes from the run's environment so
// tests can move it.
func devcertDir(environ []string) (string, error) {
	env := make(map[string]string, len(environ))
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok {
			env[k] = v
		}
	}
	home := env["HOME"]
	if home == "" {
		home, _ = os.UserHomeDir()
	}
	return devcert.Dir(env, home)
}

func newDevcertCommand(e *runEnv) *command {
	c := &command{
		synopsis: "Manage the local development CA",
		help: `
Usage: trustform devcert <subcommand>

  Manage trustform's development certificate authority and the localhost
  certificate it issues (devcert.localhost.cert_file and key_file). It lives
  in $TRUSTFORM_DEVCERT_DIR, else $XDG_DATA_HOME/trustform/devcert, else
  ~/.local/share/trustform/devcert.
`,
	}
	c.run = func(args []string) int { return cli.RunResultHelp }
	return c
}

func newDevcertSubcommand(e *runEnv, name, synopsis, help string, run func(*runEnv, *arguments.Devcert) int) *command {
	c := &command{synopsis: synopsis, help: help}
	c.run = func(args []string) int {
		a, err := arguments.ParseDevcert(name, args)
		if err != nil {
			return e.usageError(c, err)
		}
		return run(e, a)
	}
	return c
}

func newDevcertCreateCommand(e *runEnv) *command {
	return newDevcertSubcommand(e, "create", "Create the development CA and localhost certificate", `
Usage: trustform devcert create

  Create the development CA (ca.pem, ca-key.pem) and the localhost server
  certificate if they do not exist. Existing, valid files are kept.
`, runDevcertCreate)
}

func newDevcertShowCommand(e *runEnv) *command {
	return newDevcertSubcommand(e, "show", "Show the development CA and certificate", `
Usage: trustform devcert show [-json]

  Show the development CA and the localhost certificate: subject, SHA-256
  fingerprint, validity, and the files.

Flags:
  -json  Print as JSON.
`, runDevcertShow)
}

func newDevcertPathCommand(e *runEnv) *command {
	return newDevcertSubcommand(e, "path", "Print the development CA directory", `
Usage: trustform devcert path

  Print the directory holding the development CA, whether or not it exists.
`, runDevcertPath)
}

func newDevcertRemoveCommand(e *runEnv) *command {
	return newDevcertSubcommand(e, "remove", "Remove the development CA", `
Usage: trustform devcert remove

  Delete the development CA, its key and the certificates it issued.
  Resources that trust it keep their copy until the next apply.
`, runDevcertRemove)
}

// runDevcertPath prints the directory; it needs nothing else.
func runDevcertPath(e *runEnv, a *arguments.Devcert) int {
	dir, err := devcertDir(e.environ)
	if err != nil {
		e.view.Errorf("%v", err)
		return exitError
	}
	e.view.Resultf("%s", dir)
	return exitOK
}

func runDevcertCreate(e *runEnv, a *arguments.Devcert) int {
	dir, err := devcertDir(e.environ)
	if err != nil {
		e.view.Errorf("%v", err)
		return exitError
	}
	ca, err := devcert.Create(dir, e.now(), e.rand)
	if err != nil {
		e.view.Errorf("devcert create: %v", err)
		return exitError
	}
	e.log.Info("development CA", "dir", dir, "created", ca.Created, "leaf_issued", ca.LeafIssued)
	if a.JSON {
		return e.writeJSON(devcertJSONOf(ca))
	}
	switch {
	case ca.Created:
		e.view.Resultf("Created the development CA in %s.", dir)
	case ca.LeafIssued:
		e.view.Resultf("Reissued the localhost certificate of the development CA in %s.", dir)
	default:
		e.view.Resultf("The development CA in %s already exists and is current; nothing to do.", dir)
	}
	e.view.Resultf("")
	writeDevcert(e, ca)
	return exitOK
}

func runDevcertShow(e *runEnv, a *arguments.Devcert) int {
	dir, err := devcertDir(e.environ)
	if err != nil {
		e.view.Errorf("%v", err)
		return exitError
	}
	ca, err := devcert.Load(dir)
	if errors.Is(err, fs.ErrNotExist) {
		e.view.Errorf("no development CA in %s", dir)
		e.view.Hintf("create one with: trustform devcert create (apply also creates it when a resource trusts it)")
		return exitError
	}
	if err != nil {
		e.view.Errorf("devcert show: %v", err)
		return exitError
	}
	if a.JSON {
		return e.writeJSON(devcertJSONOf(ca))
	}
	writeDevcert(e, ca)
	return exitOK
}

func runDevcertRemove(e *runEnv, a *arguments.Devcert) int {
	dir, err := devcertDir(e.environ)
	if err != nil {
		e.view.Errorf("%v", err)
		return exitError
	}
	paths := devcert.Paths(dir)
	if _, err := os.Lstat(paths.CACert); errors.Is(err, fs.ErrNotExist) {
		if _, err := os.Lstat(paths.CAKey); errors.Is(err, fs.ErrNotExist) {
			e.view.Resultf("No development CA in %s; nothing to remove.", dir)
			return exitOK
		}
	}
	if err := devcert.Remove(dir); err != nil {
		e.view.Errorf("devcert remove: %v", err)
		return exitError
	}
	e.view.Resultf("Removed the development CA from %s.", dir)
	e.view.Hintf("resources that trusted it keep their copy until the next apply")
	return exitOK
}

// devcertJSON is the -json form of devcert create and show.
type devcertJSON struct {
	Dir     string           `json:"dir"`
	CA      devcertCertJSON  `json:"ca"`
	Leaf    *devcertCertJSON `json:"localhost,omitempty"`
	Created bool             `json:"created"`
	// LeafIssued reports that this run issued a new localhost certificate.
	LeafIssued bool `json:"localhost_issued"`
}

type devcertCertJSON struct {
	Path      string    `json:"path"`
	KeyPath   string    `json:"key_path"`
	Subject   string    `json:"subject"`
	SHA256    string    `json:"sha256"`
	NotBefore time.Time `json:"not_before"`
	NotAfter  time.Time `json:"not_after"`
	DNSNames  []string  `json:"dns_names,omitempty"`
	IPs       []string  `json:"ip_addresses,omitempty"`
}

func devcertJSONOf(ca *devcert.CA) devcertJSON {
	cert := func(c *pem.Certificate, path, key string) devcertCertJSON {
		j := devcertCertJSON{
			Path: path, KeyPath: key,
			Subject:   c.X509.Subject.String(),
			SHA256:    c.SHA256,
			NotBefore: c.X509.NotBefore.UTC(),
			NotAfter:  c.X509.NotAfter.UTC(),
			DNSNames:  c.X509.DNSNames,
		}
		for _, ip := range c.X509.IPAddresses {
			j.IPs = append(j.IPs, ip.String())
		}
		return j
	}
	out := devcertJSON{
		Dir:        ca.Dir,
		CA:         cert(ca.Cert, ca.Paths.CACert, ca.Paths.CAKey),
		Created:    ca.Created,
		LeafIssued: ca.LeafIssued,
	}
	if ca.Leaf != nil {
		l := cert(ca.Leaf, ca.Paths.LeafCert, ca.Paths.LeafKey)
		out.Leaf = &l
	}
	return out
}

// writeDevcert prints the CA and its leaf for people.
func writeDevcert(e *runEnv, ca *devcert.CA) {
	j := devcertJSONOf(ca)
	write := func(title string, c devcertCertJSON) {
		e.view.Resultf("%s", title)
		e.view.Resultf("  subject:  %s", c.Subject)
		e.view.Resultf("  sha256:   %s", c.SHA256)
		e.view.Resultf("  valid:    %s to %s", c.NotBefore.Format(time.DateOnly), c.NotAfter.Format(time.DateOnly))
		if len(c.DNSNames)+len(c.IPs) > 0 {
			e.view.Resultf("  names:    %s", strings.Join(append(append([]string{}, c.DNSNames...), c.IPs...), ", "))
		}
		e.view.Resultf("  file:     %s", c.Path)
		e.view.Resultf("  key:      %s", c.KeyPath)
	}
	write("Development CA", j.CA)
	if j.Leaf != nil {
		e.view.Resultf("")
		write("localhost certificate (devcert.localhost.cert_file)", *j.Leaf)
	} else {
		e.view.Resultf("")
		e.view.Resultf("No localhost certificate yet; run trustform devcert create.")
	}
}
