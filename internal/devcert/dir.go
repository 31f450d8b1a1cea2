package devcert

import (
	"errors"
	"path/filepath"
)

// EnvDir names the environment variable that overrides the directory.
const EnvDir = "TRUSTFORM_DEVCERT_DIR"

// Dir returns where the development CA lives: $TRUSTFORM_DEVCERT_DIR, else
// $XDG_DATA_HOME/trustform/devcert, else ~/.local/share/trustform/devcert.
// environ is the environment as a map and home the user's home directory.
// A relative XDG_DATA_HOME is ignored, as the XDG specification requires.
func Dir(environ map[string]string, home string) (string, error) {
	if d := environ[EnvDir]; d != "" {
		return filepath.Clean(d), nil
	}
	if x := environ["XDG_DATA_HOME"]; x != "" && filepath.IsAbs(x) {
		return filepath.Join(x, "trustform", "devcert"), nil
	}
	if home == "" {
		return "", errors.New("cannot locate the development CA directory: no home directory; set " + EnvDir)
	}
	return filepath.Join(home, ".local", "share", "trustform", "devcert"), nil
}
