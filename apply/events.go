package apply

import (
	"github.com/trustform/trustform/internal/addrs"

	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/trustform/trustform/plan"
	"github.com/trustform/trustform/runtimes"
)

// Events receives progress as apply works. Apply serialises the calls (one
// at a time, never concurrently), so implementations need no locking.
//
// action is what the step does: plan.Create, plan.Update or plan.Delete; a
// Replace shows as a Delete step followed by a Create step.
type Events interface {
	// ResourceStarting is called before a step begins. h is the handle of
	// what a Delete or Update step acts on (zero for Create).
	ResourceStarting(addr string, action plan.Action, h runtimes.Handle)
	// ResourceProgress is called periodically while a step runs long
	// (Options.ProgressInterval), typically while waiting for readiness.
	ResourceProgress(addr string, action plan.Action, elapsed time.Duration)
	// ResourceDone is called when a step succeeded; h is the new handle
	// for Create and Update, the stopped one for Delete.
	ResourceDone(addr string, action plan.Action, elapsed time.Duration, h runtimes.Handle)
	// ResourceFailed is called when a step failed; lastLog holds up to 20
	// last lines of the resource's log (nil when there is none).
	ResourceFailed(addr string, action plan.Action, err error, lastLog []string)
	// ResourceSkipped is called, once apply has finished, for each change
	// that did not run because something it depends on failed or because
	// apply was interrupted; action is then the change's own (Replace
	// included).
	ResourceSkipped(addr string, action plan.Action, reason string)
	// OrphanStopped is called for a process or container left by an
	// interrupted apply that state did not record and apply stopped.
	OrphanStopped(addr string, h runtimes.Handle)
	// DevcertCreated is called when apply created the development CA in
	// dir because the plan needed it.
	DevcertCreated(dir string)
}

// NopEvents ignores every event. Embed it to implement only some methods.
type NopEvents struct{}

// ResourceStarting implements Events.
func (NopEvents) ResourceStarting(string, plan.Action, runtimes.Handle) {}

// ResourceProgress implements Events.
func (NopEvents) ResourceProgress(string, plan.Action, time.Duration) {}

// ResourceDone implements Events.
func (NopEvents) ResourceDone(string, plan.Action, time.Duration, runtimes.Handle) {}

// ResourceFailed implements Events.
func (NopEvents) ResourceFailed(string, plan.Action, error, []string) {}

// ResourceSkipped implements Events.
func (NopEvents) ResourceSkipped(string, plan.Action, string) {}

// OrphanStopped implements Events.
func (NopEvents) OrphanStopped(string, runtimes.Handle) {}

// DevcertCreated implements Events.
func (NopEvents) DevcertCreated(string) {}

// lockedEvents serialises calls so implementations need not.
type lockedEvents struct {
	mu sync.Mutex
	e  Events
}

func (l *lockedEvents) starting(addr string, a plan.Action, h runtimes.Handle) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.e.ResourceStarting(addr, a, h)
}

func (l *lockedEvents) progress(addr string, a plan.Action, d time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.e.ResourceProgress(addr, a, d)
}

func (l *lockedEvents) done(addr string, a plan.Action, d time.Duration, h runtimes.Handle) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.e.ResourceDone(addr, a, d, h)
}

func (l *lockedEvents) failed(addr string, a plan.Action, err error, lines []string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.e.ResourceFailed(addr, a, err, lines)
}

func (l *lockedEvents) skipped(addr string, a plan.Action, reason string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.e.ResourceSkipped(addr, a, reason)
}

func (l *lockedEvents) orphan(addr string, h runtimes.Handle) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.e.OrphanStopped(addr, h)
}

func (l *lockedEvents) devcert(dir string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.e.DevcertCreated(dir)
}

// DevcertMessage is the human line for DevcertCreated.
func DevcertMessage(dir string) string {
	return "Development CA created in " + dir
}

// HandleLabel renders a handle the way progress lines show it: "pid=1234"
// or "id=0123456789ab" (container ids shortened to 12 characters, as the
// engines print them); empty for a zero handle.
func HandleLabel(h runtimes.Handle) string {
	switch {
	case h.ContainerID != "":
		id := h.ContainerID
		if len(id) > 12 {
			id = id[:12]
		}
		return "id=" + id
	case h.PID != 0:
		return "pid=" + strconv.Itoa(h.PID)
	}
	return ""
}

// FormatElapsed renders a step's duration: tenths of a second below a
// minute ("0.4s", "12.0s"), whole seconds above ("1m5s").
func FormatElapsed(d time.Duration) string {
	if d < time.Minute {
		return strconv.FormatFloat(d.Seconds(), 'f', 1, 64) + "s"
	}
	return d.Round(time.Second).String()
}

