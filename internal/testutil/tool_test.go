package testutil

import (
	"os/exec"
	"testing"
)

func TestNeedToolFindsGo(t *testing.T) {
	want, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go not on PATH")
	}
	if got := NeedTool(t, "go", "install Go"); got != want {
		t.Fatalf("NeedTool(go) = %q, want %q", got, want)
	}
}

func TestRequired(t *testing.T) {
	t.Setenv("TRUSTFORM_E2E", "require")
	if !Required() {
		t.Fatal("Required() = false with TRUSTFORM_E2E=require")
	}
	t.Setenv("TRUSTFORM_E2E", "")
	if Required() {
		t.Fatal("Required() = true with TRUSTFORM_E2E empty")
	}
}

func TestNeedToolSkipsMissing(t *testing.T) {
	t.Setenv("TRUSTFORM_E2E", "")
	ran := false
	t.Run("missing", func(t *testing.T) {
		defer func() { ran = true }()
		NeedTool(t, "trustform-no-such-tool-xyz", "nothing")
		t.Fatal("NeedTool returned for a missing tool")
	})
	if !ran {
		t.Fatal("subtest did not run")
	}
}
