package main

import (
	"context"

	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/trustform/trustform/internal/benchgen"
)

// processFloor times a Go loop that starts n `sleep 3600` processes, each
// with this run's tag, the least any tool starting n processes can cost;
// then it stops them again.
func (b *bench) processFloor(ctx context.Context, n int) (*sample, error) {
	sleep, err := exec.LookPath("sleep")
	if err != nil {
		return nil, err
	}
	env := append(append([]string{}, b.env...), b.tag)
	cmds := make([]*exec.Cmd, 0, n)
	defer func() {
		for _, c := range cmds {
			c.Process.Kill()
			c.Wait()
		}
	}()
	fmt.Fprintf(b.logw, "  process floor: starting %d sleep processes\n", n)
	start := time.Now()
	for range n {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		c := exec.Command(sleep, "3600")
		c.Env = env
		if err := c.Start(); err != nil {
			return nil, err
		}
		cmds = append(cmds, c)
	}
	s := &sample{wall: time.Since(start)}
	fmt.Fprintf(b.logw, "    %.3fs wall\n", s.wall.Seconds())
	return s, nil
}

// terraformConfig is N terraform_data resources with the dependency shape
// of benchgen's configuration: every tenth depends on the tenth before it.
func terraformConfig(n int) []byte {
	var sb strings.Builder
	for i := range n {
		fmt.Fprintf(&sb, "resource \"terraform_data\" %q {\n  input = \"sleep 3600\"\n", benchgen.Name(i))
		if d := benchgen.DependsOn(i); d >= 0 {
			fmt.Fprintf(&sb, "  depends_on = [terraform_data.%s]\n", benchgen.Name(d))
		}
		sb.WriteString("}\n\n")
	}
	return []byte(sb.String())
}

// terraform times Terraform's fresh plan and apply of n terraform_data
// (the builtin provider, so it runs offline), the yardstick of a
// Terraform-style tool doing nothing but its own bookkeeping.
func (b *bench) terraform(ctx context.Context, n int, sr *sizeResult) error {
	tf, err := exec.LookPath("terraform")
	if err != nil {
		sr.tfSkipped = "terraform is not on PATH"
		return nil
	}
	dir := filepath.Join(b.work, fmt.Sprintf("tf%d", n))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), terraformConfig(n), 0o644); err != nil {
		return err
	}
	saved := b.env
	b.env = append(append([]string{}, b.env...), "CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1")
	defer func() { b.env = saved }()
	chdir := "-chdir=" + dir
	if _, err := b.timed(ctx, fmt.Sprintf("%d-tf-init", n), 0, tf, chdir, "init", "-input=false", "-no-color"); err != nil {
		sr.tfSkipped = "terraform init failed: " + firstLine(err)
		return nil
	}
	p, err := b.timed(ctx, fmt.Sprintf("%d-tf-plan", n), 0, tf, chdir, "plan", "-input=false", "-no-color")
	if err != nil {
		return err
	}
	sr.tfPlan = &p
	a, err := b.timed(ctx, fmt.Sprintf("%d-tf-apply", n), 0, tf, chdir, "apply", "-auto-approve", "-input=false", "-no-color")
	if err != nil {
		return err
	}
	sr.tfApply = &a
	return nil
}

func firstLine(err error) string {
	s, _, _ := strings.Cut(err.Error(), "\n")
	return s
}

// outputSize is the size of a command's log: stdout and stderr.
func (b *bench) outputSize(name string) int64 {
	fi, err := os.Stat(filepath.Join(b.work, "logs", name+".log"))
	if err != nil {
		return 0
	}
	return fi.Size()
}
