//go:build linux

package command

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/trustform/trustform/internal/testutil"
)

// TestInstallAutocomplete runs -install-autocomplete and
// -uninstall-autocomplete through hashicorp/cli's real installer. That
// installer finds the rc files from the user database (/etc/passwd), not
// $HOME, so the run happens in a private mount namespace where
// /etc/passwd names a temporary home: the machine's own ~/.bashrc is never
// touched.
func TestInstallAutocomplete(t *testing.T) {
	unshare := testutil.NeedTool(t, "unshare", "apt-get install -y util-linux")
	testutil.NeedTool(t, "bash", "apt-get install -y bash")
	if os.Geteuid() != 0 {
		if testutil.Required() {
			t.Fatal("needs root for a private mount namespace (TRUSTFORM_E2E=require)")
		}
		t.Skip("needs root for a private mount namespace over /etc/passwd")
	}
	home := t.TempDir()
	bashrc := filepath.Join(home, ".bashrc")
	if err := os.WriteFile(bashrc, []byte("# the user's own line\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	passwd := filepath.Join(t.TempDir(), "passwd")
	entry := fmt.Sprintf("root:x:0:0:root:%s:/bin/bash\n", home)
	if err := os.WriteFile(passwd, []byte(entry), 0o644); err != nil {
		t.Fatal(err)
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	exe, _ = filepath.Abs(exe)
	run := func(flag string) (string, int) {
		// exec -a: the test binary acts as trustform when its argv[0] is
		// "trustform" (TestMain).
		cmd := exec.Command(unshare, "-m", "bash", "-c",
			`mount --bind "$1" /etc/passwd && exec -a trustform "$2" "$3"`, "bash", passwd, exe, flag)
		cmd.Env = append(os.Environ(), "HOME="+home, "XDG_CONFIG_HOME="+filepath.Join(home, ".config"), "NO_COLOR=1", "COMP_LINE=")
		out, err := cmd.CombinedOutput()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatalf("running %s: %v\n%s", flag, err, out)
		}
		return string(out), code
	}
	read := func() string {
		b, err := os.ReadFile(bashrc)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	want := "complete -C " + exe + " trustform"

	out, code := run("-install-autocomplete")
	if code != 0 || !strings.Contains(out, "Shell completion for trustform installed") {
		t.Fatalf("install: exit %d:\n%s", code, out)
	}
	if rc := read(); !strings.Contains(rc, want) || !strings.Contains(rc, "# the user's own line") {
		t.Fatalf("~/.bashrc after install does not hold %q next to what was there:\n%s", want, rc)
	}
	// Twice: refused, nothing added.
	out, code = run("-install-autocomplete")
	if code != 1 || !strings.Contains(out, "already installed") {
		t.Errorf("second install: want exit 1 saying it is already installed, got %d:\n%s", code, out)
	}
	if n := strings.Count(read(), want); n != 1 {
		t.Errorf("~/.bashrc holds the completion line %d times, want once", n)
	}

	out, code = run("-uninstall-autocomplete")
	if code != 0 || !strings.Contains(out, "Shell completion for trustform removed") {
		t.Fatalf("uninstall: exit %d:\n%s", code, out)
	}
	if rc := read(); strings.Contains(rc, "complete -C") || !strings.Contains(rc, "# the user's own line") {
		t.Errorf("~/.bashrc after uninstall:\n%s", rc)
	}
}
