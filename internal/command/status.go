package command

import (
	"context"
	"fmt"
	"path/filepath"
	"text/tabwriter"
	"time"

	"github.com/trustform/trustform/runtimes"
)

// statusArgs are the flags of `trustform status`.
type statusArgs struct {
	JSON    bool
	NoColor bool
}

func newStatusCommand(e *runEnv) *command {
	c := &command{
		synopsis: "Show whether each resource is running",
		help: `
Usage: trustform [-chdir=DIR] status [flags]

  For each resource in state: running, exited or missing, its pid or
  container id, and since when.

Flags:
  -json      Print as JSON.
  -no-color  Do not colour the output.
`,
	}
	c.run = func(args []string) int {
		var a statusArgs
		fs := newFlagSet("status")
		fs.BoolVar(&a.JSON, "json", false, "")
		fs.BoolVar(&a.NoColor, "no-color", false, "")
		pos, err := parseFlags(fs, args)
		if err == nil && len(pos) > 0 {
			err = errUnexpectedArgs(pos)
		}
		if err != nil {
			return e.usageError(c, err)
		}
		return runStatus(e, &a)
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
	Error       string          `json:"error,omitempty"`
}

// runStatus asks each runtime whether what state recorded still runs.
func runStatus(e *runEnv, a *statusArgs) int {
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
	statuses, errs := e.refresh(ctx, e.newRunnerSet(""), st)
	rows := make([]statusRow, 0, len(st.Resources))
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
		rows = append(rows, row)
	}
	if a.JSON {
		return e.writeJSON(map[string]any{"format_version": "1.0", "resources": rows})
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
		if r.Error != "" {
			e.streams.Warnf("%s: %s", r.Address, r.Error)
		}
	}
	return exitOK
}

// shortID is the 12-character form engines print.
func shortID(id string) string {
	if len(id) > 12 {
		return id[:12]
	}
	return id
}
