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

// ResourcesDir returns the directory that held every resource's own trust
// material before trust sets (state written by trustform 0.x before format
// 1.1 plans); apply still removes what it finds there.
func ResourcesDir(configDir string) string { return filepath.Join(StateDir(configDir), "resources") }

// ResourceDir returns the per-resource placeholder of one resource address
// (TYPE.NAME, TYPE.NAME[0] or TYPE.NAME["key"]; addrs.FileName makes an
// instance key safe and unique as a file name): lang gives trust.bundle_path and trust.directories_path, and
// the resource attributes of the same names, paths below it, and the
// planner rewrites them into the resource's trust set directory once it
// knows which set that is. Nothing is written there any more.
func ResourceDir(configDir, address string) string {
	// One Join rather than nested ones: lang and the planner ask for
	// these paths several times per resource.
	return filepath.Join(configDir, DirName, "resources", addrs.FileName(address))
}

// TrustDir returns the directory holding every trust set, each in its own
// directory.
func TrustDir(configDir string) string { return filepath.Join(StateDir(configDir), TrustDirName) }

// TrustDirName is the name of TrustDir inside .trustform.
const TrustDirName = "trust"

// TrustSetDir returns the directory of one trust set, named by the set's
// readable name and a digest of its content (corp-0123456789ab), so new
// content always gets a new directory and unchanged content keeps its path.
func TrustSetDir(configDir, dirName string) string {
	return filepath.Join(TrustDir(configDir), dirName)
}

// BundleName and CertsDirName are the names of a resource's bundle and
// per-certificate directory, on the host and inside containers.
const (
	BundleName   = "cert.pem"
	CertsDirName = "certs"
)

// BundlePath returns the placeholder host path of a resource's bundle (see
// ResourceDir).
func BundlePath(configDir, address string) string {
	return filepath.Join(configDir, DirName, "resources", addrs.FileName(address), BundleName)
}

// CertsDir returns the placeholder host path of a resource's certificate
// directory (see ResourceDir).
func CertsDir(configDir, address string) string {
	return filepath.Join(configDir, DirName, "resources", addrs.FileName(address), CertsDirName)
}

// LogsDir returns the directory of captured process output.
func LogsDir(configDir string) string { return filepath.Join(StateDir(configDir), "logs") }

// LogPath returns the log file of one resource.
func LogPath(configDir, address string) string {
	return filepath.Join(configDir, DirName, "logs", addrs.FileName(address)+".log")
}

// ExitPath returns where trustform before issue 19 recorded a process's
// exit status, next to its log: logs/TYPE.NAME.exit for logs/TYPE.NAME.log.
// It is still read, and removed, for processes such a version started.
func ExitPath(logPath string) string {
	return strings.TrimSuffix(logPath, ".log") + ".exit"
}

// ExitsName is the file in a log directory where the supervisors record,
// one line each, how the processes logging there ended.
const ExitsName = "exits"

// ExitsPath returns the exit records of the process logging to logPath:
// logs/exits for logs/TYPE.NAME.log.
func ExitsPath(logPath string) string {
	return filepath.Join(filepath.Dir(logPath), ExitsName)
}

// ContainerBundlePath and ContainerCertsDir give the in-container paths for a
// destination directory (custom_certificates_destination). Container paths are
// always slash-separated whatever the host OS.
func ContainerBundlePath(dest string) string { return strings.TrimSuffix(dest, "/") + "/" + BundleName }

// ContainerCertsDir returns the in-container certificate directory.
func ContainerCertsDir(dest string) string { return strings.TrimSuffix(dest, "/") + "/" + CertsDirName }
