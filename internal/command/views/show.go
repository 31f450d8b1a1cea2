package views

import (
	"fmt"

	"github.com/trustform/trustform/plan"
	"github.com/trustform/trustform/state"
)

// Show shows a saved plan or the state (`trustform show`), human or JSON.
type Show interface {
	Plan(p *plan.Plan) error
	// State shows st; paths are shown relative to dir.
	State(st *state.State, dir string) error
}

// NewShow returns the show view the flags ask for.
func NewShow(json bool, v *View) Show {
	if json {
		return showJSON{v}
	}
	return showHuman{v}
}

type showHuman struct{ *View }

func (v showHuman) Plan(p *plan.Plan) error { return plan.RenderHuman(v.Out, p, v.OutColor) }

func (v showHuman) State(st *state.State, dir string) error {
	return plan.RenderState(v.Out, st, dir, v.OutColor)
}

type showJSON struct{ *View }

func (v showJSON) Plan(p *plan.Plan) error { return plan.RenderJSON(v.Out, p, p.Diagnostics()) }

func (v showJSON) State(st *state.State, dir string) error {
	return plan.RenderStateJSON(v.Out, st, dir)
}

// VersionInfo is what `trustform version` reports.
type VersionInfo struct {
	Version  string `json:"trustform_version"`
	Platform string `json:"platform"`
	Go       string `json:"go_version"`
}

// Version prints the version: three lines, or with json one document.
func (v *View) Version(info VersionInfo, json bool) bool {
	if json {
		return v.JSON(info)
	}
	fmt.Fprintf(v.Out, "trustform v%s\non %s\n%s\n", info.Version, info.Platform, info.Go)
	return true
}
