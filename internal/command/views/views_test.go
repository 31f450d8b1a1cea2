package views

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/hcl/v2"

	"github.com/trustform/trustform/apply"
	"github.com/trustform/trustform/internal/trustcheck"
	"github.com/trustform/trustform/runtimes"
	"github.com/trustform/trustform/state"
)

func newTestView() (*View, *bytes.Buffer, *bytes.Buffer) {
	var out, errOut bytes.Buffer
	return NewView(&out, &errOut, nil), &out, &errOut
}

// A buffer is not a terminal: no colour, whatever the environment says;
// -no-color turns off colour a terminal would have had.
func TestViewColour(t *testing.T) {
	v, _, _ := newTestView()
	if v.OutColor || v.ErrColor {
		t.Fatal("colour on a buffer")
	}
	v.OutColor, v.ErrColor = true, true
	v.Configure(false)
	if !v.OutColor {
		t.Fatal("Configure(false) turned colour off")
	}
	v.Configure(true)
	if v.OutColor || v.ErrColor {
		t.Fatal("-no-color left colour on")
	}
}

func TestUsageError(t *testing.T) {
	v, out, errOut := newTestView()
	v.UsageError(errors.New("unknown flag -chdir"), "Usage: trustform plan")
	want := "trustform: error: unknown flag -chdir\nhint: -chdir is a global flag: put it before the command, e.g. trustform -chdir=DIR plan\n\nUsage: trustform plan\n"
	if errOut.String() != want || out.Len() != 0 {
		t.Errorf("stderr %q, stdout %q", errOut, out)
	}
}

// apply -json ends with a change_summary and an outputs line, each
// stamped in the one timestamp format; sensitive values are left out.
func TestApplyJSONComplete(t *testing.T) {
	v, out, _ := newTestView()
	now := func() time.Time { return time.Date(2026, 12, 5, 1, 2, 3, 456789000, time.UTC) }
	st := &state.State{Outputs: map[string]*state.Output{
		"url":   {Value: json.RawMessage(`"https://x"`), Type: json.RawMessage(`"string"`)},
		"token": {Value: json.RawMessage(`"secret"`), Sensitive: true},
	}}
	NewApply("apply", true, v, now).Complete(&apply.Result{Added: 2, Destroyed: 1}, st)
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("want 2 lines, got %q", out)
	}
	for _, want := range []string{`"@timestamp":"2026-12-05T01:02:03.456789Z"`, `"type":"change_summary"`, `"add":2`, `"remove":1`, `"operation":"apply"`} {
		if !strings.Contains(lines[0], want) {
			t.Errorf("summary %s lacks %s", lines[0], want)
		}
	}
	if strings.Contains(lines[1], "secret") || !strings.Contains(lines[1], `"url":{"sensitive":false,"type":"string","value":"https://x"}`) {
		t.Errorf("outputs line %s", lines[1])
	}
	out.Reset()
	NewApply("destroy", true, v, now).Failed(errors.New("boom"), errors.New("disk full"))
	if !strings.Contains(out.String(), `"@level":"error","@message":"Error: boom\ndisk full"`) {
		t.Errorf("failure line %s", out)
	}
}

func TestApplyHumanComplete(t *testing.T) {
	v, out, errOut := newTestView()
	st := &state.State{Outputs: map[string]*state.Output{
		"url":     {Value: json.RawMessage(`"https://x"`)},
		"workers": {Value: json.RawMessage(`[1,2]`)},
	}}
	a := NewApply("apply", false, v, time.Now)
	a.Complete(&apply.Result{Added: 1}, st)
	want := "\nApply complete! Resources: 1 added, 0 changed, 0 destroyed.\n\nOutputs:\n\nurl     = \"https://x\"\nworkers = [\n  1,\n  2\n]\n"
	if out.String() != want {
		t.Errorf("got %q, want %q", out, want)
	}
	a.Failed(nil, errors.New("disk full"))
	if errOut.String() != "trustform: error: saving state: disk full\n" {
		t.Errorf("stderr %q", errOut)
	}
}

