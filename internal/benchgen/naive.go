package benchgen

import (
	"fmt"
	"os"
	"path/filepath"

	tfpem "github.com/trustform/trustform/internal/pem"
)

// NaiveStats counts what WriteNaiveTree wrote.
type NaiveStats struct {
	Dirs, Files, Symlinks int
	Bytes                 int64
}

// WriteNaiveTree writes under dir the trust material of n resources the
// naive way: for each resource a directory resources/executable.svcNNNNN
// holding cert.pem (the bundle) and certs/ with one plain PEM file per
// certificate and one relative symlink per OpenSSL subject-hash name, the
// same names trustform uses. Nothing is shared between resources, so this
// is the tree a straightforward writer produces and `cp -a` copies.
func WriteNaiveTree(dir string, n int, certPEMs [][]byte) (NaiveStats, error) {
	var st NaiveStats
	var certs []*tfpem.Certificate
	for i, p := range certPEMs {
		cs, problems := tfpem.Parse(p, fmt.Sprintf("certificate %d", i), tfpem.Options{})
		if tfpem.HasErrors(problems) {
			return st, fmt.Errorf("certificate %d: %v", i, problems)
		}
		certs = append(certs, cs...)
	}
	certs = tfpem.Dedup(certs)
	links, err := tfpem.HashLinks(certs)
	if err != nil {
		return st, err
	}
	bundle := tfpem.Bundle(certs)
	pems := make([][]byte, len(certs))
	for i, c := range certs {
		pems[i] = c.PEM()
	}
	for i := range n {
		rd := filepath.Join(dir, "resources", Address(i))
		cd := filepath.Join(rd, "certs")
		if err := os.MkdirAll(cd, 0o755); err != nil {
			return st, err
		}
		st.Dirs += 2
		if err := os.WriteFile(filepath.Join(rd, "cert.pem"), bundle, 0o644); err != nil {
			return st, err
		}
		st.Files++
		st.Bytes += int64(len(bundle))
		for j, c := range certs {
			if err := os.WriteFile(filepath.Join(cd, c.FileName()), pems[j], 0o644); err != nil {
				return st, err
			}
			st.Files++
			st.Bytes += int64(len(pems[j]))
		}
		for _, l := range links {
			if err := os.Symlink(l.Target, filepath.Join(cd, l.Name)); err != nil {
				return st, err
			}
			st.Symlinks++
		}
	}
	return st, nil
}
