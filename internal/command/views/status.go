package views

import (
	"fmt"
	"path/filepath"
	"text/tabwriter"

	"github.com/trustform/trustform/runtimes"
)

// StatusRow is one resource in `status` output.
type StatusRow struct {
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

// Status shows `trustform status`: a table, or with -json one document.
type Status interface {
	// Rows shows rows; it reports false when they could not be written.
	Rows(rows []StatusRow) bool
}

// NewStatus returns the status view the flags ask for; log paths are
// shown relative to dir.
func NewStatus(json bool, v *View, dir string) Status {
	if json {
		return statusJSON{v}
	}
	return statusHuman{View: v, dir: dir}
}

type statusJSON struct{ *View }

func (v statusJSON) Rows(rows []StatusRow) bool {
	return v.JSON(map[string]any{"format_version": "1.0", "resources": rows})
}

type statusHuman struct {
	*View
	dir string
}

func (v statusHuman) Rows(rows []StatusRow) bool {
	if len(rows) == 0 {
		fmt.Fprintln(v.Out, "No resources. Run \"trustform apply\" to start them.")
		return true
	}
	tw := tabwriter.NewWriter(v.Out, 0, 4, 2, ' ', 0)
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
		if v.OutColor {
			switch r.Status {
			case runtimes.StatusRunning:
				status = "\x1b[32m" + status + "\x1b[0m"
			default:
				status = "\x1b[31m" + status + "\x1b[0m"
			}
		}
		logPath := r.LogPath
		if rel, err := filepath.Rel(v.dir, logPath); err == nil && logPath != "" {
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
	notRunning := 0
	for _, r := range rows {
		if r.Status != runtimes.StatusRunning {
			notRunning++
		}
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
			fmt.Fprintf(v.Out, "\n%s %s; its last log line:\n  %s\n", r.Address, how, r.LastLogLine)
		} else {
			fmt.Fprintf(v.Out, "\n%s %s; it wrote nothing.\n", r.Address, how)
		}
	}
	for _, r := range rows {
		if r.Error != "" {
			v.Warnf("%s: %s", r.Address, r.Error)
		}
	}
	if notRunning > 0 {
		v.Hintf("run \"trustform apply\" to start what is not running, and \"trustform logs ADDRESS\" to see why it stopped")
	}
	return true
}

// shortID is the 12-character form engines print.
func shortID(id string) string {
	if len(id) > 12 {
		return id[:12]
	}
	return id
}