func TestStatusHuman(t *testing.T) {
	v, out, errOut := newTestView()
	code := 3
	rows := []StatusRow{
		{Address: "node_app.web", Status: runtimes.StatusRunning, PID: 42, Since: "2026-12-05T01:00:00Z", LogPath: "/p/.trustform/logs/node_app.web.log"},
		{Address: "container.db", Status: runtimes.StatusExited, ContainerID: "0123456789abcdef", ExitCode: &code, LastLogLine: "bye"},
		{Address: "python_app.api", Status: "unknown", Error: "no engine"},
	}
	if !NewStatus(false, v, "/p").Rows(rows) {
		t.Fatal("Rows failed")
	}
	want := `ADDRESS         STATUS      ID                      SINCE                 LOG
node_app.web    running     pid=42                  2026-12-05T01:00:00Z  .trustform/logs/node_app.web.log
container.db    exited (3)  container=0123456789ab  -                     -
python_app.api  unknown     -                       -                     -

container.db exited with status 3; its last log line:
  bye
`
	if out.String() != want {
		t.Errorf("got\n%s\nwant\n%s", out, want)
	}
	if !strings.Contains(errOut.String(), "warning: python_app.api: no engine") || !strings.Contains(errOut.String(), "hint: run \"trustform apply\"") {
		t.Errorf("stderr %q", errOut)
	}
	out.Reset()
	NewStatus(false, v, "/p").Rows(nil)
	if out.String() != "No resources. Run \"trustform apply\" to start them.\n" {
		t.Errorf("empty: %q", out)
	}
}

// A plan that could not be made still gives a JSON consumer one document.
func TestPlanJSONFailed(t *testing.T) {
	v, out, errOut := newTestView()
	p := NewPlan(true, false, v)
	p.Failed(hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Bad thing"}}, nil)
	p.Saved("x.plan")
	var doc map[string]any
	if err := json.Unmarshal(out.Bytes(), &doc); err != nil {
		t.Fatalf("not one JSON document: %v\n%s", err, out)
	}
	if !strings.Contains(out.String(), "Bad thing") || errOut.Len() != 0 {
		t.Errorf("stdout %s, stderr %q", out, errOut)
	}
}

func TestValidateHuman(t *testing.T) {
	v, out, _ := newTestView()
	NewValidate(false, v).Result(nil, nil)
	if out.String() != "Success! The configuration is valid.\n" {
		t.Errorf("got %q", out)
	}
}

func TestOutputRaw(t *testing.T) {
	v, out, errOut := newTestView()
	raw := NewOutput(false, true, v)
	if !raw.One("url", &state.Output{Value: json.RawMessage(`"https://x"`)}) || out.String() != "https://x" {
		t.Errorf("string: %q", out)
	}
	out.Reset()
	if raw.One("list", &state.Output{Value: json.RawMessage(`[1]`)}) || out.Len() != 0 ||
		!strings.Contains(errOut.String(), `output "list" is not a string, number or bool`) {
		t.Errorf("list: stdout %q stderr %q", out, errOut)
	}
	out.Reset()
	if !NewOutput(true, false, v).One("token", &state.Output{Value: json.RawMessage(`"s"`), Sensitive: true}) || out.String() != "null\n" {
		t.Errorf("sensitive JSON: %q", out)
	}
}

func TestVersion(t *testing.T) {
	v, out, _ := newTestView()
	v.Version(VersionInfo{Version: "1.2.3", Platform: "linux_amd64", Go: "go1.26"}, false)
	if out.String() != "trustform v1.2.3\non linux_amd64\ngo1.26\n" {
		t.Errorf("got %q", out)
	}
}

func TestCheckHuman(t *testing.T) {
	v, out, _ := newTestView()
	rep := CheckReport{Resources: []CheckedResource{{
		Address: "node_app.web", Type: "node_app", Scope: "append", TrustSet: "corp",
		Results: []trustcheck.Result{{Client: "node", Trusted: false, Kind: "unknown_root", Reason: "No store holds the root.", Fix: "Add it."}},
	}}}
	if !NewCheck(v, false, false).Report(rep) {
		t.Fatal("Report failed")
	}
	want := "node_app.web (node_app, scope append, trust set corp)\n\n  node: NOT TRUSTED (unknown_root)\n    No store holds the root.\n    Fix: Add it.\n\nnode_app.web does not trust this server.\n"
	if out.String() != want {
		t.Errorf("got %q\nwant %q", out, want)
	}
	out.Reset()
	NewCheck(v, false, true).Report(rep)
	if out.String() != "node_app.web  NOT TRUSTED  node: No store holds the root\n" {
		t.Errorf("-all: %q", out)
	}
}
