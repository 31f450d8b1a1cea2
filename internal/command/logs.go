package command

import (
	"github.com/trustform/trustform/internal/command/arguments"
	"github.com/trustform/trustform/internal/safepath"

	"context"
	"io"
	"os"
	"strings"
	"time"

	tfaddrs "github.com/trustform/trustform/internal/addrs"
	"github.com/trustform/trustform/internal/layout"
	"github.com/trustform/trustform/runtimes"
)

func newLogsCommand(e *runEnv) *command {
	c := &command{
		synopsis: "Print a resource's captured output",
		help: `
Usage: trustform [-chdir=DIR] logs ADDR [-f]

  Print the captured stdout and stderr of the resource ADDR (TYPE.NAME),
  for example "trustform logs node_app.web".

Flags:
  -f  Keep printing new output until interrupted.
`,
	}
	c.run = func(args []string) int {
		a, err := arguments.ParseLogs(args)
		if err != nil {
			return e.usageError(c, err)
		}
		return runLogs(e, a)
	}
	return c
}

// runLogs prints a resource's captured output: the log file of a process,
// the engine's log of a container. -f follows until interrupted or until
// the process ends.
func runLogs(e *runEnv, a *arguments.Logs) int {
	st, err := e.loadState()
	if err != nil {
		e.view.Errorf("%v", err)
		return exitError
	}
	r := st.Lookup(a.Address)
	if r == nil {
		e.view.Errorf("no resource %q in state", a.Address)
		addrs := make([]string, 0, len(st.Resources))
		for _, x := range st.Resources {
			addrs = append(addrs, x.Address)
		}
		var instances []string
		if target, err := tfaddrs.Parse(a.Address); err == nil && target.Key.Kind == tfaddrs.NoKey {
			for _, x := range addrs {
				if tfaddrs.Matches(target, x) {
					instances = append(instances, x)
				}
			}
		}
		if len(instances) > 0 {
			e.view.Hintf("%s has count or for_each; name one instance: %s", a.Address, strings.Join(instances, ", "))
		} else if s := suggest(a.Address, addrs); s != "" {
			e.view.Hintf("Did you mean %q?", s)
		} else if len(addrs) == 0 {
			e.view.Hintf("nothing is running: run \"trustform apply\" first")
		}
		return exitError
	}
	ctx, stop := signalContext(context.Background(), nil)
	defer stop()
	rs := e.newRunnerSet("")
	if r.Handle.ContainerID != "" {
		cr, err := rs.container(ctx, r.Handle.Engine)
		if err != nil {
			e.view.Errorf("%v", err)
			return exitError
		}
		if err := cr.Logs(ctx, r.Handle, a.Follow, e.view.Out); err != nil && ctx.Err() == nil {
			e.view.Errorf("%v", err)
			return exitError
		}
		return exitOK
	}
	path := layout.LogPath(e.dir, r.Address)
	if r.Spec != nil && r.Spec.LogPath != "" {
		path = r.Spec.LogPath
	}
	// Only a regular file inside .trustform, reached without a link: a
	// planted link would show (or, a pipe, hang on) whatever it names.
	f, err := safepath.OpenFile(layout.StateDir(e.dir), path, os.O_RDONLY, 0)
	if err != nil {
		e.view.Errorf("reading the log of %s: %v", r.Address, err)
		return exitError
	}
	defer f.Close()
	if _, err := io.Copy(e.view.Out, f); err != nil {
		e.view.Errorf("%v", err)
		return exitError
	}
	if !a.Follow {
		return exitOK
	}
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return exitOK
		case <-tick.C:
		}
		if _, err := io.Copy(e.view.Out, f); err != nil {
			e.view.Errorf("%v", err)
			return exitError
		}
		if s, err := rs.proc.Status(ctx, r.Handle); err == nil && s != runtimes.StatusRunning {
			// Drain what it wrote last, then stop: nothing more will come.
			io.Copy(e.view.Out, f)
			return exitOK
		}
	}
}
