package process

import (
	"os"
	"testing"
)

// TestMain lets the test binary serve as the supervisor that Runners with
// RecordExits start (as /proc/self/exe, which here is this binary).
func TestMain(m *testing.M) {
	if code, ok := ServeIfSupervisor(os.Args[1:], os.Getenv); ok {
		os.Exit(code)
	}
	os.Exit(m.Run())
}
