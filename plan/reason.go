package plan

import (
	"fmt"
	"strings"

	"github.com/trustform/trustform/internal/addrs"
	"github.com/trustform/trustform/lang"
)

// ActionReason says why a resource gets its action, in Terraform's terms
// (its plan JSON field action_reason), so a reviewer reading a delete sees
// whether the resource left the configuration or only lost an instance.
type ActionReason string

// Action reasons, with Terraform's JSON names. The zero value means no
// particular reason (a create, an update, a -destroy plan).
const (
	// ReasonNoResourceConfig: the resource is in state but no longer in
	// the configuration.
	ReasonNoResourceConfig ActionReason = "delete_because_no_resource_config"
	// ReasonWrongRepetition: the instance key does not fit the resource's
	// count or for_each (an indexed instance of a resource without count,
	// or the reverse).
	ReasonWrongRepetition ActionReason = "delete_because_wrong_repetition"
	// ReasonCountIndex: the index is beyond the resource's count.
	ReasonCountIndex ActionReason = "delete_because_count_index"
	// ReasonEachKey: the key is no longer in the for_each map or set.
	ReasonEachKey ActionReason = "delete_because_each_key"
	// ReasonTainted: a start that never finished must be replaced.
	ReasonTainted ActionReason = "replace_because_tainted"
	// ReasonCannotUpdate: something the running process sees changed.
	ReasonCannotUpdate ActionReason = "replace_because_cannot_update"
	// ReasonReplaceByRequest: -replace named the resource.
	ReasonReplaceByRequest ActionReason = "replace_by_request"
	// ReasonDependsOnDestroyed: a targeted destroy removes something the
	// resource depends on. Terraform has no such reason (its destroy does
	// not explain dependants); the name follows its pattern.
	ReasonDependsOnDestroyed ActionReason = "delete_because_dependency_destroyed"
)

// deleteReason says why a resource in state but not planned from the
// configuration is deleted. blocks maps each configured resource block
// (TYPE.NAME) to how its instances are keyed.
func deleteReason(addr string, blocks map[string]addrs.KeyKind) ActionReason {
	a, err := addrs.Parse(addr)
	if err != nil {
		return ReasonNoResourceConfig
	}
	kind, declared := blocks[a.Block()]
	switch {
	case !declared:
		return ReasonNoResourceConfig
	case a.Key.Kind != kind:
		return ReasonWrongRepetition
	case kind == addrs.IntKey:
		return ReasonCountIndex
	case kind == addrs.StringKey:
		return ReasonEachKey
	}
	return ReasonNoResourceConfig
}

// resourceBlocks is how the configuration's resource blocks are keyed:
// lang's record, which includes blocks of count = 0, or else what the
// instance addresses show.
func resourceBlocks(cfg *lang.Config) map[string]addrs.KeyKind {
	if cfg.ResourceBlocks != nil {
		return cfg.ResourceBlocks
	}
	out := make(map[string]addrs.KeyKind, len(cfg.Resources))
	for _, r := range cfg.Resources {
		if a, err := addrs.Parse(r.Address); err == nil {
			out[a.Block()] = a.Key.Kind
		}
	}
	return out
}

// reasonLine is the "# (because ...)" line under a resource's header in
// the human plan, in Terraform's words; "" when there is nothing to add.
func reasonLine(ch *Change) string {
	base, key := ch.Address, ""
	if a, err := addrs.Parse(ch.Address); err == nil {
		base, key = a.Block(), a.Key.String()
	}
	switch ch.ActionReason {
	case ReasonNoResourceConfig:
		return fmt.Sprintf("(because %s is not in configuration)", base)
	case ReasonDependsOnDestroyed:
		return dependantReason(ch)
	case ReasonCountIndex:
		return fmt.Sprintf("(because index %s is out of range for count)", key)
	case ReasonEachKey:
		return fmt.Sprintf("(because key %s is not in for_each map)", key)
	case ReasonWrongRepetition:
		switch {
		case key == "":
			return "(because resource uses count or for_each)"
		case !strings.HasPrefix(key, `["`):
			return "(because resource does not use count)"
		}
		return "(because resource does not use for_each)"
	}
	if ch.Action == Create && len(ch.Reasons) == 1 && ch.Reasons[0] == "drift" {
		return "(because it is no longer running)"
	}
	return ""
}
