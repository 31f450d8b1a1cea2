package views

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/hashicorp/hcl/v2"

	"github.com/trustform/trustform/apply"
	"github.com/trustform/trustform/internal/ui"
	"github.com/trustform/trustform/plan"
	"github.com/trustform/trustform/state"
)

// Apply is what apply and destroy print: the plan before approval,
// progress, and how the run ended. Human, or JSON lines with -json.
type Apply interface {
	// Plan shows the plan about to be applied (human only).
	Plan(p *plan.Plan, diags hcl.Diagnostics, src *ui.Sources) error
	// Starting marks the start of the changes (human only: a blank line
	// after the plan and the prompt).
	Starting()
	// Events is where apply reports progress.
	Events() apply.Events
	// Complete reports a run that did everything: its counts and, for
	// apply, the outputs.
	Complete(res *apply.Result, st *state.State)
	// Failed reports a run that failed (err) or could not save state
	// (closeErr); either may be nil.
	Failed(err, closeErr error)
	// Interrupted reports a run stopped by a signal while applying: what
	// was started and what was not.
	Interrupted(ae *apply.Error, err, closeErr error)
	// NotStarted reports a signal that came before anything started.
	NotStarted(changes int)
}

// NewApply returns the view of command ("apply" or "destroy"); now stamps
// JSON lines.
func NewApply(command string, json bool, v *View, now func() time.Time) Apply {
	if json {
		return &applyJSON{View: v, command: command, now: now}
	}
	return &applyHuman{View: v, command: command}
}

type applyHuman struct {
	*View
	command string
}

func (v *applyHuman) Plan(p *plan.Plan, diags hcl.Diagnostics, src *ui.Sources) error {
	return planHuman{v.View}.Plan(p, diags, src)
}

func (v *applyHuman) Starting() { fmt.Fprintln(v.Out) }

func (v *applyHuman) Events() apply.Events { return apply.TextEvents{W: v.Out} }

func (v *applyHuman) Complete(res *apply.Result, st *state.State) {
	if v.command == "destroy" {
		fmt.Fprintf(v.Out, "\nDestroy complete! Resources: %d destroyed.\n", res.Destroyed)
		return
	}
	fmt.Fprintf(v.Out, "\nApply complete! Resources: %d added, %d changed, %d destroyed.\n",
		res.Added, res.Changed, res.Destroyed)
	if st == nil || len(st.Outputs) == 0 {
		return
	}
	fmt.Fprintln(v.Out, "\nOutputs:")
	fmt.Fprintln(v.Out)
	WriteOutputs(v.Out, st.Outputs)
}

func (v *applyHuman) Failed(err, closeErr error) {
	if err != nil {
		v.Errorf("%v", err)
	}
	if closeErr != nil {
		v.Errorf("saving state: %v", closeErr)
	}
}

func (v *applyHuman) Interrupted(ae *apply.Error, err, closeErr error) {
	if len(ae.Failures) > 0 {
		v.Errorf("%v", err)
	} else {
		fmt.Fprintf(v.Err, "\n%s\n", ae.InterruptedMessage())
	}
	if closeErr != nil {
		v.Errorf("saving state: %v", closeErr)
	}
}

func (v *applyHuman) NotStarted(changes int) {
	fmt.Fprintf(v.Err, "%s\n", (&apply.Error{Interrupted: true, NotStarted: make([]string, changes)}).InterruptedMessage())
}

// applyJSON closes `apply -json` / `destroy -json` output the way
// Terraform's machine-readable UI does: a diagnostic line on failure, else
// a change_summary line and, for apply, an outputs line.
type applyJSON struct {
	*View
	command string
	now     func() time.Time
}

// Plan prints nothing: the JSON stream starts with apply's events.
func (v *applyJSON) Plan(*plan.Plan, hcl.Diagnostics, *ui.Sources) error { return nil }

func (v *applyJSON) Starting() {}

func (v *applyJSON) Events() apply.Events { return apply.JSONEvents{W: v.Out, Now: v.now} }

func (v *applyJSON) line(level, msg, typ string, fields map[string]any) {
	m := map[string]any{
		"@level": level, "@message": msg, "@module": "trustform.ui",
		"@timestamp": v.now().Format(apply.TimestampFormat), "type": typ,
	}
	for k, x := range fields {
		m[k] = x
	}
	json.NewEncoder(v.Out).Encode(m)
}

func (v *applyJSON) Complete(res *apply.Result, st *state.State) {
	if res == nil {
		res = &apply.Result{}
	}
	msg := fmt.Sprintf("Apply complete! Resources: %d added, %d changed, %d destroyed.", res.Added, res.Changed, res.Destroyed)
	if v.command == "destroy" {
		msg = fmt.Sprintf("Destroy complete! Resources: %d destroyed.", res.Destroyed)
	}
	v.line("info", msg, "change_summary", map[string]any{
		"changes": map[string]any{"add": res.Added, "change": res.Changed, "remove": res.Destroyed, "operation": v.command},
	})
	if v.command == "destroy" {
		return
	}
	outs := map[string]any{}
	if st != nil {
		outs = jsonOutputs(st.Outputs)
	}
	v.line("info", fmt.Sprintf("Outputs: %d", len(outs)), "outputs", map[string]any{"outputs": outs})
}

func (v *applyJSON) Failed(err, closeErr error) {
	err = errors.Join(err, closeErr)
	v.line("error", "Error: "+err.Error(), "diagnostic", map[string]any{
		"diagnostic": map[string]any{"severity": "error", "summary": err.Error()},
	})
}

func (v *applyJSON) Interrupted(_ *apply.Error, err, closeErr error) { v.Failed(err, closeErr) }

// NotStarted writes the human message to stderr: stdout has no JSON
// stream yet.
func (v *applyJSON) NotStarted(changes int) {
	fmt.Fprintf(v.Err, "%s\n", (&apply.Error{Interrupted: true, NotStarted: make([]string, changes)}).InterruptedMessage())
}
