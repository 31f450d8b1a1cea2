// Package layout names every path trustform owns inside a configuration
// directory, so that lang, plan, apply and the commands agree on them without
// importing each other.
package layout

import (
	"path/filepath"
	"strings"

	"github.com/trustform/trustform/internal/addrs"
)

// DirName is the directory, inside the configuration directory, that holds
// state, trust material and logs.
const DirName = ".trustform"

// StateDir returns the .trustform directory of a configuration directory.
func StateDir(configDir string) string { return filepath.Join(configDir, DirName) }

// StatePath returns the path of state.json.
func StatePath(configDir string) string { return filepath.Join(StateDir(configDir), "state.json") }

// BackupPath returns the path of the previous state.
func BackupPath(configDir string) string {
	return filepath.Join(StateDir(configDir), "state.json.backup")
}

// LockPath returns the path of the lock file held while state changes.
func LockPath(configDir string) string { return filepath.Join(StateDir(configDir), "state.lock") }

// ResourcesDir returns the directory holding every resource's trust material.
func ResourcesDir(configDir string) string { return filepath.Join(StateDir(configDir), "resources") }

// ResourceDir returns the trust material directory of one resource address
// (TYPE.NAME, TYPE.NAME[0] or TYPE.NAME["key"]); addrs.FileName makes an
// instance key safe and unique as a file name.
func ResourceDir(configDir, address string) string {
	return filepath.Join(ResourcesDir(configDir), addrs.FileName(address))
}

// BundleName and CertsDirName are the names of a resource's bundle and
// per-certificate directory, on the host and inside containers.
const (
	BundleName   = "cert.pem"
	CertsDirName = "certs"
)

// BundlePath returns the host path of a resource's bundle.
func BundlePath(configDir, address string) string {
	return filepath.Join(ResourceDir(configDir, address), BundleName)
}

// CertsDir returns the host path of a resource's certificate directory.
func CertsDir(configDir, address string) string {
	return filepath.Join(ResourceDir(configDir, address), CertsDirName)
}

// LogsDir returns the directory of captured process output.
func LogsDir(configDir string) string { return filepath.Join(StateDir(configDir), "logs") }

// LogPath returns the log file of one resource.
func LogPath(configDir, address string) string {
	return filepath.Join(LogsDir(configDir), addrs.FileName(address)+".log")
}

// ContainerBundlePath and ContainerCertsDir give the in-container paths for a
// destination directory (custom_certificates_destination). Container paths are
// always slash-separated whatever the host OS.
func ContainerBundlePath(dest string) string { return strings.TrimSuffix(dest, "/") + "/" + BundleName }

// ContainerCertsDir returns the in-container certificate directory.
func ContainerCertsDir(dest string) string { return strings.TrimSuffix(dest, "/") + "/" + CertsDirName }
