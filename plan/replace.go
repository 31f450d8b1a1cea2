package plan

import (
	"fmt"
	"sort"

	"github.com/agext/levenshtein"
	"github.com/hashicorp/hcl/v2"

	"github.com/trustform/trustform/internal/addrs"
	"github.com/trustform/trustform/state"
)

// This file holds what -replace and a targeted destroy add to a plan: the
// user names addresses, and the plan says which resources that reaches and
// why, in Terraform's words.

// resolveAddrs matches each user-given address (a -replace or -target
// argument) against the addresses known from configuration and state. A
// block address (TYPE.NAME) selects every instance of a block with count or
// for_each; an address with a key, that instance. Unknown addresses are
// errors naming the closest known address.
func resolveAddrs(flag string, given []string, known []string, destroy bool) (map[string]bool, hcl.Diagnostics) {
	var diags hcl.Diagnostics
	out := map[string]bool{}
	for _, g := range given {
		target, err := addrs.Parse(g)
		if err != nil {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  fmt.Sprintf("Invalid %s address", flag),
				Detail:   fmt.Sprintf("-%s=%s: %v.", flag, g, err),
			})
			continue
		}
		n := 0
		for _, a := range known {
			if addrs.Matches(target, a) {
				out[a] = true
				n++
			}
		}
		if n == 0 {
			// A destroy reads only state: a resource of the configuration
			// that never ran (or was destroyed) is not there.
			where := "in the configuration or the state."
			if destroy {
				where = "in the state: nothing of that name runs, so there is nothing to destroy."
			}
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  fmt.Sprintf("Invalid %s address", flag),
				Detail: fmt.Sprintf("No resource %q %s%s Addresses look like node_app.web, executable.worker[0] or executable.worker[\"eu\"]; \"trustform status\" lists those in state.",
					g, where, didYouMean(g, known)),
			})
		}
	}
	return out, diags
}

// knownAddrs lists every resource address in the configuration (unless
// destroying, which reads only state) and the state, sorted, once each.
func (p *planner) knownAddrs(st *state.State) []string {
	seen := map[string]bool{}
	for _, sr := range st.Resources {
		seen[sr.Address] = true
	}
	if !p.in.Destroy {
		for _, r := range p.cfg.Resources {
			seen[r.Address] = true
		}
	}
	out := make([]string, 0, len(seen))
	for a := range seen {
		out = append(out, a)
	}
	sort.Strings(out)
	return out
}

// replaceByRequest turns the running resources -replace names into
// replacements. A resource the plan creates anyway (new, or no longer
// running) is created, and one leaving the configuration is destroyed, as
// Terraform does: there is nothing running to replace. What depends on a
// replaced resource is left alone: nothing it is given (argv, env, trust
// material) can name the old process, since pid and container_id are
// known only after apply and only outputs may use them.
func (p *planner) replaceByRequest(st *state.State) hcl.Diagnostics {
	if len(p.in.Replace) == 0 {
		return nil
	}
	chosen, diags := resolveAddrs("replace", p.in.Replace, p.knownAddrs(st), p.in.Destroy)
	if diags.HasErrors() {
		return diags
	}
	for _, ch := range p.plan.Changes {
		if !chosen[ch.Address] {
			continue
		}
		switch ch.Action {
		case NoOp, Update, Replace:
			ch.Action = Replace
			ch.ActionReason = ReasonReplaceByRequest
		}
	}
	return nil
}

// markDependants records, on each delete of a targeted destroy that was
// not itself targeted, which destroyed resource it depends on, so the plan
// can say why it goes.
func (p *planner) markDependants(targeted map[string]bool, via map[string]string) {
	if !p.in.Destroy || len(targeted) == 0 {
		return
	}
	for _, ch := range p.plan.Changes {
		if ch.Action != Delete || targeted[ch.Address] {
			continue
		}
		if dep := via[ch.Address]; dep != "" {
			ch.ActionReason = ReasonDependsOnDestroyed
			ch.DependsOnDestroyed = dep
			ch.DependencyTargeted = targeted[dep]
		}
	}
}

// dependantReason is the "(because ...)" text for a delete caused by a
// targeted destroy of something it depends on.
func dependantReason(ch *Change) string {
	if ch.DependencyTargeted {
		return fmt.Sprintf("(because it depends on %s, which is targeted)", ch.DependsOnDestroyed)
	}
	return fmt.Sprintf("(because it depends on %s, which will be destroyed)", ch.DependsOnDestroyed)
}

// didYouMean names the known address closest to given, when it is close
// enough to be a typo.
func didYouMean(given string, known []string) string {
	best, bestDist := "", 0
	limit := 2 + len(given)/8
	for _, c := range known {
		d := levenshtein.Distance(given, c, nil)
		if d <= limit && (best == "" || d < bestDist) {
			best, bestDist = c, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf(" Did you mean %q?", best)
}
