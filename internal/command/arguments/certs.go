package arguments

import (
	"errors"
	"fmt"
	"time"

	"github.com/trustform/trustform/lang"
)

// Devcert are the flags shared by the devcert subcommands.
type Devcert struct {
	JSON bool
}

// ParseDevcert parses the arguments of `trustform devcert NAME`; name is
// the subcommand (create, show, path, remove).
func ParseDevcert(name string, args []string) (*Devcert, error) {
	var a Devcert
	fs := newFlagSet("devcert " + name)
	fs.BoolVar(&a.JSON, "json", false, "")
	if err := noArgs(fs, args); err != nil {
		return nil, err
	}
	return &a, nil
}

// defaultTimeout bounds a connection and handshake unless -timeout says
// otherwise.
const defaultTimeout = 30 * time.Second

// CertificateFetch are the flags of `trustform certificate fetch`.
type CertificateFetch struct {
	// Target is the URL or HOST:PORT.
	Target string
	// Out is -out=FILE, "" for the default name, "-" for stdout.
	Out string
	// Timeout bounds the connection and handshake.
	Timeout time.Duration
}

// ParseCertificateFetch parses the arguments of `trustform certificate
// fetch`.
func ParseCertificateFetch(args []string) (*CertificateFetch, error) {
	a := CertificateFetch{Timeout: defaultTimeout}
	fs := newFlagSet("certificate fetch")
	fs.StringVar(&a.Out, "out", "", "")
	fs.DurationVar(&a.Timeout, "timeout", a.Timeout, "")
	pos, err := parseFlags(fs, args)
	switch {
	case err != nil:
	case len(pos) == 0:
		err = errors.New("certificate fetch needs a server: a URL such as https://example.com, or HOST:PORT")
	case len(pos) > 1:
		err = errUnexpectedArgs(pos[1:])
	case a.Timeout <= 0:
		err = fmt.Errorf("-timeout=%v: give a positive duration such as 30s", a.Timeout)
	}
	if err != nil {
		return nil, err
	}
	a.Target = pos[0]
	return &a, nil
}

// Check are the flags of `trustform check`.
type Check struct {
	// Address is the resource, "" with All.
	Address string
	All     bool
	// Target is the URL or HOST:PORT.
	Target  string
	JSON    bool
	Timeout time.Duration
	Vars    []lang.VarFlag
}

// ParseCheck parses the arguments of `trustform check`.
func ParseCheck(args []string) (*Check, error) {
	a := Check{Timeout: defaultTimeout}
	fs := newFlagSet("check")
	fs.BoolVar(&a.All, "all", false, "")
	fs.BoolVar(&a.JSON, "json", false, "")
	fs.DurationVar(&a.Timeout, "timeout", a.Timeout, "")
	addVarFlags(fs, &a.Vars)
	pos, err := parseFlags(fs, args)
	want := 2
	if a.All {
		want = 1
	}
	switch {
	case err != nil:
	case len(pos) < want && a.All:
		err = errors.New("check -all needs a server: a URL such as https://localhost:8443, or HOST:PORT")
	case len(pos) < want:
		err = errors.New("check needs a resource address and a server: trustform check node_app.web https://localhost:8443")
	case len(pos) > want:
		err = errUnexpectedArgs(pos[want:])
	case a.Timeout <= 0:
		err = fmt.Errorf("-timeout=%v: give a positive duration such as 30s", a.Timeout)
	}
	if err != nil {
		return nil, err
	}
	if !a.All {
		a.Address = pos[0]
	}
	a.Target = pos[want-1]
	return &a, nil
}

// Export formats.
const (
	FormatKubernetes = "kubernetes"
	FormatCompose    = "compose"
)

// Export are the flags of `trustform export`.
type Export struct {
	Format string
	// Out is a directory, or "-" for standard output (Kubernetes only).
	Out string
	// ImageRoots is "read" (the default) or "skip".
	ImageRoots string
	NoColor    bool
	Vars       []lang.VarFlag
}

// ParseExport parses the arguments of `trustform export`.
func ParseExport(args []string) (*Export, error) {
	a := Export{ImageRoots: "read"}
	fs := newFlagSet("export")
	fs.StringVar(&a.Format, "format", "", "")
	fs.StringVar(&a.Out, "out", "", "")
	fs.StringVar(&a.ImageRoots, "image-roots", "read", "")
	fs.BoolVar(&a.NoColor, "no-color", false, "")
	addVarFlags(fs, &a.Vars)
	if err := noArgs(fs, args); err != nil {
		return nil, err
	}
	switch a.Format {
	case FormatKubernetes:
		if a.Out == "" {
			a.Out = "-"
		}
	case FormatCompose:
		if a.Out == "" || a.Out == "-" {
			return nil, errors.New("-format=compose needs -out=DIR: the Compose file bind-mounts trust material written next to it")
		}
	case "":
		return nil, errors.New("-format is required: kubernetes or compose")
	default:
		return nil, fmt.Errorf("-format=%s: use kubernetes or compose", a.Format)
	}
	if a.ImageRoots != "read" && a.ImageRoots != "skip" {
		return nil, fmt.Errorf("-image-roots=%s: use read or skip", a.ImageRoots)
	}
	return &a, nil
}
