package devcert

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"time"

	"github.com/trustform/trustform/internal/pem"
)

// Kinds of developer certificate found on the machine.
const (
	KindASPNETCore = "aspnetcore"
	KindMkcert     = "mkcert"
)

// Found is a developer certificate discovered on the machine.
type Found struct {
	Kind string // KindASPNETCore or KindMkcert
	Path string
	Cert *pem.Certificate
}

// Discover finds the ASP.NET Core development certificates exported to
// ~/.aspnet/dev-certs/trust/*.pem and mkcert's rootCA.pem (in $CAROOT, or
// mkcert's default location for this OS), keeping those valid at now. The
// errors describe files that exist but could not be used (unreadable,
// corrupt, expired); none of them is fatal and absent files are not errors.
func Discover(home string, environ map[string]string, now time.Time) ([]Found, []error) {
	return discover(runtime.GOOS, home, environ, now)
}

func discover(goos, home string, environ map[string]string, now time.Time) ([]Found, []error) {
	var found []Found
	var errs []error
	if home != "" {
		// `dotnet dev-certs https --trust` on Linux exports here.
		matches, err := filepath.Glob(filepath.Join(home, ".aspnet", "dev-certs", "trust", "*.pem"))
		if err != nil {
			errs = append(errs, err)
		}
		sort.Strings(matches)
		for _, m := range matches {
			f, err := readFound(KindASPNETCore, m, now)
			found = append(found, f...)
			errs = append(errs, err...)
		}
	}
	if root := mkcertRoot(goos, home, environ); root != "" {
		path := filepath.Join(root, "rootCA.pem")
		if _, err := os.Stat(path); err == nil || !errors.Is(err, fs.ErrNotExist) {
			f, err := readFound(KindMkcert, path, now)
			found = append(found, f...)
			errs = append(errs, err...)
		}
	}
	return found, errs
}

// mkcertRoot mirrors mkcert's getCAROOT: $CAROOT, else on Windows
// %LocalAppData%, else $XDG_DATA_HOME, else the OS's data directory; then
// "mkcert" under it.
func mkcertRoot(goos, home string, environ map[string]string) string {
	get := func(k string) string { return lookup(goos, environ, k) }
	if r := get("CAROOT"); r != "" {
		return r
	}
	var base string
	switch {
	case goos == "windows":
		base = get("LocalAppData")
	case get("XDG_DATA_HOME") != "":
		base = get("XDG_DATA_HOME")
	case goos == "darwin" && home != "":
		base = filepath.Join(home, "Library", "Application Support")
	case home != "":
		base = filepath.Join(home, ".local", "share")
	}
	if base == "" {
		return ""
	}
	return filepath.Join(base, "mkcert")
}

// lookup reads an environment variable, ignoring case on Windows where
// variable names are case-insensitive.
func lookup(goos string, environ map[string]string, key string) string {
	if v, ok := environ[key]; ok || goos != "windows" {
		return v
	}
	for k, v := range environ {
		if strings.EqualFold(k, key) {
			return v
		}
	}
	return ""
}

func readFound(kind, path string, now time.Time) ([]Found, []error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, []error{fmt.Errorf("%s certificate %s: %w", kind, path, err)}
	}
	certs, problems := pem.Parse(data, path, pem.Options{Now: now})
	var errs []error
	for _, p := range problems {
		errs = append(errs, fmt.Errorf("%s certificate: %s", kind, p.Summary))
	}
	if pem.HasErrors(problems) {
		// A file with a private key or a corrupt block is not used at all.
		return nil, errs
	}
	var found []Found
	for _, c := range certs {
		found = append(found, Found{Kind: kind, Path: path, Cert: c})
	}
	return found, errs
}