// verbs gives the progress words per step action, as Terraform prints them.
var verbs = map[plan.Action][3]string{
	plan.Create: {"Creating", "Still creating", "Creation"},
	plan.Update: {"Modifying", "Still modifying", "Modifications"},
	plan.Delete: {"Destroying", "Still destroying", "Destruction"},
}

func verb(a plan.Action, i int) string {
	if v, ok := verbs[a]; ok {
		return v[i]
	}
	return [3]string{"Applying", "Still applying", "Apply"}[i]
}

// StartingMessage is the human line for ResourceStarting, e.g.
// "node_app.web: Destroying... [pid=1234]".
func StartingMessage(addr string, a plan.Action, h runtimes.Handle) string {
	msg := addr + ": " + verb(a, 0) + "..."
	if l := HandleLabel(h); l != "" && a != plan.Create {
		msg += " [" + l + "]"
	}
	return msg
}

// ProgressMessage is the human line for ResourceProgress, e.g.
// "node_app.web: Still creating... [10s elapsed]".
func ProgressMessage(addr string, a plan.Action, elapsed time.Duration) string {
	return fmt.Sprintf("%s: %s... [%s elapsed]", addr, verb(a, 1), elapsed.Round(time.Second))
}

// DoneMessage is the human line for ResourceDone, e.g.
// "node_app.web: Creation complete after 0.4s [pid=1234]".
func DoneMessage(addr string, a plan.Action, elapsed time.Duration, h runtimes.Handle) string {
	msg := fmt.Sprintf("%s: %s complete after %s", addr, verb(a, 2), FormatElapsed(elapsed))
	if l := HandleLabel(h); l != "" && a != plan.Delete {
		msg += " [" + l + "]"
	}
	return msg
}

// FailedMessage is the human line for ResourceFailed, e.g.
// "node_app.web: Creation failed: ...".
func FailedMessage(addr string, a plan.Action, err error) string {
	return fmt.Sprintf("%s: %s failed: %v", addr, verb(a, 2), err)
}

// TextEvents writes one human line per event to W, in the style of
// Terraform's apply output. Failures are written too; the command still
// prints the returned *Error (with log lines) at the end.
type TextEvents struct {
	W io.Writer
}

// ResourceStarting implements Events.
func (t TextEvents) ResourceStarting(addr string, a plan.Action, h runtimes.Handle) {
	fmt.Fprintln(t.W, StartingMessage(addr, a, h))
}

// ResourceProgress implements Events.
func (t TextEvents) ResourceProgress(addr string, a plan.Action, d time.Duration) {
	fmt.Fprintln(t.W, ProgressMessage(addr, a, d))
}

// ResourceDone implements Events.
func (t TextEvents) ResourceDone(addr string, a plan.Action, d time.Duration, h runtimes.Handle) {
	fmt.Fprintln(t.W, DoneMessage(addr, a, d, h))
}

// ResourceFailed implements Events.
func (t TextEvents) ResourceFailed(addr string, a plan.Action, err error, _ []string) {
	fmt.Fprintln(t.W, FailedMessage(addr, a, err))
}

// ResourceSkipped implements Events.
func (t TextEvents) ResourceSkipped(addr string, a plan.Action, reason string) {
	fmt.Fprintf(t.W, "%s: Skipped: %s\n", addr, reason)
}

// OrphanStopped implements Events.
func (t TextEvents) OrphanStopped(addr string, h runtimes.Handle) {
	fmt.Fprintln(t.W, TextOrphan(addr, h))
}

// DevcertCreated implements Events.
func (t TextEvents) DevcertCreated(dir string) {
	fmt.Fprintln(t.W, DevcertMessage(dir))
}

// TimestampFormat is the one format of "@timestamp" in every JSON line
// trustform writes (apply and destroy events, their summary, outputs and
// diagnostics): RFC 3339 in UTC or the local zone, always with
// microseconds, as Terraform's machine-readable UI writes it.
const TimestampFormat = "2006-01-02T15:04:05.000000Z07:00"

// JSONEvents writes one JSON object per line per event to W, following the
// shape of Terraform's machine-readable UI ("@level", "@message",
// "@module", "@timestamp", "type", "hook"). Now stamps the events; nil
// means time.Now.
type JSONEvents struct {
	W   io.Writer
	Now func() time.Time
}

// JSONEvent is one line of JSONEvents output.
type JSONEvent struct {
	Level     string    `json:"@level"`
	Message   string    `json:"@message"`
	Module    string    `json:"@module"`
	Timestamp string    `json:"@timestamp"`
	Type      string    `json:"type"`
	Hook      *JSONHook `json:"hook,omitempty"`
}

