package views

import (
	"github.com/hashicorp/hcl/v2"

	"github.com/trustform/trustform/internal/ui"
)

// Validate shows validate's verdict: the diagnostics and "Success!", or
// with -json one document holding them.
type Validate interface {
	// Result shows diags; it reports false when the result could not be
	// written.
	Result(diags hcl.Diagnostics, src *ui.Sources) bool
}

// NewValidate returns the validate view the flags ask for.
func NewValidate(json bool, v *View) Validate {
	if json {
		return validateJSON{v}
	}
	return validateHuman{v}
}

type validateHuman struct{ *View }

func (v validateHuman) Result(diags hcl.Diagnostics, src *ui.Sources) bool {
	v.Diagnostics(diags, src)
	if !diags.HasErrors() {
		v.Success("Success! The configuration is valid.")
	}
	return true
}

type validateJSON struct{ *View }

func (v validateJSON) Result(diags hcl.Diagnostics, src *ui.Sources) bool {
	out, err := ui.MarshalIndent(ui.NewValidateJSON(diags, src))
	if err != nil {
		v.Errorf("encoding the result: %v", err)
		return false
	}
	v.Out.Write(out)
	return true
}
