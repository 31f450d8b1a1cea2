//go:build !darwin && !windows

package sysroots

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
)

// bundleFiles are OpenSSL default bundles, most common first: Debian and
// Ubuntu, Fedora and RHEL, openSUSE, old RHEL, newer RHEL, Alpine and
// Arch; then the BSDs.
func bundleFiles() []string {
	return []string{
		"/etc/ssl/certs/ca-certificates.crt",
		"/etc/pki/tls/certs/ca-bundle.crt",
		"/etc/ssl/ca-bundle.pem",
		"/etc/pki/tls/cacert.pem",
		"/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",
		"/etc/ssl/cert.pem",
		"/usr/local/etc/ssl/cert.pem",
		"/usr/local/share/certs/ca-root-nss.crt",
		"/etc/openssl/certs/ca-certificates.crt",
	}
}

func certDirs() []string {
	return []string{"/etc/ssl/certs", "/etc/pki/tls/certs", "/usr/local/share/certs", "/etc/openssl/certs"}
}

// Dirs returns the system certificate directories that exist.
func Dirs() []string { return existingDirs(certDirs()) }

func existingDirs(dirs []string) []string {
	var out []string
	for _, d := range dirs {
		if fi, err := os.Stat(d); err == nil && fi.IsDir() {
			out = append(out, d)
		}
	}
	return out
}

func platformInputs(opts Options) ([]input, error) {
	return unixInputs(opts.Environ["SSL_CERT_FILE"], bundleFiles(), certDirs())
}

// unixInputs reads certFile if given, else the first bundle that exists,
// else every file in dirs.
func unixInputs(certFile string, bundles, dirs []string) ([]input, error) {
	if certFile != "" {
		data, err := os.ReadFile(certFile)
		if err != nil {
			return nil, readErr(certFile+" (SSL_CERT_FILE)", err)
		}
		return []input{{data, certFile}}, nil
	}
	for _, b := range bundles {
		data, err := os.ReadFile(b)
		if err == nil {
			return []input{{data, b}}, nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return nil, readErr(b, err)
		}
	}
	var inputs []input
	for _, d := range existingDirs(dirs) {
		entries, err := os.ReadDir(d)
		if err != nil {
			continue
		}
		names := make([]string, 0, len(entries))
		for _, e := range entries {
			names = append(names, e.Name())
		}
		sort.Strings(names)
		for _, n := range names {
			p := filepath.Join(d, n)
			// Hash links point at files already read; os.Stat follows
			// them so that a directory of links only still works.
			if fi, err := os.Stat(p); err != nil || !fi.Mode().IsRegular() || fi.Size() > 1<<20 {
				continue
			}
			if data, err := os.ReadFile(p); err == nil {
				inputs = append(inputs, input{data, p})
			}
		}
	}
	return inputs, nil
}

func readErr(path string, err error) error {
	return fmt.Errorf("reading system certificates %s: %w", path, err)
}
