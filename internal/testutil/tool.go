package testutil

import (
	"os"
	"os/exec"
	"testing"
)

// Required reports whether TRUSTFORM_E2E=require is set, meaning a missing
// tool is a test failure rather than a skip.
func Required() bool { return os.Getenv("TRUSTFORM_E2E") == "require" }

// NeedTool returns the path of the executable name. If it is not on PATH the
// test is skipped with the install command, or fails when Required().
func NeedTool(t testing.TB, name, install string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err == nil {
		return p
	}
	SkipOrFail(t, name, install)
	return ""
}

// SkipOrFail skips a test whose prerequisite (a tool, a service, a
// permission) what is missing, naming how to install it, or fails the test
// when Required().
func SkipOrFail(t testing.TB, what, install string) {
	t.Helper()
	if Required() {
		t.Fatalf("%s: not installed (TRUSTFORM_E2E=require); install with: %s", what, install)
	}
	t.Skipf("%s: not installed; install with: %s", what, install)
}
