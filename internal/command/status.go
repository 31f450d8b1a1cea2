package command

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"text/tabwriter"
	"time"

	"github.com/trustform/trustform/internal/command/arguments"

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
	c.run = func(args []string) int {
		a, err := arguments.ParseStatus(args)
		if err != nil {
			return e.usageError(c, err)
		}
		return runStatus(e, a)
	}
	return c
}

// statusRow is one resource in `status` output.
type statusRow struct {
	Address     string          `json:"address"`
	Type        string          `json:"type"`
	Name        string          `json:"name"`
	Status      runtimes.Status `json:"status"`
	PID         int             `json:"pid,omitempty"`
	ContainerID string          `json:"container_id,omitempty"`
	Engine      string          `json:"engine,omitempty"`
	Since       string          `json:"since,omitempty"`
	LogPath     string          `json:"log_path,omitempty"`
	// ExitCode and ExitedAt say how an exited resource ended, where that
	// is known: a process's supervisor records them next to its log; a
	// container's engine keeps them.
	ExitCode *int   `json:"exit_code,omitempty"`
	ExitedAt string `json:"exited_at,omitempty"`
	// LastLogLine is the last line an exited resource wrote.
	LastLogLine string `json:"last_log_line,omitempty"`
	Error       string `json:"error,omitempty"`
}

// runStatus asks each runtime whether what state recorded still runs.
func runStatus(e *runEnv, a *arguments.Status) int {
	if a.NoColor {
		e.streams.DisableColor()
	}
	st, err := e.loadState()
	if err != nil {
		e.streams.Errorf("%v", err)
		return exitError
	}
	ctx, stop := signalContext(context.Background(), nil)
	defer stop()
	rs := e.newRunnerSet("")
	statuses, errs := e.refresh(ctx, rs, st)
	rows := make([]statusRow, 0, len(st.Resources))
	notRunning := 0
	for _, r := range st.Resources {
		row := statusRow{Address: r.Address, Type: r.Type, Name: r.Name, PID: r.Handle.PID,
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
	if a.JSON {
		if code := e.writeJSON(map[string]any{"format_version": "1.0", "resources": rows}); code != exitOK {
			return code
		}
		return done
	}
	if len(rows) == 0 {
		fmt.Fprintln(e.streams.Out, "No resources. Run \"trustform apply\" to start them.")
		return exitOK
	}
	tw := tabwriter.NewWriter(e.streams.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ADDRESS\tSTATUS\tID\tSINCE\tLOG")
	for _, r := range rows {
		id := "-"
		switch {
		case r.PID != 0:
			id = fmt.Sprintf("pid=%d", r.PID)
		case r.ContainerID != "":
			id = "container=" + shortID(r.ContainerID)
		}
		status := string(r.Status)
		if r.ExitCode != nil {
			status = fmt.Sprintf("%s (%d)", status, *r.ExitCode)
		}
		if e.streams.OutColor {
			switch r.Status {
			case runtimes.StatusRunning:
				status = "\x1b[32m" + status + "\x1b[0m"
			default:
				status = "\x1b[31m" + status + "\x1b[0m"
			}
		}
		logPath := r.LogPath
		if rel, err := filepath.Rel(e.dir, logPath); err == nil && logPath != "" {
			logPath = rel
		}
		if logPath == "" {
			logPath = "-"
		}
		since := r.Since
		if since == "" {
			since = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.Address, status, id, since, logPath)
	}
	tw.Flush()
	for _, r := range rows {
		if r.Status != runtimes.StatusExited {
			continue
		}
		how := "exited"
		if r.ExitCode != nil {
			how = fmt.Sprintf("exited with status %d", *r.ExitCode)
		}
		if r.ExitedAt != "" {
			how += " at " + r.ExitedAt
		}
		if r.LastLogLine != "" {
			fmt.Fprintf(e.streams.Out, "\n%s %s; its last log line:\n  %s\n", r.Address, how, r.LastLogLine)
		} else {
			fmt.Fprintf(e.streams.Out, "\n%s %s; it wrote nothing.\n", r.Address, how)
		}
	}
	for _, r := range rows {
		if r.Error != "" {
			e.streams.Warnf("%s: %s", r.Address, r.Error)
		}
	}
	if notRunning > 0 {
		e.streams.Hintf("run \"trustform apply\" to start what is not running, and \"trustform logs ADDRESS\" to see why it stopped")
	}
	return done
}

// exitDetails fills in how an exited resource ended: exit status and time
// (process: the status file its supervisor wrote; container: the engine's
// record) and its last log line.
func (e *runEnv) exitDetails(ctx context.Context, rs *runnerSet, r *state.Resource, row *statusRow) {
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

// shortID is the 12-character form engines print.
func shortID(id string) string {
	if len(id) > 12 {
		return id[:12]
	}
	return id
}
