//go:build unix

package container

import (
	"bytes"
	"context"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// TestEngineCommandsOwnGroup: an engine command runs in a process group of
// its own, so Ctrl-C on trustform's terminal does not kill the `logs -f`
// or `stop` that an interrupted run still needs.
func TestEngineCommandsOwnGroup(t *testing.T) {
	var out bytes.Buffer
	// $$ is the shell's pid; in a group of its own it is also the group id.
	if err := (CLI{}).Run(context.Background(), "sh", []string{"-c", `echo $$; cut -d" " -f5 /proc/$$/stat`}, nil, &out, &out); err != nil {
		t.Fatal(err)
	}
	f := strings.Fields(out.String())
	if len(f) != 2 {
		t.Fatalf("output %q", out.String())
	}
	if f[0] != f[1] {
		t.Fatalf("engine command pid %s is in group %s, not its own", f[0], f[1])
	}
	if ours := syscall.Getpgrp(); strconv.Itoa(ours) == f[1] {
		t.Fatalf("engine command shares trustform's process group %d", ours)
	}
}
