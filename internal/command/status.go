package command

import (
	"bytes"
	"context"
	"time"

	"github.com/trustform/trustform/internal/command/arguments"
	"github.com/trustform/trustform/internal/command/views"

	"github.com/trustform/trustform/apply"
	"github.com/trustform/trustform/runtimes"
	"github.com/trustform/trustform/state"
)

func newStatusCommand(e *runEnv) *command {
	c := &command{
		synopsis: "Show whether each resource is running",
		help: `
Usage: trustform [-chdir=DIR] status [flags]

  For each resource in state: running, exited or missing, its pid or
  container id, and since when. For a resource that exited: its exit
  status and time where they are known, and its last log line.

Flags:
  -json                Print as JSON.
  -detailed-exitcode   Exit 2 when any resource is not running (0: all
                       run, 1: error).
  -no-color            Do not colour the output.
`,
	}
	c.run = parsed(e, c, arguments.ParseStatus, runStatus)
	return c
}

// runStatus asks each runtime whether what state recorded still runs.
func runStatus(e *runEnv, a *arguments.Status) int {
	e.view.Configure(a.NoColor)
	st, err := e.loadState()
	if err != nil {
		e.view.Errorf("%v", err)
		return exitError
	}
	ctx, stop := signalContext(context.Background(), nil)
	defer stop()
	rs := e.newRunnerSet("")
	statuses, errs := e.refresh(ctx, rs, st)
	rows := make([]views.StatusRow, 0, len(st.Resources))
	notRunning := 0
	for _, r := range st.Resources {
		row := views.StatusRow{Address: r.Address, Type: r.Type, Name: r.Name, PID: r.Handle.PID,
			ContainerID: r.Handle.ContainerID, Engine: r.Handle.Engine, Status: statuses[r.Address]}
		if !r.Since.IsZero() {
			row.Since = r.Since.Local().Format(time.RFC3339)
		}
		if r.Spec != nil {
			row.LogPath = r.Spec.LogPath
		}
		if err := errs[r.Address]; err != nil {
			row.Status = "unknown"
			row.Error = err.Error()
		}
		if row.Status == runtimes.StatusExited {
			e.exitDetails(ctx, rs, r, &row)
		}
		if row.Status != runtimes.StatusRunning {
			notRunning++
		}
		rows = append(rows, row)
	}
	done := exitOK
	if a.DetailedExitCode && notRunning > 0 {
		done = exitChanges
	}
	if !views.NewStatus(a.JSON, e.view, e.dir).Rows(rows) {
		return exitError
	}
	return done
}

// exitDetails fills in how an exited resource ended: exit status and time
// (process: the status file its supervisor wrote; container: the engine's
// record) and its last log line.
func (e *runEnv) exitDetails(ctx context.Context, rs *runnerSet, r *state.Resource, row *views.StatusRow) {
	if r.Handle.ContainerID != "" {
		cr, err := rs.container(ctx, r.Handle.Engine)
		if err != nil {
			return
		}
		if code, at, ok, err := cr.LastExit(ctx, r.Handle); err == nil && ok {
			row.ExitCode = &code
			row.ExitedAt = at.Local().Format(time.RFC3339)
		}
		var buf bytes.Buffer
		lctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		if err := cr.Logs(lctx, r.Handle, false, &buf); err == nil {
			if l := runtimes.TailLines(buf.Bytes(), 1); len(l) == 1 {
				row.LastLogLine = l[0]
			}
		}
		return
	}
	if ex, ok := rs.proc.LastExit(r.Handle, row.LogPath); ok {
		code := ex.Code
		row.ExitCode = &code
		row.ExitedAt = ex.At.Local().Format(time.RFC3339)
	}
	if l := apply.LastLogLines(row.LogPath, 1); len(l) == 1 {
		row.LastLogLine = l[0]
	}
}