// JSONHook is the resource part of a JSONEvent.
type JSONHook struct {
	Resource JSONResource `json:"resource"`
	Action   string       `json:"action"`
	// IDKey and IDValue name the process or container ("pid", "1234").
	IDKey          string   `json:"id_key,omitempty"`
	IDValue        string   `json:"id_value,omitempty"`
	ElapsedSeconds *float64 `json:"elapsed_seconds,omitempty"`
	Error          string   `json:"error,omitempty"`
	LastLogLines   []string `json:"last_log_lines,omitempty"`
	Reason         string   `json:"reason,omitempty"`
}

// JSONResource names a resource in a JSONHook.
type JSONResource struct {
	Addr         string `json:"addr"`
	ResourceType string `json:"resource_type"`
	ResourceName string `json:"resource_name"`
	// ResourceKey is the count index or for_each key, absent for a block
	// without either (Terraform's field).
	ResourceKey any `json:"resource_key,omitempty"`
}

func (j JSONEvents) emit(level, typ, msg, addr string, a plan.Action, h runtimes.Handle, fill func(*JSONHook)) {
	now := time.Now
	if j.Now != nil {
		now = j.Now
	}
	typName, name, _ := strings.Cut(addr, ".")
	var key any
	if a, err := addrs.Parse(addr); err == nil {
		name, key = a.Name, a.Key.Value()
	}
	ev := JSONEvent{
		Level:     level,
		Message:   msg,
		Module:    "trustform.ui",
		Timestamp: now().Format(TimestampFormat),
		Type:      typ,
	}
	if addr == "" {
		j.write(ev)
		return
	}
	ev.Hook = &JSONHook{
		Resource: JSONResource{Addr: addr, ResourceType: typName, ResourceName: name, ResourceKey: key},
		Action:   string(a),
	}
	if l := HandleLabel(h); l != "" {
		ev.Hook.IDKey, ev.Hook.IDValue, _ = strings.Cut(l, "=")
		if h.ContainerID != "" {
			ev.Hook.IDKey, ev.Hook.IDValue = "container_id", h.ContainerID
		}
	}
	if fill != nil {
		fill(ev.Hook)
	}
	j.write(ev)
}

func (j JSONEvents) write(ev JSONEvent) {
	b, err := json.Marshal(ev)
	if err != nil {
		return // cannot happen: every field is a plain string or number
	}
	j.W.Write(append(b, '\n'))
}

func seconds(d time.Duration) *float64 {
	s := float64(d.Round(time.Millisecond)) / float64(time.Second)
	return &s
}

// ResourceStarting implements Events.
func (j JSONEvents) ResourceStarting(addr string, a plan.Action, h runtimes.Handle) {
	j.emit("info", "apply_start", StartingMessage(addr, a, h), addr, a, h, nil)
}

// ResourceProgress implements Events.
func (j JSONEvents) ResourceProgress(addr string, a plan.Action, d time.Duration) {
	j.emit("info", "apply_progress", ProgressMessage(addr, a, d), addr, a, runtimes.Handle{}, func(h *JSONHook) {
		h.ElapsedSeconds = seconds(d)
	})
}

// ResourceDone implements Events.
func (j JSONEvents) ResourceDone(addr string, a plan.Action, d time.Duration, h runtimes.Handle) {
	j.emit("info", "apply_complete", DoneMessage(addr, a, d, h), addr, a, h, func(h *JSONHook) {
		h.ElapsedSeconds = seconds(d)
	})
}

// ResourceFailed implements Events.
func (j JSONEvents) ResourceFailed(addr string, a plan.Action, err error, lines []string) {
	j.emit("error", "apply_errored", FailedMessage(addr, a, err), addr, a, runtimes.Handle{}, func(h *JSONHook) {
		h.Error = err.Error()
		h.LastLogLines = lines
	})
}

// ResourceSkipped implements Events.
func (j JSONEvents) ResourceSkipped(addr string, a plan.Action, reason string) {
	j.emit("warn", "apply_skipped", addr+": Skipped: "+reason, addr, a, runtimes.Handle{}, func(h *JSONHook) {
		h.Reason = reason
	})
}

// OrphanStopped implements Events.
func (j JSONEvents) OrphanStopped(addr string, h runtimes.Handle) {
	j.emit("warn", "orphan_stopped", TextOrphan(addr, h), addr, plan.Delete, h, nil)
}

// DevcertCreated implements Events; the event has no resource.
func (j JSONEvents) DevcertCreated(dir string) {
	j.emit("info", "devcert_created", DevcertMessage(dir), "", "", runtimes.Handle{}, nil)
}

// TextOrphan is the human line for OrphanStopped.
func TextOrphan(addr string, h runtimes.Handle) string {
	return fmt.Sprintf("%s: Stopped a leftover from an interrupted apply [%s]", addr, HandleLabel(h))
}
