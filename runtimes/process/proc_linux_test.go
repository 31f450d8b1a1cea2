package process

import (
	"os/exec"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/trustform/trustform/internal/testutil"
)

// Only trustform's own variables are read from a process's environment;
// names that merely start like one are not taken for it.
func TestReadMarkers(t *testing.T) {
	sleep := testutil.NeedTool(t, "sleep", "apt-get install -y coreutils")
	cmd := exec.Command(sleep, "60")
	cmd.Env = []string{
		"PATH=/usr/bin", EnvAddress + "=executable.a", "TRUSTFORM_ADDRESSX=no", "TRUSTFORM_OTHER=no",
		EnvLineage + "=lin", EnvDir + "=/some/dir", "NOT_" + EnvInstance + "=no", EnvInstance + "=",
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	// Right after exec the kernel may show an empty environment for a
	// moment.
	var got map[string]string
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(time.Millisecond) {
		var err error
		if got, _, err = readMarkers(cmd.Process.Pid, nil); err != nil {
			t.Fatal(err)
		}
		if len(got) > 0 || time.Now().After(deadline) {
			break
		}
	}
	want := map[string]string{EnvAddress: "executable.a", EnvLineage: "lin", EnvDir: "/some/dir", EnvInstance: ""}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("markers (-want +got):\n%s", d)
	}
	// The buffer of a scan is reused from one process to the next.
	buf := make([]byte, 0, 8)
	got, buf, err := readMarkers(cmd.Process.Pid, buf)
	if err != nil || cap(buf) < 64 || got[EnvAddress] != "executable.a" {
		t.Errorf("with a small buffer: %v %v (cap %d)", got, err, cap(buf))
	}
}
