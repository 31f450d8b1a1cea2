package views

import (
	"fmt"

	"github.com/hashicorp/hcl/v2"

	"github.com/trustform/trustform/internal/ui"
	"github.com/trustform/trustform/plan"
)

// Plan shows a plan: human, JSON (-json) or Markdown (-markdown).
type Plan interface {
	// Plan shows a plan that was made, with its warnings.
	Plan(p *plan.Plan, diags hcl.Diagnostics, src *ui.Sources) error
	// Failed shows why no plan could be made.
	Failed(diags hcl.Diagnostics, src *ui.Sources)
	// Saved says where -out saved the plan and how to apply it.
	Saved(name string)
}

// NewPlan returns the plan view the flags ask for.
func NewPlan(json, markdown bool, v *View) Plan {
	switch {
	case json:
		return planJSON{v}
	case markdown:
		return planMarkdown{planHuman{v}}
	}
	return planHuman{v}
}

type planHuman struct{ *View }

func (v planHuman) Plan(p *plan.Plan, diags hcl.Diagnostics, src *ui.Sources) error {
	v.Diagnostics(diags, src)
	return plan.RenderHuman(v.Out, p, v.OutColor)
}

func (v planHuman) Failed(diags hcl.Diagnostics, src *ui.Sources) { v.Diagnostics(diags, src) }

func (v planHuman) Saved(name string) {
	fmt.Fprintf(v.Out, "\nSaved the plan to: %s\n\nTo perform exactly these actions, run:\n    trustform apply %s\n", name, name)
}

type planMarkdown struct{ planHuman }

func (v planMarkdown) Plan(p *plan.Plan, diags hcl.Diagnostics, src *ui.Sources) error {
	v.Diagnostics(diags, src)
	return plan.RenderMarkdown(v.Out, p, diags)
}

type planJSON struct{ *View }

func (v planJSON) Plan(p *plan.Plan, diags hcl.Diagnostics, _ *ui.Sources) error {
	return plan.RenderJSON(v.Out, p, diags)
}

// Failed still writes one JSON document, with the errors, so a consumer
// always has something to parse.
func (v planJSON) Failed(diags hcl.Diagnostics, _ *ui.Sources) {
	_ = plan.RenderJSON(v.Out, &plan.Plan{TrustformVersion: v.TrustformVersion}, diags)
}

// Saved prints nothing: stdout holds exactly one JSON document.
func (v planJSON) Saved(string) {}
