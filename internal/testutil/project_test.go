package testutil

import (
	"context"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestProjectRun(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh")
	}
	p := &Project{T: t, Dir: t.TempDir(), Bin: sh, Env: []string{"X=1"}}
	p.Write("sub/f.txt", "hello")
	res := p.Run(time.Minute, "-c", `cat sub/f.txt; echo " $X"; echo err >&2; exit 3`)
	if res.Stdout != "hello 1\n" || res.Stderr != "err\n" || res.Code != 3 || res.PID == 0 {
		t.Errorf("got %+v", res)
	}
	// A run that outlives its context is killed and reported.
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	r := p.Start(ctx, "-c", "exec sleep 30")
	if _, err := r.Wait(ctx); err == nil || !strings.Contains(err.Error(), "did not end in time") {
		t.Errorf("err = %v", err)
	}
	if r.Result() == nil {
		t.Error("no result after Wait")
	}
}

func TestProjectChdir(t *testing.T) {
	p := &Project{T: t, Dir: "/d", Bin: "/bin/true", Chdir: true}
	cmd := p.Command(context.Background(), "plan")
	if !slices.Equal(cmd.Args, []string{"/bin/true", "-chdir=/d", "plan"}) || cmd.Dir != "/d" {
		t.Errorf("args %q dir %q", cmd.Args, cmd.Dir)
	}
}

func TestCleanEnv(t *testing.T) {
	t.Setenv("TRUSTFORM_LOG", "debug")
	t.Setenv("SSL_CERT_FILE", "/x")
	env := CleanEnv([]string{"SSL_CERT_FILE"}, "A=b")
	for _, kv := range env {
		if strings.HasPrefix(kv, "TRUSTFORM_") || strings.HasPrefix(kv, "SSL_CERT_FILE=") {
			t.Errorf("%s kept", kv)
		}
	}
	if env[len(env)-1] != "A=b" {
		t.Errorf("extra not appended: %q", env[len(env)-1])
	}
}
